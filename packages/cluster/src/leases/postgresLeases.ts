/**
 * Leases as rows of one PostgreSQL table. A row is a lease and, in the same row, the handover of
 * the child it guards: acquire, renew, release and every handover write are single statements
 * that check the holder and the epoch, so a stale holder can change nothing.
 *
 * @module
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { ExitStatus } from '@trellis/core';
import { unknownKeyMessage, unknownKeys } from '@trellis/core';
import { ClusterOptionsError } from '../errors.js';
import type { LeaseFact } from './facts.js';
import { leaseChannel } from './leaseChannel.js';

/**
 * The handover kept in a lease row.
 *
 * @remarks
 * The last incarnation started under the lease, how the last one ended, and whether one was
 * running when the row was last written: what a singleton's next holder continues from.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import type { LeaseHandover } from '@trellis/cluster';
 * const record: LeaseHandover = { incarnation: 2, lastExit: { reason: 'shutdown', at: 0 }, running: false };
 * assert.equal(record.running, false);
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface LeaseHandover {
  /** The incarnation of the last start under this lease, or `null` before the first. */
  readonly incarnation: number | null;
  /** How the last incarnation ended, or `null`. */
  readonly lastExit: ExitStatus | null;
  /** An incarnation was running when the row was last written (its exit was never recorded). */
  readonly running: boolean;
}

/**
 * A lease held: what {@link Leases.acquire} returns when the row was taken.
 *
 * @remarks
 * `epoch` is the fencing token; `previousExit` is what the next incarnation gets as its
 * `previousExit`, computed from the handover the previous holder left.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import type { LeaseGrant } from '@trellis/cluster';
 * const grant: LeaseGrant = {
 *   name: 'scheduler', holder: 'host-a/41', epoch: 7, expiresAt: new Date(), previousHolder: 'host-b/12',
 *   handover: { incarnation: 3, lastExit: null, running: true }, previousExit: { reason: 'lost', at: 0 },
 * };
 * assert.equal(grant.previousExit?.reason, 'lost');
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface LeaseGrant {
  /** The lease's name: the row's key. */
  readonly name: string;
  /** Who holds it now: this {@link Leases}' holder id. */
  readonly holder: string;
  /** The row's epoch after this acquisition: the fencing token. */
  readonly epoch: number;
  /** When the lease expires, on the database's clock. */
  readonly expiresAt: Date;
  /** Who held it before (`null` for a new row or a released one). */
  readonly previousHolder: string | null;
  /** The handover record as the previous holder left it. */
  readonly handover: LeaseHandover;
  /**
   * The previous exit the next incarnation gets: `lost` (at the database's time of this
   * acquisition) when an incarnation was running and its exit never written (its holder died or
   * its lease expired), else the recorded exit.
   */
  readonly previousExit: ExitStatus | null;
}

/**
 * A lease row as {@link Leases.inspect} reads it.
 *
 * @remarks
 * For tools and dashboards: who holds a lease, until when (on the database's clock), and its
 * handover.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import type { LeaseRow } from '@trellis/cluster';
 * const row: LeaseRow = { name: 'scheduler', holder: null, epoch: 4, expiresAt: new Date(0), expired: true, handover: { incarnation: 3, lastExit: null, running: false } };
 * assert.equal(row.holder, null); // released
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface LeaseRow {
  /** The lease's name. */
  readonly name: string;
  /** The holder, or `null` once released. */
  readonly holder: string | null;
  /** The epoch of the last acquisition. */
  readonly epoch: number;
  /** When the lease expires (or expired), on the database's clock. */
  readonly expiresAt: Date;
  /** Whether it had expired at the database's `now()` when read. */
  readonly expired: boolean;
  /** The handover record. */
  readonly handover: LeaseHandover;
}

