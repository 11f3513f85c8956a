// singleton() in one process against a real PostgreSQL server: two trees stand for two hosts
// (each with its own holder id). Standby and takeover, the handover across "hosts", a crash,
// fencedWrite, and the validation of the timings. The same behaviours with real processes and
// faults are in faults.integration.test.ts.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineSupervisor, fromWorker, startSupervisor, stopSupervisor, whichChildren, type Handover, type Logger, type SupervisorRef } from '@trellis/core';
import { ClusterOptionsError, fencedWrite, postgresLeases, singleton, singletonStatus, StaleFencingTokenError, type LeaseFact, type Leases } from '../src/index.js';
import { fromProcess } from '@trellis/process';
import { handoverFromEnv } from '@trellis/core/env';
import { hasPostgres, usePostgres } from './helpers/usePostgres.js';

const until = async (what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> => {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe.runIf(hasPostgres)('singleton', () => {
  const db = usePostgres();
  let pool: pg.Pool;
  let hostA: Leases;
  let hostB: Leases;
  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: db.server.connectionString, max: 10 });
    hostA = postgresLeases({ pool, holder: 'host-a' });
    hostB = postgresLeases({ pool, holder: 'host-b' });
    await hostA.migrate();
  });
  afterAll(async () => {
    await pool?.end();
  });

  function host(leases: Leases, lease: string, started: Array<{ holder: string; handover: Handover }>, run?: (handover: Handover, signal: AbortSignal) => Promise<unknown>) {
    const child = fromWorker(async ({ handover, signal }) => {
      started.push({ holder: leases.holder, handover });
      if (run !== undefined) return run(handover, signal);
      await new Promise((resolve) => signal.addEventListener('abort', resolve));
    });
    return startSupervisor(
      defineSupervisor({
        id: 'app',
        intensity: 5,
        children: [singleton({ id: 'scheduler', lease, start: child, leases, ttlMs: 6_000, shutdown: 300 })], // long enough not to fence on a loaded machine
      }),
    );
  }
  const statusOf = (sup: SupervisorRef) => singletonStatus(whichChildren(sup)[0]?.ref);

  it('two hosts: one runs the child, the other stands by visibly; a graceful stop hands over at once with the exit', async () => {
    const started: Array<{ holder: string; handover: Handover }> = [];
    const facts: LeaseFact[] = [];
    const unsubscribe = hostA.subscribe((fact) => facts.push(fact));
    const factsB: LeaseFact[] = [];
    const unsubscribeB = hostB.subscribe((fact) => factsB.push(fact));
    const a = await host(hostA, 'graceful', started);
    await until('host a active', () => statusOf(a)?.state === 'active');
    const b = await host(hostB, 'graceful', started);
    await until('host b standby', () => statusOf(b)?.heldBy === 'host-a');
    expect(statusOf(b)?.state).toBe('standby');
    // whichChildren shows it as the row's subStatus (decision 0027); for the supervisor both are running.
    expect(whichChildren(b)[0]).toMatchObject({ status: 'running', subStatus: { state: 'standby', lease: 'graceful', holder: 'host-b', epoch: null, heldBy: 'host-a' } });
    expect(whichChildren(a)[0]).toMatchObject({ status: 'running', subStatus: { state: 'active', lease: 'graceful', holder: 'host-a', epoch: statusOf(a)?.epoch, heldBy: 'host-a' } });
    expect(statusOf(b)).toEqual(whichChildren(b)[0]?.subStatus);
    expect(started.map((s) => s.holder)).toEqual(['host-a']);
    const first = started[0]!.handover;
    expect(first).toMatchObject({ resumeId: 'scheduler', incarnation: 0, previousExit: null });
    expect(first.fencingToken).toBe(statusOf(a)?.epoch);

    const stoppedAt = performance.now();
    await stopSupervisor(a);
    await until('host b takes over', () => started.length === 2);
    const takeoverMs = performance.now() - stoppedAt;
    const second = started[1]!;
    expect(second.holder).toBe('host-b');
    expect(second.handover.resumeId).toBe('scheduler');
    expect(second.handover.incarnation).toBe(1);
    expect(second.handover.previousExit?.reason).toBe('shutdown');
    expect(second.handover.fencingToken).toBeGreaterThan(first.fencingToken!);
    // Taken from a released row (holder NULL), not after an expiry: no timing needed to tell.
    expect(factsB.find((f) => f.type === 'cluster.lease.acquired')?.previousHolder).toBeNull();
    expect(facts.map((f) => f.type)).toEqual(['cluster.lease.acquired', 'cluster.lease.released']);
    expect(hostA.counters()).toMatchObject({ acquired: 1, released: 1, lost: 0 });
    expect(hostB.counters()).toMatchObject({ acquired: 1, standby: 1 });
    console.log(`graceful handover: host-b started the child ${Math.round(takeoverMs)} ms after host-a's stop began (ttlMs 6000, standby poll 2000)`);
    unsubscribe();
    unsubscribeB();
    await stopSupervisor(b);
  });

  it('fenced after another holder took the row, it stands by naming that holder, never itself', async () => {
    const started: Array<{ holder: string; handover: Handover }> = [];
    const a = await host(hostA, 'stolen', started);
    await until('host a active', () => statusOf(a)?.state === 'active');
    const ref = whichChildren(a)[0]!.ref!;
    const seen: unknown[] = [];
    const subscription = ref.subscribe((snapshot) => seen.push((snapshot as { subStatus?: unknown }).subStatus));
    // Another holder takes the row behind host a's back: its next renewal is refused.
    await pool.query(`UPDATE trellis_leases SET holder = 'host-c', epoch = epoch + 1, expires_at = now() + interval '60 seconds' WHERE name = 'stolen'`);
    await until('host a fenced and in standby behind host-c', () => statusOf(a)?.state === 'standby' && statusOf(a)?.heldBy === 'host-c');
    subscription.unsubscribe();
    const states = seen.map((s) => (s as { state: string; heldBy: string | null }));
    expect(states.map((s) => s.state)).toContain('fencing');
    const standbys = states.filter((s) => s.state === 'standby');
    expect(standbys.length).toBeGreaterThan(0);
    for (const standby of standbys) expect(standby.heldBy).not.toBe('host-a');
    expect(whichChildren(a)[0]).toMatchObject({ status: 'running', subStatus: { state: 'standby', holder: 'host-a', epoch: null, heldBy: 'host-c' } });
    await stopSupervisor(a);
  });

  it("its state changes reach the tree's logger as lease facts: acquired, standby naming the holder, released", async () => {
    const records: Array<Record<string, unknown>> = [];
    const recording = (bindings: Record<string, unknown>): Logger => {
      const write = (level: string) => (record: unknown) => void records.push({ level, ...bindings, ...(record as Record<string, unknown>) });
      return { child: (more) => recording({ ...bindings, ...more }), debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
    };
    const child = fromWorker(async ({ signal }) => new Promise((resolve) => signal.addEventListener('abort', resolve)));
    const tree = (leases: Leases) =>
      startSupervisor(defineSupervisor({ id: 'app', logger: recording({}), children: [singleton({ id: 'logged', start: child, leases, ttlMs: 6_000, shutdown: 300 })] }));
    const a = await tree(hostA);
    await until('host a active', () => statusOf(a)?.state === 'active');
    const b = await tree(hostB);
    await until('host b standby', () => statusOf(b)?.heldBy === 'host-a');
    await stopSupervisor(a);
    await until('host b active', () => statusOf(b)?.state === 'active');
    await stopSupervisor(b);
    const lease = records.filter((r) => typeof r['event'] === 'string' && (r['event'] as string).startsWith('cluster.lease.') && r['lease'] === 'logged');
    expect(lease.map((r) => [r['holder'], r['event']])).toEqual([
      ['host-a', 'cluster.lease.acquired'],
      ['host-b', 'cluster.lease.standby'],
      ['host-a', 'cluster.lease.released'],
      ['host-b', 'cluster.lease.acquired'],
      ['host-b', 'cluster.lease.released'],
    ]);
    expect(lease[1]).toMatchObject({ level: 'info', child: 'logged', heldBy: 'host-a' }); // bound to the singleton's row
  });

  it('a crash of the child ends the singleton with the crash; the next start sees it as previousExit, on whichever host', async () => {
    const started: Array<{ holder: string; handover: Handover }> = [];
    let crashes = 1;
    const sup = await host(hostA, 'crash', started, async (_handover, signal) => {
      if (crashes-- > 0) throw new TypeError('bad row');
      await new Promise((resolve) => signal.addEventListener('abort', resolve));
    });
    await until('restarted', () => started.length === 2);
    expect(started[1]!.handover.incarnation).toBe(1);
    expect(started[1]!.handover.previousExit).toMatchObject({ reason: 'error', detail: { name: 'TypeError', message: 'bad row' } });
    expect(whichChildren(sup)[0]?.lastExit?.reason).toBe('error'); // the singleton itself ended with the crash
    await stopSupervisor(sup);
  });

  it('an OS-process child gets its fencing token as TRELLIS_FENCING_TOKEN and in TRELLIS_HANDOVER', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'trellis-cluster-')), 'env.json');
    const script = "require('node:fs').writeFileSync(process.argv[1], JSON.stringify({ token: process.env.TRELLIS_FENCING_TOKEN, handover: process.env.TRELLIS_HANDOVER })); setInterval(() => {}, 1e9);";
    const sup = await startSupervisor(
      defineSupervisor({
        id: 'app',
        children: [
          singleton({ id: 'exporter', start: fromProcess({ command: process.execPath, args: ['-e', script, file] }), leases: hostA, ttlMs: 3_000, shutdown: 500 }),
        ],
      }),
    );
    const lines: string[] = [];
    await until('the process wrote its env', () => existsSync(file) && lines.push(readFileSync(file, 'utf8')) > 0);
    const printed = JSON.parse(lines[0]!) as { token: string; handover: string };
    const epoch = singletonStatus(whichChildren(sup)[0]?.ref)?.epoch;
    expect(printed.token).toBe(String(epoch));
    expect(handoverFromEnv({ TRELLIS_HANDOVER: printed.handover, TRELLIS_FENCING_TOKEN: printed.token })).toMatchObject({ resumeId: 'exporter', incarnation: 0, fencingToken: epoch });
    await stopSupervisor(sup);
  });

  it('fencedWrite commits under the current token and refuses an old one, rolling back', async () => {
    await pool.query('CREATE TABLE IF NOT EXISTS ledger (token bigint, note text)');
    const old = await hostA.acquire('fence', 300);
    await new Promise((resolve) => setTimeout(resolve, 400));
    const current = await hostB.acquire('fence', 10_000);
    expect(current!.epoch).toBe(old!.epoch + 1);
    await fencedWrite(pool, { lease: 'fence', fencingToken: current!.epoch }, (client) => client.query("INSERT INTO ledger VALUES ($1, 'new')", [current!.epoch]));
    await expect(
      fencedWrite(pool, { lease: 'fence', fencingToken: old!.epoch }, (client) => client.query("INSERT INTO ledger VALUES ($1, 'stale')", [old!.epoch])),
    ).rejects.toBeInstanceOf(StaleFencingTokenError);
    const rows = await pool.query('SELECT note FROM ledger');
    expect(rows.rows.map((r) => r.note)).toEqual(['new']);
    // A released lease fences every token.
    await hostB.release(current!, current!.handover);
    await expect(fencedWrite(pool, { lease: 'fence', fencingToken: current!.epoch }, async () => 1)).rejects.toThrow(/no longer current/);
  });
});

