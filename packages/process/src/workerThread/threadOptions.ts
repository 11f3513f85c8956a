/**
 * The options of `fromWorkerThread` and their validation: every field checked eagerly, an unknown
 * key named with the closest valid one (decision 0009).
 *
 * @module
 */
import { SupervisorArgumentError, unknownKeyMessage, unknownKeys } from '@trellis/core';

/**
 * The V8 limits of a worker thread, passed to `new Worker(file, { resourceLimits })`.
 *
 * @remarks
 * All in megabytes, all optional, each a positive number. A thread that outgrows
 * `maxOldGenerationSizeMb` is ended by Node with `ERR_WORKER_OUT_OF_MEMORY`, which trellis
 * reports as a `killed` exit whose detail names the limit (decision 0023).
 *
 * @example
 * ```ts
 * import type { ThreadResourceLimits } from '@trellis/process';
 * const limits: ThreadResourceLimits = { maxOldGenerationSizeMb: 64, stackSizeMb: 4 };
 * ```
 *
 * @category models
 * @since 0.2.0
 */
export interface ThreadResourceLimits {
  /** The main heap's limit. */
  readonly maxOldGenerationSizeMb?: number;
  /** The young generation's limit. */
  readonly maxYoungGenerationSizeMb?: number;
  /** The code range's size. */
  readonly codeRangeSizeMb?: number;
  /** The thread's stack size. */
  readonly stackSizeMb?: number;
}

/**
 * Options of {@link fromWorkerThread}.
 *
 * @remarks
 * Every field is optional. `awaitReady` makes the supervisor wait for the thread's `ready()`
 * (from `threadChild()`), failing the start after `readyTimeoutMs` (default 5 000 ms); without it
 * the thread has started once it is online. `heartbeatMs` needs the thread to call
 * `threadChild()`, which then beats on its own; a blocked event loop misses it.
 *
 * @example
 * ```ts
 * import type { WorkerThreadOptions } from '@trellis/process';
 * const options: WorkerThreadOptions = { awaitReady: true, heartbeatMs: 1_000, resourceLimits: { maxOldGenerationSizeMb: 128 } };
 * ```
 *
 * @category models
 * @since 0.2.0
 */
export interface WorkerThreadOptions {
  /** The thread has started only when it calls `ready()`. Default `false` (started once online). */
  readonly awaitReady?: boolean;
  /** With `awaitReady`, how long it may take, in ms; default 5 000. */
  readonly readyTimeoutMs?: number;
  /**
   * When set, the thread must beat at least this often (ms, positive), counted on the
   * supervisor's clock from its first beat; `threadChild()` beats once when called, then every
   * third of it from a timer. A miss terminates the thread with a `timeout` exit. Default: none.
   */
  readonly heartbeatMs?: number;
  /** V8 limits of the thread. */
  readonly resourceLimits?: ThreadResourceLimits;
  /** Exit codes that count as a clean `shutdown` instead of a crash. */
  readonly shutdownExitCodes?: readonly number[];
  /** `process.argv` additions inside the thread. */
  readonly argv?: readonly string[];
  /** Node options of the thread (`new Worker(file, { execArgv })`); default the parent's. */
  readonly execArgv?: readonly string[];
}

const OPTION_KEYS = ['awaitReady', 'readyTimeoutMs', 'heartbeatMs', 'resourceLimits', 'shutdownExitCodes', 'argv', 'execArgv'] as const;
const LIMIT_KEYS = ['maxOldGenerationSizeMb', 'maxYoungGenerationSizeMb', 'codeRangeSizeMb', 'stackSizeMb'] as const;

function fail(field: string, rule: string, value: unknown, message?: string): never {
  throw new SupervisorArgumentError('fromWorkerThread', field, rule, value, message);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function positive(field: string, value: unknown): void {
  if (value !== undefined && !(typeof value === 'number' && Number.isFinite(value) && value > 0)) fail(field, 'must be a positive number', value);
}

function strings(field: string, value: unknown): void {
  if (value !== undefined && (!Array.isArray(value) || value.some((v) => typeof v !== 'string'))) fail(field, 'must be an array of strings', value);
}

function knownKeys(field: string, value: Record<string, unknown>, keys: readonly string[], where: string): void {
  const key = unknownKeys(value, keys)[0];
  if (key !== undefined) fail(field === '' ? `options.${key}` : `${field}.${key}`, 'is not a known key', value[key], unknownKeyMessage(key, where, keys));
}

/** Throws {@link SupervisorArgumentError} for the first invalid argument of `fromWorkerThread`. */
export function validateThreadArguments(file: unknown, options: unknown): asserts options is WorkerThreadOptions {
  if (!(file instanceof URL) && !(typeof file === 'string' && file !== '')) fail('file', 'must be a non-empty path or a file: URL', file);
  if (file instanceof URL && file.protocol !== 'file:' && file.protocol !== 'data:') fail('file', 'must be a file: (or data:) URL', file.href);
  if (!isObject(options)) fail('options', 'must be an object', options);
  knownKeys('', options, OPTION_KEYS, "fromWorkerThread's options");
  if (options['awaitReady'] !== undefined && typeof options['awaitReady'] !== 'boolean') fail('options.awaitReady', 'must be a boolean', options['awaitReady']);
  positive('options.readyTimeoutMs', options['readyTimeoutMs']);
  positive('options.heartbeatMs', options['heartbeatMs']);
  const limits = options['resourceLimits'];
  if (limits !== undefined) {
    if (!isObject(limits)) fail('options.resourceLimits', 'must be an object', limits);
    knownKeys('options.resourceLimits', limits, LIMIT_KEYS, "fromWorkerThread's resourceLimits");
    for (const key of LIMIT_KEYS) positive(`options.resourceLimits.${key}`, limits[key]);
  }
  const codes = options['shutdownExitCodes'];
  if (codes !== undefined && (!Array.isArray(codes) || codes.some((c) => typeof c !== 'number' || !Number.isInteger(c) || c < 0 || c > 255))) {
    fail('options.shutdownExitCodes', 'must be an array of integer exit codes from 0 to 255', codes);
  }
  strings('options.argv', options['argv']);
  strings('options.execArgv', options['execArgv']);
}
