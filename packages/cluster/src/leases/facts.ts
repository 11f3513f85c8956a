/**
 * The facts a singleton reports about its lease, to {@link Leases.subscribe} listeners and as
 * log records on the tree's logger.
 *
 * @module
 */

/**
 * One lease fact, as a singleton reports it.
 *
 * @remarks
 * - `cluster.lease.acquired`: the lease was taken; the child starts with this `epoch` as its
 *   fencing token (`previousHolder`, `incarnation`).
 * - `cluster.lease.renewedLate`: a renewal was confirmed, but more than half of the slack between
 *   the renewal period (`ttlMs / 3`) and the self-fencing deadline had been used up since the
 *   last confirmed one (a slow or lossy database link: the next step is `lost`).
 * - `cluster.lease.lost`: the holder stopped its child because a renewal was refused (`cause:
 *   'refused'`) or not confirmed within the deadline (`'deadline'`), measured on the local
 *   monotonic clock.
 * - `cluster.lease.released`: the child's exit was written into the row and the lease released
 *   (`written: false` when the lease had already been lost).
 * - `cluster.lease.standby`: this host waits for the lease (once per wait, with the holder seen
 *   as `heldBy`).
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
export interface LeaseFact {
  /** What happened. */
  readonly type: 'cluster.lease.standby' | 'cluster.lease.acquired' | 'cluster.lease.renewedLate' | 'cluster.lease.lost' | 'cluster.lease.released';
  /** The lease's name. */
  readonly lease: string;
  /** This host's holder id. */
  readonly holder: string;
  /** The epoch (fencing token) concerned; absent on `standby`. */
  readonly epoch?: number;
  /** `standby`: the holder seen on the row, or `null`. */
  readonly heldBy?: string | null;
  /** `acquired`: who held the lease before, or `null`. */
  readonly previousHolder?: string | null;
  /** `acquired`: the incarnation the child is about to start as. */
  readonly incarnation?: number;
  /** `renewedLate`, `lost`: milliseconds since the last confirmed renewal was sent. */
  readonly sinceConfirmedMs?: number;
  /** `lost`: a refused renewal, or the deadline passed without a confirmed one. */
  readonly cause?: 'deadline' | 'refused';
  /** `released`: whether the exit was written and the lease released. */
  readonly written?: boolean;
}
