/**
 * `fromWorkerThread`: XState actor logic for one `node:worker_threads` thread per incarnation,
 * to use as a child spec's `start`. The handover goes in as `workerData`; stopping asks the
 * thread through its `threadChild()` helper, then the supervisor's `shutdown` time runs out and
 * the thread is `terminate()`d.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ActorLogic, AnyActorRef, EventObject, Snapshot } from 'xstate';
import { notifyReady, SHUTDOWN_REQUEST, silentLogger, systemClock, withChildProtocol, type Clock, type ExitRequest, type Handover, type Logger, type WorkerInput } from '@trellis/core';
import { threadExitOf } from './threadExit.js';
import { validateThreadArguments, type WorkerThreadOptions } from './threadOptions.js';
import { THREAD_DATA_KEY, THREAD_HEARTBEAT, THREAD_READY, THREAD_SHUTDOWN, type ThreadData } from './threadProtocol.js';

/**
 * The snapshot of a worker-thread actor.
 *
 * @remarks
 * `status` is `'active'` while the thread runs, `'done'` with an `ExitRequest` output for a
 * `normal`, `shutdown`, `killed` (out of memory) or `timeout` (missed heartbeat) exit, and
 * `'error'` for a crash (the thread's uncaught error, or a `ThreadCrashError`).
 *
 * @example
 * ```ts no-run
 * import { whichChildren, type SupervisorRef } from '@trellis/core';
 * import type { WorkerThreadSnapshot } from '@trellis/process';
 * declare const sup: SupervisorRef;
 * const threadId = (whichChildren(sup)[0]?.ref?.getSnapshot() as WorkerThreadSnapshot | undefined)?.threadId;
 * ```
 *
 * @category models
 * @since 0.2.0
 */
export type WorkerThreadSnapshot = Snapshot<ExitRequest> & {
  /** The `Worker`'s `threadId`; `undefined` before it was made. */
  readonly threadId: number | undefined;
  /** Whether the thread has started (online, or `ready()` with `awaitReady`). */
  readonly ready: boolean;
  /** The input it was started with; `undefined` once it has ended. */
  readonly input: WorkerInput | undefined;
};

/**
 * The actor logic {@link fromWorkerThread} returns.
 *
 * @remarks
 * Marked with core's child protocol `{ gracefulStop: true, awaitReady: true, kind: 'worker' }`:
 * the supervisor gives it `{ handover, input, logger, clock }`, asks it to stop with
 * `trellis.shutdown`, and counts it started once it is online (or ready).
 *
 * @example
 * ```ts
 * import { fromWorkerThread, type WorkerThreadLogic } from '@trellis/process';
 * const logic: WorkerThreadLogic = fromWorkerThread(new URL('./thread.js', import.meta.url));
 * ```
 *
 * @category models
 * @since 0.2.0
 */
export type WorkerThreadLogic = ActorLogic<WorkerThreadSnapshot, EventObject, WorkerInput | undefined>;

const ONLINE = 'trellis.thread.online';
const READY = 'trellis.thread.readyReceived';
const NOT_READY = 'trellis.thread.notReady';
const HEARTBEAT_MISSED = 'trellis.thread.heartbeatMissed';
const EXITED = 'trellis.thread.exited';

interface Instance {
  worker: Worker | undefined;
  stopRequested: boolean;
  heartbeatMissed: boolean;
  /** The error of the thread's `'error'` event, read when it exits. */
  error: unknown;
  exited: boolean;
  readyTimer: unknown;
  heartbeatTimer: unknown;
  /** Beats received so far: a miss is declared only if none came in while its verdict waited. */
  beats: number;
  clock: Clock;
  logger: Logger;
}

const instances = new WeakMap<AnyActorRef, Instance>();

function clearTimers(instance: Instance): void {
  if (instance.readyTimer !== undefined) instance.clock.clearTimeout(instance.readyTimer);
  if (instance.heartbeatTimer !== undefined) instance.clock.clearTimeout(instance.heartbeatTimer);
  instance.readyTimer = undefined;
  instance.heartbeatTimer = undefined;
}

function describeFile(file: string | URL): string {
  return file instanceof URL ? file.href : file;
}

/** A module that is certainly missing: caught at start, so it is a start failure, not a crash loop. */
function missingFile(file: string | URL): string | undefined {
  const path = file instanceof URL ? (file.protocol === 'file:' ? fileURLToPath(file) : undefined) : file;
  return path !== undefined && !existsSync(path) ? path : undefined;
}

