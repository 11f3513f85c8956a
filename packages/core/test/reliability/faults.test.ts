// Fault injection (issue 9): children and observers that misbehave in every way an in-process
// child can. Each test asserts: no unhandled rejection (watchUnhandled), no timer left on the test
// clock after stopSupervisor (the system clock's test: no Node handle left), and, while the
// supervisor runs, a child table whose whichChildren agrees with countChildren (expectConsistent).
// Every await is bounded, so a hang fails the test instead of stalling it.
import { describe, expect, it } from 'vitest';
import { fromCallback, fromPromise } from 'xstate';
import {
  countChildren,
  defineSupervisor,
  deleteChild,
  fromWorker,
  restartChild,
  startChild,
  startSupervisor,
  stopSupervisor,
  StartChildError,
  SupervisorNotRunningError,
  terminateChild,
  whichChildren,
  type SupervisorConfig,
  type SupervisorRef,
} from '@trellis/core';
import { createTestClock, scriptedChild, settle, type TestClock } from '@trellis/core/testing';
import { bounded, outcomeOf, watchUnhandled } from './harness.js';

const unhandled = watchUnhandled();

/** Faults covered, for the reliability guide (each `it` below covers one). */
export const FAULTS_COVERED = 24;

async function flush(turns = 4): Promise<void> {
  for (let i = 0; i < turns; i++) await settle();
}

async function boot(config: SupervisorConfig, clock: TestClock = createTestClock(1_000)): Promise<{ sup: SupervisorRef; clock: TestClock }> {
  const sup = await bounded(startSupervisor(defineSupervisor(config), { clock }), 2_000, 'startSupervisor');
  return { sup, clock };
}

/** whichChildren and countChildren describe the same table (nothing half-updated). */
function expectConsistent(sup: SupervisorRef): void {
  const rows = whichChildren(sup);
  const counts = countChildren(sup);
  expect(new Set(rows.map((r) => r.id)).size, 'ids are unique').toBe(rows.length);
  expect(counts.specs).toBe(rows.length);
  expect(counts.active).toBe(rows.filter((r) => r.status === 'running').length);
  expect(counts.workers + counts.supervisors).toBe(rows.length);
  expect(counts.supervisors).toBe(rows.filter((r) => r.type === 'supervisor').length);
  for (const r of rows) expect(r.ref !== undefined, `${r.id}: ref iff running`).toBe(r.status === 'running');
}

/** Stops the supervisor (bounded), advancing the clock if a shutdown timer must run, and checks no timer is left. */
async function stopAndCheck(sup: SupervisorRef, clock: TestClock): Promise<void> {
  const stopping = stopSupervisor(sup);
  for (let i = 0; i < 20 && sup.getSnapshot().status === 'active'; i++) {
    await settle();
    clock.advance(1_000);
  }
  await bounded(stopping, 2_000, 'stopSupervisor');
  expect(sup.getSnapshot().status).toBe('done');
  expect(clock.pending(), 'timers left on the test clock').toBe(0);
}

const idle = fromWorker(({ signal }) => new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve())));

