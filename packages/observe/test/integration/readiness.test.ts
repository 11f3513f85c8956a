// Issue 12 point 3, decision 0007: readiness tells the truth. A real program (fixtures/
// readinessProgram.ts) serves /readyz over real HTTP; its child `db` is restarted and says it is
// ready only when the test tells it (on stdin). /readyz goes 200 → 503 → 200, and /tree shows the
// restarted child as `starting` meanwhile.
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const fixture = fileURLToPath(new URL('../fixtures/readinessProgram.ts', import.meta.url));
const cwd = fileURLToPath(new URL('../..', import.meta.url));

interface Probe {
  readonly status: number;
  readonly body: { status?: string; notRunning?: string[] };
}

async function get(base: string, path: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(2_000) });
  return { status: res.status, body: await res.json() };
}

/** Polls /readyz until it answers `status`; rejects after `ms` with the last answer. */
async function readyzBecomes(base: string, status: number, ms = 10_000): Promise<Probe> {
  const deadline = Date.now() + ms;
  let last: Probe | undefined;
  while (Date.now() < deadline) {
    last = (await get(base, '/readyz')) as Probe;
    if (last.status === status) return last;
    await sleep(50);
  }
  throw new Error(`/readyz did not answer ${status} within ${ms} ms; last ${JSON.stringify(last)}`);
}

function dbStatus(tree: unknown): string | undefined {
  return (tree as { children?: Array<{ id: string; status: string }> }).children?.find((c) => c.id === 'db')?.status;
}

describe('readiness tells the truth (decision 0007)', () => {
  it('/readyz is 503 while a restarted child has not yet said it is ready, and 200 again once it has', async () => {
    const program = spawn(process.execPath, ['--import', 'tsx', fixture], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    program.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => program.once('exit', (code) => resolve(code)));
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let out = '';
        const timer = setTimeout(() => reject(new Error(`no port within 30 s: ${stderr}`)), 30_000);
        program.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const match = /^port (\d+)$/m.exec(out);
          if (match !== null) {
            clearTimeout(timer);
            resolve(Number(match[1]));
          }
        });
        program.once('exit', (code) => reject(new Error(`program exited ${code}: ${stderr}`)));
      });
      const base = `http://127.0.0.1:${port}`;

      expect(await readyzBecomes(base, 200, 2_000)).toEqual({ status: 200, body: { status: 'ready' } });

      program.stdin.write('crash\n');
      const notReady = await readyzBecomes(base, 503);
      expect(notReady.body).toEqual({ status: 'not_ready', notRunning: ['app/db'] });
      expect(dbStatus((await get(base, '/tree')).body)).toBe('starting');
      // It stays not ready for as long as the child has not said it is ready.
      await sleep(500);
      expect((await get(base, '/readyz')).status).toBe(503);

      program.stdin.write('ready\n');
      expect(await readyzBecomes(base, 200)).toEqual({ status: 200, body: { status: 'ready' } });
      expect(dbStatus((await get(base, '/tree')).body)).toBe('running');

      program.stdin.end(); // stops in order; the program then exits by itself
      const code = await Promise.race([exited, sleep(10_000).then(() => 'timeout' as const)]);
      expect(code).toBe(0);
      expect(stderr).toBe('');
    } finally {
      if (program.exitCode === null && program.signalCode === null) program.kill('SIGKILL');
    }
  }, 90_000);
});
