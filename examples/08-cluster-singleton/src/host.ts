// One instance of the program. Run two (or more) of them against one database: the `scheduler`
// child runs on exactly one; kill that one and another takes over with the handover.
//
//   DATABASE_URL=postgres://… HOST=a npx tsx src/host.ts
import { defineSupervisor, fromWorker, startSupervisor, stopOnSignals, whichChildren } from '@trellis/core';
import { fencedWrite, postgresLeases, singleton, StaleFencingTokenError } from '@trellis/cluster';

const url = process.env['DATABASE_URL'];
if (url === undefined) throw new Error('set DATABASE_URL, e.g. postgres://postgres@127.0.0.1:5432/postgres');
const host = process.env['HOST'] ?? String(process.pid);
const log = (line: string): void => console.log(`[${host}] ${line}`);

const leases = postgresLeases({ connectionString: url, holder: `host-${host}` });
await leases.migrate(); // explicit: creates trellis_leases if it does not exist
await leases.pool.query('CREATE TABLE IF NOT EXISTS ticks (token bigint NOT NULL, host text NOT NULL, at timestamptz NOT NULL DEFAULT now())');
leases.subscribe((fact) => {
  if (fact.type !== 'cluster.lease.renewedLate') log(fact.type.replace('cluster.lease.', 'lease '));
});

// The singleton's child: a scheduler that records a tick every second. Every write is fenced, so
// a copy of it that was paused past its lease cannot write after another host took over.
const scheduler = fromWorker(async ({ handover, signal, sleep }) => {
  const previous = handover.previousExit === null ? 'none' : handover.previousExit.reason;
  log(`scheduler running: resumeId=${handover.resumeId} incarnation=${handover.incarnation} previousExit=${previous} fencingToken=${handover.fencingToken}`);
  while (!signal.aborted) {
    try {
      await fencedWrite(leases.pool, { lease: handover.resumeId, fencingToken: handover.fencingToken! }, (client) => client.query('INSERT INTO ticks (token, host) VALUES ($1, $2)', [handover.fencingToken, host]), { signal });
    } catch (error) {
      if (error instanceof StaleFencingTokenError) log('a tick was refused: this copy no longer holds the lease');
      else if (!signal.aborted) log(`a tick failed: ${String(error)}`);
    }
    await sleep(1_000).catch(() => undefined); // ends early when the child is asked to stop
  }
  log('scheduler stopped');
});

const sup = await startSupervisor(
  defineSupervisor({
    id: 'app',
    children: [singleton({ id: 'scheduler', start: scheduler, leases, ttlMs: 3_000, shutdown: 500 })],
  }),
);
log(`up (${whichChildren(sup)[0]?.subStatus?.state ?? 'unknown'})`);

// What an operator sees: the singleton's row in whichChildren is `running` on every host, and its
// subStatus says which host is active (decision 0027). A lease taken elsewhere is no event of
// this tree, so the row is read every 200 ms and printed when it changes.
let shown = '';
const watch = setInterval(() => {
  let sub;
  try {
    sub = whichChildren(sup)[0]?.subStatus;
  } catch {
    return; // the tree has just ended
  }
  if (sub === undefined) return;
  const line =
    sub.state === 'standby'
      ? `status standby (lease ${sub['heldBy'] === null ? 'not held by another host yet' : `held by ${String(sub['heldBy'])}`})`
      : sub.state === 'active'
        ? `status active (fencing token ${String(sub['epoch'])})`
        : `status ${sub.state}`;
  if (line !== shown) log((shown = line));
}, 200);
stopOnSignals(sup).stopped.then(async () => {
  clearInterval(watch);
  await leases.close();
  log('host stopped');
});
