/**
 * A small, pure reference model of OTP supervisor semantics for static supervisors, written from
 * OTP-SEMANTICS §1.2–1.9 and §5 (not from trellis's source), with the deliberate differences of
 * decision 0003: a millisecond window inclusive at its edge, and a failed restart's retry that
 * waits one event-loop turn ("a round" here).
 *
 * The model is a plain object mutated by plain functions; no timers, no promises. Time is given
 * in by the caller (`now`). A step of the driver is: apply one command, then run one round of the
 * retries that were pending before the command (see `runRetryRound`).
 */

export type Strategy = 'one_for_one' | 'one_for_all' | 'rest_for_one';
export type RestartType = 'permanent' | 'transient' | 'temporary';
export type AutoShutdown = 'never' | 'any_significant' | 'all_significant';
export type ModelStatus = 'running' | 'restarting' | 'stopped';
export type ModelExitReason = 'normal' | 'shutdown' | 'error' | 'bystander' | 'killed';

export interface ModelExit {
  readonly reason: ModelExitReason;
  /** The offender of a bystander stop (reason bystander, or killed when brutal_kill); nothing else carries a detail in the model. */
  readonly offender?: string;
  readonly at: number;
}

export interface ModelChild {
  readonly id: string;
  readonly restart: RestartType;
  readonly significant: boolean;
  /** shutdown: 'brutal_kill' (stops are reported `killed`); otherwise a graceful timeout the child honours. */
  readonly brutal: boolean;
  /** Ignores its stop request: killed after DEAF_SHUTDOWN_MS (when not brutal_kill); time passes meanwhile. */
  readonly deaf?: boolean;
  status: ModelStatus;
  /** Incarnation of the last start attempt (-1 before the first). */
  incarnation: number;
  /** Automatic restart attempts (ChildInfo.restarts). */
  restarts: number;
  /** Exit of the last incarnation that had started (a failed start does not replace it). */
  previousExit: ModelExit | null;
}

export interface ModelSpec {
  readonly id: string;
  readonly restart: RestartType;
  readonly significant: boolean;
  readonly brutal: boolean;
  readonly deaf?: boolean;
}

/** The `shutdown` of a deaf child: the supervisor waits this long, then kills it (§1.6). */
export const DEAF_SHUTDOWN_MS = 50;

/**
 * §1.6 for one running child: brutal_kill kills at once; a child that honours its stop request
 * exits `shutdown` (or `bystander`); a deaf one is killed when its `shutdown` time runs out, and
 * that time passes on the supervisor's clock.
 */
function stopRunning(m: Model, c: ModelChild, offender?: string): void {
  let reason: ModelExitReason;
  if (c.brutal) reason = 'killed';
  else if (c.deaf) {
    m.now += DEAF_SHUTDOWN_MS;
    reason = 'killed';
  } else reason = offender === undefined ? 'shutdown' : 'bystander';
  c.previousExit = offender === undefined ? { reason, at: m.now } : { reason, offender, at: m.now };
  c.status = 'stopped';
}

export interface ModelFlags {
  readonly strategy: Strategy;
  readonly intensity: number;
  readonly periodMs: number;
  readonly autoShutdown: AutoShutdown;
}

export interface ModelEnd {
  readonly reason: 'normal' | 'shutdown';
  readonly detail?: string;
}

export interface Model {
  readonly flags: ModelFlags;
  /** Start order. */
  children: ModelChild[];
  /** OTP's restart list, newest last. */
  restarts: number[];
  ended: ModelEnd | undefined;
  now: number;
  /** Start attempts that will fail, per id (the scripted child's failStarts); Infinity = always. */
  readonly failStarts: Map<string, number>;
  /** DESIGN §3: the handover every start attempt received, per id (across deletes), oldest first. */
  readonly handovers: Map<string, ModelHandover[]>;
  /** Retries scheduled and not yet run: `{ id, incarnation }`, in schedule order. */
  pendingRetries: Array<{ id: string; incarnation: number }>;
}

/** The handover of one start attempt: its incarnation and the previous exit it was told of. */
export interface ModelHandover {
  readonly resumeId: string;
  readonly incarnation: number;
  readonly previousExit: ModelExit | null;
}

/** What a manual command answers: ok, or the OTP error atom. */
export type Outcome =
  | { readonly ok: true; readonly incarnation?: number }
  | { readonly ok: false; readonly code: 'not_found' | 'running' | 'restarting' | 'already_present' | 'already_started' | 'failed_to_start_child' | 'not_running' };

