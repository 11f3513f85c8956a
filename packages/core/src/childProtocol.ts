/**
 * The small protocol between a supervisor and the actor logic of its children: whether a child
 * can be asked to stop (and so deserves its `shutdown` time), and whether its start is complete
 * only once it says it is ready.
 *
 * @module
 */
import type { AnyActorLogic, AnyActorRef, EventObject } from 'xstate';
import { parentOf, relay } from './xstateInternals.js';

/**
 * The event a supervisor sends a child that supports {@link ChildProtocol.gracefulStop} to ask it
 * to stop.
 *
 * @remarks
 * The child then ends as it sees fit (a `fromWorker` run has its `signal` aborted). It plays the
 * part of OTP's `exit(Child, shutdown)` for a child with a numeric or `'infinity'` `shutdown`; when
 * the shutdown time runs out, the supervisor stops the actor.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { SHUTDOWN_REQUEST } from '@trellis/core';
 * assert.equal(SHUTDOWN_REQUEST, 'trellis.shutdown');
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export const SHUTDOWN_REQUEST = 'trellis.shutdown';

/**
 * The event a child whose logic has {@link ChildProtocol.awaitReady} sends its parent once it has
 * started.
 *
 * @remarks
 * `actorId` is the sender's actor id. It plays the part of OTP's `start_link` returning `{ok, Pid}`
 * only after `init/1`: the supervisor starts the next child only after this event (or fails the
 * start when it does not come in time). Send it with {@link notifyReady}.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { READY_EVENT } from '@trellis/core';
 * assert.equal(READY_EVENT, 'trellis.ready');
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export const READY_EVENT = 'trellis.ready';

const PROTOCOL = Symbol.for('@trellis/core/childProtocol');

/**
 * How a child's logic takes part in the supervisor's start and stop protocols.
 *
 * @remarks
 * Logic without a protocol (plain `fromPromise`, `fromCallback`, machines) is started as soon
 * as `actor.start()` returns without error, and is stopped at once, as XState stops actors
 * (its exit is `shutdown`; `brutal_kill` reports `killed`). `fromWorker`, supervisors and
 * `@trellis/process` set a protocol so the supervisor can ask, wait `shutdown` ms and only then
 * kill.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { fromPromise } from 'xstate';
 * import { childProtocolOf, withChildProtocol, type ChildProtocol } from '@trellis/core';
 * const protocol: ChildProtocol = { gracefulStop: false, awaitReady: false, kind: 'actor' };
 * const logic = withChildProtocol(fromPromise(async () => 42), protocol);
 * assert.equal(childProtocolOf(logic).kind, 'actor');
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface ChildProtocol {
  /** The child handles {@link SHUTDOWN_REQUEST} and ends by itself. */
  readonly gracefulStop: boolean;
  /** The child has started only once it sends {@link READY_EVENT} to its parent. */
  readonly awaitReady: boolean;
  /**
   * What input the child takes: `'worker'` gets `{ handover, input, logger, clock }` (see
   * `fromWorker`); `'supervisor'` gets `{ ...spec.input, handover, trellis }` and makes `type`
   * default to `'supervisor'`; `'actor'` gets `{ ...spec.input, handover }`.
   */
  readonly kind: 'worker' | 'supervisor' | 'actor';
}

const NONE: ChildProtocol = { gracefulStop: false, awaitReady: false, kind: 'actor' };

/**
 * Marks actor logic with a {@link ChildProtocol}; returns the same logic.
 *
 * @remarks
 * For authors of actor logic other than `fromWorker`, supervisors and `fromProcess`, which mark
 * their logic themselves. The protocol is stored on the logic object, not copied, so every child
 * that uses the logic shares it; logic without a protocol is stopped at once and counted as started
 * when it is created.
 *
 * @param logic - the actor logic to mark.
 * @param protocol - the parts of the protocol it supports.
 * @returns `logic` itself.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { fromPromise } from 'xstate';
 * import { childProtocolOf, withChildProtocol } from '@trellis/core';
 * const logic = withChildProtocol(fromPromise(async () => 1), { gracefulStop: false, awaitReady: false, kind: 'actor' });
 * assert.equal(childProtocolOf(logic).gracefulStop, false);
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export function withChildProtocol<T extends AnyActorLogic>(logic: T, protocol: ChildProtocol): T {
  Object.defineProperty(logic, PROTOCOL, { value: protocol, enumerable: false, configurable: true });
  return logic;
}

/**
 * The {@link ChildProtocol} of actor logic; logic without one gets all `false`.
 *
 * @remarks
 * Reads what {@link withChildProtocol} stored. The supervisor uses it to decide how to stop a child
 * (ask with {@link SHUTDOWN_REQUEST} or stop at once) and whether to wait for {@link READY_EVENT}
 * when it starts one.
 *
 * @param logic - any actor logic.
 * @returns its protocol.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { childProtocolOf, fromWorker } from '@trellis/core';
 * assert.equal(childProtocolOf(fromWorker(() => {})).gracefulStop, true);
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export function childProtocolOf(logic: AnyActorLogic): ChildProtocol {
  return ((logic as unknown as Record<symbol, ChildProtocol | undefined>)[PROTOCOL]) ?? NONE;
}

/**
 * Tells the supervisor of `self` that this child has started: what a logic with
 * {@link ChildProtocol.awaitReady} calls once it is ready.
 *
 * @remarks
 * Sends {@link READY_EVENT} to the actor's parent with the actor as its source, so the inspector
 * shows the real sender. An actor without a parent ignores it. Calling it more than once is
 * harmless: the supervisor waits for the first only.
 *
 * @param self - the child actor (an actor logic's `actorScope.self`).
 *
 * @example
 * ```ts
 * import { fromCallback } from 'xstate';
 * import { notifyReady, withChildProtocol } from '@trellis/core';
 * const server = withChildProtocol(
 *   fromCallback(({ self }) => {
 *     const timer = setTimeout(() => notifyReady(self), 10); // e.g. once a port accepts
 *     return () => clearTimeout(timer);
 *   }),
 *   { gracefulStop: false, awaitReady: true, kind: 'actor' },
 * );
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export function notifyReady(self: AnyActorRef): void {
  const parent = parentOf(self);
  if (parent !== undefined) relay(self, parent, { type: READY_EVENT, actorId: self.id } as EventObject);
}