describe('singleton options', () => {
  const leases = postgresLeases({ connectionString: 'postgres://127.0.0.1:1/none' });
  const start = fromWorker(async () => {});
  afterAll(() => leases.close());

  it('rejects timings that cannot stop the child before the lease expires, naming the field, rule and values', () => {
    expect(() => singleton({ id: 'job', start, leases, ttlMs: 10_000 })).toThrow(
      "singleton 'job': ttlMs must comfortably exceed renewDeadlineMs + shutdown, the longest a holder may take to notice it lost the lease and stop its child: renewDeadlineMs (5000) + shutdown (5000) = 10000 must be at most 80 % of ttlMs (8000); raise ttlMs or lower shutdown or renewDeadlineMs, got 10000.",
    );
    expect(() => singleton({ id: 'job', start, leases, ttlMs: 10_000, shutdown: 3_000 })).not.toThrow();
    expect(() => singleton({ id: 'job', start, leases, ttlMs: 10_000, shutdown: 'infinity' })).toThrow(/shutdown must be 'brutal_kill' or a number of milliseconds/);
    expect(() => singleton({ id: 'job', start, leases, ttlMs: 9_000, shutdown: 1_000, renewDeadlineMs: 2_000 })).toThrow(/renewDeadlineMs must be a number of milliseconds above ttlMs \/ 3 \(3000/);
    expect(() => singleton({ id: 'job', start, leases, ttlMs: 100 })).toThrow(/ttlMs must be a number of milliseconds of at least 300, got 100/);
  });

  it('an unknown key is an error naming the closest key; a bad child spec field is the core error', () => {
    const error = (() => {
      try {
        singleton({ id: 'job', start, leases, ttlMs: 10_000, shutdown: 1_000, ttl: 5 } as never);
      } catch (caught) {
        return caught as ClusterOptionsError;
      }
    })();
    expect(error).toBeInstanceOf(ClusterOptionsError);
    expect(error?.field).toBe('ttl');
    expect(error?.message).toMatch(/ttlMs/);
    expect(() => singleton({ id: 'job', start, leases, ttlMs: 10_000, shutdown: 1_000, restart: 'sometimes' as never })).toThrow(/restart/);
    expect(() => singleton({ id: 'job', start, leases: {} as never, ttlMs: 10_000, shutdown: 1_000 })).toThrow(/leases must be the leases of postgresLeases/);
  });
});
