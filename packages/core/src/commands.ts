/**
 * Starting and stopping trees, and OTP's supervisor API as plain functions over a
 * {@link SupervisorRef}: `startChild`, `terminateChild`, `restartChild`, `deleteChild`,
 * `whichChildren`, `countChildren`, `getChildSpec`.
 *
 * @module
 */
import { createActor, type ActorOptions, type AnyActorRef, type InspectionEvent, type Observer } from 'xstate';
import type { Clock } from './clock.js';
import { runtimeIn, type StaticSupervisorRef, type SupervisorLogic, type SupervisorRef } from './defineSupervisor.js';
import type { DynamicSupervisorLogic, DynamicSupervisorRef } from './defineDynamicSupervisor.js';
import { isSupervisorError, SupervisorArgumentError, SupervisorNotRunningError, type StartChildError } from './errors.js';
import { isClock } from './clock.js';
import { childProtocolOf } from './childProtocol.js';
import { unknownKeyMessage, unknownKeys } from './validation/unknownKeys.js';
import type { SupervisorRuntime } from './runtime/SupervisorRuntime.js';
import type { RestartBudgetUsage } from './restartBudget.js';
import type { ChildCounts, ChildId, ChildInfo, ChildSpec, ChildSpecInput, DynamicChildInput, SupervisorExit } from './types.js';

/**
 * Options of {@link startSupervisor}.
 *
 * @remarks
 * Every field is optional. `clock` replaces the system clock for every timer of the tree (use
 * `createTestClock` from `@trellis/core/testing` in tests); `inspect` receives XState's inspection
 * events of every actor in the tree; `systemId` is the root actor's `systemId`; `onGiveUp` is called
 * once if the root ends by itself (it gave up, shut down automatically, or was killed), never after
 * {@link stopSupervisor}. A root that gives up (restart intensity) with neither `onGiveUp` nor a
 * `logger` in its config prints one line on stderr, as Node does for an unhandled rejection;
 * giving either is how a program opts out. OTP has no counterpart: these are what a Node process
 * needs where OTP has `start_link`.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { defineSupervisor, startSupervisor, stopSupervisor, type StartSupervisorOptions } from '@trellis/core';
 * import { createTestClock } from '@trellis/core/testing';
 * const options: StartSupervisorOptions = { clock: createTestClock(), systemId: 'root', onGiveUp: () => {} };
 * const sup = await startSupervisor(defineSupervisor({ id: 'root', children: [] }), options);
 * assert.equal(sup.getSnapshot().status, 'active');
 * await stopSupervisor(sup);
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface StartSupervisorOptions {
  /** Xstate's inspection observer; reaches every actor in the tree. */
  readonly inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
  /** The clock of the whole tree (XState delays included); default the system clock. */
  readonly clock?: Clock;
  /** The root actor's `systemId`. */
  readonly systemId?: string;
  /**
   * Called once if the root supervisor ends by itself: it gave up (restart intensity), shut
   * down automatically (`autoShutdown`), or was killed. Not called after {@link stopSupervisor}.
   * The place for an application to exit when a critical part of the tree is gone.
   */
  readonly onGiveUp?: (exit: SupervisorExit) => void;
}

/** Supervisors whose end was asked for, so `onGiveUp` does not fire for them. */
const stopRequested = new WeakSet<object>();

/** Throws a {@link SupervisorArgumentError} saying what to pass when `ref` is not a supervisor's actor. */
function checkRef(ref: unknown, command: string): void {
  const snapshot = typeof (ref as { getSnapshot?: unknown })?.getSnapshot === 'function' ? (ref as AnyActorRef).getSnapshot() : undefined;
  const runtime = (snapshot as { context?: { runtime?: { whichChildren?: unknown } } } | undefined)?.context?.runtime;
  if (typeof runtime?.whichChildren !== 'function')
    throw new SupervisorArgumentError(command, 'ref', 'must be a supervisor started with startSupervisor(defineSupervisor(config)) (or a child supervisor\'s ref)', ref);
}

function runtimeOf(ref: SupervisorRef, command: string): SupervisorRuntime {
  checkRef(ref, command);
  const snapshot = ref.getSnapshot();
  if (snapshot.status !== 'active' || snapshot.value === 'stopped' || runtimeIn(snapshot.context).exit !== undefined) {
    throw new SupervisorNotRunningError((snapshot.context?.runtime as SupervisorRuntime | undefined)?.path ?? String((ref as AnyActorRef).id), command);
  }
  return runtimeIn(snapshot.context);
}

