/**
 * A worker driven by the test: it starts, crashes, exits or hangs on command (a port of
 * suture's `FailableService`).
 *
 * @module
 */
import { exit } from '../exit.js';
import { fromWorker, type WorkerLogic } from '../fromWorker.js';
import type { Handover } from '../types.js';

/**
 * Options of {@link scriptedChild}.
 *
 * @remarks
 * Every field is optional. `failStarts` makes that many starts (or every start) fail; `ignoreStop`
 * makes the child ignore the supervisor's stop request, so its `shutdown` time runs out;
 * `awaitReady` makes the supervisor wait for `ready()`.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { scriptedChild, type ScriptedChildOptions } from '@trellis/core/testing';
 * const options: ScriptedChildOptions = { failStarts: 2, ignoreStop: false };
 * const child = scriptedChild(options);
 * assert.equal(child.running, false);
 * ```
 *
 * @category testing
 * @since 0.1.0
 */
export interface ScriptedChildOptions {
  /** Starts fail (a synchronous throw) this many times, or forever with `'always'`. Default 0. */
  readonly failStarts?: number | 'always';
  /** The child ignores the supervisor's request to stop (it must be killed). Default false. */
  readonly ignoreStop?: boolean;
  /** The child has started only when the test calls `ready()`. Default false. */
  readonly awaitReady?: boolean;
}

/**
 * A worker logic with controls for the running incarnation.
 *
 * @remarks
 * The controls act on the running incarnation: `crash()`, `exitNormal()` and `exitShutdown()` end
 * it, `ready()` and `failReady()` answer a supervisor that waits for readiness. `handovers` records
 * the handover of every incarnation, so a test can assert what each was given.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { defineSupervisor, startSupervisor, stopSupervisor } from '@trellis/core';
 * import { createTestClock, scriptedChild, settle, type ScriptedChild } from '@trellis/core/testing';
 * const db: ScriptedChild = scriptedChild();
 * const sup = await startSupervisor(defineSupervisor({ id: 'root', children: [{ id: 'db', start: db }] }), { clock: createTestClock() });
 * assert.ok(db.running);
 * db.exitShutdown();
 * await settle();
 * assert.equal(db.handovers.length, 2);
 * await stopSupervisor(sup);
 * ```
 *
 * @category testing
 * @since 0.1.0
 */
export interface ScriptedChild extends WorkerLogic {
  /** The running incarnation crashes with `error`. */
  crash(error?: Error): void;
  /** The running incarnation returns (`normal`). */
  exitNormal(): void;
  /** The running incarnation returns `exit.shutdown(detail)`. */
  exitShutdown(detail?: unknown): void;
  /** The running incarnation (awaiting readiness) says it is ready. */
  ready(): void;
  /** The running incarnation rejects before it is ready (a start failure with `awaitReady`). */
  failReady(error?: Error): void;
  /** From now on, start attempts fail (`n` times, or `'always'`); `0` stops failing. */
  failStarts(n: number | 'always'): void;
  /** From now on the child ignores (or honours) requests to stop. */
  ignoreStop(on: boolean): void;
  /** Every handover received, one per start attempt, oldest first. */
  readonly handovers: readonly Handover[];
  /** Whether an incarnation is running (started and not settled). */
  readonly running: boolean;
  /** How many times the child saw its stop signal abort. */
  readonly stopRequests: number;
}

/**
 * Makes a scripted worker for tests: use one per child spec.
 *
 * @remarks
 * Each start attempt records its handover; a start fails with a synchronous throw while
 * `failStarts` says so. The running incarnation settles only when the test says: `crash()`,
 * `exitNormal()`, `exitShutdown(detail)`; asked to stop, it returns `exit.shutdown()` unless
 * `ignoreStop` is on. Settling goes through a promise, so let the event loop turn (for example
 * `await settle()`) before asserting.
 *
 * @param options - initial behaviour.
 * @returns the logic, with its controls.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { defineSupervisor, startSupervisor, stopSupervisor, whichChildren } from '@trellis/core';
 * import { createTestClock, scriptedChild, settle } from '@trellis/core/testing';
 * const db = scriptedChild();
 * const sup = await startSupervisor(defineSupervisor({ id: 'root', children: [{ id: 'db', start: db }] }), { clock: createTestClock() });
 * db.crash();
 * await settle();
 * assert.equal(whichChildren(sup)[0]?.incarnation, 1);
 * assert.equal(db.handovers[1]?.previousExit?.reason, 'error');
 * await stopSupervisor(sup);
 * ```
 *
 * @category testing
 * @since 0.1.0
 */
export function scriptedChild(options: ScriptedChildOptions = {}): ScriptedChild {
  let failStarts: number | 'always' = options.failStarts ?? 0;
  let ignoreStop = options.ignoreStop ?? false;
  const handovers: Handover[] = [];
  let current: { resolve(value: unknown): void; reject(error: unknown): void; ready(): void } | undefined;
  let stopRequests = 0;

  const logic = fromWorker(
    (ctx) => {
      handovers.push(ctx.handover);
      if (failStarts === 'always' || failStarts > 0) {
        if (failStarts !== 'always') failStarts--;
        throw new Error(`scripted start failure (incarnation ${ctx.handover.incarnation})`);
      }
      return new Promise((resolve, reject) => {
        const me = { resolve, reject, ready: () => ctx.ready() };
        current = me;
        const settle = (fn: () => void) => () => {
          if (current === me) current = undefined;
          fn();
        };
        me.resolve = (value) => settle(() => resolve(value))();
        me.reject = (error) => settle(() => reject(error))();
        ctx.signal.addEventListener('abort', () => {
          stopRequests++;
          if (!ignoreStop) me.resolve(exit.shutdown());
        });
      });
    },
    { awaitReady: options.awaitReady ?? false },
  );

  const controls = {
    crash: (error = new Error('scripted crash')) => current?.reject(error),
    exitNormal: () => current?.resolve(undefined),
    exitShutdown: (detail?: unknown) => current?.resolve(exit.shutdown(detail)),
    ready: () => current?.ready(),
    failReady: (error = new Error('scripted readiness failure')) => current?.reject(error),
    failStarts: (n: number | 'always') => {
      failStarts = n;
    },
    ignoreStop: (on: boolean) => {
      ignoreStop = on;
    },
  };
  Object.assign(logic, controls);
  Object.defineProperties(logic, {
    handovers: { get: () => handovers },
    running: { get: () => current !== undefined },
    stopRequests: { get: () => stopRequests },
  });
  return logic as ScriptedChild;
}

/**
 * Lets promises and the supervisor's queued events run.
 *
 * @remarks
 * It resolves after the current event-loop turn. It is not a sleep: no time passes on any clock, so
 * timers of a {@link TestClock} still wait for `advance`.
 *
 * @returns a promise that resolves on the next `setImmediate` turn.
 *
 * @example
 * ```ts
 * import { settle } from '@trellis/core/testing';
 * await settle();
 * ```
 *
 * @category testing
 * @since 0.1.0
 */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
