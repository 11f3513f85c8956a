/**
 * Child specs: the validating constructor and the per-field checks, mirroring OTP's
 * `do_check_childspec` (one validator per field, each with its own error).
 *
 * @module
 */
import type { AnyActorLogic } from 'xstate';
import { childProtocolOf } from './childProtocol.js';
import { InvalidChildSpecError } from './errors.js';
import { unknownKeyMessage, unknownKeys } from './validation/unknownKeys.js';
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

/** The keys of a child spec input, in the order the docs list them. */
export const CHILD_SPEC_KEYS = ['id', 'start', 'input', 'restart', 'shutdown', 'type', 'significant', 'resumeId', 'backoff', 'health'] as const;
const BACKOFF_KEYS = ['minMs', 'maxMs', 'factor', 'jitter', 'resetAfterMs'] as const;
const HEALTH_KEYS = ['check', 'intervalMs', 'timeoutMs', 'failureThreshold'] as const;

type Issues = InvalidChildSpecError[];

function checkKeys(issues: Issues, id: unknown, value: object, prefix: string, keys: readonly string[]): void {
  const where = prefix === '' ? `child spec ${typeof id === 'string' ? `'${id}'` : '(no id)'}` : `${prefix} of child spec ${typeof id === 'string' ? `'${id}'` : '(no id)'}`;
  for (const key of unknownKeys(value, keys)) {
    const field = prefix === '' ? key : `${prefix}.${key}`;
    issues.push(new InvalidChildSpecError(id, field, 'is not a known key', (value as Record<string, unknown>)[key], `${unknownKeyMessage(key, where, keys)}`));
  }
}

function checkBackoff(issues: Issues, id: unknown, backoff: unknown): Backoff | undefined {
  if (!isPlainObject(backoff)) {
    issues.push(new InvalidChildSpecError(id, 'backoff', 'must be an object { minMs, maxMs, factor, jitter, resetAfterMs }', backoff));
    return undefined;
  }
  const before = issues.length;
  checkKeys(issues, id, backoff, 'backoff', BACKOFF_KEYS);
  const { minMs, maxMs, factor, jitter, resetAfterMs } = backoff;
  const minOk = typeof minMs === 'number' && Number.isFinite(minMs) && minMs >= 0;
  if (!minOk) issues.push(new InvalidChildSpecError(id, 'backoff.minMs', 'must be a non-negative number of milliseconds', minMs));
  if (typeof maxMs !== 'number' || !Number.isFinite(maxMs) || (minOk && maxMs < minMs))
    issues.push(new InvalidChildSpecError(id, 'backoff.maxMs', 'must be a number of milliseconds no smaller than minMs', maxMs));
  if (typeof factor !== 'number' || !Number.isFinite(factor) || factor < 1)
    issues.push(new InvalidChildSpecError(id, 'backoff.factor', 'must be a number of at least 1', factor));
  if (typeof jitter !== 'number' || !Number.isFinite(jitter) || jitter < 0)
    issues.push(new InvalidChildSpecError(id, 'backoff.jitter', 'must be a non-negative fraction', jitter));
  if (typeof resetAfterMs !== 'number' || !Number.isFinite(resetAfterMs) || resetAfterMs < 0)
    issues.push(new InvalidChildSpecError(id, 'backoff.resetAfterMs', 'must be a non-negative number of milliseconds', resetAfterMs));
  if (issues.length > before) return undefined;
  return { minMs, maxMs, factor, jitter, resetAfterMs } as Backoff;
}

function checkHealth(issues: Issues, id: unknown, health: unknown): HealthCheck | undefined {
  if (!isPlainObject(health)) {
    issues.push(new InvalidChildSpecError(id, 'health', 'must be an object { check, intervalMs, timeoutMs, failureThreshold }', health));
    return undefined;
  }
  const before = issues.length;
  checkKeys(issues, id, health, 'health', HEALTH_KEYS);
  const { check, intervalMs, timeoutMs, failureThreshold } = health;
  if (typeof check !== 'function') issues.push(new InvalidChildSpecError(id, 'health.check', 'must be a function', check));
  if (!positiveFinite(intervalMs)) issues.push(new InvalidChildSpecError(id, 'health.intervalMs', 'must be a positive number of milliseconds', intervalMs));
  if (!positiveFinite(timeoutMs)) issues.push(new InvalidChildSpecError(id, 'health.timeoutMs', 'must be a positive number of milliseconds', timeoutMs));
  if (typeof failureThreshold !== 'number' || !Number.isInteger(failureThreshold) || failureThreshold < 1)
    issues.push(new InvalidChildSpecError(id, 'health.failureThreshold', 'must be a positive integer', failureThreshold));
  if (issues.length > before) return undefined;
  return { check, intervalMs, timeoutMs, failureThreshold } as HealthCheck;
}

