import { execFile, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { startSupervisor, stopSupervisor, whichChildren } from '@trellis/core';
import { createTestClock, settle } from '@trellis/core/testing';
import { describe, expect, it } from 'vitest';
import { buildTree, seededRandom } from '../src/tree.js';
import { watchTree, type Restart } from '../src/watch.js';

const exampleDir = fileURLToPath(new URL('..', import.meta.url));

describe('01-nested-tree', () => {
  it('restarts crashed workers by strategy and stops normally (test clock, seeded crashes)', async () => {
    const clock = createTestClock();
    const logs: string[] = [];
    const root = await startSupervisor(buildTree({ random: seededRandom(3), log: (line) => logs.push(line) }), { clock });
    const restarts: Restart[] = [];
    const gaveUp: string[] = [];
    watchTree(root, (restart) => restarts.push(restart), (line) => gaveUp.push(line));

    // Two seconds of tree time, 100 ms at a time; no real time passes.
    for (let i = 0; i < 20; i++) {
      clock.advance(100);
      await settle();
    }

    expect(gaveUp).toEqual([]);
    expect(restarts.length).toBeGreaterThan(0);
    expect(restarts.map((r) => r.line)).toContainEqual(expect.stringMatching(/^\[root\/db\] \w+ crashed \(error: boom\) -> restarted as incarnation \d+$/));
    // rest_for_one: whenever pool crashes, writer (started after it) is restarted as a bystander.
    const poolCrashes = restarts.filter((r) => r.child === 'pool');
    expect(poolCrashes.length).toBeGreaterThan(0);
    for (const crash of poolCrashes) {
      const next = restarts[restarts.indexOf(crash) + 1];
      expect(next).toMatchObject({ supervisor: 'root/db', child: 'writer', exit: { reason: 'bystander', detail: { offender: 'pool' } } });
    }
    // Every restarted worker was handed its incarnation and how the previous one ended.
    expect(logs).toContainEqual(expect.stringMatching(/^ {2}root\/db\/pool: incarnation [1-9]\d* taking over \(previous exit: error\)$/));
    expect(logs).toContainEqual(expect.stringMatching(/^ {2}root\/db\/writer: incarnation [1-9]\d* taking over \(previous exit: bystander\)$/));

    const db = whichChildren(root).find((c) => c.id === 'db');
    expect(db).toMatchObject({ status: 'running', type: 'supervisor' });
    expect(await stopSupervisor(root)).toEqual({ reason: 'normal' });
    expect(root.getSnapshot().status).toBe('done');
    expect(clock.pending()).toBe(0); // every worker let go of its tick timer
  });

  it('`tsx src/main.ts` prints restarts, stops the tree and exits 0 on its own', async () => {
    const tsxCli = createRequire(import.meta.url).resolve('tsx/cli');
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [tsxCli, 'src/main.ts'], { cwd: exampleDir, timeout: 20_000 }, (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr });
      });
    });
    expect(code, `exit code; stderr:\n${stderr}`).toBe(0);
    expect(stdout).toMatch(/^\[root(\/db)?\] \w+ .+ -> restarted as incarnation \d+$/m);
    expect(stdout).toContain('root stopped: {"reason":"normal"}');
  }, 25_000);

  it('Ctrl-C under a launcher (SIGINT to the group, then SIGTERM 10 ms later) stops the tree in order and prints the summary', async () => {
    // The program itself (node --import tsx), so its own exit code is seen: a launcher such as
    // pnpm or tsx's CLI ends itself by the signal it got, whatever the program did.
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '--duration-ms', '60000'], { cwd: exampleDir, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += String(chunk)));
    child.stderr.on('data', (chunk: Buffer) => (stderr += String(chunk)));
    const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
    const kill = setTimeout(() => process.kill(-(child.pid as number), 'SIGKILL'), 20_000);
    try {
      const deadline = Date.now() + 15_000;
      while (!stdout.includes('Ctrl-C stops the tree in order') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
      await new Promise((resolve) => setTimeout(resolve, 300)); // a few ticks, so the workers are mid-loop
      process.kill(-(child.pid as number), 'SIGINT'); // what a terminal's Ctrl-C does
      await new Promise((resolve) => setTimeout(resolve, 10));
      process.kill(-(child.pid as number), 'SIGTERM'); // a launcher's paired signal
      // The whole exit, signal too: a SIGTERM landing while Node ends the program would show as
      // { code: null, signal: 'SIGTERM' } after a complete summary (decision 0029).
      expect(await closed, `exit; stdout:\n${stdout}\nstderr:\n${stderr}`).toEqual({ code: 0, signal: null });
      expect(stdout).toMatch(/^SIGINT: stopping the tree in order$/m);
      expect(stdout).toMatch(/^summary after \d+ ms: \d+ restart\(s\)$/m);
      expect(stdout).toMatch(/^ {2}root\/db\/writer +worker +incarnation \d+/m);
      expect(stdout).toContain('root stopped: {"reason":"shutdown"}');
    } finally {
      clearTimeout(kill);
      try {
        process.kill(-(child.pid as number), 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }, 30_000);
});
