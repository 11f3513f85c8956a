// Warnings the guides promise (issue 14's audit): a nested supervisor's ignored handoverStore
// (handover.md) and a restart budget that pauses restarts (restart-intensity-and-backoff.md).
import { describe, expect, it } from 'vitest';
import { defineSupervisor, DecayingRestartBudget, startSupervisor, stopSupervisor, type HandoverStore, type Logger } from '@trellis/core';
import { createTestClock, scriptedChild, settle } from '@trellis/core/testing';

/** A logger that records every call as `[level, fields]`, children included. */
function recordingLogger(): { logger: Logger; calls: Array<[string, Record<string, unknown>]> } {
  const calls: Array<[string, Record<string, unknown>]> = [];
  const make = (bound: Record<string, unknown>): Logger => {
    const at =
      (level: string) =>
      (fields: Record<string, unknown>): void => {
        calls.push([level, { ...bound, ...fields }]);
      };
    return { child: (more: Record<string, unknown>) => make({ ...bound, ...more }), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } as Logger;
  };
  return { logger: make({}), calls };
}

const memoryStore = (): HandoverStore => ({ load: () => [], write: () => {}, delete: () => {} });

describe('warnings the guides promise', () => {
  it('a nested supervisor with its own handoverStore warns sup.config.ignored (only the root reads it)', async () => {
    const { logger, calls } = recordingLogger();
    const nested = defineSupervisor({ id: 'nested', handoverStore: memoryStore(), children: [{ id: 'w', start: scriptedChild() }] });
    const sup = await startSupervisor(defineSupervisor({ id: 'root', logger, handoverStore: memoryStore(), children: [{ id: 'nested', start: nested }] }), { clock: createTestClock() });
    const ignored = calls.filter(([, f]) => f['event'] === 'sup.config.ignored');
    expect(ignored).toEqual([['warn', expect.objectContaining({ event: 'sup.config.ignored', field: 'handoverStore', supervisor: 'root/nested' })]]);
    await stopSupervisor(sup);
  });

  it('the root with a handoverStore does not warn', async () => {
    const { logger, calls } = recordingLogger();
    const sup = await startSupervisor(defineSupervisor({ id: 'root', logger, handoverStore: memoryStore(), children: [{ id: 'w', start: scriptedChild() }] }), { clock: createTestClock() });
    expect(calls.filter(([, f]) => f['event'] === 'sup.config.ignored')).toEqual([]);
    await stopSupervisor(sup);
  });

  it('a restart budget over its threshold logs a sup.restarts.paused warning with the pause', async () => {
    const { logger, calls } = recordingLogger();
    const kid = scriptedChild();
    const clock = createTestClock(1_000);
    const sup = await startSupervisor(
      defineSupervisor({ id: 'root', logger, restartBudget: () => new DecayingRestartBudget({ threshold: 2, decayMs: 30_000, pauseMs: 15_000 }), children: [{ id: 'w', start: kid }] }),
      { clock },
    );
    for (let i = 0; i < 3; i++) {
      kid.crash();
      await settle();
    }
    expect(calls.filter(([, f]) => f['event'] === 'sup.restarts.paused')).toEqual([['warn', expect.objectContaining({ event: 'sup.restarts.paused', child: 'w', delayMs: 15_000 })]]);
    await stopSupervisor(sup);
  });
});
