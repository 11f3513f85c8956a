// Unit: fromProcess's memoryLimit against a fake spawner and a scripted RSS reading, on the test
// clock: sampling, the run of readings over the limit, the stop then kill, and the exit it makes.
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { defineSupervisor, startSupervisor, stopSupervisor, whichChildren } from '@trellis/core';
import { createTestClock, settle, type TestClock } from '@trellis/core/testing';
import { fromProcess, type MemoryLimit, type ProcessOptions, type ProcessSnapshot } from '../../src/index.js';
import { parseProcStat, parsePsOutput } from '../../src/memory/groupRss.js';
import { captureLogs, fakeSpawner, tick, type FakeSpawner } from '../fakeSpawner.js';

const MB = 1024 * 1024;

/** A sample function that returns `readings` (in MB) one per call, then the last one forever. */
function scripted(readings: Array<number | undefined>): { sample: (pid: number) => number | undefined; pids: number[] } {
  const pids: number[] = [];
  let i = 0;
  return {
    pids,
    sample: (pid) => {
      pids.push(pid);
      const mb = readings[Math.min(i++, readings.length - 1)];
      return mb === undefined ? undefined : mb * MB;
    },
  };
}

function run(options: Omit<ProcessOptions, 'spawner' | 'command'>, spawner: FakeSpawner = fakeSpawner()) {
  const actor = createActor(fromProcess({ command: 'x', ...options, spawner }), { id: 'p' });
  actor.subscribe({ error: () => {} });
  actor.start();
  return { actor, spawner, snap: () => actor.getSnapshot() as ProcessSnapshot };
}

async function step(clock: TestClock, ms: number): Promise<void> {
  clock.advance(ms);
  await settle();
}

