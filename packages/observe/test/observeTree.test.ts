import { defineSupervisor, startSupervisor, stopSupervisor, whichChildren, type SupervisorFact, type SupervisorRef } from '@trellis/core';
import { createTestClock, scriptedChild, settle } from '@trellis/core/testing';
import { describe, expect, it } from 'vitest';
import { createTreeObserver, fanOut, observeTree, serializeFact, toJSONValue } from '../src/index.js';

function buildTree(dbIntensity = 10) {
  const pool = scriptedChild();
  const writer = scriptedChild();
  const http = scriptedChild();
  const db = defineSupervisor({ id: 'db', strategy: 'rest_for_one', intensity: dbIntensity, children: [{ id: 'pool', start: pool }, { id: 'writer', start: writer }] });
  const root = defineSupervisor({ id: 'root', intensity: 10, children: [{ id: 'db', start: db }, { id: 'http', start: http }] });
  return { root, pool, writer, http };
}

const brief = (fact: SupervisorFact): string => `${fact.type} ${fact.supervisor}${'child' in fact ? ` ${fact.child}` : ''}`;

describe('observeTree', () => {
  it('delivers the facts of nested supervisors, each once, with their source', async () => {
    const { root, pool, http } = buildTree();
    const ref = await startSupervisor(root, { clock: createTestClock() });
    const seen: string[] = [];
    const sources = new Set<SupervisorRef>();
    const stop = observeTree(ref, (fact, source) => {
      seen.push(brief(fact));
      sources.add(source);
    });
    pool.crash();
    await settle();
    http.crash();
    await settle();
    expect(seen).toEqual([
      'sup.child.exited root/db pool',
      'sup.child.exited root/db writer',
      'sup.child.started root/db pool',
      'sup.child.started root/db writer',
      'sup.child.exited root http',
      'sup.child.started root http',
    ]);
    expect(sources.size).toBe(2);
    stop();
    await stopSupervisor(ref);
  });

  it('follows a nested supervisor after its restart (a new actor)', async () => {
    const { root, pool } = buildTree(0);
    const ref = await startSupervisor(root, { clock: createTestClock() });
    const seen: string[] = [];
    const stop = observeTree(ref, (fact) => seen.push(brief(fact)));
    const before = whichChildren(ref).find((c) => c.id === 'db')?.ref;
    pool.crash(); // db (intensity 0) gives up; root restarts it as a new actor
    await settle();
    expect(seen).toContain('sup.intensity.exceeded root/db pool');
    const after = whichChildren(ref).find((c) => c.id === 'db')?.ref;
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
    expect(seen).toContain('sup.child.started root db');
    seen.length = 0;
    pool.crash();
    await settle();
    // The new db actor is followed: its crash report and its giving up arrive.
    expect(seen.slice(0, 2)).toEqual(['sup.child.exited root/db pool', 'sup.intensity.exceeded root/db pool']);
    stop();
    await stopSupervisor(ref);
  });

  it('follows a nested supervisor killed as a bystander and restarted, delivering each fact once', async () => {
    const pool = scriptedChild();
    const http = scriptedChild();
    const db = defineSupervisor({ id: 'db', children: [{ id: 'pool', start: pool }] });
    const logic = defineSupervisor({ id: 'root', strategy: 'one_for_all', intensity: 10, children: [{ id: 'db', start: db, shutdown: 'brutal_kill' }, { id: 'http', start: http }] });
    const ref = await startSupervisor(logic, { clock: createTestClock() });
    const seen: string[] = [];
    const stop = observeTree(ref, (fact) => seen.push(brief(fact)));
    for (let i = 0; i < 3; i++) {
      http.crash(); // one_for_all: db is killed (no sup.stopped of its own) and started again
      await settle();
    }
    seen.length = 0;
    pool.crash();
    await settle();
    expect(seen).toEqual(['sup.child.exited root/db pool', 'sup.child.started root/db pool']);
    stop();
    await stopSupervisor(ref);
  });

  it('stops delivering after unsubscribe', async () => {
    const { root, http } = buildTree();
    const ref = await startSupervisor(root, { clock: createTestClock() });
    const seen: string[] = [];
    const stop = observeTree(ref, (fact) => seen.push(brief(fact)));
    stop();
    stop();
    http.crash();
    await settle();
    expect(seen).toEqual([]);
    await stopSupervisor(ref);
  });

  it('sees the stop of every supervisor in order when the tree is stopped', async () => {
    const { root } = buildTree();
    const ref = await startSupervisor(root, { clock: createTestClock() });
    const seen: string[] = [];
    observeTree(ref, (fact) => seen.push(brief(fact)));
    await stopSupervisor(ref);
    expect(seen.filter((line) => line.startsWith('sup.stopped'))).toEqual(['sup.stopped root/db', 'sup.stopped root']);
  });
});

describe('createTreeObserver', () => {
  it('sees every fact from the initial start, nested supervisors included, and forwards inspection events', async () => {
    const { root, pool } = buildTree(0);
    const seen: string[] = [];
    let forwarded = 0;
    const observer = createTreeObserver(fanOut((fact) => seen.push(brief(fact))), { inspect: () => forwarded++ });
    const ref = await startSupervisor(root, { clock: createTestClock(), inspect: observer.inspect });
    expect(seen).toEqual(['sup.child.started root/db pool', 'sup.child.started root/db writer', 'sup.child.started root db', 'sup.child.started root http']);
    expect(forwarded).toBeGreaterThan(0);
    seen.length = 0;
    pool.crash(); // db (intensity 0) gives up; root restarts it as a new actor
    await settle();
    // The restarted db's own initial starts are seen too (observeTree cannot see them).
    expect(seen).toContain('sup.child.started root/db writer');
    expect(seen.at(-1)).toBe('sup.child.started root db');
    seen.length = 0;
    pool.crash();
    await settle();
    expect(seen).toContain('sup.child.exited root/db pool');
    observer.unsubscribe();
    seen.length = 0;
    pool.crash();
    await settle();
    expect(seen).toEqual([]);
    await stopSupervisor(ref);
  });
});

describe('serializeFact', () => {
  it('makes every fact of a crash plain JSON that survives a round trip', async () => {
    const { root, pool } = buildTree();
    const ref = await startSupervisor(root, { clock: createTestClock() });
    const facts: SupervisorFact[] = [];
    observeTree(ref, (fact) => facts.push(fact));
    pool.crash(new Error('boom'));
    await settle();
    await stopSupervisor(ref);
    expect(facts.length).toBeGreaterThan(4);
    for (const fact of facts) {
      const json = serializeFact(fact);
      expect(JSON.parse(JSON.stringify(json))).toEqual(json);
    }
    const crash = serializeFact(facts[0] as SupervisorFact);
    expect(crash).toMatchObject({ type: 'sup.child.exited', supervisor: 'root/db', child: 'pool', exit: { reason: 'error', detail: { name: 'Error', message: 'boom' } } });
  });

  it('projects errors, bigints, cycles, undefined and functions', () => {
    const cyclic: Record<string, unknown> = { a: [1, undefined, () => 1], b: undefined, n: 2n, e: new TypeError('bad'), inf: Infinity };
    cyclic.self = cyclic;
    expect(toJSONValue(cyclic)).toEqual({ a: [1, null, null], n: '2', e: expect.objectContaining({ name: 'TypeError', message: 'bad' }), inf: null, self: '[Circular]' });
    expect(toJSONValue(undefined)).toBeNull();
    expect(toJSONValue({ toJSON: () => ({ x: 1 }) })).toEqual({ x: 1 });
  });
});
