// OTP supervisor_SUITE §3.3: stopping supervisors and children (OTP-SEMANTICS §1.6, §5 point 7).
import { describe, expect, it } from 'vitest';
import { fromCallback, fromPromise } from 'xstate';
import { defineSupervisor, stopSupervisor, terminateChild, whichChildren, type SupervisorFact, type SupervisorRef } from '@trellis/core';
import { scriptedChild } from '@trellis/core/testing';
import { flush, scripted, start } from '../helpers.js';

describe('stopping', () => {
  it('sup_stop_infinity: shutdown infinity waits for the child and it exits shutdown', async () => {
    const kid = scriptedChild();
    const { sup, facts } = await start({ id: 'root', children: [{ id: 'w', start: kid, shutdown: 'infinity' }] });
    expect(await stopSupervisor(sup, 'shutdown')).toEqual({ reason: 'shutdown' });
    const exit = facts.find((f) => f.type === 'sup.child.exited');
    expect(exit?.type === 'sup.child.exited' && exit.exit.reason).toBe('shutdown');
    expect(kid.stopRequests).toBe(1);
  });

  it('sup_stop_timeout: a busy child is killed after its shutdown time, a cooperative one exits shutdown', async () => {
    const busy = scriptedChild({ ignoreStop: true });
    const nice = scriptedChild();
    const { sup, clock, facts } = await start({
      id: 'root',
      children: [
        { id: 'nice', start: nice, shutdown: 1_000 },
        { id: 'busy', start: busy, shutdown: 1_000 },
      ],
    });
    const stopped = stopSupervisor(sup);
    await flush();
    expect(sup.getSnapshot().value).toBe('shuttingDown');
    clock.advance(999);
    await flush();
    expect(sup.getSnapshot().value).toBe('shuttingDown');
    clock.advance(1);
    expect(await stopped).toEqual({ reason: 'normal' });
    const exits = facts.flatMap((f) => (f.type === 'sup.child.exited' ? [[f.child, f.exit.reason]] : []));
    expect(exits).toEqual([
      ['busy', 'killed'],
      ['nice', 'shutdown'],
    ]);
    expect(facts.some((f) => f.type === 'sup.shutdown.timedOut' && f.child === 'busy' && f.shutdownMs === 1_000)).toBe(true);
    expect(clock.pending()).toBe(0);
  });

  it('sup_stop_brutal_kill: a brutal_kill child exits killed at once, even one that ignores stop requests', async () => {
    const brutal = scriptedChild({ ignoreStop: true });
    const nice = scriptedChild();
    const { sup, facts } = await start({
      id: 'root',
      children: [
        { id: 'nice', start: nice },
        { id: 'brutal', start: brutal, shutdown: 'brutal_kill' },
      ],
    });
    await stopSupervisor(sup); // no clock advance needed: nothing waits for the brutal child
    const exits = facts.flatMap((f) => (f.type === 'sup.child.exited' ? [[f.child, f.exit.reason]] : []));
    expect(exits).toEqual([
      ['brutal', 'killed'],
      ['nice', 'shutdown'],
    ]);
  });

  it('sup_stop_race: children exiting by themselves during shutdown do not break it and keep their own reason', async () => {
    const slow = scriptedChild({ ignoreStop: true });
    const { kids, specs } = scripted(3, { restart: 'transient' });
    const { sup, clock, facts } = await start({ id: 'root', children: [...specs, { id: 'slow', start: slow, shutdown: 500 }] });
    const stopped = stopSupervisor(sup, 'shutdown');
    await flush();
    // While the supervisor waits for `slow`, the others end on their own.
    kids[0]!.exitNormal();
    kids[1]!.crash(new Error('other'));
    kids[2]!.exitShutdown('test');
    await flush();
    clock.advance(500);
    expect(await stopped).toEqual({ reason: 'shutdown' });
    const exits = Object.fromEntries(facts.flatMap((f) => (f.type === 'sup.child.exited' ? [[f.child, f.exit.reason]] : [])));
    expect(exits).toEqual({ slow: 'killed', c3: 'shutdown', c2: 'error', c1: 'normal' });
  });

  it('sup_stop_manual: stopSupervisor defaults to normal and resolves again with the same output once ended', async () => {
    const { specs } = scripted(2);
    const { sup } = await start({ id: 'root', children: specs });
    expect(await stopSupervisor(sup)).toEqual({ reason: 'normal' });
    expect(await stopSupervisor(sup, 'shutdown')).toEqual({ reason: 'normal' });
    expect(sup.getSnapshot().status).toBe('done');
  });

  it('stops logic without a stop protocol at once: fromPromise and fromCallback exit shutdown', async () => {
    let cleanedUp = 0;
    const { sup, facts } = await start({
      id: 'root',
      children: [
        { id: 'p', start: fromPromise(() => new Promise(() => {})) },
        { id: 'cb', start: fromCallback(() => () => cleanedUp++) },
      ],
    });
    await stopSupervisor(sup);
    expect(cleanedUp).toBe(1);
    expect(facts.flatMap((f) => (f.type === 'sup.child.exited' ? [[f.child, f.exit.reason]] : []))).toEqual([
      ['cb', 'shutdown'],
      ['p', 'shutdown'],
    ]);
  });

  it('child_unlink: a child that ignores the stop request cannot hang terminateChild past its shutdown time', async () => {
    const naughty = scriptedChild({ ignoreStop: true });
    const { sup, clock } = await start({ id: 'root', children: [{ id: 'n', start: naughty, shutdown: 200 }] });
    const done = terminateChild(sup, 'n');
    await flush();
    clock.advance(200);
    await done;
    expect(whichChildren(sup)[0]).toMatchObject({ status: 'stopped', lastExit: { reason: 'killed' } });
  });

  it('kills every child, unordered, when the supervisor actor itself is stopped by XState', async () => {
    const { kids, specs } = scripted(2);
    const { sup } = await start({ id: 'root', children: specs });
    sup.stop();
    await flush();
    expect(kids.every((k) => k.stopRequests === 1)).toBe(true); // their signals aborted: the actors were stopped
    expect(sup.getSnapshot().status).toBe('stopped');
    await expect(terminateChild(sup, 'c1')).rejects.toMatchObject({ code: 'not_running' });
  });
});

