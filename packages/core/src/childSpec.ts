/**
 * Child specs: the validating constructor and the per-field checks, mirroring OTP's
 * `do_check_childspec` (one validator per field, each with its own error).
 *
 * @module
 */
import type { AnyActorLogic } from 'xstate';
import { childProtocolOf } from './childProtocol.js';
import { InvalidChildSpecError } from './errors.js';
import type { Backoff, ChildSpec, ChildSpecInput, HealthCheck } from './types.js';

/** OTP's default `shutdown` for a worker child, in milliseconds. */
export const DEFAULT_WORKER_SHUTDOWN_MS = 5_000;

const SPEC = Symbol.for('@trellis/core/ChildSpec');

function isActorLogic(value: unknown): value is AnyActorLogic {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as AnyActorLogic).transition === 'function' &&
    typeof (value as AnyActorLogic).getInitialSnapshot === 'function'
  );
}

/** A plain object (`{}` literal or `Object.create(null)`), the only shape `input` may take. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function positiveFinite(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0;
}

function checkBackoff(id: unknown, backoff: unknown): Backoff {
  if (!isPlainObject(backoff)) throw new InvalidChildSpecError(id, 'backoff', 'must be an object { minMs, maxMs, factor, jitter, resetAfterMs }', backoff);
  const { minMs, maxMs, factor, jitter, resetAfterMs } = backoff;
  if (typeof minMs !== 'number' || !Number.isFinite(minMs) || minMs < 0)
    throw new InvalidChildSpecError(id, 'backoff.minMs', 'must be a non-negative number of milliseconds', minMs);
  if (typeof maxMs !== 'number' || !Number.isFinite(maxMs) || maxMs < minMs)
    throw new InvalidChildSpecError(id, 'backoff.maxMs', 'must be a number of milliseconds no smaller than minMs', maxMs);
  if (typeof factor !== 'number' || !Number.isFinite(factor) || factor < 1)
    throw new InvalidChildSpecError(id, 'backoff.factor', 'must be a number of at least 1', factor);
  if (typeof jitter !== 'number' || !Number.isFinite(jitter) || jitter < 0)
    throw new InvalidChildSpecError(id, 'backoff.jitter', 'must be a non-negative fraction', jitter);
  if (typeof resetAfterMs !== 'number' || !Number.isFinite(resetAfterMs) || resetAfterMs < 0)
    throw new InvalidChildSpecError(id, 'backoff.resetAfterMs', 'must be a non-negative number of milliseconds', resetAfterMs);
  return { minMs, maxMs, factor, jitter, resetAfterMs };
}

function checkHealth(id: unknown, health: unknown): HealthCheck {
  if (!isPlainObject(health)) throw new InvalidChildSpecError(id, 'health', 'must be an object { check, intervalMs, timeoutMs, failureThreshold }', health);
  const { check, intervalMs, timeoutMs, failureThreshold } = health;
  if (typeof check !== 'function') throw new InvalidChildSpecError(id, 'health.check', 'must be a function', check);
  if (!positiveFinite(intervalMs)) throw new InvalidChildSpecError(id, 'health.intervalMs', 'must be a positive number of milliseconds', intervalMs);
  if (!positiveFinite(timeoutMs)) throw new InvalidChildSpecError(id, 'health.timeoutMs', 'must be a positive number of milliseconds', timeoutMs);
  if (typeof failureThreshold !== 'number' || !Number.isInteger(failureThreshold) || failureThreshold < 1)
    throw new InvalidChildSpecError(id, 'health.failureThreshold', 'must be a positive integer', failureThreshold);
  return { check: check as HealthCheck['check'], intervalMs, timeoutMs, failureThreshold };
}

/**
 * Validates a child spec and fills in its defaults.
 *
 * @remarks
 * Mirrors OTP's child spec checks field by field: `id` a non-empty string; `start` actor logic;
 * `restart` `'permanent'` (default) | `'transient'` | `'temporary'`; `shutdown` `'brutal_kill'`
 * | `'infinity'` | milliseconds ≥ 0 (default 5000 for workers, `'infinity'` for supervisors);
 * `type` `'worker'` | `'supervisor'` (inferred from `start`); `significant` a boolean (default
 * `false`, and never `true` for a `permanent` child); `input` a plain object; `resumeId` a
 * non-empty string. Unknown keys are ignored, as OTP does. The result is frozen and may be
 * passed wherever a spec input is accepted.
 *
 * @param input - the spec as written.
 * @returns the spec with every default filled in.
 * @throws {@link InvalidChildSpecError} naming the first field that breaks its rule.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { childSpec, fromWorker } from '@trellis/core';
 * const spec = childSpec({ id: 'db', start: fromWorker(async ({ signal }) => {}) });
 * assert.equal(spec.restart, 'permanent');
 * assert.equal(spec.shutdown, 5000);
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export function childSpec(input: ChildSpecInput | ChildSpec): ChildSpec {
  if (isChildSpec(input)) return input;
  if (!isPlainObject(input)) throw new InvalidChildSpecError(undefined, 'spec', 'must be a plain object', input);
  const { id, start, restart = 'permanent', type, significant = false, resumeId } = input;
  if (!('id' in input) || id === undefined) throw new InvalidChildSpecError(undefined, 'id', 'is required (missing_id)', id);
  if (typeof id !== 'string' || id.length === 0) throw new InvalidChildSpecError(id, 'id', 'must be a non-empty string', id);
  if (start === undefined) throw new InvalidChildSpecError(id, 'start', 'is required (missing_start)', start);
  if (!isActorLogic(start)) throw new InvalidChildSpecError(id, 'start', 'must be XState actor logic (fromWorker, fromPromise, a machine, a supervisor, ...)', start);
  if (restart !== 'permanent' && restart !== 'transient' && restart !== 'temporary')
    throw new InvalidChildSpecError(id, 'restart', "must be 'permanent', 'transient' or 'temporary'", restart);
  const isSupervisor = childProtocolOf(start).kind === 'supervisor';
  // `=== undefined`, not `??`: a null from a JS caller is a wrong value, not a missing one.
  const resolvedType = type === undefined ? (isSupervisor ? 'supervisor' : 'worker') : type;
  if (resolvedType !== 'worker' && resolvedType !== 'supervisor')
    throw new InvalidChildSpecError(id, 'type', "must be 'worker' or 'supervisor'", type);
  const shutdown = input.shutdown === undefined ? (resolvedType === 'supervisor' ? 'infinity' : DEFAULT_WORKER_SHUTDOWN_MS) : input.shutdown;
  if (shutdown !== 'brutal_kill' && shutdown !== 'infinity' && !(typeof shutdown === 'number' && Number.isFinite(shutdown) && shutdown >= 0))
    throw new InvalidChildSpecError(id, 'shutdown', "must be 'brutal_kill', 'infinity' or a non-negative number of milliseconds", shutdown);
  if (typeof significant !== 'boolean') throw new InvalidChildSpecError(id, 'significant', 'must be a boolean', significant);
  if (significant && restart === 'permanent')
    throw new InvalidChildSpecError(id, 'significant', "cannot be true for a 'permanent' child (bad_combination)", significant);
  if (input.input !== undefined && !isPlainObject(input.input))
    throw new InvalidChildSpecError(id, 'input', 'must be a plain object', input.input);
  if (resumeId !== undefined && (typeof resumeId !== 'string' || resumeId.length === 0))
    throw new InvalidChildSpecError(id, 'resumeId', 'must be a non-empty string', resumeId);
  const spec: ChildSpec = {
    id,
    start,
    input: input.input,
    restart,
    shutdown,
    type: resolvedType,
    significant,
    resumeId,
    backoff: input.backoff === undefined ? undefined : checkBackoff(id, input.backoff),
    health: input.health === undefined ? undefined : checkHealth(id, input.health),
  };
  Object.defineProperty(spec, SPEC, { value: true });
  return Object.freeze(spec);
}

/**
 * True when `value` came from {@link childSpec} (and so is already valid).
 *
 * @remarks
 * A spec made by {@link childSpec} is frozen and marked, so a supervisor does not validate it
 * again. A plain object that has the same fields is not a `ChildSpec` by this test.
 *
 * @param value - anything.
 * @returns whether it is a validated spec.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { childSpec, fromWorker, isChildSpec } from '@trellis/core';
 * assert.ok(isChildSpec(childSpec({ id: 'a', start: fromWorker(() => {}) })));
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export function isChildSpec(value: unknown): value is ChildSpec {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[SPEC] === true;
}

