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
  readonly type: 'sup.child.started';
  readonly supervisor: string;
  readonly child: ChildId;
  readonly incarnation: number;
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
  readonly type: 'sup.child.exited';
  readonly supervisor: string;
  readonly child: ChildId;
  readonly incarnation: number;
  readonly exit: ExitStatus;
  readonly decision: RestartDecision | 'stopped';
}

/**
 * A start attempt of a child failed.
 *
 * @category events
 * @since 0.1.0
 */
export interface ChildStartFailedEvent {
  readonly type: 'sup.child.startFailed';
  readonly supervisor: string;
  readonly child: ChildId;
  readonly incarnation: number;
  readonly error: { name: string; message: string };
}

/**
 * A failed restart put a child in the `restarting` state; another attempt follows through the
 * supervisor's own mailbox.
 *
 * @category events
 * @since 0.1.0
 */
export interface ChildRestartingEvent {
  readonly type: 'sup.child.restarting';
  readonly supervisor: string;
  readonly child: ChildId;
  readonly nextIncarnation: number;
  readonly delayMs: number;
}

/**
 * Restart intensity was exceeded: the supervisor is giving up.
 *
 * @category events
 * @since 0.1.0
 */
export interface IntensityExceededEvent {
  readonly type: 'sup.intensity.exceeded';
  readonly supervisor: string;
  readonly child: ChildId;
  readonly intensity: number;
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
  readonly type: 'sup.shutdown.timedOut';
  readonly supervisor: string;
  readonly child: ChildId;
  readonly incarnation: number;
  readonly shutdownMs: number;
}

/**
 * The supervisor has ended.
 *
 * @category events
 * @since 0.1.0
 */
export interface SupervisorStoppedEvent {
  readonly type: 'sup.stopped';
  readonly supervisor: string;
  readonly exit: SupervisorExit;
}

/**
 * Every fact a supervisor emits.
 *
 * @example Count restarts
 * ```ts
 * import { startSupervisor, type SupervisorFact } from '@trellis/core';
 * declare const sup: Awaited<ReturnType<typeof startSupervisor>>;
 * let restarts = 0;
 * sup.on('sup.child.started', (fact) => {
 *   if (fact.cause === 'restart') restarts += 1;
 * });
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
