/**
 * Start and stop of one child: OTP's `start_child` (create, start, wait for readiness) and its
 * shutdown protocol (ask, wait `shutdown` ms, kill), and the parallel shutdown of a dynamic
 * supervisor's children. Each is a step of a job ({@link Job}), composed with `yield*`.
 *
 * @module
 */
import { createActor, type AnyActorRef } from 'xstate';
import { backoffStarted } from '../backoff.js';
import { SHUTDOWN_REQUEST } from '../childProtocol.js';
import { serializeError, statusOfEnded } from '../exit.js';
import { silentLogger } from '../logger.js';
import type { ChildId, ChildSpec, ExitStatus } from '../types.js';
import { releaseCrashed, stopActor } from '../xstateInternals.js';
import type { ChildRecord } from './childTable.js';
import { CHILD_DONE, CHILD_ERROR, endedOf, type EndedSnapshot, type RuntimeEvent } from './events.js';
import { childInput, handoverOf } from './handover.js';
import type { Job, Resume } from './jobs.js';
import type { SupervisorRuntime } from './SupervisorRuntime.js';

/** Why a child is started. */
export type StartCause = 'init' | 'restart' | 'manual';
/** How a start attempt ended. */
export type StartResult = { readonly ok: true } | { readonly ok: false; readonly cause: unknown };
/** Why a child is stopped: the supervisor's shutdown (or a command), a sibling's restart, or its replacement by a rolling restart. */
export type StopWhy = 'shutdown' | 'bystander' | 'replaced';

/** Starts the next incarnation of a child; waits for its readiness when its logic says it. */
export function* startChild(rt: SupervisorRuntime, rec: ChildRecord, cause: StartCause): Job<StartResult> {
  const incarnation = ++rec.incarnation;
  if (cause === 'restart') rec.restarts++;
  rt.table.attempted(rec, true);
  const handover = handoverOf(rec, incarnation);
  const actorId = `${rec.spec.id}@${incarnation}`;
  const childLogger = rt.verbose ? rt.logger.child({ child: rec.spec.id, incarnation }) : silentLogger;
  let actor: AnyActorRef;
  try {
    actor = createActor(rec.spec.start, {
      id: actorId,
      parent: rt.self,
      input: childInput(rec, handover, childLogger, rt.tree),
    } as Parameters<typeof createActor>[1]);
  } catch (error) {
    return startFailed(rt, rec, error);
  }
  rt.table.attach(rec, actor);
  actor.start();
  const snapshot = actor.getSnapshot() as { status: string; error?: unknown; output?: unknown };
  if (snapshot.status === 'error') {
    detach(rt, rec);
    return startFailed(rt, rec, snapshot.error);
  }
  if (rec.protocol.awaitReady && snapshot.status === 'done') {
    // Ended before it was ready (a child supervisor whose own init failed): a start failure.
    detach(rt, rec);
    return startFailed(rt, rec, notReadyCause(snapshot.output));
  }
  if (rec.protocol.awaitReady && snapshot.status === 'active') {
    const resume = yield { kind: 'ready', ref: actor };
    if (resume.kind === 'ended') {
      detach(rt, rec);
      const ended = resume.snapshot;
      return startFailed(rt, rec, ended.status === 'error' ? ended.error : notReadyCause(ended.output));
    }
  }
  rec.state = 'running';
  rec.backoff = backoffStarted(rec.backoff, rt.now());
  if (rec.spec.health !== undefined) rt.timers.scheduleHealthCheck(rec);
  rt.emit({ type: 'sup.child.started', supervisor: rt.path, child: rec.spec.id, incarnation, resumeId: rec.resumeId, cause }, rec);
  return { ok: true };
}

function startFailed(rt: SupervisorRuntime, rec: ChildRecord, cause: unknown): StartResult {
  rec.ref = undefined;
  rec.state = 'stopped';
  rt.table.attempted(rec, false);
  rt.emit({ type: 'sup.child.startFailed', supervisor: rt.path, child: rec.spec.id, incarnation: rec.incarnation, error: briefError(cause) }, rec, cause);
  return { ok: false, cause };
}

/**
 * OTP's shutdown protocol for one child: ask, wait `shutdown` ms, kill. A child that already
 * ended keeps its own exit reason (`sup_stop_race`).
 */
