/**
 * Every name trellis gives OpenTelemetry, in one place: instruments, log event names, spans and
 * attributes. No semantic convention for supervision exists yet; these follow the OpenTelemetry
 * naming rules (dotted lowercase namespaces, units in UCUM, no unit in the name).
 *
 * @module
 */

/**
 * One instrument's name, unit and description, as {@link METRICS} lists them.
 *
 * @remarks
 * `unit` is UCUM (`s`, or a `{annotation}` for counts), as OpenTelemetry asks.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { METRICS, type Instrument } from '@trellis/otel';
 * const restarts: Instrument = METRICS.restarts;
 * assert.equal(restarts.unit, '{restart}');
 * ```
 *
 * @category observability
 * @since 0.1.0
 */
export interface Instrument {
  /** The instrument's name, such as `trellis.child.restarts`. */
  readonly name: string;
  /** Its UCUM unit. */
  readonly unit: string;
  /** What it measures. */
  readonly description: string;
}

const instrument = (name: string, unit: string, description: string): Instrument => ({ name, unit, description });

/**
 * The instrument names and units of `@trellis/otel`.
 *
 * @remarks
 * - `trellis.child.restarts` (counter, `{restart}`): automatic restarts of a child.
 * - `trellis.child.exits` (counter, `{exit}`): exits of a child, by `trellis.exit.reason`.
 * - `trellis.child.active` (up-down counter, `{child}`): children with a running incarnation.
 * - `trellis.child.start.duration` (histogram, `s`): from the moment a restart is due (the exit,
 *   plus any backoff delay) to the child's next start.
 * - `trellis.supervisor.restart_budget.used` (gauge, `{restart}`): restarts counted against the
 *   restart budget now (the intensity window); `trellis.supervisor.restart_budget.limit` (gauge)
 *   is what it may reach.
 * - `trellis.supervisor.gave_up` (counter, `{event}`): supervisors that exceeded their intensity.
 * - `trellis.cluster.lease.held` (up-down counter, `{lease}`): cluster leases this process holds
 *   (`@trellis/cluster` singletons that run their child here), by `trellis.cluster.lease.name`.
 * - `trellis.cluster.lease.lost` (counter, `{event}`): leases given up because a renewal was
 *   refused or not confirmed in time, by lease and `trellis.cluster.lease.cause`.
 * - `trellis.cluster.lease.renewed_late` (counter, `{event}`): renewals confirmed late, by lease
 *   (a slow database link; the step before `lost`).
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { METRICS } from '@trellis/otel';
 * assert.equal(METRICS.restarts.name, 'trellis.child.restarts');
 * assert.equal(METRICS.startDuration.unit, 's');
 * ```
 *
 * @category observability
 * @since 0.1.0
 */
export const METRICS = {
  /** Automatic restarts of a child (counter). */
  restarts: instrument('trellis.child.restarts', '{restart}', 'Automatic restarts of a child.'),
  /** Exits of a child, by reason (counter). */
  exits: instrument('trellis.child.exits', '{exit}', 'Exits of a child incarnation, by reason.'),
  /** Children with a running incarnation (up-down counter). */
  active: instrument('trellis.child.active', '{child}', 'Children with a running incarnation.'),
  /** Time from a due restart to the start (histogram, seconds). */
  startDuration: instrument('trellis.child.start.duration', 's', "Time from when a child's restart was due (its exit plus any backoff delay) to its next start."),
  /** Restart budget in use (gauge). */
  budgetUsed: instrument('trellis.supervisor.restart_budget.used', '{restart}', "Restarts counted against the supervisor's restart budget now (its intensity window)."),
  /** What the budget in use may reach (gauge). */
  budgetLimit: instrument('trellis.supervisor.restart_budget.limit', '{restart}', 'What trellis.supervisor.restart_budget.used may reach before the supervisor gives up (its intensity).'),
  /** Supervisors that gave up (counter). */
  gaveUp: instrument('trellis.supervisor.gave_up', '{event}', 'Supervisors that exceeded their restart intensity and gave up.'),
  /** Cluster leases held by this process (up-down counter). */
  leasesHeld: instrument('trellis.cluster.lease.held', '{lease}', 'Cluster leases this process holds: singletons whose child runs here.'),
  /** Cluster leases lost (counter). */
  leasesLost: instrument('trellis.cluster.lease.lost', '{event}', 'Cluster leases given up because a renewal was refused or not confirmed before the deadline.'),
  /** Lease renewals confirmed late (counter). */
  leasesRenewedLate: instrument('trellis.cluster.lease.renewed_late', '{event}', 'Lease renewals confirmed after more than half of the slack before the self-fencing deadline.'),
} as const;

