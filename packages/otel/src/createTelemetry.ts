/**
 * A running tree's facts as OpenTelemetry metrics, log records and spans, through the API only:
 * the application brings the SDK and its exporters.
 *
 * @module
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { basename } from 'node:path';
import { context, metrics, trace, SpanStatusCode, type Attributes, type Context, type MeterProvider, type Span, type TracerProvider } from '@opentelemetry/api';
import { logs, SeverityNumber, type LoggerProvider } from '@opentelemetry/api-logs';
import { childProtocolOf, restartBudgetUsage, systemClock, unknownKeyMessage, whichChildren, type Clock, type SupervisorFact, type SupervisorInput, type SupervisorRef } from '@trellis/core';
import { createTreeObserver, observeTree, type FactHandler, type Unsubscribe } from '@trellis/observe';
import type { ActorRefLike, AnyActorLogic, AnyActorRef, InspectionEvent, Observer } from 'xstate';
import { TelemetryOptionsError } from './errors.js';
import { ATTRIBUTES, EVENTS, METRICS, SCOPE, SPANS } from './names.js';

const VERSION = '0.1.0';
/** The channel `@trellis/process` publishes each spawn on (named here so otel needs no dependency on process). */
const SPAWN_CHANNEL = 'trellis:process:spawn';
// @trellis/cluster publishes every lease fact here (its LEASE_CHANNEL): read by name, so this
// package does not depend on the cluster package at run time.
const LEASE_CHANNEL = 'trellis:cluster:lease';

/**
 * Options of {@link createTelemetry}; every field is optional.
 *
 * @remarks
 * The providers default to the global ones (`metrics`, `trace` and `logs` of the API), which the
 * application's SDK registers; pass your own to keep trellis's telemetry apart or for tests.
 * `clock` (default the system clock) times `trellis.child.start.duration`. `propagate` (default
 * true) adds `TRACEPARENT`/`TRACESTATE` to the environment of every OS child spawned by
 * `@trellis/process`. `startBuckets` are the histogram's bucket boundaries, in seconds. `inspect`
 * is another inspection observer (such as `@trellis/observe`'s `createTreeObserver(...).inspect`)
 * that {@link Telemetry.inspect} forwards every inspection event to, since an actor system takes
 * only one `inspect` option. Any other key is rejected with a {@link TelemetryOptionsError}.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { MeterProvider } from '@opentelemetry/sdk-metrics';
 * import type { TelemetryOptions } from '@trellis/otel';
 * const options: TelemetryOptions = { meterProvider: new MeterProvider(), propagate: false, startBuckets: [0.01, 0.1, 1] };
 * assert.equal(options.propagate, false);
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface TelemetryOptions {
  /** Where the instruments come from; default the global meter provider. */
  readonly meterProvider?: MeterProvider;
  /** Where the spans come from; default the global tracer provider. */
  readonly tracerProvider?: TracerProvider;
  /** Where the log records go; default the global logger provider. */
  readonly loggerProvider?: LoggerProvider;
  /** Times `trellis.child.start.duration`; default the system clock. */
  readonly clock?: Pick<Clock, 'now'>;
  /** Add `TRACEPARENT`/`TRACESTATE` to OS children's environment. Default true. */
  readonly propagate?: boolean;
  /** Bucket boundaries of `trellis.child.start.duration`, in seconds, ascending. */
  readonly startBuckets?: readonly number[];
  /** Another inspection observer that {@link Telemetry.inspect} forwards every inspection event to. */
  readonly inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
}

/**
 * What {@link createTelemetry} returns: the live subscription and the way to end it.
 *
 * @remarks
 * `close()` does not shut the providers down: they are the application's, and so is flushing
 * them (the SDK's `shutdown()`). `inspect` goes to `startSupervisor`'s `inspect` option when the
 * telemetry should see a tree's start ({@link createTelemetry} without a root).
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { defineSupervisor, startSupervisor, stopSupervisor } from '@trellis/core';
 * import { createTelemetry, type Telemetry } from '@trellis/otel';
 * const root = await startSupervisor(defineSupervisor({ id: 'root', children: [] }));
 * const telemetry: Telemetry = createTelemetry(root);
 * telemetry.close();
 * telemetry.close(); // harmless
 * assert.equal(typeof telemetry.handle, 'function');
 * await stopSupervisor(root);
 * ```
 *
 * @category observability
 * @since 0.1.0
 */
