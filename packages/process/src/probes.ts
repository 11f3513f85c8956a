/**
 * Readiness and liveness probes on the loopback interface: a TCP connect to 127.0.0.1, an HTTP
 * GET on 127.0.0.1, a command's exit code, or a function. Readiness by TCP is retried with
 * p-retry under an `AbortSignal` tied to the child's stop.
 *
 * @module
 */
import { execFile } from 'node:child_process';
import { request } from 'node:http';
import { connect } from 'node:net';
import pRetry from 'p-retry';
import type { Clock } from '@trellis/core';

/**
 * How `fromProcess` knows a process has started.
 *
 * @remarks
 * - `line`: a line of its output matches `pattern` (a `RegExp`, or a substring);
 * - `tcp`: a TCP connection to `127.0.0.1:port` succeeds (retried with backoff, p-retry);
 * - `ipc`: a Node child calls `process.send(message)` (default `'ready'`, PM2's `wait_ready`),
 *   or sends an object whose `type` is `message`.
 *
 * Each waits at most `readyTimeoutMs` (default 10,000). Not ready in time is a start failure
 * (`ReadinessTimeoutError`), and the process group is killed. Without a readiness check the
 * process has started once the OS has spawned it.
 *
 * @example
 * ```ts
 * import type { Readiness } from '@trellis/process';
 * const byPort: Readiness = { kind: 'tcp', port: 8080, readyTimeoutMs: 5_000 };
 * const byLine: Readiness = { kind: 'line', pattern: /listening/ };
 * const byIpc: Readiness = { kind: 'ipc' }; // the child calls process.send('ready')
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export type Readiness =
  | {
      /** A matching output line. */
      readonly kind: 'line';
      /** A regular expression, or a substring a line must contain. */
      readonly pattern: RegExp | string;
      /** Which stream to watch; default `'stdout'`. */
      readonly stream?: 'stdout' | 'stderr';
      /** How long to wait; default 10,000 ms. */
      readonly readyTimeoutMs?: number;
    }
  | {
      /** A TCP port that accepts connections on 127.0.0.1. */
      readonly kind: 'tcp';
      /** The port. */
      readonly port: number;
      /** The first delay between attempts (then ×1.5, capped at 500 ms); default 25 ms. */
      readonly intervalMs?: number;
      /** How long to wait; default 10,000 ms. */
      readonly readyTimeoutMs?: number;
    }
  | {
      /** An IPC message from a Node child. */
      readonly kind: 'ipc';
      /** The message, or the `type` of an object message; default `'ready'`. */
      readonly message?: string;
      /** How long to wait; default 10,000 ms. */
      readonly readyTimeoutMs?: number;
    };

/**
 * A periodic health check of a running process; after `failureThreshold` misses in a row the
 * process group is killed and the child ends with reason `'timeout'`.
 *
 * @remarks
 * Probes: `tcp` connects to `127.0.0.1:port`; `http` GETs `http://127.0.0.1:port/path` and
 * passes on a 2xx or 3xx status; `command` runs a program and passes on exit code 0; `check`
 * calls a function that resolves `true`. A probe that takes longer than `timeoutMs` is a miss.
 * Probing begins once the process is ready, after `initialDelayMs`.
 *
 * @example
 * ```ts
 * import type { Liveness } from '@trellis/process';
 * const liveness: Liveness = { kind: 'http', port: 8080, path: '/healthz', intervalMs: 5_000, timeoutMs: 1_000, failureThreshold: 3 };
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export type Liveness = LivenessProbe & {
  /** Time between the end of one probe and the start of the next; default 10,000 ms. */
  readonly intervalMs?: number;
  /** A probe slower than this is a miss; default 1,000 ms. */
  readonly timeoutMs?: number;
  /** Misses in a row before the kill; default 3. */
  readonly failureThreshold?: number;
  /** Delay before the first probe; default `intervalMs`. */
  readonly initialDelayMs?: number;
};

