// fromWorker({ heartbeatMs }): a worker that stops calling ctx.heartbeat() is taken for hung,
// ended with a 'timeout' exit and restarted through the normal path (DESIGN §3: timeout is a
// liveness kill, an abnormal exit).
import { describe, expect, it } from 'vitest';
import { exit, fromWorker, StartChildError, startChild, stopSupervisor, terminateChild, whichChildren, type Handover, type RestartType, type WorkerContext } from '@trellis/core';
import { flush, start, stateOf } from '../helpers.js';

/** A worker that runs until asked to stop; the test beats for it through `current()`. */
function hangable(heartbeatMs: number | undefined) {
  const incarnations: Array<{ ctx: WorkerContext; handover: Handover; aborted: unknown }> = [];
  const logic = fromWorker(
    (ctx) => {
      const me = { ctx, handover: ctx.handover, aborted: undefined as unknown };
      incarnations.push(me);
      return new Promise((resolve) => {
        ctx.signal.addEventListener('abort', () => {
          me.aborted = ctx.signal.reason;
          resolve(exit.shutdown());
        });
      });
    },
    heartbeatMs === undefined ? {} : { heartbeatMs },
  );
  const current = () => incarnations[incarnations.length - 1]!;
  return { logic, incarnations, current, beat: () => current().ctx.heartbeat() };
}

async function supervise(heartbeatMs: number | undefined, restart: RestartType = 'permanent') {
  const worker = hangable(heartbeatMs);
  const started = await start({ id: 'root', intensity: 10, periodMs: 60_000, children: [{ id: 'w', start: worker.logic, restart }] });
  return { ...worker, ...started };
}

