import { defineSupervisor, startSupervisor, stopSupervisor, terminateChild, type SupervisorFact } from '@trellis/core';
import { createTestClock, scriptedChild, settle } from '@trellis/core/testing';
import { describe, expect, it } from 'vitest';
import { emptyTree, notRunning, observeTree, reduceTree, tree, type TreeState } from '../src/index.js';

describe('reduceTree', () => {
  it('folds starts, exits, restarts and stops, never modifying the state it is given', () => {
    const facts: SupervisorFact[] = [
      { type: 'sup.child.started', supervisor: 'root', child: 'db', incarnation: 0, resumeId: 'root/db', cause: 'init' },
      { type: 'sup.child.started', supervisor: 'root', child: 'job', incarnation: 0, resumeId: 'root/job', cause: 'init' },
      { type: 'sup.child.exited', supervisor: 'root', child: 'db', incarnation: 0, decision: 'restart', exit: { reason: 'error', detail: new Error('x'), at: 5 } },
    ];
    const states: TreeState[] = [];
    let state = emptyTree;
    for (const fact of facts) {
      const next = reduceTree(state, fact);
      expect(next).not.toBe(state);
      states.push(next);
      state = next;
    }
    expect(state.children['root/db']).toMatchObject({ status: 'restarting', incarnation: 0, restarts: 0, lastExit: { reason: 'error', detail: { message: 'x' }, at: 5 } });
    expect(states[0]?.children['root/db']?.status).toBe('running'); // earlier states untouched
    state = reduceTree(state, { type: 'sup.child.startFailed', supervisor: 'root', child: 'db', incarnation: 1, error: { name: 'Error', message: 'no' } });
    expect(state.children['root/db']?.status).toBe('stopped');
    state = reduceTree(state, { type: 'sup.child.restarting', supervisor: 'root', child: 'db', nextIncarnation: 2, delayMs: 0 });
    expect(state.children['root/db']?.status).toBe('restarting');
    state = reduceTree(state, { type: 'sup.child.started', supervisor: 'root', child: 'db', incarnation: 2, resumeId: 'root/db', cause: 'restart' });
    expect(state.children['root/db']).toMatchObject({ status: 'running', incarnation: 2, restarts: 1 });
    state = reduceTree(state, { type: 'sup.child.exited', supervisor: 'root', child: 'job', incarnation: 0, decision: 'delete', exit: { reason: 'normal', at: 6 } });
    expect(state.children['root/job']).toBeUndefined();
    state = reduceTree(state, { type: 'sup.intensity.exceeded', supervisor: 'root', child: 'db', intensity: 1, periodMs: 5000 });
    state = reduceTree(state, { type: 'sup.shutdown.timedOut', supervisor: 'root', child: 'db', incarnation: 2, shutdownMs: 5000 });
    state = reduceTree(state, { type: 'sup.stopped', supervisor: 'root', exit: { reason: 'shutdown', detail: 'reached_max_restart_intensity' } });
    expect(state.supervisors.root).toEqual({ path: 'root', status: 'stopped', exit: { reason: 'shutdown', detail: 'reached_max_restart_intensity' }, intensityExceeded: 1 });
    expect(state.children['root/db']?.status).toBe('stopped');
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
  });

  it('tracks a live tree through observeTree', async () => {
    const db = scriptedChild();
    const ref = await startSupervisor(defineSupervisor({ id: 'root', children: [{ id: 'db', start: db }] }), { clock: createTestClock() });
    let state = emptyTree;
    observeTree(ref, (fact) => {
      state = reduceTree(state, fact);
    });
    db.crash();
    await settle();
    expect(state.children['root/db']).toMatchObject({ status: 'running', incarnation: 1, restarts: 1, lastExit: { reason: 'error' } });
    await stopSupervisor(ref);
    expect(state.supervisors.root?.status).toBe('stopped');
  });
});

describe('tree', () => {
  it('returns the whole live tree as JSON, and what is not running', async () => {
    const pool = scriptedChild();
    const dbSup = defineSupervisor({ id: 'db', children: [{ id: 'pool', start: pool }, { id: 'writer', start: scriptedChild() }] });
    const ref = await startSupervisor(defineSupervisor({ id: 'root', intensity: 5, children: [{ id: 'db', start: dbSup }, { id: 'http', start: scriptedChild() }] }), { clock: createTestClock() });
    pool.crash(new Error('boom'));
    await settle();
    const live = tree(ref);
    expect(JSON.parse(JSON.stringify(live))).toEqual(live);
    expect(live).toMatchObject({
      id: 'root',
      path: 'root',
      type: 'supervisor',
      status: 'running',
      children: [
        { id: 'http', path: 'root/http', type: 'worker', status: 'running', incarnation: 0 },
        {
          id: 'db',
          path: 'root/db',
          type: 'supervisor',
          status: 'running',
          children: [
            { id: 'writer', path: 'root/db/writer', status: 'running' },
            { id: 'pool', path: 'root/db/pool', status: 'running', incarnation: 1, restarts: 1, lastExit: { reason: 'error', detail: { message: 'boom' } } },
          ],
        },
      ],
    });
    expect(live.children?.[0]).not.toHaveProperty('children');
    expect(notRunning(live)).toEqual([]);
    await terminateChild(ref, 'http');
    expect(notRunning(tree(ref))).toEqual(['root/http']);
    await stopSupervisor(ref);
    expect(tree(ref)).toMatchObject({ status: 'stopped', children: [] });
    expect(notRunning(tree(ref))).toEqual(['root']);
  });
});
