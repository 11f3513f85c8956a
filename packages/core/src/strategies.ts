/**
 * Restart strategies as pure plans: which children to stop (in reverse start order) and which
 * to start (in start order) when one child is to be restarted.
 *
 * @module
 */
import type { ChildId, RestartType, Strategy } from './types.js';

/**
 * The work a restart takes: stop `stop` one at a time, then start `start` one at a time.
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
