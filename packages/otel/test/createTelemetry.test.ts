// createTelemetry against the SDK's in-memory exporters, on the test clock: names, units,
// attributes and counts across a scripted sequence of crashes, restarts and a give-up.
import { afterEach, describe, expect, it } from 'vitest';
import { defineSupervisor, startSupervisor, stopSupervisor, type SupervisorRef } from '@trellis/core';
import { createTestClock, scriptedChild, settle } from '@trellis/core/testing';
import { ATTRIBUTES, createTelemetry, EVENTS, METRICS, SPANS, TelemetryOptionsError, type Telemetry } from '@trellis/otel';
import { inMemory } from './inMemory.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(intensity = 2) {
  const otel = inMemory();
  const clock = createTestClock();
  const db = scriptedChild();
  const cache = scriptedChild();
  const root = await startSupervisor(
    defineSupervisor({ id: 'root', intensity, periodMs: 10_000, children: [{ id: 'db', start: db }, { id: 'cache', start: cache }] }),
    { clock },
  );
  const telemetry = createTelemetry(root, { meterProvider: otel.meterProvider, tracerProvider: otel.tracerProvider, loggerProvider: otel.loggerProvider, clock, propagate: false });
  cleanups.push(otel.shutdown, () => telemetry.close(), async () => {
    if (root.getSnapshot().status === 'active') await stopSupervisor(root);
  });
  return { otel, clock, db, cache, root: root as SupervisorRef, telemetry: telemetry as Telemetry };
}

const db = { [ATTRIBUTES.supervisor]: 'root', [ATTRIBUTES.child]: 'db', [ATTRIBUTES.kind]: 'worker' };
const cache = { [ATTRIBUTES.supervisor]: 'root', [ATTRIBUTES.child]: 'cache', [ATTRIBUTES.kind]: 'worker' };

