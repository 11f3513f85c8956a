// Integration soak: random kill -9s of sleep/sh children; exact process count, no zombie. TRELLIS_SOAK=1 for 1,000 kills.
import { expect, it } from 'vitest';
import { defineSupervisor, startSupervisor, stopSupervisor, whichChildren } from '@trellis/core';
import { fromProcess, type ProcessSnapshot } from '../src/index.js';
import { childrenOfThisProcess, isGone, waitFor } from './helpers.js';
import { watchdogPid } from '../src/watchdog.js';

// 100 kills by default; TRELLIS_SOAK=1 runs the full 1,000.
const KILLS = process.env['TRELLIS_SOAK'] === '1' ? 1_000 : 100;
const CHILDREN = 6;

function ourProcesses(): Array<{ pid: number; state: string; comm: string }> {
  const wd = watchdogPid();
  return childrenOfThisProcess().filter((p) => p.pid !== wd);
}

it(`survives ${KILLS} random kill -9s with exactly ${CHILDREN} processes and no zombie`, async () => {
  const before = new Set(ourProcesses().map((p) => p.pid));
  const children = Array.from({ length: CHILDREN }, (_, i) =>
    i % 2 === 0
      ? { id: `sleep${i}`, start: fromProcess({ command: 'sleep', args: ['60'] }) }
      : { id: `sh${i}`, start: fromProcess({ command: 'sh', args: ['-c', 'echo up; exec sleep 60'], readiness: { kind: 'line', pattern: 'up' } }) },
  );
  const sup = await startSupervisor(defineSupervisor({ id: 'soak', intensity: 1_000_000, periodMs: 1_000, children }));
  const killed: number[] = [];
  let seed = 42;
  const random = (): number => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  try {
    for (let k = 0; k < KILLS; k++) {
      const infos = whichChildren(sup);
      const victim = infos[Math.floor(random() * infos.length)]!;
      const pid = (victim.ref?.getSnapshot() as ProcessSnapshot).pid!;
      const incarnation = victim.incarnation;
      process.kill(pid, 'SIGKILL');
      killed.push(pid);
      await waitFor(
        () => {
          const now = whichChildren(sup).find((c) => c.id === victim.id);
          return now?.incarnation === incarnation + 1 && (now.ref?.getSnapshot() as ProcessSnapshot | undefined)?.ready === true;
        },
        5_000,
        `restart ${k}`,
        1,
      );
      expect(whichChildren(sup).find((c) => c.id === victim.id)?.lastExit?.reason).toBe('killed');
    }
    const mine = ourProcesses().filter((p) => !before.has(p.pid));
    expect(mine.filter((p) => p.state === 'Z')).toEqual([]);
    expect(mine).toHaveLength(CHILDREN);
    const running = whichChildren(sup).map((c) => (c.ref?.getSnapshot() as ProcessSnapshot).pid);
    expect(new Set(mine.map((p) => p.pid))).toEqual(new Set(running));
    expect(killed.every(isGone)).toBe(true);
    expect(whichChildren(sup).reduce((n, c) => n + c.restarts, 0)).toBe(KILLS);
  } finally {
    await stopSupervisor(sup);
  }
  await waitFor(() => ourProcesses().filter((p) => !before.has(p.pid)).length === 0, 2_000, 'every child to be reaped');
}, KILLS > 100 ? 60_000 : 20_000);