export function* stopChild(rt: SupervisorRuntime, rec: ChildRecord, why: StopWhy, offender: ChildId | undefined): Job {
  const ref = rec.ref;
  if (ref === undefined) return;
  rec.state = 'stopping';
  const status = yield* stopIncarnation(rt, rec, ref, rec.incarnation, why, offender, () => rec.ref === ref);
  finishStop(rt, rec, status);
}

/**
 * The shutdown protocol for one incarnation `ref` of `rec`, whether or not the record holds it
 * (a rolling restart stops the incarnation it replaced after the record moved on): returns how
 * it ended, and leaves the table alone. `owned` says whether the incarnation is still the one
 * to wait for once asked.
 */
export function* stopIncarnation(
  rt: SupervisorRuntime,
  rec: ChildRecord,
  ref: AnyActorRef,
  incarnation: number,
  why: StopWhy,
  offender: ChildId | undefined,
  owned: () => boolean = () => true,
): Job<ExitStatus> {
  const shutdown = rec.spec.shutdown;
  const status = stopAtOnce(rt, rec, ref, why, offender);
  if (status !== undefined) return status;
  const token = rt.jobs.token();
  ref.send({ type: SHUTDOWN_REQUEST });
  const resume =
    owned() && (ref.getSnapshot() as { status: string }).status === 'active'
      ? yield* waitExit(rt, ref, token, shutdown)
      : { kind: 'ended' as const, snapshot: ref.getSnapshot() as EndedSnapshot };
  if (resume.kind === 'timeout') {
    stopActor(ref);
    rt.emit({ type: 'sup.shutdown.timedOut', supervisor: rt.path, child: rec.spec.id, incarnation, shutdownMs: shutdown as number }, rec);
    return stoppedStatus(rt, 'killed', offender);
  }
  const ended = resume.kind === 'ended' ? statusOfEnded(resume.snapshot, rec.protocol.kind === 'supervisor', rt.now()) : undefined;
  // Whatever the child answered after being asked, it stopped because we asked (decision
  // 0003). A real crash on the way out (not its own abort) is kept in the detail as
  // `{ error }`, which the report of the exit shows as OTP's shutdown_error.
  let detail = ended?.reason === 'shutdown' ? ended.detail : undefined;
  if (ended?.reason === 'error' && !isAbortError(ended.detail)) detail = { error: ended.detail };
  return stoppedStatus(rt, why, offender, detail);
}

/**
 * Stops a child that needs no waiting and returns how it ended: one that already ended keeps
 * its own reason (`sup_stop_race`), `brutal_kill` is killed, and logic with no stop protocol
 * stops at once, like an Erlang process that does not trap exits. `undefined` means the child
 * must be asked and waited for.
 */
function stopAtOnce(rt: SupervisorRuntime, rec: ChildRecord, ref: AnyActorRef, why: StopWhy, offender: ChildId | undefined): ExitStatus | undefined {
  const snapshot = ref.getSnapshot() as { status: string; output?: unknown; error?: unknown };
  if (snapshot.status === 'done' || snapshot.status === 'error') return statusOfEnded(snapshot, rec.protocol.kind === 'supervisor', rt.now());
  if (rec.spec.shutdown === 'brutal_kill') {
    stopActor(ref);
    return stoppedStatus(rt, 'killed', offender);
  }
  if (!rec.protocol.gracefulStop) {
    stopActor(ref);
    return stoppedStatus(rt, why, offender);
  }
  return undefined;
}

/**
 * OTP simple_one_for_one / DynamicSupervisor shutdown: every child is asked at once and one
 * timer covers `shutdown` (the template's); children still running when it fires are killed.
 */
