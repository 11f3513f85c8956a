/**
 * How a child says how it ended, and how the supervisor reads an ended actor into an
 * {@link ExitStatus}.
 *
 * @module
 */
import type { ExitReason, ExitStatus } from './types.js';

const EXIT = Symbol.for('@trellis/core/ExitRequest');

/**
 * A value a child returns, throws, or outputs to say how it exits.
 *
 * @remarks
 * Made by {@link exit}. A `fromWorker` run may return or throw one; any other actor logic may
 * reach `done` with one as its output (a `fromPromise` resolving `exit.shutdown()`, a machine's
 * final `output`).
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { exit, type ExitRequest } from '@trellis/core';
 * const request: ExitRequest = exit.shutdown({ drained: true });
 * assert.equal(request.reason, 'shutdown');
 * ```
 *
 * @category handover
 * @since 0.1.0
 */
export interface ExitRequest {
  /** @internal */
  readonly [EXIT]: true;
  /** Why the child exits. */
  readonly reason: ExitReason;
  /** Becomes the {@link ExitStatus.detail} of the exit. */
  readonly detail?: unknown;
  /** OS children: the exit code. */
  readonly code?: number | null;
  /** OS children: the terminating signal. */
  readonly signal?: string | null;
}

function make(reason: ExitReason, fields?: { detail?: unknown; code?: number | null; signal?: string | null }): ExitRequest {
  const request: { -readonly [K in keyof ExitRequest]: ExitRequest[K] } = { [EXIT]: true, reason };
  if (fields?.detail !== undefined) request.detail = fields.detail;
  if (fields?.code !== undefined) request.code = fields.code;
  if (fields?.signal !== undefined) request.signal = fields.signal;
  return request;
}

/**
 * The ways a child can ask to exit cleanly.
 *
 * @remarks
 * `exit.normal()` is a `normal` exit (a `transient` child is then not restarted);
 * `exit.shutdown(detail)` is a `shutdown` exit with an optional detail, OTP's
 * `{shutdown, Detail}`. `exit.of(reason, fields)` is for authors of actor logic that report
 * other reasons, such as OS-process exit codes.
 *
 * @example A transient worker that finishes
 * ```ts
 * import assert from 'node:assert/strict';
 * import { defineSupervisor, exit, fromWorker, startSupervisor, stopSupervisor, whichChildren } from '@trellis/core';
 * import { settle } from '@trellis/core/testing';
 * const job = fromWorker(async () => {
 *   return exit.shutdown({ processed: 10 });
 * });
 * const sup = await startSupervisor(defineSupervisor({ id: 'root', children: [{ id: 'job', start: job, restart: 'transient' }] }));
 * await settle();
 * const [info] = whichChildren(sup);
 * assert.equal(info?.status, 'stopped'); // a clean exit: a transient child is kept, not restarted
 * assert.deepEqual(info?.lastExit?.detail, { processed: 10 });
 * await stopSupervisor(sup);
 * ```
 *
 * @category handover
 * @since 0.1.0
 */
export const exit: {
  /** A `normal` exit. */
  normal(): ExitRequest;
  /** A `shutdown` exit, with `detail` when given (OTP `{shutdown, Detail}`). */
  shutdown(detail?: unknown): ExitRequest;
  /** An exit with any reason and the `detail`, `code` and `signal` that are given. */
  of(reason: ExitReason, fields?: { detail?: unknown; code?: number | null; signal?: string | null }): ExitRequest;
} = {
  normal: () => make('normal'),
  shutdown: (detail?: unknown) => make('shutdown', detail === undefined ? undefined : { detail }),
  of: make,
};

/**
 * True when `value` was made by {@link exit}.
 *
 * @remarks
 * The test the supervisor applies to a worker's return value, thrown value and an actor's output.
 * Exit requests are marked with a registered symbol, so they are recognised across copies of
 * `@trellis/core`.
 *
 * @param value - a worker's return value, thrown value or an actor's output.
 * @returns whether it is an exit request.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { exit, isExitRequest } from '@trellis/core';
 * assert.ok(isExitRequest(exit.normal()));
 * ```
 *
 * @category handover
 * @since 0.1.0
 */