/**
 * Sends a command to a running supervisor and resolves with its reply; rejects at once when the
 * supervisor has ended (core's own command modules only).
 *
 * @internal
 */
export function send<T>(ref: SupervisorRef, command: string, make: (reply: { resolve(v: unknown): void; reject(e: unknown): void }) => object): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    try {
      runtimeOf(ref, command);
    } catch (error) {
      reject(error);
      return;
    }
    ref.send(make({ resolve: resolve as (v: unknown) => void, reject }) as never);
  });
}

/** The keys of {@link StartSupervisorOptions}. */
const START_OPTIONS_KEYS = ['inspect', 'clock', 'systemId', 'onGiveUp'] as const;

/**
 * Starts a supervisor tree and resolves once every initial child has started, in order.
 *
 * @remarks
 * Mirrors OTP `supervisor:start_link/2`: children start one at a time, depth first; the promise
 * resolves with the root actor. If a child fails to start, the children already started are
 * stopped in reverse order and the promise rejects with a {@link StartChildError}.
 * `options.inspect` is XState's inspection observer and reaches every actor in the tree;
 * `options.clock` drives the whole tree's time.
 *
 * A started root holds its program open, as a listening server does, until it ends (stopped,
 * given up or killed): a tree of sleeping workers keeps running without anything else to hold
 * Node's event loop, and a program whose tree ended can exit (decision 0008).
 *
 * @param logic - a supervisor from {@link defineSupervisor}.
 * @param options - inspection, clock and systemId.
 * @returns the running root supervisor.
 * @throws {@link StartChildError} when an initial child fails to start.
 * @throws {@link SupervisorArgumentError} when an option breaks its rule or is unknown (naming the
 * closest valid one), or when `logic` is not a supervisor (a raw config: pass `defineSupervisor(config)`).
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { defineSupervisor, fromWorker, startSupervisor, stopSupervisor } from '@trellis/core';
 * const sup = await startSupervisor(defineSupervisor({ id: 'root', children: [{ id: 'w', start: fromWorker(() => new Promise(() => {})), shutdown: 'brutal_kill' }] }));
 * assert.equal(sup.getSnapshot().value, 'running');
 * await stopSupervisor(sup);
 * ```
 *
 * @category commands
 * @since 0.1.0
 */
export function startSupervisor(logic: DynamicSupervisorLogic, options?: StartSupervisorOptions): Promise<DynamicSupervisorRef>;
export function startSupervisor(logic: SupervisorLogic, options?: StartSupervisorOptions): Promise<SupervisorRef>;
export function startSupervisor(logic: SupervisorLogic, options: StartSupervisorOptions = {}): Promise<SupervisorRef> {
  if (typeof (logic as { transition?: unknown })?.transition !== 'function' || childProtocolOf(logic).kind !== 'supervisor') {
    const rule =
      typeof logic === 'object' && logic !== null && 'children' in logic
        ? 'must be supervisor logic, not a raw config: pass defineSupervisor(config)'
        : 'must be supervisor logic: pass defineSupervisor(config) or defineDynamicSupervisor(config)';
    return Promise.reject(new SupervisorArgumentError('startSupervisor', 'logic', rule, logic));
  }
  if (typeof options !== 'object' || options === null)
    return Promise.reject(new SupervisorArgumentError('startSupervisor', 'options', 'must be an object', options));
  const unknown = unknownKeys(options, START_OPTIONS_KEYS)[0];
  if (unknown !== undefined)
    return Promise.reject(
      new SupervisorArgumentError('startSupervisor', `options.${unknown}`, 'is not a known key', (options as Record<string, unknown>)[unknown], unknownKeyMessage(unknown, "startSupervisor's options", START_OPTIONS_KEYS)),
    );
  if (options.clock !== undefined && !isClock(options.clock))
    return Promise.reject(new SupervisorArgumentError('startSupervisor', 'options.clock', 'must have now(), setTimeout() and clearTimeout()', options.clock));
  if (options.inspect !== undefined && typeof options.inspect !== 'function' && (typeof options.inspect !== 'object' || options.inspect === null))
    return Promise.reject(new SupervisorArgumentError('startSupervisor', 'options.inspect', 'must be an observer or a function', options.inspect));
  if (options.onGiveUp !== undefined && typeof options.onGiveUp !== 'function')
    return Promise.reject(new SupervisorArgumentError('startSupervisor', 'options.onGiveUp', 'must be a function', options.onGiveUp));
  const actorOptions: ActorOptions<SupervisorLogic> = {};
  // An inspection observer runs inside XState's transitions: one that throws would break
  // supervision, so it is guarded (its errors are dropped, as a broken logger's are).
  if (options.inspect !== undefined) actorOptions.inspect = guardInspect(options.inspect);
  if (options.clock !== undefined) actorOptions.clock = options.clock;
  if (options.systemId !== undefined) actorOptions.systemId = options.systemId;
  const actor = createActor(logic, actorOptions);
  return new Promise<SupervisorRef>((resolve, reject) => {
    let settled = false;
    const check = (): void => {
      if (settled) return;
      const snapshot = actor.getSnapshot();
      if (snapshot.status === 'done') {
        settled = true;
        subscription.unsubscribe();
        const detail = snapshot.output?.detail;
        // By code, not instanceof: a StartChildError from another copy of this package (a config
        // loaded through a second module graph) is still one.
        reject(isSupervisorError(detail) && detail.code === 'failed_to_start_child' ? detail : new SupervisorNotRunningError(runtimeIn(snapshot.context).path, 'startSupervisor'));
      } else if (snapshot.status === 'error') {
        settled = true;
        reject(snapshot.error);
      } else if (snapshot.value === 'running' || snapshot.value === 'restarting') {
        settled = true;
        subscription.unsubscribe();
        if (options.onGiveUp !== undefined) watchGiveUp(actor, options.onGiveUp);
        // Nobody listens (no logger, no onGiveUp): a tree that gives up must not die in silence.
        else if (runtimeIn(snapshot.context).config.logger === undefined) watchGiveUp(actor, (exit) => reportGiveUp(actor, exit));
        resolve(actor);
      }
    };
    const subscription = actor.subscribe({ next: check, error: (error) => { settled = true; reject(error); } });
    actor.start();
    check();
  });
}

