// Pools (OTP-SEMANTICS §2, Elixir PartitionSupervisor): one spec copied into members
// ${id}-1 … ${id}-N under an ordinary supervisor, resized with startChild / terminateChild /
// deleteChild.
import { describe, expect, it } from 'vitest';
import {
  childSpec,
  countChildren,
  defineSupervisor,
  exit,
  fromWorker,
  InvalidChildSpecError,
  StartChildError,
  startSupervisor,
  stopSupervisor,
  SupervisorNotRunningError,
  terminateChild,
  whichChildren,
  poolMemberId,
  poolSpecs,
  resizePool,
  type Handover,
  type SupervisorConfig,
  type SupervisorFact,
} from '@trellis/core';
import { createTestClock, scriptedChild } from '@trellis/core/testing';
import { flush } from '../helpers.js';

/** Starts a supervisor on a test clock and records its facts (test/helpers.ts `start`, on src types). */
async function start(config: SupervisorConfig) {
  const facts: SupervisorFact[] = [];
  const sup = await startSupervisor(defineSupervisor(config), { clock: createTestClock(1_000) });
  sup.on('*', (fact) => facts.push(fact as SupervisorFact));
  return { sup, facts };
}

function rows(sup: Awaited<ReturnType<typeof start>>['sup']): Array<[string, string, number]> {
  return whichChildren(sup).map((c) => [c.id, c.status, c.incarnation]);
}

/** One worker logic shared by every member; each incarnation can be crashed by its resumeId. */
function member() {
  const live = new Map<string, (error: Error) => void>();
  const handovers: Array<Handover & { input: unknown }> = [];
  const logic = fromWorker((ctx) => {
    handovers.push({ ...ctx.handover, input: ctx.input });
    return new Promise((resolve, reject) => {
      live.set(ctx.handover.resumeId, reject);
      ctx.signal.addEventListener('abort', () => resolve(exit.shutdown()));
    });
  });
  return { logic, handovers, crash: (resumeId: string) => live.get(resumeId)?.(new Error(`${resumeId} crashed`)) };
}

describe('poolSpecs', () => {
  it('names members ${id}-1 … ${id}-N and copies every field of the spec', () => {
    const logic = scriptedChild();
    const specs = poolSpecs({ id: 'parser', start: logic, restart: 'transient', shutdown: 250, input: { topic: 'a' } }, 3);
    expect(specs.map((s) => s.id)).toEqual(['parser-1', 'parser-2', 'parser-3']);
    for (const spec of specs) {
      expect(spec).toMatchObject({ start: logic, restart: 'transient', shutdown: 250, type: 'worker', significant: false, input: { topic: 'a' }, resumeId: undefined });
    }
    expect(poolMemberId('parser', 7)).toBe('parser-7');
  });

  it('gives each member its own input through withInput (Elixir :with_arguments)', () => {
    const specs = poolSpecs({ id: 'shard', start: scriptedChild(), input: { of: 3 } }, 3, { withInput: (input, index) => ({ ...input, index }) });
    expect(specs.map((s) => s.input)).toEqual([
      { of: 3, index: 1 },
      { of: 3, index: 2 },
      { of: 3, index: 3 },
    ]);
  });

  it('derives a ResumeID per member from a resumeId set on the spec', () => {
    const specs = poolSpecs({ id: 'conn', start: scriptedChild(), resumeId: 'db-connections' }, 2);
    expect(specs.map((s) => s.resumeId)).toEqual(['db-connections-1', 'db-connections-2']);
  });

  it('accepts a validated spec and keeps backoff and health', () => {
    const backoff = { minMs: 10, maxMs: 100, factor: 2, jitter: 0, resetAfterMs: 1_000 };
    const [one] = poolSpecs(childSpec({ id: 'w', start: scriptedChild(), backoff }), 1);
    expect(one).toMatchObject({ id: 'w-1', backoff });
  });

  it('expands to nothing for size 0', () => {
    expect(poolSpecs({ id: 'w', start: scriptedChild() }, 0)).toEqual([]);
  });

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('rejects size %d', (size) => {
    expect(() => poolSpecs({ id: 'w', start: scriptedChild() }, size)).toThrow(RangeError);
  });

  it('rejects an invalid spec as childSpec does', () => {
    expect(() => poolSpecs({ id: '', start: scriptedChild() }, 2)).toThrow(InvalidChildSpecError);
  });
});

describe('a pool under a supervisor', () => {
  it('starts every member in index order, each with its own default ResumeID', async () => {
    const { logic, handovers } = member();
    const { sup } = await start({ id: 'root', children: [{ id: 'source', start: scriptedChild() }, ...poolSpecs({ id: 'parser', start: logic }, 3)] });
    expect(handovers.map((h) => h.resumeId)).toEqual(['root/parser-1', 'root/parser-2', 'root/parser-3']);
    expect(rows(sup)).toEqual([
      ['parser-3', 'running', 0],
      ['parser-2', 'running', 0],
      ['parser-1', 'running', 0],
      ['source', 'running', 0],
    ]);
    await stopSupervisor(sup);
  });

  it('one_for_one: a crashed member is restarted alone and keeps its ResumeID', async () => {
    const { logic, handovers, crash } = member();
    const { sup } = await start({ id: 'root', intensity: 5, periodMs: 60_000, children: poolSpecs({ id: 'parser', start: logic }, 3) });
    crash('root/parser-2');
    await flush();
    expect(rows(sup)).toEqual([
      ['parser-3', 'running', 0],
      ['parser-2', 'running', 1],
      ['parser-1', 'running', 0],
    ]);
    expect(handovers.at(-1)).toMatchObject({ resumeId: 'root/parser-2', incarnation: 1, previousExit: { reason: 'error' } });
    await stopSupervisor(sup);
  });
});