describe('memoryLimit', () => {
  it('samples every intervalMs and, after `samples` readings in a row over the limit, stops the group: killed, with the figure that tripped it', async () => {
    const clock = createTestClock();
    const { sample, pids } = scripted([50, 120, 130, 140]);
    const { logger, records } = captureLogs();
    const { snap, spawner } = run({ clock, logger, memoryLimit: { maxRssMb: 100, intervalMs: 1_000, samples: 3, sample } });
    await tick();
    await step(clock, 999);
    expect(pids).toEqual([]);
    await step(clock, 1); // 50 MB: under
    await step(clock, 1_000); // 120: over 1
    await step(clock, 1_000); // 130: over 2
    expect(spawner.last().kills).toEqual([]);
    await step(clock, 1_000); // 140: over 3, trips
    expect(pids).toEqual([1000, 1000, 1000, 1000]);
    // SIGTERM to the group; once the leader has exited, what is left of its group is SIGKILLed.
    expect(spawner.last().kills).toEqual([['SIGTERM', true], ['SIGKILL', true]]);
    expect(snap().status).toBe('done');
    expect(snap().output).toMatchObject({ reason: 'killed', signal: 'SIGTERM', detail: { limit: 'memory', maxRssMb: 100, rssBytes: 140 * MB, samplesOver: 3, intervalMs: 1_000 } });
    expect(records.find((r) => r.obj['event'] === 'process.memory.exceeded')?.obj).toMatchObject({ rssBytes: 140 * MB, maxRssMb: 100 });
    expect(clock.pending()).toBe(0);
  });

  it('a reading under the limit starts the count again; a failed reading leaves it as it was', async () => {
    const clock = createTestClock();
    const { sample } = scripted([120, 120, 90, 120, undefined, 120, 120]);
    const { snap, spawner } = run({ clock, memoryLimit: { maxRssMb: 100, intervalMs: 10, samples: 3, sample } });
    await tick();
    for (let i = 0; i < 6; i++) await step(clock, 10);
    expect(snap().status).toBe('active'); // 120 120 90 | 120 (none) 120: only two in a row
    await step(clock, 10);
    expect(snap().status).toBe('done');
    expect(spawner.last().kills[0]).toEqual(['SIGTERM', true]);
  });

  it('SIGKILLs the group killAfterMs after stopSignal when the process does not exit; still killed with the detail', async () => {
    const clock = createTestClock();
    const { sample } = scripted([200]);
    const spawner = fakeSpawner({ obeySignals: { term: false, kill: true } });
    const { snap } = run({ clock, stopSignal: 'SIGINT', memoryLimit: { maxRssMb: 100, intervalMs: 10, samples: 1, killAfterMs: 500, sample } }, spawner);
    await tick();
    await step(clock, 10);
    expect(spawner.last().kills).toEqual([['SIGINT', true]]);
    await step(clock, 499);
    expect(snap().status).toBe('active');
    await step(clock, 1);
    expect(spawner.last().kills.slice(0, 2)).toEqual([['SIGINT', true], ['SIGKILL', true]]);
    expect(snap().output).toMatchObject({ reason: 'killed', signal: 'SIGKILL', detail: { limit: 'memory', rssBytes: 200 * MB } });
  });

  it('stops sampling when the supervisor asks the child to stop, and when it exits', async () => {
    const clock = createTestClock();
    const { sample, pids } = scripted([10]);
    const { actor, spawner } = run({ clock, memoryLimit: { maxRssMb: 100, intervalMs: 10, sample } });
    await tick();
    await step(clock, 10);
    expect(pids.length).toBe(1);
    spawner.last().exit(0, null);
    await settle();
    await step(clock, 100);
    expect(pids.length).toBe(1);
    expect(clock.pending()).toBe(0);
    actor.stop();
  });

  it('under a supervisor the restart counts toward the intensity: a child over its limit on every start makes the supervisor give up', async () => {
    const clock = createTestClock();
    const { sample } = scripted([500]);
    const logic = fromProcess({ command: 'x', spawner: fakeSpawner(), memoryLimit: { maxRssMb: 100, intervalMs: 10, samples: 1, sample } });
    const exits: unknown[] = [];
    const sup = await startSupervisor(defineSupervisor({ id: 'root', intensity: 2, periodMs: 60_000, children: [{ id: 'leaky', start: logic }] }), { clock, onGiveUp: (exit) => exits.push(exit) });
    for (let i = 0; i < 3; i++) {
      await settle();
      await step(clock, 10);
    }
    await settle();
    expect(exits).toHaveLength(1);
    expect(sup.getSnapshot().status).not.toBe('active');
    await stopSupervisor(sup).catch(() => {});
  });

  it('reads a process group from /proc/<pid>/stat and from ps output', () => {
    const stat = '4242 (node (my app)) S 1 4240 4240 0 -1 4194560 100 0 0 0 5 1 0 0 20 0 7 0 123 1000000 2560 18446744073709551615';
    expect(parseProcStat(stat)).toEqual([4240, 2560 * 4096]);
    expect(parsePsOutput(' 4240  1000\n 4240 24\n 17 999999\n', 4240)).toBe(1024 * 1024);
  });
});

describe('memoryLimit validation', () => {
  it.each([
    ['memoryLimit.maxRssMb', { maxRssMb: 0 }, 'fromProcess option "memoryLimit.maxRssMb": must be a positive number of megabytes, got 0.'],
    ['memoryLimit.samples', { maxRssMb: 1, samples: 1.5 }, 'fromProcess option "memoryLimit.samples": must be a positive integer, got 1.5.'],
    ['memoryLimit.intervalMs', { maxRssMb: 1, intervalMs: -5 }, 'fromProcess option "memoryLimit.intervalMs": must be a positive number, got -5.'],
    ['memoryLimit.killAfterMs', { maxRssMb: 1, killAfterMs: 'soon' }, 'fromProcess option "memoryLimit.killAfterMs": must be a non-negative number, got "soon".'],
    ['memoryLimit.sample', { maxRssMb: 1, sample: 3 }, 'fromProcess option "memoryLimit.sample": must be a function, got 3.'],
    ['memoryLimit.maxRss', { maxRss: 100 }, "unknown key 'maxRss' in fromProcess's memoryLimit — did you mean 'maxRssMb'?"],
  ])('%s', (field, memoryLimit, message) => {
    expect(() => fromProcess({ command: 'x', memoryLimit: memoryLimit as unknown as MemoryLimit })).toThrow(expect.objectContaining({ name: 'InvalidProcessOptionsError', field, message }));
  });
});
