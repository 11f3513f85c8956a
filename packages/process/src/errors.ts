/**
 * The errors `@trellis/process` raises: a caller's mistake in `fromProcess` options, a process
 * that could not be spawned, and a process that did not become ready in time. A child's exit is
 * never one of these; it is an exit status.
 *
 * @module
 */

const BRAND = Symbol.for('@trellis/process/ProcessError');

/**
 * The codes of {@link ProcessError}.
 *
 * @remarks
 * `'invalid_process_options'` ({@link InvalidProcessOptionsError}), `'spawn_failed'`
 * ({@link SpawnError}), `'not_ready'` ({@link ReadinessTimeoutError}).
 *
 * @example
 * ```ts
 * import type { ProcessErrorCode } from '@trellis/process';
 * const code: ProcessErrorCode = 'spawn_failed';
 * ```
 *
 * @category errors
 * @since 0.1.0
 */
export type ProcessErrorCode = 'invalid_process_options' | 'spawn_failed' | 'not_ready';

/**
 * The base class of every error `@trellis/process` throws.
 *
 * @remarks
 * Each subclass has a fixed `name` and `code`. Use {@link isProcessError} rather than
 * `instanceof` when two copies of the package may be loaded.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { fromProcess, isProcessError } from '@trellis/process';
 * try {
 *   fromProcess({ command: '' });
 * } catch (error) {
 *   assert.ok(isProcessError(error));
 * }
 * ```
 *
 * @category errors
 * @since 0.1.0
 */
export class ProcessError extends Error {
  /** The class name, set by each subclass so it survives minification. */
  override readonly name: string = 'ProcessError';
  /** What went wrong, as a stable string. */
  readonly code: ProcessErrorCode;

  /**
   * Makes the error.
   *
   * @param code - the stable code.
   * @param message - one sentence naming the offender and the rule.
   * @param options - the standard `cause`.
   */
  constructor(code: ProcessErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    Object.defineProperty(this, BRAND, { value: true, enumerable: false });
  }
}

/**
 * Thrown by `fromProcess` when an option is invalid; names the field.
 *
 * @remarks
 * Validation is eager: `fromProcess` throws before any process is spawned.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { fromProcess, InvalidProcessOptionsError } from '@trellis/process';
 * assert.throws(() => fromProcess({ command: 'sleep', args: [60 as unknown as string] }), InvalidProcessOptionsError);
 * ```
 *
 * @category errors
 * @since 0.1.0
 */
export class InvalidProcessOptionsError extends ProcessError {
  /** Always `'InvalidProcessOptionsError'`. */
  override readonly name: string = 'InvalidProcessOptionsError';
  /** The option at fault, as a path (`readiness.port`). */
  readonly field: string;
  /** The value that was given. */
  readonly value: unknown;

  /**
   * Makes the error for one field.
   *
   * @param field - the option at fault.
   * @param rule - what the option must be.
   * @param value - what was given.
   * @param message - the whole message, when `must be rule, got value` does not fit (an unknown key).
   */
  constructor(field: string, rule: string, value: unknown, message?: string) {
    super('invalid_process_options', message ?? `fromProcess option "${field}": must be ${rule}, got ${describe(value)}.`);
    this.field = field;
    this.value = value;
  }
}

/**
 * A process that could not be spawned: the command does not exist, is not executable, or the
 * working directory is missing.
 *
 * @remarks
 * The supervisor sees it as a start failure (`StartChildError` with this as its `cause`). The
 * message names the command and the OS error code; `errno` is that code (`'ENOENT'`,
 * `'EACCES'`) and `cause` the original error.
 *
 * @example
 * ```ts
 * import { SpawnError } from '@trellis/process';
 * const error = new SpawnError('nope', 'ENOENT');
 * console.log(error.message); // Could not spawn "nope": ENOENT.
 * ```
 *
 * @category errors
 * @since 0.1.0
 */
export class SpawnError extends ProcessError {
  /** Always `'SpawnError'`. */
  override readonly name: string = 'SpawnError';
  /** The command that failed. */
  readonly command: string;
  /** The OS error code, such as `'ENOENT'` or `'EACCES'`. */
  readonly errno: string;

  /**
   * Makes the error.
   *
   * @param command - the command that failed.
   * @param errno - the OS error code.
   * @param hint - more about the failure, such as a missing working directory.
   * @param options - the original error as `cause`.
   */
  constructor(command: string, errno: string, hint?: string, options?: { cause?: unknown }) {
    super('spawn_failed', `Could not spawn "${command}": ${errno}${hint === undefined ? '' : ` (${hint})`}.`, options);
    this.command = command;
    this.errno = errno;
  }
}

/**
 * A process that did not pass its readiness check within `readyTimeoutMs`.
 *
 * @remarks
 * The process group is killed and the supervisor sees a start failure with this as `cause`.
 *
 * @example
 * ```ts
 * import { ReadinessTimeoutError } from '@trellis/process';
 * console.log(new ReadinessTimeoutError('server', 'tcp port 8080', 2000).message);
 * ```
 *
 * @category errors
 * @since 0.1.0
 */
export class ReadinessTimeoutError extends ProcessError {
  /** Always `'ReadinessTimeoutError'`. */
  override readonly name: string = 'ReadinessTimeoutError';
  /** The readiness check's timeout. */
  readonly timeoutMs: number;

  /**
   * Makes the error.
   *
   * @param command - the command that was not ready.
   * @param what - the readiness check, in words.
   * @param timeoutMs - how long it waited.
   * @param options - the last probe error as `cause`.
   */
  constructor(command: string, what: string, timeoutMs: number, options?: { cause?: unknown }) {
    super('not_ready', `Process "${command}" was not ready (${what}) within ${timeoutMs} ms.`, options);
    this.timeoutMs = timeoutMs;
  }
}

/**
 * True when `value` is a {@link ProcessError}, also across duplicate copies of the package.
 *
 * @remarks
 * Checks a brand (`Symbol.for('@trellis/process/ProcessError')`), not the prototype chain.
 *
 * @param value - anything caught.
 * @returns whether it is a process error.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { isProcessError, SpawnError } from '@trellis/process';
 * assert.ok(isProcessError(new SpawnError('x', 'ENOENT')));
 * ```
 *
 * @category errors
 * @since 0.1.0
 */
export function isProcessError(value: unknown): value is ProcessError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

function describe(value: unknown): string {
  let text: string;
  if (value === undefined) text = 'undefined';
  else if (typeof value === 'function') text = 'a function';
  else if (value instanceof RegExp) text = String(value);
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = Object.prototype.toString.call(value);
    }
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
