/**
 * The exit-reason vocabulary, in one place and with no imports: the list every reader checks
 * against (the handover store, the env reader) and the type every exit carries.
 *
 * @module
 */

/**
 * Every reason an incarnation of a child can end with, in the order the docs list them.
 *
 * @remarks
 * The one list of {@link ExitReason}: readers of stored or transported exits (a handover store's
 * file, a child process's environment) accept exactly these.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { EXIT_REASONS } from '@trellis/core';
 * assert.deepEqual(EXIT_REASONS, ['normal', 'shutdown', 'error', 'killed', 'timeout', 'bystander', 'lost', 'replaced']);
 * ```
 *
 * @category handover
 * @since 0.1.0
 */
export const EXIT_REASONS = Object.freeze(['normal', 'shutdown', 'error', 'killed', 'timeout', 'bystander', 'lost', 'replaced'] as const);

/**
 * Why an incarnation of a child ended.
 *
 * @remarks
 * `normal` and `shutdown` are clean exits; `error` is a crash; `killed` means the child had to
 * be killed (`brutal_kill`, or its `shutdown` time ran out); `timeout` is a liveness kill;
 * `lost` is the previous exit of a child that was running when the whole program died (known
 * from a durable `handoverStore`); `bystander` marks a child that its supervisor stopped because a sibling failed
 * (`one_for_all`, `rest_for_one`); `replaced` marks an incarnation that a rolling restart
 * (`rollingRestart`) replaced with a ready successor, and is the `previousExit` that successor
 * is handed (decision 0026). Like `shutdown`, `replaced` is a clean exit.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { decideRestart, type ExitReason } from '@trellis/core';
 * const reason: ExitReason = 'shutdown';
 * assert.equal(decideRestart('transient', reason), 'keep');
 * ```
 *
 * @category handover
 * @since 0.1.0
 */
export type ExitReason = (typeof EXIT_REASONS)[number];

const REASONS: ReadonlySet<string> = new Set(EXIT_REASONS);

/**
 * Whether `value` is one of the {@link EXIT_REASONS}.
 *
 * @remarks
 * What a reader of a stored or transported exit checks its `reason` with (the handover store's
 * file reader does).
 *
 * @param value - anything, such as a reason read from a file.
 * @returns `true` for an {@link ExitReason}.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { isExitReason } from '@trellis/core';
 * assert.equal(isExitReason('killed'), true);
 * assert.equal(isExitReason('crashed'), false);
 * ```
 *
 * @category handover
 * @since 0.1.0
 */
export function isExitReason(value: unknown): value is ExitReason {
  return typeof value === 'string' && REASONS.has(value);
}

/**
 * The `detail` of every `timeout` exit: which check gave up on the child, and by how much.
 *
 * @remarks
 * One shape wherever a child is taken for hung, so a reader of `previousExit.detail` (a
 * restarted child, a dashboard, a log query) branches on `check` alone:
 * - `'health'`: the supervisor's `health` check (a child's liveness answered through XState)
 *   missed `misses` times in a row;
 * - `'liveness'`: an OS process's `liveness` probe (`@trellis/process`) failed `misses` times in
 *   a row;
 * - `'heartbeat'`: a `fromWorker` or worker-thread child sent no heartbeat for `heartbeatMs`.
 *
 * A child that exits itself with `exit.of('timeout', { detail })` may use any detail; this is the
 * shape trellis itself writes.
 *
 * @example Tell a health kill from a missed heartbeat
 * ```ts
 * import assert from 'node:assert/strict';
 * import type { TimeoutDetail } from '@trellis/core';
 *
 * const describe = (detail: TimeoutDetail): string =>
 *   detail.check === 'heartbeat' ? `no heartbeat for ${detail.heartbeatMs} ms` : `${detail.misses} ${detail.check} checks missed`;
 * assert.equal(describe({ check: 'health', misses: 3 }), '3 health checks missed');
 * assert.equal(describe({ check: 'heartbeat', heartbeatMs: 500 }), 'no heartbeat for 500 ms');
 * ```
 *
 * @category handover
 * @since 0.1.0
 */
export type TimeoutDetail =
  | {
      /** A supervisor `health` check or a process `liveness` probe. */
      readonly check: 'health' | 'liveness';
      /** How many checks in a row failed (the `failureThreshold` reached). */
      readonly misses: number;
    }
  | {
      /** A worker's heartbeat. */
      readonly check: 'heartbeat';
      /** The interval the worker went without a beat. */
      readonly heartbeatMs: number;
    };
