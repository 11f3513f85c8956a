import { EventEmitter } from 'node:events';
import { defineSupervisor, fromWorker, startSupervisor, stopOnSignals, SupervisorArgumentError, type SignalAction, type StopSignal } from '@trellis/core';
import { createTestClock, settle } from '@trellis/core/testing';
import { describe, expect, it } from 'vitest';

// A worker that stops only when told to, `stopMs` of (test-clock) time after being asked.
// (ctx.sleep wakes at once on abort, so the delay is the test clock's own timer.)
const slowStopper = (clock: ReturnType<typeof createTestClock>, stopMs: number) =>
  fromWorker(async ({ signal }) => {
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
    if (stopMs > 0) await new Promise<void>((resolve) => clock.setTimeout(resolve, stopMs));
  });

async function setup(stopMs = 0) {
  const clock = createTestClock();
  const sup = await startSupervisor(defineSupervisor({ id: 'root', children: [{ id: 'w', start: slowStopper(clock, stopMs), shutdown: 60_000 }] }), { clock });
  const source = new EventEmitter();
  const exits: number[] = [];
  const actions: SignalAction[] = [];
  const send = (signal: StopSignal): void => void source.emit(signal, signal);
  return { clock, sup, source, exits, actions, send, options: { source, clock, exit: (code: number) => void exits.push(code), onSignal: (a: SignalAction) => void actions.push(a) } };
}

describe('stopOnSignals', () => {
  it('starts an ordered stop on the first signal and ignores a launcher\'s paired second one', async () => {
    const t = await setup(500);
    const stop = stopOnSignals(t.sup, t.options);
    let done = false;
    void stop.stopped.then(() => (done = true));
    t.send('SIGINT');
    t.clock.advance(10);
    t.send('SIGTERM'); // pnpm exec: SIGTERM a few ms after the SIGINT
    await settle();
    expect(done).toBe(false); // still stopping: the worker takes 500 ms
    expect(t.sup.getSnapshot().status).toBe('active');
    t.clock.advance(500);
    await settle();
    expect(await stop.stopped).toEqual({ reason: 'shutdown' });
    expect(t.exits).toEqual([]);
    expect(stop.signal).toBe('SIGINT');
    expect(t.actions).toEqual([
      { signal: 'SIGINT', action: 'stop', sinceFirstMs: 0 },
      { signal: 'SIGTERM', action: 'ignore', sinceFirstMs: 10 },
    ]);
    // A paired signal after a quick stop is still ignored, until the program lets go.
    t.send('SIGTERM');
    expect(t.exits).toEqual([]);
    expect(t.actions.at(-1)).toMatchObject({ signal: 'SIGTERM', action: 'ignore' });
    stop.dispose();
    expect(t.source.listenerCount('SIGINT') + t.source.listenerCount('SIGTERM')).toBe(0);
  });

  it('ignores a SIGINT sooner than forceAfterMs, forces exit 130 on one at or after it', async () => {
    const t = await setup(60_000);
    stopOnSignals(t.sup, t.options);
    t.send('SIGTERM');
    t.clock.advance(999);
    t.send('SIGINT');
    expect(t.exits).toEqual([]);
    t.clock.advance(1);
    t.send('SIGINT');
    expect(t.exits).toEqual([130]);
    expect(t.actions.map((a) => a.action)).toEqual(['stop', 'ignore', 'force']);
  });

  it('never forces on SIGTERM, however late', async () => {
    const t = await setup(60_000);
    stopOnSignals(t.sup, t.options);
    t.send('SIGTERM');
    t.clock.advance(30_000);
    t.send('SIGTERM');
    t.send('SIGTERM');
    expect(t.exits).toEqual([]);
    expect(t.actions.map((a) => a.action)).toEqual(['stop', 'ignore', 'ignore']);
  });

  it('with process as the source, holds one beforeExit listener (the exit at the end of a signal\'s stop) until dispose()', async () => {
    const t = await setup();
    const before = process.listenerCount('beforeExit');
    const stop = stopOnSignals(t.sup, { clock: t.clock, exit: (code: number) => void t.exits.push(code) });
    expect(process.listenerCount('beforeExit')).toBe(before + 1);
    // No signal came, so the loop emptying is no reason to exit: the program ends as it would.
    for (const listener of process.listeners('beforeExit').slice(before)) listener(0);
    expect(t.exits).toEqual([]);
    stop.dispose();
    expect(process.listenerCount('beforeExit')).toBe(before);
    stopOnSignals(t.sup, t.options).dispose(); // another source: no listener on process at all
    expect(process.listenerCount('beforeExit')).toBe(before);
  });

  it('takes a promise of the supervisor: a signal during the start stops the tree once it has started', async () => {
    const t = await setup();
    let resolve: (value: typeof t.sup) => void = () => {};
    const stop = stopOnSignals(new Promise<typeof t.sup>((r) => (resolve = r)), t.options);
    t.send('SIGTERM');
    resolve(t.sup);
    expect(await stop.stopped).toEqual({ reason: 'shutdown' });
  });

  it('rejects unknown and invalid options, naming the option', async () => {
    const t = await setup();
    expect(() => stopOnSignals(t.sup, { forceAfterMS: 5 } as never)).toThrow(SupervisorArgumentError);
    expect(() => stopOnSignals(t.sup, { forceAfterMS: 5 } as never)).toThrow(/options\.forceAfterMS is not an option: unknown key 'forceAfterMS' in stopOnSignals options — did you mean 'forceAfterMs'\?/);
    expect(() => stopOnSignals(t.sup, { forceAfterMs: -1 })).toThrow(/options\.forceAfterMs must be a non-negative integer, got -1/);
    expect(() => stopOnSignals(t.sup, { reason: 'kill' as never })).toThrow(/options\.reason must be 'normal' or 'shutdown'/);
    expect(() => stopOnSignals(t.sup, { source: {} as never })).toThrow(/options\.source must have on\(\) and off\(\)/);
    expect(() => stopOnSignals(undefined as never)).toThrow(/sup must be a supervisor or a promise of one/);
    expect(t.source.listenerCount('SIGINT')).toBe(0);
  });
});
