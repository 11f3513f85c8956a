// OTP supervisor_SUITE §3.6: termination by restart type × exit reason (OTP-SEMANTICS §1.4).
import { describe, expect, it } from 'vitest';
import { countChildren, restartChild, startChild, type RestartType } from '@trellis/core';
import { scriptedChild, type ScriptedChild } from '@trellis/core/testing';
import { flush, rows, start } from '../helpers.js';

type How = 'normal' | 'shutdown' | 'shutdown_detail' | 'abnormal';
const finish = (kid: ScriptedChild, how: How) => {
  if (how === 'normal') kid.exitNormal();
  else if (how === 'shutdown') kid.exitShutdown();
  else if (how === 'shutdown_detail') kid.exitShutdown('some_info');
  else kid.crash(new Error('abnormal'));
};

async function one(restart: RestartType) {
  const kid = scriptedChild();
  const { sup } = await start({ id: 'root', intensity: 10, children: [{ id: 'child1', start: kid, restart }] });
  return { sup, kid };
}

describe('termination by restart type', () => {
  it.each<[string, How]>([
    ['permanent_normal', 'normal'],
    ['permanent_shutdown', 'shutdown'],
    ['permanent_shutdown (with detail)', 'shutdown_detail'],
    ['permanent_abnormal', 'abnormal'],
  ])('%s: a permanent child is restarted', async (_name, how) => {
    const { sup, kid } = await one('permanent');
    finish(kid, how);
    await flush();
    expect(rows(sup)).toEqual([['child1', 'running', 1]]);
    expect(countChildren(sup)).toEqual({ specs: 1, active: 1, supervisors: 0, workers: 1 });
  });

  it.each<[string, How]>([
    ['transient_normal', 'normal'],
    ['transient_shutdown', 'shutdown'],
    ['transient_shutdown (with detail)', 'shutdown_detail'],
  ])('%s: a transient child exiting cleanly is not restarted and its spec is kept', async (_name, how) => {
    const { sup, kid } = await one('transient');
    finish(kid, how);
    await flush();
    expect(rows(sup)).toEqual([['child1', 'stopped', 0]]);
    expect(countChildren(sup)).toEqual({ specs: 1, active: 0, supervisors: 0, workers: 1 });
    // transient_shutdown: restart_child works in between.
    await restartChild(sup, 'child1');
    expect(rows(sup)).toEqual([['child1', 'running', 1]]);
  });

  it('transient_abnormal: a transient child that crashes is restarted', async () => {
    const { sup, kid } = await one('transient');
    kid.crash();
    await flush();
    expect(rows(sup)).toEqual([['child1', 'running', 1]]);
  });

  it('nonsignificant_transient: a transient child that was killed is restarted (killed is abnormal)', async () => {
    const { decideRestart } = await import('@trellis/core');
    expect(decideRestart('transient', 'killed')).toBe('restart');
    expect(decideRestart('transient', 'timeout')).toBe('restart');
  });

  it.each<[string, How]>([
    ['temporary_normal', 'normal'],
    ['temporary_shutdown', 'shutdown'],
    ['temporary_abnormal', 'abnormal'],
  ])('%s: a temporary child is removed whatever the reason', async (_name, how) => {
    const { sup, kid } = await one('temporary');
    finish(kid, how);
    await flush();
    expect(rows(sup)).toEqual([]);
    expect(countChildren(sup)).toEqual({ specs: 0, active: 0, supervisors: 0, workers: 0 });
  });

  it('temporary_shutdown: the same spec can be started again after a temporary child is removed', async () => {
    const { sup, kid } = await one('temporary');
    kid.exitShutdown();
    await flush();
    await startChild(sup, { id: 'child1', start: kid, restart: 'temporary' });
    expect(rows(sup)).toEqual([['child1', 'running', 0]]);
  });
});
