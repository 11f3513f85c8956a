// Faults with real processes against a real PostgreSQL server: each "host" is a separate Node
// program (test/fixtures/host.ts) running a tree with singletons. Two hosts starting at once,
// SIGKILL of the holder, SIGSTOP past the lease then SIGCONT, and a blackholed connection (a TCP
// proxy of our own), and the database restarted. Every fenced write goes to a `history` table, and every test ends with the
// invariant check over it: epochs never go backwards, and one epoch belongs to one holder.
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { kill, killAll, startHost } from './helpers/hosts.js';
import { hasPostgres, usePostgres } from './helpers/usePostgres.js';
import { tcpProxy, type TcpProxy } from './helpers/tcpProxy.js';
import { checkHistory, createTables } from './helpers/history.js';
import { fencedWrite, StaleFencingTokenError } from '../src/index.js';

describe.runIf(hasPostgres)('cluster faults with real processes', () => {
  const db = usePostgres();
  let pool: pg.Pool;
  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: db.server.connectionString, max: 4 });
    pool.on('error', () => {}); // the restart test drops this pool's idle connections too
    await createTables(pool);
  });
  afterEach(() => {
    killAll();
  });
  afterAll(async () => {
    await pool?.end();
  });

  const base = (lease: string) => ({ DATABASE_URL: db.server.connectionString, LEASE: lease, TTL_MS: '3000', SHUTDOWN_MS: '200' });

  it('two hosts started at once: exactly one runs each child, over 100 singletons raced at the same time', async () => {
    const env = { ...base('race'), COUNT: '100', TTL_MS: '10000', RENEW_DEADLINE_MS: '6000' };
    const a = startHost('host-a', env);
    const b = startHost('host-b', env);
    await Promise.all([a.waitFor('up', (l) => l.event === 'host.up', 20_000), b.waitFor('up', (l) => l.event === 'host.up', 20_000)]);
    const startsOf = () => [...a.lines, ...b.lines].filter((l) => l.event === 'child.started');
    await new Promise<void>((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error(`only ${startsOf().length} of 100 children started`)), 20_000);
      const poll = setInterval(() => {
        if (startsOf().length >= 100) {
          clearInterval(poll);
          clearTimeout(deadline);
          resolve();
        }
      }, 50);
    });
    // Two renewal periods more: nobody starts a child twice, nobody loses one.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const starts = startsOf();
    const byLease = new Map<string, string[]>();
    for (const start of starts) byLease.set(start.lease!, [...(byLease.get(start.lease!) ?? []), start.holder]);
    // On a failure, the lines of one lease that ran twice say why.
    const twice = [...byLease.entries()].find(([, holders]) => holders.length > 1)?.[0];
    if (twice !== undefined) console.log(JSON.stringify([...a.lines, ...b.lines].filter((l) => l.lease === twice || l.event.startsWith('host')), null, 0));
    expect(byLease.size).toBe(100);
    expect([...byLease.values()].filter((holders) => holders.length !== 1)).toEqual([]);
    expect([...a.lines, ...b.lines].filter((l) => l.event === 'cluster.lease.lost')).toEqual([]);
    // Both hosts won some: a real race, not one host starting first.
    const wins = { a: starts.filter((s) => s.holder === 'host-a').length, b: starts.filter((s) => s.holder === 'host-b').length };
    console.log(`race of 100 singletons over two host processes: host-a ran ${wins.a}, host-b ran ${wins.b}`);
  }, 60_000);

  it('SIGKILL of the holder: the other host takes over within ttlMs plus a margin, same ResumeID, next incarnation, lost, higher token', async () => {
    const env = { ...base('kill'), WRITE_MS: '50' };
    const a = startHost('host-a', env);
    const startedA = await a.waitFor('a holds', (l) => l.event === 'child.started', 20_000);
    const b = startHost('host-b', env);
    await b.waitFor('b standby', (l) => l.event === 'cluster.lease.standby', 20_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const killedAt = Date.now();
    kill(a, 'SIGKILL');
    const startedB = await b.waitFor('b takes over', (l) => l.event === 'child.started', 8_000);
    const takeoverMs = startedB.t - killedAt;
    console.log(`SIGKILL takeover: ${takeoverMs} ms (ttlMs 3000)`);
    // The lease expires at most ttlMs after the kill (renewed up to ttlMs / 3 before it), the
    // standby polls every ttlMs / 3, plus a second of slack for a loaded machine.
    expect(takeoverMs).toBeLessThan(3_000 + 1_000 + 1_000);
    expect(startedB.handover!.resumeId).toBe(startedA.handover!.resumeId);
    expect(startedB.handover!.incarnation).toBe(startedA.handover!.incarnation + 1);
    expect(startedB.handover!.previousExit?.reason).toBe('lost');
    expect(startedB.handover!.fencingToken).toBeGreaterThan(startedA.handover!.fencingToken!);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await checkHistory(pool, 'kill', { holders: ['host-a', 'host-b'] });
  }, 40_000);

  it('SIGSTOP of the holder past its lease, then SIGCONT: its child is stopped at once, its writes never commit, a late fenced write with its token is refused', async () => {
    const env = { ...base('pause'), WRITE_MS: '50' };
    const a = startHost('host-a', env);
    await a.waitFor('a holds', (l) => l.event === 'child.started', 20_000);
    const b = startHost('host-b', env);
    await b.waitFor('b standby', (l) => l.event === 'cluster.lease.standby', 20_000);
    kill(a, 'SIGSTOP');
    await b.waitFor('b takes over', (l) => l.event === 'child.started', 8_000);
    await new Promise((resolve) => setTimeout(resolve, 300)); // b writes under the new token
    const resumedAt = Date.now();
    kill(a, 'SIGCONT');
    const stopped = await a.waitFor('a stops its child', (l) => l.event === 'child.stopped', 3_000);
    const lost = a.lines.find((l) => l.event === 'cluster.lease.lost');
    console.log(`SIGCONT → child stopped in ${stopped.t - resumedAt} ms (lease lost: ${String(lost?.['cause'])})`);
    expect(stopped.t - resumedAt).toBeLessThan(1_000);
    expect(lost).toBeDefined();
    // The write the paused child had in flight did not commit: the server ended its session
    // (idle in transaction past idleInTransactionMs, so it could not block b's takeover), or it
    // was refused; the history below has no write of a's token after b's first.
    const failed = a.lines.filter((l) => (l.event === 'write.refused' || l.event === 'write.failed') && l.t >= resumedAt);
    console.log(`host-a's writes after SIGCONT: ${failed.map((l) => `${l.event}${l['error'] === undefined ? '' : ` (${String(l['error'])})`}`).join(', ') || 'none in flight'}`);
    // A late write with a's token, made now, is refused.
    const tokenA = a.lines.find((l) => l.event === 'child.started')!.handover!.fencingToken!;
    await expect(
      fencedWrite(pool, { lease: 'pause', fencingToken: tokenA }, (client) => client.query("INSERT INTO history (lease, token, holder, seq) VALUES ('pause', $1, 'host-a', -1)", [tokenA])),
    ).rejects.toBeInstanceOf(StaleFencingTokenError);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await checkHistory(pool, 'pause', { holders: ['host-a', 'host-b'] });
    // Recovered: host-a is back in standby, host-b still runs the child.
    await a.waitFor('a standby again', (l) => l.event === 'cluster.lease.standby' && l.t > resumedAt, 3_000);
    expect(b.lines.some((l) => l.event === 'child.stopped')).toBe(false);
  }, 40_000);

  it('the database restarted under two hosts: the child never runs twice at once, and runs again afterwards', async () => {
    const env = { ...base('restart'), WRITE_MS: '50' };
    const a = startHost('host-a', env);
    await a.waitFor('a holds', (l) => l.event === 'child.started', 20_000);
    const b = startHost('host-b', env);
    await b.waitFor('b standby', (l) => l.event === 'cluster.lease.standby', 20_000);
    const restartedAt = Date.now();
    db.server.restart(); // pg_ctl stop -m fast, then start: every connection is dropped
    const back = Date.now();
    // Someone runs the child afterwards: a kept its lease (back within its deadline) or a host
    // took it over.
    await new Promise((resolve) => setTimeout(resolve, 4_500)); // 1.5 × ttlMs
    const lines = [...a.lines, ...b.lines].sort((x, y) => x.t - y.t);
    let runningOn: string | undefined;
    for (const line of lines) {
      if (line.event === 'child.started') {
        expect(runningOn, `${line.holder} started while ${runningOn} ran`).toBeUndefined();
        runningOn = line.holder;
      } else if (line.event === 'child.stopped') {
        runningOn = undefined;
      }
    }
    expect(runningOn).toBeDefined();
    const lost = lines.filter((l) => l.event === 'cluster.lease.lost');
    console.log(`database restart took ${back - restartedAt} ms; leases lost: ${lost.map((l) => `${l.holder} (${String(l['cause'])})`).join(', ') || 'none'}; child now on ${runningOn}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await checkHistory(pool, 'restart', { holders: [...new Set(lines.filter((l) => l.event === 'child.started').map((l) => l.holder))] });
  }, 60_000);

  it("a blackholed connection: the holder self-fences within its deadline, the other takes over, and it recovers once the network heals", async () => {
    const proxy: TcpProxy = await tcpProxy(db.server.port);
    try {
      const throughProxy = db.server.connectionString.replace(`:${db.server.port}/`, `:${proxy.port}/`);
      const a = startHost('host-a', { ...base('blackhole'), DATABASE_URL: throughProxy, WRITE_MS: '50' });
      await a.waitFor('a holds', (l) => l.event === 'child.started', 20_000);
      const b = startHost('host-b', { ...base('blackhole'), WRITE_MS: '50' });
      await b.waitFor('b standby', (l) => l.event === 'cluster.lease.standby', 20_000);
      const darkAt = Date.now();
      proxy.blackhole(true);
      const lost = await a.waitFor('a self-fences', (l) => l.event === 'cluster.lease.lost', 4_000);
      const stopped = await a.waitFor('a stops its child', (l) => l.event === 'child.stopped', 3_000);
      const startedB = await b.waitFor('b takes over', (l) => l.event === 'child.started', 8_000);
      console.log(
        `blackhole: host-a lost the lease ${lost.t - darkAt} ms after the cut (cause ${String(lost['cause'])}, ${String(lost['sinceConfirmedMs'])} ms since its last confirmed renewal), child stopped at ${stopped.t - darkAt} ms; host-b started at ${startedB.t - darkAt} ms (ttlMs 3000, renewDeadlineMs 1500)`,
      );
      // Stopped before the lease could expire, and before the other host started.
      expect(Number(lost['sinceConfirmedMs'])).toBeLessThan(1_500 + 250);
      expect(stopped.t).toBeLessThanOrEqual(startedB.t);
      proxy.blackhole(false);
      // Recovers: back to standby while b holds; takes over when b stops gracefully.
      await a.waitFor('a standby after the heal', (l) => l.event === 'cluster.lease.standby' && l.t > lost.t, 8_000);
      kill(b, 'SIGTERM');
      const again = await a.waitFor('a takes over again', (l) => l.event === 'child.started' && l.t > lost.t, 8_000);
      expect(again.handover!.previousExit?.reason).toBe('shutdown'); // b's graceful exit, from the row
      await new Promise((resolve) => setTimeout(resolve, 300));
      await checkHistory(pool, 'blackhole', { holders: ['host-a', 'host-b'] });
    } finally {
      await proxy.close();
    }
  }, 60_000);
});
