/**
 * {@link stopOnSignals}: SIGINT and SIGTERM stop a tree in order, even when a launcher delivers
 * them in pairs.
 *
 * @module
 */
import { systemClock, type Clock } from '../clock.js';
import { stopSupervisor } from '../commands.js';
import type { SupervisorRef } from '../defineSupervisor.js';
import { SupervisorArgumentError } from '../errors.js';
import type { SupervisorExit } from '../types.js';
import { unknownKeyMessage } from '../validation/unknownKeys.js';

/**
 * A signal that asks a program to stop.
 *
 * @remarks
 * The two signals that ask for an ordered stop; SIGHUP and others keep Node's defaults.
 *
 * @example
 * ```ts
 * import type { StopSignal } from '@trellis/core';
 * const signal: StopSignal = 'SIGTERM';
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export type StopSignal = 'SIGINT' | 'SIGTERM';

/**
 * Where signals come from: `process`, or any emitter with `on` and `off` (tests use an
 * `EventEmitter`).
 *
 * @remarks
 * The seam that lets a unit test send signals without signalling the test runner itself.
 *
 * @example
 * ```ts
 * import { EventEmitter } from 'node:events';
 * import type { SignalSource } from '@trellis/core';
 * const source: SignalSource = new EventEmitter();
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface SignalSource {
  /** Adds a listener, called with the signal's name (as `process.on` does). */
  on(signal: StopSignal, listener: (signal: StopSignal) => void): unknown;
  /** Removes a listener added with `on`. */
  off(signal: StopSignal, listener: (signal: StopSignal) => void): unknown;
}

/**
 * What {@link stopOnSignals} did with one signal: started the ordered stop, ignored it as a
 * repeat, or forced the program to exit.
 *
 * @remarks
 * `trellis run` logs each one: `tree.stopping`, `signal.ignored` or `tree.killed`.
 *
 * @example
 * ```ts
 * import type { SignalAction } from '@trellis/core';
 * const action: SignalAction = { signal: 'SIGINT', action: 'ignore', sinceFirstMs: 8 };
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface SignalAction {
  /** The signal received. */
  readonly signal: StopSignal;
  /** `stop`: the first, which started the ordered stop; `ignore`: a repeat; `force`: a late SIGINT that exits. */
  readonly action: 'stop' | 'ignore' | 'force';
  /** Milliseconds since the first signal (0 for the first). */
  readonly sinceFirstMs: number;
}

/**
 * The options of {@link stopOnSignals}.
 *
 * @remarks
 * Every option is optional; an unknown key is rejected with a `SupervisorArgumentError` naming it.
 *
 * @example
 * ```ts
 * import type { StopOnSignalsOptions } from '@trellis/core';
 * const options: StopOnSignalsOptions = { forceAfterMs: 2_000, onSignal: ({ signal, action }) => console.log(signal, action) };
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface StopOnSignalsOptions {
  /** The stop reason given to `stopSupervisor`; default `'shutdown'` (OTP: a stop from outside). */
  readonly reason?: SupervisorExit['reason'];
  /** A SIGINT this long after the first signal forces the exit; default 1,000 ms. */
  readonly forceAfterMs?: number;
  /** Exit code of a forced exit; default 130 (128 + SIGINT). */
  readonly forceExitCode?: number;
  /** Reads the time between signals; default `systemClock`. */
  readonly clock?: Pick<Clock, 'now'>;
  /** Where signals come from; default `process`. */
  readonly source?: SignalSource;
  /** How the program exits, forced or at the end of a signal's stop; default `process.exit`. */
  readonly exit?: (code: number) => void;
  /** Told about every signal and what was done with it, for logging. */
  readonly onSignal?: (action: SignalAction) => void;
}

