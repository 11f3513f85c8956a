/**
 * The timers between a child's exit and its next start, and its liveness checks: the retry of a
 * failed restart (one event-loop turn), backoff (delays from `backoff.ts`), a restart held by the
 * restart budget, and the health check. Each timer sends the supervisor an event (`sup.retry`,
 * `sup.health`), so what it triggers goes through the mailbox like everything else.
 *
 * @module
 */
import { backoffDelay, nextAttempt } from '../backoff.js';
import type { ChildId } from '../types.js';
import type { ChildRecord } from './childTable.js';
import type { SupervisorRuntime } from './SupervisorRuntime.js';

export class RestartTimers {
  private readonly retries = new Set<ReturnType<typeof setImmediate>>();

  constructor(private readonly rt: SupervisorRuntime) {}

  /**
   * The child waits for an automatic restart: at once (after one event-loop turn) or after its
   * backoff.
   *
   * OTP casts `try_again_restart` to itself so that calls and shutdown interleave with a restart
   * loop. XState drains a mailbox synchronously, so a retry sent straight to it would spin
   * without ever letting a caller in; the retry waits one event-loop turn first (no clock time
   * passes).
   */
  scheduleRestart(rec: ChildRecord): void {
    const rt = this.rt;
    const event = { type: 'sup.retry' as const, id: rec.spec.id, incarnation: rec.incarnation };
    rt.table.markRestarting(rec);
    const backoff = rec.spec.backoff;
    if (backoff === undefined) {
      rt.emit({ type: 'sup.child.restarting', supervisor: rt.path, child: rec.spec.id, nextIncarnation: rec.incarnation + 1, delayMs: 0, cause: 'retry' }, rec);
      const handle = setImmediate(() => {
        this.retries.delete(handle);
        rt.self.send(event);
      });
      this.retries.add(handle);
      return;
    }
    // Backoff: wait before the attempt; the attempt itself is counted toward intensity when it
    // happens (restartJob). backoff.ts decides the attempt: a child that ran resetAfterMs
    // without exiting starts again at minMs.
    const now = rt.now();
    const step = nextAttempt(rec.backoff, now, backoff);
    rec.backoff = step.state;
    const delayMs = backoffDelay(backoff, step.n, rt.config.random);
    rec.nextRestartAt = now + delayMs;
    rec.backoffTimer = rt.clock.setTimeout(() => {
      rec.backoffTimer = undefined;
      rt.self.send(event);
    }, delayMs);
    rt.emit({ type: 'sup.child.restarting', supervisor: rt.path, child: rec.spec.id, nextIncarnation: rec.incarnation + 1, delayMs, cause: 'backoff' }, rec);
  }

  /** A restart budget that pauses instead of giving up (suture's decaying counter) holds the attempt. */
  holdRestart(rec: ChildRecord, delayMs: number): void {
    const rt = this.rt;
    rt.table.markRestarting(rec);
    rec.heldByBudget = true;
    rec.nextRestartAt = rt.now() + delayMs;
    const event = { type: 'sup.retry' as const, id: rec.spec.id, incarnation: rec.incarnation };
    rec.backoffTimer = rt.clock.setTimeout(() => {
      rec.backoffTimer = undefined;
      rt.self.send(event);
    }, delayMs);
    rt.emit({ type: 'sup.child.restarting', supervisor: rt.path, child: rec.spec.id, nextIncarnation: rec.incarnation + 1, delayMs, cause: 'budget' }, rec);
  }

  /** The child no longer waits for a restart (it restarts now, or its loop was ended). */
  cancelRestart(rec: ChildRecord): void {
    if (!this.rt.table.unmarkRestarting(rec)) return;
    if (rec.backoffTimer !== undefined) this.rt.clock.clearTimeout(rec.backoffTimer);
    rec.backoffTimer = undefined;
    rec.nextRestartAt = undefined;
    rec.heldByBudget = false;
  }

  /** Liveness: the next check of a running child, `intervalMs` from now. */
  scheduleHealthCheck(rec: ChildRecord): void {
    const rt = this.rt;
    const health = rec.spec.health!;
    const incarnation = rec.incarnation;
    rec.healthTimer = rt.clock.setTimeout(() => {
      rec.healthTimer = undefined;
      if (rt.exit !== undefined) return;
      const controller = new AbortController();
      let answered = false;
      const answer = (ok: boolean): void => {
        if (answered) return;
        answered = true;
        rt.clock.clearTimeout(timeout);
        if (rt.exit === undefined) rt.self.send({ type: 'sup.health', id: rec.spec.id, incarnation, ok });
      };
      const timeout = rt.clock.setTimeout(() => {
        controller.abort();
        answer(false);
      }, health.timeoutMs);
      try {
        Promise.resolve(health.check({ signal: controller.signal })).then((ok) => answer(ok === true), () => answer(false));
      } catch {
        answer(false);
      }
    }, health.intervalMs);
  }

  /**
   * A health check answered: counts a miss or clears the count and schedules the next check.
   * Returns the child's record when its misses reached the spec's `failureThreshold` (the child
   * is then to be killed), else `undefined`.
   */
  healthAnswered(id: ChildId, incarnation: number, ok: boolean): ChildRecord | undefined {
    const rec = this.rt.table.get(id);
    if (rec === undefined || rec.incarnation !== incarnation || rec.state !== 'running' || rec.ref === undefined) return undefined;
    const health = rec.spec.health!;
    rec.healthMisses = ok ? 0 : rec.healthMisses + 1;
    if (rec.healthMisses < health.failureThreshold) {
      this.scheduleHealthCheck(rec);
      return undefined;
    }
    return rec;
  }

  /** Stops the health check of an incarnation that ended. */
  stopHealthCheck(rec: ChildRecord): void {
    if (rec.healthTimer !== undefined) {
      this.rt.clock.clearTimeout(rec.healthTimer);
      rec.healthTimer = undefined;
    }
    rec.healthMisses = 0;
  }

  /** The supervisor ends: every retry, backoff and health timer is dropped. */
  clearAll(): void {
    for (const handle of this.retries) clearImmediate(handle);
    this.retries.clear();
    for (const rec of this.rt.table.children.values()) {
      this.cancelRestart(rec);
      if (rec.healthTimer !== undefined) this.rt.clock.clearTimeout(rec.healthTimer);
      rec.healthTimer = undefined;
    }
  }
}
