/**
 * The options of `fromProcess`, their defaults, and the eager validator that throws
 * {@link InvalidProcessOptionsError} naming the field at fault.
 *
 * @module
 */
import { constants } from 'node:os';
import { isClock, unknownKeyMessage, unknownKeys, type Clock, type Logger } from '@trellis/core';
import { InvalidProcessOptionsError } from './errors.js';
import { MEMORY_LIMIT_KEYS, memoryLimitIssue, type MemoryLimit } from './memory/memoryLimit.js';
import type { Liveness, Readiness } from './probes.js';
import type { ProcessSpawner } from './spawner.js';

/**
 * How a process's stdout and stderr are handled.
 *
 * @remarks
 * Each line becomes one logger record, `info` for stdout and `warn` for stderr, with
 * `{ stream }` and the line as message, through a child logger bound to
 * `{ child: resumeId, incarnation, pid }`. Lines longer than `maxLineBytes` are truncated
 * (`truncated: true`); past `linesPerSecond` lines are dropped and counted in one `warn`
 * record. So a child writing megabytes costs at most `maxLineBytes` of buffer per stream.
 *
 * @example
 * ```ts
 * import { fromProcess } from '@trellis/process';
 * const chatty = fromProcess({ command: 'yes', output: { maxLineBytes: 1_024, linesPerSecond: 100, passThrough: false } });
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface OutputOptions {
  /** Log lines through `logger`; default `true` (nothing is logged without a `logger` or a default one). */
  readonly log?: boolean;
  /** The longest line kept, in bytes; default 16,384. */
  readonly maxLineBytes?: number;
  /** Lines logged per second per process, both streams together; default 1,000. */
  readonly linesPerSecond?: number;
  /** Also copy the raw bytes to this process's own stdout and stderr; default `false`. */
  readonly passThrough?: boolean;
}

/**
 * The options of `fromProcess`.
 *
 * @remarks
 * Only `command` is required. They are checked when `fromProcess` is called, and an invalid one
 * throws an `InvalidProcessOptionsError` naming it. The knobs follow PM2's where there is one:
 * `stopSignal` and the child spec's `shutdown` (`kill_timeout`), `readiness` (`wait_ready`,
 * `listen_timeout`), `shutdownExitCodes` (`stop_exit_codes`).
 *
 * @example
 * ```ts
 * import type { ProcessOptions } from '@trellis/process';
 * const options: ProcessOptions = {
 *   command: 'sh',
 *   args: ['-c', 'echo up; exec sleep 60'],
 *   readiness: { kind: 'line', pattern: /^up$/, readyTimeoutMs: 2_000 },
 *   shutdownExitCodes: [143],
 * };
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface ProcessOptions {
  /** The program: a path, or a name looked up in `PATH`. */
  readonly command: string;
  /** Its arguments; default none. */
  readonly args?: readonly string[];
  /** Its working directory; default the parent's. */
  readonly cwd?: string;
  /**
   * Variables added to (or, with `undefined`, removed from) this process's environment. Every
   * variable starting with `envPrefix` is removed first, then the handover is added.
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The prefix of the handover variables; default `'TRELLIS_'`. */
  readonly envPrefix?: string;
  /** Exit codes that count as a clean `shutdown` instead of a crash (PM2 `stop_exit_codes`). */
  readonly shutdownExitCodes?: readonly number[];
  /** The signal that asks the process to stop; default `'SIGTERM'`. */
  readonly stopSignal?: NodeJS.Signals;
  /** Send `stopSignal` to the leader only, not its group; the final SIGKILL always goes to the group. Default `false`. */
  readonly signalLeaderOnly?: boolean;
  /** How to tell the process has started; default: once the OS has spawned it. */
  readonly readiness?: Readiness;
  /** An optional periodic health check. */
  readonly liveness?: Liveness;
  /** Restart the child when its group's resident set size stays over a limit (PM2's `max_memory_restart`). */
  readonly memoryLimit?: MemoryLimit;
  /** Output handling. */
  readonly output?: OutputOptions;
  /** A pino-like logger for the output and lifecycle records; default the one set by `setDefaultProcessLogger`, else silent. */
  readonly logger?: Logger;
  /** How processes are started; default `nodeSpawner`. */
  readonly spawner?: ProcessSpawner;
  /**
   * The clock for the readiness timeout, liveness intervals and probe timeouts, and the output
   * line budget. Default: the clock of the actor system (`startSupervisor(logic, { clock })`)
   * when it is a full `Clock`, else `systemClock`. Tests give a test clock and step time.
   */
  readonly clock?: Clock;
}

const SIGNALS = new Set(Object.keys(constants.signals));

