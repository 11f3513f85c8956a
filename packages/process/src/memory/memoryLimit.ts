/**
 * Memory limits for process children: the `memoryLimit` option, its validation, and the watch
 * that samples a process group's resident set size on the child's clock and says when it has been
 * over the limit for `samples` readings in a row (PM2's `max_memory_restart`, with the figure kept).
 *
 * @module
 */
import type { Clock } from '@trellis/core';
import { groupRssBytes } from './groupRss.js';

/**
 * The `memoryLimit` option of `fromProcess`: restart a child whose resident set size stays over
 * `maxRssMb`.
 *
 * @remarks
 * The group's RSS (the leader and every process it started) is sampled every `intervalMs`
 * (default 5 000) on the child's clock once it has spawned. After `samples` readings in a row over
 * the limit (default 3; one reading under it starts the count again), the group gets `stopSignal`,
 * and SIGKILL `killAfterMs` later (default 5 000) if it is still there. The exit is `killed` with
 * `detail: { limit: 'memory', maxRssMb, rssBytes, samplesOver, intervalMs }` (decision 0023), and
 * the restart counts toward the supervisor's intensity. `sample(pid)` replaces the measurement
 * (tests, or a cgroup's figure); it returns bytes, or `undefined` for "no reading".
 *
 * @example
 * ```ts
 * import { fromProcess, type MemoryLimit } from '@trellis/process';
 * const memoryLimit: MemoryLimit = { maxRssMb: 512, intervalMs: 2_000, samples: 3 };
 * const logic = fromProcess({ command: 'node', args: ['server.js'], memoryLimit });
 * ```
 *
 * @category models
 * @since 0.2.0
 */
export interface MemoryLimit {
  /** The limit, in megabytes (2^20 bytes) of resident set size. */
  readonly maxRssMb: number;
  /** How often to sample, in ms; default 5 000. */
  readonly intervalMs?: number;
  /** How many readings in a row over the limit trip it; default 3. */
  readonly samples?: number;
  /** After `stopSignal`, how long before SIGKILL, in ms; default 5 000. */
  readonly killAfterMs?: number;
  /** Measures the group led by `pid`, in bytes; default: `/proc` on Linux, `ps` elsewhere. */
  readonly sample?: (pid: number) => number | undefined | Promise<number | undefined>;
}

/** The keys of {@link MemoryLimit}. */
export const MEMORY_LIMIT_KEYS = ['maxRssMb', 'intervalMs', 'samples', 'killAfterMs', 'sample'] as const;

/** The first broken rule of a `memoryLimit` value as `[field, rule, value]`, or `undefined` when it is valid (unknown keys are checked by the caller). */
export function memoryLimitIssue(limit: Record<string, unknown>): readonly [string, string, unknown] | undefined {
  const positive = (value: unknown): boolean => typeof value === 'number' && Number.isFinite(value) && value > 0;
  if (!positive(limit['maxRssMb'])) return ['memoryLimit.maxRssMb', 'a positive number of megabytes', limit['maxRssMb']];
  if (limit['intervalMs'] !== undefined && !positive(limit['intervalMs'])) return ['memoryLimit.intervalMs', 'a positive number', limit['intervalMs']];
  const samples = limit['samples'];
  if (samples !== undefined && !(typeof samples === 'number' && Number.isInteger(samples) && samples >= 1)) return ['memoryLimit.samples', 'a positive integer', samples];
  if (limit['killAfterMs'] !== undefined && !(typeof limit['killAfterMs'] === 'number' && Number.isFinite(limit['killAfterMs']) && limit['killAfterMs'] >= 0)) {
    return ['memoryLimit.killAfterMs', 'a non-negative number', limit['killAfterMs']];
  }
  if (limit['sample'] !== undefined && typeof limit['sample'] !== 'function') return ['memoryLimit.sample', 'a function', limit['sample']];
  return undefined;
}

/** What a tripped limit reports: the `detail` of the `killed` exit. */
export interface MemoryTrip {
  readonly limit: 'memory';
  readonly maxRssMb: number;
  /** The reading that tripped it. */
  readonly rssBytes: number;
  /** The readings in a row over the limit, that one included. */
  readonly samplesOver: number;
  readonly intervalMs: number;
}

/**
 * Samples one process group on `clock` until stopped; calls `onTrip` once, when `samples`
 * readings in a row are over the limit. A reading still in flight when the watch stops is dropped.
 */
export class MemoryWatch {
  private timer: unknown;
  private stopped = false;
  private over = 0;
  private readonly maxBytes: number;
  private readonly intervalMs: number;
  private readonly needed: number;

  constructor(
    private readonly limit: MemoryLimit,
    private readonly pid: number,
    private readonly clock: Clock,
    private readonly onTrip: (trip: MemoryTrip) => void,
  ) {
    this.maxBytes = limit.maxRssMb * 1024 * 1024;
    this.intervalMs = limit.intervalMs ?? 5_000;
    this.needed = limit.samples ?? 3;
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      void this.read();
    }, this.intervalMs);
  }

  private async read(): Promise<void> {
    let bytes: number | undefined;
    try {
      bytes = await (this.limit.sample ?? groupRssBytes)(this.pid);
    } catch {
      bytes = undefined; // no reading this time; the count stays as it was
    }
    if (this.stopped) return;
    if (bytes !== undefined) this.over = bytes > this.maxBytes ? this.over + 1 : 0;
    if (bytes !== undefined && this.over >= this.needed) {
      this.stop();
      this.onTrip({ limit: 'memory', maxRssMb: this.limit.maxRssMb, rssBytes: bytes, samplesOver: this.over, intervalMs: this.intervalMs });
      return;
    }
    this.schedule();
  }
}
