/**
 * `fromWorker`: actor logic for an async function that runs until it returns, throws, or is
 * asked to stop through its `AbortSignal`: the usual in-process child.
 *
 * @module
 */
import { SupervisorArgumentError } from './errors.js';
import { unknownKeyMessage, unknownKeys } from './validation/unknownKeys.js';
import type { ActorLogic, AnyActorRef, EventObject, Snapshot } from 'xstate';
import { notifyReady, SHUTDOWN_REQUEST, withChildProtocol } from './childProtocol.js';
import { systemClock, type Clock } from './clock.js';
import { exit, isExitRequest, serializeError } from './exit.js';
import { silentLogger, type Logger } from './logger.js';
import type { TimeoutDetail } from './exitReasons.js';
import type { Handover } from './types.js';
import { checkedSubStatus, type SubStatus } from './subStatus.js';

/**
 * What a worker's `run` function receives.
 *
 * @remarks
 * `signal` aborts when the supervisor asks the child to stop; the worker SHOULD then finish
 * within its `shutdown` time. `handover` tells it which incarnation it is and how the previous
 * one ended. `ready()` matters only with `awaitReady: true`.
 *
 * `signal` and the methods are made on first use and kept, so they can be taken apart
 * (`async ({ signal, sleep }) => ...`) and stay bound; they sit on the context's prototype, so
 * `{ ...ctx }` copies only `handover`, `input`, `logger` and `clock`.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { defineSupervisor, fromWorker, startSupervisor, stopSupervisor, type WorkerContext } from '@trellis/core';
 * import { settle } from '@trellis/core/testing';
 * const seen: number[] = [];
 * const run = async (ctx: WorkerContext) => {
 *   seen.push(ctx.handover.incarnation);
 *   await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
 * };
 * const sup = await startSupervisor(defineSupervisor({ id: 'root', children: [{ id: 'job', start: fromWorker(run) }] }));
 * await settle();
 * assert.deepEqual(seen, [0]);
 * await stopSupervisor(sup);
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface WorkerContext<TInput = Record<string, unknown> | undefined> {
  /** Aborts when the supervisor asks this child to stop. */
  readonly signal: AbortSignal;
  /** This incarnation's handover. */
  readonly handover: Handover;
  /** The spec's `input`. */
  readonly input: TInput;
  /** A logger bound to `{ supervisor, child, incarnation }`. */
  readonly logger: Logger;
  /** Tells the supervisor this worker has started (with `awaitReady: true`). */
  ready(): void;
  /**
   * Tells the supervisor this worker is not hung (with `heartbeatMs`): it must be called at
   * least every `heartbeatMs` once `run` has been called, or the worker is ended with a
   * `timeout` exit and restarted by its restart type. A no-op without `heartbeatMs`.
   */
  heartbeat(): void;
  /**
   * Waits `ms` on the supervisor's clock (the test clock in tests), or until the supervisor asks
   * this worker to stop, whichever comes first. Never rejects: check `signal.aborted` after it.
   * Costs no AbortController, so an idle loop of `sleep` calls stays cheap.
   */
  sleep(ms: number): Promise<void>;
  /** The tree's clock (the test clock in tests), for a worker's own timers and time readings. */
  readonly clock: Clock;
  /**
   * Publishes what this worker is doing beyond `running` (a {@link SubStatus}: a `state` and
   * JSON fields), which {@link whichChildren} shows as the row's `subStatus` until the next call;
   * `undefined` clears it. The value is copied. After the worker has ended it is a no-op.
   *
   * @throws {@link SupervisorArgumentError} naming the field when the value is not an object
   *   with a non-empty string `state` and JSON values.
   */
  setSubStatus(subStatus: SubStatus | undefined): void;
}

