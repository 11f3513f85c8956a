// OTP supervisor_SUITE §3.5: restart strategies (OTP-SEMANTICS §1.2, §5 points 1, 2, 5).
import { describe, expect, it } from 'vitest';
import { countChildren, stopSupervisor, whichChildren } from '@trellis/core';
import { scriptedChild } from '@trellis/core/testing';
import { actors, flush, rows, scripted, start, stateOf } from '../helpers.js';

describe('one_for_one', () => {
  it('one_for_one: restarts only the crashed child and gives up past intensity', async () => {
    const { kids, specs } = scripted(2);
    const { sup } = await start({ id: 'root', intensity: 2, periodMs: 3_600_000, children: specs });
    const before = actors(sup);
    kids[0]!.crash();
    await flush();
    const after = actors(sup);
    expect(after.c1).not.toBe(before.c1);
    expect(after.c2).toBe(before.c2);
    expect(countChildren(sup)).toEqual({ specs: 2, active: 2, supervisors: 0, workers: 2 });
    kids[0]!.crash();
    await flush();
    expect(stateOf(sup)).toBe('running');
    kids[0]!.crash();
    await flush();
    expect(sup.getSnapshot().status).toBe('done');
    expect(sup.getSnapshot().output).toEqual({ reason: 'shutdown', detail: 'reached_max_restart_intensity' });
  });

  it('one_for_one_escalation: a child whose restart always fails exhausts intensity and the supervisor gives up', async () => {
    const { kids, specs } = scripted(2);
    const { sup, facts } = await start({ id: 'root', intensity: 4, periodMs: 3_600_000, children: specs });
    kids[0]!.failStarts('always');
    kids[0]!.crash();
    await flush(10);
    expect(sup.getSnapshot().status).toBe('done');
    expect(sup.getSnapshot().output).toEqual({ reason: 'shutdown', detail: 'reached_max_restart_intensity' });
    // 1 restart + 3 retries were allowed, the 5th attempt gave up: 4 start attempts after the crash.
    expect(kids[0]!.handovers.length).toBe(1 + 4);
    expect(facts.filter((f) => f.type === 'sup.child.startFailed').length).toBe(4);
    expect(kids[1]!.running).toBe(false);
  });
});

describe('one_for_all', () => {
  it('one_for_all: a crash restarts every child in start order after stopping the others in reverse', async () => {
    const { kids, specs } = scripted(3);
    const { sup, facts } = await start({ id: 'root', strategy: 'one_for_all', intensity: 2, periodMs: 3_600_000, children: specs });
    const before = actors(sup);
    facts.length = 0;
    kids[1]!.crash();
    await flush();
    const after = actors(sup);
    for (const id of ['c1', 'c2', 'c3']) expect(after[id]).not.toBe(before[id]);
    expect(facts.filter((f) => f.type === 'sup.child.exited').map((f) => f.type === 'sup.child.exited' && [f.child, f.decision])).toEqual([
      ['c2', 'restart'],
      ['c3', 'stopped'],
      ['c1', 'stopped'],
    ]);
    expect(facts.filter((f) => f.type === 'sup.child.started').map((f) => f.type === 'sup.child.started' && f.child)).toEqual(['c1', 'c2', 'c3']);
    expect(countChildren(sup).active).toBe(3);
    // Two more crashes within the period exceed intensity 2: a group restart counts once.
    kids[0]!.crash();
    await flush();
    expect(stateOf(sup)).toBe('running');
    kids[2]!.crash();
    await flush();
    expect(sup.getSnapshot().status).toBe('done');
  });

  it('one_for_all_escalation: a failing group restart ends the supervisor', async () => {
    const { kids, specs } = scripted(2);
    const { sup } = await start({ id: 'root', strategy: 'one_for_all', intensity: 1, periodMs: 3_600_000, children: specs });
    kids[1]!.failStarts('always');
    kids[0]!.crash();
    await flush(6);
    expect(sup.getSnapshot().output).toEqual({ reason: 'shutdown', detail: 'reached_max_restart_intensity' });
    expect(kids[0]!.running).toBe(false);
  });

  it('one_for_all_other_child_fails_restart: the retry redoes the whole group', async () => {
    const { kids, specs } = scripted(3);
    const { sup } = await start({ id: 'root', strategy: 'one_for_all', intensity: 10, periodMs: 3_600_000, children: specs });
    kids[1]!.failStarts(1);
    kids[0]!.crash();
    await flush(6);
    expect(stateOf(sup)).toBe('running');
    // c1: initial, restart, redo; c2: initial, failed, redo; c3: initial, redo only (never started after the failure).
    expect(kids.map((k) => k.handovers.length)).toEqual([3, 3, 2]);
    expect(kids[0]!.handovers[2]?.previousExit?.reason).toBe('bystander');
    expect(whichChildren(sup).every((c) => c.status === 'running')).toBe(true);
  });

  it('temporary_bystander: a temporary sibling stopped by the group restart is dropped, not restarted', async () => {
    const perm = scriptedChild();
    const temp = scriptedChild();
    const { sup } = await start({
      id: 'root',
      strategy: 'one_for_all',
      children: [
        { id: 'child1', start: perm },
        { id: 'child2', start: temp, restart: 'temporary' },
      ],
    });
    perm.crash();
    await flush();
    expect(rows(sup)).toEqual([['child1', 'running', 1]]);
    expect(temp.handovers.length).toBe(1);
  });

  it('transient_normal_no_strategy: a transient child exiting normally leaves its siblings untouched', async () => {
    const t = scriptedChild();
    const other = scriptedChild();
    const { sup } = await start({
      id: 'root',
      strategy: 'one_for_all',
      children: [
        { id: 'a', start: other },
        { id: 't', start: t, restart: 'transient' },
      ],
    });
    const before = actors(sup);
    t.exitNormal();
    await flush();
    expect(actors(sup).a).toBe(before.a);
    expect(rows(sup)).toEqual([
      ['t', 'stopped', 0],
      ['a', 'running', 0],
    ]);
  });

  it('restarts children that were stopped by hand as part of the group (tree)', async () => {
    const { kids, specs } = scripted(2);
    const { sup } = await start({ id: 'root', strategy: 'one_for_all', children: specs });
    const { terminateChild } = await import('@trellis/core');
    await terminateChild(sup, 'c2');
    kids[0]!.crash();
    await flush();
    expect(rows(sup).map((r) => r[1])).toEqual(['running', 'running']);
  });
});

