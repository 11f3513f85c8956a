// Two real host programs racing for one singleton, many times over (issue 15). Each round starts
// two Node processes (test/fixtures/host.ts) on the throwaway PostgreSQL, lets them load, then
// starts both trees at the same moment (SIGUSR2 to both). Exactly one must go active; the other
// must read standby with heldBy naming the winner, as an operator sees it: through
// whichChildren's subStatus, which the fixture prints. Then the winner is SIGKILLed and the
// standby must take over with the same ResumeID, incarnation 1, previousExit `lost` and a higher
// fencing token, its subStatus turning active under that token.
//
// TRELLIS_TWO_HOSTS_ROUNDS (default 100) rounds run TRELLIS_TWO_HOSTS_LANES (default 4) at a time,
// each on a lease of its own, with ttlMs 900 (TRELLIS_TWO_HOSTS_TTL_MS) so the whole run stays
// bounded. With so short a lease, a host starved of CPU for ~450 ms (renewDeadlineMs) fences
// itself, as it must: a round where a host printed `cluster.lease.lost` and a check then failed is
// counted as disturbed and run again on a new lease (at most a quarter of the rounds); a check
// that fails with no self-fence fails the test.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bundleHost, kill, killAll, startHost, type Host, type Line } from './helpers/hosts.js';
import { hasPostgres, usePostgres } from './helpers/usePostgres.js';
import { postgresLeases, type Leases } from '../src/index.js';

const ROUNDS = Number(process.env['TRELLIS_TWO_HOSTS_ROUNDS'] ?? 100);
const LANES = Number(process.env['TRELLIS_TWO_HOSTS_LANES'] ?? 4);
const TTL_MS = Number(process.env['TRELLIS_TWO_HOSTS_TTL_MS'] ?? 900);

type Round = { readonly winner: string; readonly takeoverMs: number } | { readonly disturbed: string };

type Status = { state: string; lease: string; holder: string; epoch: number | null; heldBy: string | null };
const statusOf = (line: Line): Status | null => line['subStatus'] as Status | null;

