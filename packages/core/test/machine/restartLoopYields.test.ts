// Decision 0025: a restart loop must not starve the event loop. A child that crashes as soon as it
// starts restarts in one microtask chain; after 256 restarts without an event-loop turn, the
// supervisor waits one turn (`sup.turn`). On the test clock: what the supervisor shows while it
// waits, that events which arrive meanwhile keep their order, and that only the count triggers it.
import { describe, expect, it } from 'vitest';
import type { InspectionEvent } from 'xstate';
import { countChildren, defineSupervisor, fromWorker, startChild, startSupervisor, stopSupervisor, whichChildren, type SupervisorFact, type SupervisorRef } from '@trellis/core';
import { createTestClock, scriptedChild, settle } from '@trellis/core/testing';

/**
 * A worker that throws as soon as it starts (before any I/O: its end is a microtask away) for its
 * first `crashes` starts, then idles until stopped. `spinMs` of real time is burnt in each start.
 */
function crashingChild(crashes: number, spinMs = 0) {
  let starts = 0;
  const logic = fromWorker(async ({ signal }) => {
    starts++;
    if (spinMs > 0) {
      const until = performance.now() + spinMs;
      while (performance.now() < until) {
        // burn real time: a wall-time trigger would fire here
      }
    }
    if (starts <= crashes) throw new Error(`flap ${starts}`);
    await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
  });
  return { logic, starts: () => starts };
}

const statusOf = (sup: SupervisorRef, id: string) => whichChildren(sup).find((c) => c.id === id);

/** Spins on microtasks (no event-loop turn) until `done()`, at most `max` times. */
async function spinUntil(done: () => boolean, max = 1_000_000): Promise<void> {
  for (let i = 0; !done(); i++) {
    if (i >= max) throw new Error('condition not reached while spinning on microtasks');
    await Promise.resolve();
  }
}

function turnEvents(inspected: InspectionEvent[], sup: SupervisorRef): number {
  return inspected.filter((e) => e.type === '@xstate.event' && e.actorRef === sup && e.event.type === 'sup.turn').length;
}

