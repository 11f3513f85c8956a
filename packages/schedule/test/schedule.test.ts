// fromSchedule under a real supervisor on the test clock: due times (interval and cron with a time
// zone), overlap, boot and missed-run policies through a durable handover store, jitter, a failing
// run under the restart intensity, the run's own handover, and the stop. No real time passes.
import { describe, expect, it } from 'vitest';
import {
  defineSupervisor,
  exit,
  fromWorker,
  startSupervisor,
  stopSupervisor,
  whichChildren,
  type HandoverEntry,
  type HandoverStore,
  type Handover,
  type SupervisorExit,
  type SupervisorRef,
} from '@trellis/core';
import { createTestClock, settle, type TestClock } from '@trellis/core/testing';
import { fromSchedule, type ScheduleOptions, type ScheduleSnapshot } from '../src/index.js';

const T0 = Date.UTC(2026, 0, 15, 0, 0, 0); // a Thursday, winter (Paris is UTC+1)
const iso = (ms: number): string => new Date(ms).toISOString();

/** A run that records when it started and the handover it got, and takes `takesMs` of the test clock. */
function recorder(takesMs = 0, fail?: (n: number) => unknown) {
  const starts: number[] = [];
  const handovers: Handover[] = [];
  const logic = fromWorker(async ({ clock, handover, sleep }) => {
    starts.push(clock.now());
    handovers.push(handover);
    if (takesMs > 0) await sleep(takesMs);
    const failure = fail?.(starts.length);
    if (failure instanceof Error) throw failure;
    if (failure !== undefined) return failure;
  });
  return { logic, starts, handovers };
}

async function tree(clock: TestClock, start: ReturnType<typeof fromSchedule>, extra: { handoverStore?: HandoverStore; intensity?: number; onGiveUp?: (e: SupervisorExit) => void } = {}): Promise<SupervisorRef> {
  const config = { id: 'root', intensity: extra.intensity ?? 3, periodMs: 60_000, children: [{ id: 'job', start, shutdown: 1_000 }] };
  const sup = await startSupervisor(defineSupervisor(extra.handoverStore ? { ...config, handoverStore: extra.handoverStore } : config), extra.onGiveUp ? { clock, onGiveUp: extra.onGiveUp } : { clock });
  await settle();
  return sup;
}

function schedule(sup: SupervisorRef): ScheduleSnapshot {
  return whichChildren(sup)[0]!.ref!.getSnapshot() as ScheduleSnapshot;
}

async function advance(clock: TestClock, ms: number, step = 100): Promise<void> {
  for (let done = 0; done < ms; done += step) {
    clock.advance(Math.min(step, ms - done));
    await settle();
  }
}

function memoryStore(): HandoverStore & { entries: Map<string, HandoverEntry> } {
  const entries = new Map<string, HandoverEntry>();
  return { entries, load: () => [...entries], write: (id, entry) => void entries.set(id, entry), delete: (id) => void entries.delete(id) };
}

