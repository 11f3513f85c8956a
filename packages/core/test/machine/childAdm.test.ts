// OTP supervisor_SUITE §3.4 child_adm, §3.9 restart loops and bookkeeping (OTP-SEMANTICS §1.7, §1.8, §5 points 4, 8, 9).
import { describe, expect, it } from 'vitest';
import {
  ChildAlreadyPresentError,
  ChildAlreadyStartedError,
  ChildNotFoundError,
  ChildRestartingError,
  ChildRunningError,
  countChildren,
  deleteChild,
  getChildSpec,
  restartChild,
  startChild,
  stopSupervisor,
  SupervisorNotRunningError,
  terminateChild,
  whichChildren,
} from '@trellis/core';
import { scriptedChild } from '@trellis/core/testing';
import { flush, rows, scripted, start, stateOf } from '../helpers.js';

describe('child administration', () => {
  it('child_adm: the one_for_one API matrix', async () => {
    const child1 = scriptedChild();
    const { sup } = await start({ id: 'root', children: [{ id: 'child1', start: child1 }] });
    expect(countChildren(sup)).toEqual({ specs: 1, active: 1, supervisors: 0, workers: 1 });
    await expect(startChild(sup, { id: 'child1', start: child1 })).rejects.toBeInstanceOf(ChildAlreadyStartedError);
    await expect(terminateChild(sup, 'hej')).rejects.toBeInstanceOf(ChildNotFoundError);
    await expect(restartChild(sup, 'child1')).rejects.toBeInstanceOf(ChildRunningError);
    await expect(deleteChild(sup, 'child1')).rejects.toBeInstanceOf(ChildRunningError);
    await terminateChild(sup, 'child1');
    await terminateChild(sup, 'child1'); // idempotent
    expect(countChildren(sup)).toEqual({ specs: 1, active: 0, supervisors: 0, workers: 1 });
    await expect(startChild(sup, { id: 'child1', start: child1 })).rejects.toBeInstanceOf(ChildAlreadyPresentError);
    const info = await restartChild(sup, 'child1');
    expect(info).toMatchObject({ id: 'child1', status: 'running', incarnation: 1, restarts: 0 });
    await expect(restartChild(sup, 'nope')).rejects.toBeInstanceOf(ChildNotFoundError);
    await terminateChild(sup, 'child1');
    await deleteChild(sup, 'child1');
    await expect(deleteChild(sup, 'child1')).rejects.toBeInstanceOf(ChildNotFoundError);
    expect(countChildren(sup)).toEqual({ specs: 0, active: 0, supervisors: 0, workers: 0 });
    expect(() => getChildSpec(sup, 'child1')).toThrow(ChildNotFoundError);
  });

  it('terminate_child_permanent_stays_down: a terminated permanent child is not restarted', async () => {
    const { specs } = scripted(1);
    const { sup } = await start({ id: 'root', children: specs });
    await terminateChild(sup, 'c1');
    await flush();
    expect(rows(sup)).toEqual([['c1', 'stopped', 0]]);
    expect(whichChildren(sup)[0]?.lastExit?.reason).toBe('shutdown');
  });

  it('which_children_order: newest first, startChild appends', async () => {
    const { specs } = scripted(2);
    const { sup } = await start({ id: 'root', children: specs });
    await startChild(sup, { id: 'c', start: scriptedChild() });
    expect(whichChildren(sup).map((c) => c.id)).toEqual(['c', 'c2', 'c1']);
  });

  it('sup_start_map: getChildSpec returns the full spec with defaults filled', async () => {
    const kid = scriptedChild();
    const { sup } = await start({ id: 'root', children: [{ id: 'w', start: kid }] });
    expect(getChildSpec(sup, 'w')).toMatchObject({ id: 'w', restart: 'permanent', shutdown: 5000, type: 'worker', significant: false });
  });

  it('hanging_restart_loop: a child in a failing restart loop is restarting, and terminateChild ends the loop', async () => {
    const kid = scriptedChild();
    const { sup, facts } = await start({ id: 'root', intensity: 1_000_000, periodMs: 1, children: [{ id: 'child1', start: kid }] });
    kid.failStarts('always');
    kid.crash();
    await flush(); // the loop retries through the mailbox; the event loop keeps turning
    expect(whichChildren(sup)[0]?.status).toBe('restarting');
    expect(stateOf(sup)).toBe('restarting');
    expect(countChildren(sup)).toEqual({ specs: 1, active: 0, supervisors: 0, workers: 1 });
    await expect(startChild(sup, { id: 'child1', start: kid })).rejects.toBeInstanceOf(ChildAlreadyPresentError);
    await expect(restartChild(sup, 'child1')).rejects.toBeInstanceOf(ChildRestartingError);
    await expect(deleteChild(sup, 'child1')).rejects.toBeInstanceOf(ChildRestartingError);
    await terminateChild(sup, 'child1');
    const attempts = kid.handovers.length;
    await flush();
    expect(kid.handovers.length).toBe(attempts); // the loop is over
    expect(rows(sup)).toEqual([['child1', 'stopped', attempts - 1]]);
    expect(stateOf(sup)).toBe('running');
    kid.failStarts(0);
    await restartChild(sup, 'child1');
    expect(whichChildren(sup)[0]?.status).toBe('running');
    expect(facts.some((f) => f.type === 'sup.child.restarting')).toBe(true);
  });

  it('hanging_restart_loop: the supervisor can be shut down in the middle of the loop', async () => {
    const kid = scriptedChild();
    const { sup } = await start({ id: 'root', intensity: 1_000_000, periodMs: 1, children: [{ id: 'child1', start: kid }] });
    kid.failStarts('always');
    kid.crash();
    await flush();
    expect(await stopSupervisor(sup)).toEqual({ reason: 'normal' });
  });

  it('hanging_restart_loop_rest_for_one: the children after a restarting child stay stopped until it recovers', async () => {
    const { kids, specs } = scripted(3);
    const { sup } = await start({ id: 'root', strategy: 'rest_for_one', intensity: 1_000_000, periodMs: 1, children: specs });
    kids[1]!.failStarts('always');
    kids[1]!.crash();
    await flush();
    expect(whichChildren(sup).map((c) => [c.id, c.status])).toEqual([
      ['c3', 'stopped'],
      ['c2', 'restarting'],
      ['c1', 'running'],
    ]);
    expect(countChildren(sup)).toEqual({ specs: 3, active: 1, supervisors: 0, workers: 3 });
    kids[1]!.failStarts(0);
    await flush(4);
    expect(whichChildren(sup).map((c) => c.status)).toEqual(['running', 'running', 'running']);
  });

  it('count_restarting_children: a restarting child is counted by type but not as active', async () => {
    const { kids, specs } = scripted(3);
    const { sup } = await start({ id: 'root', intensity: 1_000_000, periodMs: 1, children: specs });
    kids[0]!.failStarts('always');
    kids[1]!.failStarts('always');
    kids[0]!.crash();
    kids[1]!.crash();
    await flush();
    expect(countChildren(sup)).toEqual({ specs: 3, active: 1, supervisors: 0, workers: 3 });
    kids[0]!.failStarts(0);
    kids[1]!.failStarts(0);
    await flush(4);
    expect(countChildren(sup)).toEqual({ specs: 3, active: 3, supervisors: 0, workers: 3 });
  });

  it.each(['one_for_one', 'one_for_all', 'rest_for_one'] as const)(
    'do_not_save_child_specs_for_temporary_children (%s): permanent and transient specs stay, temporary ones go',
    async (strategy) => {
      const perm = scriptedChild();
      const trans = scriptedChild();
      const temp = scriptedChild();
      const { sup } = await start({
        id: 'root',
        strategy,
        intensity: 100,
        children: [
          { id: 'perm', start: perm },
          { id: 'trans', start: trans, restart: 'transient' },
          { id: 'temp', start: temp, restart: 'temporary' },
        ],
      });
      await terminateChild(sup, 'perm');
      await terminateChild(sup, 'trans');
      await terminateChild(sup, 'temp');
      expect(whichChildren(sup).map((c) => c.id)).toEqual(['trans', 'perm']);
      await expect(startChild(sup, { id: 'perm', start: perm })).rejects.toBeInstanceOf(ChildAlreadyPresentError);
      await expect(startChild(sup, { id: 'trans', start: trans })).rejects.toBeInstanceOf(ChildAlreadyPresentError);
      await startChild(sup, { id: 'temp', start: temp, restart: 'temporary' });
      temp.crash();
      await flush();
      expect(whichChildren(sup).map((c) => c.id)).toEqual(['trans', 'perm']);
    },
  );

  it('every command on an ended supervisor rejects with not_running and never hangs', async () => {
    const { specs } = scripted(1);
    const { sup } = await start({ id: 'root', children: specs });
    await stopSupervisor(sup);
    await expect(startChild(sup, { id: 'x', start: scriptedChild() })).rejects.toBeInstanceOf(SupervisorNotRunningError);
    await expect(terminateChild(sup, 'c1')).rejects.toBeInstanceOf(SupervisorNotRunningError);
    await expect(restartChild(sup, 'c1')).rejects.toBeInstanceOf(SupervisorNotRunningError);
    await expect(deleteChild(sup, 'c1')).rejects.toBeInstanceOf(SupervisorNotRunningError);
    expect(() => whichChildren(sup)).toThrow(SupervisorNotRunningError);
    expect(() => countChildren(sup)).toThrow(SupervisorNotRunningError);
    expect(() => getChildSpec(sup, 'c1')).toThrow(SupervisorNotRunningError);
  });

  it('a command sent while the supervisor is shutting down rejects with not_running', async () => {
    const slow = scriptedChild({ ignoreStop: true });
    const { sup, clock } = await start({ id: 'root', children: [{ id: 'slow', start: slow, shutdown: 100 }] });
    const stopping = stopSupervisor(sup);
    await flush();
    await expect(startChild(sup, { id: 'x', start: scriptedChild() })).rejects.toBeInstanceOf(SupervisorNotRunningError);
    clock.advance(100);
    await stopping;
  });

  it('startChild rejects a bad spec with the field named, and the tree is unchanged', async () => {
    const { sup } = await start({ id: 'root', children: [] });
    await expect(startChild(sup, { id: 'x', start: scriptedChild(), shutdown: -10 })).rejects.toMatchObject({ code: 'invalid_child_spec', field: 'shutdown' });
    expect(whichChildren(sup)).toEqual([]);
  });

  it('queues commands that arrive while a group restart waits, and serves them in order afterwards', async () => {
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
    fast.crash();
    await flush();
    expect(stateOf(sup)).toBe('restarting'); // waiting for `slow` to stop
    const added = startChild(sup, { id: 'late', start: scriptedChild() });
    let done = false;
    void added.then(() => (done = true));
    await flush();
    expect(done).toBe(false);
    clock.advance(100);
    await added;
    expect(whichChildren(sup).map((c) => [c.id, c.status])).toEqual([
      ['late', 'running'],
      ['fast', 'running'],
      ['slow', 'running'],
    ]);
    expect(stateOf(sup)).toBe('running');
  });
});
