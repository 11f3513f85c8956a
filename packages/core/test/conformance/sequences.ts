// The commands of the differential test (decision 0012) and a seeded generator of sequences.
// A sequence is a supervisor tree (`Setup`) and the commands run against it, on OTP and on trellis.

export type Strategy = 'one_for_one' | 'one_for_all' | 'rest_for_one';
export type Restart = 'permanent' | 'transient' | 'temporary';
export type AutoShutdown = 'never' | 'any_significant' | 'all_significant';
/** A worker's shutdown: brutal_kill, a short timeout the child honours, or a deaf child killed after it. */
export type Stop = 'brutal_kill' | 'honours' | 'deaf';

export interface SupSetup {
  strategy: Strategy;
  intensity: number;
  autoShutdown: AutoShutdown;
  specs: Spec[];
}

export interface Spec {
  id: string;
  restart: Restart;
  significant: boolean;
  /** A worker's stop; absent for a child supervisor (shutdown infinity). */
  stop?: Stop;
  /** A child supervisor and its own children. */
  sup?: SupSetup;
}

/** A static tree, or a dynamic supervisor (OTP `simple_one_for_one`) with one template. */
export type Setup = { kind: 'static'; root: SupSetup } | { kind: 'dynamic'; intensity: number; template: { restart: Restart; stop: Stop } };

export type Signal = 'crash' | 'normal' | 'shutdown' | 'kill';

export type Command =
  | { k: 'signal'; id: string; signal: Signal }
  | { k: 'failStarts'; id: string; n: number | 'always' }
  | { k: 'terminate'; id: string }
  | { k: 'restart'; id: string }
  | { k: 'delete'; id: string }
  | { k: 'startChild'; spec: Spec }
  | { k: 'startDynamic'; id: string }
  | { k: 'terminateDynamic'; id: string };

export interface Sequence {
  setup: Setup;
  commands: Command[];
}

/** Milliseconds a `honours`/`deaf` worker's shutdown waits (real time in OTP, the test clock in trellis). */
export const SHUTDOWN_MS = 20;

/** mulberry32: small, seedable, good enough to pick commands. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STRATEGIES: Strategy[] = ['one_for_one', 'one_for_all', 'rest_for_one'];
const RESTARTS: Restart[] = ['permanent', 'transient', 'temporary'];
const AUTO: AutoShutdown[] = ['never', 'never', 'any_significant', 'all_significant'];
const STOPS: Stop[] = ['brutal_kill', 'honours', 'honours', 'deaf'];
const SIGNALS: Signal[] = ['crash', 'crash', 'normal', 'shutdown', 'kill'];

/** Every worker id of a static setup, with the supervisor it belongs to (`root` or a child supervisor's id). */
export function workerIds(root: SupSetup, path = 'root'): { id: string; sup: string }[] {
  return root.specs.flatMap((s) => (s.sup === undefined ? [{ id: s.id, sup: path }] : workerIds(s.sup, s.id)));
}

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)]!;
}

function spec(r: () => number, id: string, auto: AutoShutdown, depth: number): Spec {
  const restart = pick(r, RESTARTS);
  const significant = auto !== 'never' && restart !== 'permanent' && r() < 0.5;
  if (depth > 0 && r() < 0.25) {
    const n = 1 + Math.floor(r() * 3);
    const sub = supSetup(r, n, `${id}c`, 0);
    return { id, restart, significant, sup: sub };
  }
  return { id, restart, significant, stop: pick(r, STOPS) };
}

function supSetup(r: () => number, n: number, prefix: string, depth: number): SupSetup {
  const autoShutdown = pick(r, AUTO);
  return {
    strategy: pick(r, STRATEGIES),
    // 0 gives up at the first restart; higher values let longer sequences run.
    intensity: pick(r, [0, 1, 2, 3, 3, 5]),
    autoShutdown,
    specs: Array.from({ length: n }, (_, i) => spec(r, `${prefix}${i}`, autoShutdown, depth)),
  };
}

/** A random sequence; the same seed gives the same sequence. */
export function generate(seed: number, maxCommands: number): Sequence {
  const r = rng(seed);
  const length = 1 + Math.floor(r() * maxCommands);
  if (r() < 0.2) {
    const setup: Setup = { kind: 'dynamic', intensity: Math.floor(r() * 4), template: { restart: pick(r, RESTARTS), stop: pick(r, STOPS) } };
    const ids = ['d0', 'd1', 'd2', 'd3', 'd4'];
    const commands: Command[] = [];
    for (let i = 0; i < length; i++) {
      const id = pick(r, ids);
      const x = r();
      if (x < 0.35) commands.push({ k: 'startDynamic', id });
      else if (x < 0.7) commands.push({ k: 'signal', id, signal: pick(r, SIGNALS) });
      else if (x < 0.8) commands.push({ k: 'failStarts', id, n: pick(r, [1, 2, 'always'] as const) });
      else commands.push({ k: 'terminateDynamic', id });
    }
    return { setup, commands };
  }
  const root = supSetup(r, 1 + Math.floor(r() * 4), 'c', 1);
  const workers = workerIds(root).map((w) => w.id);
  const extra = ['x0', 'x1'];
  // Mostly existing children, so terminate-then-crash and restart-after-terminate happen often.
  const top = () => (r() < 0.85 ? pick(r, root.specs).id : pick(r, extra));
  const commands: Command[] = [];
  for (let i = 0; i < length; i++) {
    const x = r();
    if (x < 0.4) commands.push({ k: 'signal', id: pick(r, [...workers, ...extra]), signal: pick(r, SIGNALS) });
    else if (x < 0.5) commands.push({ k: 'failStarts', id: pick(r, [...workers, ...extra]), n: pick(r, [0, 1, 2, 'always'] as const) });
    else if (x < 0.62) commands.push({ k: 'terminate', id: top() });
    else if (x < 0.74) commands.push({ k: 'restart', id: top() });
    else if (x < 0.82) commands.push({ k: 'delete', id: top() });
    else {
      const id = pick(r, extra);
      const s = spec(r, id, root.autoShutdown, 0);
      commands.push({ k: 'startChild', spec: s });
    }
  }
  return { setup: { kind: 'static', root }, commands };
}
