/**
 * The default {@link ProcessSpawner}, on `node:child_process`: every child leads its own
 * process group (`detached: true`), signals go to the group (`process.kill(-pid, signal)`), and
 * every group is registered with the no-orphans watchdog.
 *
 * @module
 */
import { spawn, type SendHandle, type Serializable } from 'node:child_process';
import type { ProcessExitInfo, ProcessHandle, ProcessSpawner, SpawnOptions } from './spawner.js';
import { registerGroup, unregisterGroup } from './watchdog.js';

/**
 * Options of {@link createNodeSpawner}.
 *
 * @remarks
 * The watchdog is one small Node process per supervising process; see the guide "Process
 * children" and decision 0005.
 *
 * @example
 * ```ts
 * import type { NodeSpawnerOptions } from '@trellis/process';
 * const options: NodeSpawnerOptions = { watchdog: true };
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface NodeSpawnerOptions {
  /**
   * Register every process group with the no-orphans watchdog, so a SIGKILL of this Node
   * process leaves no child alive. Default `true`; turn it off only when something else (a
   * container, a cgroup) already guarantees that.
   */
  readonly watchdog?: boolean;
}

/**
 * Makes a {@link ProcessSpawner} on `node:child_process`.
 *
 * @remarks
 * Each process is spawned with `detached: true`, so it leads a new process group (and session);
 * `kill(signal, true)` signals the whole group. stdin is `/dev/null`; stdout and stderr are
 * pipes. The first spawn starts the watchdog (one small Node process per supervising process,
 * `process.execPath watchdog/watchdog.mjs`).
 *
 * @param options - whether to use the watchdog.
 * @returns a spawner.
 *
 * @example
 * ```ts
 * import { createNodeSpawner, fromProcess } from '@trellis/process';
 * const logic = fromProcess({ command: 'sleep', args: ['60'], spawner: createNodeSpawner({ watchdog: false }) });
 * ```
 *
 * @category process
 * @since 0.1.0
 */
export function createNodeSpawner(options: NodeSpawnerOptions = {}): ProcessSpawner {
  const useWatchdog = options.watchdog !== false;
  return {
    spawn(command: string, args: readonly string[], spawnOptions: SpawnOptions): ProcessHandle {
      const child = spawn(command, args, {
        cwd: spawnOptions.cwd,
        env: spawnOptions.env,
        detached: true,
        stdio: spawnOptions.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
        windowsHide: true,
      });
      const pid = child.pid;
      if (useWatchdog && pid !== undefined) registerGroup(pid);
      let spawned = false;
      let ended = false;
      const exitListeners: Array<(exit: ProcessExitInfo) => void> = [];
      const end = (exit: ProcessExitInfo): void => {
        if (ended) return;
        ended = true;
        for (const listener of exitListeners) listener(exit);
        // After the listeners, which kill what is left of the group.
        if (useWatchdog && pid !== undefined) unregisterGroup(pid);
      };
      child.once('spawn', () => {
        spawned = true;
      });
      child.on('error', (error) => {
        // Before 'spawn' this is a spawn failure (ENOENT, EACCES); after it, a failed kill or IPC
        // send, which the exit that follows makes moot. Never an unhandled 'error' event.
        if (!spawned) end({ code: null, signal: null, error });
      });
      child.once('exit', (code, signal) => end({ code, signal }));
      return {
        pid,
        stdout: child.stdout,
        stderr: child.stderr,
        onSpawn(listener) {
          child.once('spawn', listener);
        },
        onExit(listener) {
          exitListeners.push(listener);
        },
        onMessage(listener) {
          child.on('message', listener);
        },
        sendToChild(message, sendHandle) {
          return new Promise<void>((resolve, reject) => {
            if (!spawnOptions.ipc || typeof child.send !== 'function' || !child.connected) {
              reject(new Error(`process ${String(pid)} (${command}): no IPC channel to send on (spawn it with ipc: true; fromProcess does for a readiness of kind 'ipc')${spawnOptions.ipc ? ', or it has gone' : ''}`));
              return;
            }
            // The callback, not 'error', reports a failed send: nothing is left unhandled.
            child.send(message as Serializable, sendHandle as SendHandle, (error) => (error === null || error === undefined ? resolve() : reject(error)));
          });
        },
        kill(signal, group) {
          if (pid === undefined) return;
          try {
            process.kill(group ? -pid : pid, signal);
          } catch {
            // ESRCH: already gone.
          }
        },
      };
    },
  };
}

/**
 * The default spawner: {@link createNodeSpawner} with the watchdog on.
 *
 * @remarks
 * What `fromProcess` uses when no `spawner` is given.
 *
 * @example
 * ```ts
 * import { fromProcess, nodeSpawner } from '@trellis/process';
 * const logic = fromProcess({ command: 'sleep', args: ['60'], spawner: nodeSpawner });
 * ```
 *
 * @category process
 * @since 0.1.0
 */
export const nodeSpawner: ProcessSpawner = createNodeSpawner();
