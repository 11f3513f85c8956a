/**
 * A two-level supervision tree whose workers crash now and then.
 *
 * ```
 * root (one_for_one)
 * ├── db (rest_for_one)
 * │   ├── pool
 * │   └── writer
 * └── http
 * ```
 *
 * Every worker is an async loop that wakes up once per tick, crashes on some ticks, and
 * stops as soon as its supervisor aborts `ctx.signal`. The crash schedule is driven by a random
 * function you pass in, and the ticks by the supervisor's clock (`ctx.sleep`), so a test can run the tree
 * deterministically on `createTestClock()`.
 */
import { defineSupervisor, exit, fromWorker, type SupervisorLogic, type WorkerLogic } from '@trellis/core';

/** Options of {@link buildTree}. */
export interface TreeOptions {
  /** Returns numbers in [0, 1). A worker crashes on a tick when `random() < crashChance`. Default: `seededRandom(3)`. */
  readonly random?: () => number;
  /** The chance that a worker crashes on a given tick. Default 0.08. */
  readonly crashChance?: number;
  /** Milliseconds between two ticks of a worker. Default 100. */
  readonly tickMs?: number;
  /** Where the workers write their handover lines. Default `console.log`. */
  readonly log?: (line: string) => void;
}

/**
 * A small seeded PRNG (mulberry32): the same seed gives the same numbers.
 *
 * @param seed - any 32-bit integer.
 * @returns a function that returns numbers in [0, 1).
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A worker that ticks until it is asked to stop, and crashes with `boom` now and then. */
function flakyWorker(options: Required<TreeOptions>): WorkerLogic {
  const { random, crashChance, tickMs, log } = options;
  return fromWorker(async ({ signal, sleep, handover }) => {
    // The handover: the same resumeId every time, a new incarnation, and how the last one ended.
    const { resumeId, incarnation, previousExit } = handover;
    log(
      previousExit === null
        ? `  ${resumeId}: incarnation ${incarnation} starting`
        : `  ${resumeId}: incarnation ${incarnation} taking over (previous exit: ${previousExit.reason})`,
    );
    while (!signal.aborted) {
      await sleep(tickMs); // the supervisor's clock; wakes at once when asked to stop
      if (signal.aborted) break;
      if (random() < crashChance) throw new Error('boom');
    }
    return exit.shutdown(); // asked to stop: a clean exit
  });
}

/**
 * Builds the tree: `root` (one_for_one) over `db` (rest_for_one: `pool`, `writer`) and `http`.
 *
 * @param options - crash schedule and log.
 * @returns the root supervisor's logic, for `startSupervisor`.
 */
export function buildTree(options: TreeOptions = {}): SupervisorLogic {
  const resolved: Required<TreeOptions> = {
    random: options.random ?? seededRandom(3),
    crashChance: options.crashChance ?? 0.08,
    tickMs: options.tickMs ?? 100,
    log: options.log ?? ((line) => console.log(line)),
  };
  const db = defineSupervisor({
    id: 'db',
    strategy: 'rest_for_one', // pool crashes: writer (started after it) is restarted too
    intensity: 5,
    periodMs: 1000,
    children: [
      { id: 'pool', start: flakyWorker(resolved) },
      { id: 'writer', start: flakyWorker(resolved) },
    ],
  });
  return defineSupervisor({
    id: 'root',
    strategy: 'one_for_one',
    intensity: 5,
    periodMs: 1000,
    children: [
      { id: 'db', start: db },
      { id: 'http', start: flakyWorker(resolved) },
    ],
  });
}