function guardInspect(inspect: NonNullable<StartSupervisorOptions['inspect']>): (event: InspectionEvent) => void {
  const call =
    typeof inspect === 'function'
      ? inspect
      : (event: InspectionEvent) => inspect.next?.(event);
  return (event) => {
    try {
      call(event);
    } catch {
      // a broken inspector must not break the tree it watches
    }
  };
}

/**
 * One line on stderr for a root that gave up unheard, as Node prints an unhandled rejection. An
 * automatic shutdown (`autoShutdown`) or a kill is not reported: the first is by design, the
 * second was done by the program itself.
 */
function reportGiveUp(actor: SupervisorRef, exit: SupervisorExit): void {
  if (exit.detail !== 'reached_max_restart_intensity') return;
  const runtime = runtimeIn(actor.getSnapshot().context);
  const { intensity, periodMs } = runtime.config;
  const offender = runtime.gaveUpOn;
  const last = offender?.lastExit;
  const detail = last?.detail as { name?: unknown; message?: unknown } | undefined;
  const why = last === null || last === undefined ? '' : typeof detail?.message === 'string' ? `; its last exit: ${last.reason} (${String(detail.name ?? 'Error')}: ${detail.message})` : `; its last exit: ${last.reason}`;
  const line =
    `trellis: supervisor "${runtime.path}" gave up: child "${offender?.child ?? '?'}" exceeded the restart intensity ` +
    `(${intensity} in ${periodMs} ms)${why}. Pass a logger to defineSupervisor or onGiveUp to startSupervisor to handle this yourself.`;
  // Through globalThis, as env.ts reads process.env: the module also loads where there is no process.
  (globalThis as { process?: { stderr?: { write(text: string): unknown } } }).process?.stderr?.write(`${line.replace(/\s*\n\s*/g, ' ')}\n`);
}

function watchGiveUp(actor: SupervisorRef, onGiveUp: (exit: SupervisorExit) => void): void {
  let called = false;
  const fire = (): void => {
    if (called || stopRequested.has(actor)) return;
    called = true;
    const snapshot = actor.getSnapshot();
    onGiveUp(snapshot.status === 'done' ? snapshot.output : (runtimeIn(snapshot.context).exit ?? { reason: 'shutdown', detail: 'killed' }));
  };
  actor.subscribe({ complete: fire, error: fire });
}

