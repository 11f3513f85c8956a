/**
 * The facts a singleton reports about its lease, to {@link Leases.subscribe} listeners and as
 * log records on the tree's logger.
 *
 * @module
 */

/**
 * One lease fact.
 *
 * @remarks
 * - `cluster.lease.acquired`: the lease was taken; the child starts with this `epoch` as its fencing token.
 * - `cluster.lease.renewedLate`: a renewal was confirmed, but more than half of the slack between
 *   the renewal period (`ttlMs / 3`) and the self-fencing deadline had been used up since the
 *   last confirmed one (a slow or lossy database link: the next step is `lost`).
 * - `cluster.lease.lost`: the holder stopped its child because a renewal was refused (`refused`)
 *   or not confirmed within the deadline (`deadline`), measured on the local monotonic clock.
 * - `cluster.lease.released`: a graceful stop wrote the exit into the row and released it.
 * - `cluster.lease.standby`: this host waits for the lease (reported once per wait, with the holder seen).
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import type { LeaseFact } from '@trellis/cluster';
 * const fact: LeaseFact = { type: 'cluster.lease.lost', lease: 'scheduler', holder: 'host-a', epoch: 4, cause: 'deadline', sinceConfirmedMs: 2100 };
 * assert.equal(fact.type, 'cluster.lease.lost');
 * ```
 *
 * @category observability
 * @since 0.1.0
 */
export type LeaseFact =
  | { readonly type: 'cluster.lease.standby'; readonly lease: string; readonly holder: string; readonly heldBy: string | null }
  | { readonly type: 'cluster.lease.acquired'; readonly lease: string; readonly holder: string; readonly epoch: number; readonly previousHolder: string | null; readonly incarnation: number }
  | { readonly type: 'cluster.lease.renewedLate'; readonly lease: string; readonly holder: string; readonly epoch: number; readonly sinceConfirmedMs: number }
  | { readonly type: 'cluster.lease.lost'; readonly lease: string; readonly holder: string; readonly epoch: number; readonly cause: 'deadline' | 'refused'; readonly sinceConfirmedMs: number }
  | { readonly type: 'cluster.lease.released'; readonly lease: string; readonly holder: string; readonly epoch: number; readonly written: boolean };