/**
 * The event names of the log records `@trellis/otel` emits (one per fact).
 *
 * @remarks
 * OpenTelemetry removed the separate Event API; events are log records with an event name.
 * `trellis.child.started` and `trellis.child.exited` are INFO (an abnormal exit is WARN),
 * `trellis.child.start_failed` is ERROR, `trellis.supervisor.gave_up` is ERROR.
 *
 * The lease facts of `@trellis/cluster` (published on its `trellis:cluster:lease` diagnostics
 * channel) become `trellis.cluster.lease.acquired` and `trellis.cluster.lease.released` (INFO),
 * `trellis.cluster.lease.renewed_late` and `trellis.cluster.lease.lost` (WARN); a host waiting
 * in standby is not an event.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { EVENTS } from '@trellis/otel';
 * assert.equal(EVENTS.gaveUp, 'trellis.supervisor.gave_up');
 * ```
 *
 * @category observability
 * @since 0.1.0
 */
export const EVENTS = {
  /** A child started. */
  started: 'trellis.child.started',
  /** A child incarnation exited. */
  exited: 'trellis.child.exited',
  /** A start attempt failed. */
  startFailed: 'trellis.child.start_failed',
  /** A supervisor exceeded its intensity and gave up. */
  gaveUp: 'trellis.supervisor.gave_up',
  /** A cluster lease was taken: this host runs the singleton's child. */
  leaseAcquired: 'trellis.cluster.lease.acquired',
  /** A lease renewal was confirmed late. */
  leaseRenewedLate: 'trellis.cluster.lease.renewed_late',
  /** A lease was lost: the holder stopped its child. */
  leaseLost: 'trellis.cluster.lease.lost',
  /** A lease was released after the child's exit was written. */
  leaseReleased: 'trellis.cluster.lease.released',
} as const;

/**
 * The span names of `@trellis/otel`: bounded operations only, never a child's whole life.
 *
 * @remarks
 * - `trellis.supervisor.start`: from a supervisor's creation until every child has started (and
 *   said it is ready, for `awaitReady` children), as `startSupervisor` waits for it; it ends in
 *   error when a child fails to start. Recorded only when the telemetry inspects the start
 *   (`startSupervisor(logic, { inspect: telemetry.inspect })`). A nested supervisor's start is a
 *   child span of its parent's start, or of the restart that starts it again. Each child's start
 *   is an event on it.
 * - `trellis.supervisor.restart`: from a child's exit that the supervisor answers with a restart
 *   to that child's next start (a group restart of `one_for_all`/`rest_for_one` included, since
 *   the siblings are stopped and started in between); it ends in error when the restart fails or
 *   the supervisor gives up instead.
 * - `trellis.supervisor.shutdown`: from the beginning of an ordered stop (`sup.stopping`: a
 *   `stopSupervisor`, a parent's stop, automatic shutdown) or from a give-up, to the stop. A
 *   nested supervisor's shutdown is a child span of its parent's.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { SPANS } from '@trellis/otel';
 * assert.equal(SPANS.restart, 'trellis.supervisor.restart');
 * ```
 *
 * @category observability
 * @since 0.1.0
 */