describe('rest_for_one', () => {
  it('rest_for_one: a crash restarts the child and those after it, not those before', async () => {
    const { kids, specs } = scripted(3);
    const { sup } = await start({ id: 'root', strategy: 'rest_for_one', intensity: 2, periodMs: 3_600_000, children: specs });
    const before = actors(sup);
    kids[1]!.crash();
    await flush();
    const after = actors(sup);
    expect(after.c1).toBe(before.c1);
    expect(after.c2).not.toBe(before.c2);
    expect(after.c3).not.toBe(before.c3);
    expect(countChildren(sup)).toEqual({ specs: 3, active: 3, supervisors: 0, workers: 3 });
    kids[1]!.crash();
    await flush();
    kids[1]!.crash();
    await flush();
    expect(sup.getSnapshot().status).toBe('done');
  });

  it('order_of_children: stops later children in reverse, restarts in start order, shuts down 5..1', async () => {
    const ids = ['ch7', 'ch3', 'ch10', 'ch2', 'ch5'];
    const kids = ids.map(() => scriptedChild());
    const { sup, facts } = await start({ id: 'root', strategy: 'rest_for_one', children: ids.map((id, i) => ({ id, start: kids[i]! })) });
    facts.length = 0;
    kids[2]!.crash();
    await flush();
    const stopped = facts.flatMap((f) => (f.type === 'sup.child.exited' ? [f.child] : []));
    const started = facts.flatMap((f) => (f.type === 'sup.child.started' ? [f.child] : []));
    expect(stopped).toEqual(['ch10', 'ch5', 'ch2']);
    expect(started).toEqual(['ch10', 'ch2', 'ch5']);
    facts.length = 0;
    await stopSupervisor(sup);
    expect(facts.flatMap((f) => (f.type === 'sup.child.exited' ? [f.child] : []))).toEqual(['ch5', 'ch2', 'ch10', 'ch3', 'ch7']);
  });

  it('rest_for_one_other_child_fails_restart: only the failed child and those after it are retried', async () => {
    const { kids, specs } = scripted(3);
    const { sup } = await start({ id: 'root', strategy: 'rest_for_one', intensity: 10, periodMs: 3_600_000, children: specs });
    kids[2]!.failStarts(1);
    kids[1]!.crash();
    await flush(6);
    expect(stateOf(sup)).toBe('running');
    expect(kids.map((k) => k.handovers.length)).toEqual([1, 2, 3]);
  });

  it('rest_for_one_escalation: a restart that keeps failing ends the supervisor', async () => {
    const { kids, specs } = scripted(3);
    const { sup } = await start({ id: 'root', strategy: 'rest_for_one', intensity: 1, periodMs: 3_600_000, children: specs });
    kids[1]!.failStarts('always');
    kids[0]!.crash();
    await flush(6);
    expect(sup.getSnapshot().output).toEqual({ reason: 'shutdown', detail: 'reached_max_restart_intensity' });
  });
});
