import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { startSupervisor, stopSupervisor, whichChildren } from '@trellis/core';
import { createTestClock, settle } from '@trellis/core/testing';
import { describe, expect, it } from 'vitest';
import { buildPipeline, type Faults } from '../src/pipeline.js';
import { watchPipeline } from '../src/watch.js';

const exampleDir = fileURLToPath(new URL('..', import.meta.url));

async function run(faults: Faults, items = 24) {
  const clock = createTestClock();
  const logs: string[] = [];
  const pipeline = buildPipeline({ tickMs: 10, faults, log: (line) => logs.push(line) });
  const sup = await startSupervisor(pipeline.logic, { clock });
  const lines: string[] = [];
  const episodes = watchPipeline(sup, (line) => lines.push(line));
  while (pipeline.produced() < items) {
    clock.advance(10);
    for (let i = 0; i < 3; i++) await settle();
  }
  const incarnations = Object.fromEntries(whichChildren(sup).map((c) => [c.id, c.incarnation]));
  const result = await stopSupervisor(sup);
  return { pipeline, episodes, lines, logs, incarnations, result, clock };
}

describe('02-rest-for-one-pipeline', () => {
  it('a source crash restarts source, parser and sink; a sink crash restarts only the sink', async () => {
    const { pipeline, episodes, logs, incarnations, result, clock } = await run({ source: [5], sink: [12], parser: [18] });
    expect(episodes).toEqual([
      { crashed: 'source', reason: 'source failed making item 5', bystanders: ['sink', 'parser'], restarted: ['source', 'parser', 'sink'] },
      { crashed: 'sink', reason: 'sink lost its connection at item 12', bystanders: [], restarted: ['sink'] },
      { crashed: 'parser', reason: 'parser choked on item 18', bystanders: ['sink'], restarted: ['parser', 'sink'] },
    ]);
    expect(incarnations).toEqual({ source: 1, parser: 2, sink: 3 });
    // After the source restart the parser reads the new source queue, not the dead one.
    expect(logs).toContainEqual(expect.stringMatching(/^ {2}parser: incarnation 1 reads queue #\d+, writes queue #\d+ \(previous exit: bystander\)$/));
    expect(logs).toContainEqual(expect.stringMatching(/^ {2}sink: incarnation 2 reads queue #\d+ \(previous exit: error\)$/));
    // Only the items a crashing stage held are lost; everything else arrives, in order.
    const delivered = pipeline.delivered.map((item) => item.n);
    const expected = Array.from({ length: 24 }, (_, i) => i + 1).filter((n) => n !== 12 && n !== 18);
    expect(delivered).toEqual(expected.slice(0, delivered.length)); // the last item may still be in flight
    expect(delivered.length).toBeGreaterThanOrEqual(21);
    expect(pipeline.delivered[0]).toEqual({ n: 1, raw: '1', value: 1 });
    expect(result).toEqual({ reason: 'normal' });
    expect(clock.pending()).toBe(0);
  });

  it('without faults nothing restarts and every item is delivered', async () => {
    const { pipeline, episodes, result } = await run({ source: [], parser: [], sink: [] }, 10);
    expect(episodes).toEqual([]);
    expect(pipeline.delivered.map((item) => item.n)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(result).toEqual({ reason: 'normal' });
  });

  it('`tsx src/main.ts` prints the restarts, stops the pipeline and exits 0 on its own', async () => {
    const tsxCli = createRequire(import.meta.url).resolve('tsx/cli');
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [tsxCli, 'src/main.ts'], { cwd: exampleDir, timeout: 20_000 }, (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr });
      });
    });
    expect(code, `exit code; stderr:\n${stderr}`).toBe(0);
    expect(stdout).toContain('[pipeline] source crashed: source failed making item 5');
    expect(stdout).toContain('  source crashed -> restarted source, parser, sink');
    expect(stdout).toContain('  sink crashed -> restarted sink');
    expect(stdout).toContain('  parser crashed -> restarted parser, sink');
    expect(stdout).toContain('pipeline stopped: {"reason":"normal"}');
  }, 25_000);
});
