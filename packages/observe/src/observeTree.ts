/**
 * One subscription to the facts of a whole tree. A supervisor emits only the facts it decided
 * itself, so following a tree means subscribing to every supervisor in it, and to each new
 * incarnation of a nested supervisor after a restart. This module does that bookkeeping.
 *
 * @module
 */
import { childProtocolOf, whichChildren, type SupervisorFact, type SupervisorRef } from '@trellis/core';
import type { ActorRefLike, AnyActorLogic, AnyActorRef, InspectionEvent, Observer } from 'xstate';

/**
 * What {@link observeTree} calls with each fact: the fact and the supervisor that emitted it.
 *
 * @remarks
 * `source` is the supervisor that emitted the fact, a child supervisor of the observed root as
 * often as the root itself; a fact's `supervisor` field holds its path.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { defineSupervisor, startSupervisor, stopSupervisor } from '@trellis/core';
 * import { observeTree, type FactHandler } from '@trellis/observe';
 * const types: string[] = [];
 * const handler: FactHandler = (fact) => types.push(fact.type);
 * const root = await startSupervisor(defineSupervisor({ id: 'root', children: [] }));
 * const unsubscribe = observeTree(root, handler);
 * await stopSupervisor(root);
 * unsubscribe();
 * assert.ok(types.includes('sup.stopped'));
 * ```
 *
 * @category observability
 * @since 0.1.0
 */
export type FactHandler = (fact: SupervisorFact, source: SupervisorRef) => void;

/**
 * Stops a subscription; calling it twice is harmless.
 *
 * @remarks
 * Returned by {@link observeTree}, {@link attachPinoReporter} and {@link TrellisMetrics.attach}.
 * After it returns, the handler gets no more facts.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { defineSupervisor, startSupervisor, stopSupervisor } from '@trellis/core';
 * import { observeTree, type Unsubscribe } from '@trellis/observe';
 * const root = await startSupervisor(defineSupervisor({ id: 'root', children: [] }));
 * let facts = 0;
 * const unsubscribe: Unsubscribe = observeTree(root, () => (facts += 1));
 * unsubscribe();
 * await stopSupervisor(root);
 * assert.equal(facts, 0);
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export type Unsubscribe = () => void;

function isSupervisorRef(ref: AnyActorRef | ActorRefLike | undefined): ref is SupervisorRef {
  if (ref === undefined) return false;
  const logic = (ref as { logic?: AnyActorLogic }).logic;
  return logic !== undefined && childProtocolOf(logic).kind === 'supervisor';
}

function childSupervisor(parent: SupervisorRef, id: string): SupervisorRef | undefined {
  let ref: AnyActorRef | undefined;
  try {
    ref = whichChildren(parent).find((child) => child.id === id && child.type === 'supervisor')?.ref;
  } catch {
    return undefined; // the parent has ended meanwhile
  }
  return isSupervisorRef(ref) ? ref : undefined;
}

/** Drops subscriptions to supervisors that have ended (XState already dropped their listeners). */
function prune(subscriptions: Map<SupervisorRef, { unsubscribe(): void }>): void {
  for (const [ref, subscription] of subscriptions) {
    if (ref.getSnapshot().status !== 'active') {
      subscription.unsubscribe();
      subscriptions.delete(ref);
    }
  }
}

function safeChildren(ref: SupervisorRef) {
  try {
    return whichChildren(ref);
  } catch {
    return [];
  }
}