describe('resizePool', () => {
  it('grows with startChild, appending the missing members in index order', async () => {
    const { logic, handovers } = member();
    const spec = { id: 'parser', start: logic, input: { n: 0 } };
    const options = { withInput: (input: Record<string, unknown> | undefined, index: number) => ({ ...input, n: index }) };
    const { sup, facts } = await start({ id: 'root', children: poolSpecs(spec, 2, options) });
    expect(await resizePool(sup, spec, 4, options)).toBe(4);
    expect(whichChildren(sup).map((c) => c.id)).toEqual(['parser-4', 'parser-3', 'parser-2', 'parser-1']);
    expect(facts.filter((f) => f.type === 'sup.child.started').map((f) => f.type === 'sup.child.started' && [f.child, f.cause])).toEqual([
      ['parser-3', 'manual'],
      ['parser-4', 'manual'],
    ]);
    expect(handovers.slice(2).map((h) => [h.resumeId, h.input])).toEqual([
      ['root/parser-3', { n: 3 }],
      ['root/parser-4', { n: 4 }],
    ]);
    await stopSupervisor(sup);
  });

  it('shrinks from the highest index with terminateChild then deleteChild, by shutdown protocol', async () => {
    const { logic } = member();
    const spec = { id: 'parser', start: logic };
    const { sup, facts } = await start({ id: 'root', children: [...poolSpecs(spec, 4), { id: 'sink', start: scriptedChild() }] });
    expect(await resizePool(sup, spec, 1)).toBe(1);
    expect(whichChildren(sup).map((c) => c.id)).toEqual(['sink', 'parser-1']);
    expect(facts.filter((f) => f.type === 'sup.child.exited').map((f) => f.type === 'sup.child.exited' && [f.child, f.exit.reason, f.decision])).toEqual([
      ['parser-4', 'shutdown', 'stopped'],
      ['parser-3', 'shutdown', 'stopped'],
      ['parser-2', 'shutdown', 'stopped'],
    ]);
    expect(countChildren(sup)).toEqual({ specs: 2, active: 2, supervisors: 0, workers: 2 });
    await stopSupervisor(sup);
  });

  it('does not count toward intensity', async () => {
    const { logic } = member();
    const spec = { id: 'w', start: logic };
    const { sup } = await start({ id: 'root', intensity: 0, periodMs: 60_000, children: poolSpecs(spec, 3) });
    expect(await resizePool(sup, spec, 0)).toBe(0);
    expect(await resizePool(sup, spec, 5)).toBe(5);
    expect(await resizePool(sup, spec, 2)).toBe(2);
    expect(sup.getSnapshot().status).toBe('active');
    await stopSupervisor(sup);
  });

  it('leaves a pool of the right size as it is, and fills a hole left by deleting a member', async () => {
    const { logic } = member();
    const spec = { id: 'w', start: logic };
    const { sup, facts } = await start({ id: 'root', children: poolSpecs(spec, 3) });
    facts.length = 0;
    expect(await resizePool(sup, spec, 3)).toBe(3);
    expect(facts).toEqual([]);
    await terminateChild(sup, 'w-2'); // a stopped member still counts: its spec is there
    expect(await resizePool(sup, spec, 3)).toBe(3);
    expect(rows(sup)).toContainEqual(['w-2', 'stopped', 0]);
    await stopSupervisor(sup);
  });

  it('removes temporary members, whose spec terminateChild already dropped', async () => {
    const { logic } = member();
    const spec = { id: 'job', start: logic, restart: 'temporary' as const };
    const { sup } = await start({ id: 'root', children: poolSpecs(spec, 3) });
    expect(await resizePool(sup, spec, 1)).toBe(1);
    expect(whichChildren(sup).map((c) => c.id)).toEqual(['job-1']);
    await stopSupervisor(sup);
  });

  it('ignores children whose id only looks like a member', async () => {
    const { logic } = member();
    const spec = { id: 'w', start: logic };
    const { sup } = await start({
      id: 'root',
      children: [...poolSpecs(spec, 2), { id: 'w-0', start: scriptedChild() }, { id: 'w-x', start: scriptedChild() }, { id: 'w-01', start: scriptedChild() }],
    });
    expect(await resizePool(sup, spec, 0)).toBe(0);
    expect(whichChildren(sup).map((c) => c.id)).toEqual(['w-01', 'w-x', 'w-0']);
    await stopSupervisor(sup);
  });

  it('rejects with StartChildError when a new member fails to start, keeping the members started before it', async () => {
    const kid = scriptedChild();
    const spec = { id: 'w', start: kid };
    const { sup } = await start({ id: 'root', children: poolSpecs(spec, 1) });
    let starts = 0;
    const flaky = fromWorker(() => {
      if (++starts === 2) throw new Error('no more connections');
      return new Promise(() => {});
    });
    const flakySpec = { id: 'w', start: flaky, shutdown: 'brutal_kill' as const };
    await expect(resizePool(sup, flakySpec, 3)).rejects.toBeInstanceOf(StartChildError);
    expect(whichChildren(sup).map((c) => c.id)).toEqual(['w-2', 'w-1']);
    await stopSupervisor(sup);
  });

  it('rejects with SupervisorNotRunningError once the supervisor has ended', async () => {
    const spec = { id: 'w', start: scriptedChild() };
    const { sup } = await start({ id: 'root', children: poolSpecs(spec, 1) });
    await stopSupervisor(sup);
    await expect(resizePool(sup, spec, 2)).rejects.toBeInstanceOf(SupervisorNotRunningError);
  });
});
