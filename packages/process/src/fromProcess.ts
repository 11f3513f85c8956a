/**
 * `fromProcess`: XState actor logic for one OS process, to use as a child spec's `start`. Each
 * incarnation spawns the command as the leader of its own process group, with its handover in
 * `TRELLIS_*` environment variables; stopping signals the group, then SIGKILLs it.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import type { ActorLogic, ActorRefFrom, AnyActorRef, EventObject, Snapshot } from 'xstate';
import { exit, isClock, notifyReady, SHUTDOWN_REQUEST, silentLogger, systemClock, withChildProtocol, type Clock, type ExitRequest, type Handover, type Logger, type TimeoutDetail } from '@trellis/core';
import { handoverToEnv } from '@trellis/core/env';
import { defaultProcessLogger } from './defaultLogger.js';
import { ReadinessTimeoutError, SpawnError } from './errors.js';
import { exitReasonOf, ProcessCrashError } from './exitStatus.js';
import { nodeSpawner } from './nodeSpawner.js';
import { validateOptions, type ProcessOptions } from './options.js';
import { MemoryWatch, type MemoryTrip } from './memory/memoryLimit.js';
import { LineBudget, LineSplitter } from './output.js';
import { runLivenessProbe, waitForPort } from './probes.js';
import { spawnChannel, type SpawnMessage } from './spawnChannel.js';
import type { ProcessExitInfo, ProcessHandle } from './spawner.js';

/**
 * The input a supervisor gives a process actor: the spec's `input` fields plus the handover.
 *
 * @remarks
 * Started outside a supervisor (plain `createActor`), `handover` may be absent; the process then
 * gets `{ resumeId: <actor id>, incarnation: 0, previousExit: null }`.
 *
 * @example
 * ```ts
 * import type { ProcessInput } from '@trellis/process';
 * const input: ProcessInput = { handover: { resumeId: 'root/api', incarnation: 2, previousExit: null } };
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface ProcessInput {
  /** This incarnation's handover. */
  readonly handover?: Handover;
  /** Any other field of the spec's `input`; ignored by the logic. */
  readonly [key: string]: unknown;
}

/**
 * The snapshot of a process actor.
 *
 * @remarks
 * `status` is `'active'` while the process runs, `'done'` with an `ExitRequest` output when it
 * exited `normal`, `shutdown`, `killed` or `timeout`, and `'error'` with a
 * `ProcessCrashError`, `SpawnError` or `ReadinessTimeoutError` otherwise.
 *
 * @example Read the pid of a running child
 * ```ts no-run
 * import { whichChildren, type SupervisorRef } from '@trellis/core';
 * import type { ProcessSnapshot } from '@trellis/process';
 * declare const sup: SupervisorRef;
 * const pid = (whichChildren(sup)[0]?.ref?.getSnapshot() as ProcessSnapshot | undefined)?.pid;
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export type ProcessSnapshot = Snapshot<ExitRequest> & {
  /** The process id (also its process group id); `undefined` before the spawn or when it failed. */
  readonly pid: number | undefined;
  /** The child's persistent ResumeID. */
  readonly resumeId: string;
  /** Which start of the child this is (0 first). */
  readonly incarnation: number;
  /** Whether the process has passed its readiness check (or has been spawned, without one). */
  readonly ready: boolean;
  /** The input it was started with. */
  readonly input: ProcessInput | undefined;
};