describe('createTelemetry', () => {
  it('counts restarts, exits by reason and active children, with units and low-cardinality attributes', async () => {
    const { otel, db: dbChild } = await setup(5);
    let metrics = await otel.collect();
    expect(otel.points(metrics.get(METRICS.active.name))).toEqual(expect.arrayContaining([[db, 1], [cache, 1]]));
    dbChild.crash();
    await settle();
    dbChild.crash();
    await settle();
    metrics = await otel.collect();
    const restarts = metrics.get(METRICS.restarts.name);
    expect(restarts?.descriptor.unit).toBe('{restart}');
    expect(otel.points(restarts)).toEqual([[db, 2]]);
    expect(otel.points(metrics.get(METRICS.exits.name))).toEqual([[{ ...db, [ATTRIBUTES.reason]: 'error', [ATTRIBUTES.errorType]: 'error' }, 2]]);
    expect(otel.points(metrics.get(METRICS.active.name))).toEqual(expect.arrayContaining([[db, 1], [cache, 1]]));
    const duration = metrics.get(METRICS.startDuration.name);
    expect(duration?.descriptor.unit).toBe('s');
    expect((duration?.dataPoints[0]?.value as { count: number }).count).toBe(2);
    for (const [attributes] of [...otel.points(restarts), ...otel.points(metrics.get(METRICS.active.name))]) {
      expect(Object.keys(attributes).sort()).toEqual([ATTRIBUTES.child, ATTRIBUTES.kind, ATTRIBUTES.supervisor].sort()); // never a pid or ResumeID
    }
  });

  it('reports the restart budget in use against the intensity, and forgets restarts that left the window', async () => {
    const { otel, clock, db: dbChild } = await setup(3);
    dbChild.crash();
    await settle();
    dbChild.crash();
    await settle();
    let metrics = await otel.collect();
    expect(otel.points(metrics.get(METRICS.budgetUsed.name))).toEqual([[{ [ATTRIBUTES.supervisor]: 'root' }, 2]]);
    expect(otel.points(metrics.get(METRICS.budgetLimit.name))).toEqual([[{ [ATTRIBUTES.supervisor]: 'root' }, 3]]);
    await clock.advance(10_001);
    metrics = await otel.collect();
    expect(otel.points(metrics.get(METRICS.budgetUsed.name))).toEqual([[{ [ATTRIBUTES.supervisor]: 'root' }, 0]]);
  });

  it('times a restart from when it was due (exit plus backoff) to the next start', async () => {
    const otel = inMemory();
    const clock = createTestClock();
    const child = scriptedChild();
    const root = await startSupervisor(
      defineSupervisor({ id: 'root', intensity: 5, periodMs: 10_000, children: [{ id: 'db', start: child, backoff: { minMs: 2_000, maxMs: 2_000, factor: 1, jitter: 0, resetAfterMs: 60_000 } }] }),
      { clock },
    );
    const telemetry = createTelemetry(root, { meterProvider: otel.meterProvider, clock, propagate: false });
    cleanups.push(otel.shutdown, () => telemetry.close(), () => stopSupervisor(root).then(() => {}));
    child.crash();
    await settle();
    await clock.advance(2_000);
    await settle();
    const metrics = await otel.collect();
    expect(otel.points(metrics.get(METRICS.restarts.name))).toEqual([[db, 1]]);
    const point = metrics.get(METRICS.startDuration.name)?.dataPoints[0]?.value as { count: number; sum: number };
    expect(point.count).toBe(1);
    expect(point.sum).toBe(0); // the 2 s of backoff are the policy's, not the start's
  });

  it('OTP give-up (reached_max_restart_intensity): log records, restart spans, a shutdown span and the give-up count', async () => {
    const { otel, db: dbChild, root } = await setup(1);
    dbChild.crash();
    await settle();
    dbChild.crash(); // the second restart within the period: the supervisor gives up
    await settle();
    expect(root.getSnapshot().status).not.toBe('active');

    const events = otel.logExporter.getFinishedLogRecords().map((r) => `${r.eventName} ${String(r.attributes[ATTRIBUTES.child] ?? r.attributes[ATTRIBUTES.supervisor])}`);
    expect(events).toEqual([
      `${EVENTS.exited} db`,
      `${EVENTS.started} db`,
      `${EVENTS.exited} db`,
      `${EVENTS.gaveUp} db`,
      `${EVENTS.exited} cache`,
    ]);
    const gaveUp = otel.logExporter.getFinishedLogRecords().find((r) => r.eventName === EVENTS.gaveUp);
    expect(gaveUp?.severityText).toBe('ERROR');

    const spans = otel.spanExporter.getFinishedSpans().map((s) => ({ name: s.name, status: s.status.code, child: s.attributes[ATTRIBUTES.child] }));
    expect(spans).toEqual([
      { name: SPANS.restart, status: 0, child: 'db' },
      { name: SPANS.restart, status: 2, child: 'db' }, // ended in error: the supervisor gave up instead
      { name: SPANS.shutdown, status: 0, child: undefined },
    ]);

    const metrics = await otel.collect();
    expect(otel.points(metrics.get(METRICS.gaveUp.name))).toEqual([[{ [ATTRIBUTES.supervisor]: 'root' }, 1]]);
    expect(otel.points(metrics.get(METRICS.active.name))).toEqual(expect.arrayContaining([[db, 0], [cache, 0]]));
  });

  it('rejects an unknown option and a bad one, naming the field, the rule and the value', async () => {
    const { root } = await setup();
    expect(() => createTelemetry(root, { meterProvidr: {} } as never)).toThrow(TelemetryOptionsError);
    expect(() => createTelemetry(root, { meterProvidr: {} } as never)).toThrow(/option 'meterProvidr' is not an option: unknown key 'meterProvidr' in telemetry options — did you mean 'meterProvider'\?/);
    expect(() => createTelemetry(root, { propagate: 'yes' } as never)).toThrow(/option 'propagate' must be a boolean, got "yes"/);
    expect(() => createTelemetry(root, { startBuckets: [1, 0.5] })).toThrow(/option 'startBuckets' must be .* ascending order, got \[1, 0.5\]/);
  });
});
