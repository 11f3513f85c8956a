import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const exampleDir = fileURLToPath(new URL('..', import.meta.url));
const tsxCli = createRequire(import.meta.url).resolve('tsx/cli');

function run(script: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [tsxCli, script, ...args], { cwd: exampleDir, timeout: 40_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr });
    });
  });
}

it('`tsx src/main.ts` reloads two servers on one port: each reload is answered by the new incarnations', async () => {
  const { code, stdout, stderr } = await run('src/main.ts', ['--reloads', '2']);
  expect(code, `exit code; stderr:\n${stderr}\nstdout:\n${stdout}`).toBe(0);
  expect(stdout).toMatch(/^serving http:\/\/127\.0\.0\.1:\d+\/ from 2 processes$/m);
  expect(stdout).toMatch(/^ {2}now: served by pid \d+, incarnation 0$/m);
  expect(stdout).toMatch(/^\[web\] http-1 #0 replaced by #1$/m);
  expect(stdout).toMatch(/^\[web\] http-2 #1 replaced by #2$/m);
  expect(stdout).toMatch(/^ {2}now: served by pid \d+, incarnation 2$/m);
  expect(stdout).toContain('stopped: {"reason":"normal"}');
}, 45_000);

it('`tsx src/measure.ts` under a bounded loopback load: no request refused or cut during the reloads', async () => {
  const { code, stdout, stderr } = await run('src/measure.ts', ['--reloads', '3', '--clients', '4']);
  expect(code, `exit code; stderr:\n${stderr}\nstdout:\n${stdout}`).toBe(0);
  expect(stdout).toMatch(/^3 reloads of 2 processes \(3 completed\) in [\d.]+ s under 4 clients, a new connection per request$/m);
  const counts = /^answered (\d+), refused (\d+), cut (\d+), other status (\d+); slowest [\d.]+ ms$/m.exec(stdout);
  expect(counts, stdout).not.toBeNull();
  expect(Number(counts?.[1])).toBeGreaterThan(0);
  expect(counts?.slice(2, 5).map(Number)).toEqual([0, 0, 0]);
}, 45_000);