export function isExitRequest(value: unknown): value is ExitRequest {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[EXIT] === true;
}

/**
 * Turns anything thrown into a JSON-safe `{ name, message, stack }` (plus `code` when present).
 *
 * @remarks
 * This is the `detail` of a crash's {@link ExitStatus}, so it must survive a handover store or an
 * environment variable. A value that is not an `Error` gets the name `'NonError'` and its string,
 * JSON or `String()` form as the message. The `stack` is read only when first used.
 *
 * @param error - what a child threw or rejected with.
 * @returns a plain object that survives `JSON.stringify`.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { serializeError } from '@trellis/core';
 * assert.equal(serializeError(new TypeError('bad')).name, 'TypeError');
 * ```
 *
 * @category handover
 * @since 0.1.0
 */
export function serializeError(error: unknown): {
  /** The error's `name`, or `'NonError'` for a thrown value that is not an `Error`. */
  name: string;
  /** The error's message; for any other value, the string itself, else its JSON, else `String(value)`. */
  message: string;
  /** The error's stack, when it has one. */
  stack?: string;
  /** The error's `code` (such as `'ECONNREFUSED'`), when that is a string or a number. */
  code?: string | number;
} {
  if (error instanceof Error) {
    const out: { name: string; message: string; stack?: string; code?: string | number } = {
      name: error.name,
      message: error.message,
    };
    if ('stack' in error) {
      // Read on first use: formatting a stack costs more than the rest of a restart, and most
      // previous exits are never printed. JSON.stringify and spreads still see the value.
      Object.defineProperty(out, 'stack', {
        enumerable: true,
        configurable: true,
        get(this: typeof out) {
          const stack = error.stack;
          Object.defineProperty(this, 'stack', { value: stack, enumerable: true, writable: true, configurable: true });
          return stack;
        },
      });
    }
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' || typeof code === 'number') out.code = code;
    return out;
  }
  let message: string;
  try {
    message = typeof error === 'string' ? error : JSON.stringify(error) ?? String(error);
  } catch {
    message = String(error);
  }
  return { name: 'NonError', message };
}

/** Builds the ExitStatus of an exit request at time `at`. */
export function statusOfRequest(request: ExitRequest, at: number): ExitStatus {
  const status: { -readonly [K in keyof ExitStatus]: ExitStatus[K] } = { reason: request.reason, at };
  if (request.detail !== undefined) status.detail = request.detail;
  if (request.code !== undefined) status.code = request.code;
  if (request.signal !== undefined) status.signal = request.signal;
  return status;
}

/**
 * The ExitStatus of a crash. An error that carries a numeric `code` or a string `signal` (an OS
 * process that failed) hands them on as the status's own `code` and `signal`, as DESIGN §3 has
 * them for OS children.
 */
export function crashStatus(error: unknown, at: number): ExitStatus {
  const status: { -readonly [K in keyof ExitStatus]: ExitStatus[K] } = { reason: 'error', detail: serializeError(error), at };
  if (typeof error === 'object' && error !== null) {
    const { code, signal } = error as { code?: unknown; signal?: unknown };
    if (typeof code === 'number' || code === null) status.code = code;
    if (typeof signal === 'string' || signal === null) status.signal = signal;
  }
  return status;
}

/**
 * Reads how an actor ended from its terminal snapshot: `error` is a crash, `done` is `normal`
 * unless the output is an {@link ExitRequest} or a supervisor's `{ reason, detail }` exit.
 */
export function statusOfEnded(
  snapshot: { status: string; output?: unknown; error?: unknown },
  isSupervisor: boolean,
  at: number,
): ExitStatus {
  if (snapshot.status === 'error') return crashStatus(snapshot.error, at);
  const output = snapshot.output;
  if (isExitRequest(output)) return statusOfRequest(output, at);
  if (isSupervisor && typeof output === 'object' && output !== null) {
    const { reason, detail } = output as { reason?: unknown; detail?: unknown };
    if (reason === 'normal' || reason === 'shutdown') {
      return detail === undefined ? { reason, at } : { reason, detail, at };
    }
  }
  return { reason: 'normal', at };
}
