// Nested trees (OTP-SEMANTICS §3.7 `tree`): a supervisor is just a child.
import { describe, expect, it } from 'vitest';
import type { InspectionEvent } from 'xstate';
import { countChildren, defineSupervisor, startChild, startSupervisor, stopSupervisor, terminateChild, whichChildren, type SupervisorRef } from '@trellis/core';
import { createTestClock, scriptedChild } from '@trellis/core/testing';
import { flush, start } from '../helpers.js';

function subOf(sup: SupervisorRef, id: string): SupervisorRef {
  return whichChildren(sup).find((c) => c.id === id)!.ref as SupervisorRef;
}

describe('nested trees', () => {
  it('builds depth-first, stops in reverse, at any depth', async () => {
    const leaf = scriptedChild();
    const level3 = defineSupervisor({ id: 'l3', children: [{ id: 'leaf', start: leaf }] });
    const level2 = defineSupervisor({ id: 'l2', children: [{ id: 'l3', start: level3 }] });
    const { sup, facts } = await start({ id: 'root', children: [{ id: 'l2', start: level2 }, { id: 'after', start: scriptedChild() }] });
    expect(leaf.handovers[0]?.resumeId).toBe('root/l2/l3/leaf');
    const l3 = subOf(subOf(sup, 'l2'), 'l3');
    expect(whichChildren(l3)[0]).toMatchObject({ id: 'leaf', status: 'running' });
    expect(countChildren(sup)).toEqual({ specs: 2, active: 2, supervisors: 1, workers: 1 });
    expect(await stopSupervisor(sup)).toEqual({ reason: 'normal' });
    expect(leaf.running).toBe(false);
    expect(facts.flatMap((f) => (f.type === 'sup.child.exited' ? [f.child] : []))).toEqual(['after', 'l2']);
  });

  it('tree: the top restarts every subtree, dynamically added children of a subtree are gone, manually stopped transient subtrees come back', async () => {
    const w1 = scriptedChild();
    const w2 = scriptedChild();
    const w3 = scriptedChild();
    const sub1 = defineSupervisor({ id: 'sub1', children: [{ id: 'w1', start: w1 }] });
    const sub2 = defineSupervisor({ id: 'sub2', intensity: 0, children: [{ id: 'w2', start: w2 }] });
    const sub3 = defineSupervisor({ id: 'sub3', children: [{ id: 'w3', start: w3 }] });
    const { sup } = await start({
      id: 'top',
      strategy: 'one_for_all',
      intensity: 5,
      children: [
        { id: 'sub1', start: sub1 },
        { id: 'sub2', start: sub2 },
        { id: 'sub3', start: sub3, restart: 'transient' },
      ],
    });
    await terminateChild(sup, 'sub3');
    expect(countChildren(sup)).toEqual({ specs: 3, active: 2, supervisors: 3, workers: 0 });
    await startChild(subOf(sup, 'sub2'), { id: 'dynamic', start: scriptedChild() });
    // A worker crash in sub1 restarts only that worker.
    w1.crash();
    await flush();
    expect(whichChildren(subOf(sup, 'sub1'))[0]?.incarnation).toBe(1);
    expect(whichChildren(sup).map((c) => c.incarnation)).toEqual([0, 0, 0]);
    // sub2 gives up: the top restarts all three subtrees, including the stopped transient sub3.
    w2.crash();
    await flush(6);
    expect(whichChildren(sup).map((c) => [c.id, c.status])).toEqual([
      ['sub3', 'running'],
      ['sub2', 'running'],
      ['sub1', 'running'],
    ]);
    expect(whichChildren(subOf(sup, 'sub2')).map((c) => c.id)).toEqual(['w2']);
    expect(w3.running).toBe(true);
  });

  it('a brutally killed child supervisor takes its whole subtree with it', async () => {
    const leaf = scriptedChild();
    const sub = defineSupervisor({ id: 'sub', children: [{ id: 'leaf', start: leaf }] });
    const { sup } = await start({ id: 'root', children: [{ id: 'sub', start: sub, shutdown: 'brutal_kill' }] });
    await terminateChild(sup, 'sub');
    expect(leaf.running).toBe(false);
    expect(leaf.stopRequests).toBe(1);
  });

  it('passes an inspect observer to every actor in the tree', async () => {
    const seen = new Set<string>();
    const inspect = (event: InspectionEvent) => {
      if (event.type === '@xstate.actor') seen.add((event.actorRef as unknown as { id: string }).id);
    };
    const leaf = scriptedChild();
    const sub = defineSupervisor({ id: 'sub', children: [{ id: 'leaf', start: leaf }] });
    const sup = await startSupervisor(defineSupervisor({ id: 'root', children: [{ id: 'sub', start: sub }, { id: 'w', start: scriptedChild() }] }), {
      inspect,
      clock: createTestClock(),
    });
    expect([...seen].sort()).toEqual(['leaf@0', 'sub@0', 'w@0', sup.id].sort());
    leaf.crash();
    await flush();
    expect(seen.has('leaf@1')).toBe(true);
    await stopSupervisor(sup);
  });

  it('shows its decision states as real machine states', async () => {
    const values: string[] = [];
    const slow = scriptedChild({ ignoreStop: true });
    const fast = scriptedChild();
    const { sup, clock } = await start({
      id: 'root',
      strategy: 'one_for_all',
      children: [
        { id: 'slow', start: slow, shutdown: 100 },
        { id: 'fast', start: fast },
      ],
    });
    sup.subscribe((s) => {
      const v = String(s.value);
      if (values.at(-1) !== v) values.push(v);
    });
    fast.crash();
    await flush();
    clock.advance(100);
    await flush();
    const stopping = stopSupervisor(sup);
    await flush();
    clock.advance(100);
    await stopping;
    expect(values).toEqual(['restarting', 'running', 'shuttingDown', 'stopped']);
  });
});

describe('facts of a killed supervisor', () => {
  it('emits sup.stopped when it is killed from outside', async () => {
    const sub = defineSupervisor({ id: 'sub', children: [{ id: 'leaf', start: scriptedChild() }] });
    const { sup } = await start({ id: 'root', children: [{ id: 'sub', start: sub, shutdown: 'brutal_kill' }] });
    const stopped: unknown[] = [];
    subOf(sup, 'sub').on('sup.stopped', (fact) => stopped.push(fact.exit));
    await terminateChild(sup, 'sub');
    expect(stopped).toEqual([{ reason: 'shutdown', detail: 'killed' }]);
  });
});