/**
 * Makes actor logic that runs a module in its own worker thread per incarnation: a supervised
 * `node:worker_threads` child.
 *
 * @remarks
 * **Start.** Makes `new Worker(file, { workerData, resourceLimits, argv, execArgv })`, where
 * `workerData` carries the handover, the spec's `input` and the heartbeat period for the
 * thread-side helper `threadChild()` (from `@trellis/process/thread`). The child has started
 * once the thread is online, or, with `awaitReady`, once it calls `ready()`; a missing module
 * file, or no `ready()` within `readyTimeoutMs`, is a start failure.
 *
 * **Stop.** Asked to stop, it posts a stop message that aborts the thread's `signal`; the
 * thread ends as it sees fit. When the spec's `shutdown` ms run out, or under `brutal_kill`, the
 * actor is stopped and calls `worker.terminate()`, which ends even a thread whose event loop is
 * blocked.
 *
 * **Exit** ({@link threadExitOf}). Code 0 is `normal`; a code in `shutdownExitCodes`, or any end
 * after a stop request, is `shutdown`; a missed heartbeat is `timeout`; running out of the
 * `resourceLimits` heap is `killed` with a detail naming the limit; an uncaught error is a crash
 * with that error; any other code is a crash with a `ThreadCrashError`.
 *
 * **Hung threads.** With `heartbeatMs`, the count starts at the thread's first beat (its
 * `threadChild()` call, which then beats from a timer); a thread that goes `heartbeatMs` without
 * one, such as one whose event loop is blocked, is `terminate()`d and ends with a `timeout` exit.
 * Before that first beat only `awaitReady`'s `readyTimeoutMs` bounds a thread.
 *
 * **Time.** The ready timeout and the heartbeat run on the supervisor's clock.
 *
 * On Node 20 a worker thread cannot load a `.ts` module through the parent's `--import tsx`:
 * give it JavaScript, or a `.mjs` file that registers tsx (`tsx/esm/api`) and imports the
 * TypeScript module.
 *
 * @param file - the thread's module: a path or a `file:` URL (`new URL('./thread.js', import.meta.url)`).
 * @param options - readiness, heartbeat, limits and exit codes.
 * @returns actor logic for a child spec's `start`.
 * @throws `SupervisorArgumentError` from `@trellis/core` when `file` or an option is invalid, naming the field (an
 * unknown key names the closest valid one).
 *
 * @example A CPU-bound thread with a heap limit and a heartbeat
 * ```ts no-run
 * import { defineSupervisor, startSupervisor, stopSupervisor } from '@trellis/core';
 * import { fromWorkerThread } from '@trellis/process';
 * const resizer = fromWorkerThread(new URL('./resizer.js', import.meta.url), {
 *   heartbeatMs: 2_000,
 *   resourceLimits: { maxOldGenerationSizeMb: 256 },
 * });
 * const sup = await startSupervisor(defineSupervisor({ id: 'root', children: [{ id: 'resizer', start: resizer, shutdown: 1_000 }] }));
 * await stopSupervisor(sup); // stop message, up to 1 s, then terminate()
 * ```
 *
 * @category process
 * @since 0.2.0
 */