describe('fault injection: in-process children', () => {
  it('a worker that throws synchronously at start: init fails cleanly, startChild rejects and leaves the tree unchanged, a restart loops and gives up', async () => {
    const throwing = fromWorker(() => {
      throw new Error('boom at start');
    });
    const clock = createTestClock(1_000);
    const init = await outcomeOf(startSupervisor(defineSupervisor({ id: 'root', children: [{ id: 'ok', start: idle }, { id: 'bad', start: throwing }] }), { clock }));
    expect(init.ok).toBe(false);
    expect(init.ok ? undefined : init.error).toBeInstanceOf(StartChildError);
    expect(clock.pending()).toBe(0);

    const { sup } = await boot({ id: 'root', intensity: 3, periodMs: 1_000, children: [{ id: 'ok', start: idle }] }, clock);
    const before = whichChildren(sup).map((c) => [c.id, c.status, c.incarnation]);
    const added = await outcomeOf(startChild(sup, { id: 'bad', start: throwing }));
    expect(added.ok ? undefined : added.error).toBeInstanceOf(StartChildError);
    expect(whichChildren(sup).map((c) => [c.id, c.status, c.incarnation])).toEqual(before);
    expectConsistent(sup);

    // Succeeds once, then every restart throws: restarting, retried each turn, counted, gives up.
    let starts = 0;
    const flaky = fromWorker(({ signal }) => {
      if (starts++ > 0) throw new Error('boom on restart');
      return new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('stopped'))));
    });
    await bounded(startChild(sup, { id: 'flaky', start: flaky, restart: 'permanent' }));
    await bounded(terminateChild(sup, 'flaky')); // rejecting on abort: still a clean terminate
    expect(whichChildren(sup)[0]).toMatchObject({ id: 'flaky', status: 'stopped' });
    await bounded(restartChild(sup, 'flaky')).catch(() => undefined); // throws: StartChildError, spec kept
    expect(whichChildren(sup)[0]).toMatchObject({ id: 'flaky', status: 'stopped' });
    expectConsistent(sup);
    await stopAndCheck(sup, clock);

    // An automatic restart that throws: the child is `restarting`, retried each event-loop turn,
    // every attempt counted; with intensity 2 the third restart gives up.
    let attempts = 0;
    let crash: ((error: Error) => void) | undefined;
    const once = fromWorker(() => {
      if (attempts++ > 0) throw new Error('boom on restart');
      return new Promise((_, reject) => (crash = reject));
    });
    const { sup: looping } = await boot({ id: 'loop', intensity: 2, periodMs: 1_000, children: [{ id: 'once', start: once }] }, clock);
    crash!(new Error('crash'));
    const seen: string[] = [];
    for (let i = 0; i < 20 && looping.getSnapshot().status === 'active'; i++) {
      await settle();
      if (looping.getSnapshot().status === 'active') {
        expectConsistent(looping);
        seen.push(whichChildren(looping)[0]!.status);
      }
    }
    expect(seen).toContain('restarting');
    expect(attempts, 'the first start and two failed restarts').toBe(3);
    expect(looping.getSnapshot().output).toMatchObject({ reason: 'shutdown' });
    expect(clock.pending()).toBe(0);
  });

  it('a worker that rejects after it started is a crash: restarted, lastExit error', async () => {
    let runs = 0;
    let rejectNow: ((e: Error) => void) | undefined;
    const rejecting = fromWorker(
      () =>
        new Promise((_, reject) => {
          runs++;
          rejectNow = reject;
        }),
    );
    const { sup, clock } = await boot({ id: 'root', intensity: 5, children: [{ id: 'r', start: rejecting, shutdown: 10 }] });
    rejectNow!(new Error('rejected'));
    await flush();
    expect(runs).toBe(2);
    expect(whichChildren(sup)[0]).toMatchObject({ status: 'running', incarnation: 1, lastExit: { reason: 'error' } });
    expectConsistent(sup);
    await stopAndCheck(sup, clock);
  });

  it('a worker that never settles and ignores its abort signal is killed after shutdown ms and reported killed', async () => {
    const deaf = fromWorker(() => new Promise(() => {}));
    const { sup, clock } = await boot({ id: 'root', children: [{ id: 'deaf', start: deaf, shutdown: 250 }, { id: 'other', start: idle }] });
    const terminating = terminateChild(sup, 'deaf');
    await flush();
    expect(whichChildren(sup).find((c) => c.id === 'deaf')?.status).toBe('running'); // still waiting
    clock.advance(249);
    await flush();
    let done = false;
    void terminating.then(() => (done = true));
    await flush();
    expect(done).toBe(false);
    clock.advance(1);
    await bounded(terminating);
    expect(whichChildren(sup).find((c) => c.id === 'deaf')).toMatchObject({ status: 'stopped', lastExit: { reason: 'killed', at: 1_250 } });
    expectConsistent(sup);
    // And during supervisor shutdown: restarted, then stopped by stopSupervisor with the timer.
    await bounded(restartChild(sup, 'deaf'));
    await stopAndCheck(sup, clock);
  });

  // Found by this suite (reliability-1), fixed in 6b896df: Node reports an exception thrown by an
  // AbortSignal listener as an uncaught exception (process-fatal), so a worker whose abort listener
  // threw ended the whole program. The worker's signal now isolates its listeners.
  // Reproduction (before the fix):
  //   const w = fromWorker(({ signal }) => new Promise<void>((r) => signal.addEventListener('abort', () => { r(); throw new Error('x'); })));
  //   const sup = await startSupervisor(defineSupervisor({ id: 'root', children: [{ id: 'x', start: w }] }));
  //   await terminateChild(sup, 'x'); // process 'uncaughtException': Error: x
  it('a worker that throws inside its abort listener still stops, and nothing escapes as uncaught', async () => {
    const clock = createTestClock(1_000);
    const throwsOnAbort = fromWorker(
      ({ signal }) =>
        new Promise<void>((resolve) => {
          signal.addEventListener('abort', () => {
            resolve();
            throw new Error('thrown in abort listener');
          });
        }),
    );
    const { sup } = await boot({ id: 'root', children: [{ id: 'x', start: throwsOnAbort, shutdown: 100 }] }, clock);
    try {
      await bounded(terminateChild(sup, 'x'));
      await flush();
      expect(whichChildren(sup)[0]).toMatchObject({ status: 'stopped', lastExit: { reason: 'shutdown' } });
      expectConsistent(sup);
      await stopAndCheck(sup, clock);
      expect(unhandled.seen, 'uncaught exceptions').toEqual([]);
    } finally {
      unhandled.seen.length = 0; // asserted inside the test (not only in afterEach), for a clear failure
    }
  });

  it('a worker that throws from onabort, or from a handleEvent object, is isolated as well', async () => {
    const clock = createTestClock(1_000);
    const viaOnabort = fromWorker(
      ({ signal }) =>
        new Promise<void>((resolve) => {
          signal.onabort = () => {
            resolve();
            throw new Error('thrown in onabort');
          };
        }),
    );
    const viaHandleEvent = fromWorker(
      ({ signal }) =>
        new Promise<void>((resolve) => {
          signal.addEventListener('abort', {
            handleEvent: () => {
              resolve();
              throw new Error('thrown in handleEvent');
            },
          });
        }),
    );
    const { sup } = await boot({ id: 'root', children: [{ id: 'a', start: viaOnabort, shutdown: 100 }, { id: 'b', start: viaHandleEvent, shutdown: 100 }] }, clock);
    await bounded(terminateChild(sup, 'a'));
    await bounded(terminateChild(sup, 'b'));
    await flush();
    expect(whichChildren(sup).map((c) => [c.id, c.status, c.lastExit?.reason])).toEqual([
      ['b', 'stopped', 'shutdown'],
      ['a', 'stopped', 'shutdown'],
    ]);
    expectConsistent(sup);
    await stopAndCheck(sup, clock);
  });

  it('a worker that calls ready() twice (awaitReady) starts once and stays consistent', async () => {
    let readyCalls = 0;
    const twice = fromWorker(
      ({ ready, signal }) =>
        new Promise<void>((resolve) => {
          ready();
          ready();
          readyCalls += 2;
          queueMicrotask(() => ready()); // and once more, late
          signal.addEventListener('abort', () => resolve());
        }),
      { awaitReady: true, readyTimeoutMs: 500 },
    );
    const { sup, clock } = await boot({ id: 'root', children: [{ id: 'twice', start: twice }] });
    await flush();
    expect(readyCalls).toBe(2);
    expect(whichChildren(sup)[0]).toMatchObject({ status: 'running', incarnation: 0 });
    clock.advance(1_000); // past readyTimeoutMs: an already-ready worker must not be failed by the old timer
    await flush();
    expect(whichChildren(sup)[0]).toMatchObject({ status: 'running', incarnation: 0 });
    const info = await bounded(startChild(sup, { id: 'twice2', start: twice }));
    expect(info.status).toBe('running');
    expectConsistent(sup);
    await stopAndCheck(sup, clock);
  });

  it('a worker flooded with 10,000 events while it crashes is restarted once, and the flood reaches nothing stale', async () => {
    const kid = scriptedChild();
    const { sup, clock } = await boot({ id: 'root', intensity: 5, children: [{ id: 'k', start: kid }, { id: 'other', start: idle }] });
    const ref = whichChildren(sup).find((c) => c.id === 'k')!.ref!;
    for (let i = 0; i < 5_000; i++) ref.send({ type: 'flood', i });
    kid.crash();
    for (let i = 5_000; i < 10_000; i++) ref.send({ type: 'flood', i }); // some after it settled
    await flush();
    const row = whichChildren(sup).find((c) => c.id === 'k')!;
    expect(row).toMatchObject({ status: 'running', incarnation: 1, restarts: 1, lastExit: { reason: 'error' } });
    // The flood at the new incarnation, then a crash: still exactly one more restart.
    for (let i = 0; i < 10_000; i++) row.ref!.send({ type: 'flood', i });
    kid.crash();
    await flush();
    expect(whichChildren(sup).find((c) => c.id === 'k')).toMatchObject({ status: 'running', incarnation: 2, restarts: 2 });
    expectConsistent(sup);
    await stopAndCheck(sup, clock);
  });

  it('fromPromise children: one rejects (crash, restarted), one never settles (stopped at once: no stop protocol)', async () => {
    let rejectIt: ((e: Error) => void) | undefined;
    const rejecting = fromPromise(() => new Promise<void>((_, reject) => (rejectIt = reject)));
    const forever = fromPromise(() => new Promise<void>(() => {}));
    const { sup, clock } = await boot({ id: 'root', intensity: 5, children: [{ id: 'p', start: rejecting }, { id: 'f', start: forever }] });
    rejectIt!(new Error('promise rejected'));
    await flush();
    expect(whichChildren(sup).find((c) => c.id === 'p')).toMatchObject({ status: 'running', incarnation: 1, lastExit: { reason: 'error' } });
    await bounded(terminateChild(sup, 'f'));
    expect(whichChildren(sup).find((c) => c.id === 'f')).toMatchObject({ status: 'stopped', lastExit: { reason: 'shutdown' } });
    expectConsistent(sup);
    await stopAndCheck(sup, clock);
  });

  it('a fromCallback whose cleanup throws: terminateChild still stops it and the supervisor keeps running', async () => {
    let cleanups = 0;
    const badCleanup = fromCallback(() => () => {
      cleanups++;
      throw new Error('cleanup threw');
    });
    const { sup, clock } = await boot({ id: 'root', children: [{ id: 'cb', start: badCleanup }, { id: 'other', start: idle }] });
    const out = await outcomeOf(terminateChild(sup, 'cb'));
    expect(out.ok ? 'ok' : String(out.error)).toBe('ok');
    expect(cleanups).toBe(1);
    expect(sup.getSnapshot().status).toBe('active');
    expect(whichChildren(sup).find((c) => c.id === 'cb')?.status).toBe('stopped');
    expectConsistent(sup);
    await stopAndCheck(sup, clock);
  });

  it('a fromCallback whose cleanup throws: stopSupervisor still stops every child and resolves', async () => {
    let otherStopped = false;
    const badCleanup = fromCallback(() => () => {
      throw new Error('cleanup threw');
    });
    const watcher = fromWorker(({ signal }) => new Promise<void>((resolve) => signal.addEventListener('abort', () => ((otherStopped = true), resolve()))));
    const { sup, clock } = await boot({ id: 'root', children: [{ id: 'first', start: watcher }, { id: 'cb', start: badCleanup }] });
    expectConsistent(sup);
    const out = await outcomeOf(stopSupervisor(sup));
    expect(out.ok ? out.value : String(out.error)).toEqual({ reason: 'normal' });
    expect(otherStopped).toBe(true);
    expect(clock.pending()).toBe(0);
  });

  it('a child that exits by itself while the supervisor is shutting down keeps its own exit and does not break the shutdown (sup_stop_race)', async () => {
    const older = scriptedChild();
    const slow = scriptedChild({ ignoreStop: true });
    const { sup, clock } = await boot({ id: 'root', intensity: 0, children: [{ id: 'older', start: older }, { id: 'slow', start: slow, shutdown: 500 }] });
    const facts: { type: string; child?: string; reason?: string; decision?: string }[] = [];
    sup.on('*', (f) => facts.push({ type: f.type, ...('child' in f ? { child: f.child } : {}), ...('exit' in f && 'child' in f ? { reason: f.exit.reason, decision: (f as { decision: string }).decision } : {}) }));
    expectConsistent(sup);
    const stopping = stopSupervisor(sup);
    await flush();
    older.crash(); // would exceed intensity 0 if it were taken for a crash to restart
    await flush();
    slow.exitNormal();
    const exit = await bounded(stopping);
    expect(exit).toEqual({ reason: 'normal' });
    // older's own exit (a crash) is kept, not restarted, and the shutdown went on to the end.
    expect(facts.filter((f) => f.type === 'sup.child.exited')).toEqual([
      { type: 'sup.child.exited', child: 'slow', reason: 'shutdown', decision: 'stopped' },
      { type: 'sup.child.exited', child: 'older', reason: 'error', decision: 'stopped' },
    ]);
    expect(facts.some((f) => f.type === 'sup.child.started' || f.type === 'sup.intensity.exceeded')).toBe(false);
    expect(clock.pending()).toBe(0);
  });

  it('commands to a supervisor that is shutting down or stopped reject with SupervisorNotRunningError, never hang', async () => {
    const slow = scriptedChild({ ignoreStop: true });
    const { sup, clock } = await boot({ id: 'root', children: [{ id: 'slow', start: slow, shutdown: 300 }, { id: 'idle', start: idle }] });
    expectConsistent(sup);
    const stopping = stopSupervisor(sup);
    await flush();
    const during = await Promise.all([
      outcomeOf(startChild(sup, { id: 'n', start: idle }), 500),
      outcomeOf(terminateChild(sup, 'idle'), 500),
      outcomeOf(restartChild(sup, 'idle'), 500),
      outcomeOf(deleteChild(sup, 'idle'), 500),
    ]);
    for (const o of during) expect(o.ok ? 'resolved' : o.error).toBeInstanceOf(SupervisorNotRunningError);
    // stopSupervisor during shutdown waits for the end (as OTP's stop) and resolves with the same exit.
    const second = stopSupervisor(sup);
    clock.advance(300);
    expect(await bounded(stopping)).toEqual({ reason: 'normal' });
    expect(await bounded(second)).toEqual({ reason: 'normal' });
    const after = await Promise.all([
      outcomeOf(startChild(sup, { id: 'n', start: idle }), 500),
      outcomeOf(terminateChild(sup, 'idle'), 500),
      outcomeOf(restartChild(sup, 'idle'), 500),
      outcomeOf(deleteChild(sup, 'idle'), 500),
    ]);
    for (const o of after) expect(o.ok ? 'resolved' : o.error).toBeInstanceOf(SupervisorNotRunningError);
    expect(() => whichChildren(sup)).toThrow(SupervisorNotRunningError);
    expect(() => countChildren(sup)).toThrow(SupervisorNotRunningError);
    expect(await bounded(stopSupervisor(sup), 500)).toEqual({ reason: 'normal' });
    expect(clock.pending()).toBe(0);
  });

  it('a logger that throws on every call never breaks supervision', async () => {
    const boom = (): never => {
      throw new Error('logger threw');
    };
    const logger = { child: () => logger, info: boom, warn: boom, error: boom, debug: boom };
    const kid = scriptedChild();
    const { sup, clock } = await boot({ id: 'root', intensity: 5, logger, children: [{ id: 'k', start: kid }] });
    kid.crash();
    await flush();
    kid.failStarts(1);
    kid.crash();
    await flush(6);
    expect(whichChildren(sup)[0]).toMatchObject({ status: 'running', incarnation: 3 });
    expectConsistent(sup);
    await stopAndCheck(sup, clock);
  });

  it('a logger whose child() throws never breaks supervision', async () => {
    const boom = (): never => {
      throw new Error('logger threw');
    };
    const logger = { child: boom, info: boom, warn: boom, error: boom, debug: boom };
    const kid = scriptedChild();
    const { sup, clock } = await boot({ id: 'root', intensity: 5, logger, children: [{ id: 'k', start: kid }] });
    kid.crash();
    await flush();
    expect(whichChildren(sup)[0]).toMatchObject({ status: 'running', incarnation: 1 });
    expectConsistent(sup);
    await stopAndCheck(sup, clock);
  });

  it('an event subscriber that throws on every fact never breaks supervision', async () => {
    const kid = scriptedChild();
    const { sup, clock } = await boot({ id: 'root', intensity: 5, children: [{ id: 'k', start: kid }, { id: 'other', start: idle }] });
    let calls = 0;
    sup.on('*', () => {
      calls++;
      throw new Error('subscriber threw');
    });
    sup.on('sup.child.exited', () => {
      throw new Error('typed subscriber threw');
    });
    kid.crash();
    await flush();
    await bounded(terminateChild(sup, 'other'));
    await bounded(restartChild(sup, 'other'));
    expect(calls).toBeGreaterThan(0);
    expect(whichChildren(sup).map((c) => [c.id, c.status])).toEqual([
      ['other', 'running'],
      ['k', 'running'],
    ]);
    expectConsistent(sup);
    await stopAndCheck(sup, clock);
  });
});

