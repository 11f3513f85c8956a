// OTP simple_one_for_one and Elixir DynamicSupervisor (OTP-SEMANTICS §1.2, §2, §3.5, §3.9).
import { describe, expect, it } from 'vitest';
import {
  countChildren,
  defineDynamicSupervisor,
  deleteChild,
  DynamicSupervisorError,
  MaxChildrenError,
  restartChild,
  startChild,
  startSupervisor,
  stopSupervisor,
  terminateChild,
  whichChildren,
  type DynamicSupervisorConfig,
} from '@trellis/core';
import { createTestClock, scriptedChild } from '@trellis/core/testing';
import { flush } from '../helpers.js';

async function dyn(config: DynamicSupervisorConfig) {
  const clock = createTestClock(1_000);
  const sup = await startSupervisor(defineDynamicSupervisor(config), { clock });
  return { sup, clock };
}

describe('dynamic supervisor', () => {
  it('starts no child at init, then children from the template with merged input and generated ids', async () => {
    const seen: unknown[] = [];
    const { fromWorker } = await import('@trellis/core');
    const conn = fromWorker(({ input, handover, signal }) => {
      seen.push([input, handover.resumeId]);
      return new Promise((r) => signal.addEventListener('abort', r));
    });
    const { sup } = await dyn({ id: 'conns', child: { id: 'conn', start: conn, input: { port: 5432, host: 'default' } } });
    expect(whichChildren(sup)).toEqual([]);
    await startChild(sup, { input: { host: 'a' } });
    await startChild(sup, {});
    expect(seen).toEqual([
      [{ port: 5432, host: 'a' }, 'conns/conn-1'],
      [{ port: 5432, host: 'default' }, 'conns/conn-2'],
    ]);
    expect(whichChildren(sup).map((c) => c.id)).toEqual(['conn-2', 'conn-1']);
  });

  it('simple_one_for_one: a crashed child alone is restarted; the intensity limit ends the supervisor', async () => {
    const kid = scriptedChild();
    const { sup } = await dyn({ id: 'd', intensity: 2, periodMs: 60_000, child: { id: 'w', start: kid } });
    await startChild(sup, {});
    await startChild(sup, {});
    expect(countChildren(sup)).toEqual({ specs: 1, active: 2, supervisors: 0, workers: 2 });
    const before = whichChildren(sup).map((c) => c.ref?.id);
    // Both children share the scripted logic; crash() hits the most recent incarnation (w-2).
    kid.crash();
    await flush();
    const after = whichChildren(sup).map((c) => c.ref?.id);
    expect(after[1]).toBe(before[1]); // w-1 untouched
    expect(after[0]).not.toBe(before[0]);
    kid.crash();
    await flush();
    kid.crash();
    await flush();
    expect(sup.getSnapshot().output).toEqual({ reason: 'shutdown', detail: 'reached_max_restart_intensity' });
  });

  it('child_adm_simple: restartChild and deleteChild reject with simple_one_for_one; terminateChild removes the child', async () => {
    const { sup } = await dyn({ id: 'd', child: { id: 'w', start: scriptedChild() } });
    const info = await startChild(sup, {});
    // @ts-expect-error — a DynamicSupervisorRef does not compile here (issue 13); the run-time answer is still checked
    await expect(restartChild(sup, info.id)).rejects.toBeInstanceOf(DynamicSupervisorError);
    // @ts-expect-error — as above
    await expect(deleteChild(sup, info.id)).rejects.toMatchObject({ code: 'simple_one_for_one' });
    await terminateChild(sup, info.id);
    expect(whichChildren(sup)).toEqual([]);
    await expect(terminateChild(sup, info.id)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('removes a transient child that exits cleanly and any temporary child (no spec kept)', async () => {
    const t = scriptedChild();
    const { sup } = await dyn({ id: 'd', child: { id: 'w', start: t, restart: 'transient' } });
    await startChild(sup, {});
    t.exitNormal();
    await flush();
    expect(countChildren(sup)).toEqual({ specs: 1, active: 0, supervisors: 0, workers: 0 });
  });

  it('max_children: a full supervisor rejects startChild; children that are restarting count', async () => {
    const kid = scriptedChild();
    const { sup } = await dyn({ id: 'd', maxChildren: 2, intensity: 1_000_000, periodMs: 1, child: { id: 'w', start: kid } });
    await startChild(sup, {});
    await startChild(sup, {});
    await expect(startChild(sup, {})).rejects.toBeInstanceOf(MaxChildrenError);
    kid.failStarts('always');
    kid.crash();
    await flush();
    expect(whichChildren(sup).some((c) => c.status === 'restarting')).toBe(true);
    await expect(startChild(sup, {})).rejects.toMatchObject({ code: 'max_children' });
  });

  it('hanging_restart_loop_simple: terminateChild ends a restart loop and removes the child', async () => {
    const kid = scriptedChild();
    const { sup } = await dyn({ id: 'd', intensity: 1_000_000, periodMs: 1, child: { id: 'w', start: kid } });
    const info = await startChild(sup, {});
    kid.failStarts('always');
    kid.crash();
    await flush();
    expect(whichChildren(sup)[0]?.status).toBe('restarting');
    expect(countChildren(sup)).toEqual({ specs: 1, active: 0, supervisors: 0, workers: 1 });
    await terminateChild(sup, info.id);
    expect(whichChildren(sup)).toEqual([]);
  });

  it('simple_one_for_one_shutdown: children are stopped in parallel, one timer covers shutdown', async () => {
    const fast = scriptedChild();
    const stubborn = scriptedChild({ ignoreStop: true });
    const { sup, clock } = await dyn({ id: 'd', child: { id: 'w', start: fast, shutdown: 2_000 } });
    await startChild(sup, {});
    await startChild(sup, {});
    // A second supervisor whose children ignore the request: killed when the one timer fires.
    const second = await dyn({ id: 'd2', child: { id: 'w', start: stubborn, shutdown: 2_000 } });
    await startChild(second.sup, {});
    await startChild(second.sup, {});
    expect(await stopSupervisor(sup)).toEqual({ reason: 'normal' }); // no timer needed
    const stopping = stopSupervisor(second.sup);
    await flush();
    expect(stubborn.stopRequests).toBe(2); // both asked at once
    second.clock.advance(2_000);
    expect(await stopping).toEqual({ reason: 'normal' });
    expect(second.clock.pending()).toBe(0);
    expect(clock.pending()).toBe(0);
  });

  it('rejects a bad startChild argument, a significant template, and bad maxChildren', async () => {
    const { sup } = await dyn({ id: 'd', child: { id: 'w', start: scriptedChild() } });
    await expect(startChild(sup, { id: 'x', start: scriptedChild() } as never)).rejects.toMatchObject({ code: 'invalid_child_spec', field: 'input' });
    expect(() => defineDynamicSupervisor({ id: 'd', child: { id: 'w', start: scriptedChild(), restart: 'transient', significant: true } })).toThrow(
      expect.objectContaining({ field: 'significant' }) as unknown as Error,
    );
    expect(() => defineDynamicSupervisor({ id: 'd', maxChildren: 0, child: { id: 'w', start: scriptedChild() } })).toThrow(
      expect.objectContaining({ field: 'maxChildren' }) as unknown as Error,
    );
  });
});