/**
 * The leases of one table, from {@link postgresLeases}.
 *
 * @remarks
 * {@link singleton} uses them; the operations are public for tools and for lease logic of your
 * own. Every operation is one statement that compares the row's holder and epoch.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { postgresLeases, type Leases } from '@trellis/cluster';
 * const leases: Leases = postgresLeases({ connectionString: 'postgres://127.0.0.1:1/none', holder: 'host-a' });
 * assert.equal(leases.holder, 'host-a');
 * await leases.close();
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface Leases {
  /** The table's (possibly schema-qualified) name. */
  readonly table: string;
  /** This process's holder id, written into the rows it holds. */
  readonly holder: string;
  /** The pool the statements run on: the one given, or the one made from `connectionString`. */
  readonly pool: pg.Pool;
  /** Creates the table if it does not exist ({@link leaseTableSql}). Call it at deploy or start; hosts that start at once may all call it (they take turns on an advisory lock). */
  migrate(): Promise<void>;
  /**
   * One atomic statement: takes the row `name` if it is new, released, expired or already ours;
   * increments its epoch; sets `expires_at` to the database's `now()` plus `ttlMs`; returns the
   * previous handover. `undefined` when another holder's lease is still valid.
   */
  acquire(name: string, ttlMs: number, options?: { readonly timeoutMs?: number }): Promise<LeaseGrant | undefined>;
  /** Extends a held lease to the database's `now()` plus `ttlMs`. `false` once it is lost (expired, or taken). */
  renew(grant: Pick<LeaseGrant, 'name' | 'epoch'>, ttlMs: number, options?: { readonly timeoutMs?: number }): Promise<boolean>;
  /** Writes the handover into the held row (the next holder reads it). `false` once the lease is lost. */
  writeHandover(grant: Pick<LeaseGrant, 'name' | 'epoch'>, handover: LeaseHandover, options?: { readonly timeoutMs?: number }): Promise<boolean>;
  /** Releases a held lease, writing the exit of its last incarnation, so the next holder can take it at once. */
  release(grant: Pick<LeaseGrant, 'name' | 'epoch'>, handover: LeaseHandover, options?: { readonly timeoutMs?: number }): Promise<boolean>;
  /** Reads a lease row, or `undefined` when there is none. */
  inspect(name: string): Promise<LeaseRow | undefined>;
  /** Listens to the lease facts of every singleton on these leases; returns the unsubscribe function. */
  subscribe(listener: (fact: LeaseFact) => void): () => void;
  /** Reports a fact to the listeners and on the `trellis:cluster:lease` diagnostics channel, and counts it (singletons call it). */
  emit(fact: LeaseFact): void;
  /** The lease metrics of this process so far: facts by type, and confirmed renewals. */
  counters(): LeaseCounters;
  /** Ends the pool made from `connectionString` (a pool passed in is left to its owner). */
  close(): Promise<void>;
}

/**
 * Counters of lease events in this process, from {@link Leases.counters}.
 *
 * @remarks
 * Monotonic since the leases were made: export them as counters to your metrics system (a
 * rising `lost` or `renewedLate` means the database link is too slow for the TTL).
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { postgresLeases } from '@trellis/cluster';
 * const leases = postgresLeases({ connectionString: 'postgres://127.0.0.1:1/none' });
 * leases.emit({ type: 'cluster.lease.lost', lease: 'scheduler', holder: leases.holder, epoch: 3, cause: 'deadline', sinceConfirmedMs: 1600 });
 * assert.equal(leases.counters().lost, 1);
 * await leases.close();
 * ```
 *
 * @category observability
 * @since 0.1.0
 */
export interface LeaseCounters {
  /** Leases acquired. */
  readonly acquired: number;
  /** Renewals confirmed. */
  readonly renewed: number;
  /** Renewals confirmed late (`cluster.lease.renewedLate`). */
  readonly renewedLate: number;
  /** Leases lost: children stopped by self-fencing. */
  readonly lost: number;
  /** Leases released by a graceful stop or a child's own end. */
  readonly released: number;
  /** Waits begun in standby. */
  readonly standby: number;
}