/**
 * Options of {@link fromWorker}.
 *
 * @remarks
 * Every field is optional. `awaitReady` makes the supervisor wait for `ctx.ready()` before it
 * starts the next child, failing the start after `readyTimeoutMs` (default 5 000 ms); `heartbeatMs`
 * fails the worker when `ctx.heartbeat()` is not called that often (default: no heartbeat).
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { fromWorker, type WorkerOptions } from '@trellis/core';
 * const options: WorkerOptions = { awaitReady: true, readyTimeoutMs: 2_000 };
 * const logic = fromWorker(async ({ ready }) => ready(), options);
 * assert.ok(logic);
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface WorkerOptions {
  /** The worker has started only when it calls `ctx.ready()`. Default `false`. */
  readonly awaitReady?: boolean;
  /** With `awaitReady`, how long it may take; default 5000 ms. */
  readonly readyTimeoutMs?: number;
  /**
   * When set, the worker must call `ctx.heartbeat()` at least this often (in milliseconds,
   * positive), counted on the supervisor's clock from the moment `run` has been called. A missed
   * heartbeat aborts `ctx.signal` and ends the worker with `exit.of('timeout', { detail: {
   * check: 'heartbeat', heartbeatMs } })` (a {@link TimeoutDetail}), so the supervisor restarts it with `previousExit.reason` `'timeout'`
   * (a hung promise cannot be killed, only abandoned). With `awaitReady`, a miss before
   * `ctx.ready()` is a start failure. Default: no heartbeat.
   */
  readonly heartbeatMs?: number;
}

/**
 * The input a supervisor gives a worker actor.
 *
 * @remarks
 * Started outside a supervisor, a worker gets a handover whose `resumeId` is its actor id, the
 * system clock and {@link silentLogger}. The worker's own `input` is what the child spec's `input`
 * holds.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { silentLogger, type WorkerInput } from '@trellis/core';
 * const input: WorkerInput = { input: { url: 'postgres://db' }, logger: silentLogger };
 * assert.equal(input.input?.['url'], 'postgres://db');
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface WorkerInput {
  /** This incarnation's handover; without one, `{ resumeId: <actor id>, incarnation: 0, previousExit: null }`. */
  readonly handover?: Handover;
  /** The spec's `input`, which the worker sees as `ctx.input`. */
  readonly input?: Record<string, unknown> | undefined;
  /** The worker's `ctx.logger`; default {@link silentLogger}. */
  readonly logger?: Logger;
  /** The clock that times `readyTimeoutMs`; default {@link systemClock}. */
  readonly clock?: Clock;
}

/**
 * The snapshot of a worker actor: XState's status plus whether it has said it is ready.
 *
 * @remarks
 * `status` is XState's (`active`, `done`, `error`, `stopped`); `ready` turns true when the run
 * calls `ctx.ready()`. `input` is the input the actor was started with.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { createActor } from 'xstate';
 * import { fromWorker, type WorkerSnapshot } from '@trellis/core';
 * const actor = createActor(fromWorker(async ({ signal }) => new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()))));
 * actor.start();
 * const snapshot: WorkerSnapshot = actor.getSnapshot();
 * assert.equal(snapshot.status, 'active');
 * actor.stop();
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export type WorkerSnapshot = Snapshot<unknown> & {
  /** Whether the worker has started: at once without `awaitReady`, else once it calls `ctx.ready()`. */
  readonly ready: boolean;
  /** The input it was started with; `undefined` once it has ended. */
  readonly input: WorkerInput | undefined;
  /** What the worker last published with `ctx.setSubStatus`; absent when it has not. */
  readonly subStatus?: SubStatus;
};

