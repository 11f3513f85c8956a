/**
 * `defineDynamicSupervisor`: OTP's `simple_one_for_one` and Elixir's `DynamicSupervisor`: one
 * child template, children started on demand with extra input, a limit, parallel shutdown.
 *
 * @module
 */
import { childSpec } from './childSpec.js';
import { resolveConfig, supervisorLogic, type SupervisorLogic, type SupervisorRef } from './defineSupervisor.js';
import { InvalidChildSpecError, InvalidSupervisorFlagsError } from './errors.js';
import { unknownKeyMessage, unknownKeys } from './validation/unknownKeys.js';
import type { ChildSpec, ChildSpecInput, SupervisorConfig } from './types.js';

/**
 * The configuration of a dynamic supervisor.
 *
 * @remarks
 * `child` is the template every child is started from; its `id` is the prefix of the generated
 * ids (`conn-1`, `conn-2`, ...). `maxChildren` defaults to `Infinity`. Restart intensity,
 * `logger`, `clock` and `handoverStore` are as for {@link defineSupervisor}; the strategy is
 * always `one_for_one` and `autoShutdown` always `'never'`.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { defineDynamicSupervisor, fromWorker, type DynamicSupervisorConfig } from '@trellis/core';
 * const config: DynamicSupervisorConfig = {
 *   id: 'conns',
 *   child: { id: 'conn', start: fromWorker(async () => {}), restart: 'temporary' },
 *   maxChildren: 100,
 * };
 * assert.ok(defineDynamicSupervisor(config));
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface DynamicSupervisorConfig extends Omit<SupervisorConfig, 'children' | 'strategy' | 'autoShutdown'> {
  /** The template of every child. */
  readonly child: ChildSpec | ChildSpecInput;
  /** How many children at most, restarting ones included. Default `Infinity`. */
  readonly maxChildren?: number;
}

/**
 * The actor logic of a dynamic supervisor: a {@link SupervisorLogic} that says it is dynamic.
 *
 * @remarks
 * What {@link defineDynamicSupervisor} returns. {@link startSupervisor} resolves it to a
 * {@link DynamicSupervisorRef}, so the commands a dynamic supervisor does not serve fail to
 * compile. It nests like any supervisor logic.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { defineDynamicSupervisor, fromWorker, type DynamicSupervisorLogic } from '@trellis/core';
 * const logic: DynamicSupervisorLogic = defineDynamicSupervisor({ id: 'conns', child: { id: 'conn', start: fromWorker(async () => {}) } });
 * assert.equal(logic.supervisorKind, 'dynamic');
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface DynamicSupervisorLogic extends SupervisorLogic {
  /** Always `'dynamic'`: the mark {@link startSupervisor}'s overloads read. */
  readonly supervisorKind: 'dynamic';
}

/**
 * A running dynamic supervisor (OTP `simple_one_for_one`).
 *
 * @remarks
 * What {@link startSupervisor} resolves a {@link DynamicSupervisorLogic} to. {@link startChild}
 * takes it with `{ input }` (the spec is the template); {@link restartChild} and
 * {@link deleteChild} do not take it at all (a `@ts-expect-error` where they would), since a
 * dynamic supervisor keeps no spec of a stopped child.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { defineDynamicSupervisor, fromWorker, startChild, startSupervisor, stopSupervisor, type DynamicSupervisorRef } from '@trellis/core';
 * const conn = fromWorker(({ signal }) => new Promise((r) => signal.addEventListener('abort', r)));
 * const sup: DynamicSupervisorRef = await startSupervisor(defineDynamicSupervisor({ id: 'conns', child: { id: 'conn', start: conn } }));
 * assert.equal(sup.supervisorKind, 'dynamic');
 * assert.equal((await startChild(sup, { input: {} })).id, 'conn-1');
 * await stopSupervisor(sup);
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface DynamicSupervisorRef extends SupervisorRef {
  /** Always `'dynamic'` (set when the supervisor starts). */
  readonly supervisorKind: 'dynamic';
}

/** The keys of a dynamic supervisor's config (`strategy` and `autoShutdown` only with their one allowed value). */
const DYNAMIC_SUPERVISOR_KEYS = ['id', 'child', 'maxChildren', 'strategy', 'intensity', 'periodMs', 'autoShutdown', 'logger', 'clock', 'handoverStore', 'restartBudget', 'random'] as const;

