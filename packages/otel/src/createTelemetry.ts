/**
 * A running tree's facts as OpenTelemetry metrics, log records and spans, through the API only:
 * the application brings the SDK and its exporters.
 *
 * @module
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { context, metrics, trace, SpanStatusCode, type Attributes, type MeterProvider, type Span, type TracerProvider } from '@opentelemetry/api';
import { logs, SeverityNumber, type LoggerProvider } from '@opentelemetry/api-logs';
import { restartBudgetUsage, systemClock, unknownKeyMessage, whichChildren, type Clock, type SupervisorFact, type SupervisorRef } from '@trellis/core';
import { observeTree, type FactHandler, type Unsubscribe } from '@trellis/observe';
import { TelemetryOptionsError } from './errors.js';
import { ATTRIBUTES, EVENTS, METRICS, SCOPE, SPANS } from './names.js';

const VERSION = '0.1.0';
/** The channel `@trellis/process` publishes each spawn on (named here so otel needs no dependency on process). */
const SPAWN_CHANNEL = 'trellis:process:spawn';

/**
 * Options of {@link createTelemetry}; every field is optional.
 *
 * @remarks
 * The providers default to the global ones (`metrics`, `trace` and `logs` of the API), which the
 * application's SDK registers; pass your own to keep trellis's telemetry apart or for tests.
 * `clock` (default the system clock) times `trellis.child.start.duration`. `propagate` (default
 * true) adds `TRACEPARENT`/`TRACESTATE` to the environment of every OS child spawned by
 * `@trellis/process`. `startBuckets` are the histogram's bucket boundaries, in seconds. Any other
 * key is rejected with a {@link TelemetryOptionsError}.
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
}

/**
 * What {@link createTelemetry} returns: the live subscription and the way to end it.
 *
 * @remarks
 * `close()` does not shut the providers down: they are the application's, and so is flushing
 * them (the SDK's `shutdown()`).
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
  /** Stops following the tree, removes the gauges' callback and the spawn subscription, and ends open spans. */
  close(): void;
}

const KNOWN = new Set(['meterProvider', 'tracerProvider', 'loggerProvider', 'clock', 'propagate', 'startBuckets']);

function validate(options: TelemetryOptions): void {
  if (options === null || typeof options !== 'object') throw new TelemetryOptionsError('options', 'must be an object', options);
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new TelemetryOptionsError(key, `is not an option: ${unknownKeyMessage(key, 'telemetry options', [...KNOWN])}`, (options as Record<string, unknown>)[key]);
  }
  const { meterProvider, tracerProvider, loggerProvider, clock, propagate, startBuckets } = options;
  if (meterProvider !== undefined && typeof meterProvider?.getMeter !== 'function') throw new TelemetryOptionsError('meterProvider', 'must have getMeter()', meterProvider);
  if (tracerProvider !== undefined && typeof tracerProvider?.getTracer !== 'function') throw new TelemetryOptionsError('tracerProvider', 'must have getTracer()', tracerProvider);
  if (loggerProvider !== undefined && typeof loggerProvider?.getLogger !== 'function') throw new TelemetryOptionsError('loggerProvider', 'must have getLogger()', loggerProvider);
  if (clock !== undefined && typeof clock?.now !== 'function') throw new TelemetryOptionsError('clock', 'must have now()', clock);
  if (propagate !== undefined && typeof propagate !== 'boolean') throw new TelemetryOptionsError('propagate', 'must be a boolean', propagate);
  if (startBuckets !== undefined) {
    const ok = Array.isArray(startBuckets) && startBuckets.every((b, i) => typeof b === 'number' && Number.isFinite(b) && b >= 0 && (i === 0 || b > (startBuckets[i - 1] as number)));
    if (!ok) throw new TelemetryOptionsError('startBuckets', 'must be finite numbers of seconds >= 0 in ascending order', startBuckets);
  }
}

function rootPathOf(ref: SupervisorRef): string {
  const id = (ref as { logic?: { id?: unknown } }).logic?.id;
  return typeof id === 'string' ? id : ref.id;
}

