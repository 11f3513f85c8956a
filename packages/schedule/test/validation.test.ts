// Issue 17 part 2 / decision 0009: every fromSchedule argument is checked before anything runs; the
// error names the field, the rule and the value, and an unknown key the closest valid one.
import { describe, expect, it } from 'vitest';
import { defineSupervisor, fromWorker } from '@trellis/core';
import { fromSchedule, type ScheduleOptions } from '../src/index.js';

const run = fromWorker(async () => {});

function caught(options: unknown, logic: unknown = run): Error & { argument?: string } {
  try {
    fromSchedule(logic as typeof run, options as ScheduleOptions);
  } catch (error) {
    return error as Error;
  }
  throw new Error('fromSchedule accepted it');
}

describe('fromSchedule validates its arguments', () => {
  it.each([
    ['run', {}, async () => {}, 'fromSchedule: run must be XState actor logic (fromWorker, fromProcess, fromPromise, ...), got a function.'],
    ['run', { everyMs: 1 }, defineSupervisor({ id: 's', children: [] }), 'fromSchedule: run must not be a supervisor (schedule a worker or a process), got an object.'],
    ['options', {}, run, 'fromSchedule: options must have exactly one of cron and everyMs, got neither.'],
    ['options', { cron: '* * * * *', everyMs: 5 }, run, 'fromSchedule: options must have exactly one of cron and everyMs, got both.'],
    ['options.everyMs', { everyMs: 0 }, run, 'fromSchedule: options.everyMs must be a positive number of milliseconds, got 0.'],
    ['options.cron', { cron: '61 * * * *' }, run, 'fromSchedule: options.cron must be a valid cron expression (CronPattern: Invalid value for minute: 61), got "61 * * * *".'],
    ['options.timezone', { cron: '0 9 * * *', timezone: 'Mars/Olympus' }, run, "fromSchedule: options.timezone must be an IANA time zone such as 'Europe/Paris', got \"Mars/Olympus\"."],
    ['options.timezone', { everyMs: 5, timezone: 'UTC' }, run, 'fromSchedule: options.timezone is only allowed with cron, got "UTC".'],
    ['options.overlap', { everyMs: 5, overlap: 'parallel' }, run, "fromSchedule: options.overlap must be 'skip' or 'queue', got \"parallel\"."],
    ['options.missed', { everyMs: 5, missed: 'all' }, run, "fromSchedule: options.missed must be 'skip' or 'runOnce', got \"all\"."],
    ['options.jitterMs', { everyMs: 5, jitterMs: -1 }, run, 'fromSchedule: options.jitterMs must be a non-negative number of milliseconds, got -1.'],
    ['options.runAtStart', { everyMs: 5, runAtStart: 'yes' }, run, 'fromSchedule: options.runAtStart must be a boolean, got "yes".'],
    ['options.timeZone', { cron: '0 9 * * *', timeZone: 'Europe/Paris' }, run, "unknown key 'timeZone' in fromSchedule's options — did you mean 'timezone'?"],
    ['options.every', { every: 1_000 }, run, "unknown key 'every' in fromSchedule's options — did you mean 'everyMs'?"],
  ])('%s', (argument, options, logic, message) => {
    const error = caught(options, logic);
    expect(error).toMatchObject({ name: 'SupervisorArgumentError', code: 'badarg', argument });
    expect(error.message).toBe(message);
  });

  it('accepts every documented key', () => {
    const options: Required<Omit<ScheduleOptions, 'everyMs'>> = {
      cron: '0 9 * * 1-5',
      timezone: 'America/New_York',
      overlap: 'queue',
      runAtStart: true,
      missed: 'runOnce',
      jitterMs: 1_000,
      random: Math.random,
    };
    expect(() => fromSchedule(run, options)).not.toThrow();
    expect(() => fromSchedule(run, { everyMs: 1 })).not.toThrow();
  });
});
