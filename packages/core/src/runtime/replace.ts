/**
 * The runtime's side of a rolling restart (`rollingRestart`, decision 0026): children replaced
 * in batches, each replacement started beside the incarnation it replaces and waited for until it
 * is ready, then the old incarnation stopped. A batch is one job; between batches the runtime
 * sends itself the command again, so the events that waited behind a batch (a crash, a command,
 * a stop) are handled before the next one, as any job's are.
 *
 * A replacement is not a restart: it is never counted toward intensity and never fires the
 * strategy. It keeps the child's id and ResumeID and is its next incarnation; its handover's
 * `previousExit` is `{ reason: 'replaced' }`.
 *
 * @module
 */
import { createActor, type AnyActorRef } from 'xstate';
import { backoffStarted } from '../backoff.js';
import { READY_EVENT } from '../childProtocol.js';
import { ChildNotFoundError, SupervisorArgumentError } from '../errors.js';
import { silentLogger } from '../logger.js';
import type { ChildId, ExitStatus, Handover } from '../types.js';
import { releaseCrashed } from '../xstateInternals.js';
import { briefError, stopChild, stopIncarnation } from './childLifecycle.js';
import type { ChildRecord } from './childTable.js';
import { CHILD_DONE, CHILD_ERROR, endedOf, type EndedSnapshot, type Reply, type RuntimeEvent } from './events.js';
import { childInput } from './handover.js';
import type { Job } from './jobs.js';
import type { SupervisorRuntime } from './SupervisorRuntime.js';

/** Why a rolling restart stopped before the end. */
export type AbortReason = 'ready_timeout' | 'start_failed' | 'supervisor_stopping';

/** What a rolling restart answers its caller (the public `RollingRestartReport`). */
export interface RollReport {
  readonly outcome: 'completed' | 'aborted';
  readonly replaced: readonly ChildId[];
  readonly skipped: readonly ChildId[];
  readonly remaining: readonly ChildId[];
  readonly reason?: AbortReason;
  readonly child?: ChildId;
  readonly error?: { readonly name: string; readonly message: string };
}

/** A rolling restart in progress, carried by its `sup.replaceChildren` command from batch to batch. */
export interface RollState {
  /** The ids the caller named; `undefined` for every eligible child. */
  readonly requested: readonly ChildId[] | undefined;
  readonly maxSurge: number;
  readonly maxUnavailable: number;
  readonly readyTimeoutMs: number;
  /** The ids still to replace, in order; set when the first batch is planned. */
  queue: ChildId[] | undefined;
  /** The caller has its report. */
  done: boolean;
  readonly replaced: ChildId[];
  readonly skipped: ChildId[];
}

/** One replacement of a batch. */
interface Replacement {
  readonly rec: ChildRecord;
  /** The incarnation it replaces, while that one runs (cleared once it is stopped). */
  old: AnyActorRef | undefined;
  readonly oldIncarnation: number;
  readonly incarnation: number;
  handover: Handover | undefined;
  actor: AnyActorRef | undefined;
  ready: boolean;
  /** Why it will never be ready: its start threw, it crashed, or it ended first. */
  failure: unknown;
}

/** `sup.replaceChildren`: plan the roll on its first arrival, then run its next batch (or end it). */
export function cmdReplaceChildren(rt: SupervisorRuntime, roll: RollState, reply: Reply): void {
  if (roll.queue === undefined) {
    if (rt.roll !== undefined) {
      reply.reject(new SupervisorArgumentError('rollingRestart', 'ref', `must not be in a rolling restart already (supervisor "${rt.path}" runs one at a time)`, rt.path));
      return;
    }
    const queue = plan(rt, roll.requested);
    if (queue instanceof Error) {
      reply.reject(queue);
      return;
    }
    roll.queue = queue;
    rt.roll = { state: roll, reply };
    rt.emit({ type: 'sup.rollingRestart.started', supervisor: rt.path, children: [...queue], maxSurge: roll.maxSurge, maxUnavailable: roll.maxUnavailable, readyTimeoutMs: roll.readyTimeoutMs });
  }
  const batch = nextBatch(rt, roll);
  if (batch.length === 0) {
    finish(rt, roll, reply, { outcome: 'completed', replaced: [...roll.replaced], skipped: [...roll.skipped], remaining: [] });
    return;
  }
  rt.jobs.run(batchJob(rt, roll, batch, reply));
}

/** The supervisor stops (or has ended) with a roll under way: it ends as aborted, never as a rejection. */
export function abortRoll(rt: SupervisorRuntime, roll: RollState, reply: Reply): void {
  if (roll.queue === undefined || roll.done) return; // not begun (refused as any command), or already answered
  finish(rt, roll, reply, { outcome: 'aborted', reason: 'supervisor_stopping', replaced: [...roll.replaced], skipped: [...roll.skipped], remaining: [...roll.queue] });
}