describe('due times', () => {
  it('everyMs: runs every interval from the start, never at boot; nextRunAt is visible in whichChildren', async () => {
    const clock = createTestClock(T0);
    const { logic, starts } = recorder();
    const sup = await tree(clock, fromSchedule(logic, { everyMs: 1_000 }));
    expect(starts).toEqual([]);
    expect(schedule(sup).nextRunAt).toBe(T0 + 1_000);
    await advance(clock, 3_000);
    expect(starts).toEqual([T0 + 1_000, T0 + 2_000, T0 + 3_000]);
    expect(schedule(sup)).toMatchObject({ nextRunAt: T0 + 4_000, runs: 3, skipped: 0, running: false, lastRun: { number: 3, reason: 'normal' } });
    await stopSupervisor(sup);
  });

  it('cron with a time zone: 09:00 in Paris is 08:00 UTC in winter and 07:00 UTC in summer', async () => {
    const clock = createTestClock(Date.UTC(2026, 2, 27, 12, 0)); // Friday before the switch to summer time (29 March)
    const { logic, starts } = recorder();
    const sup = await tree(clock, fromSchedule(logic, { cron: '0 9 * * *', timezone: 'Europe/Paris' }));
    expect(iso(schedule(sup).nextRunAt!)).toBe('2026-03-28T08:00:00.000Z');
    await advance(clock, 3 * 24 * 3_600_000, 3_600_000);
    expect(starts.map(iso)).toEqual(['2026-03-28T08:00:00.000Z', '2026-03-29T07:00:00.000Z', '2026-03-30T07:00:00.000Z']);
    await stopSupervisor(sup);
  });

  it('a cron without a time zone is read in UTC; 6 fields have seconds first', async () => {
    const clock = createTestClock(T0 + 3_000);
    const { logic, starts } = recorder();
    const sup = await tree(clock, fromSchedule(logic, { cron: '*/10 * * * * *' }));
    await advance(clock, 25_000, 1_000);
    expect(starts.map(iso)).toEqual(['2026-01-15T00:00:10.000Z', '2026-01-15T00:00:20.000Z']);
    await stopSupervisor(sup);
  });
});

describe('overlap', () => {
  it("'skip' (default): a due time while a run is still going is skipped and reported", async () => {
    const clock = createTestClock(T0);
    const { logic, starts } = recorder(2_500);
    const sup = await tree(clock, fromSchedule(logic, { everyMs: 1_000 }));
    await advance(clock, 4_000);
    // 1000 starts (till 3500); 2000 and 3000 skipped; 4000 starts.
    expect(starts).toEqual([T0 + 1_000, T0 + 4_000]);
    expect(schedule(sup)).toMatchObject({ skipped: 2, runs: 2, running: true });
    await stopSupervisor(sup);
  });

  it("'queue': one waiting run starts as soon as the going one ends", async () => {
    const clock = createTestClock(T0);
    const { logic, starts } = recorder(2_500);
    const sup = await tree(clock, fromSchedule(logic, { everyMs: 1_000, overlap: 'queue' }));
    await advance(clock, 4_000);
    expect(starts).toEqual([T0 + 1_000, T0 + 3_500]);
    expect(schedule(sup).skipped).toBe(0);
    await stopSupervisor(sup);
  });
});

describe('boot and missed runs', () => {
  it('runAtStart runs once at boot', async () => {
    const clock = createTestClock(T0);
    const { logic, starts } = recorder();
    const sup = await tree(clock, fromSchedule(logic, { everyMs: 60_000, runAtStart: true }));
    expect(starts).toEqual([T0]);
    await stopSupervisor(sup);
  });

  it("missed: 'runOnce' runs once at boot when a due time passed while the program was down (the last run from the durable handover); 'skip' waits", async () => {
    const store = memoryStore();
    const day = 24 * 3_600_000;
    const first = createTestClock(T0);
    const job = recorder();
    const nightly: ScheduleOptions = { cron: '30 2 * * *', timezone: 'Europe/Paris', missed: 'runOnce' };
    let sup = await tree(first, fromSchedule(job.logic, nightly), { handoverStore: store });
    await advance(first, 2 * 3_600_000, 600_000); // 01:30 UTC = 02:30 Paris: one run
    expect(job.starts.map(iso)).toEqual(['2026-01-15T01:30:00.000Z']);
    await stopSupervisor(sup);
    expect(store.entries.get('root/job')?.lastExit).toMatchObject({ reason: 'shutdown', detail: { lastRun: { number: 1, reason: 'normal' } } });

    // The program was down for three days; it comes back at noon.
    const second = createTestClock(T0 + 3 * day + 12 * 3_600_000);
    sup = await tree(second, fromSchedule(job.logic, nightly), { handoverStore: store });
    expect(job.starts.slice(1).map(iso)).toEqual(['2026-01-18T12:00:00.000Z']); // once, not three times
    expect(job.handovers[1]).toMatchObject({ incarnation: 2, previousExit: { reason: 'normal' } });
    await stopSupervisor(sup);

    const third = createTestClock(T0 + 5 * day + 12 * 3_600_000);
    sup = await tree(third, fromSchedule(job.logic, { ...nightly, missed: 'skip' }), { handoverStore: store });
    expect(job.starts).toHaveLength(2);
    await stopSupervisor(sup);
  });

  it("'runOnce' does not run at boot when no due time passed since the last run", async () => {
    const store = memoryStore();
    const first = createTestClock(T0);
    const job = recorder();
    let sup = await tree(first, fromSchedule(job.logic, { everyMs: 3_600_000, missed: 'runOnce' }), { handoverStore: store });
    await advance(first, 3_600_000, 600_000);
    await stopSupervisor(sup);
    const second = createTestClock(T0 + 3_600_000 + 60_000); // back a minute later
    sup = await tree(second, fromSchedule(job.logic, { everyMs: 3_600_000, missed: 'runOnce' }), { handoverStore: store });
    expect(job.starts).toHaveLength(1);
    await stopSupervisor(sup);
  });
});

