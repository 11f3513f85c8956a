/**
 * The facts a supervisor emits, as a closed union, for `actor.on(type, handler)`. Each is a
 * plain JSON-safe object, made at the moment the supervisor decides it.
 *
 * @module
 */
import type { RestartDecision } from './restartDecision.js';
import type { ChildId, ExitStatus, SupervisorExit } from './types.js';

/**
 * A child incarnation has started (and, for `awaitReady` children, said it is ready).
 *
 * @remarks
 * Emitted once per incarnation, when the supervisor counts the child as started: at once for most
 * logic, after {@link READY_EVENT} for `awaitReady` children. `cause` says why: the supervisor's
 * own start (`init`), a restart after an exit (`restart`), a command (`manual`), or a rolling
 * restart's replacement (`replace`). OTP's
 * `progress` report.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { defineSupervisor, startSupervisor, stopSupervisor, type ChildStartedEvent } from '@trellis/core';
 * import { createTestClock, scriptedChild, settle } from '@trellis/core/testing';
 * const db = scriptedChild();
 * const sup = await startSupervisor(defineSupervisor({ id: 'root', children: [{ id: 'db', start: db }] }), { clock: createTestClock() });
 * const started: ChildStartedEvent[] = [];
 * sup.on('sup.child.started', (fact) => started.push(fact));
 * db.crash();
 * await settle();
 * assert.equal(started[0]?.cause, 'restart');
 * assert.equal(started[0]?.incarnation, 1);
 * await stopSupervisor(sup);
 * ```
 *
 * @category events
 * @since 0.1.0
 */
export interface ChildStartedEvent {
  /** The fact's tag. */
  readonly type: 'sup.child.started';
  /** The supervisor's path from the root, such as `root/db`. */
  readonly supervisor: string;
  /** The child's id. */
  readonly child: ChildId;
  /** The incarnation that started. */
  readonly incarnation: number;
  /** The child's ResumeID. */
  readonly resumeId: string;
  /**
   * `init` (initial start), `restart` (automatic), `manual` (startChild/restartChild) or
   * `replace` (a rolling restart's replacement, ready; a {@link ChildReplacedEvent} follows once
   * the incarnation it replaces has stopped).
   */
  readonly cause: 'init' | 'restart' | 'manual' | 'replace';
}

/**
 * A child incarnation has ended, by itself or because the supervisor stopped it.
 *
 * @remarks
 * For an exit of its own, `decision` is what {@link decideRestart} chose for its restart type and
 * exit reason; for a stop by the supervisor (a strategy restart, a command, a shutdown) it is
 * `'stopped'`. An abnormal exit is OTP's `child_terminated` error report.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import type { ChildExitedEvent } from '@trellis/core';
 * const fact: ChildExitedEvent = {
 *   type: 'sup.child.exited',
 *   supervisor: 'root',
 *   child: 'db',
 *   incarnation: 0,
 *   exit: { reason: 'error', at: 0 },
 *   decision: 'restart',
 * };
 * assert.equal(fact.decision, 'restart');
 * ```
 *
 * @category events
 * @since 0.1.0
 */
export interface ChildExitedEvent {
  /** The fact's tag. */
  readonly type: 'sup.child.exited';
  /** The supervisor's path from the root, such as `root/db`. */
  readonly supervisor: string;
  /** The child's id. */
  readonly child: ChildId;
  /** The incarnation that ended. */
  readonly incarnation: number;
  /** How it ended. */
  readonly exit: ExitStatus;
  /** What the supervisor does next ({@link RestartDecision}), or `'stopped'` when the supervisor stopped it. */
  readonly decision: RestartDecision | 'stopped';
}

/**
 * A start attempt of a child failed.
 *
 * @remarks
 * The start of a child threw, its actor failed at once, or it did not say it was ready in time.
 * `error` is the serialized cause. OTP's `start_error` report.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import type { ChildStartFailedEvent } from '@trellis/core';
 * const fact: ChildStartFailedEvent = {
 *   type: 'sup.child.startFailed',
 *   supervisor: 'root',
 *   child: 'db',
 *   incarnation: 2,
 *   error: { name: 'Error', message: 'ECONNREFUSED' },
 * };
 * assert.equal(fact.error.name, 'Error');
 * ```
 *
 * @category events
 * @since 0.1.0
 */