/**
 * Stops a supervisor in order and resolves with how it ended.
 *
 * @remarks
 * Children are stopped in reverse start order, one at a time, each by its `shutdown` protocol;
 * a child that exits by itself meanwhile does not disturb it. The default reason is `'normal'`
 * (OTP 29 `supervisor:stop/1`). On a supervisor that has already ended it resolves with the
 * existing output.
 *
 * @param ref - the supervisor.
 * @param reason - `'normal'` (default) or `'shutdown'`.
 * @returns the supervisor's exit.
 * @throws {@link SupervisorArgumentError} when `reason` is neither.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { defineSupervisor, startSupervisor, stopSupervisor } from '@trellis/core';
 * const sup = await startSupervisor(defineSupervisor({ id: 'root', children: [] }));
 * assert.deepEqual(await stopSupervisor(sup), { reason: 'normal' });
 * assert.deepEqual(await stopSupervisor(sup), { reason: 'normal' });
 * ```
 *
 * @category commands
 * @since 0.1.0
 */
export function stopSupervisor(ref: SupervisorRef, reason: SupervisorExit['reason'] = 'normal'): Promise<SupervisorExit> {
  try {
    checkRef(ref, 'stopSupervisor');
  } catch (error) {
    return Promise.reject(error);
  }
  if (reason !== 'normal' && reason !== 'shutdown') return Promise.reject(new SupervisorArgumentError('stopSupervisor', 'reason', "must be 'normal' or 'shutdown'", reason));
  stopRequested.add(ref);
  const snapshot = ref.getSnapshot();
  if (snapshot.status === 'done') return Promise.resolve(snapshot.output);
  if (snapshot.status !== 'active') return Promise.resolve(runtimeIn(snapshot.context).exit ?? { reason: 'shutdown', detail: 'killed' });
  return new Promise<SupervisorExit>((resolve, reject) => {
    ref.send({ type: 'sup.stop', reason, reply: { resolve: resolve as (v: unknown) => void, reject } });
  });
}

/**
 * Adds a child to a running supervisor and starts it (OTP `supervisor:start_child/2`).
 *
 * @remarks
 * The child is appended to the start order, so it is stopped first. A failed start discards
 * the spec and leaves the supervisor as it was; it is not counted toward intensity. For a
 * supervisor from {@link defineDynamicSupervisor}, pass `{ input }` instead of a spec: the child
 * is made from the template, with a generated id (OTP `start_child(Sup, ExtraArgs)`).
 *
 * @param ref - the supervisor.
 * @param spec - the new child, or `{ input }` for a dynamic supervisor.
 * @returns the new child's info.
 * @throws {@link InvalidChildSpecError} for a bad spec.
 * @throws {@link ChildAlreadyStartedError} when a running child has this id.
 * @throws {@link ChildAlreadyPresentError} when a stopped or restarting child has this id.
 * @throws {@link StartChildError} when the child fails to start.
 * @throws {@link MaxChildrenError} when a dynamic supervisor is full.
 * @throws {@link SupervisorNotRunningError} when the supervisor has ended.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { defineSupervisor, fromWorker, startChild, startSupervisor, stopSupervisor } from '@trellis/core';
 * const sup = await startSupervisor(defineSupervisor({ id: 'root', children: [] }));
 * const info = await startChild(sup, { id: 'late', start: fromWorker(({ signal }) => new Promise((r) => signal.addEventListener('abort', r))) });
 * assert.equal(info.status, 'running');
 * await stopSupervisor(sup);
 * ```
 *
 * @category commands
 * @since 0.1.0
 */
export function startChild(ref: DynamicSupervisorRef, spec: DynamicChildInput): Promise<ChildInfo>;
export function startChild(ref: StaticSupervisorRef, spec: ChildSpec | ChildSpecInput | DynamicChildInput): Promise<ChildInfo>;
export function startChild(ref: SupervisorRef, spec: ChildSpec | ChildSpecInput | DynamicChildInput): Promise<ChildInfo> {
  return send(ref, 'startChild', (reply) => ({ type: 'sup.startChild', spec, reply }));
}

/**
 * Stops a child by its `shutdown` protocol and keeps its spec (OTP `terminate_child/2`).
 *
 * @remarks
 * Never counts toward intensity and never fires the strategy. Idempotent: a stopped child is
 * fine. A child in a restart loop leaves the loop. A temporary child's spec is dropped.
 *
 * @param ref - the supervisor.
 * @param id - the child.
 * @throws {@link ChildNotFoundError} when no child has this id.
 * @throws {@link SupervisorNotRunningError} when the supervisor has ended.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { defineSupervisor, fromWorker, startSupervisor, stopSupervisor, terminateChild, whichChildren } from '@trellis/core';
 * const idle = fromWorker(({ signal }) => new Promise((r) => signal.addEventListener('abort', r)));
 * const sup = await startSupervisor(defineSupervisor({ id: 'root', children: [{ id: 'db', start: idle }] }));
 * await terminateChild(sup, 'db');
 * assert.equal(whichChildren(sup)[0]?.status, 'stopped');
 * await stopSupervisor(sup);
 * ```
 *
 * @category commands
 * @since 0.1.0
 */
