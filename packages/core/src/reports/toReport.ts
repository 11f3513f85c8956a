/**
 * The one place facts become reports: OTP-style level, message and the fixed field set
 * `{ event, supervisor, child, incarnation, errorContext, reason, offender }`. The supervisor's
 * runtime emits facts only; its default logger path and `@trellis/observe`'s pino reporter both
 * write what {@link toReport} makes of them (decision 0017).
 *
 * @module
 */
import type { SupervisorFact } from '../events.js';
import type { ChildSpec } from '../types.js';
import { toJSONValue, type JsonValue } from './toJSONValue.js';

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
 * import { toReport, type ErrorContext } from '@trellis/core';
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
 * import { levelOf, type ReportLevel } from '@trellis/core';
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
 * import { toReport, type Offender } from '@trellis/core';
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
 * What {@link toReport} makes of a fact, and what `@trellis/observe`'s `createPinoReporter` writes: at `level`,
 * with `msg` as the message, on a child logger bound to `supervisor`, and with `fields` as the log
 * object. Error reports carry OTP's `errorContext`, `reason` and `offender`.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { toReport, type Report } from '@trellis/core';
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
    /** The fact's type; `sup.restarts.paused` for a restart the restart budget holds. */
    readonly event: SupervisorFact['type'] | 'sup.restarts.paused';
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
 * (OTP's `child_terminated` rule), and so is a child that crashed while it was being stopped
 * (`shutdown_error`); a child waiting for another start attempt (`sup.child.restarting`: a retry
 * after a failed start, a backoff delay, or a restart the budget holds) is `warn`, as it is not
 * running; a child its supervisor stopped on purpose is `debug`. A rolling restart's progress
 * (started, a child replaced, completed) is `info`, and its abort `warn`: the old incarnations
 * still serve.
 *
 * @param fact - the fact.
 * @returns its level.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { levelOf } from '@trellis/core';
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
      if (fact.decision === 'stopped') return crashedWhileStopping(fact.exit.detail) ? 'error' : 'debug';
      const clean = fact.exit.reason === 'normal' || fact.exit.reason === 'shutdown';
      // decision 'restart' after a clean exit means the child is permanent: OTP reports it.
      return !clean || fact.decision === 'restart' ? 'error' : 'info';
    }
    case 'sup.child.restarting':
      return 'warn';
    case 'sup.rollingRestart.started':
    case 'sup.child.replaced':
    case 'sup.rollingRestart.completed':
      return 'info';
    case 'sup.rollingRestart.aborted':
      return 'warn'; // the old incarnations still serve; nothing has failed that the strategy must handle
    case 'sup.stopping':
      return 'debug'; // OTP reports no start of a shutdown; sup.stopped follows at info
    case 'sup.stopped':
      // Giving up, or ending on a failed initial start (detail: the serialised StartChildError).
      return fact.exit.detail === 'reached_max_restart_intensity' || (typeof fact.exit.detail === 'object' && fact.exit.detail !== null && 'message' in fact.exit.detail) ? 'error' : 'info';
    default:
      return 'error';
  }
}

/**
 * What the writer of a report knows besides the fact.
 *
 * @remarks
 * `offender` completes OTP's `offender` with the child's spec (its `restart` and `shutdown`);
 * without it, the offender is the child's id and incarnation. `cause` is the error a failed start
 * threw, when the writer still has it (the fact carries only its name and message), so the
 * report's `reason` keeps its stack.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { toReport, type ReportContext } from '@trellis/core';
 * const context: ReportContext = { offender: (id, incarnation) => ({ id, incarnation: incarnation ?? 0, restart: 'permanent', shutdown: 5_000 }) };
 * const report = toReport({ type: 'sup.intensity.exceeded', supervisor: 'root', child: 'db', intensity: 1, periodMs: 5_000 }, context);
 * assert.deepEqual(report.fields.offender, { id: 'db', incarnation: 0, restart: 'permanent', shutdown: 5_000 });
 * ```
 *
 * @category observability
 * @since 0.1.0
 */
export interface ReportContext {
  /** The offender of a report about `child` (`incarnation` when the fact names one). */
  readonly offender?: (child: string, incarnation: number | undefined) => Offender;
  /** The error of a failed start, as thrown. */
  readonly cause?: unknown;
}

function offenderOf(context: ReportContext | undefined, child: string, known?: number): Offender {
  return context?.offender?.(child, known) ?? { id: child, incarnation: known ?? 0 };
}

/**
 * A stop that met a crash: the supervisor asked the child to stop and it failed on the way out
 * (not with its own abort), which OTP reports as `shutdown_error`. Its detail is `{ error }`, or
 * `{ offender, detail: { error } }` for a bystander.
 */
