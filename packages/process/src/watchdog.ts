/**
 * The parent side of the no-orphans watchdog: starts `watchdog/watchdog.mjs` once per Node
 * process (lazily, on the first registration) and tells it which process groups to kill should
 * this process die. See `docs/decisions/0005-no-orphans-watchdog.md`.
 *
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../watchdog/watchdog.mjs', import.meta.url));

let child: ChildProcess | undefined;
let failed = false;
const registered = new Set<number>();

function write(line: string): void {
  const stdin = child?.stdin;
  if (stdin && !stdin.destroyed) stdin.write(line);
}

function ensure(): void {
  if (child !== undefined || failed) return;
  const env = { ...process.env };
  delete env['NODE_OPTIONS']; // the watchdog is plain JS: no loaders, no inspector
  let started: ChildProcess;
  try {
    started = spawn(process.execPath, [SCRIPT], { detached: true, stdio: ['pipe', 'ignore', 'ignore'], env, windowsHide: true });
  } catch {
    failed = true;
    return;
  }
  child = started;
  started.on('error', () => {
    if (child === started) child = undefined;
    failed = true;
  });
  started.on('exit', () => {
    // Killed by someone: start a new one at the next registration, and give it every live group.
    if (child === started) child = undefined;
  });
  // A write to a watchdog that died before its 'exit' event was handled fails with EPIPE: that
  // registration is the next one, so start the replacement now and hand it every live group.
  started.stdin?.on('error', () => {
    if (child !== started) return;
    child = undefined;
    if (registered.size > 0) ensure();
  });
  // Neither the watchdog nor its pipe may keep this process alive.
  started.unref();
  (started.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  for (const pgid of registered) write(`+${pgid}\n`);
}

/** Asks the watchdog to SIGKILL process group `pgid` if this process dies. */
export function registerGroup(pgid: number): void {
  registered.add(pgid);
  if (child === undefined) ensure();
  else write(`+${pgid}\n`);
}

/** The group has ended: forget it. */
export function unregisterGroup(pgid: number): void {
  if (!registered.delete(pgid)) return;
  write(`-${pgid}\n`);
}

/** The watchdog's pid, if it runs (for tests). */
export function watchdogPid(): number | undefined {
  return child?.pid;
}