export function createModel(flags: ModelFlags, specs: readonly ModelSpec[], now: number): Model {
  const m: Model = { flags, children: [], restarts: [], ended: undefined, now, failStarts: new Map(), handovers: new Map(), pendingRetries: [] };
  for (const spec of specs) {
    const child: ModelChild = { ...spec, status: 'stopped', incarnation: -1, restarts: 0, previousExit: null };
    m.children.push(child);
    // The driver never makes an initial start fail, so init always succeeds here.
    attemptStart(m, child, false);
  }
  return m;
}

function find(m: Model, id: string): ModelChild | undefined {
  return m.children.find((c) => c.id === id);
}

function remove(m: Model, id: string): void {
  m.children = m.children.filter((c) => c.id !== id);
}

/** One start attempt: the incarnation grows whether or not it succeeds. */
function attemptStart(m: Model, child: ModelChild, automatic: boolean): boolean {
  child.incarnation++;
  if (automatic) child.restarts++;
  // Every attempt, failed ones included, gets a handover: the same ResumeID (the path), the
  // attempt's incarnation, and the exit of the last incarnation that had started.
  const list = m.handovers.get(child.id) ?? [];
  list.push({ resumeId: `root/${child.id}`, incarnation: child.incarnation, previousExit: child.previousExit });
  m.handovers.set(child.id, list);
  const failing = m.failStarts.get(child.id) ?? 0;
  if (failing > 0) {
    m.failStarts.set(child.id, failing - 1); // Infinity - 1 stays Infinity
    child.status = 'stopped';
    return false;
  }
  child.status = 'running';
  return true;
}

/** §1.4: restart type × exit reason. */
export function decide(restart: RestartType, reason: ModelExitReason): 'restart' | 'keep' | 'delete' {
  if (restart === 'temporary') return 'delete';
  if (restart === 'permanent') return 'restart';
  return reason === 'normal' || reason === 'shutdown' ? 'keep' : 'restart';
}

/** §1.5, OTP's list algorithm: drop entries older than the (inclusive) window, add now, compare. */
function addRestart(m: Model): boolean {
  const { intensity, periodMs } = m.flags;
  m.restarts = m.restarts.filter((t) => t >= m.now - periodMs);
  m.restarts.push(m.now);
  return m.restarts.length <= intensity;
}

/** Stop every child in reverse order and end the supervisor (§1.5 step 4, §1.9). */
function end(m: Model, exit: ModelEnd): void {
  for (const c of [...m.children].reverse()) if (c.status === 'running') stopRunning(m, c);
  m.ended = exit;
  m.pendingRetries = [];
}

/** A child ended by itself (crash, normal, shutdown). Ignored unless it was running. */
export function childExits(m: Model, id: string, reason: 'normal' | 'shutdown' | 'error'): void {
  if (m.ended) return;
  const child = find(m, id);
  if (child === undefined || child.status !== 'running') return;
  child.previousExit = { reason, at: m.now };
  child.status = 'stopped';
  const decision = decide(child.restart, reason);
  if (decision === 'restart') {
    restart(m, child);
    return;
  }
  if (decision === 'delete') remove(m, id);
  if (child.significant) checkAutoShutdown(m);
}

/** §1.9: only significant self-terminations that are not restarted get here. */
function checkAutoShutdown(m: Model): void {
  const mode = m.flags.autoShutdown;
  if (mode === 'never') return;
  if (mode === 'all_significant' && m.children.some((c) => c.significant && c.status !== 'stopped')) return;
  end(m, { reason: 'shutdown' });
}