describe('jitter', () => {
  it('delays each run by random() * jitterMs; nextRunAt stays the due time', async () => {
    const clock = createTestClock(T0);
    const { logic, starts } = recorder();
    const draws = [0.5, 0.25, 0.9];
    const sup = await tree(clock, fromSchedule(logic, { everyMs: 10_000, jitterMs: 1_000, random: () => draws.shift() ?? 0 }));
    expect(schedule(sup).nextRunAt).toBe(T0 + 10_000);
    await advance(clock, 21_000);
    expect(starts).toEqual([T0 + 10_500, T0 + 20_250]);
    await stopSupervisor(sup);
  });
});

describe('failing runs', () => {
  it('a failing run is a crash of the child: restarted by the supervisor, waiting for the next due time, the run\'s error as previousExit', async () => {
    const clock = createTestClock(T0);
    const { logic, starts, handovers } = recorder(0, (n) => (n === 1 ? new TypeError('bad row') : undefined));
    const sup = await tree(clock, fromSchedule(logic, { everyMs: 1_000 }));
    await advance(clock, 1_000);
    const info = whichChildren(sup)[0]!;
    expect(info.restarts).toBe(1);
    expect(info.lastExit).toMatchObject({ reason: 'error', detail: { name: 'TypeError', message: 'bad row' } });
    expect(starts).toEqual([T0 + 1_000]); // no run at a restart
    await advance(clock, 1_000);
    expect(starts).toEqual([T0 + 1_000, T0 + 2_000]);
    expect(handovers[1]).toMatchObject({ incarnation: 2, previousExit: { reason: 'error' } }); // the run sees the failed run
    await stopSupervisor(sup);
  });

  it('a run that fails every time makes the supervisor give up at its intensity (reached_max_restart_intensity)', async () => {
    const clock = createTestClock(T0);
    const { logic } = recorder(0, () => exit.of('timeout', { detail: { stuck: true } }));
    const exits: SupervisorExit[] = [];
    const sup = await tree(clock, fromSchedule(logic, { everyMs: 1_000 }), { intensity: 2, onGiveUp: (e) => exits.push(e) });
    await advance(clock, 5_000);
    expect(exits).toHaveLength(1);
    expect(sup.getSnapshot().status).not.toBe('active');
  });
});

describe('stop', () => {
  it('asks a going run to stop and ends shutdown with the last run and the next due time in its detail', async () => {
    const clock = createTestClock(T0);
    let aborted = false;
    const logic = fromWorker(async ({ signal }) => {
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
      aborted = true;
    });
    const store = memoryStore();
    const sup = await tree(clock, fromSchedule(logic, { everyMs: 1_000 }), { handoverStore: store });
    await advance(clock, 1_000);
    expect(schedule(sup).running).toBe(true);
    await stopSupervisor(sup);
    expect(aborted).toBe(true);
    expect(store.entries.get('root/job')?.lastExit).toMatchObject({ reason: 'shutdown', detail: { lastRun: { number: 1, reason: 'normal' } } });
    expect(clock.pending()).toBe(0);
  });
});
