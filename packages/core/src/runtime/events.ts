/**
 * The events the runtime takes, in one place: the callers' commands (each with its reply), the
 * supervisor's own timers and retries, and its children's events (ready, done, error). Every one
 * of them reaches {@link SupervisorRuntime.handle} through the machine's one `handle` action.
 *
 * @module
 */
import type { EventObject } from 'xstate';
import { READY_EVENT, SHUTDOWN_REQUEST } from '../childProtocol.js';
import type { ChildId, ChildSpec, ChildSpecInput, DynamicChildInput, SupervisorExit } from '../types.js';
import type { RollState } from './replace.js';

/** The promise callbacks of the caller of a command. */
export interface Reply {
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/** Commands a caller sends; each carries the promise callbacks of the caller. */
export type CommandEvent =
  | { type: 'sup.startChild'; spec: ChildSpec | ChildSpecInput | DynamicChildInput; reply: Reply }
  | { type: 'sup.terminateChild'; id: ChildId; reply: Reply }
  | { type: 'sup.restartChild'; id: ChildId; reply: Reply }
  | { type: 'sup.deleteChild'; id: ChildId; reply: Reply }
  /** A rolling restart: sent once by the caller, then by the runtime itself before each batch. */
  | { type: 'sup.replaceChildren'; roll: RollState; reply: Reply }
  | { type: 'sup.stop'; reason: SupervisorExit['reason']; detail?: unknown; reply?: Reply };

/** A child's `xstate.error.actor.*` event, under a fixed type (see {@link childEndEvent}). */
export const CHILD_ERROR = 'trellis.child.error';
/** A child's `xstate.done.actor.*` event, under a fixed type. */
export const CHILD_DONE = 'trellis.child.done';

/** Every event the runtime handles. */
export type RuntimeEvent =
  | CommandEvent
  | { type: 'sup.init' }
  | { type: 'sup.retry'; id: ChildId; incarnation: number }
  | { type: 'sup.health'; id: ChildId; incarnation: number; ok: boolean }
  | { type: 'sup.timer'; token: number }
  /** A restart loop's wait for one event-loop turn is over (decision 0025). */
  | { type: 'sup.turn'; token: number }
  | { type: typeof READY_EVENT; actorId: string }
  | { type: typeof SHUTDOWN_REQUEST }
  | { type: typeof CHILD_DONE; actorId: string; output: unknown }
  | { type: typeof CHILD_ERROR; actorId: string; error: unknown };

/**
 * The machine's own event, raised (inside the macrostep) by its `handle` action when the event it
 * handled changed the runtime's phase; the state then follows the phase. Never reaches the runtime.
 */
export const PHASE_EVENT = 'sup.phase';

/** How a child actor ended, as its snapshot says. */
export interface EndedSnapshot {
  readonly status: 'done' | 'error';
  readonly output?: unknown;
  readonly error?: unknown;
}

/**
 * A child's `xstate.error.actor.<actorId>` / `xstate.done.actor.<actorId>` as the runtime's event
 * with a fixed type, or `undefined` for any other event. The raw types are unique per
 * incarnation, so the machine could not name them in its config; renamed, they go through the
 * config like every other event (and the inspector shows them as what they are).
 */
export function childEndEvent(event: EventObject): RuntimeEvent | undefined {
  const type = event.type;
  if (type.charCodeAt(0) !== 120 /* x */) return undefined;
  if (type.startsWith('xstate.error.actor.')) return { ...(event as unknown as { actorId: string; error: unknown }), type: CHILD_ERROR };
  if (type.startsWith('xstate.done.actor.')) return { ...(event as unknown as { actorId: string; output: unknown }), type: CHILD_DONE };
  return undefined;
}

/** A command that has a reply to reject (`sup.stop` resolves instead). */
export function isCommand(event: RuntimeEvent): event is Exclude<CommandEvent, { type: 'sup.stop' }> {
  return (
    event.type === 'sup.startChild' ||
    event.type === 'sup.terminateChild' ||
    event.type === 'sup.restartChild' ||
    event.type === 'sup.deleteChild' ||
    event.type === 'sup.replaceChildren'
  );
}

/** A child's end event as the snapshot it reports. */
export function endedOf(event: RuntimeEvent): EndedSnapshot {
  if (event.type === CHILD_ERROR) return { status: 'error', error: (event as { error: unknown }).error };
  return { status: 'done', output: (event as { output?: unknown }).output };
}
