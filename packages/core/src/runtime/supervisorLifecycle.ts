/**
 * The supervisor's own life: its init (start every child in order, OTP `init/1`), its shutdown
 * (stop every child in reverse order, or all at once for a dynamic supervisor), its end, and
 * its death when XState stops it from outside.
 *
 * @module
 */
import { notifyReady } from '../childProtocol.js';
import { StartChildError } from '../errors.js';
import type { SupervisorExit } from '../types.js';
import { describeDetail } from './SupervisorRuntime.js';
import { killChild, startChild, stopChild } from './childLifecycle.js';
import type { ChildRecord } from './childTable.js';
import type { Job } from './jobs.js';
import type { SupervisorRuntime } from './SupervisorRuntime.js';

/** OTP `init/1`: start every child in order; the first that fails to start stops the others. */
export function* initJob(rt: SupervisorRuntime): Job {
  for (const rec of rt.table.children.values()) {
    const result = yield* startChild(rt, rec, 'init');
    if (!result.ok) {
      const error = new StartChildError(rt.path, rec.spec.id, result.cause);
      rt.shuttingDown = true;
      yield* stopAll(rt);
      rt.end({ reason: 'shutdown', detail: error });
      return;
    }
  }
  rt.phaseValue = 'running';
  notifyReady(rt.self);
}

/** Starts the shutdown job, once. */
export function beginShutdown(rt: SupervisorRuntime, exit: SupervisorExit): void {
  if (rt.shuttingDown || rt.exit !== undefined) return;
  rt.shuttingDown = true;
  rt.emit({ type: 'sup.stopping', supervisor: rt.path, exit: exit.detail === undefined ? { reason: exit.reason } : { reason: exit.reason, detail: describeDetail(exit.detail) } });
  rt.jobs.run(shutdownJob(rt, exit));
}

function* shutdownJob(rt: SupervisorRuntime, exit: SupervisorExit): Job {
  yield* stopAll(rt);
  rt.end(exit);
}

/** Stops every live child (as the supervisor's kind says) and ends restart loops. */
export function stopAll(rt: SupervisorRuntime): Job {
  return rt.policy.stopAll(rt);
}

/** A static supervisor's shutdown: every live child in reverse start order, one at a time. */
export function* stopAllInOrder(rt: SupervisorRuntime): Job {
  const records = [...rt.table.children.values()];
  for (let i = records.length - 1; i >= 0; i--) {
    const rec = records[i] as ChildRecord;
    rt.timers.cancelRestart(rec);
    if (rec.ref !== undefined) yield* stopChild(rt, rec, 'shutdown', undefined);
    if (rec.spec.restart === 'temporary') rt.table.remove(rec.spec.id);
  }
}

/** The supervisor actor itself is being stopped by XState: its children die with it, unordered. */
export function killAll(rt: SupervisorRuntime): void {
  const records = [...rt.table.children.values()];
  for (let i = records.length - 1; i >= 0; i--) {
    const rec = records[i] as ChildRecord;
    if (rec.ref !== undefined) {
      killChild(rt, rec);
      rt.table.recordExit(rec, { reason: 'killed', at: rt.now() });
    }
  }
}