/**
 * The probe part of a {@link Liveness} check.
 *
 * @remarks
 * Every network probe goes to 127.0.0.1 only.
 *
 * @example
 * ```ts
 * import type { LivenessProbe } from '@trellis/process';
 * const probe: LivenessProbe = { kind: 'command', command: 'pg_isready', args: ['-h', '127.0.0.1'] };
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export type LivenessProbe =
  | {
      /** A TCP connect to 127.0.0.1. */
      readonly kind: 'tcp';
      /** The port. */
      readonly port: number;
    }
  | {
      /** An HTTP GET on 127.0.0.1. */
      readonly kind: 'http';
      /** The port. */
      readonly port: number;
      /** The path; default `'/'`. */
      readonly path?: string;
    }
  | {
      /** A command that exits 0 when healthy. */
      readonly kind: 'command';
      /** The program. */
      readonly command: string;
      /** Its arguments. */
      readonly args?: readonly string[];
    }
  | {
      /** A function. */
      readonly kind: 'check';
      /** Resolves `true` when healthy; `signal` aborts at `timeoutMs`. */
      readonly check: (ctx: { readonly signal: AbortSignal }) => boolean | Promise<boolean>;
    };

/** Resolves once 127.0.0.1:port accepts a connection; rejects on refusal, timeout or abort. */
export function tcpProbe(port: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const socket = connect({ host: '127.0.0.1', port });
    const onAbort = (): void => {
      socket.destroy();
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve();
    });
    socket.once('error', (error) => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      reject(error);
    });
  });
}

/**
 * Retries {@link tcpProbe} with p-retry until it passes, `maxRetryTime` ms pass, or `signal` aborts.
 *
 * @remarks
 * Deliberately on real time, not the injected clock: the waits here are p-retry's own backoff
 * between connection attempts (and a per-attempt connect timeout), which only make sense against
 * a real port, so only the integration tests reach this. The readiness deadline itself is
 * `fromProcess`'s `readyTimer`, on the injected clock, and aborts `signal`.
 */
export function waitForPort(port: number, intervalMs: number, maxRetryTime: number, signal: AbortSignal): Promise<void> {
  return pRetry(() => tcpProbe(port, AbortSignal.any([signal, AbortSignal.timeout(1_000)])), {
    retries: Number.POSITIVE_INFINITY,
    minTimeout: intervalMs,
    maxTimeout: Math.max(intervalMs, 500),
    factor: 1.5,
    randomize: false,
    maxRetryTime,
    signal,
  });
}

function httpProbe(port: number, path: string, signal: AbortSignal): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', signal }, (res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      resolve(status >= 200 && status < 400);
    });
    req.once('error', () => resolve(false));
    req.end();
  });
}

function commandProbe(command: string, args: readonly string[], signal: AbortSignal): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const child = execFile(command, args, { signal, windowsHide: true }, (error) => resolve(error === null));
    child.stdin?.end();
  });
}

/**
 * Runs one liveness probe; true when it passed within `timeoutMs` on `clock`. Never rejects.
 * The timeout timer is cleared once the probe settles, so none is left behind.
 */
export async function runLivenessProbe(probe: LivenessProbe, timeoutMs: number, stop: AbortSignal, clock: Clock): Promise<boolean> {
  const timeout = new AbortController();
  const timer = clock.setTimeout(() => timeout.abort(new DOMException('The liveness probe timed out.', 'TimeoutError')), timeoutMs);
  const signal = AbortSignal.any([stop, timeout.signal]);
  try {
    const attempt = ((): Promise<boolean> => {
      switch (probe.kind) {
        case 'tcp':
          return tcpProbe(probe.port, signal).then(() => true);
        case 'http':
          return httpProbe(probe.port, probe.path ?? '/', signal);
        case 'command':
          return commandProbe(probe.command, probe.args ?? [], signal);
        case 'check':
          return Promise.resolve(probe.check({ signal })).then((ok) => ok === true);
      }
    })();
    // A check function that ignores its signal still cannot take longer than timeoutMs.
    const timedOut = new Promise<boolean>((resolve) => {
      if (signal.aborted) resolve(false);
      else signal.addEventListener('abort', () => resolve(false), { once: true });
    });
    return await Promise.race([attempt, timedOut]);
  } catch {
    return false;
  } finally {
    clock.clearTimeout(timer);
  }
}