describe('a restart loop waits one event-loop turn every 256 restarts', () => {
  it('after 256 restarts without a turn, the 257th waits; meanwhile the child shows as restarting, the supervisor as restarting', async () => {
    const clock = createTestClock(1_000);
    const looper = crashingChild(10_000);
    const other = scriptedChild();
    const sup = await startSupervisor(
      defineSupervisor({ id: 'root', intensity: 1e9, periodMs: 1, children: [{ id: 'other', start: other }, { id: 'looper', start: looper.logic }] }),
      { clock },
    );
    await spinUntil(() => statusOf(sup, 'looper')?.status === 'restarting');
    // The first start and 256 restarts crashed; the 257th restart waits for the turn.
    expect(looper.starts()).toBe(257);
    const info = statusOf(sup, 'looper');
    expect(info).toMatchObject({ status: 'restarting', restarts: 256, incarnation: 256 });
    expect(info?.ref).toBeUndefined();
    expect(countChildren(sup)).toEqual({ specs: 2, active: 1, supervisors: 0, workers: 2 });
    expect(sup.getSnapshot().value).toBe('restarting');
    // It stays so, however long the microtasks go on: only a turn ends the wait.
    for (let i = 0; i < 1_000; i++) await Promise.resolve();
    expect(looper.starts()).toBe(257);
    expect(statusOf(sup, 'looper')?.status).toBe('restarting');

    await settle(); // one turn
    expect(looper.starts()).toBeGreaterThan(257);
    expect(clock.now()).toBe(1_000); // no clock time is waited for
    await stopSupervisor(sup);
  });

  it('events that arrive while the restart waits are handled after it, in the order they came', async () => {
    const clock = createTestClock();
    const looper = crashingChild(257); // the restart that waits is its last: the next incarnation stays up
    const other = scriptedChild();
    const idle = scriptedChild();
    const sup = await startSupervisor(
      defineSupervisor({ id: 'root', intensity: 1e9, periodMs: 1, children: [{ id: 'other', start: other }, { id: 'looper', start: looper.logic }] }),
      { clock },
    );
    await spinUntil(() => statusOf(sup, 'looper')?.status === 'restarting');
    const facts: string[] = [];
    sup.on('*', (fact: SupervisorFact) => {
      if (fact.type === 'sup.child.started') facts.push(`started ${fact.child} (${fact.cause})`);
      if (fact.type === 'sup.child.exited') facts.push(`exited ${fact.child}`);
    });
    // Sent during the wait: a command, a sibling's crash, another command.
    const a = startChild(sup, { id: 'a', start: idle });
    other.crash(new Error('sibling'));
    for (let i = 0; i < 100; i++) await Promise.resolve(); // its end reaches the supervisor's mailbox
    const b = startChild(sup, { id: 'b', start: idle });
    for (let i = 0; i < 100; i++) await Promise.resolve();
    expect(facts).toEqual([]); // nothing is handled before the turn

    await Promise.all([a, b]);
    await settle();
    expect(facts).toEqual(['started looper (restart)', 'started a (manual)', 'exited other', 'started other (restart)', 'started b (manual)']);
    expect(statusOf(sup, 'looper')).toMatchObject({ status: 'running', restarts: 257 });
    expect(countChildren(sup).active).toBe(4);
    await stopSupervisor(sup);
  });

  it('waits once per 256 restarts, and never for a loop that turns by itself', async () => {
    const inspected: InspectionEvent[] = [];
    const tight = crashingChild(1_000);
    const sup = await startSupervisor(defineSupervisor({ id: 'tight', intensity: 1e9, periodMs: 1, children: [{ id: 'c', start: tight.logic }] }), {
      clock: createTestClock(),
      inspect: (event) => inspected.push(event),
    });
    for (let i = 0; i < 20 && tight.starts() <= 1_000; i++) await settle(); // a turn ends each wait
    expect(statusOf(sup, 'c')).toMatchObject({ status: 'running', restarts: 1_000 });
    // 1,000 restarts: the 257th, 513th and 769th waited (each the first of a new turn's 256).
    expect(turnEvents(inspected, sup)).toBe(3);
    await stopSupervisor(sup);

    // A child that crashes after one turn of its own: its restarts never pile up without a turn.
    inspected.length = 0;
    let starts = 0;
    const afterIo = fromWorker(async () => {
      starts++;
      await new Promise((resolve) => setImmediate(resolve));
      if (starts <= 600) throw new Error('flap after io');
      await new Promise(() => {});
    });
    const sup2 = await startSupervisor(defineSupervisor({ id: 'turning', intensity: 1e9, periodMs: 1, children: [{ id: 'c', start: afterIo, shutdown: 'brutal_kill' }] }), {
      clock: createTestClock(),
      inspect: (event) => inspected.push(event),
    });
    for (let i = 0; i < 5_000 && starts <= 600; i++) await settle();
    expect(statusOf(sup2, 'c')?.restarts).toBe(600);
    expect(turnEvents(inspected, sup2)).toBe(0);
    await stopSupervisor(sup2);
  });

  it('is triggered by the count of restarts only, never by the time they take', async () => {
    const inspected: InspectionEvent[] = [];
    // 255 restarts of 0.2 ms each (over 50 ms of real time in one microtask chain): under the
    // count, so no wait, however long it took.
    const slow = crashingChild(255, 0.2);
    const sup = await startSupervisor(defineSupervisor({ id: 'slow', intensity: 1e9, periodMs: 1, children: [{ id: 'c', start: slow.logic }] }), {
      clock: createTestClock(),
      inspect: (event) => inspected.push(event),
    });
    await spinUntil(() => slow.starts() > 255);
    expect(statusOf(sup, 'c')).toMatchObject({ status: 'running', restarts: 255 });
    await settle();
    expect(turnEvents(inspected, sup)).toBe(0);
    await stopSupervisor(sup);
  });
});