/** The ids to replace: the caller's, checked against the table, or every running worker child. */
function plan(rt: SupervisorRuntime, requested: readonly ChildId[] | undefined): ChildId[] | Error {
  if (requested === undefined) {
    const ids: ChildId[] = [];
    for (const rec of rt.table.children.values()) if (rec.protocol.kind !== 'supervisor' && rec.spec.type !== 'supervisor' && rec.state === 'running') ids.push(rec.spec.id);
    return ids;
  }
  for (const id of requested) {
    const rec = rt.table.get(id);
    if (rec === undefined) return new ChildNotFoundError(rt.path, id);
    if (rec.protocol.kind === 'supervisor' || rec.spec.type === 'supervisor')
      return new SupervisorArgumentError(
        'rollingRestart',
        'options.children',
        `must name worker children only: "${id}" is a supervisor (its children are replaced by a rolling restart of it, decision 0026)`,
        id,
      );
  }
  return [...requested];
}

/** The next `maxSurge + maxUnavailable` children that still run; the ones that do not are skipped. */
function nextBatch(rt: SupervisorRuntime, roll: RollState): ChildRecord[] {
  const queue = roll.queue as ChildId[];
  const size = roll.maxSurge + roll.maxUnavailable;
  const batch: ChildRecord[] = [];
  while (batch.length < size && queue.length > 0) {
    const id = queue.shift() as ChildId;
    const rec = rt.table.get(id);
    // Gone (deleted, temporary and ended) or not running (stopped, restarting): the strategy has it.
    if (rec === undefined || rec.state !== 'running' || rec.ref === undefined) roll.skipped.push(id);
    else batch.push(rec);
  }
  return batch;
}

function finish(rt: SupervisorRuntime, roll: RollState, reply: Reply, report: RollReport): void {
  rt.roll = undefined;
  roll.done = true;
  if (report.outcome === 'completed') rt.emit({ type: 'sup.rollingRestart.completed', supervisor: rt.path, replaced: report.replaced, skipped: report.skipped });
  else
    rt.emit({
      type: 'sup.rollingRestart.aborted',
      supervisor: rt.path,
      reason: report.reason as AbortReason,
      ...(report.child === undefined ? {} : { child: report.child }),
      replaced: report.replaced,
    });
  reply.resolve(report);
}

/**
 * One batch, as Kubernetes rolls a Deployment: the first `maxUnavailable` old incarnations are
 * stopped at once, every replacement is started, all are waited for (one timer of
 * `readyTimeoutMs`), and each ready one takes its child's place before the old incarnation is
 * stopped. A replacement that is not ready is stopped and the roll ends there, aborted; the old
 * incarnation it was to replace is still running.
 */
function* batchJob(rt: SupervisorRuntime, roll: RollState, batch: ChildRecord[], reply: Reply): Job {
  const entries: Replacement[] = batch.map((rec) => ({
    rec,
    old: rec.ref,
    oldIncarnation: rec.incarnation,
    incarnation: rec.incarnation + 1,
    handover: undefined,
    actor: undefined,
    ready: false,
    failure: undefined,
  }));
  // The unavailable share: these children are down until their replacement is ready.
  for (const entry of entries.slice(0, roll.maxUnavailable)) {
    yield* stopChild(rt, entry.rec, 'replaced', undefined);
    entry.old = undefined;
  }
  const pending = new Map<string, Replacement>();
  for (const entry of entries) {
    spawn(rt, entry);
    if (entry.actor !== undefined && !entry.ready && entry.failure === undefined) pending.set(entry.actor.id, entry);
  }
  let timedOut = false;
  if (pending.size > 0 && entries.every((entry) => entry.failure === undefined)) {
    const token = rt.jobs.token();
    rt.jobs.armTimer(token, roll.readyTimeoutMs);
    const resume = yield { kind: 'readyAll', pending: pending as Map<string, unknown>, token };
    timedOut = resume.kind === 'timeout';
  }
  // Each ready replacement takes its child's place, then the incarnation it replaces is stopped.
  for (const entry of entries) {
    if (!entry.ready || rt.exit !== undefined) continue;
    const old = entry.old;
    takeOver(rt, entry);
    if (old !== undefined) {
      const status = yield* stopIncarnation(rt, entry.rec, old, entry.oldIncarnation, 'replaced', undefined);
      if ((old.getSnapshot() as { status: string }).status === 'error') releaseCrashed(old);
      rt.emit({ type: 'sup.child.exited', supervisor: rt.path, child: entry.rec.spec.id, incarnation: entry.oldIncarnation, exit: status, decision: 'stopped' }, entry.rec);
    }
    roll.replaced.push(entry.rec.spec.id);
    rt.emit({ type: 'sup.child.replaced', supervisor: rt.path, child: entry.rec.spec.id, incarnation: entry.incarnation, previousIncarnation: entry.oldIncarnation }, entry.rec);
  }
  const failed = entries.filter((entry) => !entry.ready);
  for (const entry of failed) yield* dropReplacement(rt, entry, roll.readyTimeoutMs);
  if (failed.length === 0) {
    // The next batch goes through the mailbox, behind whatever waited for this one.
    rt.self.send({ type: 'sup.replaceChildren', roll, reply });
    return;
  }
  const first = failed[0] as Replacement;
  const reason: AbortReason = timedOut && first.failure === undefined ? 'ready_timeout' : 'start_failed';
  const remaining = [...failed.map((entry) => entry.rec.spec.id), ...(roll.queue ?? [])];
  finish(rt, roll, reply, {
    outcome: 'aborted',
    reason,
    child: first.rec.spec.id,
    ...(reason === 'start_failed' ? { error: briefError(first.failure) } : {}),
    replaced: [...roll.replaced],
    skipped: [...roll.skipped],
    remaining,
  });
}

