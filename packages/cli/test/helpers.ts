import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const cliDir = fileURLToPath(new URL('..', import.meta.url));
export const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

/** A running `node dist/bin.js ...`, its output as it arrives, and its exit. */
export interface Cli {
  readonly child: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** stdout's JSON lines (pino records), parsed. */
  readonly records: () => Array<Record<string, unknown>>;
  /** Resolves with the first record that matches, or rejects after `timeoutMs`. */
  waitForRecord(match: (record: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** The JSON lines (pino records) of a program's output, parsed; other lines are skipped. */
export function jsonLines(output: string): Array<Record<string, unknown>> {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

export function startCli(args: string[], env: Record<string, string> = {}): Cli {
  const child = spawn(process.execPath, [bin, ...args], { cwd: cliDir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const waiters = new Set<() => void>();
  child.stdout?.on('data', (chunk: Buffer) => {
    out += String(chunk);
    for (const waiter of waiters) waiter();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    err += String(chunk);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const records = (): Array<Record<string, unknown>> => jsonLines(out);
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    records,
    exited,
    waitForRecord(match, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const found = records().find(match);
          if (found === undefined) return false;
          waiters.delete(tryResolve);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const tryResolve = (): void => {
          check();
        };
        const timer = setTimeout(() => {
          waiters.delete(tryResolve);
          reject(new Error(`no matching record within ${timeoutMs} ms; stdout:\n${out}\nstderr:\n${err}`));
        }, timeoutMs);
        if (check()) return;
        waiters.add(tryResolve);
        void exited.then(() =>
          setImmediate(() => {
            if (check()) return;
            waiters.delete(tryResolve);
            clearTimeout(timer);
            reject(new Error(`the binary exited before a matching record; stdout:\n${out}\nstderr:\n${err}`));
          }),
        );
      });
    },
  };
}

/** Runs the binary to completion. */
export async function runCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const cli = startCli(args, env);
  const timer = setTimeout(() => cli.child.kill('SIGKILL'), 15_000);
  const { code } = await cli.exited;
  clearTimeout(timer);
  return { code, stdout: cli.stdout(), stderr: cli.stderr() };
}

/** Whether a process with this pid exists (and is not a zombie). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // A zombie (exited, not yet reaped by an init that does not reap) is not alive.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.split(') ')[1]?.startsWith('Z') !== true;
  } catch {
    return true;
  }
}

/** Every live descendant of `pid` (Linux /proc), children first. */
export function descendants(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] !== 'Z') parents.set(Number(entry), Number(fields[1]));
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  const visit = (parent: number): void => {
    for (const [child, ppid] of parents) {
      if (ppid === parent) {
        out.push(child);
        visit(child);
      }
    }
  };
  visit(pid);
  return out;
}
