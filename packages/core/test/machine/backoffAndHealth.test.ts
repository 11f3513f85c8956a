// DESIGN §4: backoff between restarts, and liveness checks (previousExit 'timeout').
import { describe, expect, it } from 'vitest';
import { stopSupervisor, terminateChild, whichChildren } from '@trellis/core';
import { scriptedChild } from '@trellis/core/testing';
import { flush, start, stateOf } from '../helpers.js';

const backoff = { minMs: 100, maxMs: 1_000, factor: 2, jitter: 0, resetAfterMs: 5_000 };

describe('backoff', () => {
  it('waits minMs before the first restart, doubling up to maxMs; the child is restarting with nextRestartAt', async () => {
    const kid = scriptedChild();
    const { sup, clock, facts } = await start({ id: 'root', intensity: 100, periodMs: 60_000, children: [{ id: 'w', start: kid, backoff }] });
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      kid.crash();
      await flush();
      const info = whichChildren(sup)[0]!;
      expect(info.status).toBe('restarting');
      expect(stateOf(sup)).toBe('restarting');
      const delay = info.nextRestartAt! - clock.now();
      delays.push(delay);
      clock.advance(delay - 1);
      await flush();
      expect(kid.handovers).toHaveLength(i + 1); // not yet
      clock.advance(1);
      await flush();
      expect(kid.handovers).toHaveLength(i + 2);
      expect(stateOf(sup)).toBe('running');
    }
    expect(delays).toEqual([100, 200, 400, 800, 1_000]);
    expect(facts.filter((f) => f.type === 'sup.child.restarting').map((f) => f.type === 'sup.child.restarting' && f.delayMs)).toEqual(delays);
  });

  it('starts again at minMs once the child ran resetAfterMs without exiting', async () => {
    const kid = scriptedChild();
    const { sup, clock } = await start({ id: 'root', intensity: 100, periodMs: 60_000, children: [{ id: 'w', start: kid, backoff }] });
    for (const wait of [0, 0]) {
      kid.crash();
      await flush();
      clock.advance(whichChildren(sup)[0]!.nextRestartAt! - clock.now() + wait);
      await flush();
    }
    clock.advance(5_000);
    kid.crash();
    await flush();
    expect(whichChildren(sup)[0]!.nextRestartAt! - clock.now()).toBe(100);
  });

  it('terminateChild cancels the wait, stopSupervisor does not wait for it, and attempts count toward intensity', async () => {
    const kid = scriptedChild();
    const { sup, clock } = await start({ id: 'root', children: [{ id: 'w', start: kid, backoff }] });
    kid.crash();
    await flush();
    await terminateChild(sup, 'w');
    clock.advance(10_000);
    await flush();
    expect(whichChildren(sup)[0]).toMatchObject({ status: 'stopped' });
    expect(kid.handovers).toHaveLength(1);
    expect(clock.pending()).toBe(0);

    const other = scriptedChild();
    const second = await start({ id: 'root', intensity: 1, periodMs: 60_000, children: [{ id: 'w', start: other, backoff }] });
    other.crash();
    await flush();
    second.clock.advance(100);
    await flush(); // attempt 1: counted, allowed
    other.crash();
    await flush();
    second.clock.advance(200);
    await flush(); // attempt 2 within the period: gives up
    expect(second.sup.getSnapshot().output).toEqual({ reason: 'shutdown', detail: 'reached_max_restart_intensity' });

    // A supervisor stopped while a child waits out its backoff does not wait for it.
    const waiting = scriptedChild();
    const third = await start({ id: 'root', children: [{ id: 'w', start: waiting, backoff }] });
    waiting.crash();
    await flush();
    expect(await stopSupervisor(third.sup)).toEqual({ reason: 'normal' });
    expect(third.clock.pending()).toBe(0);
  });

  it('a failed restart waits the next backoff delay before it is retried', async () => {
    const kid = scriptedChild();
    const { sup, clock } = await start({ id: 'root', intensity: 100, periodMs: 60_000, children: [{ id: 'w', start: kid, backoff }] });
    kid.failStarts(1);
    kid.crash();
    await flush();
    clock.advance(100);
    await flush(); // the attempt fails
    expect(kid.handovers).toHaveLength(2);
    expect(whichChildren(sup)[0]!.nextRestartAt! - clock.now()).toBe(200);
    clock.advance(200);
    await flush();
    expect(whichChildren(sup)[0]).toMatchObject({ status: 'running', incarnation: 2 });
  });
});

