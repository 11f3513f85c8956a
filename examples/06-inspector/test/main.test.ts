import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const exampleDir = fileURLToPath(new URL('..', import.meta.url));

describe('06-inspector', () => {
  it('`tsx src/main.ts` streams the tree to a local inspector relay, restarts crashed workers and exits 0', async () => {
    const tsxCli = createRequire(import.meta.url).resolve('tsx/cli');
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [tsxCli, 'src/main.ts', '--duration-ms', '900', '--crash-every-ms', '300'], { cwd: exampleDir, timeout: 20_000 }, (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr });
      });
    });
    expect(code, `exit code; stderr:\n${stderr}`).toBe(0);
    expect(stdout).toMatch(/^local inspector relay on ws:\/\/127\.0\.0\.1:\d+/m);
    expect(stdout).toContain('[root/db] writer exited (error) -> restart');
    expect(stdout).toContain('[root] http restarted as incarnation 1');
    // The supervisors and every incarnation of the crashed workers reached the inspector.
    const relay = /the relay received (\d+) actors \(([^)]*)\) and (\d+) snapshots/.exec(stdout);
    expect(relay, stdout).not.toBeNull();
    expect(relay?.[2]?.split(', ')).toEqual(expect.arrayContaining(['root', 'db@0', 'writer@0', 'writer@1', 'http@0', 'http@1', 'pool@0']));
    expect(Number(relay?.[3])).toBeGreaterThan(0);
    expect(stdout).toContain('root stopped: {"reason":"normal"}');
  }, 25_000);
});