export interface ChildStartFailedEvent {
  /** The fact's tag. */
  readonly type: 'sup.child.startFailed';
  /** The supervisor's path from the root, such as `root/db`. */
  readonly supervisor: string;
  /** The child's id. */
  readonly child: ChildId;
  /** The incarnation whose start failed. */
  readonly incarnation: number;
  /** What the start threw or rejected with, reduced to its name and message. */
  readonly error: {
    /** The error's `name` (`'NonError'` for a thrown non-error). */
    name: string;
    /** The error's message. */
    message: string;
  };
}

/**
 * A failed restart put a child in the `restarting` state.
 *
 * @remarks
 * Another attempt follows through the supervisor's own mailbox after `delayMs`, as OTP's supervisor
 * retries with `{try_again_restart, Id}`. The child is `restarting` in {@link whichChildren}
 * meanwhile.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import type { ChildRestartingEvent } from '@trellis/core';
 * const fact: ChildRestartingEvent = { type: 'sup.child.restarting', supervisor: 'root', child: 'db', nextIncarnation: 3, delayMs: 400 };
 * assert.equal(fact.delayMs, 400);
 * ```
 *
 * @category events
 * @since 0.1.0
 */
export interface ChildRestartingEvent {
  /** The fact's tag. */
  readonly type: 'sup.child.restarting';
  /** The supervisor's path from the root, such as `root/db`. */
  readonly supervisor: string;
  /** The child's id. */
  readonly child: ChildId;
  /** The incarnation the next start attempt will have. */
  readonly nextIncarnation: number;
  /** The delay before that attempt, in milliseconds; 0 for now, as the retry is queued at once. */
  readonly delayMs: number;
  /**
   * Why the child waits: `retry` after a failed start, `backoff` (its spec's backoff delays the
   * restart), or `budget` (a restart budget holds the restart). Set on every fact the supervisor
   * emits.
   */
  readonly cause?: 'retry' | 'backoff' | 'budget';
}

/**
 * Restart intensity was exceeded: the supervisor is giving up.
 *
 * @remarks
 * More than `intensity` restarts happened within `periodMs`; `child` is the one whose exit tipped
 * it. The supervisor then stops its children and ends, as OTP's supervisor does on
 * `reached_max_restart_intensity`. A {@link SupervisorStoppedEvent} follows.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import type { IntensityExceededEvent } from '@trellis/core';
 * const fact: IntensityExceededEvent = { type: 'sup.intensity.exceeded', supervisor: 'root', child: 'db', intensity: 1, periodMs: 5_000 };
 * assert.equal(fact.type, 'sup.intensity.exceeded');
 * ```
 *
 * @category events
 * @since 0.1.0
 */
export interface IntensityExceededEvent {
  /** The fact's tag. */
  readonly type: 'sup.intensity.exceeded';
  /** The supervisor's path from the root, such as `root/db`. */
  readonly supervisor: string;
  /** The child whose restart was one too many. */
  readonly child: ChildId;
  /** The supervisor's `intensity` flag. */
  readonly intensity: number;
  /** The supervisor's `periodMs` flag. */
  readonly periodMs: number;
}

/**
 * A child did not stop within its `shutdown` time and was killed.
 *
 * @remarks
 * OTP's `shutdown_error` with reason `killed`. An in-process child is abandoned, unstopped:
 * JavaScript cannot kill a running function, so its actor is stopped and its work left to end by
 * itself.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import type { ShutdownTimedOutEvent } from '@trellis/core';
 * const fact: ShutdownTimedOutEvent = { type: 'sup.shutdown.timedOut', supervisor: 'root', child: 'db', incarnation: 0, shutdownMs: 5_000 };
 * assert.equal(fact.shutdownMs, 5_000);
 * ```
 *
 * @category events
 * @since 0.1.0
 */
export interface ShutdownTimedOutEvent {
  /** The fact's tag. */
  readonly type: 'sup.shutdown.timedOut';
  /** The supervisor's path from the root, such as `root/db`. */
  readonly supervisor: string;
  /** The child's id. */
  readonly child: ChildId;
  /** The incarnation that was killed. */
  readonly incarnation: number;
  /** The child's `shutdown` time, in milliseconds. */
  readonly shutdownMs: number;
}

