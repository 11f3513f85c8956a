// Integration (issue 9): random SIGKILLs of children and grandchildren under a small tree for a
// bounded time; then the exact process set, no zombie, incarnations without gaps, and no orphan
// once the supervising program itself is SIGKILLed. CHAOS_MS=20000 (or TRELLIS_SOAK=1) for longer.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { isGone, waitFor } from './helpers.js';

const fixture = fileURLToPath(new URL('./fixtures/chaos-tree.ts', import.meta.url));
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const chaosMs = Number(process.env['CHAOS_MS'] ?? (process.env['TRELLIS_SOAK'] === '1' ? 20_000 : 3_000));

interface Report {
  kills: number;
  restarts: number;
  watchdogs: number;
  others: string[];
  gaps: string[];
  processes: { leaders: number; grandchildren: number; other: number };
  zombies: number;
  pids: number[];
}

it(`survives ${chaosMs} ms of random SIGKILLs of children and grandchildren, then leaves no orphan`, async () => {
  const program = spawn(process.execPath, ['--import', 'tsx', fixture], {
    cwd: packageDir,
    env: { ...process.env, CHAOS_MS: String(chaosMs) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  program.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  try {
    await waitFor(() => out.includes('\n'), chaosMs + 30_000, 'the chaos run to finish', 20);
    const report = JSON.parse(out.slice(0, out.indexOf('\n'))) as Report;
    console.log(`chaos: ${report.kills} kills in ${chaosMs} ms`);
    // The program runs until at least CHAOS_MIN_KILLS (8) kills, however busy the machine.
    expect(report.kills).toBeGreaterThanOrEqual(8);
    expect(report.restarts, 'automatic restarts (sum of incarnations) equal kills').toBe(report.kills);
    expect(report.gaps).toEqual([]);
    expect(report.watchdogs).toBe(1);
    expect(report.others, 'processes of ours that are neither a leader, a grandchild nor the watchdog').toEqual([]);
    expect(report.processes).toEqual({ leaders: 4, grandchildren: 4, other: 0 });
    expect(report.zombies).toBe(0);

    program.kill('SIGKILL');
    const killedAt = Date.now();
    await waitFor(() => report.pids.every(isGone), 1_000, 'every child and grandchild to be gone');
    expect(Date.now() - killedAt).toBeLessThanOrEqual(1_000);
  } finally {
    program.kill('SIGKILL');
  }
}, 60_000);