export function terminateChild(ref: SupervisorRef, id: ChildId): Promise<void> {
  return send(ref, 'terminateChild', (reply) => ({ type: 'sup.terminateChild', id, reply }));
}

/**
 * Starts a stopped child again (OTP `restart_child/2`); not counted toward intensity.
 *
 * @remarks
 * Mirrors OTP `supervisor:restart_child/2`: it serves only a child whose spec is kept but that is
 * not running (a `transient` child that exited cleanly, or one stopped by {@link terminateChild}).
 * The new incarnation gets the next incarnation number and the previous exit as its handover. A
 * dynamic supervisor does not serve it: a {@link DynamicSupervisorRef} fails to compile here.
 *
 * @param ref - the supervisor.
 * @param id - the child.
 * @returns the child's info.
 * @throws {@link ChildNotFoundError} when no child has this id.
 * @throws {@link ChildRunningError} when it is running.
 * @throws {@link ChildRestartingError} when it is in a restart loop.
 * @throws {@link StartChildError} when it fails to start (its spec stays, stopped).
 * @throws {@link DynamicSupervisorError} when the supervisor is dynamic (OTP `simple_one_for_one`).
 * @throws {@link SupervisorNotRunningError} when the supervisor has ended.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { defineSupervisor, fromWorker, restartChild, startSupervisor, stopSupervisor, terminateChild } from '@trellis/core';
 * const idle = fromWorker(({ signal }) => new Promise((r) => signal.addEventListener('abort', r)));
 * const sup = await startSupervisor(defineSupervisor({ id: 'root', children: [{ id: 'db', start: idle }] }));
 * await terminateChild(sup, 'db');
 * const info = await restartChild(sup, 'db');
 * assert.equal(info.incarnation, 1);
 * await stopSupervisor(sup);
 * ```
 *
 * @category commands
 * @since 0.1.0
 */
export function restartChild(ref: StaticSupervisorRef, id: ChildId): Promise<ChildInfo> {
  return send(ref, 'restartChild', (reply) => ({ type: 'sup.restartChild', id, reply }));
}

/**
 * Removes a stopped child's spec (OTP `delete_child/2`).
 *
 * @remarks
 * Mirrors OTP `supervisor:delete_child/2`: the child must be stopped first
 * ({@link terminateChild}); a dynamic supervisor does not serve it, as its children's specs go
 * when they stop (a {@link DynamicSupervisorRef} fails to compile here).
 *
 * @param ref - the supervisor.
 * @param id - the child.
 * @throws {@link ChildNotFoundError} when no child has this id.
 * @throws {@link ChildRunningError} when it is running.
 * @throws {@link ChildRestartingError} when it is in a restart loop.
 * @throws {@link DynamicSupervisorError} when the supervisor is dynamic (OTP `simple_one_for_one`).
 * @throws {@link SupervisorNotRunningError} when the supervisor has ended.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { countChildren, defineSupervisor, deleteChild, fromWorker, startSupervisor, stopSupervisor, terminateChild } from '@trellis/core';
 * const idle = fromWorker(({ signal }) => new Promise((r) => signal.addEventListener('abort', r)));
 * const sup = await startSupervisor(defineSupervisor({ id: 'root', children: [{ id: 'db', start: idle }] }));
 * await terminateChild(sup, 'db');
 * await deleteChild(sup, 'db');
 * assert.equal(countChildren(sup).specs, 0);
 * await stopSupervisor(sup);
 * ```
 *
 * @category commands
 * @since 0.1.0
 */
export function deleteChild(ref: StaticSupervisorRef, id: ChildId): Promise<void> {
  return send(ref, 'deleteChild', (reply) => ({ type: 'sup.deleteChild', id, reply }));
}

