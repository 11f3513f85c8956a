// What the differential test compares after every command, once both sides are quiet.

/** One supervisor of the tree: `which_children` rows `[id, status, type]` (newest first) and `count_children`. */
export interface SupView {
  path: string;
  children: [string, string, string][];
  /** specs, active, supervisors, workers. */
  counts: [number, number, number, number];
}

export interface Observation {
  /** `none` while the root runs; otherwise its exit reason (`shutdown`, `normal`) or `start_failed`. */
  exit: string;
  sups: SupView[];
  /** Since the previous step: `[start|fail|down, id]` in the order they happened. */
  log: [string, string][];
}

/** One command's reply (`ok`, `not_running`, `error:<atom>`) and what was observed after it. */
export interface Step {
  reply: string;
  obs: Observation;
}

/**
 * The comparable form of a step. Starts (successful or failed attempts) and ends are compared as
 * two ordered lists: each side logs a start synchronously, but OTP's ends reach the logging
 * process as 'DOWN' messages, which may overtake or trail the next start.
 */
export function normalise(step: Step, dynamic: boolean): unknown {
  const starts = step.obs.log.filter(([what]) => what !== 'down').map(([what, id]) => `${what} ${id}`);
  let downs = step.obs.log.filter(([what]) => what === 'down').map(([, id]) => id);
  // simple_one_for_one stops its children in parallel, in no specified order (OTP-SEMANTICS §1.6).
  if (dynamic && step.obs.exit !== 'none') downs = downs.sort();
  const sups = step.obs.sups.map((s) => {
    let children = s.children.map((row) => [dynamic ? 'dynamic' : row[0], row[1], row[2]].join(' '));
    // simple_one_for_one's which_children order is unspecified (a map's iteration order).
    if (dynamic) children = children.sort();
    return { path: s.path, children, counts: s.counts.join(',') };
  });
  return { reply: step.reply, exit: step.obs.exit, sups, starts, downs };
}

/** The first step where OTP and trellis differ, described; `undefined` when they agree. */
export function firstDivergence(otp: readonly Step[], trellis: readonly Step[], dynamic: boolean): string | undefined {
  for (let i = 0; i < Math.max(otp.length, trellis.length); i++) {
    const a = otp[i] === undefined ? undefined : normalise(otp[i]!, dynamic);
    const b = trellis[i] === undefined ? undefined : normalise(trellis[i]!, dynamic);
    const ja = JSON.stringify(a);
    const jb = JSON.stringify(b);
    if (ja !== jb) return `step ${i} (${i === 0 ? 'setup' : `command ${i}`}):\n  otp:     ${ja}\n  trellis: ${jb}`;
  }
  return undefined;
}