describe('fault injection: readiness, thenables, observers', () => {
  it('a worker that never calls ready() (awaitReady) fails to start after readyTimeoutMs, and leaves no timer', async () => {
    const mute = fromWorker(({ signal }) => new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve())), { awaitReady: true, readyTimeoutMs: 300 });
    const { sup, clock } = await boot({ id: 'root', children: [{ id: 'other', start: idle }] });
    const before = whichChildren(sup);
    const adding = outcomeOf(startChild(sup, { id: 'mute', start: mute }));
    await flush();
    clock.advance(300);
    const out = await adding;
    expect(out.ok ? 'resolved' : out.error).toBeInstanceOf(StartChildError);
    expect(whichChildren(sup)).toEqual(before);
    expectConsistent(sup);
    await stopAndCheck(sup, clock);
  });

  it('a worker that calls ready() after it was stopped, and crashes after it was stopped, changes nothing', async () => {
    let late: { ready(): void; fail(): void } | undefined;
    const lateBloomer = fromWorker(
      ({ ready, signal }) =>
        new Promise<void>((resolve, reject) => {
          ready();
          late = { ready, fail: () => reject(new Error('late crash')) };
          signal.addEventListener('abort', () => resolve());
        }),
      { awaitReady: true },
    );
    const { sup, clock } = await boot({ id: 'root', intensity: 0, children: [{ id: 'late', start: lateBloomer }] });
    await bounded(terminateChild(sup, 'late'));
    late!.ready();
    late!.fail();
    await flush();
    expect(sup.getSnapshot().status).toBe('active'); // intensity 0: a counted crash would have ended it
    expect(whichChildren(sup)[0]).toMatchObject({ status: 'stopped', incarnation: 0, lastExit: { reason: 'shutdown' } });
    expectConsistent(sup);
    await stopAndCheck(sup, clock);
  });

  it('a worker that returns a hostile thenable (then throws, or settles twice) is a start failure or one exit, never a hang', async () => {
    const throwingThen = fromWorker(() => ({
      then() {
        throw new Error('then threw');
      },
    }));
    let settleTwice: (() => void) | undefined;
    const twiceSettling = fromWorker(() => ({
      then(resolve: (v: unknown) => void, reject: (e: unknown) => void) {
        settleTwice = () => {
          reject(new Error('first'));
          resolve(undefined);
          reject(new Error('third'));
        };
      },
    }));
    const { sup, clock } = await boot({ id: 'root', intensity: 5, children: [{ id: 'other', start: idle }] });
    const first = await outcomeOf(startChild(sup, { id: 'throwingThen', start: throwingThen, restart: 'temporary' }));
    // A `then` that throws while the start is being awaited is a failed start: StartChildError,
    // and the tree is unchanged (no spec kept).
    await flush();
    expect(first.ok ? 'started' : first.error).toBeInstanceOf(StartChildError);
    expect(whichChildren(sup).map((c) => c.id)).toEqual(['other']);
    expectConsistent(sup);
    await bounded(startChild(sup, { id: 'twice', start: twiceSettling }));
    settleTwice!();
    await flush();
    const row = whichChildren(sup).find((c) => c.id === 'twice')!;
    expect(row).toMatchObject({ status: 'running', incarnation: 1, restarts: 1, lastExit: { reason: 'error' } });
    expectConsistent(sup);
    await stopAndCheck(sup, clock);
  });

  // BUG (reliability-3): an inspect observer that throws derails supervision. startSupervisor
  // hands `options.inspect` to XState's createActor unguarded (src/commands.ts startSupervisor),
  // and XState calls it synchronously inside the supervisor's own transitions. When it throws
  // while a child's crash is being handled, the crash is lost: the worker actor stays `active`
  // with a dead promise, so the child is still listed `running` at incarnation 0 and is never
  // restarted; the error escapes as an uncaught exception; stopSupervisor rejects with the
  // inspector's error while it keeps throwing, and afterwards has to wait out the zombie's whole
  // `shutdown` time and kill it. Loggers and
  // event subscribers are guarded (guardLogger, emitFrom's onError); inspectors are not.
  // Minimal reproduction:
  //   let armed = false;
  //   const kid = scriptedChild();
  //   const sup = await startSupervisor(defineSupervisor({ id: 'root', children: [{ id: 'k', start: kid }] }),
  //     { clock: createTestClock(), inspect: () => { if (armed) throw new Error('inspector threw'); } });
  //   armed = true; kid.crash(); await settle();
  //   whichChildren(sup)[0];   // { status: 'running', incarnation: 0 }: the crash was never handled
  //   await stopSupervisor(sup); // rejects: Error: inspector threw
  it('an inspect observer that throws after start never breaks supervision', async () => {
    const clock = createTestClock(1_000);
    const kid = scriptedChild();
    let armed = false;
    const sup = await bounded(
      startSupervisor(defineSupervisor({ id: 'root', intensity: 5, children: [{ id: 'k', start: kid }] }), {
        clock,
        inspect: () => {
          if (armed) throw new Error('inspector threw');
        },
      }),
    );
    try {
      armed = true;
      kid.crash();
      await flush();
      expect(whichChildren(sup)[0]).toMatchObject({ status: 'running', incarnation: 1, lastExit: { reason: 'error' } });
      expectConsistent(sup);
      expect(await bounded(stopSupervisor(sup))).toEqual({ reason: 'normal' });
      expect(unhandled.seen, 'uncaught exceptions').toEqual([]);
    } finally {
      armed = false;
      // The lost crash leaves a zombie worker (actor active, promise dead): the stop must wait out
      // its 5 s shutdown on the test clock and kill it.
      if (sup.getSnapshot().status === 'active') await stopAndCheck(sup, clock).catch(() => undefined);
      unhandled.seen.length = 0;
    }
  });

  // BUG (reliability-3, second face): with an inspect observer that throws from the first event,
  // startSupervisor throws synchronously instead of returning a rejected promise, so
  // `startSupervisor(...).catch(...)` does not catch it.
  // Minimal reproduction:
  //   startSupervisor(defineSupervisor({ id: 'r', children: [] }), { inspect: () => { throw new Error('x'); } });
  //   // throws Error: x synchronously
  it('startSupervisor with an inspect observer that throws returns a promise (never throws synchronously)', async () => {
    let returned: unknown;
    expect(() => {
      returned = startSupervisor(defineSupervisor({ id: 'r', children: [] }), {
        clock: createTestClock(),
        inspect: () => {
          throw new Error('inspector threw');
        },
      });
    }).not.toThrow();
    const out = await outcomeOf(returned as Promise<SupervisorRef>, 500);
    if (out.ok) {
      expectConsistent(out.value);
      await bounded(stopSupervisor(out.value));
    }
    // The guarded observer's error is swallowed: nothing escapes as an uncaught exception.
    expect(unhandled.seen, 'uncaught exceptions').toEqual([]);
  });
});

