// The bounded operations as spans, against the SDK's in-memory exporters on the test clock: a
// supervisor's start until every child is ready (seen through startSupervisor's inspect), an
// ordinary shutdown (sup.stopping → sup.stopped), and how nested supervisors' spans nest.
import { afterEach, describe, expect, it } from 'vitest';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { defineSupervisor, startSupervisor, stopSupervisor, whichChildren, type SupervisorRef } from '@trellis/core';
import { createTestClock, scriptedChild, settle } from '@trellis/core/testing';
import { createTreeObserver } from '@trellis/observe';
import { ATTRIBUTES, createTelemetry, EVENTS, METRICS, SPANS, TelemetryOptionsError } from '@trellis/otel';
import { inMemory } from './inMemory.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function telemetryFor(otel: ReturnType<typeof inMemory>, clock = createTestClock()) {
  const telemetry = createTelemetry({ meterProvider: otel.meterProvider, tracerProvider: otel.tracerProvider, loggerProvider: otel.loggerProvider, clock, propagate: false });
  cleanups.push(otel.shutdown, () => telemetry.close());
  return { telemetry, clock };
}

function stopAfter(root: SupervisorRef): void {
  cleanups.push(async () => {
    if (root.getSnapshot().status === 'active') await stopSupervisor(root);
  });
}

const named = (spans: ReadableSpan[], name: string, path: string): ReadableSpan | undefined => spans.find((s) => s.name === name && s.attributes[ATTRIBUTES.supervisor] === path);
const parentOf = (span: ReadableSpan | undefined): string | undefined => span?.parentSpanContext?.spanId;

describe('trellis.supervisor.start', () => {
  it('lasts until every child is ready, nests a child supervisor in its parent, and sees the initial start', async () => {
    const otel = inMemory();
    const { telemetry, clock } = telemetryFor(otel);
    const slow = scriptedChild({ awaitReady: true });
    const inner = scriptedChild();
    const sub = defineSupervisor({ id: 'sub', children: [{ id: 'inner', start: inner }] });
    const started = startSupervisor(defineSupervisor({ id: 'root', children: [{ id: 'sub', start: sub }, { id: 'slow', start: slow }] }), { clock, inspect: telemetry.inspect });
    await settle();
    // sub is ready; slow is not: root's start is still open.
    let spans = otel.spanExporter.getFinishedSpans();
    expect(spans.map((s) => `${s.name} ${String(s.attributes[ATTRIBUTES.supervisor])}`)).toEqual([`${SPANS.start} root/sub`]);
    slow.ready();
    const root = await started;
    stopAfter(root);
    spans = otel.spanExporter.getFinishedSpans();
    const rootStart = named(spans, SPANS.start, 'root');
    const subStart = named(spans, SPANS.start, 'root/sub');
    expect(rootStart?.status.code).toBe(0);
    expect(rootStart?.parentSpanContext).toBeUndefined(); // a trace of its own
    expect(parentOf(subStart)).toBe(rootStart?.spanContext().spanId);
    expect(subStart?.spanContext().traceId).toBe(rootStart?.spanContext().traceId);
    // Each child's start is an event on its supervisor's start span.
    expect(rootStart?.events.map((e) => `${e.name} ${String(e.attributes?.[ATTRIBUTES.child])}`)).toEqual([`${EVENTS.started} sub`, `${EVENTS.started} slow`]);
    expect(subStart?.events.map((e) => String(e.attributes?.[ATTRIBUTES.child]))).toEqual(['inner']);
    // Attached before the start, the facts of the start are recorded too (no seeding needed).
    const initial = otel.logExporter.getFinishedLogRecords().filter((r) => r.eventName === EVENTS.started).map((r) => `${String(r.attributes[ATTRIBUTES.supervisor])}/${String(r.attributes[ATTRIBUTES.child])}`);
    expect(initial).toEqual(['root/sub/inner', 'root/sub', 'root/slow']);
    const metrics = await otel.collect();
    expect(otel.points(metrics.get(METRICS.active.name)).map(([attributes, value]) => `${String(attributes[ATTRIBUTES.child])}=${String(value)}`).sort()).toEqual(['inner=1', 'slow=1', 'sub=1']);
    expect(otel.points(metrics.get(METRICS.budgetLimit.name)).map(([attributes]) => attributes[ATTRIBUTES.supervisor]).sort()).toEqual(['root', 'root/sub']);
  });

  it('ends in error, with the StartChildError, when a child fails to start', async () => {
    const otel = inMemory();
    const { telemetry, clock } = telemetryFor(otel);
    const broken = scriptedChild({ failStarts: 'always' });
    await expect(startSupervisor(defineSupervisor({ id: 'root', children: [{ id: 'ok', start: scriptedChild() }, { id: 'broken', start: broken }] }), { clock, inspect: telemetry.inspect })).rejects.toThrow();
    const start = named(otel.spanExporter.getFinishedSpans(), SPANS.start, 'root');
    expect(start?.status.code).toBe(2);
    expect(start?.status.message).toMatch(/^StartChildError: .*broken/);
    expect(start?.events.map((e) => e.name)).toEqual([EVENTS.started, EVENTS.startFailed]);
  });

  it('a child supervisor started again by a restart starts inside that restart span', async () => {
    const otel = inMemory();
    const { telemetry, clock } = telemetryFor(otel);
    const inner = scriptedChild();
    const sub = defineSupervisor({ id: 'sub', intensity: 0, children: [{ id: 'inner', start: inner }] });
    const root = await startSupervisor(defineSupervisor({ id: 'root', intensity: 5, periodMs: 10_000, children: [{ id: 'sub', start: sub }] }), { clock, inspect: telemetry.inspect, onGiveUp: () => {} });
    stopAfter(root);
    inner.crash(); // sub gives up; root restarts sub
    await settle();
    expect(whichChildren(root)[0]?.incarnation).toBe(1);
    const spans = otel.spanExporter.getFinishedSpans();
    const restart = named(spans, SPANS.restart, 'root');
    const starts = spans.filter((s) => s.name === SPANS.start && s.attributes[ATTRIBUTES.supervisor] === 'root/sub');
    expect(starts).toHaveLength(2);
    expect(parentOf(starts[1])).toBe(restart?.spanContext().spanId);
    expect(restart?.attributes[ATTRIBUTES.child]).toBe('sub');
  });

  it('has no start span when attached to a running tree, and forwards inspection events to another observer', async () => {
    const otel = inMemory();
    const seen: string[] = [];
    const observer = createTreeObserver((fact) => seen.push(fact.type));
    const telemetry = createTelemetry({ tracerProvider: otel.tracerProvider, propagate: false, inspect: observer.inspect });
    cleanups.push(otel.shutdown, () => telemetry.close(), () => observer.unsubscribe());
    const root = await startSupervisor(defineSupervisor({ id: 'root', children: [{ id: 'a', start: scriptedChild() }] }), { inspect: telemetry.inspect });
    stopAfter(root);
    expect(seen).toEqual(['sup.child.started']);
    const late = createTelemetry(root, { tracerProvider: otel.tracerProvider, propagate: false });
    cleanups.push(() => late.close());
    expect(otel.spanExporter.getFinishedSpans().filter((s) => s.name === SPANS.start)).toHaveLength(1); // the inspected one only
    expect(() => createTelemetry({ inspect: 42 } as never)).toThrow(TelemetryOptionsError);
    expect(() => createTelemetry({ inspect: 42 } as never)).toThrow(/option 'inspect' must be an inspection observer \(an object with next\(\)\) or a function, got 42/);
  });
});