export interface Telemetry {
  /** The fact handler in use, for a caller that also feeds facts from elsewhere. */
  readonly handle: FactHandler;
  /**
   * Pass to `startSupervisor`'s `inspect` option to record the tree from its very start: the
   * `trellis.supervisor.start` spans and the facts of the initial start, which a tree already
   * running cannot show.
   */
  readonly inspect: Observer<InspectionEvent>;
  /** Stops following the tree, removes the gauges' callback and the spawn subscription, and ends open spans. */
  close(): void;
}

const KNOWN = new Set(['meterProvider', 'tracerProvider', 'loggerProvider', 'clock', 'propagate', 'startBuckets', 'inspect']);

function validate(options: TelemetryOptions): void {
  if (options === null || typeof options !== 'object') throw new TelemetryOptionsError('options', 'must be an object', options);
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new TelemetryOptionsError(key, `is not an option: ${unknownKeyMessage(key, 'telemetry options', [...KNOWN])}`, (options as Record<string, unknown>)[key]);
  }
  const { meterProvider, tracerProvider, loggerProvider, clock, propagate, startBuckets, inspect } = options;
  if (meterProvider !== undefined && typeof meterProvider?.getMeter !== 'function') throw new TelemetryOptionsError('meterProvider', 'must have getMeter()', meterProvider);
  if (tracerProvider !== undefined && typeof tracerProvider?.getTracer !== 'function') throw new TelemetryOptionsError('tracerProvider', 'must have getTracer()', tracerProvider);
  if (loggerProvider !== undefined && typeof loggerProvider?.getLogger !== 'function') throw new TelemetryOptionsError('loggerProvider', 'must have getLogger()', loggerProvider);
  if (clock !== undefined && typeof clock?.now !== 'function') throw new TelemetryOptionsError('clock', 'must have now()', clock);
  if (propagate !== undefined && typeof propagate !== 'boolean') throw new TelemetryOptionsError('propagate', 'must be a boolean', propagate);
  if (inspect !== undefined && typeof inspect !== 'function' && typeof (inspect as { next?: unknown } | null)?.next !== 'function') {
    throw new TelemetryOptionsError('inspect', 'must be an inspection observer (an object with next()) or a function', inspect);
  }
  if (startBuckets !== undefined) {
    const ok = Array.isArray(startBuckets) && startBuckets.every((b, i) => typeof b === 'number' && Number.isFinite(b) && b >= 0 && (i === 0 || b > (startBuckets[i - 1] as number)));
    if (!ok) throw new TelemetryOptionsError('startBuckets', 'must be finite numbers of seconds >= 0 in ascending order', startBuckets);
  }
}

function rootPathOf(ref: SupervisorRef): string {
  const id = (ref as { logic?: { id?: unknown } }).logic?.id;
  return typeof id === 'string' ? id : ref.id;
}

