// A service built on the installed tarballs, run as a user deploys it: as a separate process,
// with the real clock, until SIGTERM. It must stay up on its own (a started tree holds the
// program open), then stop in order, exit 0, and leave no process behind: not its process
// children, not their own children, not the no-orphans watchdog.
//
// NEEDS issue 12 point 1 (a started tree keeps its program alive; branch i12core) for the
// "stays up" assertions of the worker-only service, and point 4 (the installed `trellis` bin
// works; branch i12cli) for the `trellis run` case. Before those are merged these fail for
// exactly those reasons; after, they must pass.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, inject, it } from 'vitest';

const app = inject('app');

// The tree: a worker that waits with ctx.sleep and, with PROCESSES=1, a process child whose shell
// also starts a grandchild; both write their pid into the run's directory.
const tree = `import { defineSupervisor, fromWorker } from '@trellis/core';
import { fromProcess } from '@trellis/process';

const dir = process.env.JOURNEY_DIR;
const worker = fromWorker(async ({ signal, sleep }) => {
  while (!signal.aborted) await sleep(200);
});
const children = [{ id: 'worker', start: worker }];
if (process.env.PROCESSES === '1')
  children.push({
    id: 'shell',
    start: fromProcess({
      command: 'sh',
      args: ['-c', 'echo $$ > "$0/shell.pid"; sleep 600 & echo $! > "$0/sleep.pid"; wait', dir],
    }),
  });
export default defineSupervisor({ id: 'service', children });
`;

const service = `import { startSupervisor, stopSupervisor } from '@trellis/core';
import root from './tree.mjs';

const sup = await startSupervisor(root);
process.once('SIGTERM', async () => {
  const exit = await stopSupervisor(sup);
  console.log('stopped ' + exit.reason);
});
console.log('started');
`;

const running: ChildProcess[] = [];
afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/** A fresh directory in the app for one run: its programs and the pid files of its processes. */
function runDir(name: string): string {
  const base = join(app.dir, 'runs');
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(join(base, `${name}-`));
  writeFileSync(join(dir, 'tree.mjs'), tree);
  writeFileSync(join(dir, 'service.mjs'), service);
  writeFileSync(join(dir, 'trellis.config.mjs'), `export { default } from './tree.mjs';\n`);
  return dir;
}

function start(dir: string, command: string, args: string[], processes: boolean) {
  const child = spawn(command, args, { cwd: dir, env: { ...process.env, JOURNEY_DIR: dir, PROCESSES: processes ? '1' : '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
  running.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, exited, output: () => output };
}

async function until(what: string, check: () => boolean, ms: number, output: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}; output:\n${output()}`);
    await delay(50);
  }
}

/** Pids of every live process whose command line mentions the app (the service, its children, the watchdog). */
function processesOfApp(): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmdline.includes(app.dir) && Number(pid) !== process.pid) found.push(`${pid}: ${cmdline}`);
    } catch {
      // gone between readdir and read
    }
  }
  return found;
}

/** Whether a process exists and is not a zombie (an orphan's zombie waits for a reaper that may be slow or absent in a container). */
const alive = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

/** Starts a service, checks it stays up, sends SIGTERM, and checks it exits 0 leaving nothing behind. */
async function livesUntilSigterm(dir: string, command: string, args: string[], processes: boolean, stoppedLine: RegExp) {
  const run = start(dir, command, args, processes);
  const pidFiles = processes ? ['shell.pid', 'sleep.pid'].map((file) => join(dir, file)) : [];
  await until('the service to start', () => pidFiles.every((file) => existsSync(file) && readFileSync(file, 'utf8').trim() !== ''), 15_000, run.output);
  const pids = pidFiles.map((file) => Number(readFileSync(file, 'utf8').trim()));
  // Stays up on its own: nothing but the tree holds the program open.
  await delay(1_500);
  expect(run.child.exitCode, `exited before SIGTERM:\n${run.output()}`).toBeNull();
  for (const pid of pids) expect(alive(pid), `process child ${pid} before SIGTERM`).toBe(true);

  run.child.kill('SIGTERM');
  const exit = await Promise.race([run.exited, delay(15_000).then(() => ({ code: -1, signal: null }))]);
  expect(exit, `exit after SIGTERM; output:\n${run.output()}`).toEqual({ code: 0, signal: null });
  expect(run.output()).toMatch(stoppedLine);
  // A killed process takes a moment to go, and the watchdog to notice its parent is gone.
  const deadline = Date.now() + 3_000;
  while ((pids.some(alive) || processesOfApp().length > 0) && Date.now() < deadline) await delay(50);
  for (const pid of pids) expect(alive(pid), `process child ${pid} after exit`).toBe(false);
  expect(processesOfApp()).toEqual([]);
}

describe('a service built on the installed packages', () => {
  // Fails until issue 12 point 1 (branch i12core) is merged: the system clock's timers are
  // unref'd, so a tree of sleeping workers does not hold the program open and it exits 0 at once.
  it('lives until SIGTERM, then stops its tree and exits 0 (a program with startSupervisor, workers only)', async () => {
    const dir = runDir('workers');
    await livesUntilSigterm(dir, process.execPath, [join(dir, 'service.mjs')], false, /stopped normal/);
  });

  it('lives until SIGTERM, then exits 0 with its process children and their children gone (startSupervisor)', async () => {
    const dir = runDir('processes');
    await livesUntilSigterm(dir, process.execPath, [join(dir, 'service.mjs')], true, /stopped normal/);
  });

  it('lives until SIGTERM under the installed `trellis run` bin, then exits 0 leaving nothing behind', async () => {
    const dir = runDir('bin');
    await livesUntilSigterm(dir, join(app.dir, 'node_modules/.bin/trellis'), ['run', join(dir, 'trellis.config.mjs')], true, /"event":"tree.stopped"/);
  });
});
