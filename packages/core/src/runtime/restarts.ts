/**
 * A child ended by itself: OTP's restart decision (`restartDecision.ts`), the restart job
 * (budget, plan from `strategies.ts`, stop the bystanders, start in order), giving up when the
 * budget says so, and auto-shutdown. OTP's `restart_child/3`, `restart/2` and `do_restart/3`.
 *
 * @module
 */
import { decideRestart, type RestartDecision } from '../restartDecision.js';
import { planRestart } from '../strategies.js';
import type { TimeoutDetail } from '../exitReasons.js';
import type { ChildId, ExitStatus } from '../types.js';
import type { ChildRecord } from './childTable.js';
import { detach, killChild, startChild, stopChild } from './childLifecycle.js';
import { endedOf, type RuntimeEvent } from './events.js';
import type { Job } from './jobs.js';
import { beginShutdown, stopAll } from './supervisorLifecycle.js';
import type { SupervisorRuntime } from './SupervisorRuntime.js';
import { statusOfEnded } from '../exit.js';

/** A child's done or error event: its incarnation is over, unless it is a late event of an old one. */
export function onChildEnded(rt: SupervisorRuntime, event: RuntimeEvent & { actorId: string }): void {
  const rec = rt.table.byActorId(event.actorId);
  if (rec === undefined || rec.ref?.id !== event.actorId) return; // a late event of an old incarnation
  const status = statusOfEnded(endedOf(event), rec.protocol.kind === 'supervisor', rt.now());
  detach(rt, rec);
  childExited(rt, rec, status);
}

/** A child ended by itself (or was killed by its liveness check): OTP's restart decision. */
export function childExited(rt: SupervisorRuntime, rec: ChildRecord, status: ExitStatus): void {
  rt.table.recordExit(rec, status);
  const decision: RestartDecision = decideRestart(rec.spec.restart, status.reason);
  rt.emit({ type: 'sup.child.exited', supervisor: rt.path, child: rec.spec.id, incarnation: rec.incarnation, exit: status, decision }, rec);
  if (decision === 'restart') {
    if (rec.spec.backoff !== undefined) rt.timers.scheduleRestart(rec);
    else rt.jobs.run(restartJob(rt, rec));
    return;
  }
  if (decision === 'delete' || rt.policy.dropsStoppedChildren) rt.table.remove(rec.spec.id);
  if (rec.spec.significant) checkAutoShutdown(rt);
}

/** `sup.retry`: a restart's timer (retry, backoff or held budget) fired. */
export function onRetry(rt: SupervisorRuntime, id: ChildId, incarnation: number): void {
  const rec = rt.table.get(id);
  // terminateChild (or a shutdown) ended the loop, or a newer attempt already ran.
  if (rec === undefined || rec.state !== 'restarting' || rec.incarnation !== incarnation) return;
  rt.jobs.run(restartJob(rt, rec));
}

/** `sup.health`: a liveness check answered; `failureThreshold` misses in a row kill the child. */
export function onHealth(rt: SupervisorRuntime, id: ChildId, incarnation: number, ok: boolean): void {
  const rec = rt.timers.healthAnswered(id, incarnation, ok);
  if (rec === undefined) return;
  // Killed, and handled as an abnormal exit (`timeout`).
  const misses = rec.healthMisses;
  killChild(rt, rec);
  const detail: TimeoutDetail = { check: 'health', misses };
  childExited(rt, rec, { reason: 'timeout', detail, at: rt.now() });
}

/** OTP `restart/2`: count the restart, plan by strategy, stop the bystanders, start in order. */
function* restartJob(rt: SupervisorRuntime, failed: ChildRecord): Job {
  while (rt.turns.restart()) {
    // 256 restarts since the event loop last turned: a child that crashes as soon as it starts
    // would otherwise restart in one microtask chain and starve the program (decision 0025). The
    // restart waits one turn (and is then counted as the first of the new turn), then goes on as
    // it would have; meanwhile the child shows as restarting and other events wait in the job's
    // queue, in order.
    rt.table.markRestarting(failed);
    yield* rt.jobs.waitTurn();
  }
  if (failed.heldByBudget) failed.heldByBudget = false; // counted when the budget held it
  else {
    const now = rt.now();
    const verdict = rt.budget.add(now);
    if (verdict.action === 'give_up') {
      yield* giveUp(rt, failed);
      return;
    }
    if (verdict.action === 'pause') {
      rt.timers.holdRestart(failed, verdict.resumeAt - now);
      return;
    }
  }
  // one_for_one's plan needs no view of the siblings: not building it keeps a restart O(1) in their number.
  const strategy = rt.config.strategy;
  const plan = planRestart(strategy, strategy === 'one_for_one' ? [] : rt.table.planChildren(), failed.spec.id);
  for (const id of plan.stop) {
    const rec = rt.table.get(id);
    if (rec !== undefined) yield* stopChild(rt, rec, 'bystander', failed.spec.id);
  }
  for (const id of plan.drop) rt.table.remove(id);
  for (const id of plan.start) {
    const rec = rt.table.get(id);
    if (rec === undefined || rec.state === 'running') continue;
    rt.timers.cancelRestart(rec);
    const result = yield* startChild(rt, rec, 'restart');
    if (!result.ok) {
      // OTP: the child becomes `restarting` and the retry goes through the mailbox, so commands
      // and shutdown can interleave; one_for_all redoes the whole group, rest_for_one from here.
      rt.timers.scheduleRestart(rec);
      return;
    }
  }
}

function* giveUp(rt: SupervisorRuntime, failed: ChildRecord): Job {
  const { intensity, periodMs } = rt.config;
  rt.emit({ type: 'sup.intensity.exceeded', supervisor: rt.path, child: failed.spec.id, intensity, periodMs }, failed);
  rt.gaveUpOn = { child: failed.spec.id, lastExit: failed.lastExit };
  if (failed.spec.restart === 'temporary') rt.table.remove(failed.spec.id);
  rt.shuttingDown = true;
  yield* stopAll(rt);
  rt.end({ reason: 'shutdown', detail: 'reached_max_restart_intensity' });
}

/** OTP 24 auto_shutdown: only significant children that ended by themselves and are not restarted. */
function checkAutoShutdown(rt: SupervisorRuntime): void {
  const mode = rt.config.autoShutdown;
  if (mode === 'never') return;
  if (mode === 'all_significant') {
    for (const rec of rt.table.children.values()) {
      if (rec.spec.significant && rec.state !== 'stopped') return;
    }
  }
  beginShutdown(rt, { reason: 'shutdown' });
}
