/**
 * OTP-style reports of supervisor facts, for a tree observed from outside. The formatting is
 * core's `toReport` (the one place facts become reports, shared with a supervisor's own logger);
 * this module adds what an observer can look up: the offender's spec, read from the supervisor
 * that emitted the fact. {@link createPinoReporter} writes them.
 *
 * @module
 */
import { getChildSpec, toReport as coreToReport, whichChildren, type Offender, type Report, type SupervisorFact, type SupervisorRef } from '@trellis/core';

export { levelOf, type ErrorContext, type Offender, type Report, type ReportLevel } from '@trellis/core';

function offenderOf(source: SupervisorRef, child: string, known: number | undefined): Offender {
  let incarnation = known ?? 0;
  try {
    if (known === undefined) incarnation = whichChildren(source).find((info) => info.id === child)?.incarnation ?? 0;
    const spec = getChildSpec(source, child);
    return { id: child, incarnation, restart: spec.restart, shutdown: spec.shutdown };
  } catch {
    return { id: child, incarnation }; // deleted (temporary) or the supervisor has ended
  }
}

/**
 * Builds the OTP-style report of a fact, as core's `toReport` does, with the offender's spec read
 * from `source`.
 *
 * @remarks
 * Mirrors the reports of OTP's `supervisor` module: `start_error` for `sup.child.startFailed`,
 * `child_terminated` for an exit, `shutdown_error` for `sup.shutdown.timedOut` (and for a child
 * that crashed while being stopped), `shutdown` (reason `reached_max_restart_intensity`) for
 * `sup.intensity.exceeded`. When `source` is given, the offender carries the child's `restart` and
 * `shutdown` from its spec.
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
  if (source === undefined) return coreToReport(fact);
  return coreToReport(fact, { offender: (child, incarnation) => offenderOf(source, child, incarnation) });
}
