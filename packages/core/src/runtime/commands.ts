/**
 * The runtime's side of OTP's supervisor API: `start_child`, `terminate_child`, `restart_child`
 * and `delete_child`, each answering its caller through the command's reply. (The caller's side,
 * which validates arguments and awaits the reply, is `src/commands.ts`.)
 *
 * @module
 */
import { ChildNotFoundError, ChildRestartingError, ChildRunningError, DynamicSupervisorError, StartChildError } from '../errors.js';
import type { ChildId, ChildSpec, ChildSpecInput, DynamicChildInput } from '../types.js';
import { infoOf, type ChildRecord } from './childTable.js';
import { startChild, stopChild } from './childLifecycle.js';
import type { Reply } from './events.js';
import type { Job } from './jobs.js';
import type { SupervisorRuntime } from './SupervisorRuntime.js';

export function cmdStartChild(rt: SupervisorRuntime, input: ChildSpec | ChildSpecInput | DynamicChildInput, reply: Reply): void {
  const rec = rt.policy.addChild(rt, input);
  if (rec instanceof Error) {
    reply.reject(rec);
    return;
  }
  rt.jobs.run(manualStartJob(rt, rec, reply, true));
}

function* manualStartJob(rt: SupervisorRuntime, rec: ChildRecord, reply: Reply, discardOnFailure: boolean): Job {
  const result = yield* startChild(rt, rec, 'manual');
  if (result.ok) {
    reply.resolve(infoOf(rec));
    return;
  }
  if (discardOnFailure) rt.table.remove(rec.spec.id);
  reply.reject(new StartChildError(rt.path, rec.spec.id, result.cause));
}

export function cmdTerminateChild(rt: SupervisorRuntime, id: ChildId, reply: Reply): void {
  const rec = rt.table.get(id);
  if (rec === undefined) {
    reply.reject(new ChildNotFoundError(rt.path, id));
    return;
  }
  rt.timers.cancelRestart(rec); // ends the restart loop
  if (rec.ref === undefined) {
    if (rec.spec.restart === 'temporary' || rt.policy.dropsStoppedChildren) rt.table.remove(id);
    reply.resolve(undefined);
    return;
  }
  rt.jobs.run(terminateJob(rt, rec, reply));
}

function* terminateJob(rt: SupervisorRuntime, rec: ChildRecord, reply: Reply): Job {
  yield* stopChild(rt, rec, 'shutdown', undefined);
  if (rec.spec.restart === 'temporary' || rt.policy.dropsStoppedChildren) rt.table.remove(rec.spec.id);
  reply.resolve(undefined);
}

export function cmdRestartChild(rt: SupervisorRuntime, id: ChildId, reply: Reply): void {
  if (!rt.policy.keepsSpecs) {
    reply.reject(new DynamicSupervisorError(rt.path, 'restartChild'));
    return;
  }
  const rec = rt.table.get(id);
  if (rec === undefined) reply.reject(new ChildNotFoundError(rt.path, id));
  else if (rec.state === 'restarting') reply.reject(new ChildRestartingError(rt.path, id, 'restarted'));
  else if (rec.state !== 'stopped') reply.reject(new ChildRunningError(rt.path, id, 'restarted'));
  else rt.jobs.run(manualStartJob(rt, rec, reply, false));
}

export function cmdDeleteChild(rt: SupervisorRuntime, id: ChildId, reply: Reply): void {
  if (!rt.policy.keepsSpecs) {
    reply.reject(new DynamicSupervisorError(rt.path, 'deleteChild'));
    return;
  }
  const rec = rt.table.get(id);
  if (rec === undefined) reply.reject(new ChildNotFoundError(rt.path, id));
  else if (rec.state === 'restarting') reply.reject(new ChildRestartingError(rt.path, id, 'deleted'));
  else if (rec.state !== 'stopped') reply.reject(new ChildRunningError(rt.path, id, 'deleted'));
  else {
    rt.table.remove(id);
    reply.resolve(undefined);
  }
}