/**
 * The supervisor has begun an ordered stop of its children.
 *
 * @remarks
 * Emitted once, when a stop asked from outside begins: {@link stopSupervisor}, a parent
 * supervisor stopping this one, or automatic shutdown (`autoShutdown`). `exit` is what the
 * supervisor will end with. The children are then stopped in reverse start order, each by its
 * `shutdown`, and a {@link SupervisorStoppedEvent} follows. Giving up announces itself with an
 * {@link IntensityExceededEvent} instead, and a supervisor stopped from outside by XState ends at
 * once with `sup.stopped` only. OTP reports nothing here; it lets an observer time a shutdown.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { defineSupervisor, startSupervisor, stopSupervisor, type SupervisorStoppingEvent } from '@trellis/core';
 * import { scriptedChild } from '@trellis/core/testing';
 * const sup = await startSupervisor(defineSupervisor({ id: 'root', children: [{ id: 'db', start: scriptedChild() }] }));
 * const seen: string[] = [];
 * sup.on('*', (fact) => seen.push(fact.type));
 * const stopping: SupervisorStoppingEvent[] = [];
 * sup.on('sup.stopping', (fact) => stopping.push(fact));
 * await stopSupervisor(sup, 'shutdown');
 * assert.deepEqual(stopping, [{ type: 'sup.stopping', supervisor: 'root', exit: { reason: 'shutdown' } }]);
 * assert.deepEqual(seen, ['sup.stopping', 'sup.child.exited', 'sup.stopped']);
 * ```
 *
 * @category events
 * @since 0.1.0
 */
export interface SupervisorStoppingEvent {
  /** The fact's tag. */
  readonly type: 'sup.stopping';
  /** The supervisor's path from the root, such as `root/db`. */
  readonly supervisor: string;
  /** What it will end with; an `Error` detail is serialised to `{ name, message, stack }`. */
  readonly exit: SupervisorExit;
}

/**
 * The supervisor has ended.
 *
 * @remarks
 * The last fact a supervisor emits. `exit` is `normal` or `shutdown` with its detail: a stop by
 * {@link stopSupervisor}, a parent's stop, automatic shutdown, or giving up after an
 * {@link IntensityExceededEvent}.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { defineSupervisor, startSupervisor, stopSupervisor, type SupervisorStoppedEvent } from '@trellis/core';
 * const sup = await startSupervisor(defineSupervisor({ id: 'root', children: [] }));
 * const stopped: SupervisorStoppedEvent[] = [];
 * sup.on('sup.stopped', (fact) => stopped.push(fact));
 * await stopSupervisor(sup, 'shutdown');
 * assert.equal(stopped[0]?.exit.reason, 'shutdown');
 * ```
 *
 * @category events
 * @since 0.1.0
 */
export interface SupervisorStoppedEvent {
  /** The fact's tag. */
  readonly type: 'sup.stopped';
  /** The supervisor's path from the root, such as `root/db`. */
  readonly supervisor: string;
  /** How it ended; an `Error` detail is serialised to `{ name, message, stack }`. */
  readonly exit: SupervisorExit;
}

/**
 * A rolling restart has begun: the children it will replace, and in what batches.
 *
 * @remarks
 * Emitted once by {@link rollingRestart}, before the first batch. `children` is the order of
 * replacement; `maxSurge` and `maxUnavailable` are the options it runs with. A
 * {@link RollingRestartCompletedEvent} or a {@link RollingRestartAbortedEvent} ends it. OTP has
 * no counterpart (decision 0026).
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import type { RollingRestartStartedEvent } from '@trellis/core';
 * const fact: RollingRestartStartedEvent = { type: 'sup.rollingRestart.started', supervisor: 'root', children: ['a', 'b'], maxSurge: 1, maxUnavailable: 0, readyTimeoutMs: 30_000 };
 * assert.deepEqual(fact.children, ['a', 'b']);
 * ```
 *
 * @category events
 * @since 0.1.0
 */
export interface RollingRestartStartedEvent {
  /** The fact's tag. */
  readonly type: 'sup.rollingRestart.started';
  /** The supervisor's path from the root, such as `root/web`. */
  readonly supervisor: string;
  /** The children to replace, in the order they will be replaced. */
  readonly children: readonly ChildId[];
  /** At most this many replacements run beside the incarnations they replace. */
  readonly maxSurge: number;
  /** At most this many children are without a ready incarnation at once. */
  readonly maxUnavailable: number;
  /** How long a batch's replacements have to become ready. */
  readonly readyTimeoutMs: number;
}

/**
 * A child's incarnation was replaced: its successor is ready and the old incarnation has stopped.
 *
 * @remarks
 * Emitted by a rolling restart for each child it replaced, after the old incarnation's
 * `sup.child.exited` (reason `replaced`, decision `stopped`). `incarnation` is the new one,
 * `previousIncarnation` the one replaced; the new incarnation's handover has
 * `previousExit.reason: 'replaced'`.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import type { ChildReplacedEvent } from '@trellis/core';
 * const fact: ChildReplacedEvent = { type: 'sup.child.replaced', supervisor: 'root', child: 'web', incarnation: 1, previousIncarnation: 0 };
 * assert.equal(fact.incarnation, fact.previousIncarnation + 1);
 * ```
 *
 * @category events
 * @since 0.1.0
 */
