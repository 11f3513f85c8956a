// A child's sub-status (decision 0027): a running child publishes a JSON detail about itself in
// its snapshot, and whichChildren copies it into the child's row, while the supervisor's own
// ChildStatus (running, counted active and ready) is unchanged. On the test clock.
import { describe, expect, it } from 'vitest';
import type { AnyActorLogic } from 'xstate';
import { assign, createMachine } from 'xstate';
import { countChildren, fromWorker, restartChild, stopSupervisor, SupervisorArgumentError, terminateChild, whichChildren, type SubStatus, type WorkerContext } from '@trellis/core';
import { settle, start } from '../helpers.js';

/** A worker that runs until asked to stop, and hands its context to the test. */
function held() {
  const contexts: WorkerContext[] = [];
  const logic = fromWorker((ctx) => {
    contexts.push(ctx);
    return new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
  });
  return { logic, current: () => contexts[contexts.length - 1]!, contexts };
}

describe('sub-status', () => {
  it('a worker publishes states on the test clock; the row shows each, and the child stays running', async () => {
    const plan = fromWorker(async ({ setSubStatus, sleep, signal }) => {
      setSubStatus({ state: 'standby', lease: 'jobs', heldBy: 'host-a', epoch: null });
      await sleep(1_000);
      setSubStatus({ state: 'active', lease: 'jobs', heldBy: null, epoch: 3 });
      await sleep(1_000);
      setSubStatus(undefined);
      await new Promise((resolve) => signal.addEventListener('abort', resolve));
    });
    const { sup, clock } = await start({ id: 'root', children: [{ id: 'plain', start: held().logic }, { id: 'job', start: plan }] });
    await settle();
    const row = () => whichChildren(sup).find((c) => c.id === 'job')!;
    expect(row().subStatus).toEqual({ state: 'standby', lease: 'jobs', heldBy: 'host-a', epoch: null });
    expect(row().status).toBe('running');
    expect(countChildren(sup).active).toBe(2);
    expect(whichChildren(sup).find((c) => c.id === 'plain')).not.toHaveProperty('subStatus');
    clock.advance(999);
    await settle();
    expect(row().subStatus?.state).toBe('standby');
    clock.advance(1);
    await settle();
    expect(row().subStatus).toEqual({ state: 'active', lease: 'jobs', heldBy: null, epoch: 3 });
    clock.advance(1_000);
    await settle();
    expect(row()).not.toHaveProperty('subStatus'); // cleared
    expect(row().status).toBe('running');
    await stopSupervisor(sup);
  });

  it('is copied when published, and a new incarnation starts without one; a stopped child has none', async () => {
    const worker = held();
    const { sup } = await start({ id: 'root', children: [{ id: 'w', start: worker.logic }] });
    await settle();
    const status: { state: string; count: number } = { state: 'busy', count: 1 };
    worker.current().setSubStatus(status);
    status.count = 2; // the caller's object is not the published one
    expect(whichChildren(sup)[0]?.subStatus).toEqual({ state: 'busy', count: 1 });
    expect(Object.isFrozen(whichChildren(sup)[0]?.subStatus)).toBe(true);
    await restartChild(sup, 'w').catch(() => undefined); // running: refused, as OTP
    await terminateChild(sup, 'w');
    expect(whichChildren(sup)[0]).not.toHaveProperty('subStatus');
    expect(whichChildren(sup)[0]?.status).toBe('stopped');
    const before = worker.contexts[0]!;
    before.setSubStatus({ state: 'late' }); // the ended worker has no say, and no warning is due
    await restartChild(sup, 'w');
    await settle();
    expect(whichChildren(sup)[0]?.incarnation).toBe(1);
    expect(whichChildren(sup)[0]).not.toHaveProperty('subStatus');
    await stopSupervisor(sup);
  });

  it('rejects a bad sub-status with an error naming the field and the rule', async () => {
    const worker = held();
    const { sup } = await start({ id: 'root', children: [{ id: 'w', start: worker.logic }] });
    await settle();
    const set = (value: unknown) => () => worker.current().setSubStatus(value as SubStatus);
    expect(set('standby')).toThrow(SupervisorArgumentError);
    expect(set('standby')).toThrow(/setSubStatus: subStatus must be an object \{ state, \.\.\.JSON fields \}, got "standby"/);
    expect(set({ state: '' })).toThrow(/subStatus\.state must be a non-empty string/);
    expect(set({ lease: 'x' })).toThrow(/subStatus\.state must be a non-empty string, got undefined/);
    expect(set({ state: 'a', epoch: 1n })).toThrow(/subStatus\.epoch must be JSON/);
    expect(set({ state: 'a', at: new Date(0) })).toThrow(/subStatus\.at must be JSON/);
    expect(set({ state: 'a', seen: [1, Number.NaN] })).toThrow(/subStatus\.seen\[1\] must be JSON/);
    expect(set({ state: 'a', fn: () => 1 })).toThrow(/subStatus\.fn must be JSON/);
    const cyclic: Record<string, unknown> = { state: 'a' };
    cyclic['self'] = cyclic;
    expect(set(cyclic)).toThrow(/subStatus\.self must be JSON/);
    expect(whichChildren(sup)[0]).not.toHaveProperty('subStatus'); // nothing was published
    expect(whichChildren(sup)[0]?.status).toBe('running');
    await stopSupervisor(sup);
  });

  it('any actor logic can keep it in its snapshot; a machine in its context; an odd one is ignored or projected', async () => {
    const custom = {
      config: undefined,
      getInitialSnapshot: () => ({ status: 'active', output: undefined, error: undefined, subStatus: { state: 'warming', at: 5n } }),
      transition: (snapshot: unknown) => snapshot,
      getPersistedSnapshot: (snapshot: unknown) => snapshot,
    } as unknown as AnyActorLogic;
    const odd = { ...custom, getInitialSnapshot: () => ({ status: 'active', output: undefined, error: undefined, subStatus: { phase: 'no state' } }) } as unknown as AnyActorLogic;
    const machine = createMachine({
      context: { subStatus: { state: 'idle' } },
      on: { go: { actions: assign({ subStatus: { state: 'busy' } }) } },
    });
    const { sup } = await start({ id: 'root', children: [{ id: 'custom', start: custom }, { id: 'odd', start: odd }, { id: 'machine', start: machine }] });
    await settle();
    const rowOf = (id: string) => whichChildren(sup).find((c) => c.id === id)!;
    expect(rowOf('custom').subStatus).toEqual({ state: 'warming', at: '5' }); // projected onto JSON
    expect(rowOf('odd')).not.toHaveProperty('subStatus'); // no string state: no sub-status
    expect(rowOf('machine').subStatus).toEqual({ state: 'idle' });
    rowOf('machine').ref!.send({ type: 'go' });
    expect(rowOf('machine').subStatus).toEqual({ state: 'busy' });
    expect(whichChildren(sup).every((c) => c.status === 'running')).toBe(true);
    await stopSupervisor(sup);
  });
});
