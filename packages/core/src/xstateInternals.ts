/**
 * Every place trellis reaches past XState's public API, in one file, each with its reason.
 * xstate is pinned (5.33.3) and `test/unit/xstateInternals.test.ts` fails loudly if any of
 * these stops existing.
 *
 * @module
 */
import type { AnyActorRef, AnyActorScope, AnyStateMachine, EventObject, SnapshotFrom } from 'xstate';

interface ActorInternals {
  _parent?: AnyActorRef;
  logic: { transition(snapshot: unknown, event: EventObject, scope: unknown): unknown };
  _snapshot: unknown;
  _stop(): void;
  _actorScope: unknown;
  eventListeners: Map<string, Set<unknown>>;
  system: { _relay(source: AnyActorRef | undefined, target: AnyActorRef, event: EventObject): void };
}

const internals = (ref: AnyActorRef): ActorInternals => ref as unknown as ActorInternals;

/**
 * Stops a child actor at once. `actor.stop()` refuses actors that have a parent, and the
 * supervisor's children have one (so their errors reach it as `xstate.error.actor.*` events);
 * `_stop()` is what XState's own `stopChild` action calls.
 */
export function stopActor(ref: AnyActorRef): void {
  internals(ref)._stop();
}

/** The parent of an actor, if any: a ready child tells its supervisor through it. */
export function parentOf(ref: AnyActorRef): AnyActorRef | undefined {
  return internals(ref)._parent;
}

/**
 * Sends `event` from `source` to `target` through the system, so the inspector sees the real
 * sender (what `sendParent` does inside machines, for logic that is not a machine).
 */
export function relay(source: AnyActorRef, target: AnyActorRef, event: EventObject): void {
  internals(source).system._relay(source, target, event);
}

/**
 * Emits an event to `actor.on(...)` listeners from outside an action. The supervisor's runtime
 * reports facts at the moment it decides them, which can be inside a timer callback or a
 * command; `enqueue.emit` exists only inside actions. Each handler is called in its own
 * try/catch: XState would rethrow a handler's error from a timer, which crashes a Node program,
 * and a broken subscriber must not take the tree down. Errors go to `onError`.
 */
export function emitFrom(ref: AnyActorRef, event: EventObject, onError: (error: unknown) => void): void {
  const listeners = internals(ref).eventListeners;
  const forType = listeners.get(event.type);
  const wildcard = listeners.get('*');
  for (const set of [forType, wildcard]) {
    if (set === undefined) continue;
    for (const handler of [...set] as Array<(event: EventObject) => void>) {
      try {
        handler(event);
      } catch (error) {
        onError(error);
      }
    }
  }
}

/** Whether anyone listens to emitted events, so facts are not built for nobody. */
export function hasListeners(ref: AnyActorRef): boolean {
  // XState keeps a type's Set after its last listener unsubscribes.
  for (const set of internals(ref).eventListeners.values()) if (set.size > 0) return true;
  return false;
}

/**
 * Releases what a crashed actor still holds. XState never runs a crashed `fromCallback`'s
 * cleanup (measured: 0 calls in 11,000 crashes, node-floors probe), nor aborts anything else an
 * errored actor started; its own stop transition does both. The supervisor runs that transition
 * once on the dead actor's scope; whatever it throws is the dead actor's business and is dropped.
 */
export function releaseCrashed(ref: AnyActorRef): void {
  const actor = internals(ref);
  try {
    actor.logic.transition(actor._snapshot, { type: 'xstate.stop' }, actor._actorScope);
  } catch {
    // The release of a dead actor must never disturb its supervisor.
  }
}

/** What {@link interceptTransition} does around a machine's own transition. */
export interface TransitionInterceptor<TSnapshot> {
  /**
   * Takes `event` before the machine's config sees it. Returns `undefined` to leave it to the
   * config, `null` when it was taken and the snapshot stays as it is (no macrostep), or the event
   * the config takes instead.
   */
  take(snapshot: TSnapshot, event: EventObject): EventObject | null | undefined;
  /** XState is stopping the actor (`xstate.stop`), before the machine's own stop. */
  stopped(snapshot: TSnapshot): void;
  /** The machine's transition (or `take`) threw: the actor is about to be in error. */
  failed(snapshot: TSnapshot): void;
}

/**
 * Wraps `machine.transition`, the one function XState calls for every event an actor of the
 * machine takes (and for `xstate.stop`). Two things need it, and no public hook gives either:
 *
 * - The supervisor's door (decision 0028): every event its runtime handles, a child's end among
 *   them, is taken here by `take`, once, in the order the actor's mailbox delivers it; the
 *   machine's config takes a step only when `take` hands it an event (the runtime's phase moved).
 *   XState has already shown the event to the inspector (`@xstate.event`, when it was relayed),
 *   and shows the snapshot that follows it (`@xstate.snapshot`) either way.
 * - XState stops only `snapshot.children` when a machine is stopped (no exit actions run), and
 *   the supervisor keeps its children elsewhere (decision 0001); `stopped` and `failed` let it
 *   kill them.
 */
export function interceptTransition<TMachine extends AnyStateMachine>(machine: TMachine, interceptor: TransitionInterceptor<SnapshotFrom<TMachine>>): void {
  const transition = machine.transition.bind(machine);
  machine.transition = ((snapshot: SnapshotFrom<TMachine>, event: EventObject, scope: AnyActorScope) => {
    if (event.type === 'xstate.stop') interceptor.stopped(snapshot);
    try {
      const next = interceptor.take(snapshot, event);
      if (next === null) return snapshot;
      return transition(snapshot, next ?? event, scope);
    } catch (error) {
      interceptor.failed(snapshot);
      throw error;
    }
  }) as TMachine['transition'];
}
