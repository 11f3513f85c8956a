/**
 * The options of `fromSchedule` and their validation: a cron expression (with an IANA time zone)
 * or a fixed interval, what to do when a run is still going when the next is due, whether to run
 * at boot, what to do about runs missed while the program was down, and jitter. Every field is
 * checked before anything runs; an unknown key names the closest valid one (decision 0009).
 *
 * @module
 */
import { Cron } from 'croner';
import { childProtocolOf, SupervisorArgumentError, unknownKeyMessage, unknownKeys } from '@trellis/core';
import type { AnyActorLogic } from 'xstate';

/**
 * Options of {@link fromSchedule}.
 *
 * @remarks
 * Exactly one of `cron` and `everyMs`. `cron` is a 5-field (minute first) or 6-field (seconds
 * first) expression read in `timezone` (an IANA name such as `'Europe/Paris'`; default UTC);
 * `everyMs` runs every that many milliseconds, counted from the scheduler's start. A run that is
 * still going when the next one is due is skipped and reported (`overlap: 'skip'`, the default)
 * or run right after it (`'queue'`, at most one waiting). Nothing runs at boot unless
 * `runAtStart`; after the program was down, `missed: 'runOnce'` runs once at start when a due
 * time passed since the last run (read from the handover; decision 0024), `'skip'` (the default)
 * waits for the next one. Each run is delayed by a random `[0, jitterMs)`.
 *
 * @example
 * ```ts
 * import type { ScheduleOptions } from '@trellis/schedule';
 * const nightly: ScheduleOptions = { cron: '30 2 * * *', timezone: 'Europe/Paris', missed: 'runOnce', jitterMs: 60_000 };
 * const everyMinute: ScheduleOptions = { everyMs: 60_000, overlap: 'queue' };
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface ScheduleOptions {
  /** A cron expression: `'*\/5 * * * *'`, `'0 9 * * 1-5'`, or with seconds first, `'*\/10 * * * * *'`. */
  readonly cron?: string;
  /** The IANA time zone `cron` is read in; default `'UTC'`. Only with `cron`. */
  readonly timezone?: string;
  /** A fixed interval in ms instead of `cron`. */
  readonly everyMs?: number;
  /** A run still going when the next is due: `'skip'` it and report (default) or `'queue'` one. */
  readonly overlap?: 'skip' | 'queue';
  /** Run once as soon as the program starts (not after a failed run restarted the scheduler). Default `false`. */
  readonly runAtStart?: boolean;
  /** Runs missed while the program was down: `'skip'` (default) or `'runOnce'` at start. */
  readonly missed?: 'skip' | 'runOnce';
  /** Delay each run by a random `[0, jitterMs)` ms; default 0. */
  readonly jitterMs?: number;
  /** The random source of the jitter, `[0, 1)`; default `Math.random` (tests pass their own). */
  readonly random?: () => number;
}

const KEYS = ['cron', 'timezone', 'everyMs', 'overlap', 'runAtStart', 'missed', 'jitterMs', 'random'] as const;

function fail(field: string, rule: string, value: unknown, message?: string): never {
  throw new SupervisorArgumentError('fromSchedule', field, rule, value, message);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Throws `SupervisorArgumentError` for the first invalid argument; returns the parsed cron, if any. */
export function validateSchedule(run: unknown, options: unknown): Cron | undefined {
  if (!(typeof run === 'object' && run !== null && typeof (run as AnyActorLogic).transition === 'function')) {
    fail('run', 'must be XState actor logic (fromWorker, fromProcess, fromPromise, ...)', run);
  }
  if (childProtocolOf(run as AnyActorLogic).kind === 'supervisor') fail('run', 'must not be a supervisor (schedule a worker or a process)', run);
  if (!isObject(options)) fail('options', 'must be an object with cron or everyMs', options);
  const unknown = unknownKeys(options, KEYS)[0];
  if (unknown !== undefined) fail(`options.${unknown}`, 'is not a known key', options[unknown], unknownKeyMessage(unknown, "fromSchedule's options", KEYS));
  const { cron, timezone, everyMs, overlap, runAtStart, missed, jitterMs, random } = options;
  if ((cron === undefined) === (everyMs === undefined)) fail('options', 'must have exactly one of cron and everyMs', options, `fromSchedule: options must have exactly one of cron and everyMs, got ${cron === undefined ? 'neither' : 'both'}.`);
  if (everyMs !== undefined && !(typeof everyMs === 'number' && Number.isFinite(everyMs) && everyMs > 0)) fail('options.everyMs', 'must be a positive number of milliseconds', everyMs);
  if (timezone !== undefined) {
    if (cron === undefined) fail('options.timezone', 'is only allowed with cron', timezone);
    let valid = typeof timezone === 'string' && timezone !== '';
    try {
      if (valid) new Intl.DateTimeFormat('en', { timeZone: timezone as string });
    } catch {
      valid = false;
    }
    if (!valid) fail('options.timezone', "must be an IANA time zone such as 'Europe/Paris'", timezone);
  }
  let parsed: Cron | undefined;
  if (cron !== undefined) {
    if (typeof cron !== 'string' || cron.trim() === '') fail('options.cron', 'must be a cron expression', cron);
    try {
      parsed = new Cron(cron, { paused: true, timezone: (timezone as string | undefined) ?? 'UTC' });
    } catch (error) {
      fail('options.cron', `must be a valid cron expression (${(error as Error).message})`, cron);
    }
    if (parsed.nextRun(new Date()) === null) fail('options.cron', 'must have a next run (this one never fires again)', cron);
  }
  if (overlap !== undefined && overlap !== 'skip' && overlap !== 'queue') fail('options.overlap', "must be 'skip' or 'queue'", overlap);
  if (runAtStart !== undefined && typeof runAtStart !== 'boolean') fail('options.runAtStart', 'must be a boolean', runAtStart);
  if (missed !== undefined && missed !== 'skip' && missed !== 'runOnce') fail('options.missed', "must be 'skip' or 'runOnce'", missed);
  if (jitterMs !== undefined && !(typeof jitterMs === 'number' && Number.isFinite(jitterMs) && jitterMs >= 0)) fail('options.jitterMs', 'must be a non-negative number of milliseconds', jitterMs);
  if (random !== undefined && typeof random !== 'function') fail('options.random', 'must be a function returning [0, 1)', random);
  return parsed;
}
