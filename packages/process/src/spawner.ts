/**
 * The test boundary of `@trellis/process`: a {@link ProcessSpawner} starts an OS process and
 * returns a {@link ProcessHandle}. `fromProcess` only ever talks to these two interfaces, so unit
 * tests run against a fake and production runs against `nodeSpawner`.
 *
 * @module
 */
import type { Readable } from 'node:stream';

/**
 * What `fromProcess` asks a spawner to start.
 *
 * @remarks
 * The second argument of {@link ProcessSpawner.spawn}.
 *
 * @example
 * ```ts
 * import type { SpawnOptions } from '@trellis/process';
 * const options: SpawnOptions = { cwd: '/srv/app', env: { PATH: '/usr/bin' }, ipc: false };
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface SpawnOptions {
  /** The working directory; the parent's when absent. */
  readonly cwd?: string | undefined;
  /** The complete environment of the new process (already merged and stripped). */
  readonly env: Readonly<Record<string, string>>;
  /** Open an IPC channel (Node children only), for an IPC readiness check. */
  readonly ipc: boolean;
}

/**
 * How a process ended, as a {@link ProcessHandle} reports it.
 *
 * @remarks
 * `error` is set, and `code` and `signal` are `null`, when the process never started (the
 * `'error'` event of `node:child_process` before `'spawn'`).
 *
 * @example
 * ```ts
 * import type { ProcessExitInfo } from '@trellis/process';
 * const killed: ProcessExitInfo = { code: null, signal: 'SIGKILL' };
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface ProcessExitInfo {
  /** The exit code, or `null` when a signal ended it. */
  readonly code: number | null;
  /** The terminating signal's name, or `null`. */
  readonly signal: string | null;
  /** Set when the process could not be spawned. */
  readonly error?: Error;
}

/**
 * One running (or starting) OS process, leader of its own process group.
 *
 * @remarks
 * Listeners registered after the event already happened are not called again, so `fromProcess`
 * registers them right after `spawn` returns, in the same tick. `onSpawn` listeners run once the
 * OS has started the process; `onExit` listeners run once, either after the process exited or
 * when it could not be spawned.
 *
 * @example
 * ```ts no-run
 * import { nodeSpawner } from '@trellis/process';
 * const handle = nodeSpawner.spawn('sleep', ['60'], { env: { PATH: process.env.PATH ?? '' }, ipc: false });
 * handle.onExit(({ code, signal }) => console.log('exited', code, signal));
 * handle.kill('SIGTERM', true); // the whole process group
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface ProcessHandle {
  /** The process id (and process group id); `undefined` when spawning failed at once. */
  readonly pid: number | undefined;
  /** The process's standard output, or `null` when not piped. */
  readonly stdout: Readable | null;
  /** The process's standard error, or `null` when not piped. */
  readonly stderr: Readable | null;
  /** Calls `listener` once the process has been spawned. */
  onSpawn(listener: () => void): void;
  /** Calls `listener` once, when the process exited or could not be spawned. */
  onExit(listener: (exit: ProcessExitInfo) => void): void;
  /** Calls `listener` with each IPC message (when spawned with `ipc: true`). */
  onMessage(listener: (message: unknown) => void): void;
  /**
   * Sends `signal` to the process, or to its whole process group when `group` is true. Never
   * throws for a process that has already gone.
   */
  kill(signal: NodeJS.Signals, group: boolean): void;
  /**
   * Sends `message` over the IPC channel, with `sendHandle` (a listening server or socket) passed
   * to the child as Node's `child.send(message, sendHandle)` does: the way a parent shares one
   * listening port between several process children (node:cluster does the same). Resolves once
   * the message is written; rejects when the process has no IPC channel (it was not spawned with
   * `ipc: true`, for `fromProcess` a `readiness` of kind `ipc`) or it has gone. Optional: a
   * spawner whose processes have no IPC leaves it out.
   *
   * @param message - any value Node's IPC serialises (JSON by default).
   * @param sendHandle - a `net.Server`, `net.Socket` or listening handle to pass, if any.
   */
  sendToChild?(message: unknown, sendHandle?: unknown): Promise<void>;
}

/**
 * Starts OS processes: the seam between `fromProcess` and the operating system.
 *
 * @remarks
 * `spawn` may throw synchronously (an invalid argument); an OS failure such as `ENOENT` is
 * reported through {@link ProcessHandle.onExit} with `error` set. Either way `fromProcess`
 * turns it into a `SpawnError` start failure.
 *
 * @example A spawner that logs every command, wrapping the default one
 * ```ts
 * import { nodeSpawner, type ProcessSpawner } from '@trellis/process';
 * const logging: ProcessSpawner = {
 *   spawn(command, args, options) {
 *     console.log('spawn', command, ...args);
 *     return nodeSpawner.spawn(command, args, options);
 *   },
 * };
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface ProcessSpawner {
  /**
   * Starts `command` with `args` as the leader of a new process group.
   *
   * @param command - the program to run.
   * @param args - its arguments.
   * @param options - working directory, environment, IPC.
   * @returns a handle on the new process.
   */
  spawn(command: string, args: readonly string[], options: SpawnOptions): ProcessHandle;
}