function crashedWhileStopping(detail: unknown): boolean {
  if (typeof detail !== 'object' || detail === null) return false;
  if ('error' in detail) return true;
  const inner = (detail as { detail?: unknown }).detail;
  return 'offender' in detail && typeof inner === 'object' && inner !== null && 'error' in inner;
}

/**
 * Builds the OTP-style report of a fact.
 *
 * @remarks
 * Mirrors the reports of OTP's `supervisor` module: `start_error` for `sup.child.startFailed`,
 * `child_terminated` for an exit, `shutdown_error` for `sup.shutdown.timedOut`, `shutdown`
 * (reason `reached_max_restart_intensity`) for `sup.intensity.exceeded`. With a `context`, the
 * offender carries the child's `restart` and `shutdown` from its spec.
 *
 * @param fact - the fact.
 * @param context - what the writer knows besides the fact.
 * @returns the report.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { toReport } from '@trellis/core';
 * const report = toReport({ type: 'sup.child.startFailed', supervisor: 'root', child: 'db', incarnation: 2, error: { name: 'Error', message: 'ECONNREFUSED' } });
 * assert.equal(report.level, 'error');
 * assert.equal(report.fields.errorContext, 'start_error');
 * assert.deepEqual(report.fields.offender, { id: 'db', incarnation: 2 });
 * ```
 *
 * @category observability
 * @since 0.1.0
 */
export function toReport(fact: SupervisorFact, context?: ReportContext): Report {
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
        msg: fact.decision === 'stopped' ? (level === 'error' ? 'child crashed while stopping' : 'child stopped') : level === 'error' ? 'child terminated' : 'child exited',
        fields: {
          event: fact.type,
          child: fact.child,
          incarnation: fact.incarnation,
          ...(fact.decision === 'stopped' ? (level === 'error' ? { errorContext: 'shutdown_error' as const } : {}) : { errorContext: 'child_terminated' as const }),
          reason: fact.exit.reason,
          ...(fact.exit.detail === undefined ? {} : { detail: toJSONValue(fact.exit.detail) }),
          ...(fact.exit.code === undefined ? {} : { code: fact.exit.code }),
          ...(fact.exit.signal === undefined ? {} : { signal: fact.exit.signal }),
          decision: fact.decision,
          offender: offenderOf(context, fact.child, fact.incarnation),
        },
      };
    case 'sup.child.startFailed':
      return {
        level,
        supervisor,
        msg: 'child failed to start',
        fields: {
          event: fact.type,
          child: fact.child,
          incarnation: fact.incarnation,
          errorContext: 'start_error',
          reason: toJSONValue(context?.cause ?? fact.error),
          offender: offenderOf(context, fact.child, fact.incarnation),
        },
      };
    case 'sup.child.restarting':
      if (fact.cause === 'budget') {
        return {
          level,
          supervisor,
          msg: 'restart budget exhausted, restarts paused',
          fields: { event: 'sup.restarts.paused', child: fact.child, incarnation: fact.nextIncarnation, delayMs: fact.delayMs },
        };
      }
      return {
        level,
        supervisor,
        msg: fact.cause === 'backoff' ? 'restart delayed by backoff' : 'child restarting after a failed start',
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
          offender: offenderOf(context, fact.child),
        },
      };
    case 'sup.shutdown.timedOut':
      return {
        level,
        supervisor,
        msg: 'child did not stop in time and was killed',
        fields: { event: fact.type, child: fact.child, incarnation: fact.incarnation, errorContext: 'shutdown_error', reason: 'killed', shutdownMs: fact.shutdownMs, offender: offenderOf(context, fact.child, fact.incarnation) },
      };
    case 'sup.stopping':
      return {
        level,
        supervisor,
        msg: 'supervisor stopping',
        fields: { event: fact.type, reason: fact.exit.reason, ...(fact.exit.detail === undefined ? {} : { detail: toJSONValue(fact.exit.detail) }) },
      };
    case 'sup.rollingRestart.started':
      return {
        level,
        supervisor,
        msg: 'rolling restart started',
        fields: { event: fact.type, children: [...fact.children], maxSurge: fact.maxSurge, maxUnavailable: fact.maxUnavailable, readyTimeoutMs: fact.readyTimeoutMs },
      };
    case 'sup.child.replaced':
      return {
        level,
        supervisor,
        msg: 'child replaced',
        fields: { event: fact.type, child: fact.child, incarnation: fact.incarnation, previousIncarnation: fact.previousIncarnation },
      };
    case 'sup.rollingRestart.aborted':
      return {
        level,
        supervisor,
        msg: 'rolling restart aborted',
        fields: { event: fact.type, reason: fact.reason, ...(fact.child === undefined ? {} : { child: fact.child }), replaced: [...fact.replaced] },
      };
    case 'sup.rollingRestart.completed':
      return {
        level,
        supervisor,
        msg: 'rolling restart completed',
        fields: { event: fact.type, replaced: [...fact.replaced], skipped: [...fact.skipped] },
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
