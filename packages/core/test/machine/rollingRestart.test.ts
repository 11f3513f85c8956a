// Rolling restart (decision 0026): batches as a Kubernetes Deployment rolls, readiness-gated,
// never counted toward intensity, never firing the strategy. All on the test clock.
import { describe, expect, it } from 'vitest';
import {
  ChildNotFoundError,
  defineDynamicSupervisor,
  defineSupervisor,
  fromWorker,
  poolSpecs,
  restartBudgetUsage,
  rollingRestart,
  startChild,
  startSupervisor,
  stopSupervisor,
  SupervisorArgumentError,
  SupervisorNotRunningError,
  whichChildren,
  type SupervisorFact,
  type SupervisorRef,
} from '@trellis/core';
import { createTestClock, scriptedChild, type ScriptedChild } from '@trellis/core/testing';
import { flush, start } from '../helpers.js';

/** `n` children c1..cn, each with its own scripted logic (awaitReady when asked). */
function kids(n: number, awaitReady = false) {
  const list: ScriptedChild[] = [];
  const specs = [];
  for (let i = 1; i <= n; i++) {
    const kid = scriptedChild({ awaitReady });
    list.push(kid);
    specs.push({ id: `c${i}`, start: kid });
  }
  return { list, specs };
}

/** Starts a supervisor whose awaitReady children are made ready as they start. */
async function startReady(n: number, extra: Record<string, unknown> = {}) {
  const { list, specs } = kids(n, true);
  const clock = createTestClock(1_000);
  const facts: SupervisorFact[] = [];
  const logic = defineSupervisor({ id: 'root', children: specs, ...extra });
  const started = startSupervisor(logic, { clock, onGiveUp: () => {} });
  for (const kid of list) {
    await flush();
    kid.ready();
  }
  const sup = await started;
  sup.on('*', (fact) => facts.push(fact as SupervisorFact));
  return { sup, clock, facts, list };
}

/** How many incarnations of each child run now (a scripted child's running count is per logic). */
function live(list: ScriptedChild[]): number[] {
  return list.map((kid) => kid.handovers.length);
}

function types(facts: SupervisorFact[]): string[] {
  return facts.map((f) => ('child' in f && f.type !== 'sup.rollingRestart.aborted' ? `${f.type}:${f.child}` : f.type));
}