function startRule(start: unknown): string {
  // An async function is the most common wrong `start`: say how to make it a child.
  return typeof start === 'function'
    ? 'must be XState actor logic, not a plain function: wrap it in fromWorker() (or fromPromise())'
    : 'must be XState actor logic (fromWorker, fromPromise, a machine, a supervisor, ...)';
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
 * non-empty string. An unknown key is an error naming the closest valid key (`restrat` → `restart`;
 * decision 0009), unlike OTP, which ignores it. The result is frozen and may be
 * passed wherever a spec input is accepted.
 *
 * @param input - the spec as written.
 * @returns the spec with every default filled in.
 * @throws {@link InvalidChildSpecError} naming the first field that breaks its rule; {@link childSpecIssues} lists them all.
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
  const issues: Issues = [];
  const spec = resolveChildSpec(input, issues);
  if (spec === undefined) throw issues[0]!;
  return spec;
}

/**
 * Every rule a child spec breaks, not only the first: what {@link childSpec} would throw, listed.
 *
 * @remarks
 * For tools that report a whole configuration at once (`trellis check`). An empty array means
 * {@link childSpec} accepts the input.
 *
 * @param input - the spec as written.
 * @returns one error per broken rule, in field order; empty when the spec is valid.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { childSpecIssues, fromWorker } from '@trellis/core';
 * const issues = childSpecIssues({ id: 'db', start: fromWorker(() => {}), restrat: 'temporary', shutdown: -1 } as never);
 * assert.deepEqual(issues.map((issue) => issue.field), ['restrat', 'shutdown']);
 * ```
 *
 * @category errors
 * @since 0.1.0
 */
export function childSpecIssues(input: unknown): InvalidChildSpecError[] {
  if (isChildSpec(input)) return [];
  const issues: Issues = [];
  resolveChildSpec(input, issues);
  return issues;
}

function resolveChildSpec(input: unknown, issues: Issues): ChildSpec | undefined {
  if (!isPlainObject(input)) {
    issues.push(new InvalidChildSpecError(undefined, 'spec', 'must be a plain object', input));
    return undefined;
  }
  const { id, start, restart = 'permanent', type, significant = false, resumeId } = input;
  checkKeys(issues, id, input, '', CHILD_SPEC_KEYS);
  if (!('id' in input) || id === undefined) issues.push(new InvalidChildSpecError(undefined, 'id', 'is required (missing_id)', id));
  else if (typeof id !== 'string' || id.length === 0) issues.push(new InvalidChildSpecError(id, 'id', 'must be a non-empty string', id));
  const startOk = start !== undefined && isActorLogic(start);
  if (start === undefined) issues.push(new InvalidChildSpecError(id, 'start', 'is required (missing_start)', start));
  else if (!startOk) issues.push(new InvalidChildSpecError(id, 'start', startRule(start), start));
  if (restart !== 'permanent' && restart !== 'transient' && restart !== 'temporary')
    issues.push(new InvalidChildSpecError(id, 'restart', "must be 'permanent', 'transient' or 'temporary'", restart));
  const isSupervisor = startOk && childProtocolOf(start).kind === 'supervisor';
  // `=== undefined`, not `??`: a null from a JS caller is a wrong value, not a missing one.
  const resolvedType = type === undefined ? (isSupervisor ? 'supervisor' : 'worker') : type;
  if (resolvedType !== 'worker' && resolvedType !== 'supervisor')
    issues.push(new InvalidChildSpecError(id, 'type', "must be 'worker' or 'supervisor'", type));
  const shutdown = input.shutdown === undefined ? (resolvedType === 'supervisor' ? 'infinity' : DEFAULT_WORKER_SHUTDOWN_MS) : input.shutdown;
  if (shutdown !== 'brutal_kill' && shutdown !== 'infinity' && !(typeof shutdown === 'number' && Number.isFinite(shutdown) && shutdown >= 0))
    issues.push(new InvalidChildSpecError(id, 'shutdown', "must be 'brutal_kill', 'infinity' or a non-negative number of milliseconds", shutdown));
  if (typeof significant !== 'boolean') issues.push(new InvalidChildSpecError(id, 'significant', 'must be a boolean', significant));
  else if (significant && restart === 'permanent')
    issues.push(new InvalidChildSpecError(id, 'significant', "cannot be true for a 'permanent' child (bad_combination)", significant));
  if (input.input !== undefined && !isPlainObject(input.input))
    issues.push(new InvalidChildSpecError(id, 'input', 'must be a plain object', input.input));
  if (resumeId !== undefined && (typeof resumeId !== 'string' || resumeId.length === 0))
    issues.push(new InvalidChildSpecError(id, 'resumeId', 'must be a non-empty string', resumeId));
  const backoff = input.backoff === undefined ? undefined : checkBackoff(issues, id, input.backoff);
  const health = input.health === undefined ? undefined : checkHealth(issues, id, input.health);
  if (issues.length > 0) return undefined;
  const spec = {
    id,
    start,
    input: input.input,
    restart,
    shutdown,
    type: resolvedType,
    significant,
    resumeId,
    backoff,
    health,
  } as ChildSpec;
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