/**
 * Subscribes `handler` to the facts of every supervisor in a running tree.
 *
 * @remarks
 * Subscribes to `root` and, recursively, to every nested supervisor that
 * `whichChildren` (`@trellis/core`) lists; when a nested supervisor is
 * (re)started, its new actor is subscribed as soon as its parent reports `sup.child.started`.
 * Facts arrive synchronously, in the order supervisors decide them, each exactly once.
 *
 * A restarted nested supervisor starts its own children before its parent reports it started,
 * so the `sup.child.started` facts of those children are not seen here (they happened before
 * anyone could subscribe to the new actor). To see every fact from the first one, pass
 * {@link createTreeObserver}'s `inspect` to `startSupervisor` instead.
 *
 * @param root - a running supervisor (any supervisor; its subtree is followed).
 * @param handler - called with each fact and the supervisor that emitted it. A throwing handler
 *   is reported by XState and does not disturb the tree.
 * @returns a function that unsubscribes from every supervisor.
 *
 * @example Count restarts across two levels
 * ```ts
 * import assert from 'node:assert/strict';
 * import { defineSupervisor, startSupervisor, stopSupervisor } from '@trellis/core';
 * import { createTestClock, scriptedChild, settle } from '@trellis/core/testing';
 * import { observeTree } from '@trellis/observe';
 * const pool = scriptedChild();
 * const db = defineSupervisor({ id: 'db', children: [{ id: 'pool', start: pool }] });
 * const root = await startSupervisor(defineSupervisor({ id: 'root', children: [{ id: 'db', start: db }] }), { clock: createTestClock() });
 * const seen: string[] = [];
 * const stop = observeTree(root, (fact) => seen.push(`${fact.type} ${fact.supervisor}`));
 * pool.crash();
 * await settle();
 * assert.deepEqual(seen, ['sup.child.exited root/db', 'sup.child.started root/db']);
 * stop();
 * await stopSupervisor(root);
 * ```
 *
 * @category observability
 * @since 0.1.0
 */
export function observeTree(root: SupervisorRef, handler: FactHandler): Unsubscribe {
  const subscriptions = new Map<SupervisorRef, { unsubscribe(): void }>();
  let closed = false;

  const follow = (ref: SupervisorRef): void => {
    if (closed || subscriptions.has(ref) || ref.getSnapshot().status !== 'active') return;
    const subscription = ref.on('*', (fact: SupervisorFact) => {
      if (closed) return;
      handler(fact, ref);
      if (fact.type === 'sup.child.started') {
        const nested = childSupervisor(ref, fact.child);
        if (nested !== undefined) follow(nested);
      } else if (fact.type === 'sup.stopped') {
        subscriptions.get(ref)?.unsubscribe();
        subscriptions.delete(ref);
      } else if (fact.type === 'sup.child.exited') {
        prune(subscriptions); // a nested supervisor killed from outside emits no sup.stopped
      }
    });
    subscriptions.set(ref, subscription);
    for (const child of safeChildren(ref)) {
      if (child.type === 'supervisor' && isSupervisorRef(child.ref)) follow(child.ref);
    }
  };

  follow(root);
  return () => {
    if (closed) return;
    closed = true;
    for (const subscription of subscriptions.values()) subscription.unsubscribe();
    subscriptions.clear();
  };
}

/**
 * An inspection observer for `startSupervisor(logic, { inspect })` that delivers every fact
 * of the tree from the very first one, plus the function that ends it.
 *
 * @remarks
 * Unlike {@link observeTree}, which subscribes to a running tree, it sees each supervisor as XState
 * creates it, so no fact of the start is missed. `inspect` goes to `startSupervisor`'s (or
 * `createActor`'s) `inspect` option; `unsubscribe` stops the facts but keeps forwarding inspection
 * events.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { defineSupervisor, startSupervisor, stopSupervisor } from '@trellis/core';
 * import { createTreeObserver, type TreeObserver } from '@trellis/observe';
 * const types: string[] = [];
 * const observer: TreeObserver = createTreeObserver((fact) => types.push(fact.type));
 * const root = await startSupervisor(defineSupervisor({ id: 'root', children: [] }), { inspect: observer.inspect });
 * await stopSupervisor(root);
 * observer.unsubscribe();
 * assert.ok(types.includes('sup.stopped'));
 * ```
 *
 * @category observability
 * @since 0.1.0
 */
export interface TreeObserver {
  /** Pass to `startSupervisor`'s (or `createActor`'s) `inspect` option. */
  readonly inspect: Observer<InspectionEvent>;
  /** Stops delivering facts; inspection events are still forwarded. */
  readonly unsubscribe: Unsubscribe;
}