describe('rollingRestart', () => {
  it('replaces every worker one at a time by default: start, ready, then stop the old', async () => {
    const { sup, facts, list } = await startReady(2);
    const roll = rollingRestart(sup);
    await flush();
    // The replacement of c1 runs beside c1's incarnation 0, not yet ready: nothing stopped.
    expect(list[0]!.handovers).toHaveLength(2);
    expect(list[0]!.stopRequests).toBe(0);
    expect(whichChildren(sup).find((c) => c.id === 'c1')).toMatchObject({ status: 'running', incarnation: 0 });
    list[0]!.ready();
    await flush();
    expect(list[0]!.stopRequests).toBe(1); // the old one, now that the new one is ready
    expect(list[1]!.handovers).toHaveLength(2); // c2's turn
    list[1]!.ready();
    const report = await roll;
    expect(report).toEqual({ outcome: 'completed', replaced: ['c1', 'c2'], skipped: [], remaining: [] });
    expect(whichChildren(sup).map((c) => [c.id, c.status, c.incarnation, c.restarts])).toEqual([
      ['c2', 'running', 1, 0],
      ['c1', 'running', 1, 0],
    ]);
    expect(types(facts)).toEqual([
      'sup.rollingRestart.started',
      'sup.child.started:c1',
      'sup.child.exited:c1',
      'sup.child.replaced:c1',
      'sup.child.started:c2',
      'sup.child.exited:c2',
      'sup.child.replaced:c2',
      'sup.rollingRestart.completed',
    ]);
    await stopSupervisor(sup);
  });

  it('the handover: same ResumeID, next incarnation, previousExit replaced; the old one exits replaced', async () => {
    const { sup, clock, facts, list } = await startReady(1);
    clock.advance(500);
    const roll = rollingRestart(sup);
    await flush();
    list[0]!.ready();
    await roll;
    expect(list[0]!.handovers[1]).toEqual({ resumeId: 'root/c1', incarnation: 1, previousExit: { reason: 'replaced', at: 1_500 } });
    const exited = facts.find((f) => f.type === 'sup.child.exited');
    expect(exited).toMatchObject({ child: 'c1', incarnation: 0, exit: { reason: 'replaced' }, decision: 'stopped' });
    expect(facts.find((f) => f.type === 'sup.child.started')).toMatchObject({ incarnation: 1, resumeId: 'root/c1', cause: 'replace' });
    expect(facts.find((f) => f.type === 'sup.child.replaced')).toEqual({ type: 'sup.child.replaced', supervisor: 'root', child: 'c1', incarnation: 1, previousIncarnation: 0 });
    expect(whichChildren(sup)[0]?.lastExit).toEqual({ reason: 'replaced', at: 1_500 });
    await stopSupervisor(sup);
  });

  it('maxSurge 2: a batch starts two replacements at once and waits for both', async () => {
    const { sup, list } = await startReady(3);
    const roll = rollingRestart(sup, { maxSurge: 2 });
    await flush();
    expect(live(list)).toEqual([2, 2, 1]);
    list[0]!.ready();
    await flush();
    expect(list[0]!.stopRequests).toBe(0); // c2's replacement is not ready yet: the batch waits
    list[1]!.ready();
    await flush();
    expect([list[0]!.stopRequests, list[1]!.stopRequests]).toEqual([1, 1]);
    expect(live(list)).toEqual([2, 2, 2]);
    list[2]!.ready();
    expect((await roll).replaced).toEqual(['c1', 'c2', 'c3']);
    await stopSupervisor(sup);
  });

  it('maxUnavailable 1, maxSurge 0: the old one stops first, then its replacement starts', async () => {
    const { sup, list, facts } = await startReady(2);
    const roll = rollingRestart(sup, { maxSurge: 0, maxUnavailable: 1 });
    await flush();
    expect(list[0]!.stopRequests).toBe(1);
    expect(list[0]!.handovers).toHaveLength(2);
    // The old incarnation's exit is the handover's previous exit here, as after any stop.
    expect(list[0]!.handovers[1]?.previousExit?.reason).toBe('replaced');
    list[0]!.ready();
    await flush();
    list[1]!.ready();
    expect((await roll).outcome).toBe('completed');
    expect(types(facts).slice(0, 4)).toEqual(['sup.rollingRestart.started', 'sup.child.exited:c1', 'sup.child.started:c1', 'sup.child.replaced:c1']);
    await stopSupervisor(sup);
  });

  it('maxSurge 1, maxUnavailable 1: batches of two, one old stopped first', async () => {
    const { sup, list } = await startReady(4);
    const roll = rollingRestart(sup, { maxSurge: 1, maxUnavailable: 1 });
    await flush();
    expect([list[0]!.stopRequests, list[1]!.stopRequests]).toEqual([1, 0]);
    expect(live(list)).toEqual([2, 2, 1, 1]);
    list[0]!.ready();
    list[1]!.ready();
    await flush();
    expect(list[1]!.stopRequests).toBe(1);
    expect(live(list)).toEqual([2, 2, 2, 2]);
    list[2]!.ready();
    list[3]!.ready();
    expect((await roll).replaced).toEqual(['c1', 'c2', 'c3', 'c4']);
    await stopSupervisor(sup);
  });

  it('a replacement not ready in readyTimeoutMs is stopped, the old one keeps running, the rest is not touched', async () => {
    const { sup, clock, facts, list } = await startReady(3);
    const roll = rollingRestart(sup, { readyTimeoutMs: 1_000 });
    await flush();
    list[0]!.ready();
    await flush();
    // c2's replacement never says it is ready.
    clock.advance(999);
    await flush();
    expect(list[1]!.stopRequests).toBe(0);
    clock.advance(1);
    const report = await roll;
    expect(report).toEqual({ outcome: 'aborted', reason: 'ready_timeout', child: 'c2', replaced: ['c1'], skipped: [], remaining: ['c2', 'c3'] });
    await flush();
    // c2: the replacement was asked to stop; incarnation 0 still runs, and c3 was never touched.
    expect(list[1]!.stopRequests).toBe(1);
    expect(whichChildren(sup).map((c) => [c.id, c.status, c.incarnation])).toEqual([
      ['c3', 'running', 0],
      ['c2', 'running', 0],
      ['c1', 'running', 1],
    ]);
    expect(list[2]!.handovers).toHaveLength(1);
    expect(facts.find((f) => f.type === 'sup.child.startFailed')).toMatchObject({ child: 'c2', incarnation: 1, error: { message: 'the replacement was not ready within readyTimeoutMs (1000 ms)' } });
    expect(facts.at(-1)).toEqual({ type: 'sup.rollingRestart.aborted', supervisor: 'root', reason: 'ready_timeout', child: 'c2', replaced: ['c1'] });
    await stopSupervisor(sup);
  });

  it('a replacement that fails to start aborts with start_failed and its error', async () => {
    const { sup, list } = await startReady(2);
    list[0]!.failStarts(1);
    const report = await rollingRestart(sup);
    expect(report).toMatchObject({ outcome: 'aborted', reason: 'start_failed', child: 'c1', replaced: [], remaining: ['c1', 'c2'] });
    expect(report.error?.message).toBe('scripted start failure (incarnation 1)');
    expect(whichChildren(sup).find((c) => c.id === 'c1')).toMatchObject({ status: 'running', incarnation: 0 });
    await stopSupervisor(sup);
  });

  it('a replacement that crashes before it is ready aborts the roll; the old one still serves', async () => {
    const { sup, list } = await startReady(1);
    const roll = rollingRestart(sup);
    await flush();
    list[0]!.failReady(new Error('bad config'));
    const report = await roll;
    expect(report).toMatchObject({ outcome: 'aborted', reason: 'start_failed', child: 'c1', error: { name: 'Error', message: 'bad config' } });
    expect(whichChildren(sup)[0]).toMatchObject({ status: 'running', incarnation: 0, restarts: 0 });
    await stopSupervisor(sup);
  });

  it('never counts toward intensity: ten rolls within one period leave the budget unused', async () => {
    const { sup, list } = await startReady(1, { intensity: 1 });
    for (let i = 0; i < 10; i++) {
      const roll = rollingRestart(sup);
      await flush();
      list[0]!.ready();
      expect((await roll).outcome).toBe('completed');
    }
    expect(restartBudgetUsage(sup)).toEqual({ used: 0, limit: 1 });
    expect(whichChildren(sup)[0]).toMatchObject({ incarnation: 10, restarts: 0 });
    await stopSupervisor(sup);
  });

  it('never fires the strategy: one_for_all siblings keep their incarnations', async () => {
    const { list, specs } = kids(3);
    const { sup } = await start({ id: 'root', strategy: 'one_for_all', children: specs });
    const report = await rollingRestart(sup, { children: ['c2'] });
    expect(report.replaced).toEqual(['c2']);
    expect(whichChildren(sup).map((c) => [c.id, c.incarnation])).toEqual([
      ['c3', 0],
      ['c2', 1],
      ['c1', 0],
    ]);
    expect(list.map((kid) => kid.stopRequests)).toEqual([0, 1, 0]);
    await stopSupervisor(sup);
  });

  it('a crash of a child not yet replaced waits behind the batch, then restarts per strategy; the roll goes on', async () => {
    const { sup, facts, list } = await startReady(2);
    const roll = rollingRestart(sup);
    await flush();
    list[1]!.crash(); // c2's incarnation 0, while c1's replacement gets ready
    await flush();
    expect(facts.some((f) => f.type === 'sup.child.exited' && f.child === 'c2')).toBe(false);
    list[0]!.ready();
    await flush();
    // The batch over, the crash is handled: c2 restarted (counted), ready, then replaced in turn.
    list[1]!.ready();
    await flush();
    expect(facts.find((f) => f.type === 'sup.child.exited' && f.child === 'c2')).toMatchObject({ exit: { reason: 'error' }, decision: 'restart' });
    list[1]!.ready();
    const report = await roll;
    expect(report.replaced).toEqual(['c1', 'c2']);
    expect(whichChildren(sup).find((c) => c.id === 'c2')).toMatchObject({ incarnation: 2, restarts: 1 });
    await stopSupervisor(sup);
  });

  it('skips a child that is not running when its batch comes', async () => {
    const { list, specs } = kids(2);
    const { sup } = await start({ id: 'root', children: specs.map((s) => ({ ...s, restart: 'transient' as const })) });
    list[1]!.exitNormal();
    await flush();
    expect(await rollingRestart(sup, { children: ['c1', 'c2'] })).toEqual({ outcome: 'completed', replaced: ['c1'], skipped: ['c2'], remaining: [] });
    await stopSupervisor(sup);
  });

  it('works on a pool: its members are replaced in order', async () => {
    const kid = scriptedChild();
    const { sup } = await start({ id: 'root', children: poolSpecs({ id: 'web', start: kid }, 3) });
    const report = await rollingRestart(sup);
    expect(report.replaced).toEqual(whichChildren(sup).map((c) => c.id).reverse());
    expect(whichChildren(sup).every((c) => c.incarnation === 1 && c.status === 'running')).toBe(true);
    await stopSupervisor(sup);
  });

  it('works on a dynamic supervisor: children keep their generated ids', async () => {
    const kid = scriptedChild();
    const sup = await startSupervisor(defineDynamicSupervisor({ id: 'dyn', child: { id: 'job', start: kid } }), { clock: createTestClock() });
    await startChild(sup, {});
    await startChild(sup, {});
    const report = await rollingRestart(sup, { maxSurge: 2 });
    expect(report.replaced).toEqual(['job-1', 'job-2']);
    expect(whichChildren(sup).map((c) => [c.id, c.incarnation])).toEqual([
      ['job-2', 1],
      ['job-1', 1],
    ]);
    expect(kid.stopRequests).toBe(2);
    await stopSupervisor(sup);
  });

  it('refuses child supervisors, by name, and leaves them out of the default set', async () => {
    const inner = defineSupervisor({ id: 'inner', children: [{ id: 'w', start: scriptedChild() }] });
    const { sup } = await start({ id: 'root', children: [{ id: 'inner', start: inner, type: 'supervisor' }, { id: 'w', start: scriptedChild() }] });
    await expect(rollingRestart(sup, { children: ['inner'] })).rejects.toThrow('rollingRestart: options.children must name worker children only: "inner" is a supervisor');
    expect((await rollingRestart(sup)).replaced).toEqual(['w']);
    await stopSupervisor(sup);
  });

  it('validates every option: unknown keys, batch sizes, timeout, ids', async () => {
    const { sup } = await start({ id: 'root', children: [{ id: 'a', start: scriptedChild() }] });
    await expect(rollingRestart(sup, { maxSurg: 2 } as never)).rejects.toThrow("unknown key 'maxSurg' in rollingRestart's options — did you mean 'maxSurge'?");
    await expect(rollingRestart(sup, { maxSurge: -1 })).rejects.toThrow('rollingRestart: options.maxSurge must be an integer >= 0, got -1.');
    await expect(rollingRestart(sup, { maxUnavailable: 1.5 })).rejects.toThrow('options.maxUnavailable must be an integer >= 0, got 1.5');
    await expect(rollingRestart(sup, { maxSurge: 0, maxUnavailable: 0 })).rejects.toThrow('options.maxSurge must be >= 1 when maxUnavailable is 0');
    await expect(rollingRestart(sup, { readyTimeoutMs: 0 })).rejects.toThrow('options.readyTimeoutMs must be a finite number of milliseconds > 0, got 0');
    await expect(rollingRestart(sup, { children: 'a' as never })).rejects.toThrow('options.children must be an array of child ids');
    await expect(rollingRestart(sup, { children: ['a', 'a'] })).rejects.toThrow('options.children must not name a child twice');
    await expect(rollingRestart(sup, null as never)).rejects.toBeInstanceOf(SupervisorArgumentError);
    await expect(rollingRestart(sup, { children: ['nope'] })).rejects.toBeInstanceOf(ChildNotFoundError);
    await stopSupervisor(sup);
    await expect(rollingRestart(sup)).rejects.toBeInstanceOf(SupervisorNotRunningError);
  });

  it('one roll at a time: a second one while the first runs is refused', async () => {
    const { sup, list } = await startReady(2);
    const first = rollingRestart(sup);
    await flush();
    list[0]!.ready();
    await flush();
    // Sent while c2's batch waits, a second roll is handled once the batch is over, and refused.
    const second = rollingRestart(sup);
    list[1]!.ready();
    await expect(second).rejects.toThrow('rollingRestart: ref must not be in a rolling restart already (supervisor "root" runs one at a time)');
    expect((await first).outcome).toBe('completed');
    await stopSupervisor(sup);
  });

  it('a supervisor stopped mid-roll answers the roll as aborted', async () => {
    const { sup, list, clock } = await startReady(2);
    const roll = rollingRestart(sup, { readyTimeoutMs: 100 });
    await flush();
    const stopped = stopSupervisor(sup);
    list[0]!.ready();
    const report = await roll;
    expect(report).toMatchObject({ outcome: 'aborted', reason: 'supervisor_stopping', replaced: ['c1'], remaining: ['c2'] });
    clock.advance(100);
    await stopped;
  });

  it('works with in-process logic that has no readiness: ready once started', async () => {
    const handovers: number[] = [];
    const idle = fromWorker(({ handover, signal }) => {
      handovers.push(handover.incarnation);
      return new Promise((resolve) => signal.addEventListener('abort', resolve));
    });
    const { sup } = await start({ id: 'root', children: [{ id: 'a', start: idle }] });
    expect(await rollingRestart(sup)).toMatchObject({ outcome: 'completed', replaced: ['a'] });
    expect(handovers).toEqual([0, 1]);
    await stopSupervisor(sup as SupervisorRef);
  });
});