/**
 * The actor logic {@link fromProcess} returns.
 *
 * @remarks
 * Marked with core's child protocol `{ gracefulStop: true, awaitReady: true, kind: 'actor' }`:
 * the supervisor asks it to stop with `trellis.shutdown`, and it has started once it reports
 * ready (spawned, or its readiness check passed).
 *
 * @example
 * ```ts
 * import { fromProcess, type ProcessActorLogic } from '@trellis/process';
 * const logic: ProcessActorLogic = fromProcess({ command: 'sleep', args: ['60'] });
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export type ProcessActorLogic = ActorLogic<ProcessSnapshot, EventObject, ProcessInput | undefined>;

/**
 * An actor running {@link ProcessActorLogic}.
 *
 * @remarks
 * Under a supervisor it is `ChildInfo.ref`; its snapshot is a {@link ProcessSnapshot}.
 *
 * @example
 * ```ts no-run
 * import { createActor } from 'xstate';
 * import { fromProcess, type ProcessActorRef } from '@trellis/process';
 * const actor: ProcessActorRef = createActor(fromProcess({ command: 'sleep', args: ['60'] })).start();
 * console.log(actor.getSnapshot().pid);
 * actor.stop(); // SIGKILL to the process group
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export type ProcessActorRef = ActorRefFrom<ProcessActorLogic>;

const PID = 'trellis.process.pid';
const READY = 'trellis.process.ready';
const NOT_READY = 'trellis.process.notReady';
const EXITED = 'trellis.process.exited';

const DEFAULT_READY_TIMEOUT_MS = 10_000;

interface Instance {
  handle: ProcessHandle | undefined;
  /** Aborts when the process stops or exits; made on first use (only probes need it). */
  controller: AbortController | undefined;
  ended: boolean;
  stopRequested: boolean;
  livenessKilled: boolean;
  livenessMisses: number;
  /** Set when the memory limit tripped: the detail of the `killed` exit. */
  memoryTrip: MemoryTrip | undefined;
  memoryWatch: MemoryWatch | undefined;
  /** The SIGKILL that follows `stopSignal` after a memory trip. */
  memoryKillTimer: unknown;
  exited: boolean;
  /** Handles from `clock.setTimeout`. */
  readyTimer: unknown;
  livenessTimer: unknown;
  logger: Logger;
  /** Every timer and time reading of this incarnation. */
  clock: Clock;
}

const instances = new WeakMap<AnyActorRef, Instance>();

/**
 * The actor system's clock (`createActor(logic, { clock })`, which `startSupervisor(logic, { clock })`
 * gives the whole tree) when it is a full {@link Clock}; XState's default has no `now()`.
 */
function systemClockOf(self: AnyActorRef): Clock | undefined {
  const clock = (self as { clock?: unknown }).clock;
  return isClock(clock) ? clock : undefined;
}

function cleanup(instance: Instance): void {
  if (instance.readyTimer !== undefined) instance.clock.clearTimeout(instance.readyTimer);
  if (instance.livenessTimer !== undefined) instance.clock.clearTimeout(instance.livenessTimer);
  instance.readyTimer = undefined;
  instance.livenessTimer = undefined;
  instance.memoryWatch?.stop();
  if (instance.memoryKillTimer !== undefined) instance.clock.clearTimeout(instance.memoryKillTimer);
  instance.memoryKillTimer = undefined;
  instance.ended = true;
  if (instance.controller !== undefined && !instance.controller.signal.aborted) instance.controller.abort(new DOMException('The process has stopped.', 'AbortError'));
}

function stopSignalOf(instance: Instance): AbortSignal {
  if (instance.controller === undefined) {
    instance.controller = new AbortController();
    if (instance.ended) instance.controller.abort(new DOMException('The process has stopped.', 'AbortError'));
  }
  return instance.controller.signal;
}

function describeReadiness(options: ProcessOptions): string {
  const r = options.readiness;
  if (r === undefined) return 'spawn';
  if (r.kind === 'line') return `a ${r.stream ?? 'stdout'} line matching ${String(r.pattern)}`;
  if (r.kind === 'tcp') return `tcp port 127.0.0.1:${r.port}`;
  return `ipc message ${JSON.stringify(r.message ?? 'ready')}`;
}