describe('heartbeat', () => {
  it('keeps a worker that beats within heartbeatMs running', async () => {
    const { sup, clock, beat, incarnations } = await supervise(100);
    for (let i = 0; i < 20; i++) {
      clock.advance(99);
      beat();
      await flush(1);
    }
    expect(incarnations).toHaveLength(1);
    expect(whichChildren(sup)[0]).toMatchObject({ status: 'running', incarnation: 0 });
    await stopSupervisor(sup);
  });

  it('ends a worker that misses a heartbeat with timeout and restarts it with previousExit.reason timeout', async () => {
    const { sup, clock, facts, incarnations } = await supervise(100);
    clock.advance(99);
    await flush();
    expect(incarnations).toHaveLength(1);
    clock.advance(1);
    await flush();
    expect(incarnations).toHaveLength(2);
    expect(incarnations[0]!.aborted).toMatchObject({ name: 'TimeoutError' });
    expect(incarnations[1]!.handover).toMatchObject({ incarnation: 1, previousExit: { reason: 'timeout', detail: { check: 'heartbeat', heartbeatMs: 100 }, at: 1_100 } });
    const exited = facts.filter((f) => f.type === 'sup.child.exited');
    expect(exited).toMatchObject([{ child: 'w', incarnation: 0, exit: { reason: 'timeout' }, decision: 'restart' }]);
    expect(whichChildren(sup)[0]).toMatchObject({ status: 'running', incarnation: 1, restarts: 1, lastExit: { reason: 'timeout' } });
    await stopSupervisor(sup);
  });

  it('counts heartbeatMs from the last beat, and starts counting once run has been called', async () => {
    const { sup, clock, beat, incarnations } = await supervise(100);
    clock.advance(60);
    beat();
    clock.advance(99); // 159 ms since start, 99 since the beat
    await flush();
    expect(incarnations).toHaveLength(1);
    clock.advance(1);
    await flush();
    expect(incarnations).toHaveLength(2);
    // The new incarnation gets a fresh deadline from its own start.
    clock.advance(99);
    await flush();
    expect(incarnations).toHaveLength(2);
    clock.advance(1);
    await flush();
    expect(incarnations).toHaveLength(3);
    expect(incarnations[2]!.handover.previousExit).toMatchObject({ reason: 'timeout', at: 1_260 });
    await stopSupervisor(sup);
  });

  it('restarts a transient child whose heartbeat timed out, since timeout is abnormal', async () => {
    const { sup, clock, incarnations } = await supervise(50, 'transient');
    clock.advance(50);
    await flush();
    expect(incarnations).toHaveLength(2);
    expect(whichChildren(sup)[0]).toMatchObject({ status: 'running', incarnation: 1 });
    await stopSupervisor(sup);
  });

  it('drops a temporary child whose heartbeat timed out', async () => {
    const { sup, clock, incarnations } = await supervise(50, 'temporary');
    clock.advance(50);
    await flush();
    expect(incarnations).toHaveLength(1);
    expect(whichChildren(sup)).toEqual([]);
    await stopSupervisor(sup);
  });

  it('gives up by intensity when every incarnation hangs', async () => {
    const worker = hangable(10);
    const { sup, clock } = await start({ id: 'root', intensity: 2, periodMs: 60_000, children: [{ id: 'w', start: worker.logic }] });
    for (let i = 0; i < 3; i++) {
      clock.advance(10);
      await flush();
    }
    expect(sup.getSnapshot().output).toEqual({ reason: 'shutdown', detail: 'reached_max_restart_intensity' });
    expect(worker.incarnations).toHaveLength(3);
    expect(clock.pending()).toBe(0);
  });

  it('clears its timer when the worker settles', async () => {
    let settle: (() => void) | undefined;
    const logic = fromWorker(() => new Promise<void>((resolve) => (settle = resolve)), { heartbeatMs: 100 });
    const { sup, clock } = await start({ id: 'root', children: [{ id: 'w', start: logic, restart: 'transient' }] });
    expect(clock.pending()).toBe(1);
    settle!();
    await flush();
    expect(whichChildren(sup)[0]).toMatchObject({ status: 'stopped', lastExit: { reason: 'normal' } });
    expect(clock.pending()).toBe(0);
    await stopSupervisor(sup);
  });

  it('does not time out a worker that is being stopped, and leaves no timer behind', async () => {
    const { sup, clock, facts, incarnations } = await supervise(100);
    await terminateChild(sup, 'w');
    clock.advance(1_000);
    await flush();
    expect(incarnations).toHaveLength(1);
    expect(incarnations[0]!.aborted).toMatchObject({ name: 'AbortError' });
    expect(facts.filter((f) => f.type === 'sup.child.exited')).toMatchObject([{ exit: { reason: 'shutdown' }, decision: 'stopped' }]);
    expect(clock.pending()).toBe(0);
    expect(await stopSupervisor(sup)).toEqual({ reason: 'normal' });
    expect(clock.pending()).toBe(0);
  });

  it('leaves a worker that ignores its stop request to the shutdown timer, not the heartbeat', async () => {
    const logic = fromWorker(() => new Promise(() => {}), { heartbeatMs: 100 });
    const { sup, clock, facts } = await start({ id: 'root', children: [{ id: 'w', start: logic, shutdown: 1_000 }] });
    const stopped = terminateChild(sup, 'w');
    await flush();
    clock.advance(999);
    await flush();
    expect(facts.filter((f) => f.type === 'sup.child.exited')).toEqual([]);
    clock.advance(1);
    await stopped;
    expect(facts.filter((f) => f.type === 'sup.child.exited')).toMatchObject([{ exit: { reason: 'killed' }, decision: 'stopped' }]);
    expect(clock.pending()).toBe(0);
    await stopSupervisor(sup);
  });

  it('clears its timer when the supervisor stops', async () => {
    const { sup, clock } = await supervise(100);
    expect(await stopSupervisor(sup)).toEqual({ reason: 'normal' });
    expect(clock.pending()).toBe(0);
    expect(stateOf(sup)).toBe('stopped');
  });

  it('makes ctx.heartbeat() a no-op without heartbeatMs', async () => {
    const { sup, clock, beat, incarnations } = await supervise(undefined);
    beat();
    expect(clock.pending()).toBe(0);
    clock.advance(60_000);
    await flush();
    expect(incarnations).toHaveLength(1);
    await stopSupervisor(sup);
  });

  it('makes a missed heartbeat before ready() a start failure (awaitReady)', async () => {
    const { sup, clock } = await start({ id: 'root', children: [] });
    const logic = fromWorker(() => new Promise(() => {}), { awaitReady: true, readyTimeoutMs: 5_000, heartbeatMs: 100 });
    const started = startChild(sup, { id: 'w', start: logic, shutdown: 'brutal_kill' });
    clock.advance(100);
    await expect(started).rejects.toBeInstanceOf(StartChildError);
    expect(whichChildren(sup)).toEqual([]);
    expect(clock.pending()).toBe(0);
    await stopSupervisor(sup);
  });

  it.each([0, -5, Number.NaN, Number.POSITIVE_INFINITY])('rejects heartbeatMs %d when the logic is made', (heartbeatMs) => {
    expect(() => fromWorker(() => {}, { heartbeatMs })).toThrow(RangeError);
  });
});

describe('ctx.sleep', () => {
  it('waits on the supervisor clock and wakes at once when the worker is asked to stop', async () => {
    const { defineSupervisor, fromWorker, startSupervisor, stopSupervisor } = await import('@trellis/core');
    const { createTestClock, settle } = await import('@trellis/core/testing');
    const ticks: number[] = [];
    const clock = createTestClock(0);
    const worker = fromWorker(async ({ sleep, signal }) => {
      while (!signal.aborted) {
        await sleep(100);
        if (!signal.aborted) ticks.push(clock.now());
      }
    });
    const sup = await startSupervisor(defineSupervisor({ id: 'root', children: [{ id: 'w', start: worker }] }), { clock });
    for (let i = 0; i < 2; i++) {
      clock.advance(100); // the worker's continuation runs on the next turn, at this reading
      await settle();
    }
    clock.advance(50);
    await settle();
    expect(ticks).toEqual([100, 200]);
    const stopped = stopSupervisor(sup);
    expect(await stopped).toEqual({ reason: 'normal' }); // no clock advance needed: the sleep woke
    expect(clock.pending()).toBe(0);
  });
});
