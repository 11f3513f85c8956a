/**
 * The durable handover store of `@trellis/core` on PostgreSQL, so a tree's handovers outlive the
 * program and the host.
 *
 * @module
 */
import pg from 'pg';
import { unknownKeyMessage, unknownKeys, type HandoverEntry, type HandoverStore } from '@trellis/core';
import { ClusterOptionsError } from '../errors.js';
import { guard } from '../leases/postgresLeases.js';

/**
 * The options of {@link postgresHandoverStore}.
 *
 * @remarks
 * A `pool` or a `connectionString` (not both); `scope` keeps several programs' entries apart in
 * one table.
 *
 * @example
 * ```ts
 * import type { PostgresHandoverStoreOptions } from '@trellis/cluster';
 * const options: PostgresHandoverStoreOptions = { connectionString: 'postgres://localhost/app', scope: 'billing-service' };
 * ```
 *
 * @category handover
 * @since 0.1.0
 */
export interface PostgresHandoverStoreOptions {
  /** A `pg` pool; it stays the caller's. */
  readonly pool?: pg.Pool;
  /** Or a connection string: the store makes and owns a small pool. */
  readonly connectionString?: string;
  /** The table, optionally schema-qualified; default `trellis_handover`. */
  readonly table?: string;
  /** Which tree's entries: several programs can share one table under different scopes. Default `'default'`. */
  readonly scope?: string;
  /** Called with the error of a write that failed (the store keeps going). Default: none; {@link PostgresHandoverStore.flush} rejects with it. */
  readonly onError?: (error: unknown) => void;
}

/**
 * A `HandoverStore` on PostgreSQL, from {@link postgresHandoverStore}.
 *
 * @remarks
 * Writes are committed in order in the background; `flush` waits for them.
 *
 * @example
 * ```ts
 * import type { PostgresHandoverStore } from '@trellis/cluster';
 * const flushAll = (store: PostgresHandoverStore) => store.flush();
 * ```
 *
 * @category handover
 * @since 0.1.0
 */
export interface PostgresHandoverStore extends HandoverStore {
  /** Resolves once every write made so far is committed; rejects with the first failed one. */
  flush(): Promise<void>;
  /** Flushes, then ends the pool made from `connectionString`. */
  close(): Promise<void>;
}

const OPTION_KEYS = ['pool', 'connectionString', 'table', 'scope', 'onError'] as const;
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}(\.[a-z_][a-z0-9_]{0,62})?$/;

/**
 * The SQL that creates a handover table for {@link postgresHandoverStore}.
 *
 * @remarks
 * Run it in your own migrations, or once by hand, before the first start: the store never creates
 * a table behind your back. One row per scope and ResumeID.
 *
 * @param table - the table's name, optionally schema-qualified.
 * @returns the `CREATE TABLE IF NOT EXISTS` statement.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { handoverTableSql } from '@trellis/cluster';
 * assert.match(handoverTableSql('trellis_handover'), /PRIMARY KEY \(scope, resume_id\)/);
 * ```
 *
 * @category handover
 * @since 0.1.0
 */
export function handoverTableSql(table: string): string {
  if (typeof table !== 'string' || !IDENTIFIER.test(table))
    throw new ClusterOptionsError('handoverTableSql', 'table', 'must be a lower-case SQL identifier, optionally schema-qualified', table);
  return `CREATE TABLE IF NOT EXISTS ${table} (
  scope text NOT NULL,
  resume_id text NOT NULL,
  incarnation integer NOT NULL,
  last_exit jsonb,
  running boolean NOT NULL,
  written_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (scope, resume_id)
)`;
}

