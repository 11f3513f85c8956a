// Issue 12 point 1 (and the silent give-up of point 4): a running tree keeps its program alive and
// a stopped tree lets it go. Each case runs a real program (test/fixtures/lifeProgram.ts) as a
// separate process on the real clock; nothing but the tree holds its event loop.
import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const fixture = fileURLToPath(new URL('../fixtures/lifeProgram.ts', import.meta.url));
const cwd = fileURLToPath(new URL('../..', import.meta.url));

interface Program {
  readonly child: ChildProcess;
  readonly stdout: () => string[];
  readonly stderr: () => string;
  /** Resolves with the exit code (or signal) once the program has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the first stdout line that starts with `prefix`; rejects after `ms`. */
  line(prefix: string, ms?: number): Promise<string>;
}

const started: ChildProcess[] = [];
afterEach(() => {
  for (const child of started.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function program(mode: string): Program {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, mode], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  const lines: string[] = [];
  let buffer = '';
  let stderr = '';
  const waiters: Array<() => void> = [];
  child.stdout.on('data', (d: Buffer) => {
    buffer += d.toString();
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      lines.push(buffer.slice(0, nl));
      buffer = buffer.slice(nl + 1);
    }
    for (const wake of waiters.splice(0)) wake();
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      for (const wake of waiters.splice(0)) wake();
      resolve({ code, signal });
    }),
  );
  return {
    child,
    stdout: () => lines,
    stderr: () => stderr,
    exited,
    line: async (prefix, ms = 30_000) => {
      const deadline = Date.now() + ms;
      for (;;) {
        const found = lines.find((l) => l.startsWith(prefix));
        if (found !== undefined) return found;
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`program exited (${child.exitCode ?? child.signalCode}) before printing "${prefix}"; stdout ${JSON.stringify(lines)}, stderr: ${stderr}`);
        if (Date.now() > deadline) throw new Error(`no "${prefix}" line within ${ms} ms; stdout ${JSON.stringify(lines)}, stderr: ${stderr}`);
        await Promise.race([new Promise<void>((wake) => waiters.push(wake)), sleep(100)]);
      }
    },
  };
}

/** The program is still running `ms` after now. */
async function staysUp(p: Program, ms: number): Promise<boolean> {
  const outcome = await Promise.race([p.exited.then(() => 'exited' as const), sleep(ms).then(() => 'up' as const)]);
  return outcome === 'up';
}

/** Resolves with the exit once the program exits by itself; rejects after `ms`. */
async function exitsWithin(p: Program, ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  const outcome = await Promise.race([p.exited, sleep(ms).then(() => undefined)]);
  if (outcome === undefined) throw new Error(`program still running ${ms} ms later; stdout ${JSON.stringify(p.stdout())}, stderr: ${p.stderr()}`);
  return outcome;
}

describe('a running tree keeps its program alive; a stopped tree lets it go', () => {
  it('a tree of ctx.sleep workers keeps its program alive until it is stopped, then the program exits 0 by itself', async () => {
    const p = program('sleep');
    await p.line('ready');
    expect(await staysUp(p, 1_500)).toBe(true);
    p.child.kill('SIGTERM');
    expect(await p.line('stopped')).toBe('stopped {"reason":"normal"}');
    expect(await exitsWithin(p, 5_000)).toEqual({ code: 0, signal: null });
    expect(p.stderr()).toBe('');
  }, 60_000);

  it('a child waiting out a long backoff keeps its program alive', async () => {
    const p = program('backoff');
    await p.line('ready');
    expect(await staysUp(p, 1_500)).toBe(true);
    p.child.kill('SIGTERM');
    expect(await p.line('stopped')).toBe('stopped {"reason":"normal"}');
    expect(await exitsWithin(p, 5_000)).toEqual({ code: 0, signal: null });
  }, 60_000);

  it('stopSupervisor settles within the shutdown budget when a child ignores its stop request, and the program then exits by itself', async () => {
    const p = program('stuck');
    expect(await p.line('stopped')).toBe('stopped {"reason":"normal"}');
    // The child's shutdown budget is 300 ms: the stop waits it out, then kills; never hangs.
    const took = Number((await p.line('took')).slice(5));
    expect(took).toBeGreaterThanOrEqual(295);
    expect(took).toBeLessThan(5_000);
    expect(await exitsWithin(p, 5_000)).toEqual({ code: 0, signal: null });
  }, 60_000);

  it('signals that keep coming while a program ends after its ordered stop never kill it: it exits with the code it set (stopOnSignals, decision 0029)', async () => {
    const p = program('signals');
    await p.line('ready');
    p.child.kill('SIGINT');
    // A launcher's paired SIGTERM can land at any point of the program's end, including Node's
    // teardown after the loop has emptied: so keep sending, a few per millisecond, until it is gone.
    let sent = 0;
    while (p.child.exitCode === null && p.child.signalCode === null) {
      if (p.child.kill('SIGTERM')) sent++;
      await new Promise((resolve) => setTimeout(resolve, 0.2));
    }
    expect(await exitsWithin(p, 5_000), `stdout ${JSON.stringify(p.stdout())}, stderr: ${p.stderr()}`).toEqual({ code: 3, signal: null });
    expect(p.stdout()).toContain('stopped {"reason":"shutdown"}');
    expect(sent).toBeGreaterThan(0);
  }, 60_000);

  it('a root that gives up with no logger and no onGiveUp prints one line on stderr, and its program exits', async () => {
    const p = program('giveup');
    const exit = await exitsWithin(p, 30_000);
    expect(exit).toEqual({ code: 0, signal: null });
    const lines = p.stderr().split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^trellis: supervisor "app" gave up: child "flaky" exceeded the restart intensity \(2 in 60000 ms\); its last exit: error \(Error: boom\)\./);
  }, 60_000);
});
