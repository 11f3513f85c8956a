// Decision 0025: a supervisor's restart loop must not starve the event loop. A real program (real
// clock) restarts a child that crashes as soon as it starts 50,000 times, in what would be one
// microtask chain, while a 50 ms setInterval counts its firings. Before the yield it fired 0 times.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const fixture = fileURLToPath(new URL('../fixtures/restartLoopProgram.ts', import.meta.url));
const run = promisify(execFile);

describe('a restart loop and the rest of the program', () => {
  it("a 50 ms interval keeps firing while a supervisor restarts a child that crashes at once, 50,000 times", async () => {
    const restarts = 50_000;
    const { stdout } = await run(process.execPath, ['--import', 'tsx', fixture, String(restarts)], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      timeout: 60_000,
    });
    const result = JSON.parse(stdout.trim()) as { restarts: number; firings: number; elapsedMs: number };
    expect(result.restarts).toBeGreaterThanOrEqual(restarts);
    // The loop takes a turn every 256 restarts, so the interval fires every 50 ms, or at every
    // turn when a loaded host makes 256 restarts take longer than that. A quarter of the lesser
    // leaves room for the host's pauses; starving gives 0.
    const expected = Math.min(result.elapsedMs / 50, result.restarts / 256);
    expect(result.firings, `${result.firings} firings in ${result.elapsedMs} ms`).toBeGreaterThanOrEqual(Math.max(1, Math.floor(expected / 4)));
  }, 90_000);
});