function fail(field: string, rule: string, value: unknown): never {
  throw new InvalidProcessOptionsError(field, rule, value);
}

/** The keys of {@link ProcessOptions}, and of each probe kind, for the unknown-key check. */
const OPTION_KEYS = ['command', 'args', 'cwd', 'env', 'envPrefix', 'shutdownExitCodes', 'stopSignal', 'signalLeaderOnly', 'readiness', 'liveness', 'memoryLimit', 'output', 'logger', 'spawner', 'clock'];
const OUTPUT_KEYS = ['log', 'maxLineBytes', 'linesPerSecond', 'passThrough'];
const READINESS_KEYS: Record<string, string[]> = {
  line: ['kind', 'pattern', 'stream', 'readyTimeoutMs'],
  tcp: ['kind', 'port', 'intervalMs', 'readyTimeoutMs'],
  ipc: ['kind', 'message', 'readyTimeoutMs'],
};
const LIVENESS_COMMON = ['kind', 'intervalMs', 'timeoutMs', 'failureThreshold', 'initialDelayMs'];
const LIVENESS_KEYS: Record<string, string[]> = {
  tcp: [...LIVENESS_COMMON, 'port'],
  http: [...LIVENESS_COMMON, 'port', 'path'],
  command: [...LIVENESS_COMMON, 'command', 'args'],
  check: [...LIVENESS_COMMON, 'check'],
};

/** Throws for the first key of `value` that is not in `keys`, naming the closest valid one. */
function knownKeys(prefix: string, value: Record<string, unknown>, keys: readonly string[], where: string): void {
  const key = unknownKeys(value, keys)[0];
  if (key === undefined) return;
  const field = prefix === '' ? key : `${prefix}.${key}`;
  throw new InvalidProcessOptionsError(field, 'not a known key', value[key], unknownKeyMessage(key, where, keys));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function positive(field: string, value: unknown, allowZero = false): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    fail(field, allowZero ? 'a non-negative number' : 'a positive number', value);
  }
}

function port(field: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65_535) fail(field, 'an integer port from 1 to 65535', value);
}

function strings(field: string, value: unknown): void {
  if (value === undefined) return;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) fail(field, 'an array of strings', value);
}

