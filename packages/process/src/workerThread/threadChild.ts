/**
 * `threadChild`: the thread side of a supervised worker thread. The code a `fromWorkerThread`
 * child runs calls it once to read its handover and input, learn when the supervisor asks it to
 * stop, say when it is ready, and keep its heartbeat going. It loads no XState and no trellis
 * runtime: only `node:worker_threads`.
 *
 * @module
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { Handover } from '@trellis/core';
import { THREAD_DATA_KEY, THREAD_HEARTBEAT, THREAD_READY, THREAD_SHUTDOWN, type ThreadData } from './threadProtocol.js';

/**
 * What {@link threadChild} returns inside a supervised worker thread.
 *
 * @remarks
 * `signal` aborts when the supervisor asks the thread to stop; the thread SHOULD then finish its
 * work and let its event loop empty (or call `process.exit(0)`) within the spec's `shutdown`
 * time, after which the parent calls `worker.terminate()`. `ready()` matters only with
 * `awaitReady: true`. With `heartbeatMs`, beats are sent on their own from a timer, so a thread
 * whose event loop is blocked stops beating and is ended with a `timeout` exit; `heartbeat()`
 * sends one more at once.
 *
 * @example
 * ```ts no-run
 * import { threadChild, type ThreadChild } from '@trellis/process/thread';
 * const child: ThreadChild = threadChild();
 * console.log(child.handover.incarnation, child.handover.previousExit?.reason);
 * child.signal.addEventListener('abort', () => process.exit(0));
 * child.ready();
 * ```
 *
 * @category process
 * @since 0.2.0
 */
export interface ThreadChild<TInput = Record<string, unknown> | undefined> {
  /** This incarnation's handover, as the supervisor made it. */
  readonly handover: Handover;
  /** The child spec's `input` (structured-cloned into the thread). */
  readonly input: TInput;
  /** Aborts when the supervisor asks this thread to stop. */
  readonly signal: AbortSignal;
  /** Tells the supervisor this thread has started (with `awaitReady: true`). */
  ready(): void;
  /** Sends a heartbeat at once (beats are also sent on a timer, so most threads never call it). */
  heartbeat(): void;
}

let current: ThreadChild | undefined;

/**
 * Joins the supervision protocol from inside a worker thread started by `fromWorkerThread`.
 *
 * @remarks
 * Reads the handover and input from `workerData`, listens (without holding the thread open) for
 * the supervisor's stop request, and, when the spec has `heartbeatMs`, sends a heartbeat every
 * third of it from an unreferenced timer: a blocked event loop sends none and the parent ends
 * the thread with a `timeout` exit. Calling it again returns the same object. Outside a thread
 * started by `fromWorkerThread` it throws, since there is no supervisor to talk to.
 *
 * @returns the thread's handover, input, stop signal, `ready()` and `heartbeat()`.
 * @throws Error when called on the main thread or in a thread `fromWorkerThread` did not start.
 *
 * @example A thread that works until it is asked to stop
 * ```ts no-run
 * import { threadChild } from '@trellis/process/thread';
 * const { signal, handover, ready } = threadChild<{ queue: string }>();
 * ready();
 * const timer = setInterval(() => {
 *   // ... one unit of work; the handover says which incarnation this is
 * }, 100);
 * signal.addEventListener('abort', () => clearInterval(timer)); // the loop empties: a clean exit
 * ```
 *
 * @category process
 * @since 0.2.0
 */
export function threadChild<TInput = Record<string, unknown> | undefined>(): ThreadChild<TInput> {
  if (current !== undefined) return current as ThreadChild<TInput>;
  const data = (workerData as Record<string, unknown> | null | undefined)?.[THREAD_DATA_KEY] as ThreadData | undefined;
  if (isMainThread || parentPort === null || data === undefined) {
    throw new Error('threadChild() must be called inside a worker thread started by fromWorkerThread (no trellis workerData here).');
  }
  const port = parentPort;
  const controller = new AbortController();
  port.on('message', (message: unknown) => {
    if ((message as { type?: unknown } | null)?.type === THREAD_SHUTDOWN && !controller.signal.aborted) {
      controller.abort(new DOMException('The supervisor asked this thread to stop.', 'AbortError'));
    }
  });
  // The listener must not keep the thread alive: a thread whose work is done exits by itself.
  port.unref();
  const beat = (): void => port.postMessage({ type: THREAD_HEARTBEAT });
  if (data.heartbeatMs !== undefined) {
    beat();
    setInterval(beat, Math.max(1, Math.floor(data.heartbeatMs / 3))).unref();
  }
  current = {
    handover: data.handover as Handover,
    input: data.input,
    signal: controller.signal,
    ready: () => port.postMessage({ type: THREAD_READY }),
    heartbeat: beat,
  };
  return current as ThreadChild<TInput>;
}
