/**
 * `rollingRestart`: replace a supervisor's children in batches, each replacement ready before the
 * incarnation it replaces is stopped (decision 0026). The caller's side: options checked, the
 * command sent, the report awaited. The runtime's side is `runtime/replace.ts`.
 *
 * @module
 */
import { send } from './commands.js';
import type { SupervisorRef } from './defineSupervisor.js';
import { SupervisorArgumentError } from './errors.js';
import type { RollReport, RollState } from './runtime/replace.js';
import type { ChildId } from './types.js';
import { unknownKeyMessage, unknownKeys } from './validation/unknownKeys.js';

/** A replacement's default time to become ready: 30 seconds, in milliseconds. */
export const DEFAULT_READY_TIMEOUT_MS = 30_000;

/**
 * Options of {@link rollingRestart}.
 *
 * @remarks
 * Every field is optional, and an unknown key is an error. As a Kubernetes Deployment's rolling
 * update: `maxSurge` replacements at most run beside the incarnations they replace, and at most
 * `maxUnavailable` children are without a ready incarnation at once; a batch is
 * `maxSurge + maxUnavailable` children, and the two cannot both be 0. The default (1 and 0) keeps
 * every child serving: one replacement at a time, each ready before its old incarnation stops.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import type { RollingRestartOptions } from '@trellis/core';
 * const options: RollingRestartOptions = { children: ['web-1', 'web-2'], maxSurge: 2, readyTimeoutMs: 10_000 };
 * assert.equal(options.maxUnavailable, undefined);
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface RollingRestartOptions {
  /**
   * The children to replace, in this order; default every running worker child, in start order.
   * Naming a child supervisor is an error (decision 0026).
   */
  readonly children?: readonly ChildId[];
  /** How many replacements may run beside the incarnations they replace; an integer >= 0, default 1. */
  readonly maxSurge?: number;
  /** How many children may be without a ready incarnation at once; an integer >= 0, default 0. */
  readonly maxUnavailable?: number;
  /**
   * How long a batch's replacements have to become ready, in milliseconds; default 30 000. One that
   * is not ready by then is stopped, the incarnation it was to replace keeps running, and the roll
   * ends there (`outcome: 'aborted'`, `reason: 'ready_timeout'`).
   */
  readonly readyTimeoutMs?: number;
}

/**
 * What a rolling restart did: its answer, whether it finished or not.
 *
 * @remarks
 * A replacement that fails is data, not an exception: the report says `outcome: 'aborted'`, why
 * (`reason`), which child's replacement failed (`child`, with `error` when it failed to start or
 * ended before it was ready), what was replaced before, and what was left (`remaining`, the
 * failed child first). `skipped` lists children that were no longer running when their batch came
 * (stopped, restarting or removed meanwhile), which the roll leaves to the strategy.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import type { RollingRestartReport } from '@trellis/core';
 * const report: RollingRestartReport = { outcome: 'aborted', reason: 'ready_timeout', child: 'b', replaced: ['a'], skipped: [], remaining: ['b', 'c'] };
 * assert.equal(report.remaining[0], report.child);
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface RollingRestartReport {
  /** `completed`: every child named was replaced or skipped; `aborted`: the roll stopped early. */
  readonly outcome: 'completed' | 'aborted';
  /** The children replaced, in order. */
  readonly replaced: readonly ChildId[];
  /** The children that were not running when their batch came. */
  readonly skipped: readonly ChildId[];
  /** The children not replaced because the roll stopped (empty when it completed). */
  readonly remaining: readonly ChildId[];
  /**
   * Why it stopped: `ready_timeout` (a replacement was not ready within `readyTimeoutMs`),
   * `start_failed` (a replacement failed to start or ended before it was ready), or
   * `supervisor_stopping` (the supervisor began to stop).
   */
  readonly reason?: 'ready_timeout' | 'start_failed' | 'supervisor_stopping';
  /** The child whose replacement failed. */
  readonly child?: ChildId;
  /** What the failed replacement threw or ended with, for `start_failed`. */
  readonly error?: {
    /** The error's name. */
    readonly name: string;
    /** The error's message. */
    readonly message: string;
  };
}

const OPTION_KEYS = ['children', 'maxSurge', 'maxUnavailable', 'readyTimeoutMs'] as const;

function optionError(option: string, rule: string, value: unknown): SupervisorArgumentError {
  return new SupervisorArgumentError('rollingRestart', `options.${option}`, rule, value);
}