describe('fault injection: races and trees', () => {
  it('terminateChild sent while the child\'s crash is still in flight: the stop wins, nothing is counted or restarted', async () => {
    const a = scriptedChild();
    const b = scriptedChild();
    const { sup, clock } = await boot({ id: 'root', intensity: 0, children: [{ id: 'a', start: a }, { id: 'b', start: b }] });
    a.crash(); // the rejection has not reached the supervisor yet
    await bounded(terminateChild(sup, 'a'));
    await flush();
    expect(sup.getSnapshot().status).toBe('active'); // intensity 0: a counted restart would have ended it
    expect(whichChildren(sup).map((c) => [c.id, c.status, c.incarnation])).toEqual([
      ['b', 'running', 0],
      ['a', 'stopped', 0],
    ]);
    expectConsistent(sup);
    await stopAndCheck(sup, clock);
  });

  it('a supervisor actor stopped from outside in the middle of a group restart kills its children, leaves no timer, and refuses commands', async () => {
    let deafAborted = false;
    const deaf = fromWorker(({ signal }) => {
      signal.addEventListener('abort', () => (deafAborted = true));
      return new Promise(() => {});
    });
    const k = scriptedChild();
    const { sup, clock } = await boot({ id: 'root', strategy: 'one_for_all', children: [{ id: 'deaf', start: deaf, shutdown: 1_000 }, { id: 'k', start: k }] });
    k.crash();
    await flush();
    expect(String(sup.getSnapshot().value)).toBe('restarting'); // waiting for `deaf` to stop
    expectConsistent(sup);
    sup.stop();
    await flush();
    expect(deafAborted).toBe(true);
    expect(clock.pending()).toBe(0);
    expect(await bounded(stopSupervisor(sup), 500)).toEqual({ reason: 'shutdown', detail: 'killed' });
    const out = await outcomeOf(terminateChild(sup, 'k'), 500);
    expect(out.ok ? 'resolved' : out.error).toBeInstanceOf(SupervisorNotRunningError);
  });

  it('a child supervisor that does not stop within its shutdown is killed with its subtree; no timer is left', async () => {
    let grandchildAborted = 0;
    const deaf = fromWorker(({ signal }) => {
      signal.addEventListener('abort', () => grandchildAborted++);
      return new Promise(() => {});
    });
    const sub = defineSupervisor({ id: 'sub', children: [{ id: 'deaf', start: deaf, shutdown: 5_000 }] });
    const { sup, clock } = await boot({ id: 'root', children: [{ id: 'sub', start: sub, shutdown: 100 }, { id: 'other', start: idle }] });
    const terminating = terminateChild(sup, 'sub');
    await flush();
    clock.advance(100);
    await bounded(terminating);
    expect(grandchildAborted).toBeGreaterThan(0);
    expect(whichChildren(sup).find((c) => c.id === 'sub')).toMatchObject({ status: 'stopped', lastExit: { reason: 'killed' } });
    expectConsistent(sup);
    expect(clock.pending(), 'the sub-supervisor\'s 5 s timer must go with it').toBe(0);
    await bounded(restartChild(sup, 'sub'));
    expect(whichChildren(sup).find((c) => c.id === 'sub')).toMatchObject({ status: 'running', incarnation: 1 });
    await stopAndCheck(sup, clock);
  });
});

