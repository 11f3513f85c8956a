// The launch lines a user types or deploys, each run as it is run in real life: a fresh clone's
// `pnpm exec trellis --help`, the linked binary, `pnpm exec trellis run` with a terminal's Ctrl-C,
// and the systemd and Kubernetes lines read from docs/guides/operations.md. Real processes, the
// real clock, every wait bounded, every process killed in `finally`.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { alive, cliDir, descendants, jsonLines } from './helpers.js';

const repoRoot = join(cliDir, '..', '..');
const pnpm = ['--yes', 'pnpm@10.34.9'];
const tmp = mkdtempSync(join(tmpdir(), 'trellis-launch-'));
// Removing a fresh clone with its node_modules takes seconds on a loaded machine: a bound against a hang.
afterAll(() => rmSync(tmp, { recursive: true, force: true }), 120_000);

// The linked binary runs dist/ when it is there; build it (incremental) so every test runs the
// same code a published package runs. The fresh clone below has no dist/ at all.
beforeAll(() => {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-b'], { cwd: cliDir, stdio: 'inherit' });
}, 120_000);

interface Launched {
  readonly child: ChildProcess;
  readonly out: () => string;
  readonly records: () => Array<Record<string, unknown>>;
  waitFor(match: (record: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `command args` in its own process group (as a terminal or a service manager does). */
function launch(command: string, args: string[], cwd: string, env: Record<string, string> = {}): Launched {
  const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += String(chunk)));
  child.stderr?.on('data', (chunk: Buffer) => (out += String(chunk)));
  // 'close': the launcher has exited AND every process that shares its output (trellis, under a
  // launcher that does not wait for it) has let go of it.
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  const records = (): Array<Record<string, unknown>> => jsonLines(out);
  return {
    child,
    out: () => out,
    records,
    exited,
    async waitFor(match, timeoutMs = 20_000) {
      let found: Record<string, unknown> | undefined;
      await vi.waitFor(
        () => {
          found = records().find(match);
          if (found === undefined) throw new Error(`no matching record yet; output:\n${out}`);
        },
        { timeout: timeoutMs, interval: 25 },
      );
      return found as Record<string, unknown>;
    },
  };
}

/** Kills a launched group and everything it left, whatever happened. */
function killAll(launched: Launched, pids: number[] = []): void {
  try {
    process.kill(-(launched.child.pid as number), 'SIGKILL');
  } catch {
    // already gone
  }
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/**
 * A directory shaped like a user's app after `npm install @trellis/cli`: a package.json, the
 * bin linked at node_modules/.bin/trellis, and @trellis/* linked into node_modules.
 */
function appDir(name: string): string {
  const dir = join(tmp, name);
  mkdirSync(join(dir, 'node_modules', '.bin'), { recursive: true });
  mkdirSync(join(dir, 'node_modules', '@trellis'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `app-${name}`, private: true, type: 'module' }));
  for (const pkg of ['cli', 'core', 'process']) symlinkSync(join(repoRoot, 'packages', pkg), join(dir, 'node_modules', '@trellis', pkg));
  symlinkSync(join(repoRoot, 'packages', 'cli', 'bin', 'trellis.mjs'), join(dir, 'node_modules', '.bin', 'trellis'));
  return dir;
}

/** A config with a process child that writes its pid, and a worker whose stop takes `stopMs`. */
function writeConfig(dir: string, stopMs = 0): { config: string; pidFile: string } {
  const pidFile = join(dir, 'child.pid');
  const config = join(dir, 'trellis.config.ts');
  writeFileSync(
    config,
    `import { defineSupervisor, fromWorker } from '@trellis/core';
import { fromProcess } from '@trellis/process';
const sleeper = fromProcess({
  command: process.execPath,
  args: ['-e', "require('node:fs').writeFileSync(process.env.PIDFILE, String(process.pid)); setInterval(() => {}, 1000);"],
  env: { PIDFILE: ${JSON.stringify(pidFile)} },
});
const slow = fromWorker(async ({ signal }) => {
  await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
  await new Promise((resolve) => setTimeout(resolve, ${stopMs}));
});
export default defineSupervisor({ id: 'app', children: [{ id: 'sleeper', start: sleeper }, { id: 'slow', start: slow, shutdown: 30_000 }] });
`,
  );
  return { config, pidFile };
}

/** Waits for the tree and its process child; returns every descendant pid of the launch. */
async function started(launched: Launched, pidFile: string): Promise<{ childPid: number; pids: number[] }> {
  await launched.waitFor((r) => r.event === 'tree.started');
  await vi.waitFor(() => expect(existsSync(pidFile) && readFileSync(pidFile, 'utf8') !== '').toBe(true), { timeout: 10_000, interval: 25 });
  const childPid = Number(readFileSync(pidFile, 'utf8'));
  return { childPid, pids: [launched.child.pid as number, ...descendants(launched.child.pid as number)] };
}

/** After the launch exited: the stop was in order, and no process of it is left. */
async function expectOrderedStopAndNothingLeft(launched: Launched, pids: number[], childPid: number): Promise<void> {
  const events = launched.records().map((r) => r.event);
  expect(events).toContain('tree.stopping');
  expect(events.at(-1)).toBe('tree.stopped');
  expect(launched.records().find((r) => r.event === 'sup.stopped' && r.supervisor === 'app')).toMatchObject({ reason: 'shutdown' });
  expect(pids).toContain(childPid);
  await vi.waitFor(() => expect(pids.filter(alive)).toEqual([]), { timeout: 5_000, interval: 25 });
}

describe('a fresh clone', () => {
  it("runs the README's `pnpm exec trellis --help` right after the README's install command", async () => {
    // Every file git would commit, as a clone has them: no node_modules, no dist.
    const clone = join(tmp, 'clone');
    const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: repoRoot, encoding: 'utf8' }).split('\0').filter(Boolean);
    for (const file of files) {
      if (!existsSync(join(repoRoot, file))) continue; // deleted, not yet committed
      mkdirSync(dirname(join(clone, file)), { recursive: true });
      cpSync(join(repoRoot, file), join(clone, file));
    }
    expect(existsSync(join(clone, 'packages', 'cli', 'dist'))).toBe(false);
    // A user's shell: no node_modules/.bin of this repository on PATH (vitest's runner adds them),
    // or `pnpm exec trellis` could find this checkout's binary instead of the clone's.
    const PATH = (process.env.PATH ?? '').split(':').filter((dir) => !dir.includes('node_modules')).join(':');
    const env = { ...process.env, PATH };
    execFileSync('npx', [...pnpm, 'install', '--frozen-lockfile', '--prefer-offline'], { cwd: clone, env, stdio: 'pipe', timeout: 120_000 });
    const help = execFileSync('npx', [...pnpm, 'exec', 'trellis', '--help'], { cwd: clone, env, encoding: 'utf8', timeout: 60_000 });
    expect(help).toMatch(/^Usage: trellis <command>/);
    expect(existsSync(join(clone, 'packages', 'cli', 'dist'))).toBe(false); // it ran the source
  }, 200_000);
});

