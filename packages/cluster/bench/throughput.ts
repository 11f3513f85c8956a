// Lease statement throughput against a real, throwaway PostgreSQL server on this machine: how
// many acquire and renew statements per second one server takes, to size N singletons over H
// hosts (docs/guides/cluster.md). Not a test: run it by hand, on a quiet machine.
//
//   cd packages/cluster && node --import tsx bench/throughput.ts [seconds=5] [connections=8]
//   (FSYNC=off for a server that does not flush its WAL, as the tests run it)
import pg from 'pg';
import { postgresLeases } from '../src/index.js';
import { startPostgres } from '../test/helpers/postgresServer.js';

const seconds = Number(process.argv[2] ?? 5);
const connections = Number(process.argv[3] ?? 8);
const server = await startPostgres({ fsync: process.env['FSYNC'] !== 'off' });
console.log(`fsync ${process.env['FSYNC'] === 'off' ? 'off' : 'on'}, ${seconds} s per measure`);
if (server === undefined) throw new Error('PostgreSQL is not installed');
try {
  const pool = new pg.Pool({ connectionString: server.connectionString, max: connections });
  const leases = postgresLeases({ pool, holder: 'bench' });
  await leases.migrate();

  async function measure(name: string, op: (worker: number, i: number) => Promise<unknown>): Promise<void> {
    const until = performance.now() + seconds * 1_000;
    const latencies: number[] = [];
    await Promise.all(
      Array.from({ length: connections }, async (_, worker) => {
        for (let i = 0; performance.now() < until; i++) {
          const started = performance.now();
          await op(worker, i);
          latencies.push(performance.now() - started);
        }
      }),
    );
    latencies.sort((a, b) => a - b);
    const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))]!.toFixed(2);
    console.log(`${name}: ${Math.round(latencies.length / seconds)} statements/s over ${connections} connections (p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms)`);
  }

  const grants = await Promise.all(Array.from({ length: connections }, (_, worker) => leases.acquire(`renew-${worker}`, 60_000)));
  await measure('renew (each connection its own lease)', (worker) => leases.renew(grants[worker]!, 60_000));
  await measure('acquire (re-acquire of a held lease, epoch + 1)', (worker) => leases.acquire(`renew-${worker}`, 60_000));
  let n = 0;
  await measure('acquire (a new lease each time: insert)', () => leases.acquire(`new-${n++}`, 60_000));
  const racers = Array.from({ length: connections }, (_, i) => postgresLeases({ pool, holder: `racer-${i}` }));
  await measure('acquire (all connections racing for one valid lease: refused)', (worker) => racers[worker]!.acquire('contended', 600_000));
  await pool.end();
} finally {
  server.drop();
}
