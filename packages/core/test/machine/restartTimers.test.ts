// The timers between a child's exit and its next start, and its liveness checks
// (src/runtime/restartTimers.ts): what each announces, which answers of a health check count,
// and that none outlives the incarnation or the supervisor it belongs to.
import { describe, expect, it } from 'vitest';
import { DecayingRestartBudget, deleteChild, stopSupervisor, terminateChild, whichChildren, type SupervisorFact } from '@trellis/core';
import { scriptedChild } from '@trellis/core/testing';
import { flush, start } from '../helpers.js';

const restarting = (facts: SupervisorFact[]) => facts.filter((f) => f.type === 'sup.child.restarting');

describe('restart timers', () => {
  it('announce each wait with the next incarnation, its delay and its cause: retry (a failed start), backoff, budget', async () => {
    const retry = scriptedChild();
    const backed = scriptedChild();
    const held = scriptedChild();
    const backoff = { minMs: 100, maxMs: 100, factor: 1, jitter: 0, resetAfterMs: 60_000 };
    const a = await start({ id: 'root', intensity: 10, children: [{ id: 'r', start: retry }, { id: 'b', start: backed, backoff }] });
    retry.failStarts(2);
    retry.crash();
    await flush(6);
    backed.crash();
    await flush();
    expect(restarting(a.facts)).toEqual([
      expect.objectContaining({ child: 'r', nextIncarnation: 2, delayMs: 0, cause: 'retry' }),
      expect.objectContaining({ child: 'r', nextIncarnation: 3, delayMs: 0, cause: 'retry' }),
      expect.objectContaining({ child: 'b', nextIncarnation: 1, delayMs: 100, cause: 'backoff' }),
    ]);
    expect(whichChildren(a.sup).find((c) => c.id === 'r')).toMatchObject({ status: 'running', incarnation: 3 });
    const b = await start({ id: 'root', restartBudget: () => new DecayingRestartBudget({ threshold: 1, decayMs: 60_000, pauseMs: 5_000 }), children: [{ id: 'h', start: held }] });
    held.crash();
    await flush();
    held.crash();
    await flush();
    expect(restarting(b.facts)).toEqual([expect.objectContaining({ child: 'h', nextIncarnation: 2, delayMs: 5_000, cause: 'budget' })]);
  });

  it('a restart the budget held is counted once: after the pause, the count starts from 0 (two more failures restart at once, the third is held)', async () => {
    const kid = scriptedChild();
    const { sup, clock } = await start({
      id: 'root',
      restartBudget: () => new DecayingRestartBudget({ threshold: 2, decayMs: 1_000_000_000, pauseMs: 10_000 }),
      children: [{ id: 'w', start: kid }],
    });
    for (let i = 0; i < 3; i++) {
      kid.crash();
      await flush();
    }
    expect(whichChildren(sup)[0]).toMatchObject({ status: 'restarting' }); // the third is held
    clock.advance(10_000);
    await flush();
    expect(kid.handovers).toHaveLength(4);
    for (let i = 0; i < 2; i++) {
      kid.crash();
      await flush();
      expect(whichChildren(sup)[0], `failure ${i + 1} after the pause`).toMatchObject({ status: 'running' });
    }
    kid.crash();
    await flush();
    expect(whichChildren(sup)[0]).toMatchObject({ status: 'restarting' });
  });

  it('terminateChild during a backoff wait clears the wait: the child is stopped, with no restart time, and restartChild starts it at once', async () => {
    const kid = scriptedChild();
    const backoff = { minMs: 1_000, maxMs: 1_000, factor: 1, jitter: 0, resetAfterMs: 60_000 };
    const { sup, clock } = await start({ id: 'root', children: [{ id: 'w', start: kid, backoff }] });
    kid.crash();
    await flush();
    expect(whichChildren(sup)[0]).toMatchObject({ status: 'restarting', nextRestartAt: clock.now() + 1_000 });
    await terminateChild(sup, 'w');
    expect(whichChildren(sup)[0]).toMatchObject({ status: 'stopped' });
    expect(whichChildren(sup)[0]!.nextRestartAt).toBeUndefined();
    expect(clock.pending()).toBe(0);
  });
});

