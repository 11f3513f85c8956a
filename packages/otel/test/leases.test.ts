// Lease events from @trellis/cluster: its postgresLeases publishes every fact on the diagnostics
// channel trellis:cluster:lease, and createTelemetry turns them into log records with event names
// and lease metrics, without depending on the cluster package at run time (only this test does).
import { afterEach, describe, expect, it } from 'vitest';
import { postgresLeases, type LeaseFact } from '@trellis/cluster';
import { ATTRIBUTES, createTelemetry, EVENTS, METRICS } from '@trellis/otel';
import { inMemory } from './inMemory.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function setup() {
  const otel = inMemory();
  const telemetry = createTelemetry({ meterProvider: otel.meterProvider, tracerProvider: otel.tracerProvider, loggerProvider: otel.loggerProvider, propagate: false });
  // No server is contacted: emit() is what a singleton calls on each lease transition.
  const leases = postgresLeases({ connectionString: 'postgres://127.0.0.1:1/none', holder: 'host-a' });
  cleanups.push(otel.shutdown, () => telemetry.close(), () => leases.close());
  const emit = (fact: Omit<LeaseFact, 'holder'>): void => leases.emit({ ...fact, holder: 'host-a' } as LeaseFact);
  return { otel, telemetry, emit };
}

describe('cluster lease events', () => {
  it('acquired, renewed late, lost and released become log records with event names, and leases held, lost and renewed late are counted', async () => {
    const { otel, emit } = setup();
    emit({ type: 'cluster.lease.standby', lease: 'scheduler', heldBy: 'host-b' });
    emit({ type: 'cluster.lease.acquired', lease: 'scheduler', epoch: 4, previousHolder: 'host-b', incarnation: 2 });
    emit({ type: 'cluster.lease.acquired', lease: 'billing', epoch: 1, previousHolder: null, incarnation: 0 });
    emit({ type: 'cluster.lease.renewedLate', lease: 'scheduler', epoch: 4, sinceConfirmedMs: 1_200 });
    emit({ type: 'cluster.lease.lost', lease: 'scheduler', epoch: 4, cause: 'deadline', sinceConfirmedMs: 1_600 });
    emit({ type: 'cluster.lease.released', lease: 'scheduler', epoch: 4, written: false }); // after the loss: not counted twice

    const records = otel.logExporter.getFinishedLogRecords();
    expect(records.map((r) => [r.eventName, r.severityText])).toEqual([
      [EVENTS.leaseAcquired, 'INFO'],
      [EVENTS.leaseAcquired, 'INFO'],
      [EVENTS.leaseRenewedLate, 'WARN'],
      [EVENTS.leaseLost, 'WARN'],
      [EVENTS.leaseReleased, 'INFO'],
    ]);
    expect(records[3]!.attributes).toEqual({
      [ATTRIBUTES.leaseName]: 'scheduler',
      [ATTRIBUTES.leaseHolder]: 'host-a',
      [ATTRIBUTES.leaseEpoch]: 4,
      [ATTRIBUTES.leaseCause]: 'deadline',
    });
    expect(String(records[0]!.body)).toBe('lease scheduler acquired at epoch 4 (previous holder host-b)');

    const metrics = await otel.collect();
    expect(otel.points(metrics.get(METRICS.leasesHeld.name))).toEqual([
      [{ [ATTRIBUTES.leaseName]: 'scheduler' }, 0],
      [{ [ATTRIBUTES.leaseName]: 'billing' }, 1],
    ]);
    expect(metrics.get(METRICS.leasesHeld.name)?.descriptor.unit).toBe('{lease}');
    expect(otel.points(metrics.get(METRICS.leasesLost.name))).toEqual([[{ [ATTRIBUTES.leaseName]: 'scheduler', [ATTRIBUTES.leaseCause]: 'deadline' }, 1]]);
    expect(otel.points(metrics.get(METRICS.leasesRenewedLate.name))).toEqual([[{ [ATTRIBUTES.leaseName]: 'scheduler' }, 1]]);
  });

  it('a graceful release lets the lease go; nothing is recorded after close()', async () => {
    const { otel, telemetry, emit } = setup();
    emit({ type: 'cluster.lease.acquired', lease: 'scheduler', epoch: 1, previousHolder: null, incarnation: 0 });
    emit({ type: 'cluster.lease.released', lease: 'scheduler', epoch: 1, written: true });
    telemetry.close();
    emit({ type: 'cluster.lease.acquired', lease: 'scheduler', epoch: 2, previousHolder: null, incarnation: 1 });
    expect(otel.logExporter.getFinishedLogRecords().map((r) => r.eventName)).toEqual([EVENTS.leaseAcquired, EVENTS.leaseReleased]);
    expect(otel.points((await otel.collect()).get(METRICS.leasesHeld.name))).toEqual([[{ [ATTRIBUTES.leaseName]: 'scheduler' }, 0]]);
  });
});
