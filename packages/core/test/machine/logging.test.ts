// STYLE-ANCHORS §6.6: each fact logged once, where it is decided, with OTP's report fields.
import { describe, expect, it } from 'vitest';
import { defineSupervisor, startSupervisor, stopSupervisor, type Logger } from '@trellis/core';
import { createTestClock, scriptedChild } from '@trellis/core/testing';
import { flush } from '../helpers.js';

interface LogRecord {
  level: string;
  msg: string | undefined;
  [key: string]: unknown;
}

/** A logger that records what pino would write, bindings included; counts child() calls. */
function captureLogs(enabled: (level: string) => boolean = () => true) {
  const records: LogRecord[] = [];
  let children = 0;
  const make = (bindings: Record<string, unknown>): Logger => {
    const at =
      (level: string) =>
      (obj: object, msg?: string): void => {
        records.push({ level, ...bindings, ...obj, msg });
      };
    return {
      child: (more) => {
        children++;
        return make({ ...bindings, ...more });
      },
      debug: at('debug'),
      info: at('info'),
      warn: at('warn'),
      error: at('error'),
      isLevelEnabled: enabled,
    };
  };
  return { logger: make({}), records, childCount: () => children };
}

describe('logging', () => {
  it('reports progress at info and a crash once at error, with supervisor, child, errorContext, reason and offender', async () => {
    const { logger, records } = captureLogs();
    const kid = scriptedChild();
    const sub = defineSupervisor({ id: 'db', children: [{ id: 'writer', start: kid }] });
    const sup = await startSupervisor(defineSupervisor({ id: 'root', logger, children: [{ id: 'db', start: sub }] }), { clock: createTestClock() });
    kid.crash(new Error('disk full'));
    await flush();
    const started = records.filter((r) => r.event === 'sup.child.started');
    expect(started.map((r) => [r.level, r.supervisor, r.child])).toEqual([
      ['info', 'root/db', 'writer'],
      ['info', 'root', 'db'],
      ['info', 'root/db', 'writer'],
    ]);
    const crashes = records.filter((r) => r.errorContext === 'child_terminated');
    expect(crashes).toHaveLength(1);
    expect(crashes[0]).toMatchObject({
      level: 'error',
      supervisor: 'root/db',
      reason: 'error',
      decision: 'restart',
      offender: { id: 'writer', restart: 'permanent', shutdown: 5000, incarnation: 0 },
    });
    await stopSupervisor(sup);
  });

  it('reports reached_max_restart_intensity once with errorContext shutdown', async () => {
    const { logger, records } = captureLogs();
    const kid = scriptedChild();
    await startSupervisor(defineSupervisor({ id: 'root', logger, intensity: 0, children: [{ id: 'w', start: kid }] }), { clock: createTestClock() });
    kid.crash();
    await flush();
    const giveUps = records.filter((r) => r.reason === 'reached_max_restart_intensity');
    expect(giveUps).toHaveLength(1);
    expect(giveUps[0]).toMatchObject({ level: 'error', errorContext: 'shutdown', supervisor: 'root', offender: { id: 'w' } });
    // The give-up fact names no incarnation: the offender's comes from the child's record.
    expect(giveUps[0]?.['offender']).toMatchObject({ incarnation: 0 });
  });

  it('writes no report at a level the logger has off', async () => {
    const { logger, records } = captureLogs((level) => level !== 'info');
    const kid = scriptedChild();
    const sup = await startSupervisor(defineSupervisor({ id: 'root', logger, children: [{ id: 'w', start: kid }] }), { clock: createTestClock() });
    kid.crash(new Error('disk full'));
    await flush();
    expect(records.filter((r) => r.level === 'info')).toEqual([]);
    expect(records.filter((r) => r.errorContext === 'child_terminated')).toHaveLength(1);
    await stopSupervisor(sup);
  });

  it('reports a start failure with errorContext start_error', async () => {
    const { logger, records } = captureLogs();
    await startSupervisor(defineSupervisor({ id: 'root', logger, children: [{ id: 'w', start: scriptedChild({ failStarts: 1 }) }] }), { clock: createTestClock() }).catch(() => {});
    const failed = records.filter((r) => r.errorContext === 'start_error');
    expect(failed).toHaveLength(1);
    // The whole error the start failed with, stack included (the fact itself carries only its name and message).
    expect(failed[0]).toMatchObject({ child: 'w', incarnation: 0, offender: { id: 'w', incarnation: 0, restart: 'permanent', shutdown: 5_000 } });
    expect(failed[0]!.reason).toMatchObject({ name: 'Error', message: expect.any(String), stack: expect.stringMatching(/^Error: /) });
  });

  it('makes loggers once per supervisor and per child incarnation, not per event', async () => {
    const { logger, childCount } = captureLogs();
    const kid = scriptedChild();
    await startSupervisor(defineSupervisor({ id: 'root', logger, intensity: 10, children: [{ id: 'w', start: kid }] }), { clock: createTestClock() });
    const afterStart = childCount();
    expect(afterStart).toBe(2); // { supervisor } once, { child, incarnation } for incarnation 0
    kid.crash();
    await flush();
    expect(childCount()).toBe(3); // one more for incarnation 1
  });

  it('gives a worker its bound logger as ctx.logger', async () => {
    const { logger, records } = captureLogs();
    const { fromWorker } = await import('@trellis/core');
    const w = fromWorker(({ logger: log }) => {
      log.info({ step: 1 }, 'working');
      return new Promise(() => {});
    });
    const sup = await startSupervisor(defineSupervisor({ id: 'root', logger, children: [{ id: 'w', start: w, shutdown: 'brutal_kill' }] }), { clock: createTestClock() });
    expect(records.find((r) => r.msg === 'working')).toMatchObject({ supervisor: 'root', child: 'w', incarnation: 0, step: 1 });
    await stopSupervisor(sup);
  });
});

describe('faults in observers', () => {
  it('a logger that throws on every call does not disturb supervision', async () => {
    const boom = () => {
      throw new Error('logger down');
    };
    const broken: Logger = { child: () => broken, debug: boom, info: boom, warn: boom, error: boom };
    const kid = scriptedChild();
    const sup = await startSupervisor(defineSupervisor({ id: 'root', logger: broken, intensity: 5, children: [{ id: 'w', start: kid }] }), { clock: createTestClock() });
    kid.crash();
    await flush();
    expect(kid.handovers).toHaveLength(2);
    expect(await stopSupervisor(sup)).toEqual({ reason: 'normal' });
  });

  it('a subscriber that throws is logged and ignored: no uncaught exception, the tree keeps working', async () => {
    const { logger, records } = captureLogs();
    const kid = scriptedChild();
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      const sup = await startSupervisor(defineSupervisor({ id: 'root', logger, intensity: 5, children: [{ id: 'w', start: kid }] }), { clock: createTestClock() });
      sup.on('sup.child.exited', () => {
        throw new Error('subscriber bug');
      });
      const seen: string[] = [];
      sup.on('sup.child.started', (f) => seen.push(f.child));
      kid.crash();
      await flush(4);
      expect(seen).toEqual(['w']); // the other subscriber still got its fact
      expect(kid.handovers).toHaveLength(2);
      expect(records.some((r) => r.event === 'sup.subscriber.failed')).toBe(true);
      await stopSupervisor(sup);
      await new Promise((r) => setTimeout(r, 0)); // XState rethrows from a setTimeout(0): let one timer turn pass
      expect(uncaught).toEqual([]);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  });
});