export function* stopAllInParallel(rt: SupervisorRuntime, shutdown: ChildSpec['shutdown']): Job {
  const pending = new Map<string, ChildRecord>();
  for (const rec of rt.table.children.values()) {
    rt.timers.cancelRestart(rec);
    const ref = rec.ref;
    if (ref === undefined) continue;
    const status = stopAtOnce(rt, rec, ref, 'shutdown', undefined);
    if (status !== undefined) {
      finishStop(rt, rec, status);
    } else {
      rec.state = 'stopping';
      pending.set(ref.id, rec);
      ref.send({ type: SHUTDOWN_REQUEST });
    }
  }
  if (pending.size === 0) return;
  const token = rt.jobs.token();
  if (typeof shutdown === 'number') rt.jobs.armTimer(token, shutdown);
  const resume = yield { kind: 'exitAll', pending, token };
  if (resume.kind !== 'timeout') return;
  for (const rec of pending.values()) {
    if (rec.ref !== undefined) stopActor(rec.ref);
    rt.emit({ type: 'sup.shutdown.timedOut', supervisor: rt.path, child: rec.spec.id, incarnation: rec.incarnation, shutdownMs: shutdown as number }, rec);
    finishStop(rt, rec, stoppedStatus(rt, 'killed', undefined));
  }
  pending.clear();
}

/** During a parallel shutdown: one of the asked children ended. Returns whether the event was one. */
export function consumeParallelExit(rt: SupervisorRuntime, wait: { readonly pending: Map<string, ChildRecord> }, event: RuntimeEvent): boolean {
  if (event.type !== CHILD_DONE && event.type !== CHILD_ERROR) return false;
  const rec = wait.pending.get(event.actorId);
  if (rec === undefined) return false;
  wait.pending.delete(event.actorId);
  const ended = statusOfEnded(endedOf(event), rec.protocol.kind === 'supervisor', rt.now());
  // As in a sequential stop (decision 0003): a real crash on the way out is kept in the detail,
  // which the report of the exit shows as OTP's shutdown_error, in a parallel shutdown too.
  let detail = ended.reason === 'shutdown' ? ended.detail : undefined;
  if (ended.reason === 'error' && !isAbortError(ended.detail)) detail = { error: ended.detail };
  finishStop(rt, rec, stoppedStatus(rt, 'shutdown', undefined, detail));
  if (wait.pending.size === 0) rt.jobs.resume({ kind: 'allExited' });
  return true;
}

function finishStop(rt: SupervisorRuntime, rec: ChildRecord, status: ExitStatus): void {
  detach(rt, rec);
  rt.table.recordExit(rec, status);
  rt.emit({ type: 'sup.child.exited', supervisor: rt.path, child: rec.spec.id, incarnation: rec.incarnation, exit: status, decision: 'stopped' }, rec);
}

function* waitExit(rt: SupervisorRuntime, ref: AnyActorRef, token: number, shutdown: ChildSpec['shutdown']): Job<Resume> {
  if (typeof shutdown === 'number') rt.jobs.armTimer(token, shutdown);
  return yield { kind: 'exit', ref, token };
}

function stoppedStatus(rt: SupervisorRuntime, reason: StopWhy | 'killed', offender: ChildId | undefined, detail?: unknown): ExitStatus {
  const at = rt.now();
  if (offender !== undefined) return { reason, detail: detail === undefined ? { offender } : { offender, detail }, at };
  return detail === undefined ? { reason, at } : { reason, detail, at };
}

/** The incarnation is over: its health check stops, it leaves the table, and a crashed actor releases what it holds. */
export function detach(rt: SupervisorRuntime, rec: ChildRecord): void {
  rt.timers.stopHealthCheck(rec);
  const ref = rt.table.unlink(rec);
  if (ref === undefined) return;
  if ((ref.getSnapshot() as { status: string }).status === 'error') releaseCrashed(ref);
}

/** Kills a child at once, without its stop protocol (the supervisor itself is being killed, or a liveness check failed). */
export function killChild(rt: SupervisorRuntime, rec: ChildRecord): void {
  if (rec.ref !== undefined) stopActor(rec.ref);
  detach(rt, rec);
}

/** A worker that rejects with its own abort (or a timeout) when asked to stop has not crashed. */
export function isAbortError(detail: unknown): boolean {
  const name = (detail as { name?: unknown } | undefined)?.name;
  return name === 'AbortError' || name === 'TimeoutError';
}

function notReadyCause(output: unknown): unknown {
  const detail = (output as { detail?: unknown } | undefined)?.detail;
  if (detail instanceof Error) return detail; // a child supervisor's own StartChildError
  return new Error('the child exited before it was ready');
}

export function briefError(cause: unknown): { name: string; message: string } {
  const { name, message } = serializeError(cause);
  return { name, message };
}