/**
 * The actor logic {@link fromWorker} returns.
 *
 * @remarks
 * Ordinary XState v5 actor logic marked with its {@link ChildProtocol}: it stops gracefully (its
 * `signal` aborts on {@link SHUTDOWN_REQUEST}) and, with `awaitReady`, says when it is ready. It
 * can also be started with XState's `createActor` outside any supervisor.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { fromWorker, type WorkerLogic } from '@trellis/core';
 * const logic: WorkerLogic = fromWorker(async () => {});
 * assert.equal(typeof logic.transition, 'function');
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export type WorkerLogic = ActorLogic<WorkerSnapshot, EventObject, WorkerInput | undefined>;

const SETTLED = 'trellis.worker.settled';
const FAILED = 'trellis.worker.failed';
const READY = 'trellis.worker.ready';
const READY_TIMEOUT = 'trellis.worker.readyTimeout';
const HEARTBEAT_MISSED = 'trellis.worker.heartbeatMissed';
const SUB_STATUS = 'trellis.worker.subStatus';

/** What every run of one `fromWorker` logic shares. */
interface WorkerConfig {
  readonly awaitReady: boolean;
  readonly heartbeatMs: number | undefined;
}

/** One run's state, shared by the logic's `transition` and the run's context. */
interface Instance {
  readonly self: AnyActorRef;
  readonly config: WorkerConfig;
  controller: AbortController | undefined;
  /** Pending `ctx.sleep` calls, woken at once when the worker is asked to stop. */
  sleepers: Set<() => void> | undefined;
  stopRequested: boolean;
  readyTimer: unknown;
  clock: Clock;
  /** Whether `ctx.heartbeat()` re-arms the heartbeat timer: from `run` until the worker settles or is asked to stop. */
  heartbeatOn: boolean;
  heartbeatTimer: unknown;
}

const instances = new WeakMap<AnyActorRef, Instance>();

let stopReason: DOMException | undefined;
/** One shared abort reason: making a DOMException per stop cost 3 µs (bench, tree shutdown). */
function stopRequestedReason(): DOMException {
  stopReason ??= new DOMException('The supervisor asked this child to stop.', 'AbortError');
  return stopReason;
}

/**
 * Node reports an exception thrown by an AbortSignal listener as an uncaught exception, which
 * ends the program: one worker's faulty cleanup would escape supervision. The signal a worker
 * gets runs each listener (and `onabort`) in a try/catch and hands the error to its worker's
 * `onError`. One shared prototype (below AbortSignal's, so `instanceof` and Node's own use of
 * the signal are unchanged) keeps this at no per-signal cost until a listener is added.
 */
type Listener = NonNullable<Parameters<AbortSignal['addEventListener']>[1]>;
interface Guard {
  readonly onError: (error: unknown) => void;
  /** [listener, wrapper] pairs: a signal has one or two listeners, so a list beats a map. */
  wrappers: Array<readonly [Listener, (event: Event) => void]> | undefined;
  onabort: ((this: AbortSignal, event: Event) => unknown) | null;
  /** Whether the one native listener that calls `onabort` is in place. */
  onabortListening: boolean;
}
const guards = new WeakMap<AbortSignal, Guard>();
const base = AbortSignal.prototype as unknown as EventTarget;
const nativeAdd = base.addEventListener;
const nativeRemove = base.removeEventListener;

function wrapListener(guard: Guard, listener: Listener): (event: Event) => void {
  guard.wrappers ??= [];
  let wrapper = guard.wrappers.find(([known]) => known === listener)?.[1];
  if (wrapper === undefined) {
    wrapper = function (this: unknown, event: Event) {
      try {
        if (typeof listener === 'function') (listener as (this: unknown, event: Event) => void).call(this, event);
        else (listener as { handleEvent(event: Event): void }).handleEvent(event);
      } catch (error) {
        guard.onError(error);
      }
    };
    guard.wrappers.push([listener, wrapper]);
  }
  return wrapper;
}

