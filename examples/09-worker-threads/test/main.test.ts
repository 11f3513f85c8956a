import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const exampleDir = fileURLToPath(new URL('..', import.meta.url));

it('`tsx src/main.ts` shows a blocked thread ended by its heartbeat, a thread killed at its heap limit and a process stopped over its memory limit, each back with the reason in its handover', async () => {
  const tsxCli = createRequire(import.meta.url).resolve('tsx/cli');
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [tsxCli, 'src/main.ts', '--max-ms', '60000'], { cwd: exampleDir, timeout: 90_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr });
    });
  });
  expect(code, `exit code; stderr:\n${stderr}\nstdout:\n${stdout}`).toBe(0);
  // Each runaway child came back once, with the reason (and the figure) in its handover.
  expect(stdout).toMatch(/^ {2}stuck {2}#1 previous exit: timeout \{"check":"heartbeat","heartbeatMs":500\}$/m);
  expect(stdout).toMatch(/^ {2}leaky {2}#1 previous exit: killed \(limit: \{"maxOldGenerationSizeMb":32,"maxYoungGenerationSizeMb":4\}\)$/m);
  expect(stdout).toMatch(/^ {2}hog {4}#1 previous exit: killed \(rss \d+ MB over 96 MB, 2 readings\)$/m);
  // The summary: whichChildren's lastExit of each.
  expect(stdout).toMatch(/^ {2}stuck {2}incarnation 1, restarts 1, last exit timeout \{"check":"heartbeat","heartbeatMs":500\}$/m);
  expect(stdout).toMatch(/^ {2}leaky {2}incarnation 1, restarts 1, last exit killed \{"limit":"memory","resourceLimits":\{"maxOldGenerationSizeMb":32,"maxYoungGenerationSizeMb":4\},"error":\{[^\n]*"code":"ERR_WORKER_OUT_OF_MEMORY"\}\}$/m);
  expect(stdout).toMatch(/^ {2}hog {4}incarnation 1, restarts 1, last exit killed \{"limit":"memory","maxRssMb":96,"rssBytes":\d+,"samplesOver":2,"intervalMs":200\}$/m);
  // The orderly stop: the hasher saw its signal abort and exited by itself.
  expect(stdout).toMatch(/^ {2}hasher #0 asked to stop after \d+ rounds, exiting$/m);
  expect(stdout).toMatch(/^\[root\] hasher #0 exited: shutdown \{\} -> stopped$/m);
  expect(stdout).toContain('root stopped: {"reason":"normal"}');
}, 100_000);