/** Creates and starts the replacement; it is not in the table until it is ready. */
function spawn(rt: SupervisorRuntime, entry: Replacement): void {
  const rec = entry.rec;
  const previousExit: ExitStatus | null = entry.old === undefined ? rec.lastExit : { reason: 'replaced', at: rt.now() };
  const handover: Handover = { resumeId: rec.resumeId, incarnation: entry.incarnation, previousExit };
  entry.handover = handover;
  const logger = rt.verbose ? rt.logger.child({ child: rec.spec.id, incarnation: entry.incarnation }) : silentLogger;
  let actor: AnyActorRef;
  try {
    actor = createActor(rec.spec.start, {
      id: `${rec.spec.id}@${entry.incarnation}`,
      parent: rt.self,
      input: childInput(rec, handover, logger, rt.tree),
    } as Parameters<typeof createActor>[1]);
  } catch (error) {
    entry.failure = error;
    return;
  }
  entry.actor = actor;
  actor.start();
  const snapshot = actor.getSnapshot() as { status: string; error?: unknown };
  if (snapshot.status === 'error') entry.failure = snapshot.error;
  // A replacement that ended as it started cannot take the place of one that runs.
  else if (snapshot.status === 'done') entry.failure = new Error('the replacement exited before it was ready');
  else if (!rec.protocol.awaitReady) entry.ready = true;
}

/** During a batch: a replacement said it is ready, or ended first. Returns whether the event was one. */
export function consumeReadiness(rt: SupervisorRuntime, wait: { readonly pending: Map<string, unknown> }, event: RuntimeEvent): boolean {
  if (event.type !== READY_EVENT && event.type !== CHILD_DONE && event.type !== CHILD_ERROR) return false;
  const entry = wait.pending.get(event.actorId) as Replacement | undefined;
  if (entry === undefined) return false;
  wait.pending.delete(event.actorId);
  if (event.type === READY_EVENT) {
    entry.ready = true;
    if (wait.pending.size === 0) rt.jobs.resume({ kind: 'allReady' });
    return true;
  }
  const ended: EndedSnapshot = endedOf(event);
  entry.failure = ended.status === 'error' ? ended.error : new Error('the replacement exited before it was ready');
  // One failed: the batch stops waiting; replacements still starting are dropped with it.
  rt.jobs.resume({ kind: 'replacementEnded' });
  return true;
}

/** The replacement becomes the child's incarnation: in the table, in the handover memory, running. */
function takeOver(rt: SupervisorRuntime, entry: Replacement): void {
  const rec = entry.rec;
  const actor = entry.actor as AnyActorRef;
  rt.timers.stopHealthCheck(rec);
  rt.table.unlink(rec); // the old incarnation, if it still runs: its late events now find nothing
  rec.incarnation = entry.incarnation;
  rec.lastExit = (entry.handover as Handover).previousExit;
  rt.table.attach(rec, actor);
  rt.table.attempted(rec, true);
  rec.state = 'running';
  rec.backoff = backoffStarted(rec.backoff, rt.now());
  if (rec.spec.health !== undefined) rt.timers.scheduleHealthCheck(rec);
  rt.emit({ type: 'sup.child.started', supervisor: rt.path, child: rec.spec.id, incarnation: entry.incarnation, resumeId: rec.resumeId, cause: 'replace' }, rec);
}

/**
 * A replacement that is not ready: stopped if it still runs, reported as a failed start. Its
 * number is not taken: the incarnation still running keeps the record's, so the next start of
 * the child is given it again (decision 0026). A child whose old incarnation was already stopped
 * (the unavailable share) has none left: it waits for a restart as after a failed start.
 */
function* dropReplacement(rt: SupervisorRuntime, entry: Replacement, readyTimeoutMs: number): Job {
  const rec = entry.rec;
  const actor = entry.actor;
  if (actor !== undefined && (actor.getSnapshot() as { status: string }).status === 'active') {
    yield* stopIncarnation(rt, rec, actor, entry.incarnation, 'shutdown', undefined);
  }
  if (actor !== undefined && (actor.getSnapshot() as { status: string }).status === 'error') releaseCrashed(actor);
  const cause = entry.failure ?? new Error(`the replacement was not ready within readyTimeoutMs (${readyTimeoutMs} ms)`);
  rt.emit({ type: 'sup.child.startFailed', supervisor: rt.path, child: rec.spec.id, incarnation: entry.incarnation, error: briefError(cause) }, rec, cause);
  if (entry.old === undefined && rec.ref === undefined && rt.exit === undefined && !rt.shuttingDown) rt.timers.scheduleRestart(rec);
}
