/**
 * The default logger path: a fact's report (`reports/toReport.ts`, the one formatter) written to
 * the supervisor's logger, with the child's spec as the offender. `@trellis/observe`'s pino
 * reporter writes the same reports for a tree observed from outside.
 *
 * @module
 */
import type { SupervisorFact } from '../events.js';
import type { Logger } from '../logger.js';
import { toReport, type Offender, type ReportContext } from '../reports/toReport.js';
import type { ChildRecord } from './childTable.js';

/** Writes the report of `fact` to `logger` (bound to the supervisor), unless its level is off. */
export function writeReport(logger: Logger, fact: SupervisorFact, rec: ChildRecord | undefined, cause: unknown): void {
  // An undefined cause is as good as none: toReport falls back to the fact's own error.
  const context: ReportContext = rec === undefined ? { cause } : { offender: offenderFrom(rec), cause };
  const report = toReport(fact, context);
  if (logger.isLevelEnabled !== undefined && !logger.isLevelEnabled(report.level)) return;
  logger[report.level](report.fields, report.msg);
}

function offenderFrom(rec: ChildRecord): (child: string, incarnation: number | undefined) => Offender {
  return (id, incarnation) => ({ id, incarnation: incarnation ?? rec.incarnation, restart: rec.spec.restart, shutdown: rec.spec.shutdown });
}