/**
 * The options of {@link postgresLeases}.
 *
 * @remarks
 * A `pool` or a `connectionString` (not both), and optionally the table, the holder id and a
 * statement timeout. An unknown key is an error naming the closest known one.
 *
 * @example
 * ```ts
 * import type { PostgresLeasesOptions } from '@trellis/cluster';
 * const options: PostgresLeasesOptions = { connectionString: 'postgres://localhost/app', table: 'ops.trellis_leases' };
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface PostgresLeasesOptions {
  /** A `pg` pool to run on; it stays the caller's (not ended by `close`). */
  readonly pool?: pg.Pool;
  /** Or a connection string: the leases make and own a small pool. */
  readonly connectionString?: string;
  /** The table, optionally schema-qualified; default `trellis_leases`. */
  readonly table?: string;
  /** This process's holder id; default `<hostname>/<pid>/<random>`. */
  readonly holder?: string;
  /** How long one statement may take before it is abandoned and its connection dropped; default 5000 ms. */
  readonly timeoutMs?: number;
}

const OPTION_KEYS = ['pool', 'connectionString', 'table', 'holder', 'timeoutMs'] as const;
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}(\.[a-z_][a-z0-9_]{0,62})?$/;

/**
 * The SQL that creates a lease table: run it in your own migrations, or call
 * {@link Leases.migrate}.
 *
 * @remarks
 * One row per lease: `name` (the key), `holder` (`NULL` once released), `epoch` (incremented on
 * every acquisition: the fencing token), `expires_at` (always from the database's `now()`), and
 * the handover: `incarnation`, `last_exit` (JSON), `running`.
 *
 * @param table - the table's name, optionally schema-qualified.
 * @returns the `CREATE TABLE IF NOT EXISTS` statement.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { leaseTableSql } from '@trellis/cluster';
 * assert.match(leaseTableSql('trellis_leases'), /CREATE TABLE IF NOT EXISTS trellis_leases/);
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export function leaseTableSql(table: string): string {
  checkTable('leaseTableSql', table);
  return `CREATE TABLE IF NOT EXISTS ${table} (
  name text PRIMARY KEY,
  holder text,
  epoch bigint NOT NULL DEFAULT 0,
  expires_at timestamptz NOT NULL,
  acquired_at timestamptz,
  renewed_at timestamptz,
  previous_holder text,
  incarnation integer,
  last_exit jsonb,
  running boolean NOT NULL DEFAULT false
)`;
}

function checkTable(where: string, table: unknown): asserts table is string {
  if (typeof table !== 'string' || !IDENTIFIER.test(table))
    throw new ClusterOptionsError(where, 'table', 'must be a lower-case SQL identifier, optionally schema-qualified (e.g. trellis_leases, ops.leases)', table);
}

function checkName(where: string, name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.length === 0) throw new ClusterOptionsError(where, 'name', 'must be a non-empty string', name);
}

function checkTtl(where: string, ttlMs: unknown): asserts ttlMs is number {
  if (typeof ttlMs !== 'number' || !Number.isFinite(ttlMs) || ttlMs < 1) throw new ClusterOptionsError(where, 'ttlMs', 'must be a number of milliseconds of at least 1', ttlMs);
}

/**
 * Leases and their handovers in a PostgreSQL table, for {@link singleton}.
 *
 * @remarks
 * Every lease operation is one statement that compares the row's holder and epoch, and every
 * time in the row comes from the database's clock, never a host's. The table is not created
 * behind your back: call {@link Leases.migrate} (or run {@link leaseTableSql} in your migrations)
 * before the first acquire. A statement that takes longer than `timeoutMs` (a blackholed
 * connection) is abandoned and its connection destroyed, so a dead network is a failed renewal,
 * not a hang.
 *
 * @param options - `pool` or `connectionString`, `table` (default `trellis_leases`), `holder`, `timeoutMs`.
 * @returns the leases.
 * @throws {@link ClusterOptionsError} naming a bad or unknown option.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { postgresLeases } from '@trellis/cluster';
 * const leases = postgresLeases({ connectionString: 'postgres://127.0.0.1:1/none', table: 'ops.leases' });
 * assert.equal(leases.table, 'ops.leases');
 * assert.throws(() => postgresLeases({ connectionString: 'postgres://x', tabel: 'leases' } as never), /tabel/);
 * await leases.close();
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export function postgresLeases(options: PostgresLeasesOptions): Leases {
  const where = 'postgresLeases';
  if (typeof options !== 'object' || options === null) throw new ClusterOptionsError(where, 'options', 'must be an object { pool | connectionString, table?, holder?, timeoutMs? }', options);
  for (const key of unknownKeys(options, OPTION_KEYS)) {
    throw new ClusterOptionsError(where, key, 'is not a known key', (options as unknown as Record<string, unknown>)[key], unknownKeyMessage(key, where, OPTION_KEYS));
  }
  const { pool: given, connectionString, table = 'trellis_leases', holder = `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`, timeoutMs = 5_000 } = options;
  if ((given === undefined) === (connectionString === undefined))
    throw new ClusterOptionsError(where, 'pool', 'or connectionString must be given, and not both', { pool: given === undefined ? undefined : 'a pool', connectionString });
  if (given !== undefined && (typeof given !== 'object' || typeof (given as pg.Pool).connect !== 'function'))
    throw new ClusterOptionsError(where, 'pool', 'must be a pg Pool', given);
  if (connectionString !== undefined && (typeof connectionString !== 'string' || connectionString.length === 0))
    throw new ClusterOptionsError(where, 'connectionString', 'must be a non-empty string', connectionString);
  checkTable(where, table);
  if (typeof holder !== 'string' || holder.length === 0) throw new ClusterOptionsError(where, 'holder', 'must be a non-empty string', holder);
  if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0)
    throw new ClusterOptionsError(where, 'timeoutMs', 'must be a positive number of milliseconds', timeoutMs);

  const owned = given === undefined;
  const pool =
    given ??
    new pg.Pool({ connectionString, max: 10, connectionTimeoutMillis: timeoutMs, idleTimeoutMillis: 10_000, allowExitOnIdle: true });
  // A pool we made is ours to guard: an idle connection dropped by a restarted server must not
  // crash the program (pg emits 'error' on the pool). A pool passed in is its owner's.
  if (owned) pool.on('error', () => {});
  const listeners = new Set<(fact: LeaseFact) => void>();
  const counts = { acquired: 0, renewed: 0, renewedLate: 0, lost: 0, released: 0, standby: 0 };
  const run = (sql: string, params: unknown[], ms = timeoutMs) => query(pool, sql, params, ms);

  const acquireSql = `INSERT INTO ${table} AS l (name, holder, epoch, expires_at, acquired_at, renewed_at)
VALUES ($1, $2, 1, now() + make_interval(secs => $3::float8 / 1000), now(), now())
ON CONFLICT (name) DO UPDATE SET
  holder = EXCLUDED.holder, epoch = l.epoch + 1, expires_at = EXCLUDED.expires_at,
  acquired_at = now(), renewed_at = now(), previous_holder = l.holder
WHERE l.holder IS NULL OR l.expires_at <= now() OR l.holder = EXCLUDED.holder
RETURNING epoch, expires_at, previous_holder, incarnation, last_exit, running, (extract(epoch from now()) * 1000)::float8 AS db_now_ms`;

  return {
    table,
    holder,
    pool,
    async migrate() {
      // Two hosts starting at once both run CREATE TABLE IF NOT EXISTS, and PostgreSQL can then
      // fail one of them on its catalog's unique index (pg_type): IF NOT EXISTS is not atomic.
      // A transaction-scoped advisory lock on the table's name makes the migrations take turns.
      // One simple-protocol query, so an error releases (and drops) the connection mid-transaction.
      await run(`BEGIN; SELECT pg_advisory_xact_lock(hashtext('trellis.migrate:${table}')); ${leaseTableSql(table)}; COMMIT`, []);
    },
    async acquire(name, ttlMs, callOptions) {
      checkName('acquire', name);
      checkTtl('acquire', ttlMs);
      const result = await run(acquireSql, [name, holder, ttlMs], callOptions?.timeoutMs);
      const row = result.rows[0];
      if (row === undefined) return undefined;
      const handover = handoverOf(row);
      const previousExit: ExitStatus | null = handover.running ? { reason: 'lost', at: Math.round(Number(row.db_now_ms)) } : handover.lastExit;
      return { name, holder, epoch: Number(row.epoch), expiresAt: row.expires_at as Date, previousHolder: (row.previous_holder as string | null) ?? null, handover, previousExit };
    },
    async renew(grant, ttlMs, callOptions) {
      const result = await run(
        `UPDATE ${table} SET expires_at = now() + make_interval(secs => $4::float8 / 1000), renewed_at = now()
WHERE name = $1 AND holder = $2 AND epoch = $3 AND expires_at > now()`,
        [grant.name, holder, grant.epoch, ttlMs],
        callOptions?.timeoutMs,
      );
      if (result.rowCount === 1) counts.renewed++;
      return result.rowCount === 1;
    },
    async writeHandover(grant, handover, callOptions) {
      const result = await run(
        `UPDATE ${table} SET incarnation = $4, last_exit = $5::jsonb, running = $6
WHERE name = $1 AND holder = $2 AND epoch = $3 AND expires_at > now()`,
        [grant.name, holder, grant.epoch, handover.incarnation, JSON.stringify(handover.lastExit), handover.running],
        callOptions?.timeoutMs,
      );
      return result.rowCount === 1;
    },
    async release(grant, handover, callOptions) {
      const result = await run(
        `UPDATE ${table} SET holder = NULL, expires_at = now(), incarnation = $4, last_exit = $5::jsonb, running = $6
WHERE name = $1 AND holder = $2 AND epoch = $3`,
        [grant.name, holder, grant.epoch, handover.incarnation, JSON.stringify(handover.lastExit), handover.running],
        callOptions?.timeoutMs,
      );
      return result.rowCount === 1;
    },
    async inspect(name) {
      const result = await run(`SELECT name, holder, epoch, expires_at, expires_at <= now() AS expired, incarnation, last_exit, running FROM ${table} WHERE name = $1`, [name]);
      const row = result.rows[0];
      if (row === undefined) return undefined;
      return { name, holder: row.holder ?? null, epoch: Number(row.epoch), expiresAt: row.expires_at, expired: row.expired === true, handover: handoverOf(row) };
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    emit(fact) {
      const key = fact.type.slice('cluster.lease.'.length) as keyof typeof counts;
      if (key in counts) counts[key]++;
      for (const listener of listeners) {
        try {
          listener(fact);
        } catch {
          // A listener's bug must not stop a renewal.
        }
      }
      if (leaseChannel.hasSubscribers) leaseChannel.publish(fact);
    },
    counters: () => ({ ...counts }),
    async close() {
      if (owned) await pool.end();
    },
  };
}

function handoverOf(row: Record<string, unknown>): LeaseHandover {
  return {
    incarnation: row.incarnation === null || row.incarnation === undefined ? null : Number(row.incarnation),
    lastExit: (row.last_exit as ExitStatus | null) ?? null,
    running: row.running === true,
  };
}

/**
 * One statement on its own connection, abandoned after `timeoutMs`: the connection is then
 * destroyed, so a blackholed socket cannot hold a later statement, and a late answer goes nowhere.
 */
