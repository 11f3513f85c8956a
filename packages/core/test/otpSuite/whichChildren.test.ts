// OTP supervisor_SUITE which_children (OTP-SEMANTICS §3.11): whichChildren through a child's life.
// which_child (OTP 28) is whichChildren(ref).find(...) in trellis (coming-from-erlang guide).
import { describe, expect, it } from 'vitest';
import { deleteChild, restartChild, startChild, terminateChild, whichChildren } from '@trellis/core';
import { scriptedChild } from '@trellis/core/testing';
import { start } from '../helpers.js';

describe('supervisor_SUITE which_children', () => {
  it('which_children: lists children newest first through start, terminate (stopped, no actor) and delete (gone)', async () => {
    const { sup } = await start({ id: 'root', children: [{ id: 'child1', start: scriptedChild() }] });
    const listed = () => whichChildren(sup).map((c) => [c.id, c.status, c.type, c.ref === undefined ? 'no actor' : 'actor']);
    const whichChild = (id: string) => whichChildren(sup).find((c) => c.id === id);
    expect(listed()).toEqual([['child1', 'running', 'worker', 'actor']]);
    const two = await startChild(sup, { id: 'child2', start: scriptedChild() });
    expect(listed()).toEqual([
      ['child2', 'running', 'worker', 'actor'],
      ['child1', 'running', 'worker', 'actor'],
    ]);
    expect(whichChild('child2')?.ref).toBe(two.ref);
    await terminateChild(sup, 'child2');
    expect(listed()).toEqual([
      ['child2', 'stopped', 'worker', 'no actor'],
      ['child1', 'running', 'worker', 'actor'],
    ]);
    await restartChild(sup, 'child2');
    expect(whichChild('child2')?.status).toBe('running');
    await terminateChild(sup, 'child2');
    await deleteChild(sup, 'child2');
    expect(listed()).toEqual([['child1', 'running', 'worker', 'actor']]);
    expect(whichChild('child2')).toBeUndefined();
  });
});
