/**
 * The diagnostics channel on which every lease fact is published, so telemetry (`@trellis/otel`)
 * can record lease events without depending on this package, and without a reference to the
 * `Leases` object.
 *
 * @module
 */
import { channel } from 'node:diagnostics_channel';

/**
 * The name of the `node:diagnostics_channel` on which every {@link LeaseFact} of every
 * `postgresLeases` in the process is published, as it is reported to `Leases.subscribe`
 * listeners.
 *
 * @remarks
 * `@trellis/otel` subscribes to it and turns the facts into log records
 * (`trellis.cluster.lease.acquired`, …) and metrics, without depending on `@trellis/cluster`.
 * Subscribers run synchronously inside the singleton's lease loop: keep them short. A throwing
 * subscriber does not stop a renewal (Node reports the error on the next tick).
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { subscribe, unsubscribe } from 'node:diagnostics_channel';
 * import { LEASE_CHANNEL, postgresLeases, type LeaseFact } from '@trellis/cluster';
 * const seen: string[] = [];
 * const onFact = (message: unknown): void => void seen.push((message as LeaseFact).type);
 * subscribe(LEASE_CHANNEL, onFact);
 * const leases = postgresLeases({ connectionString: 'postgres://localhost/app', holder: 'host-a' });
 * leases.emit({ type: 'cluster.lease.lost', lease: 'scheduler', holder: 'host-a', epoch: 3, cause: 'deadline', sinceConfirmedMs: 1600 });
 * unsubscribe(LEASE_CHANNEL, onFact);
 * await leases.close();
 * assert.deepEqual(seen, ['cluster.lease.lost']);
 * assert.equal(LEASE_CHANNEL, 'trellis:cluster:lease');
 * ```
 *
 * @category observability
 * @since 0.1.0
 */
export const LEASE_CHANNEL = 'trellis:cluster:lease';

/** The channel object; `hasSubscribers` keeps the publish free when nobody listens. */
export const leaseChannel = channel(LEASE_CHANNEL);
