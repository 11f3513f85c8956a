/**
 * The events the runtime takes, in one place: the callers' commands (each with its reply), the
 * supervisor's own timers and retries, and its children's events (ready, done, error). Every one
 * of them reaches {@link SupervisorRuntime.handle} through one door, the machine's transition
 * (decision 0028): {@link runtimeEventOf} tells them from the machine's own events.
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
 * The machine's own event, which its config takes when the event the runtime handled moved the
 * runtime's phase; the state then follows the phase. Never reaches the runtime.
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
 * incarnation; renamed, the runtime tells them apart by a fixed type.
 */
function childEndEvent(event: EventObject): RuntimeEvent | undefined {
  const type = event.type;
  if (type.charCodeAt(0) !== 120 /* x */) return undefined;
  if (type.startsWith('xstate.error.actor.')) return { ...(event as unknown as { actorId: string; error: unknown }), type: CHILD_ERROR };
  if (type.startsWith('xstate.done.actor.')) return { ...(event as unknown as { actorId: string; output: unknown }), type: CHILD_DONE };
  return undefined;
}

/**
 * Every type of {@link RuntimeEvent}; `satisfies` makes a type added to the union and missing
 * here a compile error, so no event can miss the door.
 */
const RUNTIME_EVENT_TYPES = new Set(
  Object.keys({
    'sup.startChild': true,
    'sup.terminateChild': true,
    'sup.restartChild': true,
    'sup.deleteChild': true,
    'sup.replaceChildren': true,
    'sup.stop': true,
    'sup.init': true,
    'sup.retry': true,
    'sup.health': true,
    'sup.timer': true,
    'sup.turn': true,
    [READY_EVENT]: true,
    [SHUTDOWN_REQUEST]: true,
    [CHILD_DONE]: true,
    [CHILD_ERROR]: true,
  } satisfies Record<RuntimeEvent['type'], true>),
);

/**
 * The event as the runtime takes it: a child's end renamed ({@link childEndEvent}), any other
 * event of the runtime as it is, and `undefined` for an event that is not the runtime's (the
 * machine's own `sup.phase`, XState's `xstate.stop`).
 */
export function runtimeEventOf(event: EventObject): RuntimeEvent | undefined {
  if (RUNTIME_EVENT_TYPES.has(event.type)) return event as RuntimeEvent;
  return childEndEvent(event);
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
