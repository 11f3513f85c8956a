/**
 * A fake {@link ProcessSpawner} for unit tests: records every spawn and every kill, and lets the
 * test decide when a process spawns, prints, sends IPC messages and exits.
 *
 * @module
 */
import { PassThrough } from 'node:stream';
import type { Logger } from '@trellis/core';
import type { ProcessExitInfo, ProcessHandle, ProcessSpawner, SpawnOptions } from '../src/index.js';

export class FakeHandle implements ProcessHandle {
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  readonly kills: Array<[NodeJS.Signals, boolean]> = [];
  private readonly spawnListeners: Array<() => void> = [];
  private readonly exitListeners: Array<(exit: ProcessExitInfo) => void> = [];
  private readonly messageListeners: Array<(message: unknown) => void> = [];
  spawned = false;
  exited = false;

  constructor(
    readonly pid: number | undefined,
    readonly command: string,
    readonly args: readonly string[],
    readonly options: SpawnOptions,
    /** What a SIGKILL/SIGTERM does: exit at once with that signal (like a real process), or nothing. */
    readonly obeySignals: { term: boolean; kill: boolean },
  ) {}

  onSpawn(listener: () => void): void {
    this.spawnListeners.push(listener);
  }
  onExit(listener: (exit: ProcessExitInfo) => void): void {
    this.exitListeners.push(listener);
  }
  onMessage(listener: (message: unknown) => void): void {
    this.messageListeners.push(listener);
  }
  kill(signal: NodeJS.Signals, group: boolean): void {
    this.kills.push([signal, group]);
    if (this.exited) return;
    if ((signal === 'SIGKILL' && this.obeySignals.kill) || (signal !== 'SIGKILL' && this.obeySignals.term)) {
      queueMicrotask(() => this.exit(null, signal));
    }
  }

  emitSpawn(): void {
    if (this.spawned) return;
    this.spawned = true;
    for (const l of this.spawnListeners) l();
  }
  print(text: string, stream: 'stdout' | 'stderr' = 'stdout'): void {
    this[stream].write(text);
  }
  send(message: unknown): void {
    for (const l of this.messageListeners) l(message);
  }
  exit(code: number | null, signal: string | null): void {
    if (this.exited) return;
    this.exited = true;
    for (const l of this.exitListeners) l({ code, signal });
  }
  fail(code: string): void {
    if (this.exited) return;
    this.exited = true;
    const error = Object.assign(new Error(`spawn ${this.command} ${code}`), { code, errno: -2, syscall: `spawn ${this.command}` });
    for (const l of this.exitListeners) l({ code: null, signal: null, error });
  }
}

export interface FakeSpawner extends ProcessSpawner {
  readonly handles: FakeHandle[];
  /** The handle of the last spawn. */
  last(): FakeHandle;
}

export function fakeSpawner(
  options: { autoSpawn?: boolean; failWith?: string; throwWith?: Error; obeySignals?: { term: boolean; kill: boolean } } = {},
): FakeSpawner {
  const handles: FakeHandle[] = [];
  let nextPid = 1000;
  return {
    handles,
    last() {
      const h = handles.at(-1);
      if (!h) throw new Error('nothing spawned');
      return h;
    },
    spawn(command, args, spawnOptions) {
      if (options.throwWith) throw options.throwWith;
      const handle = new FakeHandle(
        options.failWith ? undefined : nextPid++,
        command,
        args,
        spawnOptions,
        options.obeySignals ?? { term: true, kill: true },
      );
      handles.push(handle);
      if (options.failWith) {
        const code = options.failWith;
        queueMicrotask(() => handle.fail(code));
      } else if (options.autoSpawn !== false) queueMicrotask(() => handle.emitSpawn());
      return handle;
    },
  };
}

export interface LogRecord {
  level: 'debug' | 'info' | 'warn' | 'error';
  bindings: Record<string, unknown>;
  obj: Record<string, unknown>;
  msg: string | undefined;
}

/** A pino-like logger that keeps every record. */
export function captureLogs(): { logger: Logger; records: LogRecord[] } {
  const records: LogRecord[] = [];
  const make = (bindings: Record<string, unknown>): Logger => {
    const at =
      (level: LogRecord['level']) =>
      (obj: object, msg?: string): void => {
        records.push({ level, bindings, obj: obj as Record<string, unknown>, msg });
      };
    return { child: (more) => make({ ...bindings, ...more }), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  };
  return { logger: make({}), records };
}

/**
 * Lets queued microtasks and stream callbacks run: one zero-delay turn, never a sleep. Time moves
 * only on a test clock (`clock.advance(ms)`).
 */
export function tick(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