function buildEnv(options: ProcessOptions, handover: Handover): Record<string, string> {
  const prefix = options.envPrefix ?? 'TRELLIS_';
  const env: Record<string, string> = {};
  for (const source of [process.env, options.env ?? {}]) {
    for (const key of Object.keys(source)) {
      const value = source[key];
      if (value === undefined) delete env[key];
      else env[key] = value;
    }
  }
  // A stale handover (this process's own TRELLIS_PREV_EXIT_*, say) must never leak to a child.
  for (const key of Object.keys(env)) if (key.startsWith(prefix)) delete env[key];
  return Object.assign(env, handoverToEnv(handover, { prefix }));
}

function spawnErrorOf(options: ProcessOptions, error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return error;
  const hint = code === 'ENOENT' && options.cwd !== undefined && !existsSync(options.cwd) ? `working directory ${options.cwd} does not exist` : undefined;
  return new SpawnError(options.command, code, hint, { cause: error });
}

function lineMatches(pattern: RegExp | string, line: string): boolean {
  if (typeof pattern === 'string') return line.includes(pattern);
  pattern.lastIndex = 0;
  return pattern.test(line);
}

/**
 * Makes actor logic that runs one OS process per incarnation: a supervised child process.
 *
 * @remarks
 * **Start.** Spawns `command` with `args` as the leader of a new process group, with the
 * parent's environment merged with `env`, every `TRELLIS_*` variable removed, and this
 * incarnation's handover added (`handoverToEnv`). The child has started once the OS has spawned
 * it, or, with `readiness`, once the check passes. A command that does not exist, is not
 * executable, or a missing `cwd` is a start failure with a {@link SpawnError} naming the command
 * and the OS error; not ready within `readyTimeoutMs` is a start failure with a
 * {@link ReadinessTimeoutError}.
 *
 * **Stop.** Asked to stop (`trellis.shutdown`), it sends `stopSignal` (SIGTERM) to the group
 * (or the leader only, with `signalLeaderOnly`); when the supervisor's `shutdown` ms run out,
 * or under `brutal_kill`, the actor is stopped and SIGKILLs the whole group at once. When the
 * leader exits by itself, whatever is left of its group is SIGKILLed too, so grandchildren never
 * outlive it. A watchdog process kills every group should the Node process itself die.
 *
 * **Exit.** Code 0 is `normal`; a code in `shutdownExitCodes`, or any exit after a stop request,
 * is `shutdown`; a SIGKILL trellis did not send is `killed`; a liveness kill is `timeout`; any
 * other code or signal is a crash (`error`, with a {@link ProcessCrashError}). The supervisor
 * passes this on as the next incarnation's `previousExit`.
 *
 * **Time.** The readiness timeout, liveness intervals and probe timeouts, and the output line
 * budget run on `options.clock`, else on the actor system's clock when it is a full `Clock` (as
 * `startSupervisor(logic, { clock })` gives the whole tree), else on `systemClock`; so a test
 * clock steps them without sleeping. Only a `tcp` readiness check retries on real time.
 *
 * @param options - the command and how to run, watch and stop it.
 * @returns actor logic for a child spec's `start`.
 *
 * @throws {@link InvalidProcessOptionsError} when an option is invalid, naming the field.
 *
 * @example A supervised HTTP server, ready when its port accepts
 * ```ts no-run
 * import pino from 'pino';
 * import { defineSupervisor, startSupervisor, stopSupervisor } from '@trellis/core';
 * import { fromProcess } from '@trellis/process';
 *
 * const api = fromProcess({
 *   command: process.execPath,
 *   args: ['server.js'],
 *   readiness: { kind: 'tcp', port: 8080, readyTimeoutMs: 5_000 },
 *   liveness: { kind: 'http', port: 8080, path: '/healthz', intervalMs: 5_000, failureThreshold: 3 },
 *   logger: pino(),
 * });
 * const sup = await startSupervisor(defineSupervisor({ id: 'root', children: [{ id: 'api', start: api, shutdown: 3_000 }] }));
 * // ... later: SIGTERM to the group, up to 3 s, then SIGKILL.
 * await stopSupervisor(sup);
 * ```
 *
 * @category process
 * @since 0.1.0
 */