describe('launch lines', () => {
  it('the linked binary (node_modules/.bin/trellis) stops in order on SIGTERM, exits 0 and leaves no process', async () => {
    const { config, pidFile } = writeConfig(appDir('linked'));
    const launched = launch(join(repoRoot, 'node_modules', '.bin', 'trellis'), ['run', config], repoRoot);
    let pids: number[] = [];
    try {
      const run = await started(launched, pidFile);
      pids = run.pids;
      process.kill(launched.child.pid as number, 'SIGTERM');
      expect(await launched.exited).toEqual({ code: 0, signal: null });
      await expectOrderedStopAndNothingLeft(launched, pids, run.childPid);
    } finally {
      killAll(launched, pids);
    }
  }, 60_000);

  it("`pnpm exec trellis run` and Ctrl-C (SIGINT, then SIGTERM 10 ms later) stop in order, not at once", async () => {
    // A stop that takes 300 ms, so the paired SIGTERM lands in the middle of it.
    const { config, pidFile } = writeConfig(appDir('pnpm-exec'), 300);
    // pnpm itself (npx only fetches it: npm re-raises the SIGINT it gets, hiding pnpm's exit code).
    const pnpmBin = execFileSync('npx', ['--yes', '-p', 'pnpm@10.34.9', 'sh', '-c', 'command -v pnpm'], { encoding: 'utf8', timeout: 60_000 }).trim();
    const launched = launch(pnpmBin, ['exec', 'trellis', 'run', config], repoRoot);
    let pids: number[] = [];
    try {
      const run = await started(launched, pidFile);
      pids = run.pids;
      const trellisPid = launched.records().find((r) => r.event === 'tree.started')?.pid as number;
      process.kill(-(launched.child.pid as number), 'SIGINT'); // the terminal: SIGINT to the whole foreground group
      await new Promise((resolve) => setTimeout(resolve, 10));
      process.kill(trellisPid, 'SIGTERM'); // the launcher's own SIGTERM, as pnpm sends it (measured 0.05–6 ms later)
      // pnpm, like any well-behaved launcher, ends itself by the SIGINT it got once its child has
      // exited, so the shell knows Ctrl-C ended it; trellis's own exit is the ordered one (its
      // last record is tree.stopped, written just before it exits 0; a forced exit ends with
      // tree.killed and 130).
      expect(await launched.exited).toEqual({ code: null, signal: 'SIGINT' });
      await expectOrderedStopAndNothingLeft(launched, pids, run.childPid);
      expect(launched.records().filter((r) => r.event === 'signal.ignored').length).toBeGreaterThanOrEqual(1);
      expect(launched.records().some((r) => r.event === 'tree.killed')).toBe(false);
    } finally {
      killAll(launched, pids);
    }
  }, 90_000);

  // The lines as the guide writes them. /srv/app becomes an app directory shaped like a user's
  // npm install (node_modules/.bin/trellis a link to the package's bin, @trellis/* linked in);
  // the --http address becomes a free loopback port so parallel runs do not collide.
  const guide = readFileSync(join(repoRoot, 'docs', 'guides', 'operations.md'), 'utf8');
  const execStart = /^ExecStart=(.+)$/m.exec(guide)?.[1];
  const workingDirectory = /^WorkingDirectory=(.+)$/m.exec(guide)?.[1];
  const k8sCommand = /^\s+command: (\[.+\])$/m.exec(guide)?.[1];
  const k8sWorkingDir = /^\s+workingDir: (.+)$/m.exec(guide)?.[1];

  it.each([
    ['systemd', () => ({ argv: (execStart ?? '').split(/\s+/), cwd: workingDirectory })],
    ['Kubernetes', () => ({ argv: JSON.parse(k8sCommand ?? '[]') as string[], cwd: k8sWorkingDir })],
  ])('the %s line from the operations guide stops in order on SIGTERM to its main process', async (name, line) => {
    const { argv, cwd } = line();
    expect(argv[0], 'the guide launches the binary itself, not npx').toMatch(/\/node_modules\/\.bin\/trellis$/);
    expect(cwd).toBe('/srv/app');
    const dir = appDir(name);
    const { pidFile } = writeConfig(dir);
    const args = argv.slice(1).map((arg) => (/^[\d.]+:\d+$/.test(arg) ? '127.0.0.1:0' : arg));
    expect(args.slice(0, 2)).toEqual(['run', 'trellis.config.ts']);
    const launched = launch((argv[0] as string).replace('/srv/app', dir), args, dir);
    let pids: number[] = [];
    try {
      const run = await started(launched, pidFile);
      pids = run.pids;
      await launched.waitFor((r) => r.event === 'http.listening');
      process.kill(launched.child.pid as number, 'SIGTERM'); // KillMode=mixed; the kubelet's SIGTERM
      expect(await launched.exited).toEqual({ code: 0, signal: null });
      await expectOrderedStopAndNothingLeft(launched, pids, run.childPid);
    } finally {
      killAll(launched, pids);
    }
  }, 60_000);

  it("a stuck child's stop settles within its shutdown, and the binary exits 0", async () => {
    const dir = appDir('stuck');
    const config = join(dir, 'trellis.config.ts');
    writeFileSync(
      config,
      `import { defineSupervisor, fromWorker } from '@trellis/core';
export default defineSupervisor({ id: 'app', children: [{ id: 'stuck', start: fromWorker(() => new Promise<void>(() => {})), shutdown: 500 }] });
`,
    );
    const launched = launch(join(repoRoot, 'node_modules', '.bin', 'trellis'), ['run', config], repoRoot);
    try {
      await launched.waitFor((r) => r.event === 'tree.started');
      const before = Date.now();
      process.kill(launched.child.pid as number, 'SIGTERM');
      expect(await launched.exited).toEqual({ code: 0, signal: null });
      expect(Date.now() - before).toBeLessThan(10_000);
      expect(launched.records().find((r) => r.event === 'sup.shutdown.timedOut')).toMatchObject({ child: 'stuck' });
      expect(launched.records().at(-1)).toMatchObject({ event: 'tree.stopped' });
    } finally {
      killAll(launched);
    }
  }, 60_000);

  it("a crashing process child's stderr is in the binary's log", async () => {
    const dir = appDir('crash');
    const config = join(dir, 'trellis.config.ts');
    writeFileSync(
      config,
      `import { defineSupervisor } from '@trellis/core';
import { fromProcess } from '@trellis/process';
const crasher = fromProcess({ command: process.execPath, args: ['-e', "setTimeout(() => { console.error('database unreachable: ECONNREFUSED'); process.exit(3); }, 50)"] });
export default defineSupervisor({ id: 'app', intensity: 0, children: [{ id: 'db', start: crasher }] });
`,
    );
    const launched = launch(join(repoRoot, 'node_modules', '.bin', 'trellis'), ['run', config], repoRoot);
    try {
      expect((await launched.exited).code).toBe(1); // intensity 0: the root gives up at the first crash
      const line = launched.records().find((r) => r.stream === 'stderr');
      expect(line).toMatchObject({ level: 40, child: 'app/db', incarnation: 0, msg: 'database unreachable: ECONNREFUSED' });
      expect(launched.records().find((r) => r.event === 'sup.child.exited')).toMatchObject({ reason: 'error' });
    } finally {
      killAll(launched);
    }
  }, 60_000);
});
