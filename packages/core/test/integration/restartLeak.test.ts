// Issue 20: a child that flaps for weeks must not grow its supervisor. A real program restarts a
// crashing child 300,000 times on the real clock and reports its heap after full GCs.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const fixture = fileURLToPath(new URL('../fixtures/restartLeakProgram.ts', import.meta.url));
const run = promisify(execFile);

describe('a supervisor that restarts forever', () => {
  it.each(['after-io', 'before-io'])('retains nothing measurable per restart of a child that crashes %s (300,000 restarts, heap after full GCs)', async (when) => {
    const restarts = 300_000;
    const { stdout } = await run(process.execPath, ['--expose-gc', '--import', 'tsx', fixture, String(restarts), when], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      timeout: 120_000,
    });
    interface Sample {
      readonly at: number;
      readonly heapUsed: number;
      readonly spaces: Record<string, number>;
    }
    const result = JSON.parse(stdout.trim()) as { early: Sample[]; late: Sample[]; restarts: number };
    expect(result.restarts).toBeGreaterThanOrEqual(restarts); // one more may land while it stops
    expect(result.early).toHaveLength(3);
    expect(result.late).toHaveLength(3);
    // The leaks this guards against kept 8 B per restart (the restart window, after-io) and ~3.5 KB
    // per restart (each incarnation through its predecessor's unformatted stack, before-io). Heap
    // noise after full GCs does not grow with the run: ~100-200 KiB on a quiet host, yet readings
    // of one sample per end reached 534 KiB once and 2 MiB once in loaded CI runs (not reproduced
    // here: nine runs, quiet and loaded, grew 137-218 KiB; a lone high sample is the likely cause).
    // So each end of the run is the lowest of three samples: a leak raises all three late ones, a
    // passing spike one. The span is the fewest restarts between an early and a
    // late sample (the last early, the first late), so the figure per restart is never understated.
    const lowest = (samples: Sample[]): Sample => samples.reduce((a, b) => (b.heapUsed < a.heapUsed ? b : a));
    const from = lowest(result.early);
    const to = lowest(result.late);
    const span = result.late[0]!.at - result.early[result.early.length - 1]!.at;
    const bySpace = Object.keys(to.spaces)
      .map((space) => `${space} ${to.spaces[space]! - (from.spaces[space] ?? 0)}`)
      .join(', ');
    const grownPerRestart = (to.heapUsed - from.heapUsed) / span;
    expect(
      grownPerRestart,
      `heap grew ${to.heapUsed - from.heapUsed} B over at least ${span} restarts (by space: ${bySpace}); samples ${JSON.stringify([...result.early, ...result.late].map((s) => [s.at, s.heapUsed]))}`,
    ).toBeLessThan(4);
  }, 180_000);
});
