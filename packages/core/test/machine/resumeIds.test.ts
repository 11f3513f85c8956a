// Issue 4 / decision 0005: ResumeID persistence rules.
import { describe, expect, it } from 'vitest';
import { defineSupervisor, deleteChild, startChild, startSupervisor, terminateChild, whichChildren, type HandoverEntry, type HandoverStore, type SupervisorRef } from '@trellis/core';
import { createTestClock, scriptedChild } from '@trellis/core/testing';
import { flush, start } from '../helpers.js';

const subOf = (sup: SupervisorRef, id: string) => whichChildren(sup).find((c) => c.id === id)!.ref as SupervisorRef;

function memoryStore(): HandoverStore & { entries: Map<string, HandoverEntry> } {
  const entries = new Map<string, HandoverEntry>();
  return { entries, load: () => [...entries], write: (id, e) => void entries.set(id, e), delete: (id) => void entries.delete(id) };
}

describe('ResumeID persistence', () => {
  it('a subtree restarted by its parent comes back with the same ResumeIDs and continued incarnations', async () => {
    const leaf = scriptedChild();
    const sub = defineSupervisor({ id: 'db', intensity: 0, children: [{ id: 'writer', start: leaf }] });
    const { sup } = await start({ id: 'root', intensity: 5, children: [{ id: 'db', start: sub }] });
    leaf.crash(new Error('gives up the subtree'));
    await flush(6);
    // incarnation 0 crashed, the subtree gave up, the parent restarted it: incarnation 1 starts.
    expect(leaf.handovers.map((h) => [h.resumeId, h.incarnation])).toEqual([
      ['root/db/writer', 0],
      ['root/db/writer', 1],
    ]);
    expect(leaf.handovers[1]?.previousExit).toMatchObject({ reason: 'error', detail: { message: 'gives up the subtree' } });
    expect(whichChildren(subOf(sup, 'db'))[0]).toMatchObject({ resumeId: 'root/db/writer', incarnation: 1 });
  });

  it('bystanders of a subtree restart continue too, with previousExit shutdown', async () => {
    const a = scriptedChild();
    const b = scriptedChild();
    const sub = defineSupervisor({ id: 'db', intensity: 0, children: [{ id: 'a', start: a }, { id: 'b', start: b }] });
    await start({ id: 'root', children: [{ id: 'db', start: sub }] });
    a.crash();
    await flush(6);
    expect(b.handovers[1]).toMatchObject({ resumeId: 'root/db/b', incarnation: 1, previousExit: { reason: 'shutdown' } });
  });

  it('a dynamically started child keeps its ResumeID and history while its spec exists, and starts afresh after deleteChild', async () => {
    const kid = scriptedChild();
    const { sup } = await start({ id: 'root', intensity: 5, children: [] });
    await startChild(sup, { id: 'dyn', start: kid });
    kid.crash();
    await flush();
    expect(kid.handovers.map((h) => h.incarnation)).toEqual([0, 1]);
    await terminateChild(sup, 'dyn');
    await deleteChild(sup, 'dyn');
    await startChild(sup, { id: 'dyn', start: kid });
    expect(kid.handovers[2]).toEqual({ resumeId: 'root/dyn', incarnation: 0, previousExit: null });
  });

  it('dynamic children of a restarted subtree are gone, and so is their history', async () => {
    const leaf = scriptedChild();
    const dyn = scriptedChild();
    const sub = defineSupervisor({ id: 'db', intensity: 0, children: [{ id: 'writer', start: leaf }] });
    const { sup } = await start({ id: 'root', children: [{ id: 'db', start: sub }] });
    await startChild(subOf(sup, 'db'), { id: 'extra', start: dyn });
    leaf.crash();
    await flush(6);
    expect(whichChildren(subOf(sup, 'db')).map((c) => c.id)).toEqual(['writer']);
    await startChild(subOf(sup, 'db'), { id: 'extra', start: dyn });
    expect(dyn.handovers.at(-1)).toEqual({ resumeId: 'root/db/extra', incarnation: 0, previousExit: null });
  });

  it('two children of one tree never share a ResumeID: a clash is a clear error', async () => {
    const sub = defineSupervisor({ id: 'db', children: [{ id: 'w', start: scriptedChild(), resumeId: 'orders' }] });
    const logic = defineSupervisor({ id: 'root', children: [{ id: 'x', start: scriptedChild(), resumeId: 'orders' }, { id: 'db', start: sub }] });
    const error = await startSupervisor(logic, { clock: createTestClock() }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'failed_to_start_child', childId: 'db', cause: { code: 'invalid_child_spec', field: 'resumeId', value: 'orders' } });
    expect(String((error as Error & { cause: Error }).cause.message)).toContain('"root/x" already has it');

    const { sup } = await start({ id: 'root', children: [{ id: 'a', start: scriptedChild() }] });
    await expect(startChild(sup, { id: 'b', start: scriptedChild(), resumeId: 'root/a' })).rejects.toMatchObject({ field: 'resumeId' });
    expect(whichChildren(sup).map((c) => c.id)).toEqual(['a']);
  });

  it('with a handover store, a new program continues incarnations; a child running at the crash gets lost', async () => {
    const store = memoryStore();
    const clock = createTestClock(5_000);
    const program = (kid: ReturnType<typeof scriptedChild>, other: ReturnType<typeof scriptedChild>) =>
      defineSupervisor({ id: 'root', intensity: 5, handoverStore: store, children: [{ id: 'db', start: kid }, { id: 'done', start: other, restart: 'transient' }] });
    const first = scriptedChild();
    const finished = scriptedChild();
    const sup1 = await startSupervisor(program(first, finished), { clock });
    first.crash();
    finished.exitNormal();
    await flush();
    expect(store.entries.get('root/db')).toMatchObject({ incarnation: 1, running: true });
    sup1.stop(); // not an orderly stop: as if the program died. The store still says running.
    store.entries.set('root/db', { ...store.entries.get('root/db')!, running: true });

    const second = scriptedChild();
    const again = scriptedChild();
    clock.advance(1_000);
    await startSupervisor(program(second, again), { clock });
    expect(second.handovers[0]).toEqual({ resumeId: 'root/db', incarnation: 2, previousExit: { reason: 'lost', at: 6_000 } });
    expect(again.handovers[0]).toMatchObject({ resumeId: 'root/done', incarnation: 1, previousExit: { reason: 'normal' } });
  });

  it('an orderly stop leaves previousExit shutdown for the next program', async () => {
    const store = memoryStore();
    const kid = scriptedChild();
    const logic = defineSupervisor({ id: 'root', handoverStore: store, children: [{ id: 'db', start: kid }] });
    const { stopSupervisor } = await import('@trellis/core');
    await stopSupervisor(await startSupervisor(logic, { clock: createTestClock() }));
    await startSupervisor(logic, { clock: createTestClock() });
    expect(kid.handovers[1]).toMatchObject({ incarnation: 1, previousExit: { reason: 'shutdown' } });
  });
});