/** The path a parent supervisor gave a nested one in its input, or undefined for a tree's root. */
function givenPathOf(ref: AnyActorRef): string | undefined {
  const path = ((ref as { options?: { input?: SupervisorInput } }).options?.input?.trellis as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' ? path : undefined;
}

function parentPathOf(path: string): string | undefined {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? undefined : path.slice(0, slash);
}

function isSupervisorRef(ref: AnyActorRef | ActorRefLike | undefined): ref is SupervisorRef {
  const logic = (ref as { logic?: AnyActorLogic } | undefined)?.logic;
  return logic !== undefined && childProtocolOf(logic).kind === 'supervisor';
}

/** Why a supervisor's start ended without it running: its exit detail (a StartChildError) or its state. */
function startFailure(snapshot: { status: string; output?: unknown; error?: unknown }): string {
  const cause = snapshot.status === 'error' ? snapshot.error : (snapshot.output as { detail?: unknown } | undefined)?.detail;
  if (cause instanceof Error) return `${cause.name}: ${cause.message}`;
  if (typeof cause === 'string') return cause;
  return `the supervisor ended while starting (${snapshot.status})`;
}

/** Every live supervisor of the trees with their paths, each root first. */
function supervisorsOf(roots: Iterable<SupervisorRef>): Array<{ path: string; ref: SupervisorRef }> {
  const out: Array<{ path: string; ref: SupervisorRef }> = [];
  const visit = (ref: SupervisorRef, path: string): void => {
    out.push({ path, ref });
    let children;
    try {
      children = whichChildren(ref);
    } catch {
      return; // ended meanwhile
    }
    for (const child of children) {
      if (child.type === 'supervisor' && child.status === 'running' && child.ref !== undefined) visit(child.ref as SupervisorRef, `${path}/${child.id}`);
    }
  };
  for (const root of roots) if (root.getSnapshot().status === 'active') visit(root, rootPathOf(root));
  return out;
}

/** W3C trace context as environment variables (the OpenTelemetry env carrier: upper-case names). */
function traceEnv(span: Span): Record<string, string> {
  const ctx = span.spanContext();
  const env: Record<string, string> = { TRACEPARENT: `00-${ctx.traceId}-${ctx.spanId}-${(ctx.traceFlags & 0xff).toString(16).padStart(2, '0')}` };
  const state = ctx.traceState?.serialize();
  if (state !== undefined && state !== '') env['TRACESTATE'] = state;
  return env;
}

/** One OS child's incarnation as `@trellis/process` announced it, with its pid once it started. */
interface ProcessInfo {
  readonly command: string;
  readonly incarnation: number;
  pid?: number | undefined;
}

/**
 * Records a tree as OpenTelemetry metrics, log records and spans, from its start or from now.
 *
 * @remarks
 * Two ways to attach, as `@trellis/observe` has them:
 *
 * - `createTelemetry(options)` and `startSupervisor(logic, { inspect: telemetry.inspect })`: the
 *   telemetry sees every supervisor as XState creates it (`createTreeObserver`), so it records
 *   the start itself, as `trellis.supervisor.start` spans, and every fact from the first one.
 *   The `trellis` CLI attaches this way.
 * - `createTelemetry(root, options)`: follows a tree that is already running (`observeTree`);
 *   its start happened before, so it has no start span, and `trellis.child.active` is seeded
 *   from the live tree.
 *
 * Each fact becomes telemetry, with the names of {@link METRICS}, {@link EVENTS}, {@link SPANS}
 * and {@link ATTRIBUTES}:
 *
 * - metrics: restarts, exits by reason, active children, start duration of restarts, give-ups,
 *   and the restart budget in use per supervisor (`restartBudgetUsage` from `@trellis/core`,
 *   read at collection time);
 * - a log record per fact, with an event name (`trellis.child.exited` and so on); those of OS
 *   children also carry `process.pid`, `process.command` and `process.executable.name`, and on
 *   exit `process.exit.code`;
 * - spans: `trellis.supervisor.start` from a supervisor's creation until every child is ready
 *   (a nested supervisor's inside its parent's, or inside the restart that starts it),
 *   `trellis.supervisor.restart` from an exit that is answered by a restart to the child's next
 *   start, and `trellis.supervisor.shutdown` from the beginning of an ordered stop (`sup.stopping`)
 *   or a give-up to the stop (a nested supervisor's inside its parent's);
 * - with `propagate` (default), every OS child spawned by `@trellis/process` gets
 *   `TRACEPARENT`/`TRACESTATE` in its environment: the restart span that started it, or else
 *   the span active where it was spawned, so its own instrumentation continues that trace.
 *
 * Attributes on metrics are supervisor path, child id, child kind and exit reason: never a pid,
 * a command, an incarnation or a ResumeID, so cardinality stays that of the tree. Prometheus
 * metrics from `@trellis/observe` keep working beside these; both read the same facts.
 *
 * @param options - providers, clock, propagation, buckets, an inspection observer to forward to.
 * @returns the telemetry; pass its `inspect` to `startSupervisor`, call `close()` to end it.
 * @throws {@link TelemetryOptionsError} when an option is unknown or breaks its rule.
 *
 * @example Record the start and the shutdown as spans
 * ```ts
 * import assert from 'node:assert/strict';
 * import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
 * import { defineSupervisor, startSupervisor, stopSupervisor } from '@trellis/core';
 * import { scriptedChild } from '@trellis/core/testing';
 * import { createTelemetry } from '@trellis/otel';
 * const exporter = new InMemorySpanExporter();
 * const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
 * const telemetry = createTelemetry({ tracerProvider, propagate: false });
 * const root = await startSupervisor(defineSupervisor({ id: 'root', children: [{ id: 'db', start: scriptedChild() }] }), { inspect: telemetry.inspect });
 * await stopSupervisor(root);
 * assert.deepEqual(exporter.getFinishedSpans().map((span) => span.name), ['trellis.supervisor.start', 'trellis.supervisor.shutdown']);
 * telemetry.close();
 * await tracerProvider.shutdown();
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export function createTelemetry(options?: TelemetryOptions): Telemetry;
/**
 * Records a tree that is already running, from now on (see the other signature for what is
 * recorded).
 *
 * @remarks
 * Follows every supervisor of `root`'s tree (`observeTree` from `@trellis/observe`). Its start
 * happened before, so there is no `trellis.supervisor.start` span; `trellis.child.active` is
 * seeded from the live tree.
 *
 * @param root - a running supervisor; its whole subtree is followed.
 * @param options - providers, clock, propagation, buckets.
 * @returns the subscription; call `close()` to end it.
 * @throws {@link TelemetryOptionsError} when an option is unknown or breaks its rule.
 *
 * @example Count a restart with the SDK's in-memory metric exporter
 * ```ts
 * import assert from 'node:assert/strict';
 * import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
 * import { defineSupervisor, startSupervisor, stopSupervisor } from '@trellis/core';
 * import { createTestClock, scriptedChild, settle } from '@trellis/core/testing';
 * import { createTelemetry } from '@trellis/otel';
 * const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
 * const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
 * const meterProvider = new MeterProvider({ readers: [reader] });
 * const db = scriptedChild();
 * const root = await startSupervisor(defineSupervisor({ id: 'root', children: [{ id: 'db', start: db }] }), { clock: createTestClock() });
 * const telemetry = createTelemetry(root, { meterProvider, propagate: false });
 * db.crash();
 * await settle();
 * await reader.forceFlush();
 * const restarts = exporter.getMetrics()[0]?.scopeMetrics[0]?.metrics.find((m) => m.descriptor.name === 'trellis.child.restarts');
 * assert.equal(restarts?.dataPoints[0]?.value, 1);
 * telemetry.close();
 * await stopSupervisor(root);
 * await meterProvider.shutdown();
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export function createTelemetry(root: SupervisorRef, options?: TelemetryOptions): Telemetry;
export function createTelemetry(rootOrOptions?: SupervisorRef | TelemetryOptions, maybeOptions?: TelemetryOptions): Telemetry {
  const given = typeof (rootOrOptions as { getSnapshot?: unknown } | undefined)?.getSnapshot === 'function' ? (rootOrOptions as SupervisorRef) : undefined;
  const options: TelemetryOptions = (given === undefined ? (rootOrOptions as TelemetryOptions | undefined) : maybeOptions) ?? {};
  validate(options);
  const clock = options.clock ?? systemClock;
  const meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(SCOPE, VERSION);
  const tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(SCOPE, VERSION);
  const logger = (options.loggerProvider ?? logs.getLoggerProvider()).getLogger(SCOPE, VERSION);

  const restarts = meter.createCounter(METRICS.restarts.name, { unit: METRICS.restarts.unit, description: METRICS.restarts.description });
  const exits = meter.createCounter(METRICS.exits.name, { unit: METRICS.exits.unit, description: METRICS.exits.description });
  const active = meter.createUpDownCounter(METRICS.active.name, { unit: METRICS.active.unit, description: METRICS.active.description });
  const gaveUp = meter.createCounter(METRICS.gaveUp.name, { unit: METRICS.gaveUp.unit, description: METRICS.gaveUp.description });
  const startDuration = meter.createHistogram(METRICS.startDuration.name, {
    unit: METRICS.startDuration.unit,
    description: METRICS.startDuration.description,
    advice: { explicitBucketBoundaries: [...(options.startBuckets ?? [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30])] },
  });
  /** The roots of the trees followed: the one given, and each one whose start was inspected. */
  const roots = new Set<SupervisorRef>();
  if (given !== undefined) roots.add(given);
  const budgetUsed = meter.createObservableGauge(METRICS.budgetUsed.name, { unit: METRICS.budgetUsed.unit, description: METRICS.budgetUsed.description });
  const budgetLimit = meter.createObservableGauge(METRICS.budgetLimit.name, { unit: METRICS.budgetLimit.unit, description: METRICS.budgetLimit.description });
  const observeBudgets = (result: { observe(instrument: typeof budgetUsed, value: number, attributes?: Attributes): void }): void => {
    for (const root of roots) if (root.getSnapshot().status !== 'active') roots.delete(root); // ended trees
    for (const { path, ref } of supervisorsOf(roots)) {
      let usage;
      try {
        usage = restartBudgetUsage(ref);
      } catch {
        continue; // ended between the walk and the read
      }
      if (usage === undefined) continue; // a custom budget that cannot say
      result.observe(budgetUsed, usage.used, { [ATTRIBUTES.supervisor]: path });
      result.observe(budgetLimit, usage.limit, { [ATTRIBUTES.supervisor]: path });
    }
  };
  meter.addBatchObservableCallback(observeBudgets, [budgetUsed, budgetLimit]);

  /** `supervisor/child` → the kind of a child counted in `trellis.child.active`. */
  const running = new Map<string, { supervisor: string; child: string; kind: string; incarnation: number }>();
  /** `supervisor/child` → the clock reading when its restart was due. */
  const dueAt = new Map<string, number>();
  /** `supervisor/child` → the open restart span, in the order opened. */
  const restartSpans = new Map<string, Span>();
  /** supervisor path → the open shutdown span. */
  const shutdownSpans = new Map<string, Span>();
  /** supervisor path → the open start span; and the starting supervisor actor → its path. */
  const startSpans = new Map<string, Span>();
  const starting = new Map<AnyActorRef | ActorRefLike, string>();
  /** ResumeID → the OS child spawned for it and not yet started (from the spawn channel). */
  const spawned = new Map<string, ProcessInfo>();
  /** `supervisor/child` → the running OS child of that child. */
  const processes = new Map<string, ProcessInfo>();

  const kindOf = (source: SupervisorRef | undefined, child: string): string => {
    try {
      return source === undefined ? 'worker' : (whichChildren(source).find((c) => c.id === child)?.type ?? 'worker');
    } catch {
      return 'worker';
    }
  };
  const pidOf = (source: SupervisorRef, child: string): number | undefined => {
    try {
      const pid = (whichChildren(source).find((c) => c.id === child)?.ref?.getSnapshot() as { pid?: unknown } | undefined)?.pid;
      return typeof pid === 'number' ? pid : undefined;
    } catch {
      return undefined;
    }
  };
  const processAttributes = (info: ProcessInfo | undefined): Attributes => {
    if (info === undefined) return {};
    const out: Attributes = { [ATTRIBUTES.processCommand]: info.command, [ATTRIBUTES.processExecutable]: basename(info.command) };
    if (info.pid !== undefined) out[ATTRIBUTES.processPid] = info.pid;
    return out;
  };
  // Children already running when we attach are active too.
  if (given !== undefined) {
    for (const { path, ref } of supervisorsOf([given])) {
      let children;
      try {
        children = whichChildren(ref);
      } catch {
        continue;
      }
      for (const c of children) {
        if (c.status !== 'running') continue;
        running.set(`${path}/${c.id}`, { supervisor: path, child: c.id, kind: c.type, incarnation: c.incarnation });
        active.add(1, { [ATTRIBUTES.supervisor]: path, [ATTRIBUTES.child]: c.id, [ATTRIBUTES.kind]: c.type });
      }
    }
  }

  const endSpan = (spans: Map<string, Span>, key: string, error?: string): void => {
    const span = spans.get(key);
    if (span === undefined) return;
    spans.delete(key);
    if (error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: error });
    span.end();
  };
  /** The newest open restart span of a supervisor (a group restart stops and starts siblings inside it). */
  const restartOf = (supervisor: string): Span | undefined => {
    let found: Span | undefined;
    for (const [key, span] of restartSpans) if (parentPathOf(key) === supervisor) found = span;
    return found;
  };
  /** A span's parent: the given span when there is one, else a new trace (facts arrive inside whatever context the caller has). */
  const startUnder = (name: string, parent: Span | undefined, attributes: Attributes): Span =>
    parent === undefined ? tracer.startSpan(name, { root: true, attributes }, context.active()) : tracer.startSpan(name, { attributes }, trace.setSpan(context.active() as Context, parent));

  const openShutdown = (supervisor: string, reason: string): void => {
    if (shutdownSpans.has(supervisor)) return;
    const parentPath = parentPathOf(supervisor);
    // A nested supervisor stops inside its parent's shutdown, or inside the parent's restart that stops it.
    const parent = parentPath === undefined ? undefined : (shutdownSpans.get(parentPath) ?? restartOf(parentPath));
    shutdownSpans.set(supervisor, startUnder(SPANS.shutdown, parent, { [ATTRIBUTES.supervisor]: supervisor, [ATTRIBUTES.reason]: reason }));
  };

  const handle: FactHandler = (fact: SupervisorFact, source: SupervisorRef) => {
    switch (fact.type) {
      case 'sup.child.started': {
        const key = `${fact.supervisor}/${fact.child}`;
        const kind = kindOf(source, fact.child);
        const attributes = { [ATTRIBUTES.supervisor]: fact.supervisor, [ATTRIBUTES.child]: fact.child, [ATTRIBUTES.kind]: kind };
        if (!running.has(key)) active.add(1, attributes);
        running.set(key, { supervisor: fact.supervisor, child: fact.child, kind, incarnation: fact.incarnation });
        if (fact.cause === 'restart') {
          restarts.add(1, attributes);
          const due = dueAt.get(key);
          if (due !== undefined) startDuration.record(Math.max(0, clock.now() - due) / 1000, attributes);
        }
        dueAt.delete(key);
        endSpan(restartSpans, key);
        const osChild = spawned.get(fact.resumeId);
        spawned.delete(fact.resumeId);
        if (osChild !== undefined && osChild.incarnation === fact.incarnation) {
          osChild.pid = pidOf(source, fact.child);
          processes.set(key, osChild);
        } else processes.delete(key);
        startSpans.get(fact.supervisor)?.addEvent(EVENTS.started, { [ATTRIBUTES.child]: fact.child, [ATTRIBUTES.kind]: kind });
        logger.emit({
          eventName: EVENTS.started,
          severityNumber: SeverityNumber.INFO,
          severityText: 'INFO',
          body: `child ${fact.child} of ${fact.supervisor} started (${fact.cause})`,
          attributes: { ...attributes, [ATTRIBUTES.incarnation]: fact.incarnation, 'trellis.start.cause': fact.cause, ...processAttributes(processes.get(key)) },
        });
        return;
      }
      case 'sup.child.exited': {
        const key = `${fact.supervisor}/${fact.child}`;
        const was = running.get(key);
        const kind = was?.kind ?? kindOf(source, fact.child);
        const attributes: Attributes = { [ATTRIBUTES.supervisor]: fact.supervisor, [ATTRIBUTES.child]: fact.child, [ATTRIBUTES.kind]: kind };
        // A rolling restart's replacement started before the incarnation it replaced exited: the child still runs.
        const superseded = was !== undefined && was.incarnation > fact.incarnation;
        if (was !== undefined && !superseded) {
          running.delete(key);
          active.add(-1, attributes);
        }
        const abnormal = fact.exit.reason !== 'normal' && fact.exit.reason !== 'shutdown' && fact.exit.reason !== 'replaced';
        const exitAttributes: Attributes = { ...attributes, [ATTRIBUTES.reason]: fact.exit.reason };
        if (abnormal) exitAttributes[ATTRIBUTES.errorType] = fact.exit.reason;
        exits.add(1, exitAttributes); // metrics: the tree's shape only, never the process's
        const osChild = superseded ? undefined : processes.get(key);
        if (!superseded) processes.delete(key);
        const processExit: Attributes = processAttributes(osChild);
        delete processExit[ATTRIBUTES.processPid]; // on the log record only: a span outlives the pid
        if (typeof fact.exit.code === 'number') processExit[ATTRIBUTES.exitCode] = fact.exit.code;
        if (typeof fact.exit.signal === 'string') processExit[ATTRIBUTES.exitSignal] = fact.exit.signal;
        const record: Attributes = { ...exitAttributes, ...processAttributes(osChild), ...processExit, [ATTRIBUTES.incarnation]: fact.incarnation, 'trellis.restart.decision': fact.decision };
        logger.emit({
          eventName: EVENTS.exited,
          severityNumber: abnormal ? SeverityNumber.WARN : SeverityNumber.INFO,
          severityText: abnormal ? 'WARN' : 'INFO',
          body: `child ${fact.child} of ${fact.supervisor} exited (${fact.exit.reason}); ${fact.decision}`,
          attributes: record,
        });
        if (fact.decision === 'restart') {
          dueAt.set(key, clock.now());
          if (!restartSpans.has(key)) restartSpans.set(key, startUnder(SPANS.restart, undefined, { ...exitAttributes, ...processExit }));
        }
        return;
      }
      case 'sup.child.restarting': {
        dueAt.set(`${fact.supervisor}/${fact.child}`, clock.now() + fact.delayMs);
        return;
      }
      case 'sup.child.startFailed': {
        const attributes = { [ATTRIBUTES.supervisor]: fact.supervisor, [ATTRIBUTES.child]: fact.child, [ATTRIBUTES.errorType]: fact.error.name };
        restartSpans.get(`${fact.supervisor}/${fact.child}`)?.addEvent(EVENTS.startFailed, attributes);
        startSpans.get(fact.supervisor)?.addEvent(EVENTS.startFailed, attributes);
        logger.emit({
          eventName: EVENTS.startFailed,
          severityNumber: SeverityNumber.ERROR,
          severityText: 'ERROR',
          body: `child ${fact.child} of ${fact.supervisor} failed to start: ${fact.error.message}`,
          attributes: { ...attributes, [ATTRIBUTES.incarnation]: fact.incarnation },
        });
        return;
      }
      case 'sup.intensity.exceeded': {
        const attributes = { [ATTRIBUTES.supervisor]: fact.supervisor };
        gaveUp.add(1, attributes);
        for (const key of [...restartSpans.keys()]) {
          if (parentPathOf(key) === fact.supervisor) endSpan(restartSpans, key, 'reached_max_restart_intensity');
        }
        openShutdown(fact.supervisor, 'reached_max_restart_intensity');
        logger.emit({
          eventName: EVENTS.gaveUp,
          severityNumber: SeverityNumber.ERROR,
          severityText: 'ERROR',
          body: `supervisor ${fact.supervisor} gave up: more than ${fact.intensity} restarts in ${fact.periodMs} ms (last: ${fact.child})`,
          attributes: { ...attributes, [ATTRIBUTES.child]: fact.child, 'trellis.supervisor.intensity': fact.intensity, 'trellis.supervisor.period_ms': fact.periodMs },
        });
        return;
      }
      case 'sup.stopping': {
        openShutdown(fact.supervisor, fact.exit.reason);
        return;
      }
      case 'sup.stopped': {
        for (const key of [...restartSpans.keys()]) {
          if (parentPathOf(key) === fact.supervisor) endSpan(restartSpans, key, 'supervisor stopped');
        }
        for (const key of [...processes.keys()]) if (parentPathOf(key) === fact.supervisor) processes.delete(key);
        const detail = fact.exit.detail as { name?: unknown; message?: unknown } | undefined;
        // A failed initial start ends here with its StartChildError, before the snapshot says so.
        endSpan(startSpans, fact.supervisor, typeof detail?.message === 'string' ? `${String(detail.name)}: ${detail.message}` : 'the supervisor stopped before every child was ready');
        endSpan(shutdownSpans, fact.supervisor, fact.exit.reason === 'shutdown' || fact.exit.reason === 'normal' ? undefined : fact.exit.reason);
        return;
      }
      default:
        return;
    }
  };

  const propagate = options.propagate ?? true;
  const onSpawn = (message: unknown): void => {
    const m = message as { command?: unknown; resumeId?: unknown; incarnation?: unknown; env?: Record<string, string> };
    if (typeof m.resumeId === 'string' && typeof m.command === 'string' && typeof m.incarnation === 'number') {
      spawned.set(m.resumeId, { command: m.command, incarnation: m.incarnation }); // for the process.* attributes once it starts
    }
    if (!propagate || m.env === undefined) return;
    // The restart that starts this child, else whatever span is active where it is spawned,
    // else the latest restart in progress (a sibling stopped and started by a group restart).
    const span =
      (typeof m.resumeId === 'string' ? restartSpans.get(m.resumeId) : undefined) ??
      trace.getSpan(context.active()) ??
      [...restartSpans.values()].at(-1);
    if (span === undefined || !span.spanContext().traceId || span.spanContext().traceId === '00000000000000000000000000000000') return;
    Object.assign(m.env, traceEnv(span));
  };
  subscribe(SPAWN_CHANNEL, onSpawn);

  // Cluster lease facts: log records, leases held, losses and late renewals.
  const leasesHeld = meter.createUpDownCounter(METRICS.leasesHeld.name, { unit: METRICS.leasesHeld.unit, description: METRICS.leasesHeld.description });
  const leasesLost = meter.createCounter(METRICS.leasesLost.name, { unit: METRICS.leasesLost.unit, description: METRICS.leasesLost.description });
  const leasesRenewedLate = meter.createCounter(METRICS.leasesRenewedLate.name, { unit: METRICS.leasesRenewedLate.unit, description: METRICS.leasesRenewedLate.description });
  /** Leases held now, by name: a `released` after a `lost` must not count the lease twice. */
  const held = new Set<string>();
  const onLease = (message: unknown): void => {
    const fact = message as { type?: unknown; lease?: unknown; holder?: unknown; epoch?: unknown; cause?: unknown; sinceConfirmedMs?: unknown; previousHolder?: unknown; written?: unknown };
    if (typeof fact.type !== 'string' || typeof fact.lease !== 'string') return;
    const lease = { [ATTRIBUTES.leaseName]: fact.lease };
    const attributes: Attributes = { ...lease };
    if (typeof fact.holder === 'string') attributes[ATTRIBUTES.leaseHolder] = fact.holder;
    if (typeof fact.epoch === 'number') attributes[ATTRIBUTES.leaseEpoch] = fact.epoch;
    const letGo = (): void => {
      if (held.delete(fact.lease as string)) leasesHeld.add(-1, lease);
    };
    switch (fact.type) {
      case 'cluster.lease.acquired':
        if (!held.has(fact.lease)) {
          held.add(fact.lease);
          leasesHeld.add(1, lease);
        }
        logger.emit({
          eventName: EVENTS.leaseAcquired,
          severityNumber: SeverityNumber.INFO,
          severityText: 'INFO',
          body: `lease ${fact.lease} acquired at epoch ${String(fact.epoch)} (previous holder ${String(fact.previousHolder ?? 'none')})`,
          attributes,
        });
        return;
      case 'cluster.lease.renewedLate':
        leasesRenewedLate.add(1, lease);
        logger.emit({
          eventName: EVENTS.leaseRenewedLate,
          severityNumber: SeverityNumber.WARN,
          severityText: 'WARN',
          body: `lease ${fact.lease} renewed late: ${String(fact.sinceConfirmedMs)} ms since the last confirmed renewal`,
          attributes: { ...attributes, 'trellis.cluster.lease.since_confirmed_ms': typeof fact.sinceConfirmedMs === 'number' ? fact.sinceConfirmedMs : -1 },
        });
        return;
      case 'cluster.lease.lost': {
        letGo();
        const cause = typeof fact.cause === 'string' ? fact.cause : 'unknown';
        leasesLost.add(1, { ...lease, [ATTRIBUTES.leaseCause]: cause });
        logger.emit({
          eventName: EVENTS.leaseLost,
          severityNumber: SeverityNumber.WARN,
          severityText: 'WARN',
          body: `lease ${fact.lease} lost (${cause}): the child was stopped`,
          attributes: { ...attributes, [ATTRIBUTES.leaseCause]: cause },
        });
        return;
      }
      case 'cluster.lease.released':
        letGo();
        logger.emit({
          eventName: EVENTS.leaseReleased,
          severityNumber: SeverityNumber.INFO,
          severityText: 'INFO',
          body: `lease ${fact.lease} released${fact.written === false ? ' (already lost: nothing written)' : ''}`,
          attributes,
        });
        return;
      default:
        return; // standby, and facts of a later version
    }
  };
  subscribe(LEASE_CHANNEL, onLease);

  let closed = false;
  // Inspection: a start span for each supervisor from its creation until its snapshot says it runs.
  const treeObserver = createTreeObserver(handle);
  const forward = options.inspect;
  const onInspection = (event: InspectionEvent): void => {
    if (closed) return;
    if (event.type === '@xstate.actor' && isSupervisorRef(event.actorRef)) {
      const ref = event.actorRef;
      const nestedPath = givenPathOf(ref);
      if (nestedPath === undefined) roots.add(ref);
      const path = nestedPath ?? rootPathOf(ref);
      const parentPath = parentPathOf(path);
      // A nested supervisor starts inside its parent's start, or inside the restart that starts it.
      const parent = parentPath === undefined ? undefined : (startSpans.get(parentPath) ?? restartSpans.get(path) ?? restartOf(parentPath));
      endSpan(startSpans, path, 'superseded by a newer start'); // never two open for one path
      startSpans.set(path, startUnder(SPANS.start, parent, { [ATTRIBUTES.supervisor]: path }));
      starting.set(ref, path);
    } else if (event.type === '@xstate.snapshot' && starting.has(event.actorRef)) {
      const snapshot = event.snapshot as { status: string; value?: unknown; output?: unknown; error?: unknown };
      const path = starting.get(event.actorRef) as string;
      // The same test startSupervisor resolves on: running (or already restarting a child), or ended.
      if (snapshot.status === 'active' && snapshot.value !== 'running' && snapshot.value !== 'restarting') return;
      starting.delete(event.actorRef);
      endSpan(startSpans, path, snapshot.status === 'active' ? undefined : startFailure(snapshot));
    }
  };
  const inspect: Observer<InspectionEvent> = {
    next(event) {
      onInspection(event);
      treeObserver.inspect.next?.(event);
      if (typeof forward === 'function') forward(event);
      else forward?.next?.(event);
    },
  };

  const stopFollowing: Unsubscribe = given === undefined ? () => {} : observeTree(given, handle);
  return {
    handle,
    inspect,
    close() {
      if (closed) return;
      closed = true;
      stopFollowing();
      treeObserver.unsubscribe();
      meter.removeBatchObservableCallback(observeBudgets, [budgetUsed, budgetLimit]);
      unsubscribe(SPAWN_CHANNEL, onSpawn);
      unsubscribe(LEASE_CHANNEL, onLease);
      for (const key of [...restartSpans.keys()]) endSpan(restartSpans, key);
      for (const key of [...shutdownSpans.keys()]) endSpan(shutdownSpans, key);
      for (const key of [...startSpans.keys()]) endSpan(startSpans, key);
      starting.clear();
      roots.clear();
      spawned.clear();
      processes.clear();
    },
  };
}
