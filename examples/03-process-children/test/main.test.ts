import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const exampleDir = fileURLToPath(new URL('..', import.meta.url));

it('`tsx src/main.ts` shows restarts with the handover printed by each child, then stops the tree', async () => {
  const tsxCli = createRequire(import.meta.url).resolve('tsx/cli');
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [tsxCli, 'src/main.ts', '--duration-ms', '2000'], { cwd: exampleDir, timeout: 15_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr });
    });
  });
  expect(code, `exit code; stderr:\n${stderr}\nstdout:\n${stdout}`).toBe(0);
  // Each child printed its first handover, and the one after its crash or kill.
  expect(stdout).toMatch(/^ {2}node {3}#0 resumeId=root\/node previous exit: none$/m);
  expect(stdout).toMatch(/^ {2}node {3}#1 resumeId=root\/node previous exit: error \(code 1, signal -\)$/m);
  expect(stdout).toMatch(/^ {2}shell {2}#0 previous exit: none \(code -\)$/m);
  // TRELLIS_PREV_EXIT_CODE of a crash: '-' until core copies the crash's code onto the exit status.
  expect(stdout).toMatch(/^ {2}shell {2}#2 previous exit: error \(code (3|-)\)$/m);
  expect(stdout).toMatch(/^\[root\] shell #1 exited: error \(code 3, signal -\) -> restart$/m);
  expect(stdout).toMatch(/^ {2}sleep {2}#0 previous exit: none \(signal -\)$/m);
  expect(stdout).toMatch(/^ {2}sleep {2}#1 previous exit: killed \(signal SIGKILL\)$/m);
  expect(stdout).toMatch(/^\[root\] sleep #0 exited: killed \(code -, signal SIGKILL\) -> restart$/m);
  // The orderly stop: the Node child saw SIGTERM.
  expect(stdout).toMatch(/^ {2}node {3}#1 got SIGTERM, exiting$/m);
  expect(stdout).toContain('root stopped: {"reason":"normal"}');
}, 20_000);