export async function query(pool: pg.Pool, sql: string, params: unknown[], timeoutMs: number): Promise<pg.QueryResult> {
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timedOut = true;
      reject(new Error(`statement abandoned after ${timeoutMs} ms`));
    }, timeoutMs);
  });
  const connecting = pool.connect();
  let connected = false;
  try {
    const client = guard(await Promise.race([connecting, timeout]));
    connected = true;
    try {
      const result = await Promise.race([client.query(sql, params), timeout]);
      client.release();
      return result;
    } catch (error) {
      client.release(error instanceof Error ? error : new Error(String(error)));
      throw error;
    }
  } catch (error) {
    // Timed out while waiting for a connection: release it whenever it comes.
    if (timedOut && !connected) connecting.then((client) => client.release(new Error('abandoned')), () => {});
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

const GUARDED = Symbol('trellis.cluster.guarded');

/**
 * A checked-out connection that dies (a restarted server, a cut network) emits 'error' on its
 * client, and pg's pool listens only while the client is idle: without a listener of our own the
 * program would crash. The statement in flight fails anyway, and that is how we learn of it.
 */
export function guard<C extends pg.ClientBase>(client: C): C {
  const marked = client as C & { [GUARDED]?: true };
  if (marked[GUARDED] !== true) {
    client.on('error', () => {});
    marked[GUARDED] = true;
  }
  return client;
}
