/**
 * Restart strategies as pure plans: which children to stop (in reverse start order) and which
 * to start (in start order) when one child is to be restarted.
 *
 * @module
 */
import type { ChildId, RestartType, Strategy } from './types.js';

/**
 * The work a restart takes.
 *
 * @remarks
 * Stop each of `stop` one at a time (in that order, the reverse of start order), then start each of
 * `start` one at a time, and drop the specs in `drop` (the `temporary` children among those
 * stopped, which OTP does not restart). `one_for_one` restarts only the exited child.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { planRestart, type RestartPlan } from '@trellis/core';
 * const plan: RestartPlan = planRestart('one_for_one', [], 'db');
 * assert.deepEqual(plan, { stop: [], start: ['db'], drop: [] });
 * ```
 *
 * @category strategies
 * @since 0.1.0
 */
export interface RestartPlan {
  /** Children to stop, in reverse start order (the failed child is not among them). */
  readonly stop: readonly ChildId[];
  /** Children to start, in start order (temporary bystanders are not among them). */
  readonly start: readonly ChildId[];
  /** Temporary bystanders: stopped and then dropped, never restarted. */
  readonly drop: readonly ChildId[];
}

/**
 * What {@link planRestart} needs to know of each child.
 *
 * @remarks
 * The children are given in start order. `alive` says whether the child is running now (the exited
 * child is not); `restart` decides whether a stopped child is started again or dropped.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { planRestart, type PlanChild } from '@trellis/core';
 * const children: PlanChild[] = [
 *   { id: 'db', restart: 'permanent', alive: false },
 *   { id: 'api', restart: 'permanent', alive: true },
 * ];
 * assert.deepEqual(planRestart('rest_for_one', children, 'db').stop, ['api']);
 * ```
 *
 * @category strategies
 * @since 0.1.0
 */
export interface PlanChild {
  /** The child's id. */
  readonly id: ChildId;
  /** The child's restart type: temporary bystanders are dropped, not restarted. */
  readonly restart: RestartType;
  /** Has a live incarnation that would have to be stopped. */
  readonly alive: boolean;
}

/**
 * Plans a restart by strategy (OTP `restart/3` for the static strategies).
 *
 * @remarks
 * `one_for_one` starts only the failed child. `one_for_all` stops every other live child in
 * reverse start order, drops temporary bystanders, and starts every non-temporary child in start
 * order, including ones stopped by hand. `rest_for_one` does the same for the failed child and
 * the children after it.
 *
 * @param strategy - the supervisor's strategy.
 * @param children - every child, in start order.
 * @param failedId - the child to restart.
 * @returns the plan.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { planRestart } from '@trellis/core';
 * const children = ['a', 'b', 'c'].map((id) => ({ id, restart: 'permanent' as const, alive: id !== 'b' }));
 * assert.deepEqual(planRestart('rest_for_one', children, 'b'), { stop: ['c'], start: ['b', 'c'], drop: [] });
 * ```
 *
 * @category strategies
 * @since 0.1.0
 */
export function planRestart(strategy: Strategy, children: Iterable<PlanChild>, failedId: ChildId): RestartPlan {
  if (strategy === 'one_for_one') return { stop: [], start: [failedId], drop: [] };
  const stop: ChildId[] = [];
  const start: ChildId[] = [];
  const drop: ChildId[] = [];
  let reached = strategy === 'one_for_all';
  for (const child of children) {
    if (child.id === failedId) {
      reached = true;
      start.push(child.id);
      continue;
    }
    if (!reached) continue;
    if (child.alive) stop.push(child.id);
    if (child.restart === 'temporary') drop.push(child.id);
    else start.push(child.id);
  }
  stop.reverse();
  return { stop, start, drop };
}
