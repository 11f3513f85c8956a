/**
 * A child's sub-status: a small JSON detail a running child publishes about itself (a cluster
 * singleton's `standby` or `active`), which `whichChildren` copies into the child's row.
 *
 * A child keeps it in its snapshot, under `subStatus` (a worker through `ctx.setSubStatus`, any
 * other logic in the snapshot it returns; a state machine in its `context.subStatus`), so the
 * supervisor reads it when asked and nothing has to be sent to it: the `ChildStatus` stays the
 * supervisor's own (decision 0027).
 *
 * @module
 */
import { SupervisorArgumentError } from './errors.js';
import { toJSONValue, type JsonValue } from './reports/toJSONValue.js';

/**
 * What a running child says about itself beyond its {@link ChildStatus}: a `state` and any
 * JSON-safe fields, shown as {@link ChildInfo.subStatus}.
 *
 * @remarks
 * For a supervisor a child with a sub-status is still `running` (and counts as ready): the
 * sub-status is the child's word, not the supervisor's. A worker publishes one with
 * `ctx.setSubStatus(...)` ({@link WorkerContext.setSubStatus}); any other actor logic keeps it in
 * its snapshot's `subStatus` field, and an XState machine in `context.subStatus`. It is read when
 * {@link whichChildren} is called, only while the child runs, and a new incarnation starts
 * without one.
 *
 * @example A worker publishes its sub-status, whichChildren shows it, and the child stays running
 * ```ts
 * import assert from 'node:assert/strict';
 * import { defineSupervisor, fromWorker, startSupervisor, stopSupervisor, whichChildren, type SubStatus } from '@trellis/core';
 * import { createTestClock, settle } from '@trellis/core/testing';
 * const clock = createTestClock();
 * const standby: SubStatus = { state: 'standby', heldBy: 'host-a' };
 * const worker = fromWorker(async ({ setSubStatus, sleep, signal }) => {
 *   setSubStatus(standby);
 *   await sleep(1_000);
 *   setSubStatus({ state: 'active', epoch: 7 });
 *   await new Promise((resolve) => signal.addEventListener('abort', resolve));
 * });
 * const sup = await startSupervisor(defineSupervisor({ id: 'root', children: [{ id: 'job', start: worker }] }), { clock });
 * await settle();
 * assert.deepEqual(whichChildren(sup)[0]?.subStatus, { state: 'standby', heldBy: 'host-a' });
 * assert.equal(whichChildren(sup)[0]?.status, 'running');
 * clock.advance(1_000);
 * await settle();
 * assert.deepEqual(whichChildren(sup)[0]?.subStatus, { state: 'active', epoch: 7 });
 * await stopSupervisor(sup);
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export type SubStatus = {
  /** The child's state in its own words, such as `standby` or `active`. */
  readonly state: string;
} & { readonly [field: string]: JsonValue };

/**
 * The first rule `value` breaks as a sub-status, as `[field, rule]`, or `undefined`: an object
 * whose `state` is a non-empty string and whose every value is plain JSON (what `JSON.stringify`
 * keeps as it is).
 */
function subStatusIssue(value: unknown): readonly [string, string, unknown] | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return ['subStatus', 'must be an object { state, ...JSON fields }', value];
  const state = (value as { state?: unknown }).state;
  if (typeof state !== 'string' || state.length === 0) return ['subStatus.state', 'must be a non-empty string', state];
  const bad = notJson(value, 'subStatus', []);
  return bad === undefined ? undefined : [bad[0], 'must be JSON (a string, finite number, boolean, null, array or plain object)', bad[1]];
}

function notJson(value: unknown, path: string, ancestors: object[]): readonly [string, unknown] | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return undefined;
    case 'number':
      return Number.isFinite(value) ? undefined : [path, value];
    case 'object': {
      if (value === null) return undefined;
      if (ancestors.includes(value)) return [path, '[Circular]'];
      const proto = Object.getPrototypeOf(value) as unknown;
      if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) return [path, value];
      const inner = [...ancestors, value];
      for (const [key, item] of Object.entries(value)) {
        const bad = notJson(item, Array.isArray(value) ? `${path}[${key}]` : `${path}.${key}`, inner);
        if (bad !== undefined) return bad;
      }
      return undefined;
    }
    default:
      return [path, value];
  }
}

/**
 * Checks a sub-status given to `setSubStatus` and returns a frozen copy of it, so the caller's
 * later changes to its object do not show; `undefined` clears it.
 *
 * @throws {@link SupervisorArgumentError} naming the field and rule it breaks.
 */
export function checkedSubStatus(command: string, value: unknown): SubStatus | undefined {
  if (value === undefined) return undefined;
  const issue = subStatusIssue(value);
  if (issue !== undefined) throw new SupervisorArgumentError(command, issue[0], issue[1], issue[2]);
  const copy = Object.freeze(toJSONValue(value)) as SubStatus;
  published.add(copy);
  return copy;
}

/** The sub-statuses `checkedSubStatus` made: JSON already, read as they are. */
const published = new WeakSet<object>();

/**
 * The sub-status a child's snapshot holds: its `subStatus`, else (a state machine) its
 * `context.subStatus`. Read defensively: a value that is not an object with a string `state` is
 * no sub-status, and the rest is projected onto JSON, so a child's odd snapshot cannot break
 * `whichChildren` (a child's failure is data).
 */
export function subStatusOfSnapshot(snapshot: unknown): SubStatus | undefined {
  if (typeof snapshot !== 'object' || snapshot === null) return undefined;
  let value = (snapshot as { subStatus?: unknown }).subStatus;
  if (value === undefined) {
    const context = (snapshot as { context?: unknown }).context;
    if (typeof context === 'object' && context !== null) value = (context as { subStatus?: unknown }).subStatus;
  }
  if (typeof value !== 'object' || value === null || typeof (value as { state?: unknown }).state !== 'string') return undefined;
  // A published one (setSubStatus) is already frozen JSON; anything else is projected.
  return published.has(value) ? (value as SubStatus) : (toJSONValue(value) as SubStatus);
}