/**
 * Options of {@link createTreeObserver}.
 *
 * @remarks
 * `inspect` is another inspection observer (such as `@statelyai/inspect`'s `inspector.inspect`)
 * that receives every inspection event, since an actor system takes only one `inspect` option.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { createTreeObserver, type TreeObserverOptions } from '@trellis/observe';
 * let inspected = 0;
 * const options: TreeObserverOptions = { inspect: () => (inspected += 1) };
 * const observer = createTreeObserver(() => {}, options);
 * observer.unsubscribe();
 * assert.equal(inspected, 0);
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface TreeObserverOptions {
  /** Another inspection observer (such as `@statelyai/inspect`'s `inspector.inspect`) to forward every inspection event to. */
  readonly inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
}

/**
 * Makes an inspection observer that subscribes `handler` to every supervisor of a tree the
 * moment XState creates it.
 *
 * @remarks
 * XState reports each actor to the tree's inspection observer when the actor is constructed,
 * before it starts; this observer subscribes to supervisors right there, so it sees the
 * `sup.child.started` facts of the initial start and of children of restarted nested
 * supervisors, which {@link observeTree} (attached to an already running tree) cannot.
 * Use it when the tree is started by you (the `trellis` CLI does).
 *
 * @param handler - called with each fact and the supervisor that emitted it.
 * @param options - another observer to forward inspection events to.
 * @returns the observer and its `unsubscribe`.
 *
 * @example See the initial start
 * ```ts
 * import assert from 'node:assert/strict';
 * import { defineSupervisor, startSupervisor, stopSupervisor } from '@trellis/core';
 * import { scriptedChild } from '@trellis/core/testing';
 * import { createTreeObserver } from '@trellis/observe';
 * const seen: string[] = [];
 * const observer = createTreeObserver((fact) => seen.push(fact.type));
 * const root = await startSupervisor(defineSupervisor({ id: 'root', children: [{ id: 'a', start: scriptedChild() }] }), { inspect: observer.inspect });
 * assert.deepEqual(seen, ['sup.child.started']);
 * await stopSupervisor(root);
 * observer.unsubscribe();
 * ```
 *
 * @category observability
 * @since 0.1.0
 */
export function createTreeObserver(handler: FactHandler, options: TreeObserverOptions = {}): TreeObserver {
  const forward = options.inspect;
  const subscriptions = new Map<SupervisorRef, { unsubscribe(): void }>();
  let closed = false;
  const next = (event: InspectionEvent): void => {
    if (!closed && event.type === '@xstate.actor' && isSupervisorRef(event.actorRef)) {
      const ref = event.actorRef;
      const subscription = ref.on('*', (fact: SupervisorFact) => {
        if (closed) return;
        handler(fact, ref);
        if (fact.type === 'sup.stopped') {
          subscription.unsubscribe();
          subscriptions.delete(ref);
        } else if (fact.type === 'sup.child.exited') {
          prune(subscriptions);
        }
      });
      subscriptions.set(ref, subscription);
    }
    if (typeof forward === 'function') forward(event);
    else forward?.next?.(event);
  };
  return {
    inspect: { next },
    unsubscribe: () => {
      closed = true;
      for (const subscription of subscriptions.values()) subscription.unsubscribe();
      subscriptions.clear();
    },
  };
}

/**
 * Calls each handler in turn with every fact.
 *
 * @remarks
 * One subscription can then feed a reporter, metrics and your own handler. Handlers run in the
 * order given; a throwing handler stops the ones after it for that fact (XState reports it).
 *
 * @param handlers - the handlers, such as a pino reporter and a metrics handler.
 * @returns one handler.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { fanOut } from '@trellis/observe';
 * let calls = 0;
 * const both = fanOut(() => calls++, () => calls++);
 * both({ type: 'sup.stopped', supervisor: 'root', exit: { reason: 'normal' } }, undefined as never);
 * assert.equal(calls, 2);
 * ```
 *
 * @category observability
 * @since 0.1.0
 */
export function fanOut(...handlers: FactHandler[]): FactHandler {
  return (fact, source) => {
    for (const handler of handlers) handler(fact, source);
  };
}