export function fromWorkerThread(file: string | URL, options: WorkerThreadOptions = {}): WorkerThreadLogic {
  validateThreadArguments(file, options);
  const awaitReady = options.awaitReady === true;
  const readyTimeoutMs = options.readyTimeoutMs ?? 5_000;
  const heartbeatMs = options.heartbeatMs;
  const resourceLimits = options.resourceLimits === undefined ? undefined : { ...options.resourceLimits };
  const shutdownExitCodes = [...(options.shutdownExitCodes ?? [])];
  const argv = options.argv === undefined ? undefined : [...options.argv];
  const execArgv = options.execArgv === undefined ? undefined : [...options.execArgv];
  const where = describeFile(file);

  function armHeartbeat(self: AnyActorRef, instance: Instance): void {
    if (heartbeatMs === undefined || instance.stopRequested || instance.exited) return;
    if (instance.heartbeatTimer !== undefined) instance.clock.clearTimeout(instance.heartbeatTimer);
    instance.heartbeatTimer = instance.clock.setTimeout(() => {
      instance.heartbeatTimer = undefined;
      // When this (the parent's) event loop was stalled, the timer fires before the beats queued
      // meanwhile are delivered (timers run before I/O): give them one turn of the loop first.
      const beats = instance.beats;
      setImmediate(() => {
        if (instance.beats === beats && self.getSnapshot().status === 'active') self.send({ type: HEARTBEAT_MISSED });
      });
    }, heartbeatMs);
  }

  const logic: WorkerThreadLogic = {
    config: file,
    getInitialSnapshot: (_scope, input) => ({ status: 'active', output: undefined, error: undefined, threadId: undefined, ready: false, input }),
    transition: (snapshot, event, scope) => {
      if (snapshot.status !== 'active') return snapshot;
      const instance = instances.get(scope.self);
      switch (event.type) {
        case ONLINE: {
          const online = { ...snapshot, threadId: instance?.worker?.threadId };
          if (awaitReady || snapshot.ready) return online;
          notifyReady(scope.self);
          return { ...online, ready: true };
        }
        case READY: {
          if (snapshot.ready || !awaitReady) return snapshot;
          if (instance?.readyTimer !== undefined) instance.clock.clearTimeout(instance.readyTimer);
          if (instance !== undefined) instance.readyTimer = undefined;
          notifyReady(scope.self);
          return { ...snapshot, ready: true };
        }
        case THREAD_HEARTBEAT: {
          // The first beat (the thread's threadChild() call) starts the count: loading a module
          // may take longer than a heartbeat period; `awaitReady` bounds that part.
          if (instance !== undefined) {
            instance.beats += 1;
            armHeartbeat(scope.self, instance);
          }
          return snapshot;
        }
        case NOT_READY: {
          if (snapshot.ready || instance === undefined) return snapshot;
          clearTimers(instance);
          void instance.worker?.terminate();
          const error = new Error(`worker thread ${where} did not call ready() within ${readyTimeoutMs} ms`);
          error.name = 'ReadyTimeoutError';
          return { ...snapshot, status: 'error', error, input: undefined };
        }
        case HEARTBEAT_MISSED: {
          if (instance === undefined || instance.stopRequested || instance.exited) return snapshot;
          instance.heartbeatMissed = true;
          instance.logger.warn({ event: 'thread.heartbeat.missed', heartbeatMs }, 'worker thread missed its heartbeat; terminating it');
          void instance.worker?.terminate();
          return snapshot; // it ends when the thread has exited
        }
        case EXITED: {
          const code = (event as EventObject & { code: number }).code;
          const result = threadExitOf(
            { code, error: instance?.error, stopRequested: instance?.stopRequested === true, heartbeatMissed: instance?.heartbeatMissed === true, shutdownExitCodes, heartbeatMs, resourceLimits },
            where,
          );
          if (result.done !== undefined) return { ...snapshot, status: 'done', output: result.done, input: undefined };
          return { ...snapshot, status: 'error', error: result.error, input: undefined };
        }
        case SHUTDOWN_REQUEST: {
          if (instance !== undefined && !instance.stopRequested) {
            instance.stopRequested = true;
            clearTimers(instance);
            instance.worker?.postMessage({ type: THREAD_SHUTDOWN });
          }
          return snapshot;
        }
        case 'xstate.stop': {
          if (instance !== undefined) {
            clearTimers(instance);
            // The supervisor's kill: after `shutdown` ms, under brutal_kill, or the tree going away.
            if (!instance.exited) void instance.worker?.terminate();
            instances.delete(scope.self);
          }
          return { ...snapshot, status: 'stopped', input: undefined };
        }
        default:
          return snapshot;
      }
    },
    start: (snapshot, scope) => {
      if (snapshot.status !== 'active') return;
      const { self } = scope;
      const input = snapshot.input;
      const handover: Handover = input?.handover ?? { resumeId: self.id, incarnation: 0, previousExit: null };
      const missing = missingFile(file);
      // A start failure (XState catches it): restarting cannot make the file appear.
      if (missing !== undefined) throw new Error(`worker thread module ${missing} does not exist`);
      const clock = input?.clock ?? systemClock;
      const instance: Instance = {
        worker: undefined,
        stopRequested: false,
        heartbeatMissed: false,
        error: undefined,
        exited: false,
        readyTimer: undefined,
        heartbeatTimer: undefined,
        beats: 0,
        clock,
        logger: (input?.logger ?? silentLogger).child({ thread: where }),
      };
      instances.set(self, instance);
      const data: ThreadData = { handover, input: input?.input, heartbeatMs, awaitReady };
      const worker = new Worker(file, {
        workerData: { [THREAD_DATA_KEY]: data },
        ...(resourceLimits === undefined ? {} : { resourceLimits }),
        ...(argv === undefined ? {} : { argv }),
        ...(execArgv === undefined ? {} : { execArgv }),
      });
      instance.worker = worker;
      const live = (): boolean => instances.get(self) === instance && self.getSnapshot().status === 'active';
      worker.once('online', () => {
        if (live()) self.send({ type: ONLINE });
      });
      worker.on('message', (message: unknown) => {
        const type = (message as { type?: unknown } | null)?.type;
        if (!live()) return;
        if (type === THREAD_HEARTBEAT) self.send({ type: THREAD_HEARTBEAT });
        else if (type === THREAD_READY) self.send({ type: READY });
      });
      worker.on('error', (error: unknown) => {
        instance.error ??= error;
      });
      worker.once('exit', (code: number) => {
        instance.exited = true;
        clearTimers(instance);
        instance.logger.info({ event: 'thread.exited', code, threadId: worker.threadId }, 'worker thread exited');
        if (live()) self.send({ type: EXITED, code } as EventObject);
      });
      if (awaitReady) {
        instance.readyTimer = clock.setTimeout(() => {
          instance.readyTimer = undefined;
          if (live()) self.send({ type: NOT_READY });
        }, readyTimeoutMs);
      }
    },
    getPersistedSnapshot: (snapshot) => snapshot,
  };
  return withChildProtocol(logic, { gracefulStop: true, awaitReady: true, kind: 'worker' });
}
