/**
 * Formats supervisor facts as OTP-style reports: the level, the message and the fixed field
 * set `{ event, supervisor, child, incarnation, errorContext, reason, offender }`. Formatting
 * only; {@link createPinoReporter} writes them.
 *
 * @module
 */
import { getChildSpec, whichChildren, type ChildSpec, type SupervisorFact, type SupervisorRef } from '@trellis/core';
import { toJSONValue, type JsonValue } from './serialize.js';

/**
 * OTP's `errorContext` of a supervisor report.
 *
 * @remarks
 * `start_error`: a child failed to start; `child_terminated`: a child exited by itself;
 * `shutdown_error`: a child did not stop in time and was killed; `shutdown`: the supervisor
 * gave up (restart intensity reached).
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { toReport, type ErrorContext } from '@trellis/observe';
 * const report = toReport({ type: 'sup.child.startFailed', supervisor: 'root', child: 'db', incarnation: 0, error: { name: 'Error', message: 'down' } });
 * const context: ErrorContext | undefined = report.fields.errorContext;
 * assert.equal(context, 'start_error');
 * ```
 *
 * @category observability
 * @since 0.1.0
 */
export type ErrorContext = 'start_error' | 'child_terminated' | 'shutdown_error' | 'shutdown';

/**
 * The level a report is written at.
 *
 * @remarks
 * pino's level names. {@link levelOf} picks one per fact: `error` for failures (an abnormal exit, a
 * failed start, a shutdown timeout, giving up), `info` for progress such as a start.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { levelOf, type ReportLevel } from '@trellis/observe';
 * const level: ReportLevel = levelOf({ type: 'sup.child.started', supervisor: 'root', child: 'db', incarnation: 0, resumeId: 'root/db', cause: 'init' });
 * assert.equal(level, 'info');
 * ```
 *
 * @category observability
 * @since 0.1.0
 */
export type ReportLevel = 'debug' | 'info' | 'warn' | 'error';

/**
 * The child a report is about, as OTP's `offender`.
 *
 * @remarks
 * OTP's error reports name the child as `offender`, a list of its pid, id and child spec fields.
 * Here it is the id, the incarnation, and the restart type and shutdown when the supervisor still
 * knows the spec.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { toReport, type Offender } from '@trellis/observe';
 * const report = toReport({ type: 'sup.child.startFailed', supervisor: 'root', child: 'db', incarnation: 2, error: { name: 'Error', message: 'down' } });
 * const offender: Offender | undefined = report.fields.offender;
 * assert.deepEqual(offender, { id: 'db', incarnation: 2 });
 * ```
 *
 * @category observability
 * @since 0.1.0
 */
export interface Offender {
  /** The child's id. */
  readonly id: string;
  /** The incarnation concerned. */
  readonly incarnation: number;
  /** The child's restart type, when the supervisor still knows its spec. */
  readonly restart?: ChildSpec['restart'];
  /** The child's shutdown, when the supervisor still knows its spec. */
  readonly shutdown?: ChildSpec['shutdown'];
}

/**
 * One report: where it goes, and what it says.
 *
 * @remarks
 * What {@link toReport} makes of a fact, and what {@link createPinoReporter} writes: at `level`,
 * with `msg` as the message, on a child logger bound to `supervisor`, and with `fields` as the log
 * object. Error reports carry OTP's `errorContext`, `reason` and `offender`.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { toReport, type Report } from '@trellis/observe';
 * const report: Report = toReport({ type: 'sup.stopped', supervisor: 'root', exit: { reason: 'shutdown' } });
 * assert.equal(report.supervisor, 'root');
 * assert.equal(report.fields.event, 'sup.stopped');
 * ```
 *
 * @category observability
 * @since 0.1.0
 */
export interface Report {
  /** The level to write it at. */
  readonly level: ReportLevel;
  /** A short message. */
  readonly msg: string;
  /** The supervisor's path (bound once per supervisor by the reporter's child logger). */
  readonly supervisor: string;
  /** The report's fields, JSON-safe; `supervisor` is not repeated here. */
  readonly fields: {
    /** The fact's type. */
    readonly event: SupervisorFact['type'];
    /** The child's id, when the fact is about a child. */
    readonly child?: string;
    /** The incarnation concerned. */
    readonly incarnation?: number;
    /** OTP's error context, for error reports. */
    readonly errorContext?: ErrorContext;
    /** Why: an exit reason, a serialised error, or `reached_max_restart_intensity`. */
    readonly reason?: JsonValue;
    /** The child concerned, as OTP's `offender`. */
    readonly offender?: Offender;
    /** Fact-specific fields (`detail`, `decision`, `cause`, ...). */
    readonly [key: string]: JsonValue | Offender | undefined;
  };
}

/**
 * The level a fact is reported at, without building the report.
 *
 * @remarks
 * Progress (a child started, a supervisor stopped normally) is `info`; a failed start, an
 * abnormal exit, an exit of a permanent child, a shutdown timeout and giving up are `error`
 * (OTP's `child_terminated` rule); a child queued for another start attempt is `warn`; a child
 * its supervisor stopped on purpose is `debug`.
 *
 * @param fact - the fact.
 * @returns its level.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { levelOf } from '@trellis/observe';
 * assert.equal(levelOf({ type: 'sup.child.started', supervisor: 'root', child: 'db', incarnation: 0, resumeId: 'root/db', cause: 'init' }), 'info');
 * ```
 *
 * @category observability
 * @since 0.1.0
 */