describe('health checks', () => {
  const kill = (ms: number) => ({ intervalMs: 100, timeoutMs: ms, failureThreshold: 1 });

  it('abort their signal when they time out', async () => {
    const kid = scriptedChild();
    const signals: AbortSignal[] = [];
    const health = { ...kill(50), check: ({ signal }: { signal: AbortSignal }) => (signals.push(signal), new Promise<boolean>(() => {})) };
    const { clock } = await start({ id: 'root', intensity: 10, children: [{ id: 'w', start: kid, health }] });
    clock.advance(100);
    await flush();
    expect(signals).toHaveLength(1);
    expect(signals[0]!.aborted).toBe(false);
    clock.advance(50);
    await flush();
    expect(signals[0]!.aborted).toBe(true);
    expect(kid.handovers[1]?.previousExit).toMatchObject({ reason: 'timeout', detail: { check: 'health', misses: 1 } });
  });

  it('count a check that rejects, or throws, as a miss at once, without waiting for its timeout', async () => {
    for (const check of [() => Promise.reject(new Error('down')), () => { throw new Error('down'); }]) {
      const kid = scriptedChild();
      const { clock } = await start({ id: 'root', intensity: 10, children: [{ id: 'w', start: kid, health: { ...kill(60_000), check } }] });
      clock.advance(100);
      await flush();
      expect(kid.handovers, String(check)).toHaveLength(2);
      expect(kid.handovers[1]?.previousExit).toMatchObject({ reason: 'timeout', detail: { check: 'health', misses: 1 } });
    }
  });

  it('an answer for an incarnation that has ended does not count against the next one', async () => {
    const kid = scriptedChild();
    const answers: Array<(ok: boolean) => void> = [];
    const check = () => new Promise<boolean>((resolve) => answers.push(resolve));
    const { sup, clock } = await start({ id: 'root', intensity: 10, children: [{ id: 'w', start: kid, health: { ...kill(10_000), check } }] });
    clock.advance(100); // incarnation 0's check starts and waits
    await flush();
    kid.crash(); // incarnation 1 starts
    await flush();
    answers[0]!(false); // incarnation 0's late answer
    await flush();
    expect(whichChildren(sup)[0]).toMatchObject({ status: 'running', incarnation: 1 });
    expect(kid.handovers).toHaveLength(2);
  });

  it('an answer that arrives while the child waits out its backoff, or after it was stopped or deleted, does nothing', async () => {
    const backoff = { minMs: 1_000, maxMs: 1_000, factor: 1, jitter: 0, resetAfterMs: 60_000 };
    for (const end of ['backoff', 'terminate', 'delete'] as const) {
      const kid = scriptedChild();
      const answers: Array<(ok: boolean) => void> = [];
      const check = () => new Promise<boolean>((resolve) => answers.push(resolve));
      const { sup, clock, facts } = await start({ id: 'root', intensity: 10, children: [{ id: 'w', start: kid, backoff, health: { ...kill(10_000), check } }] });
      clock.advance(100);
      await flush();
      if (end === 'backoff') kid.crash();
      else await terminateChild(sup, 'w');
      if (end === 'delete') await deleteChild(sup, 'w');
      await flush();
      const before = facts.length;
      answers[0]!(false);
      await flush();
      expect(facts.slice(before), end).toEqual([]);
      expect(sup.getSnapshot().status, end).toBe('active');
      clock.advance(1_100); // past the backoff and the restarted child's first interval
      await flush();
      // No check while the child was not running: only the restarted incarnation's first one.
      expect(answers, end).toHaveLength(end === 'backoff' ? 2 : 1);
    }
  });

  it('an answer that arrives while the child is being stopped neither kills it nor restarts it', async () => {
    const kid = scriptedChild();
    const answers: Array<(ok: boolean) => void> = [];
    const check = () => new Promise<boolean>((resolve) => answers.push(resolve));
    const { sup, clock, facts } = await start({ id: 'root', intensity: 10, children: [{ id: 'w', start: kid, shutdown: 5_000, health: { ...kill(10_000), check } }] });
    clock.advance(100); // a check starts and waits
    await flush();
    kid.ignoreStop(true); // the stop takes until the shutdown timer
    const terminated = terminateChild(sup, 'w');
    await flush();
    answers[0]!(false);
    await flush();
    expect(kid.handovers).toHaveLength(1);
    expect(facts.filter((f) => f.type === 'sup.child.exited')).toEqual([]); // still stopping
    clock.advance(5_000);
    await terminated;
    expect(whichChildren(sup)[0]).toMatchObject({ status: 'stopped', incarnation: 0 });
    expect(facts.some((f) => f.type === 'sup.child.exited' && f.exit.reason === 'timeout')).toBe(false);
    expect(kid.handovers).toHaveLength(1);
  });

  it('end with their incarnation and with the supervisor: no timer left, no check run after', async () => {
    let checks = 0;
    const check = () => (checks++, true);
    const kid = scriptedChild();
    const { sup, clock } = await start({ id: 'root', children: [{ id: 'w', start: kid, health: { intervalMs: 100, timeoutMs: 50, failureThreshold: 1, check } }] });
    clock.advance(100);
    await flush();
    expect(checks).toBe(1);
    await terminateChild(sup, 'w');
    expect(clock.pending()).toBe(0);
    clock.advance(1_000);
    await flush();
    expect(checks).toBe(1);

    const other = scriptedChild();
    const second = await start({ id: 'root', children: [{ id: 'w', start: other, health: { intervalMs: 100, timeoutMs: 50, failureThreshold: 1, check } }] });
    await stopSupervisor(second.sup);
    expect(second.clock.pending()).toBe(0);
  });
});