/** Throws {@link InvalidProcessOptionsError} for the first invalid field. */
export function validateOptions(options: unknown): asserts options is ProcessOptions {
  if (!isObject(options)) fail('(options)', 'an object', options);
  const o = options;
  knownKeys('', o, OPTION_KEYS, "fromProcess's options");
  if (typeof o['command'] !== 'string' || o['command'] === '') fail('command', 'a non-empty string', o['command']);
  strings('args', o['args']);
  if (o['cwd'] !== undefined && (typeof o['cwd'] !== 'string' || o['cwd'] === '')) fail('cwd', 'a non-empty string', o['cwd']);
  if (o['env'] !== undefined) {
    if (!isObject(o['env'])) fail('env', 'an object of strings', o['env']);
    for (const [key, value] of Object.entries(o['env'])) {
      if (value !== undefined && typeof value !== 'string') fail(`env.${key}`, 'a string or undefined', value);
    }
  }
  if (o['envPrefix'] !== undefined && (typeof o['envPrefix'] !== 'string' || o['envPrefix'] === '')) fail('envPrefix', 'a non-empty string', o['envPrefix']);
  const codes = o['shutdownExitCodes'];
  if (codes !== undefined && (!Array.isArray(codes) || codes.some((c) => typeof c !== 'number' || !Number.isInteger(c) || c < 0 || c > 255))) {
    fail('shutdownExitCodes', 'an array of integer exit codes from 0 to 255', codes);
  }
  if (o['stopSignal'] !== undefined && (typeof o['stopSignal'] !== 'string' || !SIGNALS.has(o['stopSignal']))) {
    fail('stopSignal', 'a signal name such as "SIGTERM"', o['stopSignal']);
  }
  if (o['signalLeaderOnly'] !== undefined && typeof o['signalLeaderOnly'] !== 'boolean') fail('signalLeaderOnly', 'a boolean', o['signalLeaderOnly']);
  const readiness = o['readiness'];
  if (readiness !== undefined) {
    if (!isObject(readiness)) fail('readiness', 'an object with kind "line", "tcp" or "ipc"', readiness);
    const readinessKeys = READINESS_KEYS[String(readiness['kind'])];
    if (readinessKeys !== undefined) knownKeys('readiness', readiness, readinessKeys, `fromProcess's readiness (kind '${String(readiness['kind'])}')`);
    positive('readiness.readyTimeoutMs', readiness['readyTimeoutMs']);
    switch (readiness['kind']) {
      case 'line':
        if (!(readiness['pattern'] instanceof RegExp) && (typeof readiness['pattern'] !== 'string' || readiness['pattern'] === '')) {
          fail('readiness.pattern', 'a RegExp or a non-empty string', readiness['pattern']);
        }
        if (readiness['stream'] !== undefined && readiness['stream'] !== 'stdout' && readiness['stream'] !== 'stderr') {
          fail('readiness.stream', '"stdout" or "stderr"', readiness['stream']);
        }
        break;
      case 'tcp':
        port('readiness.port', readiness['port']);
        positive('readiness.intervalMs', readiness['intervalMs']);
        break;
      case 'ipc':
        if (readiness['message'] !== undefined && typeof readiness['message'] !== 'string') fail('readiness.message', 'a string', readiness['message']);
        break;
      default:
        fail('readiness.kind', '"line", "tcp" or "ipc"', readiness['kind']);
    }
  }
  const liveness = o['liveness'];
  if (liveness !== undefined) {
    if (!isObject(liveness)) fail('liveness', 'an object with kind "tcp", "http", "command" or "check"', liveness);
    const livenessKeys = LIVENESS_KEYS[String(liveness['kind'])];
    if (livenessKeys !== undefined) knownKeys('liveness', liveness, livenessKeys, `fromProcess's liveness (kind '${String(liveness['kind'])}')`);
    positive('liveness.intervalMs', liveness['intervalMs']);
    positive('liveness.timeoutMs', liveness['timeoutMs']);
    positive('liveness.initialDelayMs', liveness['initialDelayMs'], true);
    const threshold = liveness['failureThreshold'];
    if (threshold !== undefined && (typeof threshold !== 'number' || !Number.isInteger(threshold) || threshold < 1)) {
      fail('liveness.failureThreshold', 'a positive integer', threshold);
    }
    switch (liveness['kind']) {
      case 'tcp':
        port('liveness.port', liveness['port']);
        break;
      case 'http':
        port('liveness.port', liveness['port']);
        if (liveness['path'] !== undefined && (typeof liveness['path'] !== 'string' || !liveness['path'].startsWith('/'))) {
          fail('liveness.path', 'a path starting with "/"', liveness['path']);
        }
        break;
      case 'command':
        if (typeof liveness['command'] !== 'string' || liveness['command'] === '') fail('liveness.command', 'a non-empty string', liveness['command']);
        strings('liveness.args', liveness['args']);
        break;
      case 'check':
        if (typeof liveness['check'] !== 'function') fail('liveness.check', 'a function', liveness['check']);
        break;
      default:
        fail('liveness.kind', '"tcp", "http", "command" or "check"', liveness['kind']);
    }
  }
  const memoryLimit = o['memoryLimit'];
  if (memoryLimit !== undefined) {
    if (!isObject(memoryLimit)) fail('memoryLimit', 'an object { maxRssMb, intervalMs, samples, killAfterMs, sample }', memoryLimit);
    knownKeys('memoryLimit', memoryLimit, MEMORY_LIMIT_KEYS, "fromProcess's memoryLimit");
    const issue = memoryLimitIssue(memoryLimit);
    if (issue !== undefined) fail(...issue);
  }
  const output = o['output'];
  if (output !== undefined) {
    if (!isObject(output)) fail('output', 'an object', output);
    knownKeys('output', output, OUTPUT_KEYS, "fromProcess's output options");
    if (output['log'] !== undefined && typeof output['log'] !== 'boolean') fail('output.log', 'a boolean', output['log']);
    if (output['passThrough'] !== undefined && typeof output['passThrough'] !== 'boolean') fail('output.passThrough', 'a boolean', output['passThrough']);
    const max = output['maxLineBytes'];
    if (max !== undefined && (typeof max !== 'number' || !Number.isInteger(max) || max < 1)) fail('output.maxLineBytes', 'a positive integer', max);
    const budget = output['linesPerSecond'];
    if (budget !== undefined && (typeof budget !== 'number' || !Number.isInteger(budget) || budget < 1)) fail('output.linesPerSecond', 'a positive integer', budget);
  }
  const logger = o['logger'];
  if (logger !== undefined && (!isObject(logger) || typeof logger['child'] !== 'function' || typeof logger['info'] !== 'function')) {
    fail('logger', 'a pino-like logger with child() and info()', logger);
  }
  const spawner = o['spawner'];
  if (spawner !== undefined && (!isObject(spawner) || typeof spawner['spawn'] !== 'function')) fail('spawner', 'an object with a spawn() method', spawner);
  const clock = o['clock'];
  if (clock !== undefined && !isClock(clock)) {
    fail('clock', 'a clock with now(), setTimeout() and clearTimeout()', clock);
  }
}