export function levelOf(fact: SupervisorFact): ReportLevel {
  switch (fact.type) {
    case 'sup.child.started':
      return 'info';
    case 'sup.child.exited': {
      if (fact.decision === 'stopped') return 'debug';
      const clean = fact.exit.reason === 'normal' || fact.exit.reason === 'shutdown';
      // decision 'restart' after a clean exit means the child is permanent: OTP reports it.
      return !clean || fact.decision === 'restart' ? 'error' : 'info';
    }
    case 'sup.child.restarting':
      return 'warn';
    case 'sup.stopping':
      return 'debug'; // OTP reports no start of a shutdown; sup.stopped follows at info
    case 'sup.stopped':
      // Giving up, or ending on a failed initial start (detail: the serialised StartChildError).
      return fact.exit.detail === 'reached_max_restart_intensity' || (typeof fact.exit.detail === 'object' && fact.exit.detail !== null && 'message' in fact.exit.detail) ? 'error' : 'info';
    default:
      return 'error';
  }
}

function offenderOf(source: SupervisorRef | undefined, child: string, known?: number): Offender {
  let incarnation = known ?? 0;
  if (source === undefined) return { id: child, incarnation };
  try {
    if (known === undefined) incarnation = whichChildren(source).find((info) => info.id === child)?.incarnation ?? 0;
    const spec = getChildSpec(source, child);
    return { id: child, incarnation, restart: spec.restart, shutdown: spec.shutdown };
  } catch {
    return { id: child, incarnation }; // deleted (temporary) or the supervisor has ended
  }
}

/**
 * Builds the OTP-style report of a fact.
 *
 * @remarks
 * Mirrors the reports of OTP's `supervisor` module: `start_error` for `sup.child.startFailed`,
 * `child_terminated` for an exit, `shutdown_error` for `sup.shutdown.timedOut`, `shutdown`
 * (reason `reached_max_restart_intensity`) for `sup.intensity.exceeded`. When `source` is
 * given, the offender carries the child's `restart` and `shutdown` from its spec.
 *
 * @param fact - the fact.
 * @param source - the supervisor that emitted it, if known.
 * @returns the report.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { toReport } from '@trellis/observe';
 * const report = toReport({ type: 'sup.child.startFailed', supervisor: 'root', child: 'db', incarnation: 2, error: { name: 'Error', message: 'ECONNREFUSED' } });
 * assert.equal(report.level, 'error');
 * assert.equal(report.fields.errorContext, 'start_error');
 * assert.deepEqual(report.fields.offender, { id: 'db', incarnation: 2 });
 * ```
 *
 * @category observability
 * @since 0.1.0
 */
export function toReport(fact: SupervisorFact, source?: SupervisorRef): Report {
  const level = levelOf(fact);
  const supervisor = fact.supervisor;
  switch (fact.type) {
    case 'sup.child.started':
      return {
        level,
        supervisor,
        msg: fact.cause === 'restart' ? 'child restarted' : 'child started',
        fields: { event: fact.type, child: fact.child, incarnation: fact.incarnation, resumeId: fact.resumeId, cause: fact.cause },
      };
    case 'sup.child.exited':
      return {
        level,
        supervisor,
        msg: fact.decision === 'stopped' ? 'child stopped' : level === 'error' ? 'child terminated' : 'child exited',
        fields: {
          event: fact.type,
          child: fact.child,
          incarnation: fact.incarnation,
          ...(fact.decision === 'stopped' ? {} : { errorContext: 'child_terminated' as const }),
          reason: fact.exit.reason,
          ...(fact.exit.detail === undefined ? {} : { detail: toJSONValue(fact.exit.detail) }),
          ...(fact.exit.code === undefined ? {} : { code: fact.exit.code }),
          ...(fact.exit.signal === undefined ? {} : { signal: fact.exit.signal }),
          decision: fact.decision,
          offender: offenderOf(source, fact.child, fact.incarnation),
        },
      };
    case 'sup.child.startFailed':
      return {
        level,
        supervisor,
        msg: 'child failed to start',
        fields: { event: fact.type, child: fact.child, incarnation: fact.incarnation, errorContext: 'start_error', reason: toJSONValue(fact.error), offender: offenderOf(source, fact.child, fact.incarnation) },
      };
    case 'sup.child.restarting':
      return {
        level,
        supervisor,
        msg: 'child restarting after a failed start',
        fields: { event: fact.type, child: fact.child, incarnation: fact.nextIncarnation, delayMs: fact.delayMs },
      };
    case 'sup.intensity.exceeded':
      return {
        level,
        supervisor,
        msg: 'restart intensity exceeded, shutting down',
        fields: {
          event: fact.type,
          child: fact.child,
          errorContext: 'shutdown',
          reason: 'reached_max_restart_intensity',
          intensity: fact.intensity,
          periodMs: fact.periodMs,
          offender: offenderOf(source, fact.child),
        },
      };
    case 'sup.shutdown.timedOut':
      return {
        level,
        supervisor,
        msg: 'child did not stop in time and was killed',
        fields: { event: fact.type, child: fact.child, incarnation: fact.incarnation, errorContext: 'shutdown_error', reason: 'killed', shutdownMs: fact.shutdownMs, offender: offenderOf(source, fact.child, fact.incarnation) },
      };
    case 'sup.stopping':
      return {
        level,
        supervisor,
        msg: 'supervisor stopping',
        fields: { event: fact.type, reason: fact.exit.reason, ...(fact.exit.detail === undefined ? {} : { detail: toJSONValue(fact.exit.detail) }) },
      };
    case 'sup.stopped':
      return {
        level,
        supervisor,
        msg: 'supervisor stopped',
        fields: { event: fact.type, reason: fact.exit.reason, ...(fact.exit.detail === undefined ? {} : { detail: toJSONValue(fact.exit.detail) }) },
      };
  }
}