export interface ChildReplacedEvent {
  /** The fact's tag. */
  readonly type: 'sup.child.replaced';
  /** The supervisor's path from the root, such as `root/web`. */
  readonly supervisor: string;
  /** The child's id (the replacement keeps it, and its ResumeID). */
  readonly child: ChildId;
  /** The replacement's incarnation. */
  readonly incarnation: number;
  /** The incarnation it replaced. */
  readonly previousIncarnation: number;
}

/**
 * A rolling restart stopped before the end: what it replaced stays replaced, the rest is untouched.
 *
 * @remarks
 * `reason` says why: a replacement did not become ready in `readyTimeoutMs`
 * (`'ready_timeout'`), failed to start or ended before it was ready (`'start_failed'`), or the
 * supervisor began to stop (`'supervisor_stopping'`). `child` is the child whose replacement
 * failed, when one did; its old incarnation was left running. `replaced` lists the children
 * replaced before the abort.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import type { RollingRestartAbortedEvent } from '@trellis/core';
 * const fact: RollingRestartAbortedEvent = { type: 'sup.rollingRestart.aborted', supervisor: 'root', reason: 'ready_timeout', child: 'b', replaced: ['a'] };
 * assert.equal(fact.reason, 'ready_timeout');
 * ```
 *
 * @category events
 * @since 0.1.0
 */
export interface RollingRestartAbortedEvent {
  /** The fact's tag. */
  readonly type: 'sup.rollingRestart.aborted';
  /** The supervisor's path from the root, such as `root/web`. */
  readonly supervisor: string;
  /** Why the rolling restart stopped. */
  readonly reason: 'ready_timeout' | 'start_failed' | 'supervisor_stopping';
  /** The child whose replacement failed, when one did. */
  readonly child?: ChildId;
  /** The children replaced before the abort. */
  readonly replaced: readonly ChildId[];
}

/**
 * A rolling restart replaced every child it was asked to (or skipped the ones that had gone).
 *
 * @remarks
 * `replaced` lists the children replaced, in order; `skipped` those that were no longer running
 * (or no longer there) when their batch came, which a rolling restart leaves to the strategy.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import type { RollingRestartCompletedEvent } from '@trellis/core';
 * const fact: RollingRestartCompletedEvent = { type: 'sup.rollingRestart.completed', supervisor: 'root', replaced: ['a', 'b'], skipped: [] };
 * assert.equal(fact.replaced.length, 2);
 * ```
 *
 * @category events
 * @since 0.1.0
 */
export interface RollingRestartCompletedEvent {
  /** The fact's tag. */
  readonly type: 'sup.rollingRestart.completed';
  /** The supervisor's path from the root, such as `root/web`. */
  readonly supervisor: string;
  /** The children replaced, in order. */
  readonly replaced: readonly ChildId[];
  /** The children that were not running when their batch came, left as they were. */
  readonly skipped: readonly ChildId[];
}

/**
 * Every fact a supervisor emits.
 *
 * @remarks
 * A closed union on `type`, so a `switch` over it is checked for completeness. Facts are plain
 * JSON-safe objects; `@trellis/observe` turns them into OTP-style reports, metrics and the tree
 * model.
 *
 * @example Count restarts
 * ```ts
 * import assert from 'node:assert/strict';
 * import { defineSupervisor, startSupervisor, stopSupervisor } from '@trellis/core';
 * import { createTestClock, scriptedChild, settle } from '@trellis/core/testing';
 * const db = scriptedChild();
 * const sup = await startSupervisor(defineSupervisor({ id: 'root', children: [{ id: 'db', start: db }] }), { clock: createTestClock() });
 * let restarts = 0;
 * sup.on('sup.child.started', (fact) => {
 *   if (fact.cause === 'restart') restarts += 1;
 * });
 * db.crash();
 * await settle();
 * assert.equal(restarts, 1);
 * await stopSupervisor(sup);
 * ```
 *
 * @category events
 * @since 0.1.0
 */
export type SupervisorFact =
  | ChildStartedEvent
  | ChildExitedEvent
  | ChildStartFailedEvent
  | ChildRestartingEvent
  | IntensityExceededEvent
  | ShutdownTimedOutEvent
  | SupervisorStoppingEvent
  | SupervisorStoppedEvent
  | RollingRestartStartedEvent
  | ChildReplacedEvent
  | RollingRestartAbortedEvent
  | RollingRestartCompletedEvent;