describe('liveness (health)', () => {
  it('kills a child after failureThreshold missed checks and restarts it with previousExit timeout', async () => {
    const kid = scriptedChild();
    let healthy = true;
    const health = { check: () => healthy, intervalMs: 1_000, timeoutMs: 500, failureThreshold: 3 };
    const { sup, clock } = await start({ id: 'root', children: [{ id: 'w', start: kid, health }] });
    for (let i = 0; i < 5; i++) {
      clock.advance(1_000);
      await flush();
    }
    expect(kid.handovers).toHaveLength(1);
    healthy = false;
    for (let i = 0; i < 2; i++) {
      clock.advance(1_000);
      await flush();
    }
    expect(kid.handovers).toHaveLength(1);
    clock.advance(1_000);
    await flush();
    expect(kid.handovers).toHaveLength(2);
    expect(kid.handovers[1]?.previousExit).toMatchObject({ reason: 'timeout', detail: { check: 'health', misses: 3 } });
    expect(whichChildren(sup)[0]?.restarts).toBe(1);
  });

  it('a check that hangs past timeoutMs is a miss; a check that recovers resets the count', async () => {
    const kid = scriptedChild();
    let mode: 'hang' | 'ok' = 'hang';
    const health = {
      check: ({ signal }: { signal: AbortSignal }) => (mode === 'ok' ? true : new Promise<boolean>((resolve) => signal.addEventListener('abort', () => resolve(true)))),
      intervalMs: 100,
      timeoutMs: 50,
      failureThreshold: 2,
    };
    const { clock } = await start({ id: 'root', children: [{ id: 'w', start: kid, health }] });
    clock.advance(150); // check 1 hangs and times out: miss 1
    await flush();
    mode = 'ok';
    clock.advance(100); // check 2 ok: count reset
    await flush();
    mode = 'hang';
    clock.advance(150); // miss 1 again
    await flush();
    expect(kid.handovers).toHaveLength(1);
    clock.advance(150); // miss 2: killed
    await flush();
    expect(kid.handovers[1]?.previousExit?.reason).toBe('timeout');
  });

  it('a transient child killed by its liveness check is restarted (timeout is abnormal)', async () => {
    const kid = scriptedChild();
    const health = { check: () => false, intervalMs: 10, timeoutMs: 5, failureThreshold: 1 };
    const { clock } = await start({ id: 'root', intensity: 10, children: [{ id: 'w', start: kid, restart: 'transient', health }] });
    clock.advance(10);
    await flush();
    expect(kid.handovers[1]?.previousExit?.reason).toBe('timeout');
  });
});

describe('backoff jitter', () => {
  it('draws jitter from the supervisor random source, so a seeded source gives repeatable delays', async () => {
    const kid = scriptedChild();
    const jittery = { ...backoff, jitter: 0.5 };
    const { sup, clock } = await start({ id: 'root', random: () => 0.5, intensity: 10, children: [{ id: 'w', start: kid, backoff: jittery }] });
    kid.crash();
    await flush();
    expect(whichChildren(sup)[0]!.nextRestartAt! - clock.now()).toBe(125); // 100 * (1 + 0.5 * 0.5)
  });

  it('gives workers the tree clock as ctx.clock', async () => {
    const { fromWorker } = await import('@trellis/core');
    let seen: unknown;
    const w = fromWorker(({ clock }) => {
      seen = clock.now();
      return new Promise(() => {});
    });
    const { clock } = await start({ id: 'root', children: [{ id: 'w', start: w, shutdown: 'brutal_kill' }] });
    expect(seen).toBe(clock.now());
  });
});
