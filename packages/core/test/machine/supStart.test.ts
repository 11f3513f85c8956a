// OTP supervisor_SUITE §3.1: starting supervisors (OTP-SEMANTICS §1.6, §1.7, §5 point 6).
import { describe, expect, it } from 'vitest';
import { fromCallback, fromPromise } from 'xstate';
import {
  defineSupervisor,
  fromWorker,
  startChild,
  startSupervisor,
  StartChildError,
  stopSupervisor,
  whichChildren,
} from '@trellis/core';
import { createTestClock, scriptedChild } from '@trellis/core/testing';
import { flush, rows, start } from '../helpers.js';

describe('starting', () => {
  it('sup_start_normal: a supervisor with no children starts and stops cleanly', async () => {
    const { sup } = await start({ id: 'root', intensity: 2, periodMs: 3_600_000, children: [] });
    expect(sup.getSnapshot().value).toBe('running');
    expect(await stopSupervisor(sup, 'shutdown')).toEqual({ reason: 'shutdown' });
  });

  it('starts children one at a time in order and resolves only when every one has started', async () => {
    const order: string[] = [];
    const slow = scriptedChild({ awaitReady: true });
    const logic = defineSupervisor({
      id: 'root',
      children: [
        { id: 'a', start: fromWorker(() => { order.push('a'); return new Promise(() => {}); }), shutdown: 'brutal_kill' },
        { id: 'slow', start: slow },
        { id: 'c', start: fromWorker(() => { order.push('c'); return new Promise(() => {}); }), shutdown: 'brutal_kill' },
      ],
    });
    let resolved = false;
    const started = startSupervisor(logic, { clock: createTestClock() }).then((sup) => {
      resolved = true;
      return sup;
    });
    await flush();
    expect(order).toEqual(['a']); // c waits until slow is ready
    expect(resolved).toBe(false);
    slow.ready();
    const sup = await started;
    expect(order).toEqual(['a', 'c']);
    expect(rows(sup).map((r) => r[0])).toEqual(['c', 'slow', 'a']);
    await stopSupervisor(sup);
  });

  it('init_child_failure: a start failure stops the started children in reverse and rejects with failed_to_start_child', async () => {
    const a = scriptedChild();
    const b = scriptedChild({ failStarts: 'always' });
    const c = scriptedChild();
    const logic = defineSupervisor({ id: 'root', children: [{ id: 'a', start: a }, { id: 'b', start: b }, { id: 'c', start: c }] });
    const error = await startSupervisor(logic, { clock: createTestClock() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StartChildError);
    expect(error).toMatchObject({ code: 'failed_to_start_child', childId: 'b' });
    expect((error as StartChildError).cause).toBeInstanceOf(Error);
    expect(a.running).toBe(false);
    expect(a.stopRequests).toBe(1);
    expect(c.handovers).toEqual([]);
  });

  it('a readiness timeout of an awaitReady worker is a start failure', async () => {
    const clock = createTestClock();
    const logic = defineSupervisor({
      id: 'root',
      children: [{ id: 'w', start: fromWorker(() => new Promise(() => {}), { awaitReady: true, readyTimeoutMs: 300 }), shutdown: 'brutal_kill' }],
    });
    const started = startSupervisor(logic, { clock });
    await flush();
    clock.advance(300);
    await expect(started).rejects.toMatchObject({ childId: 'w', cause: { name: 'ReadyTimeoutError' } });
  });

  it('a rejection before ready() is a start failure; a synchronous throw from run is one too', async () => {
    const early = scriptedChild({ awaitReady: true });
    const logic = defineSupervisor({ id: 'root', children: [{ id: 'w', start: early }] });
    const started = startSupervisor(logic, { clock: createTestClock() });
    await flush();
    early.failReady(new Error('no database'));
    await expect(started).rejects.toMatchObject({ childId: 'w', cause: { message: 'no database' } });

    const sync = defineSupervisor({ id: 'root', children: [{ id: 'w', start: fromWorker(() => { throw new Error('sync'); }) }] });
    await expect(startSupervisor(sync)).rejects.toMatchObject({ childId: 'w', cause: { message: 'sync' } });
  });

  it('a nested start failure names the whole path through the cause chain', async () => {
    const sub = defineSupervisor({ id: 'db', children: [{ id: 'writer', start: scriptedChild({ failStarts: 'always' }) }] });
    const logic = defineSupervisor({ id: 'root', children: [{ id: 'db', start: sub }] });
    const error = (await startSupervisor(logic, { clock: createTestClock() }).catch((e: unknown) => e)) as StartChildError;
    expect(error.childId).toBe('db');
    expect(error.cause).toBeInstanceOf(StartChildError);
    expect((error.cause as StartChildError).childId).toBe('writer');
    expect((error.cause as StartChildError).supervisorId).toBe('root/db');
  });

  it('sup_start_child_returns_error: a failing startChild stores nothing and leaves the supervisor as it was', async () => {
    const { sup } = await start({ id: 'root', children: [] });
    await expect(startChild(sup, { id: 'bad', start: scriptedChild({ failStarts: 1 }) })).rejects.toMatchObject({ code: 'failed_to_start_child', childId: 'bad' });
    expect(whichChildren(sup)).toEqual([]);
    expect(sup.getSnapshot().value).toBe('running');
  });

  it('accepts any XState logic as a child: fromPromise, fromCallback and machines get input.handover', async () => {
    const seen: unknown[] = [];
    const { createMachine } = await import('xstate');
    const machine = createMachine({
      context: ({ input }: { input: { handover: unknown; n: number } }) => {
        seen.push(['machine', input]);
        return {};
      },
    });
    const { sup } = await start({
      id: 'root',
      children: [
        { id: 'p', start: fromPromise(({ input }) => { seen.push(['promise', input]); return new Promise(() => {}); }), input: { n: 1 } },
        { id: 'cb', start: fromCallback(({ input }) => { seen.push(['callback', input]); }), input: { n: 2 } },
        { id: 'm', start: machine, input: { n: 3 } },
      ],
    });
    expect(seen).toEqual([
      ['promise', { n: 1, handover: { resumeId: 'root/p', incarnation: 0, previousExit: null } }],
      ['callback', { n: 2, handover: { resumeId: 'root/cb', incarnation: 0, previousExit: null } }],
      ['machine', { n: 3, handover: { resumeId: 'root/m', incarnation: 0, previousExit: null } }],
    ]);
    await stopSupervisor(sup);
  });

  it('restarts a crashed fromPromise child and a crashed fromCallback child, releasing the callback', async () => {
    let rejectPromise: (e: Error) => void = () => {};
    let cleanups = 0;
    const { sup } = await start({
      id: 'root',
      intensity: 5,
      children: [
        { id: 'p', start: fromPromise(() => new Promise((_, reject) => (rejectPromise = reject))) },
        {
          id: 'cb',
          start: fromCallback(({ receive }) => {
            receive(() => {
              throw new Error('callback boom');
            });
            return () => cleanups++;
          }),
        },
      ],
    });
    rejectPromise(new Error('promise boom'));
    await flush();
    expect(whichChildren(sup).find((c) => c.id === 'p')).toMatchObject({ incarnation: 1, lastExit: { reason: 'error', detail: { message: 'promise boom' } } });
    whichChildren(sup).find((c) => c.id === 'cb')!.ref!.send({ type: 'anything' });
    await flush();
    expect(whichChildren(sup).find((c) => c.id === 'cb')).toMatchObject({ status: 'running', incarnation: 1, lastExit: { reason: 'error', detail: { message: 'callback boom' } } });
    expect(cleanups).toBe(1); // the crashed incarnation was released (XState alone never calls it)
    await stopSupervisor(sup);
    expect(cleanups).toBe(2); // and the live one's cleanup ran on stop
  });
});