const guardedSignalPrototype: object = Object.create(AbortSignal.prototype, {
  addEventListener: {
    value(this: AbortSignal, type: string, listener: Listener | null, options?: unknown) {
      const guard = guards.get(this);
      const wrapped = guard === undefined || listener === null ? listener : wrapListener(guard, listener);
      return (nativeAdd as (...args: unknown[]) => void).call(this, type, wrapped, options);
    },
  },
  removeEventListener: {
    value(this: AbortSignal, type: string, listener: Listener | null, options?: unknown) {
      const wrapped = listener === null ? listener : (guards.get(this)?.wrappers?.find(([known]) => known === listener)?.[1] ?? listener);
      return (nativeRemove as (...args: unknown[]) => void).call(this, type, wrapped, options);
    },
  },
  onabort: {
    get(this: AbortSignal) {
      return guards.get(this)?.onabort ?? null;
    },
    set(this: AbortSignal, fn: Guard['onabort']) {
      const guard = guards.get(this);
      if (guard === undefined) return;
      if (!guard.onabortListening && typeof fn === 'function') {
        guard.onabortListening = true;
        (nativeAdd as (...args: unknown[]) => void).call(this, 'abort', (event: Event) => {
          try {
            guard.onabort?.call(this, event);
          } catch (error) {
            guard.onError(error);
          }
        });
      }
      guard.onabort = typeof fn === 'function' ? fn : null;
    },
  },
});

function isolateListeners(signal: AbortSignal, onError: (error: unknown) => void): AbortSignal {
  guards.set(signal, { onError, wrappers: undefined, onabort: null, onabortListening: false });
  Object.setPrototypeOf(signal, guardedSignalPrototype);
  return signal;
}

function abort(instance: Instance, reason: unknown = stopRequestedReason()): void {
  instance.stopRequested = true;
  instance.controller?.abort(reason);
  if (instance.sleepers !== undefined) {
    const sleepers = instance.sleepers;
    instance.sleepers = undefined;
    for (const wake of sleepers) wake();
  }
}

function clearHeartbeat(instance: Instance | undefined): void {
  if (instance === undefined) return;
  instance.heartbeatOn = false;
  if (instance.heartbeatTimer !== undefined) {
    instance.clock.clearTimeout(instance.heartbeatTimer);
    instance.heartbeatTimer = undefined;
  }
}

function clearReadyTimer(instance: Instance | undefined): void {
  if (instance?.readyTimer !== undefined) {
    instance.clock.clearTimeout(instance.readyTimer);
    instance.readyTimer = undefined;
  }
}

function armHeartbeat(instance: Instance): void {
  const { clock } = instance;
  if (instance.heartbeatTimer !== undefined) clock.clearTimeout(instance.heartbeatTimer);
  instance.heartbeatTimer = clock.setTimeout(() => {
    instance.heartbeatTimer = undefined;
    instance.self.send({ type: HEARTBEAT_MISSED });
  }, instance.config.heartbeatMs as number);
}

/**
 * A run's `ctx`. A class, not an object literal: a literal with a getter is kept in dictionary
 * mode (448 B of properties), and its five closures were made for every run whether the worker
 * used them or not. A heap snapshot of 5,000 idle workers (`signal` read, nothing else) showed
 * about 850 B a child for the two. The methods are made on first read and kept, so a context
 * taken apart still works.
 */
class RunContext<TInput> implements WorkerContext<TInput> {
  readonly handover: Handover;
  readonly input: TInput;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly #instance: Instance;
  #ready: (() => void) | undefined;
  #heartbeat: (() => void) | undefined;
  #sleep: ((ms: number) => Promise<void>) | undefined;
  #setSubStatus: ((subStatus: SubStatus | undefined) => void) | undefined;

  constructor(instance: Instance, handover: Handover, input: TInput, logger: Logger) {
    this.handover = handover;
    this.input = input;
    this.logger = logger;
    this.clock = instance.clock;
    this.#instance = instance;
  }

  // The AbortController is made on first use: many workers never look at it, and a restart
  // should not pay for an EventTarget it does not need.
  get signal(): AbortSignal {
    const instance = this.#instance;
    if (!instance.controller) {
      instance.controller = new AbortController();
      isolateListeners(instance.controller.signal, (error) =>
        this.logger.error({ event: 'worker.abortListener.failed', reason: serializeError(error) }, 'an abort listener of this worker threw; ignored'),
      );
      if (instance.stopRequested) instance.controller.abort(stopRequestedReason());
    }
    return instance.controller.signal;
  }

