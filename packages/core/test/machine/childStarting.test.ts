// Decision 0007: a child between spawn and readiness is `starting`. OTP's which_children shows its
// pid and count_children counts it active (start_child blocks, so OTP never shows the moment);
// trellis shows it, so readiness can tell the truth.
import { describe, expect, it } from 'vitest';
import { countChildren, defineSupervisor, startChild, stopSupervisor } from '@trellis/core';
import { scriptedChild } from '@trellis/core/testing';
import { flush, rows, start } from '../helpers.js';

describe('a child awaiting readiness is starting', () => {
  it('count_children: a restarted child that has not yet said it is ready is starting, counted active, until ready()', async () => {
    const db = scriptedChild({ awaitReady: true });
    const pending = start({ id: 'root', intensity: 5, children: [{ id: 'db', start: db }, { id: 'web', start: scriptedChild() }] });
    await flush();
    db.ready();
    const { sup } = await pending;
    expect(rows(sup)).toEqual([
      ['web', 'running', 0],
      ['db', 'running', 0],
    ]);

    db.crash();
    await flush();
    expect(rows(sup)).toEqual([
      ['web', 'running', 0],
      ['db', 'starting', 1],
    ]);
    expect(sup.getSnapshot().value).toBe('restarting');
    expect(countChildren(sup)).toEqual({ specs: 2, active: 2, supervisors: 0, workers: 2 });

    db.ready();
    await flush();
    expect(rows(sup)).toEqual([
      ['web', 'running', 0],
      ['db', 'running', 1],
    ]);
    expect(sup.getSnapshot().value).toBe('running');
    await stopSupervisor(sup);
  });

  it('a child supervisor starting its own children is starting in its parent', async () => {
    const pool = scriptedChild({ awaitReady: true });
    const db = defineSupervisor({ id: 'db', children: [{ id: 'pool', start: pool }] });
    const { sup } = await start({ id: 'root', children: [] });
    const started = startChild(sup, { id: 'db', start: db, type: 'supervisor' });
    await flush();
    expect(rows(sup)).toEqual([['db', 'starting', 0]]);
    pool.ready();
    await started;
    expect(rows(sup)).toEqual([['db', 'running', 0]]);
    await stopSupervisor(sup);
  });
});