/** Every live supervisor of the tree with its path, root first. */
function supervisorsOf(root: SupervisorRef): Array<{ path: string; ref: SupervisorRef }> {
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
  if (root.getSnapshot().status === 'active') visit(root, rootPathOf(root));
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

/**
 * Records a running tree as OpenTelemetry metrics, log records and spans.
 *
 * @remarks
 * Subscribes to every supervisor of `root`'s tree (`observeTree` from `@trellis/observe`) and
 * turns each fact into telemetry, with the names of {@link METRICS}, {@link EVENTS},
 * {@link SPANS} and {@link ATTRIBUTES}:
 *
 * - metrics: restarts, exits by reason, active children (seeded from the running tree, so it is
 *   right even when attached late), start duration of restarts, give-ups, and the restart budget
 *   in use per supervisor (`restartBudgetUsage` from `@trellis/core`, read at collection time);
 * - a log record per fact, with an event name (`trellis.child.exited` and so on);
 * - a `trellis.supervisor.restart` span from an exit that is answered by a restart to the child's
 *   next start, and a `trellis.supervisor.shutdown` span from a give-up to the stop;
 * - with `propagate` (default), every OS child spawned by `@trellis/process` gets
 *   `TRACEPARENT`/`TRACESTATE` in its environment: the restart span that started it, or else
 *   the span active where it was spawned, so its own instrumentation continues that trace.
 *
 * Attributes on metrics are supervisor path, child id, child kind and exit reason: never a pid,
 * incarnation or ResumeID, so cardinality stays that of the tree. Prometheus metrics from
 * `@trellis/observe` keep working beside these; both read the same facts.
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
export function createTelemetry(root: SupervisorRef, options: TelemetryOptions = {}): Telemetry {
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
  const budgetUsed = meter.createObservableGauge(METRICS.budgetUsed.name, { unit: METRICS.budgetUsed.unit, description: METRICS.budgetUsed.description });
  const budgetLimit = meter.createObservableGauge(METRICS.budgetLimit.name, { unit: METRICS.budgetLimit.unit, description: METRICS.budgetLimit.description });
  const observeBudgets = (result: { observe(instrument: typeof budgetUsed, value: number, attributes?: Attributes): void }): void => {
    for (const { path, ref } of supervisorsOf(root)) {
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
  const running = new Map<string, { supervisor: string; child: string; kind: string }>();
  /** `supervisor/child` → the clock reading when its restart was due. */
  const dueAt = new Map<string, number>();
  /** `supervisor/child` → the open restart span, in the order opened. */
  const restartSpans = new Map<string, Span>();
  /** supervisor path → the open shutdown span. */
  const shutdownSpans = new Map<string, Span>();

  const kindOf = (source: SupervisorRef | undefined, child: string): string => {
    try {
      return source === undefined ? 'worker' : (whichChildren(source).find((c) => c.id === child)?.type ?? 'worker');
    } catch {
      return 'worker';
    }
  };
  // Children already running when we attach are active too.
  for (const { path, ref } of supervisorsOf(root)) {
    let children;
    try {
      children = whichChildren(ref);
    } catch {
      continue;
    }
    for (const c of children) {
      if (c.status !== 'running') continue;
      running.set(`${path}/${c.id}`, { supervisor: path, child: c.id, kind: c.type });
      active.add(1, { [ATTRIBUTES.supervisor]: path, [ATTRIBUTES.child]: c.id, [ATTRIBUTES.kind]: c.type });
    }
  }

  const endSpan = (spans: Map<string, Span>, key: string, error?: string): void => {
    const span = spans.get(key);
    if (span === undefined) return;
    spans.delete(key);
    if (error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: error });
    span.end();
  };

  const handle: FactHandler = (fact: SupervisorFact, source: SupervisorRef) => {
    switch (fact.type) {
      case 'sup.child.started': {
        const key = `${fact.supervisor}/${fact.child}`;
        const kind = kindOf(source, fact.child);
        const attributes = { [ATTRIBUTES.supervisor]: fact.supervisor, [ATTRIBUTES.child]: fact.child, [ATTRIBUTES.kind]: kind };
        if (!running.has(key)) {
          running.set(key, { supervisor: fact.supervisor, child: fact.child, kind });
          active.add(1, attributes);
        }
        if (fact.cause === 'restart') {
          restarts.add(1, attributes);
          const due = dueAt.get(key);
          if (due !== undefined) startDuration.record(Math.max(0, clock.now() - due) / 1000, attributes);
        }
        dueAt.delete(key);
        endSpan(restartSpans, key);
        logger.emit({
          eventName: EVENTS.started,
          severityNumber: SeverityNumber.INFO,
          severityText: 'INFO',
          body: `child ${fact.child} of ${fact.supervisor} started (${fact.cause})`,
          attributes: { ...attributes, [ATTRIBUTES.incarnation]: fact.incarnation, 'trellis.start.cause': fact.cause },
        });
        return;
      }
      case 'sup.child.exited': {
        const key = `${fact.supervisor}/${fact.child}`;
        const was = running.get(key);
        const kind = was?.kind ?? kindOf(source, fact.child);
        const attributes: Attributes = { [ATTRIBUTES.supervisor]: fact.supervisor, [ATTRIBUTES.child]: fact.child, [ATTRIBUTES.kind]: kind };
        if (was !== undefined) {
          running.delete(key);
          active.add(-1, attributes);
        }
        const abnormal = fact.exit.reason !== 'normal' && fact.exit.reason !== 'shutdown';
        const exitAttributes: Attributes = { ...attributes, [ATTRIBUTES.reason]: fact.exit.reason };
        if (abnormal) exitAttributes[ATTRIBUTES.errorType] = fact.exit.reason;
        exits.add(1, exitAttributes);
        const record: Attributes = { ...exitAttributes, [ATTRIBUTES.incarnation]: fact.incarnation, 'trellis.restart.decision': fact.decision };
        if (typeof fact.exit.code === 'number') record[ATTRIBUTES.exitCode] = fact.exit.code;
        if (typeof fact.exit.signal === 'string') record[ATTRIBUTES.exitSignal] = fact.exit.signal;
        logger.emit({
          eventName: EVENTS.exited,
          severityNumber: abnormal ? SeverityNumber.WARN : SeverityNumber.INFO,
          severityText: abnormal ? 'WARN' : 'INFO',
          body: `child ${fact.child} of ${fact.supervisor} exited (${fact.exit.reason}); ${fact.decision}`,
          attributes: record,
        });
        if (fact.decision === 'restart') {
          dueAt.set(key, clock.now());
          if (!restartSpans.has(key)) {
            restartSpans.set(key, tracer.startSpan(SPANS.restart, { root: true, attributes: exitAttributes }, context.active()));
          }
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
          if (key.startsWith(`${fact.supervisor}/`)) endSpan(restartSpans, key, 'reached_max_restart_intensity');
        }
        if (!shutdownSpans.has(fact.supervisor)) {
          const span = tracer.startSpan(SPANS.shutdown, { root: true, attributes: { ...attributes, [ATTRIBUTES.reason]: 'reached_max_restart_intensity' } }, context.active());
          shutdownSpans.set(fact.supervisor, span);
        }
        logger.emit({
          eventName: EVENTS.gaveUp,
          severityNumber: SeverityNumber.ERROR,
          severityText: 'ERROR',
          body: `supervisor ${fact.supervisor} gave up: more than ${fact.intensity} restarts in ${fact.periodMs} ms (last: ${fact.child})`,
          attributes: { ...attributes, [ATTRIBUTES.child]: fact.child, 'trellis.supervisor.intensity': fact.intensity, 'trellis.supervisor.period_ms': fact.periodMs },
        });
        return;
      }
      case 'sup.stopped': {
        for (const key of [...restartSpans.keys()]) {
          if (key.startsWith(`${fact.supervisor}/`)) endSpan(restartSpans, key, 'supervisor stopped');
        }
        endSpan(shutdownSpans, fact.supervisor, fact.exit.reason === 'shutdown' || fact.exit.reason === 'normal' ? undefined : fact.exit.reason);
        return;
      }
      default:
        return;
    }
  };

  const onSpawn = (message: unknown): void => {
    const m = message as { resumeId?: unknown; env?: Record<string, string> };
    if (m.env === undefined) return;
    // The restart that starts this child, else whatever span is active where it is spawned,
    // else the latest restart in progress (a sibling stopped and started by a group restart).
    const span =
      (typeof m.resumeId === 'string' ? restartSpans.get(m.resumeId) : undefined) ??
      trace.getSpan(context.active()) ??
      [...restartSpans.values()].at(-1);
    if (span === undefined || !span.spanContext().traceId || span.spanContext().traceId === '00000000000000000000000000000000') return;
    Object.assign(m.env, traceEnv(span));
  };
  const propagate = options.propagate ?? true;
  if (propagate) subscribe(SPAWN_CHANNEL, onSpawn);

  const stop: Unsubscribe = observeTree(root, handle);
  let closed = false;
  return {
    handle,
    close() {
      if (closed) return;
      closed = true;
      stop();
      meter.removeBatchObservableCallback(observeBudgets, [budgetUsed, budgetLimit]);
      if (propagate) unsubscribe(SPAWN_CHANNEL, onSpawn);
      for (const key of [...restartSpans.keys()]) endSpan(restartSpans, key);
      for (const key of [...shutdownSpans.keys()]) endSpan(shutdownSpans, key);
    },
  };
}
