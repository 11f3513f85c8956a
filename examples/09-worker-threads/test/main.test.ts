import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const exampleDir = fileURLToPath(new URL('..', import.meta.url));

it('`tsx src/main.ts` shows a blocked thread ended by its heartbeat and a thread killed at its heap limit, each back with the reason in its handover', async () => {
  const tsxCli = createRequire(import.meta.url).resolve('tsx/cli');
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [tsxCli, 'src/main.ts', '--duration-ms', '4000'], { cwd: exampleDir, timeout: 25_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr });
    });
  });
  expect(code, `exit code; stderr:\n${stderr}\nstdout:\n${stdout}`).toBe(0);
  expect(stdout).toMatch(/^\[root\] stuck #0 exited: timeout \{"heartbeatMs":500\} -> restart$/m);
  expect(stdout).toMatch(/^ {2}stuck {2}#1 previous exit: timeout \{"heartbeatMs":500\}$/m);
  expect(stdout).toMatch(/^\[root\] leaky #0 exited: killed \{"limit":"memory","resourceLimits":\{"maxOldGenerationSizeMb":32,"maxYoungGenerationSizeMb":4\},"error":\{[^\n]*"code":"ERR_WORKER_OUT_OF_MEMORY"\}\} -> restart$/m);
  expect(stdout).toMatch(/^ {2}leaky {2}#1 previous exit: killed \(limit: \{"maxOldGenerationSizeMb":32,"maxYoungGenerationSizeMb":4\}\)$/m);
  // The orderly stop: the hasher saw its signal abort and exited by itself.
  expect(stdout).toMatch(/^ {2}hasher #0 asked to stop after \d+ rounds, exiting$/m);
  expect(stdout).toMatch(/^\[root\] hasher #0 exited: shutdown \{\} -> stopped$/m);
  expect(stdout).toContain('root stopped: {"reason":"normal"}');
}, 30_000);