/**
 * Lists the children, newest first (OTP `which_children/1`).
 *
 * @remarks
 * Mirrors OTP `supervisor:which_children/1`, with the trellis extras of each {@link ChildInfo}:
 * ResumeID, incarnation, restart count and last exit. The list is a snapshot, read synchronously;
 * it does not change as the tree moves on.
 *
 * @param ref - the supervisor.
 * @returns one {@link ChildInfo} per spec, in reverse start order.
 * @throws {@link SupervisorNotRunningError} when the supervisor has ended.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { defineSupervisor, fromWorker, startSupervisor, stopSupervisor, whichChildren } from '@trellis/core';
 * const idle = fromWorker(({ signal }) => new Promise((r) => signal.addEventListener('abort', r)));
 * const sup = await startSupervisor(defineSupervisor({ id: 'root', children: [{ id: 'a', start: idle }, { id: 'b', start: idle }] }));
 * assert.deepEqual(whichChildren(sup).map((c) => c.id), ['b', 'a']);
 * await stopSupervisor(sup);
 * ```
 *
 * @category commands
 * @since 0.1.0
 */
export function whichChildren(ref: SupervisorRef): ChildInfo[] {
  return runtimeOf(ref, 'whichChildren').whichChildren();
}

/**
 * Counts specs, live children, supervisors and workers (OTP `count_children/1`).
 *
 * @remarks
 * `active` counts children with a live incarnation; `supervisors` and `workers` count specs by
 * type, running or not; a restarting child is counted by type but not as active.
 *
 * @param ref - the supervisor.
 * @returns the counts.
 * @throws {@link SupervisorNotRunningError} when the supervisor has ended.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { countChildren, defineSupervisor, startSupervisor, stopSupervisor } from '@trellis/core';
 * const sup = await startSupervisor(defineSupervisor({ id: 'root', children: [] }));
 * assert.deepEqual(countChildren(sup), { specs: 0, active: 0, supervisors: 0, workers: 0 });
 * await stopSupervisor(sup);
 * ```
 *
 * @category commands
 * @since 0.1.0
 */
export function countChildren(ref: SupervisorRef): ChildCounts {
  return runtimeOf(ref, 'countChildren').countChildren();
}

/**
 * How much of a supervisor's restart budget is used right now: a read-only query for gauges.
 *
 * @remarks
 * Not in OTP, which keeps its restart list private. For the default intensity window it is the
 * restarts inside `[now - periodMs, now]` against the intensity; one more restart than `limit`
 * within the window makes the supervisor give up. Reading it counts nothing.
 *
 * @param ref - the supervisor.
 * @returns the usage, or `undefined` for a custom budget without a `usage` method.
 * @throws {@link SupervisorNotRunningError} when the supervisor has ended.
 *
 * @example One restart of three allowed
 * ```ts
 * import assert from 'node:assert/strict';
 * import { defineSupervisor, restartBudgetUsage, startSupervisor, stopSupervisor } from '@trellis/core';
 * import { createTestClock, scriptedChild, settle } from '@trellis/core/testing';
 * const db = scriptedChild();
 * const sup = await startSupervisor(defineSupervisor({ id: 'root', intensity: 3, periodMs: 5_000, children: [{ id: 'db', start: db }] }), { clock: createTestClock() });
 * db.crash();
 * await settle();
 * assert.deepEqual(restartBudgetUsage(sup), { used: 1, limit: 3 });
 * await stopSupervisor(sup);
 * ```
 *
 * @category commands
 * @since 0.1.0
 */
export function restartBudgetUsage(ref: SupervisorRef): RestartBudgetUsage | undefined {
  return runtimeOf(ref, 'restartBudgetUsage').restartBudgetUsage();
}

/**
 * The full spec of a child, defaults filled in (OTP `get_childspec/2`).
 *
 * @remarks
 * Mirrors OTP `supervisor:get_childspec/2`. The spec is the one the supervisor holds, validated and
 * with every default filled in, so it can be passed to {@link startChild} of another supervisor as
 * it is.
 *
 * @param ref - the supervisor.
 * @param id - the child.
 * @returns its validated spec.
 * @throws {@link ChildNotFoundError} when no child has this id.
 * @throws {@link SupervisorNotRunningError} when the supervisor has ended.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { defineSupervisor, fromWorker, getChildSpec, startSupervisor, stopSupervisor } from '@trellis/core';
 * const idle = fromWorker(({ signal }) => new Promise((r) => signal.addEventListener('abort', r)));
 * const sup = await startSupervisor(defineSupervisor({ id: 'root', children: [{ id: 'db', start: idle }] }));
 * assert.equal(getChildSpec(sup, 'db').shutdown, 5000);
 * await stopSupervisor(sup);
 * ```
 *
 * @category commands
 * @since 0.1.0
 */
export function getChildSpec(ref: SupervisorRef, id: ChildId): ChildSpec {
  return runtimeOf(ref, 'getChildSpec').getChildSpec(id);
}