describe('a crash while stopping', () => {
  it('counts as stopped by the supervisor, keeps the error in the detail, and reports shutdown_error; its own abort is no crash', async () => {
    const { fromWorker } = await import('@trellis/core');
    const crashesOnStop = fromWorker(({ signal }) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('flush failed')))));
    const abortsOnStop = fromWorker(({ signal }) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))));
    const { sup } = await start({ id: 'root', children: [{ id: 'bad', start: crashesOnStop }, { id: 'good', start: abortsOnStop }] });
    await terminateChild(sup, 'bad');
    await terminateChild(sup, 'good');
    const [good, bad] = whichChildren(sup);
    expect(bad?.lastExit).toMatchObject({ reason: 'shutdown', detail: { error: { name: 'Error', message: 'flush failed' } } });
    expect(good?.lastExit).toEqual({ reason: 'shutdown', at: expect.any(Number) });
  });

  it('announces the ordered stop with sup.stopping before the first child is stopped, once, for every way one begins', async () => {
    // stopSupervisor: the fact carries the exit the supervisor will end with.
    const { specs } = scripted(2);
    const { sup, facts } = await start({ id: 'root', children: specs });
    const stopped = stopSupervisor(sup, 'shutdown');
    await stopSupervisor(sup); // a second stop request during the stop announces nothing more
    await stopped;
    expect(facts.map((f) => (f.type === 'sup.child.exited' ? `${f.type} ${f.child}` : f.type))).toEqual(['sup.stopping', 'sup.child.exited c2', 'sup.child.exited c1', 'sup.stopped']);
    expect(facts[0]).toEqual({ type: 'sup.stopping', supervisor: 'root', exit: { reason: 'shutdown' } });

    // A parent stopping a child supervisor: the child announces its own stop, under its path.
    const inner = scriptedChild();
    const tree = await start({ id: 'root', children: [{ id: 'sub', start: defineSupervisor({ id: 'sub', children: [{ id: 'w', start: inner }] }) }] });
    const sub = whichChildren(tree.sup)[0]?.ref as SupervisorRef;
    const subFacts: SupervisorFact[] = [];
    sub.on('*', (fact) => subFacts.push(fact as SupervisorFact));
    await stopSupervisor(tree.sup);
    expect(subFacts.map((f) => f.type)).toEqual(['sup.stopping', 'sup.child.exited', 'sup.stopped']);
    expect(subFacts[0]).toEqual({ type: 'sup.stopping', supervisor: 'root/sub', exit: { reason: 'shutdown' } });

    // Automatic shutdown begins a stop too.
    const significant = scriptedChild();
    const auto = await start({ id: 'auto', autoShutdown: 'any_significant', children: [{ id: 's', start: significant, restart: 'transient', significant: true }, ...scripted(1).specs] });
    significant.exitNormal();
    await flush(4);
    expect(auto.facts.filter((f) => f.type === 'sup.stopping')).toEqual([{ type: 'sup.stopping', supervisor: 'auto', exit: { reason: 'shutdown' } }]);
  });

  it('a give-up announces itself with sup.intensity.exceeded, not sup.stopping', async () => {
    const kid = scriptedChild();
    const { sup, facts } = await start({ id: 'root', intensity: 0, children: [{ id: 'w', start: kid }] });
    kid.crash();
    await flush(4);
    expect(sup.getSnapshot().status).toBe('done');
    expect(facts.map((f) => f.type)).toEqual(['sup.child.exited', 'sup.intensity.exceeded', 'sup.stopped']);
  });
});