/** OTP `restart/2`: count, plan by strategy, stop bystanders in reverse order, start in order. */
function restart(m: Model, failed: ModelChild): void {
  if (!addRestart(m)) {
    if (failed.restart === 'temporary') remove(m, failed.id);
    end(m, { reason: 'shutdown', detail: 'reached_max_restart_intensity' });
    return;
  }
  const toStop: ModelChild[] = [];
  const toStart: ModelChild[] = [];
  const toDrop: ModelChild[] = [];
  if (m.flags.strategy === 'one_for_one') toStart.push(failed);
  else {
    let reached = m.flags.strategy === 'one_for_all';
    for (const c of m.children) {
      if (c === failed) {
        reached = true;
        toStart.push(c);
        continue;
      }
      if (!reached) continue;
      if (c.status === 'running') toStop.push(c);
      // Temporary bystanders are stopped and dropped, never restarted (temporary_bystander).
      if (c.restart === 'temporary') toDrop.push(c);
      else toStart.push(c); // manually stopped and restarting ones included (tree)
    }
  }
  // DESIGN §3: a bystander is reported `bystander`, or `killed` when it had to be killed.
  for (const c of toStop.reverse()) stopRunning(m, c, failed.id);
  for (const c of toDrop) remove(m, c.id);
  for (const c of toStart) {
    if (c.status === 'running') continue;
    // A child in a restart loop joins the group restart; its own pending retry becomes stale.
    c.status = 'stopped';
    if (!attemptStart(m, c, true)) {
      // §1.7: restarting, retry through the mailbox; one_for_all redoes the whole group and
      // rest_for_one from this child on (both follow from planning again at the retry).
      c.status = 'restarting';
      m.pendingRetries.push({ id: c.id, incarnation: c.incarnation });
      return;
    }
  }
}

/**
 * One event-loop turn of retries: each retry that was pending before the step runs, in order,
 * unless it is stale (terminated, deleted, or overtaken by a newer attempt). Retries scheduled
 * during the round wait for the next one.
 */
export function runRetryRound(m: Model, due: ReadonlyArray<{ id: string; incarnation: number }>): void {
  for (const retry of due) {
    if (m.ended) return;
    const child = find(m, retry.id);
    if (child === undefined || child.status !== 'restarting' || child.incarnation !== retry.incarnation) continue;
    restart(m, child);
  }
}

/** Takes the retries pending now; the driver runs them after the step's command. */
export function takeDueRetries(m: Model): Array<{ id: string; incarnation: number }> {
  const due = m.pendingRetries;
  m.pendingRetries = [];
  return due;
}

const NOT_RUNNING: Outcome = { ok: false, code: 'not_running' };

/** OTP terminate_child: idempotent; ends a restart loop; temporary specs go. Never counted. */
export function terminateChild(m: Model, id: string): Outcome {
  if (m.ended) return NOT_RUNNING;
  const child = find(m, id);
  if (child === undefined) return { ok: false, code: 'not_found' };
  if (child.status === 'running') stopRunning(m, child);
  child.status = 'stopped';
  if (child.restart === 'temporary') remove(m, id);
  return { ok: true };
}

/** OTP restart_child: only a stopped child; not counted; a failed start keeps the spec. */
export function restartChild(m: Model, id: string): Outcome {
  if (m.ended) return NOT_RUNNING;
  const child = find(m, id);
  if (child === undefined) return { ok: false, code: 'not_found' };
  if (child.status === 'restarting') return { ok: false, code: 'restarting' };
  if (child.status === 'running') return { ok: false, code: 'running' };
  if (!attemptStart(m, child, false)) return { ok: false, code: 'failed_to_start_child' };
  return { ok: true, incarnation: child.incarnation };
}

/** OTP delete_child: only a stopped child. */
export function deleteChild(m: Model, id: string): Outcome {
  if (m.ended) return NOT_RUNNING;
  const child = find(m, id);
  if (child === undefined) return { ok: false, code: 'not_found' };
  if (child.status === 'restarting') return { ok: false, code: 'restarting' };
  if (child.status === 'running') return { ok: false, code: 'running' };
  remove(m, id);
  return { ok: true };
}

/** OTP start_child: appended at the end; a failed start discards the spec; not counted. */
export function startChild(m: Model, spec: ModelSpec): Outcome {
  if (m.ended) return NOT_RUNNING;
  const existing = find(m, spec.id);
  if (existing !== undefined) return { ok: false, code: existing.status === 'running' ? 'already_started' : 'already_present' };
  const child: ModelChild = { ...spec, status: 'stopped', incarnation: -1, restarts: 0, previousExit: null };
  m.children.push(child);
  if (!attemptStart(m, child, false)) {
    remove(m, spec.id);
    return { ok: false, code: 'failed_to_start_child' };
  }
  return { ok: true, incarnation: child.incarnation };
}

/** which_children: newest first. */
export function whichChildren(m: Model): ModelChild[] {
  return [...m.children].reverse();
}

/** count_children for a static supervisor of workers. */
export function countChildren(m: Model): { specs: number; active: number; supervisors: number; workers: number } {
  const active = m.children.filter((c) => c.status === 'running').length;
  return { specs: m.children.length, active, supervisors: 0, workers: m.children.length };
}
