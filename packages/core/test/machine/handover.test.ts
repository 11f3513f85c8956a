// DESIGN §3: every start gets a Handover; previousExit follows OTP-SEMANTICS' mapping notes.
import { describe, expect, it } from 'vitest';
import { defineSupervisor, restartChild, stopSupervisor, terminateChild, whichChildren } from '@trellis/core';
import { scriptedChild } from '@trellis/core/testing';
import { flush, start } from '../helpers.js';

describe('handover', () => {
  it('gives the first start incarnation 0, a path ResumeID and no previous exit', async () => {
    const kid = scriptedChild();
    await start({ id: 'root', children: [{ id: 'db', start: kid }] });
    expect(kid.handovers).toEqual([{ resumeId: 'root/db', incarnation: 0, previousExit: null }]);
  });

  it('hands a restarted child the crash of the one before it, serialised', async () => {
    const kid = scriptedChild();
    const { sup, clock } = await start({ id: 'root', children: [{ id: 'db', start: kid }] });
    clock.advance(250);
    kid.crash(new TypeError('disk full'));
    await flush();
    const handover = kid.handovers[1]!;
    expect(handover).toMatchObject({ resumeId: 'root/db', incarnation: 1 });
    expect(handover.previousExit).toMatchObject({ reason: 'error', at: 1_250, detail: { name: 'TypeError', message: 'disk full' } });
    expect(typeof (handover.previousExit?.detail as { stack?: unknown }).stack).toBe('string');
    expect(JSON.parse(JSON.stringify(handover))).toEqual(handover);
    expect(whichChildren(sup)[0]?.lastExit).toEqual(handover.previousExit);
  });

  it('hands over exit.shutdown(detail) and a normal exit of a permanent child', async () => {
    const kid = scriptedChild();
    await start({ id: 'root', intensity: 5, children: [{ id: 'db', start: kid }] });
    kid.exitShutdown({ drained: 3 });
    await flush();
    expect(kid.handovers[1]?.previousExit).toMatchObject({ reason: 'shutdown', detail: { drained: 3 } });
    kid.exitNormal();
    await flush();
    expect(kid.handovers[2]?.previousExit).toMatchObject({ reason: 'normal' });
  });

  it('marks siblings stopped by one_for_all and rest_for_one as bystanders, naming the offender', async () => {
    for (const strategy of ['one_for_all', 'rest_for_one'] as const) {
      const a = scriptedChild();
      const b = scriptedChild();
      await start({ id: 'root', strategy, children: [{ id: 'a', start: a }, { id: 'b', start: b }] });
      a.crash();
      await flush();
      expect(a.handovers[1]?.previousExit?.reason).toBe('error');
      expect(b.handovers[1]?.previousExit).toMatchObject({ reason: 'bystander', detail: { offender: 'a' } });
    }
  });

  it('a failed restart does not replace previousExit: the next successful start still sees the original crash', async () => {
    const kid = scriptedChild();
    await start({ id: 'root', intensity: 10, children: [{ id: 'db', start: kid }] });
    kid.failStarts(2);
    kid.crash(new Error('original'));
    await flush(6);
    expect(kid.handovers.map((h) => h.incarnation)).toEqual([0, 1, 2, 3]);
    for (const h of kid.handovers.slice(1)) expect(h.previousExit).toMatchObject({ reason: 'error', detail: { message: 'original' } });
    expect(kid.running).toBe(true);
  });

  it('terminateChild then restartChild: the manual restart sees shutdown and keeps the ResumeID', async () => {
    const kid = scriptedChild();
    const { sup } = await start({ id: 'root', children: [{ id: 'db', start: kid }] });
    await terminateChild(sup, 'db');
    await restartChild(sup, 'db');
    expect(kid.handovers[1]).toMatchObject({ resumeId: 'root/db', incarnation: 1, previousExit: { reason: 'shutdown' } });
    expect(whichChildren(sup)[0]).toMatchObject({ restarts: 0, incarnation: 1 });
  });

  it('reports killed when a child had to be killed: brutal_kill, or its shutdown time ran out', async () => {
    const brutal = scriptedChild();
    const stubborn = scriptedChild({ ignoreStop: true });
    const { sup, clock } = await start({
      id: 'root',
      children: [
        { id: 'brutal', start: brutal, shutdown: 'brutal_kill' },
        { id: 'stubborn', start: stubborn, shutdown: 50 },
      ],
    });
    await terminateChild(sup, 'brutal');
    const t = terminateChild(sup, 'stubborn');
    await flush();
    clock.advance(50);
    await t;
    await restartChild(sup, 'brutal');
    await restartChild(sup, 'stubborn');
    expect(brutal.handovers[1]?.previousExit?.reason).toBe('killed');
    expect(stubborn.handovers[1]?.previousExit?.reason).toBe('killed');
  });

  it('uses a spec-given resumeId, and paths for nested children', async () => {
    const inner = scriptedChild();
    const named = scriptedChild();
    const sub = defineSupervisor({ id: 'db', children: [{ id: 'writer', start: inner }] });
    const { sup } = await start({ id: 'root', children: [{ id: 'db', start: sub }, { id: 'x', start: named, resumeId: 'orders-consumer' }] });
    expect(inner.handovers[0]?.resumeId).toBe('root/db/writer');
    expect(named.handovers[0]?.resumeId).toBe('orders-consumer');
    expect(whichChildren(sup).map((c) => c.resumeId)).toEqual(['orders-consumer', 'root/db']);
    await stopSupervisor(sup);
  });

  it('counts automatic restarts only in ChildInfo.restarts', async () => {
    const kid = scriptedChild();
    const { sup } = await start({ id: 'root', intensity: 5, children: [{ id: 'db', start: kid }] });
    kid.crash();
    await flush();
    kid.crash();
    await flush();
    await terminateChild(sup, 'db');
    await restartChild(sup, 'db');
    expect(whichChildren(sup)[0]).toMatchObject({ restarts: 2, incarnation: 3 });
  });
});

describe('crash exit codes', () => {
  it('hands on a crash error numeric code and signal as previousExit.code and .signal', async () => {
    const kid = scriptedChild();
    await start({ id: 'root', intensity: 5, children: [{ id: 'p', start: kid }] });
    kid.crash(Object.assign(new Error('exited with code 3'), { code: 3, signal: null }));
    await flush();
    expect(kid.handovers[1]?.previousExit).toMatchObject({ reason: 'error', code: 3, signal: null });
    kid.crash(Object.assign(new Error('killed by SIGSEGV'), { code: null, signal: 'SIGSEGV' }));
    await flush();
    expect(kid.handovers[2]?.previousExit).toMatchObject({ reason: 'error', code: null, signal: 'SIGSEGV' });
    kid.crash(Object.assign(new Error('ENOENT'), { code: 'ENOENT' }));
    await flush();
    expect(kid.handovers[3]?.previousExit).not.toHaveProperty('code');
  });
});
