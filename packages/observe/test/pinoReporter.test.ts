import { defineSupervisor, startSupervisor, stopSupervisor, type Logger } from '@trellis/core';
import { createTestClock, scriptedChild, settle } from '@trellis/core/testing';
import { describe, expect, it } from 'vitest';
import { attachPinoReporter, createPinoReporter, levelOf, observeTree, toReport } from '../src/index.js';
import { captureLogs } from './helpers.js';

const LEVEL = { debug: 20, info: 30, warn: 40, error: 50 } as const;

async function tree(options: { intensity?: number } = {}) {
  const db = scriptedChild();
  const cache = scriptedChild();
  const logic = defineSupervisor({ id: 'root', intensity: options.intensity ?? 5, children: [{ id: 'db', start: db }, { id: 'cache', start: cache, restart: 'transient' }] });
  const ref = await startSupervisor(logic, { clock: createTestClock() });
  return { ref, db, cache };
}

describe('createPinoReporter', () => {
  it('logs a crash once as child_terminated at error, then the restart at info, with OTP fields', async () => {
    const { ref, db } = await tree();
    const { logger, records } = captureLogs();
    const stop = attachPinoReporter(ref, logger);
    db.crash(new Error('boom'));
    await settle();
    expect(records).toHaveLength(2);
    expect(records[0]).toMatchObject({
      level: LEVEL.error,
      msg: 'child terminated',
      event: 'sup.child.exited',
      supervisor: 'root',
      child: 'db',
      incarnation: 0,
      errorContext: 'child_terminated',
      reason: 'error',
      detail: { name: 'Error', message: 'boom' },
      decision: 'restart',
      offender: { id: 'db', incarnation: 0, restart: 'permanent', shutdown: 5000 },
    });
    expect(records[1]).toMatchObject({ level: LEVEL.info, msg: 'child restarted', event: 'sup.child.started', supervisor: 'root', child: 'db', incarnation: 1, cause: 'restart' });
    stop();
    await stopSupervisor(ref);
  });

  it('logs a normal exit of a transient child at info, and an orderly stop at debug', async () => {
    const { ref, cache } = await tree();
    const { logger, records } = captureLogs();
    attachPinoReporter(ref, logger);
    cache.exitNormal();
    await settle();
    expect(records).toEqual([expect.objectContaining({ level: LEVEL.info, msg: 'child exited', errorContext: 'child_terminated', reason: 'normal', decision: 'keep' })]);
    await stopSupervisor(ref);
    expect(records.slice(1)).toEqual([
      expect.objectContaining({ level: LEVEL.debug, msg: 'supervisor stopping', event: 'sup.stopping', reason: 'normal' }),
      expect.objectContaining({ level: LEVEL.debug, msg: 'child stopped', child: 'db', reason: 'shutdown', decision: 'stopped' }),
      expect.objectContaining({ level: LEVEL.info, msg: 'supervisor stopped', reason: 'normal' }),
    ]);
    expect(records[2]).not.toHaveProperty('errorContext');
  });

  it('reports giving up with errorContext shutdown and reason reached_max_restart_intensity', async () => {
    const { ref, db } = await tree({ intensity: 0 });
    const { logger, records } = captureLogs('info');
    attachPinoReporter(ref, logger);
    db.crash();
    await settle();
    const giveUp = records.find((r) => r.event === 'sup.intensity.exceeded');
    expect(giveUp).toMatchObject({ level: LEVEL.error, supervisor: 'root', errorContext: 'shutdown', reason: 'reached_max_restart_intensity', intensity: 0, offender: { id: 'db', restart: 'permanent' } });
    expect(records.at(-1)).toMatchObject({ level: LEVEL.error, event: 'sup.stopped', detail: 'reached_max_restart_intensity' });
    expect(records.filter((r) => r.event === 'sup.intensity.exceeded')).toHaveLength(1);
  });

  it('reports a failed restart as start_error and the retry at warn', async () => {
    const { ref, db } = await tree();
    const { logger, records } = captureLogs();
    attachPinoReporter(ref, logger);
    db.failStarts(1);
    db.crash();
    await settle();
    await settle();
    expect(records.map((r) => [r.event, r.level])).toEqual([
      ['sup.child.exited', LEVEL.error],
      ['sup.child.startFailed', LEVEL.error],
      ['sup.child.restarting', LEVEL.warn],
      ['sup.child.started', LEVEL.info],
    ]);
    expect(records[1]).toMatchObject({ errorContext: 'start_error', reason: { message: expect.any(String) }, offender: { id: 'db', incarnation: 1 } });
    await stopSupervisor(ref);
  });

  it('makes one child logger per supervisor path, and builds nothing for a disabled level', async () => {
    const { ref, db, cache } = await tree();
    const bindings: Array<Record<string, unknown>> = [];
    let built = 0;
    const calls: string[] = [];
    const record = (level: string) => (obj: object) => {
      built += 1;
      calls.push(`${level} ${(obj as { event: string }).event}`);
    };
    const child: Logger = { child: () => child, debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error'), isLevelEnabled: (level) => level !== 'info' };
    const root: Logger = { ...child, child: (b) => (bindings.push(b), child) };
    observeTree(ref, createPinoReporter(root));
    db.crash();
    await settle();
    cache.crash();
    await settle();
    expect(bindings).toEqual([{ supervisor: 'root' }]);
    // The two `started` facts are at info, which is disabled: never built or written.
    expect(calls).toEqual(['error sup.child.exited', 'error sup.child.exited']);
    expect(built).toBe(2);
    await stopSupervisor(ref);
  });
});

describe('levelOf and toReport', () => {
  it.each([
    [{ type: 'sup.child.exited', supervisor: 'r', child: 'c', incarnation: 0, decision: 'restart', exit: { reason: 'normal', at: 0 } }, 'error'],
    [{ type: 'sup.child.exited', supervisor: 'r', child: 'c', incarnation: 0, decision: 'delete', exit: { reason: 'shutdown', at: 0 } }, 'info'],
    [{ type: 'sup.child.exited', supervisor: 'r', child: 'c', incarnation: 0, decision: 'keep', exit: { reason: 'killed', at: 0 } }, 'error'],
    [{ type: 'sup.shutdown.timedOut', supervisor: 'r', child: 'c', incarnation: 0, shutdownMs: 10 }, 'error'],
    [{ type: 'sup.stopped', supervisor: 'r', exit: { reason: 'shutdown' } }, 'info'],
  ] as const)('levels %o at %s', (fact, level) => {
    expect(levelOf(fact)).toBe(level);
  });

  it('reports a shutdown timeout as shutdown_error with reason killed', () => {
    expect(toReport({ type: 'sup.shutdown.timedOut', supervisor: 'r', child: 'c', incarnation: 3, shutdownMs: 10 }).fields).toEqual({
      event: 'sup.shutdown.timedOut',
      child: 'c',
      incarnation: 3,
      errorContext: 'shutdown_error',
      reason: 'killed',
      shutdownMs: 10,
      offender: { id: 'c', incarnation: 3 },
    });
  });
});