export function fromProcess(options: ProcessOptions): ProcessActorLogic {
  validateOptions(options);
  const spawner = options.spawner ?? nodeSpawner;
  const args = [...(options.args ?? [])];
  const stopSignal = options.stopSignal ?? 'SIGTERM';
  const signalGroup = options.signalLeaderOnly !== true;
  const shutdownExitCodes = [...(options.shutdownExitCodes ?? [])];
  const readiness = options.readiness;
  const readyTimeoutMs = readiness?.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
  const liveness = options.liveness;
  const memoryLimit = options.memoryLimit;
  const output = options.output ?? {};
  // The logger is read per incarnation: a default set by setDefaultProcessLogger after this
  // call (as `trellis run` does once it has loaded a config) still applies.
  const loggerOf = (): Logger | undefined => options.logger ?? defaultProcessLogger();
  const maxLineBytes = output.maxLineBytes ?? 16_384;
  const linesPerSecond = output.linesPerSecond ?? 1_000;
  const passThrough = output.passThrough === true;

  /** Over the limit for `samples` readings: `stopSignal` to the group, SIGKILL `killAfterMs` later. */
  function onMemoryTrip(instance: Instance, trip: MemoryTrip): void {
    if (instance.exited || instance.ended || instance.stopRequested) return;
    instance.memoryTrip = trip;
    instance.logger.warn({ event: 'process.memory.exceeded', ...trip }, 'resident set size over the memory limit; stopping the process group');
    instance.handle?.kill(stopSignal, signalGroup);
    instance.memoryKillTimer = instance.clock.setTimeout(() => {
      instance.memoryKillTimer = undefined;
      if (!instance.exited) instance.handle?.kill('SIGKILL', true);
    }, memoryLimit?.killAfterMs ?? 5_000);
  }

  function scheduleLiveness(self: AnyActorRef, instance: Instance, delayMs: number): void {
    if (liveness === undefined || instance.exited || instance.ended || instance.stopRequested) return;
    instance.livenessTimer = instance.clock.setTimeout(() => {
      instance.livenessTimer = undefined;
      void runLivenessProbe(liveness, liveness.timeoutMs ?? 1_000, stopSignalOf(instance), instance.clock).then((ok) => {
        if (instance.exited || instance.ended || instance.stopRequested) return;
        instance.livenessMisses = ok ? 0 : instance.livenessMisses + 1;
        if (instance.livenessMisses >= (liveness.failureThreshold ?? 3)) {
          instance.livenessKilled = true;
          instance.logger.warn({ event: 'process.liveness.failed', misses: instance.livenessMisses }, 'liveness check failed; killing the process group');
          instance.handle?.kill('SIGKILL', true);
          return;
        }
        scheduleLiveness(self, instance, liveness.intervalMs ?? 10_000);
      });
    }, delayMs);
  }

  function wireOutput(self: AnyActorRef, instance: Instance, handle: ProcessHandle, logLines: boolean): void {
    const budget = logLines
      ? new LineBudget(linesPerSecond, () => instance.clock.now(), (dropped) => instance.logger.warn({ event: 'process.output.dropped', dropped }, 'output lines dropped over the budget'))
      : undefined;
    for (const name of ['stdout', 'stderr'] as const) {
      const stream = handle[name];
      if (stream === null) continue;
      stream.on('error', () => {}); // a broken pipe is the process's end, which onExit reports
      const watchReady = readiness?.kind === 'line' && (readiness.stream ?? 'stdout') === name;
      if (passThrough) {
        const target = name === 'stdout' ? process.stdout : process.stderr;
        stream.on('data', (chunk: Buffer) => target.write(chunk));
      }
      if (!logLines && !watchReady) {
        if (!passThrough) stream.resume();
        continue;
      }
      let watching = watchReady;
      const splitter = new LineSplitter(maxLineBytes, (line, truncated) => {
        if (watching && readiness?.kind === 'line' && lineMatches(readiness.pattern, line)) {
          watching = false;
          if (self.getSnapshot().status === 'active') self.send({ type: READY });
        }
        if (budget?.take() === true) {
          const fields = truncated ? { stream: name, truncated: true } : { stream: name };
          if (name === 'stdout') instance.logger.info(fields, line);
          else instance.logger.warn(fields, line);
        }
      });
      stream.on('data', (chunk: Buffer) => splitter.write(chunk));
      stream.once('end', () => {
        splitter.end();
        budget?.report();
      });
    }
  }

  const logic: ProcessActorLogic = {
    config: options,
    getInitialSnapshot: (scope, input) => {
      const handover = input?.handover;
      return {
        status: 'active',
        output: undefined,
        error: undefined,
        pid: undefined,
        resumeId: handover?.resumeId ?? scope.self.id,
        incarnation: handover?.incarnation ?? 0,
        ready: false,
        input,
      };
    },
    transition: (snapshot, event, scope) => {
      if (snapshot.status !== 'active') return snapshot;
      const instance = instances.get(scope.self);
      switch (event.type) {
        case PID:
          return { ...snapshot, pid: (event as EventObject & { pid: number }).pid };
        case READY: {
          if (snapshot.ready) return snapshot;
          if (instance !== undefined) {
            if (instance.readyTimer !== undefined) instance.clock.clearTimeout(instance.readyTimer);
            instance.readyTimer = undefined;
            scheduleLiveness(scope.self, instance, liveness?.initialDelayMs ?? liveness?.intervalMs ?? 10_000);
          }
          notifyReady(scope.self);
          return { ...snapshot, ready: true };
        }
        case NOT_READY: {
          if (snapshot.ready || instance === undefined) return snapshot;
          cleanup(instance);
          instance.handle?.kill('SIGKILL', true);
          const error = new ReadinessTimeoutError(options.command, describeReadiness(options), readyTimeoutMs);
          return { ...snapshot, status: 'error', error, input: undefined };
        }
        case EXITED: {
          const info = (event as EventObject & { exit: ProcessExitInfo }).exit;
          if (info.error !== undefined) return { ...snapshot, status: 'error', error: spawnErrorOf(options, info.error), input: undefined };
          const reason = exitReasonOf({
            code: info.code,
            signal: info.signal,
            stopRequested: instance?.stopRequested === true,
            livenessKilled: instance?.livenessKilled === true,
            memoryKilled: instance?.memoryTrip !== undefined,
            shutdownExitCodes,
          });
          if (reason === 'error') {
            return { ...snapshot, status: 'error', error: new ProcessCrashError(options.command, info.code, info.signal), input: undefined };
          }
          const detail = reason === 'timeout' ? ({ check: 'liveness', misses: instance?.livenessMisses ?? 0 } satisfies TimeoutDetail) : instance?.memoryTrip;
          const fields = detail === undefined ? { code: info.code, signal: info.signal } : { code: info.code, signal: info.signal, detail };
          return { ...snapshot, status: 'done', output: exit.of(reason, fields), input: undefined };
        }
        case SHUTDOWN_REQUEST: {
          if (instance !== undefined && !instance.stopRequested) {
            instance.stopRequested = true;
            if (instance.readyTimer !== undefined) instance.clock.clearTimeout(instance.readyTimer);
            if (instance.livenessTimer !== undefined) instance.clock.clearTimeout(instance.livenessTimer);
            instance.readyTimer = undefined;
            instance.livenessTimer = undefined;
            instance.memoryWatch?.stop();
            instance.handle?.kill(stopSignal, signalGroup);
          }
          return snapshot;
        }
        case 'xstate.stop': {
          if (instance !== undefined) {
            cleanup(instance);
            // Synchronously, before anything else: the supervisor's kill.
            if (!instance.exited) instance.handle?.kill('SIGKILL', true);
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
      const handover: Handover = snapshot.input?.handover ?? { resumeId: self.id, incarnation: 0, previousExit: null };
      const instance: Instance = {
        handle: undefined,
        controller: undefined,
        ended: false,
        stopRequested: false,
        livenessKilled: false,
        livenessMisses: 0,
        memoryTrip: undefined,
        memoryWatch: undefined,
        memoryKillTimer: undefined,
        exited: false,
        readyTimer: undefined,
        livenessTimer: undefined,
        logger: silentLogger,
        clock: options.clock ?? systemClockOf(self) ?? systemClock,
      };
      instances.set(self, instance);
      let handle: ProcessHandle;
      try {
        const env = buildEnv(options, handover);
        // Instrumentation (TRACEPARENT from @trellis/otel) adds to the env here, before the spawn.
        if (spawnChannel.hasSubscribers) {
          const message: SpawnMessage = { command: options.command, args, resumeId: handover.resumeId, incarnation: handover.incarnation, env };
          spawnChannel.publish(message);
        }
        handle = spawner.spawn(options.command, args, { cwd: options.cwd, env, ipc: readiness?.kind === 'ipc' });
      } catch (error) {
        instances.delete(self);
        throw spawnErrorOf(options, error); // a start failure
      }
      instance.handle = handle;
      const pid = handle.pid;
      const baseLogger = loggerOf();
      if (baseLogger !== undefined) instance.logger = baseLogger.child({ child: handover.resumeId, incarnation: handover.incarnation, pid });
      handle.onExit((info) => {
        instance.exited = true;
        cleanup(instance);
        // Whatever is left of the group (grandchildren) goes with its leader.
        if (info.error === undefined) handle.kill('SIGKILL', true);
        if (info.error === undefined) instance.logger.info({ event: 'process.exited', code: info.code, signal: info.signal }, 'process exited');
        if (self.getSnapshot().status === 'active') self.send({ type: EXITED, exit: info } as EventObject);
      });
      wireOutput(self, instance, handle, output.log !== false && baseLogger !== undefined);
      if (readiness === undefined) {
        handle.onSpawn(() => {
          if (self.getSnapshot().status === 'active') self.send({ type: READY });
        });
      } else {
        instance.readyTimer = instance.clock.setTimeout(() => {
          instance.readyTimer = undefined;
          if (self.getSnapshot().status === 'active') self.send({ type: NOT_READY });
        }, readyTimeoutMs);
        if (readiness.kind === 'tcp') {
          handle.onSpawn(() => {
            waitForPort(readiness.port, readiness.intervalMs ?? 25, readyTimeoutMs, stopSignalOf(instance)).then(
              () => {
                if (self.getSnapshot().status === 'active') self.send({ type: READY });
              },
              () => {}, // aborted: stopped, exited or timed out, which is reported elsewhere
            );
          });
        } else if (readiness.kind === 'ipc') {
          const expected = readiness.message ?? 'ready';
          handle.onMessage((message) => {
            const type = typeof message === 'object' && message !== null ? (message as { type?: unknown }).type : message;
            if (type === expected && self.getSnapshot().status === 'active') self.send({ type: READY });
          });
        }
      }
      if (pid !== undefined) self.send({ type: PID, pid } as EventObject);
      if (pid !== undefined && memoryLimit !== undefined) {
        instance.memoryWatch = new MemoryWatch(memoryLimit, pid, instance.clock, (trip) => onMemoryTrip(instance, trip));
      }
    },
    getPersistedSnapshot: (snapshot) => snapshot,
  };
  return withChildProtocol(logic, { gracefulStop: true, awaitReady: true, kind: 'actor' });
}
