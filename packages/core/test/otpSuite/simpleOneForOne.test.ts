// OTP supervisor_SUITE simple_one_for_one cases (OTP-SEMANTICS §3.5, §3.8, §3.9, §3.11) that no
// older test covered, on a dynamic supervisor. Each test is named after its OTP case
// (docs/guides/otp-suite.md).
import { describe, expect, it } from 'vitest';
import {
  countChildren,
  defineDynamicSupervisor,
  defineSupervisor,
  fromWorker,
  getChildSpec,
  startChild,
  startSupervisor,
  terminateChild,
  whichChildren,
  type DynamicSupervisorConfig,
} from '@trellis/core';
import { createTestClock, scriptedChild } from '@trellis/core/testing';
import { flush } from '../helpers.js';

async function dynamic(config: DynamicSupervisorConfig) {
  const clock = createTestClock(1_000);
  const sup = await startSupervisor(defineDynamicSupervisor(config), { clock, onGiveUp: () => {} });
  return { sup, clock };
}

/** Workers that each crash when the test says so, by index: scriptedChild can only end its newest incarnation. */
function crashable() {
  const crashers: Array<() => void> = [];
  const logic = fromWorker(
    ({ signal }) =>
      new Promise((resolve, reject) => {
        crashers.push(() => reject(new Error('killed by the test')));
        signal.addEventListener('abort', () => resolve(undefined));
      }),
  );
  return { logic, crashAll: () => crashers.splice(0).forEach((crash) => crash()) };
}

describe('supervisor_SUITE simple_one_for_one', () => {
  it('simple_one_for_one_extra: startChild resolves with the child; a crashed child is restarted alone; the intensity limit still applies', async () => {
    const kid = scriptedChild();
    const { sup } = await dynamic({ id: 'd', intensity: 2, periodMs: 60_000, child: { id: 'w', start: kid } });
    const first = await startChild(sup, {});
    const second = await startChild(sup, {});
    expect([first, second]).toMatchObject([
      { id: 'w-1', status: 'running', incarnation: 0 },
      { id: 'w-2', status: 'running', incarnation: 0 },
    ]);
    kid.crash(); // the newest incarnation: w-2
    await flush();
    expect(whichChildren(sup)).toMatchObject([
      { id: 'w-2', status: 'running', incarnation: 1 },
      { id: 'w-1', status: 'running', incarnation: 0, ref: first.ref },
    ]);
    kid.crash();
    await flush();
    kid.crash();
    await flush();
    expect(sup.getSnapshot().output).toEqual({ reason: 'shutdown', detail: 'reached_max_restart_intensity' });
  });

  it('simple_one_for_one_escalation: a dynamic child whose restart keeps failing ends the supervisor and its other child', async () => {
    const kid = scriptedChild();
    const { sup } = await dynamic({ id: 'd', intensity: 4, periodMs: 60_000, child: { id: 'w', start: kid } });
    await startChild(sup, {});
    await startChild(sup, {});
    kid.failStarts('always');
    kid.crash(); // w-2, whose every restart fails
    for (let i = 0; i < 10; i++) await flush();
    expect(sup.getSnapshot().status).toBe('done');
    expect(sup.getSnapshot().output).toEqual({ reason: 'shutdown', detail: 'reached_max_restart_intensity' });
    // 1 start, then 4 failed restarts within intensity 4; the 5th restart is the one too many.
    expect(kid.handovers.filter((h) => h.resumeId === 'd/w-2')).toHaveLength(1 + 4);
    expect(kid.stopRequests).toBe(1); // w-1 was stopped with the supervisor
  });

  it('significant_simple: a dynamic supervisor refuses any_significant and all_significant (bad_combination), accepts never', () => {
    const child = { id: 'w', start: scriptedChild(), restart: 'transient' as const };
    for (const autoShutdown of ['any_significant', 'all_significant'] as const) {
      expect(() => defineDynamicSupervisor({ id: 'd', child, autoShutdown } as never)).toThrow(
        expect.objectContaining({ code: 'invalid_flags', field: 'autoShutdown', value: autoShutdown }) as unknown as Error,
      );
    }
    expect(() => defineDynamicSupervisor({ id: 'd', child, autoShutdown: 'never' } as never)).not.toThrow();
  });

  it('count_children: 1000 then 2000 temporary workers are counted, stably; once they are gone only the template counts', async () => {
    const { logic, crashAll } = crashable();
    const { sup } = await dynamic({ id: 'd', child: { id: 'w', start: logic, restart: 'temporary' } });
    for (let i = 0; i < 1_000; i++) await startChild(sup, {});
    expect(countChildren(sup)).toEqual({ specs: 1, active: 1_000, supervisors: 0, workers: 1_000 });
    for (let i = 0; i < 1_000; i++) await startChild(sup, {});
    expect(countChildren(sup)).toEqual({ specs: 1, active: 2_000, supervisors: 0, workers: 2_000 });
    expect(countChildren(sup)).toEqual({ specs: 1, active: 2_000, supervisors: 0, workers: 2_000 });
    crashAll();
    await flush();
    expect(countChildren(sup)).toEqual({ specs: 1, active: 0, supervisors: 0, workers: 0 });
    expect(whichChildren(sup)).toEqual([]);
  });

  it('count_children_supervisor: dynamic children that are supervisors are counted as supervisors', async () => {
    const { sup } = await dynamic({ id: 'd', child: { id: 's', start: defineSupervisor({ id: 's', children: [] }), restart: 'temporary' } });
    for (let i = 0; i < 1_000; i++) await startChild(sup, {});
    expect(countChildren(sup)).toEqual({ specs: 1, active: 1_000, supervisors: 1_000, workers: 0 });
    expect(countChildren(sup)).toEqual({ specs: 1, active: 1_000, supervisors: 1_000, workers: 0 });
    for (const child of whichChildren(sup)) await terminateChild(sup, child.id);
    expect(countChildren(sup)).toEqual({ specs: 1, active: 0, supervisors: 0, workers: 0 });
  });

  it('which_children_simple_one_for_one: a dynamic child is listed until it is terminated, then neither listed nor found', async () => {
    const { sup } = await dynamic({ id: 'd', child: { id: 'w', start: scriptedChild() } });
    const one = await startChild(sup, {});
    const two = await startChild(sup, {});
    // which_child(Sup, Pid): trellis addresses dynamic children by their generated id.
    const whichChild = (id: string) => whichChildren(sup).find((c) => c.id === id);
    expect(whichChildren(sup).map((c) => [c.id, c.status, c.type])).toEqual([
      ['w-2', 'running', 'worker'],
      ['w-1', 'running', 'worker'],
    ]);
    expect(whichChild(one.id)?.ref).toBe(one.ref);
    await terminateChild(sup, one.id);
    expect(whichChild(one.id)).toBeUndefined();
    expect(() => getChildSpec(sup, one.id)).toThrow(expect.objectContaining({ code: 'not_found' }) as unknown as Error);
    expect(whichChild(two.id)?.status).toBe('running');
  });
});