describe('fault injection: the Node process', () => {
  it('leaves no extra pending handles after stopSupervisor on the SYSTEM clock', async () => {
    const tally = (): Map<string, number> => {
      const counts = new Map<string, number>();
      for (const r of process.getActiveResourcesInfo()) counts.set(r, (counts.get(r) ?? 0) + 1);
      return counts;
    };
    await settle();
    const before = tally();
    const deaf = fromWorker(() => new Promise(() => {}));
    const ticking = fromWorker(({ signal, sleep }) =>
      (async () => {
        while (!signal.aborted) await sleep(5);
      })(),
    );
    const kid = scriptedChild();
    const sup = await bounded(
      startSupervisor(
        defineSupervisor({
          id: 'sys',
          intensity: 10,
          children: [
            { id: 'ticking', start: ticking },
            { id: 'deaf', start: deaf, shutdown: 30 },
            { id: 'kid', start: kid },
            { id: 'ready', start: fromWorker(({ ready, signal }) => new Promise<void>((r) => (ready(), signal.addEventListener('abort', () => r()))), { awaitReady: true, heartbeatMs: 1_000 }) },
          ],
        }),
      ),
    );
    kid.failStarts(2);
    kid.crash();
    await flush(6);
    expectConsistent(sup);
    expect(whichChildren(sup).find((c) => c.id === 'kid')?.status).toBe('running');
    expect(await bounded(stopSupervisor(sup), 2_000)).toEqual({ reason: 'normal' });
    await flush(3);
    const after = tally();
    const extra = [...after].filter(([type, n]) => n > (before.get(type) ?? 0)).map(([type, n]) => `${type} +${n - (before.get(type) ?? 0)}`);
    expect(extra, `resources before: ${JSON.stringify([...before])}`).toEqual([]);
  });
});
