import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const exampleDir = fileURLToPath(new URL('..', import.meta.url));
const tsxCli = createRequire(import.meta.url).resolve('tsx/cli');

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [tsxCli, 'src/main.ts', ...args], { cwd: exampleDir, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr });
    });
  });
}

it('`tsx src/main.ts` runs interval and cron children, restarts a failed run, and catches up once after downtime from the store', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'trellis-example-schedule-'));
  try {
    const store = join(dir, 'handover.json');
    const first = await run(['--duration-ms', '6000', '--store', store]);
    expect(first.code, `stderr:\n${first.stderr}\nstdout:\n${first.stdout}`).toBe(0);
    // Nothing at boot; the next run time of each child, from whichChildren.
    expect(first.stdout).toMatch(/^ {2}sweep {3}next run \d{4}-\d\d-\d\dT[\d:.]+Z, last run none$/m);
    expect(first.stdout).toMatch(/^ {2}sweep {3}run #1 previous: none$/m);
    expect(first.stdout).toMatch(/^ {2}sweep {3}run #2 previous: normal$/m);
    expect(first.stdout).toMatch(/^ {2}tokyo {3}run #1 previous: none \(\d\d:\d\d:\d[02468] in Tokyo\)$/m);
    // flaky's second run fails: the scheduler is restarted, and the third run sees the failure.
    expect(first.stdout).toMatch(/^\[root\] flaky exited: error \(flaky run #2 failed\) -> restart$/m);
    expect(first.stdout).toMatch(/^ {2}flaky {3}run #3 previous: error$/m);
    expect(first.stdout).toMatch(/^ {2}nightly next run \S+, last run none$/m); // not running at boot
    expect(first.stdout).toContain('root stopped: {"reason":"normal"}');
    const firstNightly = [...first.stdout.matchAll(/^ {2}nightly run #(\d+)/gm)].map((m) => Number(m[1]));
    expect(firstNightly.length).toBeGreaterThan(0);

    await new Promise((resolve) => setTimeout(resolve, 3_500)); // down longer than nightly's period
    const second = await run(['--duration-ms', '500', '--store', store]);
    expect(second.code, `stderr:\n${second.stderr}\nstdout:\n${second.stdout}`).toBe(0);
    const last = firstNightly.at(-1)!;
    // The store carried nightly's last run: it is known at start, and caught up once at boot.
    expect(second.stdout).toMatch(new RegExp(`^ {2}nightly run #${last + 1} previous: normal$`, 'm'));
    expect(second.stdout).toMatch(new RegExp(`^ {2}nightly next run \\S+, last run (#${last} normal, running now|#${last + 1} normal)$`, 'm'));
    // sweep has no missed policy: nothing at boot.
    expect(second.stdout).not.toMatch(/^ {2}sweep {3}run/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 150_000);