describe.runIf(hasPostgres)('two host processes racing for one singleton', () => {
  const db = usePostgres();
  let leases: Leases;
  let script: string;
  beforeAll(async () => {
    leases = postgresLeases({ connectionString: db.server.connectionString, holder: 'test' });
    await leases.migrate();
    script = await bundleHost(); // 200 programs: plain Node, not tsx
  }, 30_000);
  afterEach(() => {
    killAll();
  });
  afterAll(async () => {
    await leases?.close();
  });

  async function round(n: number): Promise<Round> {
    const lease = `duel-${n}`;
    const env = { DATABASE_URL: db.server.connectionString, LEASE: lease, TTL_MS: String(TTL_MS), SHUTDOWN_MS: String(Math.round(TTL_MS * 0.2)), STATUS_MS: '20', WAIT_GO: '1' };
    const hosts = [startHost('host-a', env, script), startHost('host-b', env, script)] as const;
    try {
      await Promise.all(hosts.map((h) => h.waitFor('loaded', (l) => l.event === 'host.loaded', 30_000)));
      for (const h of hosts) kill(h, 'SIGUSR2'); // the same moment for both
      const first = await Promise.race(hosts.map((h) => h.waitFor('a child started', (l) => l.event === 'child.started', 10_000).then((line) => ({ host: h, line }))));
      const winner = first.host;
      const loser = hosts.find((h) => h !== winner) as Host;
      const token = first.line.handover!.fencingToken!;
      expect(first.line.handover).toMatchObject({ resumeId: lease, incarnation: 0, previousExit: null });
      // The winner reads itself active under its token; the loser standby, held by the winner.
      await winner.waitFor('winner active', (l) => l.event === 'subStatus' && statusOf(l)?.state === 'active' && statusOf(l)?.epoch === token, 5_000);
      const standby = await loser.waitFor('loser standby held by the winner', (l) => l.event === 'subStatus' && statusOf(l)?.state === 'standby' && statusOf(l)?.heldBy === winner.name, 5_000);
      expect(standby['status']).toBe('running'); // a standby singleton is running for its supervisor
      expect(statusOf(standby)).toEqual({ state: 'standby', lease, holder: loser.name, epoch: null, heldBy: winner.name });
      // Exactly one went active: the loser never started the child nor read itself active.
      expect(loser.lines.filter((l) => l.event === 'child.started')).toEqual([]);
      expect(loser.lines.some((l) => l.event === 'subStatus' && statusOf(l)?.state === 'active')).toBe(false);

      const killedAt = Date.now();
      kill(winner, 'SIGKILL');
      const takeover = await loser.waitFor('the standby takes over', (l) => l.event === 'child.started', 10_000);
      expect(takeover.handover!.resumeId).toBe(lease);
      expect(takeover.handover!.incarnation).toBe(1);
      expect(takeover.handover!.previousExit?.reason).toBe('lost');
      expect(takeover.handover!.fencingToken).toBeGreaterThan(token);
      await loser.waitFor('the new holder active', (l) => l.event === 'subStatus' && statusOf(l)?.state === 'active' && statusOf(l)?.epoch === takeover.handover!.fencingToken && statusOf(l)?.heldBy === loser.name, 5_000);
      return { winner: winner.name, takeoverMs: takeover.t - killedAt };
    } catch (error) {
      const fenced = hosts.find((h) => h.lines.some((l) => l.event === 'cluster.lease.lost' && l.lease === lease));
      if (fenced === undefined) throw error;
      return { disturbed: `${lease}: ${fenced.name} fenced itself (${String((fenced.lines.find((l) => l.event === 'cluster.lease.lost') as Line)['cause'])}), then ${(error as Error).message.split(';')[0]}` };
    } finally {
      for (const h of hosts) kill(h, 'SIGKILL');
    }
  }

  it(`exactly one of two hosts started at once goes active, the other stands by naming it and takes over after a SIGKILL (${ROUNDS} rounds)`, async () => {
    const startedAt = performance.now();
    const results: Array<{ winner: string; takeoverMs: number }> = [];
    const disturbed: string[] = [];
    let next = 0;
    let inFlight = 0;
    let failed = false;
    // A lane takes the next round while fewer than ROUNDS have passed or are under way.
    const lane = async (): Promise<void> => {
      while (!failed && results.length + inFlight < ROUNDS) {
        inFlight++;
        const result = await round(next++)
          .catch((error: unknown) => {
            failed = true; // the other lanes start no more rounds
            throw error;
          })
          .finally(() => inFlight--);
        if ('disturbed' in result) disturbed.push(result.disturbed);
        else results.push(result);
        if (disturbed.length > ROUNDS / 4) throw new Error(`more than a quarter of the rounds disturbed by self-fencing:\n${disturbed.join('\n')}`);
      }
    };
    await Promise.all(Array.from({ length: Math.min(LANES, ROUNDS) }, lane));
    const seconds = (performance.now() - startedAt) / 1000;
    if (disturbed.length > 0) console.log(`two hosts: ${disturbed.length} disturbed round(s), run again:\n${disturbed.join('\n')}`);
    expect(results).toHaveLength(ROUNDS);
    const takeovers = results.map((r) => r.takeoverMs).sort((a, b) => a - b);
    const median = takeovers.length % 2 === 1 ? takeovers[(takeovers.length - 1) / 2]! : (takeovers[takeovers.length / 2 - 1]! + takeovers[takeovers.length / 2]!) / 2;
    const wins = { 'host-a': results.filter((r) => r.winner === 'host-a').length, 'host-b': results.filter((r) => r.winner === 'host-b').length };
    console.log(
      `two hosts: ${ROUNDS} rounds (${LANES} at a time, ${disturbed.length} more disturbed) in ${seconds.toFixed(1)} s, ttlMs ${TTL_MS}; wins host-a ${wins['host-a']}, host-b ${wins['host-b']}; takeover after SIGKILL median ${Math.round(median)} ms, max ${Math.round(takeovers.at(-1)!)} ms`,
    );
    // The lease expires at most ttlMs after the kill and the standby tries every ttlMs / 3: a
    // takeover within ttlMs + ttlMs / 3 plus a second of slack for a loaded machine.
    expect(takeovers.at(-1)!).toBeLessThan(TTL_MS + TTL_MS / 3 + 1_000);
  }, 300_000);
});