/** The options resolved, or the first rule they break. */
function resolveOptions(options: unknown): RollState | SupervisorArgumentError {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) return new SupervisorArgumentError('rollingRestart', 'options', 'must be an object', options);
  const unknown = unknownKeys(options, OPTION_KEYS)[0];
  if (unknown !== undefined)
    return new SupervisorArgumentError('rollingRestart', `options.${unknown}`, 'is not a known key', (options as Record<string, unknown>)[unknown], unknownKeyMessage(unknown, "rollingRestart's options", OPTION_KEYS));
  const { children, maxSurge = 1, maxUnavailable = 0, readyTimeoutMs = DEFAULT_READY_TIMEOUT_MS } = options as RollingRestartOptions;
  if (children !== undefined) {
    if (!Array.isArray(children)) return optionError('children', 'must be an array of child ids', children);
    const seen = new Set<string>();
    for (const id of children) {
      if (typeof id !== 'string' || id.length === 0) return optionError('children', 'must hold non-empty string ids', id);
      if (seen.has(id)) return optionError('children', 'must not name a child twice', id);
      seen.add(id);
    }
  }
  if (typeof maxSurge !== 'number' || !Number.isInteger(maxSurge) || maxSurge < 0) return optionError('maxSurge', 'must be an integer >= 0', maxSurge);
  if (typeof maxUnavailable !== 'number' || !Number.isInteger(maxUnavailable) || maxUnavailable < 0) return optionError('maxUnavailable', 'must be an integer >= 0', maxUnavailable);
  if (maxSurge + maxUnavailable === 0) return optionError('maxSurge', 'must be >= 1 when maxUnavailable is 0 (a batch of no children never ends)', maxSurge);
  if (typeof readyTimeoutMs !== 'number' || !Number.isFinite(readyTimeoutMs) || readyTimeoutMs <= 0) return optionError('readyTimeoutMs', 'must be a finite number of milliseconds > 0', readyTimeoutMs);
  return { requested: children === undefined ? undefined : [...children], maxSurge, maxUnavailable, readyTimeoutMs, queue: undefined, done: false, replaced: [], skipped: [] };
}

/**
 * Replaces a supervisor's children one batch at a time, each replacement ready before the
 * incarnation it replaces is stopped: a reload without downtime.
 *
 * @remarks
 * Works on a static supervisor (a pool's members included) and on a dynamic one. For each batch
 * of `maxSurge + maxUnavailable` children, in order: the first `maxUnavailable` old incarnations
 * are stopped, every replacement is started from the child's spec, the supervisor waits until all
 * are ready (an `awaitReady` child says so; other logic is ready once started), and then each
 * ready replacement takes its child's place and the old incarnation is stopped by its `shutdown`
 * protocol. With the defaults, two incarnations of one child run side by side while the new one
 * gets ready, and no child is ever without a ready one.
 *
 * A replacement keeps the child's id and ResumeID and is its next incarnation; its handover's
 * `previousExit` is `{ reason: 'replaced' }`. It never counts toward restart intensity and never
 * fires the strategy. If a replacement is not ready within `readyTimeoutMs` (or fails to start),
 * it is stopped, the incarnation it was to replace keeps running, and the roll stops there: the
 * report says `aborted`, it does not reject. Facts: `sup.rollingRestart.started`,
 * `sup.child.replaced` per child, and `sup.rollingRestart.completed` or
 * `sup.rollingRestart.aborted`. While a batch waits, the supervisor's other events wait behind it
 * (as during any start); between batches they are handled, so a crash of a child not yet replaced
 * is restarted by the strategy as always. Child supervisors are refused (decision 0026). OTP has
 * no counterpart.
 *
 * @param ref - the supervisor.
 * @param options - which children, batch sizes, and the readiness timeout.
 * @returns the report of what was replaced.
 * @throws {@link SupervisorArgumentError} when an option breaks its rule or is unknown, when a
 * named child is a supervisor, or when a rolling restart of this supervisor is already under way.
 * @throws {@link ChildNotFoundError} when a named child does not exist.
 * @throws {@link SupervisorNotRunningError} when the supervisor has ended.
 *
 * @example Replace two workers, one at a time
 * ```ts
 * import assert from 'node:assert/strict';
 * import { defineSupervisor, rollingRestart, startSupervisor, stopSupervisor, whichChildren } from '@trellis/core';
 * import { createTestClock, scriptedChild } from '@trellis/core/testing';
 * const web = scriptedChild();
 * const sup = await startSupervisor(defineSupervisor({ id: 'root', children: [{ id: 'a', start: web }, { id: 'b', start: web }] }), { clock: createTestClock() });
 * const report = await rollingRestart(sup);
 * assert.deepEqual(report, { outcome: 'completed', replaced: ['a', 'b'], skipped: [], remaining: [] });
 * assert.deepEqual(whichChildren(sup).map((c) => c.incarnation), [1, 1]);
 * assert.equal(web.handovers[2]?.previousExit?.reason, 'replaced');
 * await stopSupervisor(sup);
 * ```
 *
 * @category commands
 * @since 0.1.0
 */
export function rollingRestart(ref: SupervisorRef, options: RollingRestartOptions = {}): Promise<RollingRestartReport> {
  const roll = resolveOptions(options);
  if (roll instanceof SupervisorArgumentError) return Promise.reject(roll);
  return send<RollReport>(ref, 'rollingRestart', (reply) => ({ type: 'sup.replaceChildren', roll, reply }));
}