/**
 * The handle {@link stopOnSignals} returns.
 *
 * @remarks
 * `stopped` is how a program learns that a signal ended its tree, to report and exit.
 *
 * @example
 * ```ts
 * import type { SignalStop } from '@trellis/core';
 * const describe = (stop: SignalStop): string => stop.signal ?? 'running';
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface SignalStop {
  /** The first signal received, once one has been. */
  readonly signal: StopSignal | undefined;
  /**
   * Settles with the supervisor's exit once the ordered stop a signal started has ended (and
   * rejects if that stop failed). Never settles if no signal comes or the supervisor never starts.
   */
  readonly stopped: Promise<SupervisorExit>;
  /**
   * Stops listening. Until then, signals after the stop has ended are still ignored (or, for a
   * late SIGINT, force the exit): a launcher's paired signal can come after a quick stop. It also
   * drops the exit at the end of a signal's stop, for a program that ends itself another way.
   */
  dispose(): void;
}

const OPTION_KEYS = ['reason', 'forceAfterMs', 'forceExitCode', 'clock', 'source', 'exit', 'onSignal'] as const;
const SIGNALS: readonly StopSignal[] = ['SIGINT', 'SIGTERM'];

function checkOptions(options: unknown): asserts options is StopOnSignalsOptions {
  const bad = (argument: string, rule: string, value: unknown): never => {
    throw new SupervisorArgumentError('stopOnSignals', argument, rule, value);
  };
  if (typeof options !== 'object' || options === null || Array.isArray(options)) bad('options', 'must be an object', options);
  const o = options as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!(OPTION_KEYS as readonly string[]).includes(key)) bad(`options.${key}`, `is not an option: ${unknownKeyMessage(key, 'stopOnSignals options', OPTION_KEYS)}`, o[key]);
  }
  if (o.reason !== undefined && o.reason !== 'normal' && o.reason !== 'shutdown') bad('options.reason', "must be 'normal' or 'shutdown'", o.reason);
  for (const key of ['forceAfterMs', 'forceExitCode'] as const) {
    const value = o[key];
    if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value < 0)) bad(`options.${key}`, 'must be a non-negative integer', value);
  }
  if (o.clock !== undefined && typeof (o.clock as Partial<Clock> | null)?.now !== 'function') bad('options.clock', 'must have now()', o.clock);
  const source = o.source as Partial<SignalSource> | null | undefined;
  if (source !== undefined && (typeof source?.on !== 'function' || typeof source.off !== 'function')) bad('options.source', 'must have on() and off()', source);
  for (const key of ['exit', 'onSignal'] as const) {
    if (o[key] !== undefined && typeof o[key] !== 'function') bad(`options.${key}`, 'must be a function', o[key]);
  }
}

/**
 * Stops a supervisor in order on SIGINT or SIGTERM, and lets a launcher's paired signals through
 * without skipping that stop.
 *
 * @remarks
 * The first SIGINT or SIGTERM starts `stopSupervisor(sup, reason)`. Repeats while the stop runs
 * are ignored, because launchers send them in pairs: `pnpm exec` passes a terminal's Ctrl-C on
 * as SIGINT and then SIGTERM a few milliseconds later (decision 0010). Only a SIGINT that comes
 * `forceAfterMs` (1 s) or more after the first signal forces the exit with `forceExitCode`
 * (130): a person pressing Ctrl-C again on a stop that takes too long. A SIGTERM never forces:
 * a service manager that has waited long enough sends SIGKILL. The listeners stay until
 * `dispose()`, even once the stop has ended: a stop can take less than the few milliseconds
 * between a launcher's two signals, and the second must not kill the program while it reports
 * how it ended. They hold no handle, so a program that has nothing left to do still exits: once
 * a signal's stop has ended and the event loop has emptied (`beforeExit`), it leaves through
 * `process.exit` with the `process.exitCode` it set (0 if none). Node's own end would put back
 * the default signal actions before the process is gone, so a paired SIGTERM landing in that
 * window would kill the program after its ordered stop (decision 0029). `process.exit` still
 * runs every `'exit'` listener; a program with more work to do in its own `beforeExit` calls
 * `dispose()` first. `sup` may be a promise of the supervisor (`startSupervisor(...)`), so a
 * signal that arrives while the tree starts stops it as soon as it has started.
 *
 * @param sup - the supervisor, or a promise of it.
 * @param options - see {@link StopOnSignalsOptions}; an unknown key is an error.
 * @returns a handle whose `stopped` settles once the ordered stop has ended.
 * @throws {@link SupervisorArgumentError} when an option breaks its rule or is unknown.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { EventEmitter } from 'node:events';
 * import { defineSupervisor, fromWorker, startSupervisor, stopOnSignals } from '@trellis/core';
 * const idle = fromWorker(({ signal }) => new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve())));
 * const sup = await startSupervisor(defineSupervisor({ id: 'root', children: [{ id: 'w', start: idle }] }));
 * const source = new EventEmitter(); // `process` by default
 * const stop = stopOnSignals(sup, { source });
 * source.emit('SIGINT', 'SIGINT');
 * source.emit('SIGTERM', 'SIGTERM'); // pnpm exec's second signal: ignored
 * assert.deepEqual(await stop.stopped, { reason: 'shutdown' });
 * ```
 *
 * @category commands
 * @since 0.1.0
 */
