/**
 * OTP's restart decision (`do_restart/3`): restart type × exit reason, as a literal table.
 *
 * @module
 */
import type { ExitReason, RestartType } from './types.js';

/**
 * What a supervisor does with a child that exited by itself.
 *
 * @remarks
 * `restart`: restart it, and so apply the strategy; `keep`: keep its spec, stopped (a `transient`
 * child's clean exit); `delete`: delete its spec (a `temporary` child). OTP `do_restart/3`; see
 * {@link decideRestart}.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { decideRestart, type RestartDecision } from '@trellis/core';
 * const decision: RestartDecision = decideRestart('temporary', 'error');
 * assert.equal(decision, 'delete');
 * ```
 *
 * @category strategies
 * @since 0.1.0
 */
export type RestartDecision = 'restart' | 'keep' | 'delete';

type ExitClass = 'clean' | 'abnormal';

/**
 * `normal` and `shutdown` are clean, and so is `replaced` (a stop the supervisor asked for, as
 * `shutdown` is); every other reason (crash, killed, timeout) is abnormal.
 */
function classify(reason: ExitReason): ExitClass {
  return reason === 'normal' || reason === 'shutdown' || reason === 'replaced' ? 'clean' : 'abnormal';
}

const TABLE: Readonly<Record<RestartType, Readonly<Record<ExitClass, RestartDecision>>>> = {
  permanent: { clean: 'restart', abnormal: 'restart' },
  transient: { clean: 'keep', abnormal: 'restart' },
  temporary: { clean: 'delete', abnormal: 'delete' },
};

/**
 * Decides what happens to a child that exited by itself (OTP-SEMANTICS §1.4).
 *
 * @remarks
 * | restart | `normal` / `shutdown` / `replaced` | anything else |
 * |---|---|---|
 * | permanent | restart | restart |
 * | transient | keep | restart |
 * | temporary | delete | delete |
 *
 * Only a `'restart'` decision fires the strategy. Children the supervisor stops itself never
 * reach this table.
 *
 * @param restart - the child's restart type.
 * @param reason - why it exited.
 * @returns restart, keep or delete.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { decideRestart } from '@trellis/core';
 * assert.equal(decideRestart('transient', 'killed'), 'restart');
 * assert.equal(decideRestart('transient', 'normal'), 'keep');
 * ```
 *
 * @category strategies
 * @since 0.1.0
 */
export function decideRestart(restart: RestartType, reason: ExitReason): RestartDecision {
  return TABLE[restart][classify(reason)];
}