/**
 * Defines a dynamic supervisor: no children at start, then any number started from one template.
 *
 * @remarks
 * Mirrors OTP `simple_one_for_one` and Elixir `DynamicSupervisor`. `startChild(ref, { input })`
 * starts a child from the template with `input` merged over the template's, under a generated id
 * (`<template id>-<n>`), and resolves with its {@link ChildInfo}. Each child is restarted by
 * itself (`one_for_one`) within the supervisor's intensity. A child that is not restarted (a
 * transient child exiting cleanly, any temporary child, or one stopped by `terminateChild`) is
 * removed: no spec is kept. `restartChild` and `deleteChild` reject with
 * {@link DynamicSupervisorError}. A full supervisor rejects `startChild` with
 * {@link MaxChildrenError}. Shutdown asks every child at once, and one timer of the template's
 * `shutdown` covers them all. `countChildren` counts the template as the only spec.
 *
 * @param config - the template, limit and flags.
 * @returns the supervisor's machine.
 * @throws {@link InvalidSupervisorFlagsError} for a bad or unknown flag, or a bad `maxChildren`.
 * @throws {@link InvalidChildSpecError} for a bad template, or a `significant` one.
 *
 * @example Connections on demand
 * ```ts
 * import assert from 'node:assert/strict';
 * import { countChildren, defineDynamicSupervisor, fromWorker, startChild, startSupervisor, stopSupervisor } from '@trellis/core';
 * const conn = fromWorker<{ host: string; port: number }>(({ input, signal }) => new Promise((r) => signal.addEventListener('abort', r)));
 * const sup = await startSupervisor(defineDynamicSupervisor({ id: 'conns', child: { id: 'conn', start: conn, input: { port: 5432 } } }));
 * const info = await startChild(sup, { input: { host: 'db-1' } });
 * assert.equal(info.id, 'conn-1');
 * assert.deepEqual(countChildren(sup), { specs: 1, active: 1, supervisors: 0, workers: 1 });
 * await stopSupervisor(sup);
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export function defineDynamicSupervisor(config: DynamicSupervisorConfig): DynamicSupervisorLogic {
  if (typeof config !== 'object' || config === null) throw new InvalidSupervisorFlagsError(undefined, 'config', 'must be an object', config);
  const keys = DYNAMIC_SUPERVISOR_KEYS;
  const unknown = unknownKeys(config, keys)[0];
  if (unknown !== undefined)
    throw new InvalidSupervisorFlagsError(config.id, unknown, 'is not a known key', (config as unknown as Record<string, unknown>)[unknown], unknownKeyMessage(unknown, `dynamic supervisor ${typeof config.id === 'string' ? `'${config.id}'` : '(no id)'}`, keys));
  const { child, maxChildren = Number.POSITIVE_INFINITY, ...flags } = config;
  if (!(maxChildren === Number.POSITIVE_INFINITY || (Number.isInteger(maxChildren) && maxChildren > 0)))
    throw new InvalidSupervisorFlagsError(config.id, 'maxChildren', 'must be a positive integer or Infinity', maxChildren);
  if ('strategy' in config && (config as { strategy?: unknown }).strategy !== 'one_for_one')
    throw new InvalidSupervisorFlagsError(config.id, 'strategy', "must be 'one_for_one' (or absent) for a dynamic supervisor", (config as { strategy?: unknown }).strategy);
  if ('autoShutdown' in config && (config as { autoShutdown?: unknown }).autoShutdown !== 'never')
    throw new InvalidSupervisorFlagsError(config.id, 'autoShutdown', "must be 'never' for a dynamic supervisor (bad_combination)", (config as { autoShutdown?: unknown }).autoShutdown);
  // Without this, childSpec(undefined) would name `spec`, not the missing flag.
  if (child === undefined) throw new InvalidSupervisorFlagsError(config.id, 'child', 'is required: the child spec every child is started from', child);
  const template = childSpec(child);
  if (template.significant) throw new InvalidChildSpecError(template.id, 'significant', 'must be false in a dynamic supervisor template (bad_combination)', true);
  const resolved = resolveConfig({ ...flags, children: [] });
  const logic = supervisorLogic({ ...resolved, dynamic: { template, maxChildren } });
  Object.defineProperty(logic, 'supervisorKind', { value: 'dynamic', enumerable: false });
  return logic as DynamicSupervisorLogic;
}
