// The job driver's queue (src/runtime/jobs.ts): while a job waits, events wait behind it, and
// once it ends they are handled one at a time, in order; an event that starts a job that waits
// holds the rest back again.
import { describe, expect, it } from 'vitest';
import { terminateChild, whichChildren } from '@trellis/core';
import { scriptedChild } from '@trellis/core/testing';
import { flush, start } from '../helpers.js';

describe('the job queue', () => {
  it('commands sent while a job waits run one at a time, in the order sent, each after the one before has ended', async () => {
    const kids = [scriptedChild({ ignoreStop: true }), scriptedChild({ ignoreStop: true }), scriptedChild({ ignoreStop: true })];
    const { sup, clock } = await start({ id: 'root', children: kids.map((kid, i) => ({ id: `c${i}`, start: kid, shutdown: 1_000 })) });
    const done: string[] = [];
    const stops = ['c0', 'c1', 'c2'].map((id) => terminateChild(sup, id).then(() => void done.push(id)));
    await flush();
    expect(kids.map((k) => k.stopRequests)).toEqual([1, 0, 0]); // c1 and c2 wait behind c0's stop
    clock.advance(1_000);
    await flush();
    expect(done).toEqual(['c0']);
    expect(kids.map((k) => k.stopRequests)).toEqual([1, 1, 0]); // c2 still waits, behind c1's
    clock.advance(1_000);
    await flush();
    expect(done).toEqual(['c0', 'c1']);
    expect(kids.map((k) => k.stopRequests)).toEqual([1, 1, 1]);
    clock.advance(1_000);
    await Promise.all(stops);
    expect(done).toEqual(['c0', 'c1', 'c2']);
    expect(whichChildren(sup).map((c) => c.status)).toEqual(['stopped', 'stopped', 'stopped']);
  });

  it('a readiness that arrives while a job waits for that child to exit does not end the wait', async () => {
    const kid = scriptedChild({ awaitReady: true });
    const starting = start({ id: 'root', children: [{ id: 'c', start: kid, shutdown: 1_000 }] });
    await flush();
    kid.ready();
    const { sup, clock, facts } = await starting;
    kid.ignoreStop(true);
    let stopped = false;
    const stop = terminateChild(sup, 'c').then(() => (stopped = true));
    await flush();
    kid.ready(); // a late or repeated readiness, while the stop waits out its shutdown
    await flush();
    expect(stopped).toBe(false);
    expect(facts.filter((f) => f.type === 'sup.child.exited')).toEqual([]);
    clock.advance(1_000);
    await stop;
    expect(facts.filter((f) => f.type === 'sup.child.exited')).toEqual([expect.objectContaining({ child: 'c', exit: expect.objectContaining({ reason: 'killed' }) })]);
  });
});
