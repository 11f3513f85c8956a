// OTP supervisor_SUITE, group sup_stop (OTP-SEMANTICS §3.3): the simple_one_for_one cases, on a
// dynamic supervisor. Each test is named after its OTP case (docs/guides/otp-suite.md).
import { describe, expect, it } from 'vitest';
import { defineDynamicSupervisor, exit, fromWorker, startChild, startSupervisor, stopSupervisor, type DynamicSupervisorConfig, type SupervisorFact } from '@trellis/core';
import { createTestClock } from '@trellis/core/testing';
import { flush } from '../helpers.js';

async function dynamic(config: DynamicSupervisorConfig) {
  const clock = createTestClock(1_000);
  const facts: SupervisorFact[] = [];
  const sup = await startSupervisor(defineDynamicSupervisor(config), { clock, onGiveUp: () => {} });
  sup.on('*', (fact) => facts.push(fact as SupervisorFact));
  const exits = () => Object.fromEntries(facts.flatMap((f) => (f.type === 'sup.child.exited' ? [[f.child, f.exit.reason]] : [])));
  return { sup, clock, facts, exits };
}

/** A worker whose input says how it answers a stop request, and lets the test end it by hand. */
function controllable() {
  const finishers = new Map<string, (how: 'normal' | 'shutdown' | 'shutdown_detail' | 'crash') => void>();
  const logic = fromWorker<{ busy?: boolean; name?: string }>(({ input, signal }) => {
    return new Promise((resolve, reject) => {
      finishers.set(input.name ?? '', (how) => {
        if (how === 'normal') resolve(undefined);
        else if (how === 'shutdown') resolve(exit.shutdown());
        else if (how === 'shutdown_detail') resolve(exit.shutdown('test'));
        else reject(new Error('other'));
      });
      if (!input.busy) signal.addEventListener('abort', () => resolve(exit.shutdown()));
    });
  });
  return { logic, finish: (name: string, how: Parameters<NonNullable<ReturnType<typeof finishers.get>>>[0]) => finishers.get(name)!(how) };
}

describe('supervisor_SUITE sup_stop, simple_one_for_one', () => {
  it('sup_stop_timeout_dynamic: a busy dynamic child is killed after its shutdown time, a cooperative one exits shutdown', async () => {
    const { logic } = controllable();
    const { sup, clock, facts, exits } = await dynamic({ id: 'd', child: { id: 'w', start: logic, shutdown: 1_000 } });
    await startChild(sup, { input: { busy: false } });
    await startChild(sup, { input: { busy: true } });
    const stopped = stopSupervisor(sup, 'shutdown');
    await flush();
    expect(sup.getSnapshot().value).toBe('shuttingDown');
    clock.advance(999);
    await flush();
    expect(sup.getSnapshot().value).toBe('shuttingDown');
    clock.advance(1);
    expect(await stopped).toEqual({ reason: 'shutdown' });
    expect(exits()).toEqual({ 'w-1': 'shutdown', 'w-2': 'killed' });
    expect(facts.some((f) => f.type === 'sup.shutdown.timedOut' && f.child === 'w-2' && f.shutdownMs === 1_000)).toBe(true);
    expect(clock.pending()).toBe(0);
  });

  it('sup_stop_brutal_kill_dynamic: every brutal_kill dynamic child exits killed, at once', async () => {
    const { logic } = controllable();
    const { sup, clock, exits } = await dynamic({ id: 'd', child: { id: 'w', start: logic, shutdown: 'brutal_kill' } });
    for (let i = 0; i < 10; i++) await startChild(sup, { input: { busy: i % 2 === 0 } });
    // No clock advance: nothing waits for a brutal_kill child.
    expect(await stopSupervisor(sup, 'shutdown')).toEqual({ reason: 'shutdown' });
    const reasons = exits();
    expect(Object.keys(reasons)).toHaveLength(10);
    expect(new Set(Object.values(reasons))).toEqual(new Set(['killed']));
    expect(clock.pending()).toBe(0);
  });

  it.each(['permanent', 'transient', 'temporary'] as const)(
    'sup_stop_non_shutdown_exit_dynamic (%s): dynamic children ending by themselves during the shutdown do not break it; none is restarted',
    async (restart) => {
      const { logic, finish } = controllable();
      const { sup, clock, facts } = await dynamic({ id: 'd', intensity: 10, child: { id: 'w', start: logic, restart, shutdown: 500 } });
      // Children that ignore the stop request, so they are still running when each ends by itself.
      for (const name of ['normal', 'shutdown', 'shutdown_detail', 'crash', 'slow']) await startChild(sup, { input: { busy: true, name } });
      const stopped = stopSupervisor(sup, 'shutdown');
      await flush();
      expect(sup.getSnapshot().value).toBe('shuttingDown');
      finish('normal', 'normal');
      finish('shutdown', 'shutdown');
      finish('shutdown_detail', 'shutdown_detail');
      finish('crash', 'crash');
      await flush();
      expect(sup.getSnapshot().value).toBe('shuttingDown'); // still waiting for `slow`
      clock.advance(500);
      expect(await stopped).toEqual({ reason: 'shutdown' });
      const exited = facts.flatMap((f) => (f.type === 'sup.child.exited' ? [f] : []));
      expect(exited.map((f) => f.child).sort()).toEqual(['w-1', 'w-2', 'w-3', 'w-4', 'w-5']);
      // A dynamic shutdown asks every child at once, so each of them ended after it was asked:
      // recorded as stopped (decision 0003 point 8; OTP keeps each own reason), the crash kept in
      // the detail; `slow` ran out its shutdown time.
      const byChild = Object.fromEntries(exited.map((f) => [f.child, f.exit]));
      expect(byChild['w-5']?.reason).toBe('killed');
      for (const id of ['w-1', 'w-2', 'w-3']) expect(byChild[id]?.reason).toBe('shutdown');
      expect(byChild['w-4']).toMatchObject({ reason: 'shutdown', detail: { error: { message: 'other' } } });
      expect(facts.some((f) => f.type === 'sup.child.started' && f.cause === 'restart')).toBe(false); // nothing restarted
      expect(clock.pending()).toBe(0);
    },
  );
});
