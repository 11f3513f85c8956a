// postgresLeases against a real PostgreSQL server: the acquire statement's rules, renewal,
// release with the exit, and the race of many acquirers at once (in-process, 200 rounds).
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterOptionsError, postgresLeases, type Leases } from '../src/index.js';
import { hasPostgres, usePostgres } from './helpers/usePostgres.js';

describe.runIf(hasPostgres)('postgresLeases', () => {
  const db = usePostgres();
  let a: Leases;
  let b: Leases;
  let pool: pg.Pool;
  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: db.server.connectionString, max: 20 });
    a = postgresLeases({ pool, holder: 'host-a' });
    b = postgresLeases({ pool, holder: 'host-b' });
    await a.migrate();
    await a.migrate(); // idempotent
  });
  afterAll(async () => {
    await pool?.end();
  });

  it('hosts that migrate at once all succeed (CREATE TABLE IF NOT EXISTS alone races on the catalog), 20 fresh tables × 8 connections', async () => {
    const pools = Array.from({ length: 8 }, () => new pg.Pool({ connectionString: db.server.connectionString, max: 1 }));
    try {
      for (let round = 0; round < 20; round++) {
        const table = `migrate_race_${round}`;
        const results = await Promise.allSettled(pools.map((p, i) => postgresLeases({ pool: p, holder: `h${i}`, table }).migrate()));
        expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
      }
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  });

  it('acquire takes a new row at epoch 1 with expires_at from the database clock', async () => {
    const before = await pool.query('SELECT now() AS now');
    const grant = await a.acquire('new-row', 5_000);
    expect(grant?.epoch).toBe(1);
    expect(grant?.previousExit).toBeNull();
    expect(grant?.handover).toEqual({ incarnation: null, lastExit: null, running: false });
    const ms = grant!.expiresAt.getTime() - (before.rows[0].now as Date).getTime();
    expect(ms).toBeGreaterThanOrEqual(5_000);
    expect(ms).toBeLessThan(6_000);
  });

  it('a valid lease is not taken by another holder, and taken again (epoch + 1) by its own', async () => {
    const first = await a.acquire('held', 10_000);
    expect(await b.acquire('held', 10_000)).toBeUndefined();
    const again = await a.acquire('held', 10_000);
    expect(again?.epoch).toBe(first!.epoch + 1);
  });

  it('an expired lease goes to the next acquirer with epoch + 1, and a running incarnation comes back as lost', async () => {
    const first = await a.acquire('expiring', 200);
    expect(await a.writeHandover(first!, { incarnation: 4, lastExit: { reason: 'error', at: 1 }, running: true })).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await a.renew(first!, 200)).toBe(false); // expired: a renewal is refused
    const second = await b.acquire('expiring', 5_000);
    expect(second?.epoch).toBe(first!.epoch + 1);
    expect(second?.previousHolder).toBe('host-a');
    expect(second?.handover).toEqual({ incarnation: 4, lastExit: { reason: 'error', at: 1 }, running: true });
    expect(second?.previousExit?.reason).toBe('lost');
    // The stale holder can change nothing any more.
    expect(await a.writeHandover(first!, { incarnation: 9, lastExit: null, running: true })).toBe(false);
    expect(await a.release(first!, { incarnation: 9, lastExit: null, running: false })).toBe(false);
    expect((await a.inspect('expiring'))?.holder).toBe('host-b');
  });

  it('renew extends a held lease; release writes the exit and frees the row at once', async () => {
    const grant = await a.acquire('graceful', 1_000);
    expect(await a.renew(grant!, 60_000)).toBe(true);
    const row = await a.inspect('graceful');
    expect(row!.expiresAt.getTime() - Date.now()).toBeGreaterThan(50_000);
    expect(await a.release(grant!, { incarnation: 2, lastExit: { reason: 'shutdown', at: 5 }, running: false })).toBe(true);
    const next = await b.acquire('graceful', 1_000);
    expect(next?.epoch).toBe(grant!.epoch + 1);
    expect(next?.previousHolder).toBeNull();
    expect(next?.previousExit).toEqual({ reason: 'shutdown', at: 5 });
    expect(next?.handover.incarnation).toBe(2);
  });

  it('many acquirers racing for one row: exactly one wins each round, and epochs only go up (200 rounds, in-process)', async () => {
    const racers = Array.from({ length: 6 }, (_, i) => postgresLeases({ pool, holder: `racer-${i}` }));
    let lastEpoch = 0;
    for (let round = 0; round < 200; round++) {
      const grants = await Promise.all(racers.map((leases) => leases.acquire('race', 60_000)));
      const winners = grants.filter((grant) => grant !== undefined);
      expect(winners).toHaveLength(1);
      expect(winners[0]!.epoch).toBeGreaterThan(lastEpoch);
      lastEpoch = winners[0]!.epoch;
      const winner = racers[grants.findIndex((grant) => grant !== undefined)]!;
      expect(await winner.release(winners[0]!, { incarnation: round, lastExit: { reason: 'shutdown', at: round }, running: false })).toBe(true);
    }
  }, 90_000); // a bound for a hang on a loaded machine, not a timing

  it('a statement on a dead address is abandoned within its timeout, not hung', async () => {
    const dead = postgresLeases({ connectionString: 'postgres://postgres@10.255.255.1:5432/none', timeoutMs: 300 });
    const started = performance.now();
    await expect(dead.acquire('x', 1_000)).rejects.toThrow();
    expect(performance.now() - started).toBeLessThan(2_000);
    await dead.close();
  });
});

describe('postgresLeases options', () => {
  it('rejects bad and unknown options naming the field, the rule and the value', () => {
    expect(() => postgresLeases({ connectionString: 'postgres://x', table: 'Leases; drop' })).toThrow(/table must be a lower-case SQL identifier.*"Leases; drop"/);
    expect(() => postgresLeases({ connectionString: 'postgres://x', timeoutMs: 0 })).toThrow(/timeoutMs must be a positive number of milliseconds, got 0/);
    expect(() => postgresLeases({} as never)).toThrow(/pool or connectionString must be given/);
    const error = (() => {
      try {
        postgresLeases({ connectionString: 'postgres://x', tabel: 'x' } as never);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(ClusterOptionsError);
    expect((error as ClusterOptionsError).field).toBe('tabel');
    expect((error as Error).message).toMatch(/table/);
  });
});
