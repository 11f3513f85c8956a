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
  /** `init` (initial start), `restart` (automatic) or `manual` (startChild/restartChild). */
  readonly cause: 'init' | 'restart' | 'manual';
}

/**
 * A child incarnation has ended: by itself (with the restart decision taken) or because the
 * supervisor stopped it (`decision: 'stopped'`).
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
 * A failed restart put a child in the `restarting` state; another attempt follows through the
 * supervisor's own mailbox.
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
}

/**
 * Restart intensity was exceeded: the supervisor is giving up.
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
 * A child did not stop within its `shutdown` time and was killed; an in-process child is
 * abandoned, unstopped.
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
 * The supervisor has ended.
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
 * Every fact a supervisor emits.
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
  | SupervisorStoppedEvent;