/**
 * Loads a tree's handovers from PostgreSQL and returns a store for the root's `handoverStore`.
 *
 * @remarks
 * `HandoverStore` is synchronous, so the entries are read once, here, and every write is queued
 * and committed in order in the background: a program that dies within milliseconds of a start
 * may lose that write (the file store `fsync`s each one instead). Await {@link
 * PostgresHandoverStore.flush} where it matters, and always before the program ends. The table
 * must exist ({@link handoverTableSql}). For one child that runs on one host of many, use
 * {@link singleton}, whose lease row carries the handover.
 *
 * @param options - `pool` or `connectionString`, `table` (default `trellis_handover`), `scope`, `onError`.
 * @returns the store, with the scope's entries loaded.
 * @throws {@link ClusterOptionsError} for a bad option; the database's error when the table cannot be read.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { postgresHandoverStore } from '@trellis/cluster';
 * await assert.rejects(postgresHandoverStore({ connectionString: 'postgres://localhost/app', scope: '' }), /scope must be a non-empty string/);
 * ```
 *
 * @category handover
 * @since 0.1.0
 */
export async function postgresHandoverStore(options: PostgresHandoverStoreOptions): Promise<PostgresHandoverStore> {
  const where = 'postgresHandoverStore';
  if (typeof options !== 'object' || options === null) throw new ClusterOptionsError(where, 'options', 'must be an object { pool | connectionString, table?, scope?, onError? }', options);
  for (const key of unknownKeys(options, OPTION_KEYS)) {
    throw new ClusterOptionsError(where, key, 'is not a known key', (options as unknown as Record<string, unknown>)[key], unknownKeyMessage(key, where, OPTION_KEYS));
  }
  const { pool: given, connectionString, table = 'trellis_handover', scope = 'default', onError } = options;
  if ((given === undefined) === (connectionString === undefined))
    throw new ClusterOptionsError(where, 'pool', 'or connectionString must be given, and not both', { pool: given === undefined ? undefined : 'a pool', connectionString });
  if (typeof table !== 'string' || !IDENTIFIER.test(table)) throw new ClusterOptionsError(where, 'table', 'must be a lower-case SQL identifier, optionally schema-qualified', table);
  if (typeof scope !== 'string' || scope.length === 0) throw new ClusterOptionsError(where, 'scope', 'must be a non-empty string', scope);
  if (onError !== undefined && typeof onError !== 'function') throw new ClusterOptionsError(where, 'onError', 'must be a function', onError);
  const owned = given === undefined;
  const pool = given ?? new pg.Pool({ connectionString, max: 2, allowExitOnIdle: true });
  if (owned) pool.on('error', () => {});

  const { rows } = await pool.query(`SELECT resume_id, incarnation, last_exit, running FROM ${table} WHERE scope = $1`, [scope]);
  const loaded: Array<[string, HandoverEntry]> = rows.map((row) => [
    row.resume_id as string,
    { incarnation: Number(row.incarnation), lastExit: row.last_exit ?? null, running: row.running === true },
  ]);
  let queue: Promise<void> = Promise.resolve();
  let failure: unknown;
  const enqueue = (sql: string, params: unknown[]): void => {
    queue = queue.then(async () => {
      try {
        const client = guard(await pool.connect());
        try {
          await client.query(sql, params);
        } finally {
          client.release();
        }
      } catch (error) {
        failure ??= error;
        onError?.(error);
      }
    });
  };
  return {
    load: () => loaded,
    write(resumeId, entry) {
      enqueue(
        `INSERT INTO ${table} (scope, resume_id, incarnation, last_exit, running, written_at) VALUES ($1, $2, $3, $4::jsonb, $5, now())
ON CONFLICT (scope, resume_id) DO UPDATE SET incarnation = EXCLUDED.incarnation, last_exit = EXCLUDED.last_exit, running = EXCLUDED.running, written_at = now()`,
        [scope, resumeId, entry.incarnation, JSON.stringify(entry.lastExit), entry.running],
      );
    },
    delete(resumeId) {
      enqueue(`DELETE FROM ${table} WHERE scope = $1 AND resume_id = $2`, [scope, resumeId]);
    },
    async flush() {
      await queue;
      if (failure !== undefined) {
        const error = failure;
        failure = undefined;
        throw error;
      }
    },
    async close() {
      await queue;
      if (owned) await pool.end();
    },
  };
}
