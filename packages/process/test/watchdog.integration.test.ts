// Integration (decision 0005): the watchdog is replaced after it dies and is handed every live
// process group; with createNodeSpawner({ watchdog: false }) no watchdog runs at all.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { isGone, procState, waitFor } from './helpers.js';

const fixture = fileURLToPath(new URL('./fixtures/watchdog-tree.ts', import.meta.url));
const packageDir = fileURLToPath(new URL('..', import.meta.url));

function start(env: Record<string, string>): { program: ChildProcessByStdio<Writable, Readable, null>; out: () => string; pidsFile: string } {
  const pidsFile = join(mkdtempSync(join(tmpdir(), 'trellis-watchdog-')), 'pids');
  const program = spawn(process.execPath, ['--import', 'tsx', fixture], { cwd: packageDir, env: { ...process.env, ...env, PIDS_FILE: pidsFile }, stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  program.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return { program, out: () => out, pidsFile };
}

function pids(file: string): number[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => /^\d+$/.test(line))
    .map(Number);
}

/** The watchdog processes among `parent`'s direct children (their command line names watchdog.mjs). */
function watchdogsOf(parent: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || procState(Number(entry))?.ppid !== parent) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('watchdog.mjs') && !isGone(Number(entry))) found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

it('replaces a dead watchdog at the next registration and hands it every live group, so a SIGKILL still leaves no child', async () => {
  const { program, out, pidsFile } = start({});
  const all: number[] = [];
  try {
    await waitFor(() => out().includes('tree up'), 20_000, 'the tree to start');
    await waitFor(() => watchdogsOf(program.pid!).length === 1, 20_000, 'the watchdog to start');
    const [first] = watchdogsOf(program.pid!);
    process.kill(first!, 'SIGKILL');
    await waitFor(() => isGone(first!), 20_000, 'the first watchdog to die');

    // A new process group is registered: a new watchdog starts and is told about a, too.
    program.stdin.write('restart\n');
    await waitFor(() => out().includes('restarted'), 20_000, 'child b to be restarted');
    await waitFor(() => watchdogsOf(program.pid!).length === 1, 20_000, 'a second watchdog');
    expect(watchdogsOf(program.pid!)[0]).not.toBe(first);
    all.push(...pids(pidsFile));
    expect(all).toHaveLength(3); // a, b, and b's second incarnation (the first is stopped)

    program.kill('SIGKILL');
    // a was registered only with the first watchdog: the second must have been handed its group.
    const live = all.filter((pid) => !isGone(pid));
    expect(live).toHaveLength(2);
    await waitFor(() => live.every(isGone), 20_000, 'every child to be gone after the SIGKILL');
  } finally {
    program.kill('SIGKILL');
    for (const pid of all) if (!isGone(pid)) process.kill(pid, 'SIGKILL');
  }
}, 120_000);

it('createNodeSpawner({ watchdog: false }) starts no watchdog, so its children outlive a SIGKILLed parent', async () => {
  const { program, out, pidsFile } = start({ WATCHDOG: 'off' });
  let children: number[] = [];
  try {
    await waitFor(() => out().includes('tree up'), 20_000, 'the tree to start');
    children = pids(pidsFile);
    expect(children).toHaveLength(2);
    expect(watchdogsOf(program.pid!)).toEqual([]);
    program.kill('SIGKILL');
    await waitFor(() => isGone(program.pid!), 20_000, 'the program to die');
    // What the watchdog would have prevented (0005): nothing kills them now.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(children.filter((pid) => !isGone(pid))).toEqual(children);
  } finally {
    program.kill('SIGKILL');
    for (const pid of children) if (!isGone(pid)) process.kill(pid, 'SIGKILL');
  }
}, 120_000);
