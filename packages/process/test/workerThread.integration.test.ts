// Integration: real worker threads under a real supervisor, on the real clock; every wait is
// bounded (waitFor), and every tree is stopped in `finally`.
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defineSupervisor, startSupervisor, stopSupervisor, whichChildren, type ChildSpecInput, type SupervisorRef } from '@trellis/core';
import { fromWorkerThread, type WorkerThreadOptions, type WorkerThreadSnapshot } from '../src/index.js';
import { captureLogs } from './fakeSpawner.js';
import { waitFor } from './helpers.js';

const BOOT = new URL('./fixtures/threads/tsx.mjs', import.meta.url);
/** How long a step may take: a bound for a hang, not a timing (each fixture thread compiles TypeScript; a loaded machine took 12 s for three). */
const BOUND = 45_000;
const dir = mkdtempSync(join(tmpdir(), 'trellis-threads-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

/** A fixture thread doing `behaviour`, and the file it reports its handover to. */
function thread(behaviour: string, options: WorkerThreadOptions = {}, extra: Record<string, unknown> = {}) {
  const reportFile = join(dir, `report-${files++}.jsonl`);
  const logic = fromWorkerThread(BOOT, { argv: ['./behaviours.ts'], ...options });
  return { logic, reportFile, input: { behaviour, reportFile, ...extra } };
}

function reports(file: string): Array<{ what: string; at: number; threadId: number; incarnation: number; previous: string | null }> {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line));
}

function child(sup: SupervisorRef, id = 't') {
  const found = whichChildren(sup).find((c) => c.id === id);
  if (found === undefined) throw new Error(`no child ${id}`);
  return found;
}

async function tree(children: ChildSpecInput[], logger = captureLogs().logger): Promise<SupervisorRef> {
  return startSupervisor(defineSupervisor({ id: 'root', intensity: 10, periodMs: 10_000, logger, children }));
}

describe('fromWorkerThread: start, handover and exits', { timeout: 120_000 }, () => {
  it('passes the handover as workerData: a thread that exits with code 3 is restarted and sees previousExit error, code 3', async () => {
    const t = thread('exit3');
    const sup = await tree([{ id: 't', start: t.logic, input: t.input }]);
    try {
      await waitFor(() => reports(t.reportFile).length >= 3, BOUND, 'three incarnations');
      const seen = reports(t.reportFile);
      expect(seen.slice(0, 3).map((r) => [r.incarnation, r.previous])).toEqual([
        [0, null],
        [1, 'error'],
        [2, 'error'],
      ]);
      expect(new Set(seen.map((r) => r.threadId)).size).toBe(seen.length); // a new thread each time
      expect(child(sup).lastExit).toMatchObject({ reason: 'error', code: 3, detail: { name: 'ThreadCrashError' } });
    } finally {
      await stopSupervisor(sup);
    }
  });

  it('an uncaught error in the thread is a crash with that error', async () => {
    const t = thread('throw');
    const sup = await tree([{ id: 't', start: t.logic, input: t.input }]);
    try {
      await waitFor(() => child(sup).restarts >= 1, BOUND, 'a restart');
      expect(child(sup).lastExit).toMatchObject({ reason: 'error', detail: { name: 'RangeError', message: 'thread failed' } });
    } finally {
      await stopSupervisor(sup);
    }
  });

  it('a thread that returns is a normal exit: transient, it is not restarted', async () => {
    const t = thread('finish');
    const sup = await tree([{ id: 't', start: t.logic, input: t.input, restart: 'transient' }]);
    try {
      await waitFor(() => child(sup).status === 'stopped', BOUND, 'the thread to finish');
      expect(child(sup).lastExit).toMatchObject({ reason: 'normal', code: 0 });
      expect(child(sup).restarts).toBe(0);
    } finally {
      await stopSupervisor(sup);
    }
  });

  it('awaitReady: the next child starts only after ready(); no ready() in time is a start failure', async () => {
    const slow = thread('serve', { awaitReady: true, readyTimeoutMs: BOUND }, { readyAfterMs: 200 });
    const after = thread('serve');
    const sup = await tree([
      { id: 't', start: slow.logic, input: slow.input },
      { id: 'after', start: after.logic, input: after.input },
    ]);
    try {
      expect(whichChildren(sup).map((c) => (c.ref?.getSnapshot() as WorkerThreadSnapshot | undefined)?.ready)).toEqual([true, true]);
      await waitFor(() => reports(after.reportFile).length === 1, BOUND, 'the second thread to report');
      const readyAt = reports(slow.reportFile).find((r) => r.what === 'ready')!.at;
      expect(reports(after.reportFile)[0]!.at).toBeGreaterThanOrEqual(readyAt); // started only after ready()
    } finally {
      await stopSupervisor(sup);
    }
    const never = thread('serve', { awaitReady: true, readyTimeoutMs: 300 });
    await expect(tree([{ id: 't', start: never.logic, input: never.input }])).rejects.toThrow(/did not call ready\(\) within 300 ms/);
  });

  it('a missing module is a start failure naming the file', async () => {
    const logic = fromWorkerThread(join(dir, 'no-such-thread.js'));
    await expect(tree([{ id: 't', start: logic }])).rejects.toThrow(/no-such-thread\.js does not exist/);
  });
});