  get ready(): () => void {
    const instance = this.#instance;
    return (this.#ready ??= () => {
      if (instance.config.awaitReady) instance.self.send({ type: READY });
    });
  }

  get heartbeat(): () => void {
    const instance = this.#instance;
    return (this.#heartbeat ??= () => {
      if (instance.heartbeatOn) armHeartbeat(instance);
    });
  }

  get sleep(): (ms: number) => Promise<void> {
    const instance = this.#instance;
    return (this.#sleep ??= (ms) =>
      new Promise<void>((resolve) => {
        if (instance.stopRequested) {
          resolve();
          return;
        }
        const { clock } = instance;
        const wake = (): void => {
          clock.clearTimeout(handle);
          resolve();
        };
        const handle = clock.setTimeout(() => {
          instance.sleepers?.delete(wake);
          resolve();
        }, ms);
        (instance.sleepers ??= new Set()).add(wake);
      }));
  }

  get setSubStatus(): (subStatus: SubStatus | undefined) => void {
    const { self } = this.#instance;
    return (this.#setSubStatus ??= (subStatus) => {
      const checked = checkedSubStatus('setSubStatus', subStatus);
      // Kept in the snapshot, where whichChildren reads it (decision 0027); an ended worker has no say.
      if (self.getSnapshot().status === 'active') self.send({ type: SUB_STATUS, subStatus: checked } as EventObject);
    });
  }
}

/** The keys of {@link WorkerOptions}. */
const WORKER_OPTION_KEYS = ['awaitReady', 'readyTimeoutMs', 'heartbeatMs'] as const;