describe('trellis.supervisor.shutdown', () => {
  it('an ordinary stop: from sup.stopping to sup.stopped, a child supervisor inside its parent, children stopped inside it', async () => {
    const otel = inMemory();
    const { telemetry, clock } = telemetryFor(otel);
    const inner = scriptedChild({ ignoreStop: true });
    const sub = defineSupervisor({ id: 'sub', children: [{ id: 'inner', start: inner, shutdown: 1_000 }] });
    const root = await startSupervisor(defineSupervisor({ id: 'root', children: [{ id: 'db', start: scriptedChild() }, { id: 'sub', start: sub }] }), { clock, inspect: telemetry.inspect });
    const stopped = stopSupervisor(root, 'shutdown');
    await settle();
    // inner ignores the stop: both shutdowns are open while the supervisor waits its shutdown time.
    expect(otel.spanExporter.getFinishedSpans().filter((s) => s.name === SPANS.shutdown)).toEqual([]);
    await clock.advance(1_000);
    await stopped;
    const spans = otel.spanExporter.getFinishedSpans();
    const rootShutdown = named(spans, SPANS.shutdown, 'root');
    const subShutdown = named(spans, SPANS.shutdown, 'root/sub');
    expect(rootShutdown?.attributes[ATTRIBUTES.reason]).toBe('shutdown');
    expect(rootShutdown?.status.code).toBe(0);
    expect(rootShutdown?.parentSpanContext).toBeUndefined();
    expect(parentOf(subShutdown)).toBe(rootShutdown?.spanContext().spanId);
    expect(subShutdown?.attributes[ATTRIBUTES.reason]).toBe('shutdown'); // a parent stops a child supervisor with shutdown
    // The child supervisor's shutdown ended before its parent's.
    expect(spans.indexOf(subShutdown as ReadableSpan)).toBeLessThan(spans.indexOf(rootShutdown as ReadableSpan));
    expect(spans.filter((s) => s.name === SPANS.shutdown)).toHaveLength(2);
  });

  it('works attached to a running tree too (sup.stopping is a fact), with the exit reason asked for', async () => {
    const otel = inMemory();
    const root = await startSupervisor(defineSupervisor({ id: 'root', children: [{ id: 'db', start: scriptedChild() }] }), { clock: createTestClock() });
    const telemetry = createTelemetry(root, { tracerProvider: otel.tracerProvider, propagate: false });
    cleanups.push(otel.shutdown, () => telemetry.close());
    await stopSupervisor(root); // normal
    const shutdown = named(otel.spanExporter.getFinishedSpans(), SPANS.shutdown, 'root');
    expect(shutdown?.attributes[ATTRIBUTES.reason]).toBe('normal');
    expect(shutdown?.status.code).toBe(0);
  });
});