describe('fromWorkerThread: stop', { timeout: 120_000 }, () => {
  it('asks the thread to stop through threadChild(): its signal aborts and it exits by itself, code 0, before the shutdown time runs out', async () => {
    const t = thread('serve');
    const { logger, records } = captureLogs();
    const sup = await tree([{ id: 't', start: t.logic, input: t.input, shutdown: BOUND }], logger);
    await waitFor(() => reports(t.reportFile).length === 1, BOUND, 'the thread to start');
    expect(await stopSupervisor(sup)).toEqual({ reason: 'normal' });
    expect(records.some((r) => r.obj['event'] === 'sup.shutdown.timedOut')).toBe(false); // it stopped by itself, not by terminate()
    expect(reports(t.reportFile).map((r) => r.what)).toEqual(['started', 'stopping']);
    expect(records.some((r) => r.obj['event'] === 'thread.exited' && r.obj['code'] === 0)).toBe(true);
  });

  it('terminate()s a thread that ignores the stop request once the shutdown time runs out (shutdown_timeout)', async () => {
    const t = thread('ignoreStop');
    const { logger, records } = captureLogs();
    const sup = await tree([{ id: 't', start: t.logic, input: t.input, shutdown: 300 }], logger);
    await waitFor(() => reports(t.reportFile).length === 1, BOUND, 'the thread to start');
    await stopSupervisor(sup);
    expect(records.some((r) => r.obj['event'] === 'sup.shutdown.timedOut')).toBe(true);
    // The thread is really gone: its exit event came (terminate() exits with code 1).
    await waitFor(() => records.some((r) => r.obj['event'] === 'thread.exited'), BOUND, 'the thread to exit');
  });
});

describe('fromWorkerThread: hung and runaway threads', { timeout: 120_000 }, () => {
  it('a thread that blocks its event loop misses its heartbeat: terminated, exit timeout, restarted', async () => {
    const t = thread('block', { heartbeatMs: 400 });
    const { logger, records } = captureLogs();
    const sup = await tree([{ id: 't', start: t.logic, input: t.input }], logger);
    try {
      await waitFor(() => child(sup).restarts >= 1, BOUND, 'a restart after the missed heartbeat');
      expect(child(sup).lastExit).toMatchObject({ reason: 'timeout', detail: { check: 'heartbeat', heartbeatMs: 400 } });
      expect(records.some((r) => r.obj['event'] === 'thread.heartbeat.missed')).toBe(true);
      await waitFor(() => reports(t.reportFile).some((r) => r.incarnation === 1 && r.previous === 'timeout'), BOUND, 'the next incarnation');
    } finally {
      await stopSupervisor(sup);
    }
  });

  it('a stall of the parent\'s own event loop is not a missed heartbeat: beats queued meanwhile count', async () => {
    const t = thread('serve', { heartbeatMs: 2_000 });
    const sup = await tree([{ id: 't', start: t.logic, input: t.input }]);
    try {
      await waitFor(() => reports(t.reportFile).length === 1, BOUND, 'the thread to start');
      await new Promise((resolve) => setTimeout(resolve, 1_000)); // beating
      const until = Date.now() + 4_000; // twice the heartbeat period
      while (Date.now() < until) {
        // the supervisor's thread is busy; the worker thread keeps beating into its port
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(child(sup).restarts).toBe(0);
      expect(child(sup).incarnation).toBe(0);
    } finally {
      await stopSupervisor(sup);
    }
  });

  it('a thread that outgrows its resourceLimits heap is killed, with the limit in the detail, and restarted', async () => {
    const t = thread('hog', { resourceLimits: { maxOldGenerationSizeMb: 24, maxYoungGenerationSizeMb: 4 } });
    const sup = await tree([{ id: 't', start: t.logic, input: t.input }]);
    try {
      await waitFor(() => child(sup).restarts >= 1, BOUND, 'a restart after running out of memory');
      expect(child(sup).lastExit).toMatchObject({
        reason: 'killed',
        detail: { limit: 'memory', resourceLimits: { maxOldGenerationSizeMb: 24 }, error: { code: 'ERR_WORKER_OUT_OF_MEMORY' } },
      });
      await waitFor(() => reports(t.reportFile).some((r) => r.incarnation === 1 && r.previous === 'killed'), BOUND, 'the next incarnation');
    } finally {
      await stopSupervisor(sup);
    }
  });
});
