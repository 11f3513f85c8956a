/**
 * Writes each supervisor fact once to a pino (or pino-like) logger, as an OTP-style report at
 * the level OTP would use, with one child logger per supervisor path.
 *
 * @module
 */
import type { Logger, SupervisorRef } from '@trellis/core';
import { observeTree, type FactHandler, type Unsubscribe } from './observeTree.js';
import { levelOf, toReport } from './reports.js';

/**
 * Makes a {@link FactHandler} that logs every fact it is given, once.
 *
 * @remarks
 * Reports carry OTP's fields: `supervisor` (the path, bound once per supervisor through a
 * cached `logger.child({ supervisor })`), `child`, `incarnation`, `errorContext`
 * (`start_error` | `child_terminated` | `shutdown_error` | `shutdown`), `reason` and
 * `offender`, plus `event` (the fact's type). Levels follow {@link levelOf}: progress at `info`,
 * crashes at `error`. When the logger has `isLevelEnabled` and the level is off, no report is
 * built at all.
 *
 * Core can log by itself: a supervisor given `SupervisorConfig.logger` writes the same reports
 * (its children inherit the logger). Use this reporter for trees whose supervisors have no
 * logger, or to send reports to a separate sink; using both writes each report twice.
 *
 * @param logger - a pino instance, or anything that fits core's `Logger`.
 * @returns a handler for {@link observeTree} or {@link createTreeObserver}.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { Writable } from 'node:stream';
 * import pino from 'pino';
 * import { defineSupervisor, startSupervisor, stopSupervisor } from '@trellis/core';
 * import { createTestClock, scriptedChild, settle } from '@trellis/core/testing';
 * import { createPinoReporter, observeTree } from '@trellis/observe';
 * const lines: string[] = [];
 * const sink = new Writable({ write(chunk, _encoding, done) { lines.push(String(chunk)); done(); } });
 * const db = scriptedChild();
 * const root = await startSupervisor(defineSupervisor({ id: 'root', children: [{ id: 'db', start: db }] }), { clock: createTestClock() });
 * const stop = observeTree(root, createPinoReporter(pino(sink)));
 * db.crash(new Error('boom'));
 * await settle();
 * const crash = JSON.parse(lines[0] ?? '{}');
 * assert.equal(crash.errorContext, 'child_terminated');
 * assert.equal(crash.supervisor, 'root');
 * stop();
 * await stopSupervisor(root);
 * ```
 *
 * @category observability
 * @since 0.1.0
 */
export function createPinoReporter(logger: Logger): FactHandler {
  const bySupervisor = new Map<string, Logger>();
  // pino's level can change at run time, so ask each time; the answer is one lookup.
  const isEnabled = (level: string): boolean => logger.isLevelEnabled === undefined || logger.isLevelEnabled(level);
  return (fact, source) => {
    const level = levelOf(fact);
    if (!isEnabled(level)) return;
    let child = bySupervisor.get(fact.supervisor);
    if (child === undefined) {
      child = logger.child({ supervisor: fact.supervisor });
      bySupervisor.set(fact.supervisor, child);
    }
    const report = toReport(fact, source);
    child[report.level](report.fields, report.msg);
  };
}

/**
 * Logs every fact of a running tree once: {@link observeTree} with {@link createPinoReporter}.
 *
 * @remarks
 * Attached to a running tree, it misses the facts of the initial start; to log those too, pass
 * `createTreeObserver(createPinoReporter(logger)).inspect` to `startSupervisor` instead.
 *
 * @param root - a running supervisor.
 * @param logger - a pino instance, or anything that fits core's `Logger`.
 * @returns a function that stops reporting.
 *
 * @example
 * ```ts
 * import pino from 'pino';
 * import { defineSupervisor, startSupervisor, stopSupervisor } from '@trellis/core';
 * import { attachPinoReporter } from '@trellis/observe';
 * const root = await startSupervisor(defineSupervisor({ id: 'root', children: [] }));
 * const detach = attachPinoReporter(root, pino({ level: 'silent' }));
 * await stopSupervisor(root);
 * detach();
 * ```
 *
 * @category observability
 * @since 0.1.0
 */
export function attachPinoReporter(root: SupervisorRef, logger: Logger): Unsubscribe {
  return observeTree(root, createPinoReporter(logger));
}