/**
 * Makes actor logic from an async function: the usual in-process child.
 *
 * @remarks
 * The child has started once `run` has been called (a synchronous throw is a start failure);
 * with `awaitReady: true` it has started when it calls `ctx.ready()`, and a rejection or
 * `readyTimeoutMs` passing before that is a start failure. Returning is a `normal` exit;
 * returning or throwing `exit.shutdown(detail)` is a `shutdown` exit; any other throw or
 * rejection is a crash. To stop it, the supervisor aborts `ctx.signal` and waits up to the
 * spec's `shutdown` ms; a worker that does not settle by then is abandoned and reported as
 * killed (a promise cannot be killed). With `heartbeatMs`, a worker that goes that long without
 * calling `ctx.heartbeat()` is taken for hung: its signal aborts and it ends with a `timeout`
 * exit, which every restart type but `temporary` restarts.
 *
 * @param run - the worker's body.
 * @param options - readiness and heartbeat options.
 * @returns actor logic for a child spec's `start`.
 * @throws {@link SupervisorArgumentError} when `run` is not a function, or an option is unknown
 * (naming the closest valid one) or of the wrong type.
 * @throws RangeError when `options.heartbeatMs` is given and is not a positive number.
 *
 * @example A worker that stops when asked
 * ```ts
 * import assert from 'node:assert/strict';
 * import { setTimeout as sleep } from 'node:timers/promises';
 * import { defineSupervisor, fromWorker, startSupervisor, stopSupervisor } from '@trellis/core';
 * const poller = fromWorker(async ({ signal, handover, logger }) => {
 *   logger.info({ incarnation: handover.incarnation }, 'polling');
 *   while (!signal.aborted) await sleep(1000, undefined, { signal }).catch(() => {});
 * });
 * const sup = await startSupervisor(defineSupervisor({ id: 'root', children: [{ id: 'poller', start: poller }] }));
 * assert.deepEqual(await stopSupervisor(sup), { reason: 'normal' }); // at once, not after a 1 s sleep
 * ```
 *
 * @example A hung worker is restarted after a missed heartbeat
 * ```ts
 * import assert from 'node:assert/strict';
 * import { defineSupervisor, fromWorker, startSupervisor, stopSupervisor, whichChildren } from '@trellis/core';
 * import { createTestClock, settle } from '@trellis/core/testing';
 * const clock = createTestClock();
 * const stuck = fromWorker(({ signal }) => new Promise((resolve) => signal.addEventListener('abort', resolve)), { heartbeatMs: 1_000 });
 * const sup = await startSupervisor(defineSupervisor({ id: 'root', children: [{ id: 'stuck', start: stuck }] }), { clock });
 * clock.advance(1_000); // 1 s without ctx.heartbeat(): taken for hung
 * await settle();
 * assert.deepEqual(whichChildren(sup)[0]?.lastExit, { reason: 'timeout', detail: { check: 'heartbeat', heartbeatMs: 1_000 }, at: 1_000 });
 * await stopSupervisor(sup);
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export function fromWorker<TInput extends Record<string, unknown> | undefined = Record<string, unknown> | undefined>(
  run: (ctx: WorkerContext<TInput>) => unknown,
  options: WorkerOptions = {},
): WorkerLogic {
  if (typeof run !== 'function') throw new SupervisorArgumentError('fromWorker', 'run', 'must be a function (the worker\'s body)', run);
  if (typeof options !== 'object' || options === null) throw new SupervisorArgumentError('fromWorker', 'options', 'must be an object', options);
  const unknown = unknownKeys(options, WORKER_OPTION_KEYS)[0];
  if (unknown !== undefined)
    throw new SupervisorArgumentError('fromWorker', `options.${unknown}`, 'is not a known key', (options as Record<string, unknown>)[unknown], unknownKeyMessage(unknown, "fromWorker's options", WORKER_OPTION_KEYS));
  if (options.awaitReady !== undefined && typeof options.awaitReady !== 'boolean')
    throw new SupervisorArgumentError('fromWorker', 'options.awaitReady', 'must be a boolean', options.awaitReady);
  if (options.readyTimeoutMs !== undefined && !(typeof options.readyTimeoutMs === 'number' && Number.isFinite(options.readyTimeoutMs) && options.readyTimeoutMs > 0))
    throw new SupervisorArgumentError('fromWorker', 'options.readyTimeoutMs', 'must be a positive number of milliseconds', options.readyTimeoutMs);
  const awaitReady = options.awaitReady === true;
  const readyTimeoutMs = options.readyTimeoutMs ?? 5_000;
  const heartbeatMs = options.heartbeatMs;
  if (heartbeatMs !== undefined && !(typeof heartbeatMs === 'number' && Number.isFinite(heartbeatMs) && heartbeatMs > 0))
    throw new RangeError(`fromWorker: heartbeatMs must be a positive number of milliseconds, got ${String(heartbeatMs)}.`);
  const config: WorkerConfig = { awaitReady, heartbeatMs };
  const logic: WorkerLogic = {
    config: run,
    getInitialSnapshot: (_scope, input) => ({ status: 'active', output: undefined, error: undefined, ready: !awaitReady, input }),
    transition: (snapshot, event, scope) => {
      if (snapshot.status !== 'active') return snapshot;
      switch (event.type) {
        case SETTLED: {
          clearReadyTimer(instances.get(scope.self));
          clearHeartbeat(instances.get(scope.self));
          return { ...snapshot, status: 'done', output: (event as EventObject & { value: unknown }).value, input: undefined };
        }
        case FAILED: {
          clearReadyTimer(instances.get(scope.self));
          clearHeartbeat(instances.get(scope.self));
          const error = (event as EventObject & { error: unknown }).error;
          // exit.shutdown(detail) and exit.normal() may be thrown as well as returned.
          if (isExitRequest(error)) return { ...snapshot, status: 'done', output: error, input: undefined };
          return { ...snapshot, status: 'error', error, input: undefined };
        }
        case READY: {
          if (snapshot.ready) return snapshot;
          clearReadyTimer(instances.get(scope.self));
          notifyReady(scope.self);
          return { ...snapshot, ready: true };
        }
        case READY_TIMEOUT: {
          if (snapshot.ready) return snapshot;
          const instance = instances.get(scope.self);
          clearHeartbeat(instance);
          if (instance) abort(instance);
          const error = new Error(`worker did not call ready() within ${readyTimeoutMs} ms`);
          error.name = 'ReadyTimeoutError';
          return { ...snapshot, status: 'error', error, input: undefined };
        }
        case HEARTBEAT_MISSED: {
          const instance = instances.get(scope.self);
          // A miss queued just before the worker settled or was asked to stop is stale.
          if (!instance?.heartbeatOn) return snapshot;
          clearHeartbeat(instance);
          clearReadyTimer(instance);
          abort(instance, new DOMException(`The worker missed its ${heartbeatMs} ms heartbeat.`, 'TimeoutError'));
          // A miss is only scheduled when heartbeatMs is set (see the timer below).
          return { ...snapshot, status: 'done', output: exit.of('timeout', { detail: { check: 'heartbeat', heartbeatMs: heartbeatMs as number } satisfies TimeoutDetail }), input: undefined };
        }
        case SUB_STATUS: {
          const subStatus = (event as EventObject & { subStatus: SubStatus | undefined }).subStatus;
          if (subStatus !== undefined) return { ...snapshot, subStatus };
          const { subStatus: _cleared, ...rest } = snapshot;
          return rest;
        }
        case SHUTDOWN_REQUEST: {
          const instance = instances.get(scope.self);
          // The supervisor's shutdown timer governs from here; a worker winding down need not beat.
          clearHeartbeat(instance);
          if (instance) abort(instance);
          return snapshot;
        }
        case 'xstate.stop': {
          const instance = instances.get(scope.self);
          if (instance) {
            clearReadyTimer(instance);
            clearHeartbeat(instance);
            abort(instance);
          }
          instances.delete(scope.self);
          return { ...snapshot, status: 'stopped', input: undefined };
        }
        default:
          return snapshot;
      }
    },
    start: (snapshot, scope) => {
      if (snapshot.status !== 'active') return;
      const { self } = scope;
      const workerInput = snapshot.input;
      const clock = workerInput?.clock ?? systemClock;
      const instance: Instance = { self, config, controller: undefined, sleepers: undefined, stopRequested: false, readyTimer: undefined, clock, heartbeatOn: false, heartbeatTimer: undefined };
      instances.set(self, instance);
      const handover = workerInput?.handover ?? { resumeId: self.id, incarnation: 0, previousExit: null };
      const ctx = new RunContext<TInput>(instance, handover, workerInput?.input as TInput, workerInput?.logger ?? silentLogger);
      const result = run(ctx); // a synchronous throw here is a start failure (XState catches it)
      if (heartbeatMs !== undefined) {
        instance.heartbeatOn = true;
        armHeartbeat(instance);
      }
      if (awaitReady) {
        instance.readyTimer = clock.setTimeout(() => {
          instance.readyTimer = undefined;
          self.send({ type: READY_TIMEOUT });
        }, readyTimeoutMs);
      }
      if (typeof (result as PromiseLike<unknown> | undefined)?.then === 'function') {
        // A worker that was killed may still settle later: its result goes nowhere.
        (result as PromiseLike<unknown>).then(
          (value) => {
            if (self.getSnapshot().status === 'active') self.send({ type: SETTLED, value } as EventObject);
          },
          (error: unknown) => {
            if (self.getSnapshot().status === 'active') self.send({ type: FAILED, error } as EventObject);
          },
        );
      } else {
        self.send({ type: SETTLED, value: result } as EventObject);
      }
    },
    getPersistedSnapshot: (snapshot) => snapshot,
  };
  return withChildProtocol(logic, { gracefulStop: true, awaitReady, kind: 'worker' });
}
