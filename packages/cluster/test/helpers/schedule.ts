// The fault schedules of schedule.integration.test.ts, drawn from a seed: the same seed gives the
// same schedule, so a failure replays with TRELLIS_SEED.

/** The lease's ttlMs in the schedule test: fault durations are drawn around it. */
export const TTL_MS = 3_000;

/** mulberry32: a small, fast PRNG whose whole state is the seed. */
function prng(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A host by its index, or `'holder'`: whichever host holds the lease when the step runs. */
export type Target = number | 'holder';
export type Fault =
  | { kind: 'kill'; host: Target; downMs: number }
  | { kind: 'pause'; host: Target; ms: number }
  | { kind: 'blackhole'; host: Target; ms: number }
  | { kind: 'restartDatabase' };
export type Step = { fault: Fault; thenMs: number };

/** The schedule of a seed: which fault, on which host, for how long, and the gap after it. */
export function schedule(seed: number, count: number, hosts: number): Step[] {
  const random = prng(seed);
  const between = (low: number, high: number): number => Math.round(low + random() * (high - low));
  const out: Step[] = [];
  for (let i = 0; i < count; i++) {
    const pick = random();
    // Mostly the holder: a fault on a standby changes little.
    const host: Target = random() < 0.7 ? 'holder' : Math.floor(random() * hosts);
    // Durations straddle the lease: shorter than renewDeadlineMs (nothing should happen), past it
    // (self-fencing) and past ttlMs (a takeover while the old holder is away).
    const fault: Fault =
      pick < 0.3
        ? { kind: 'kill', host, downMs: between(0, 1_500) }
        : pick < 0.6
          ? { kind: 'pause', host, ms: between(300, TTL_MS + 1_500) }
          : pick < 0.9
            ? { kind: 'blackhole', host, ms: between(300, TTL_MS + 1_500) }
            : { kind: 'restartDatabase' };
    out.push({ fault, thenMs: between(100, 1_200) });
  }
  return out;
}

