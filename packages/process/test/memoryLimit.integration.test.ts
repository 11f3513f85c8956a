// Integration: a real Node process that grows its resident set size, under a real supervisor with a
// memoryLimit, on the real clock; every wait is bounded and every tree stopped in `finally`.
import { describe, expect, it } from 'vitest';
import { defineSupervisor, startSupervisor, stopSupervisor, whichChildren, type SupervisorExit } from '@trellis/core';
import { fromProcess, type ProcessSnapshot } from '../src/index.js';
import { captureLogs } from './fakeSpawner.js';
import { isGone, waitFor } from './helpers.js';

const MB = 1024 * 1024;
/** How long a step may take: a bound for a hang, not a timing (a loaded machine is slow to start node). */
const BOUND = 45_000;
// Grows by 8 MB of touched memory every 20 ms up to 320 MB, on the incarnations listed in LEAK_ON
// ("all" for every one), and prints its handover's previous exit first.
const GROWER = [
  "const inc = Number(process.env.TRELLIS_INCARNATION);",
  "console.log('up #' + inc + ' previous ' + (process.env.TRELLIS_PREV_EXIT_REASON || 'none'));",
  "const leak = process.env.LEAK_ON === 'all' || inc === 0; const keep = [];",
  "setInterval(() => { if (leak && keep.length < 40) keep.push(Buffer.alloc(8 * 1024 * 1024, 1)); }, 20);",
].join(' ');

describe('memoryLimit on a real process', { timeout: 120_000 }, () => {
  it('measures the whole group (node under a non-exec sh), stops it over the limit: killed, with the figure, and the next incarnation sees it', async () => {
    const { logger, records } = captureLogs();
    const logic = fromProcess({
      command: 'sh',
      args: ['-c', `"${process.execPath}" -e "${GROWER}"; echo after`], // not exec: sh leads the group, node is its child
      logger,
      readiness: { kind: 'line', pattern: /^up / },
      memoryLimit: { maxRssMb: 120, intervalMs: 100, samples: 2, killAfterMs: 2_000 },
    });
    const sup = await startSupervisor(defineSupervisor({ id: 'root', intensity: 5, periodMs: 30_000, children: [{ id: 'grower', start: logic }] }));
    try {
      const firstPid = (whichChildren(sup)[0]?.ref?.getSnapshot() as ProcessSnapshot).pid!;
      await waitFor(() => whichChildren(sup)[0]?.restarts === 1, BOUND, 'the memory-limit restart', 20);
      const exit = whichChildren(sup)[0]!.lastExit!;
      expect(exit).toMatchObject({ reason: 'killed', detail: { limit: 'memory', maxRssMb: 120, samplesOver: 2, intervalMs: 100 } });
      expect((exit.detail as { rssBytes: number }).rssBytes).toBeGreaterThan(120 * MB);
      expect(isGone(firstPid)).toBe(true);
      await waitFor(() => records.some((r) => r.msg === 'up #1 previous killed'), BOUND, 'the next incarnation');
      expect(records.find((r) => r.obj['event'] === 'process.memory.exceeded')?.obj).toMatchObject({ limit: 'memory', maxRssMb: 120 });
      // The healthy incarnation stays up: a few more sampling rounds, no second restart.
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(whichChildren(sup)[0]?.restarts).toBe(1);
    } finally {
      await stopSupervisor(sup);
    }
  });

  it('respects the restart intensity: a child over its limit on every start makes its supervisor give up', async () => {
    const exits: SupervisorExit[] = [];
    const logic = fromProcess({
      command: process.execPath,
      args: ['-e', GROWER],
      env: { LEAK_ON: 'all' },
      memoryLimit: { maxRssMb: 80, intervalMs: 50, samples: 1, killAfterMs: 1_000 },
    });
    const sup = await startSupervisor(defineSupervisor({ id: 'root', intensity: 2, periodMs: 60_000, logger: captureLogs().logger, children: [{ id: 'grower', start: logic }] }), {
      onGiveUp: (exit) => exits.push(exit),
    });
    try {
      await waitFor(() => exits.length === 1, BOUND, 'the supervisor to give up', 20);
      expect(exits[0]).toMatchObject({ reason: 'shutdown' });
    } finally {
      if (sup.getSnapshot().status === 'active') await stopSupervisor(sup);
    }
  });
});
