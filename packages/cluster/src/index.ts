/**
 * `@trellis/cluster`: cluster-singleton children on PostgreSQL. A child runs on exactly one host
 * of a cluster at a time, under a lease row whose epoch is a fencing token and which carries the
 * child's handover to the next host.
 *
 * @module
 */
export { ClusterOptionsError, StaleFencingTokenError } from './errors.js';
export type { LeaseFact } from './leases/facts.js';
export { LEASE_CHANNEL } from './leases/leaseChannel.js';
export {
  leaseTableSql,
  postgresLeases,
  type LeaseCounters,
  type LeaseGrant,
  type LeaseHandover,
  type LeaseRow,
  type Leases,
  type PostgresLeasesOptions,
} from './leases/postgresLeases.js';
export { singleton, singletonStatus, type SingletonOptions, type SingletonStatus } from './singleton/singleton.js';
export { fencedWrite, type Fence } from './fencing/fencedWrite.js';
export {
  handoverTableSql,
  postgresHandoverStore,
  type PostgresHandoverStore,
  type PostgresHandoverStoreOptions,
} from './handover/postgresHandoverStore.js';