export const SPANS = {
  /** From a supervisor's creation until every child is ready. */
  start: 'trellis.supervisor.start',
  /** From an exit answered by a restart to the next start. */
  restart: 'trellis.supervisor.restart',
  /** From the beginning of an ordered stop, or a give-up, to the stop. */
  shutdown: 'trellis.supervisor.shutdown',
} as const;

/**
 * The attribute keys of every instrument, log record and span; all of low cardinality (never a
 * pid, an incarnation or a ResumeID on a metric).
 *
 * @remarks
 * `trellis.supervisor.path` is the supervisor's path of ids (`root/db`); `trellis.child.id` the
 * child's id within it; `trellis.child.kind` `worker` or `supervisor`; `trellis.exit.reason`
 * `normal`, `shutdown`, `error`, `killed`, …; `error.type` the OpenTelemetry attribute, set to the
 * exit reason on abnormal exits. Log records also carry `trellis.child.incarnation`.
 *
 * OS children (`@trellis/process`) get the `process.*` attributes of the OpenTelemetry semantic
 * conventions on their log records: `process.pid`, `process.command` (the command as spawned),
 * `process.executable.name` (its base name) and, on exit, `process.exit.code`;
 * `trellis.process.exit.signal` names the signal that ended one (the conventions define no
 * attribute for it). A restart span carries them too, except the pid. Metrics never carry
 * them: a pid or a command line would multiply the series.
 *
 * Cluster lease events carry `trellis.cluster.lease.name`, `.holder`, `.epoch` and, on `lost`,
 * `.cause`; lease metrics only the name (and the cause): one series per singleton.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { ATTRIBUTES } from '@trellis/otel';
 * assert.equal(ATTRIBUTES.supervisor, 'trellis.supervisor.path');
 * ```
 *
 * @category observability
 * @since 0.1.0
 */
export const ATTRIBUTES = {
  /** The supervisor's path of ids. */
  supervisor: 'trellis.supervisor.path',
  /** The child's id. */
  child: 'trellis.child.id',
  /** `worker` or `supervisor`. */
  kind: 'trellis.child.kind',
  /** The exit reason. */
  reason: 'trellis.exit.reason',
  /** The exit reason of an abnormal exit (OpenTelemetry `error.type`). */
  errorType: 'error.type',
  /** The incarnation (log records only). */
  incarnation: 'trellis.child.incarnation',
  /** An OS child's exit code (log records and restart spans; semantic conventions). */
  exitCode: 'process.exit.code',
  /** The signal that ended an OS child (log records and restart spans; trellis's own, the conventions have none). */
  exitSignal: 'trellis.process.exit.signal',
  /** An OS child's pid (log records only; semantic conventions). */
  processPid: 'process.pid',
  /** The command an OS child was spawned with (log records and restart spans; semantic conventions). */
  processCommand: 'process.command',
  /** The base name of that command (log records and restart spans; semantic conventions). */
  processExecutable: 'process.executable.name',
  /** A cluster lease's name (lease events and metrics). */
  leaseName: 'trellis.cluster.lease.name',
  /** The holder id of this host (lease events only). */
  leaseHolder: 'trellis.cluster.lease.holder',
  /** The lease's epoch, the fencing token (lease events only). */
  leaseEpoch: 'trellis.cluster.lease.epoch',
  /** Why a lease was lost: `deadline` or `refused`. */
  leaseCause: 'trellis.cluster.lease.cause',
} as const;

/**
 * The instrumentation scope name under which meters, tracers and loggers are got.
 *
 * @remarks
 * OpenTelemetry asks a library to get its meter, tracer and logger under its own name and
 * version; select or drop trellis's telemetry in a view or processor by this scope.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { SCOPE } from '@trellis/otel';
 * assert.equal(SCOPE, '@trellis/otel');
 * ```
 *
 * @category observability
 * @since 0.1.0
 */
export const SCOPE = '@trellis/otel';
