// A "host" of the fault tests: test/fixtures/host.ts run as a separate Node program, its JSON
// lines collected, and a way to wait for one. Every host started is SIGKILLed by killAll().
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Handover } from '@trellis/core';

const fixture = fileURLToPath(new URL('../fixtures/host.ts', import.meta.url));
const packageDir = fileURLToPath(new URL('../..', import.meta.url));

export type Line = { event: string; holder: string; t: number; lease?: string; handover?: Handover; [key: string]: unknown };

export interface Host {
  readonly name: string;
  readonly process: ChildProcess;
  readonly lines: Line[];
  waitFor(what: string, match: (line: Line) => boolean, timeoutMs: number): Promise<Line>;
}

const running: Host[] = [];

/**
 * Starts test/fixtures/host.ts under tsx, or `script`, a bundle of it (see bundleHost) that plain
 * Node runs in a quarter of the time: tsx's loader costs ~0.4 s of CPU per process.
 */
export function startHost(name: string, env: Record<string, string>, script?: string): Host {
  const child = spawn(process.execPath, script === undefined ? ['--import', 'tsx', fixture] : [script], {
    cwd: packageDir,
    env: { ...process.env, HOLDER: name, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: Line[] = [];
  let buffer = '';
  const waiters = new Set<() => void>();
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const text = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      try {
        lines.push(JSON.parse(text) as Line);
      } catch {
        // a stray line: ignored
      }
    }
    for (const wake of waiters) wake();
  });
  const host: Host = {
    name,
    process: child,
    lines,
    waitFor(what, match, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const found = lines.find(match);
          if (found === undefined) return false;
          cleanup();
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`${name}: timed out after ${timeoutMs} ms waiting for ${what}; lines: ${lines.map((l) => l.event).join(', ')}`));
        }, timeoutMs);
        const cleanup = (): void => {
          clearTimeout(timer);
          waiters.delete(wake);
        };
        const wake = (): void => void check();
        waiters.add(wake);
        check();
      });
    },
  };
  running.push(host);
  return host;
}

export function kill(host: Host, signal: NodeJS.Signals): void {
  try {
    host.process.kill(signal);
  } catch {
    // gone
  }
}


/**
 * Bundles test/fixtures/host.ts with the cluster sources into one ESM file that plain Node runs;
 * packages (`@trellis/core`, `pg`) stay imports, resolved from packages/cluster/node_modules,
 * where the file is written.
 */
export async function bundleHost(): Promise<string> {
  const { build } = await import('esbuild');
  const outfile = `${packageDir}node_modules/.cache/trellis-hosts/host.mjs`;
  await build({ entryPoints: [fixture], bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', outfile, logLevel: 'error' });
  return outfile;
}

/** SIGKILLs every host started so far (afterEach). */
export function killAll(): void {
  for (const host of running.splice(0)) kill(host, 'SIGKILL');
}