export function stopOnSignals(sup: SupervisorRef | PromiseLike<SupervisorRef>, options: StopOnSignalsOptions = {}): SignalStop {
  checkOptions(options);
  if (typeof sup !== 'object' || sup === null) throw new SupervisorArgumentError('stopOnSignals', 'sup', 'must be a supervisor or a promise of one', sup);
  const { reason = 'shutdown', forceAfterMs = 1_000, forceExitCode = 130, clock = systemClock, source = process, exit = (code: number) => process.exit(code), onSignal } = options;
  let first: { signal: StopSignal; at: number } | undefined;
  let listening = true;
  let resolveStopped: (exit: SupervisorExit) => void = () => {};
  let rejectStopped: (error: unknown) => void = () => {};
  const stopped = new Promise<SupervisorExit>((resolve, reject) => {
    resolveStopped = resolve;
    rejectStopped = reject;
  });
  stopped.catch(() => {}); // the caller who awaits it sees the failure; nobody else must
  let ref: SupervisorRef | undefined;
  let started = false;
  const startStop = (): void => {
    if (ref === undefined || first === undefined || started) return;
    started = true;
    stopSupervisor(ref, reason).then(
      (result) => resolveStopped(result),
      (error: unknown) => rejectStopped(error),
    );
  };
  const listener = (signal: StopSignal): void => {
    const now = clock.now();
    if (first === undefined) {
      first = { signal, at: now };
      onSignal?.({ signal, action: 'stop', sinceFirstMs: 0 });
      startStop();
      return;
    }
    const sinceFirstMs = now - first.at;
    if (signal === 'SIGINT' && sinceFirstMs >= forceAfterMs) {
      onSignal?.({ signal, action: 'force', sinceFirstMs });
      exit(forceExitCode);
      return;
    }
    onSignal?.({ signal, action: 'ignore', sinceFirstMs });
  };
  // Once the loop of a program whose stop a signal started has emptied, the program leaves through
  // `exit` (process.exit) with the code it set, rather than by Node's own teardown: that teardown
  // puts back the default signal actions before the process is gone, so a launcher's paired
  // SIGTERM landing then killed a program that had stopped in order and reported (exit by SIGTERM;
  // decision 0029). process.exit runs the 'exit' listeners and keeps the handlers to the end.
  let settled = false;
  const leave = (): void => {
    if (!settled) return;
    const code = process.exitCode;
    exit(code === undefined ? 0 : Number(code));
  };
  void stopped.then(
    () => (settled = true),
    () => (settled = true),
  );
  function dispose(): void {
    if (!listening) return;
    listening = false;
    for (const signal of SIGNALS) source.off(signal, listener);
    if (source === process) process.off('beforeExit', leave);
  }
  for (const signal of SIGNALS) source.on(signal, listener);
  if (source === process) process.on('beforeExit', leave);
  if ('getSnapshot' in sup) {
    ref = sup;
  } else {
    Promise.resolve(sup).then(
      (value) => {
        ref = value;
        startStop();
      },
      () => dispose(), // the caller handles a failed start
    );
  }
  return {
    get signal() {
      return first?.signal;
    },
    stopped,
    dispose,
  };
}
