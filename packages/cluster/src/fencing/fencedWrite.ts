/**
 * Writes that a stale lease holder cannot make: the user's statements run in one transaction with
 * a check that the fencing token is still the lease's current epoch.
 *
 * @module
 */
import type pg from 'pg';
import { unknownKeyMessage, unknownKeys } from '@trellis/core';
import { ClusterOptionsError, StaleFencingTokenError } from '../errors.js';
import { guard } from '../leases/postgresLeases.js';

/**
 * Which lease a {@link fencedWrite} is fenced by, and with which token.
 *
 * @remarks
 * `fencingToken` is the `handover.fencingToken` the child was started with (the lease's epoch).
 *
 * @example
 * ```ts
 * import type { Fence } from '@trellis/cluster';
 * const fence: Fence = { lease: 'billing', fencingToken: 7 };
 * ```
 *
 * @category commands
 * @since 0.1.0
 */
export interface Fence {
  /** The lease's name (a singleton's `lease`, by default its ResumeID). */
  readonly lease: string;
  /** The token the child was started with: `handover.fencingToken`. */
  readonly fencingToken: number;
  /** The lease table; default `trellis_leases`. */
  readonly table?: string;
}

const FENCE_KEYS = ['lease', 'fencingToken', 'table'] as const;
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}(\.[a-z_][a-z0-9_]{0,62})?$/;

/**
 * Runs `write` in a transaction that first checks, under a share lock on the lease row, that
 * `fence.fencingToken` is still the lease's epoch and the lease has not expired; otherwise
 * nothing is written and a {@link StaleFencingTokenError} is thrown.
 *
 * @remarks
 * This is what makes a lease safe against a holder paused past its lease (a GC pause, SIGSTOP, a
 * VM migration): its late write carries an old token and is refused. The share lock makes the
 * check and the write one step as far as the lease is concerned: a new holder's acquisition waits
 * until this transaction ends, so every write that commits is ordered before the next epoch. The
 * data must live in the same database as the lease table. Keep `write` short: renewals of the
 * lease wait for it too.
 *
 * @param pool - a `pg` pool (or a client not in a transaction) of the lease's database.
 * @param fence - `{ lease, fencingToken, table? }`.
 * @param write - the statements, run on the transaction's client; its result is returned.
 * @param options - `signal`: with a pool, aborting it drops the transaction's connection, so a
 *   child asked to stop is not held by a write stuck on a dead network (nothing is committed).
 *   `idleInTransactionMs` (default 1000): a holder paused in the middle of the transaction (a
 *   SIGSTOP, a GC pause) holds the share lock that a takeover waits for; the server ends its
 *   session after this long idle in the transaction, so the pause cannot block the next holder.
 * @returns what `write` returned, once committed.
 * @throws {@link StaleFencingTokenError} when the token is no longer current (rolled back);
 *   {@link ClusterOptionsError} for a bad fence; whatever `write` throws (rolled back).
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import pg from 'pg';
 * import { fencedWrite } from '@trellis/cluster';
 * const pool = new pg.Pool({ connectionString: 'postgres://localhost/app' });
 * await assert.rejects(fencedWrite(pool, { lease: 'billing', fencingToken: -1 }, async () => {}), /fencingToken/);
 * await pool.end();
 * ```
 *
 * @category commands
 * @since 0.1.0
 */
export async function fencedWrite<T>(
  pool: pg.Pool | pg.PoolClient | pg.Client,
  fence: Fence,
  write: (client: pg.PoolClient | pg.Client) => Promise<T>,
  options?: { readonly signal?: AbortSignal; readonly idleInTransactionMs?: number },
): Promise<T> {
  const where = 'fencedWrite';
  if (typeof fence !== 'object' || fence === null) throw new ClusterOptionsError(where, 'fence', 'must be an object { lease, fencingToken, table? }', fence);
  for (const key of unknownKeys(fence, FENCE_KEYS)) {
    throw new ClusterOptionsError(where, key, 'is not a known key', (fence as unknown as Record<string, unknown>)[key], unknownKeyMessage(key, where, FENCE_KEYS));
  }
  const { lease, fencingToken, table = 'trellis_leases' } = fence;
  if (typeof lease !== 'string' || lease.length === 0) throw new ClusterOptionsError(where, 'lease', 'must be a non-empty string', lease);
  if (typeof fencingToken !== 'number' || !Number.isSafeInteger(fencingToken) || fencingToken < 1)
    throw new ClusterOptionsError(where, 'fencingToken', 'must be a positive integer (handover.fencingToken)', fencingToken);
  if (typeof table !== 'string' || !IDENTIFIER.test(table))
    throw new ClusterOptionsError(where, 'table', 'must be a lower-case SQL identifier, optionally schema-qualified', table);
  if (typeof write !== 'function') throw new ClusterOptionsError(where, 'write', 'must be a function (client) => Promise', write);

  const idleInTransactionMs = options?.idleInTransactionMs ?? 1_000;
  if (typeof idleInTransactionMs !== 'number' || !Number.isSafeInteger(idleInTransactionMs) || idleInTransactionMs < 1)
    throw new ClusterOptionsError(where, 'idleInTransactionMs', 'must be a positive integer number of milliseconds', idleInTransactionMs);
  const isPool = typeof (pool as pg.Pool).totalCount === 'number';
  const signal = options?.signal;
  signal?.throwIfAborted();
  const client = isPool ? guard(await connectUnless(pool as pg.Pool, signal)) : (pool as pg.PoolClient);
  let broken: Error | undefined;
  let released = false;
  // A pooled connection can be dropped mid-statement: its pending query then fails at once.
  const onAbort = (): void => {
    if (!isPool || released) return;
    released = true;
    (client as pg.PoolClient).release(new Error('fencedWrite aborted'));
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    signal?.throwIfAborted();
    await client.query(`BEGIN; SET LOCAL idle_in_transaction_session_timeout = ${idleInTransactionMs}`);
    const check = await client.query(`SELECT 1 FROM ${table} WHERE name = $1 AND epoch = $2 AND holder IS NOT NULL AND expires_at > now() FOR SHARE`, [lease, fencingToken]);
    if (check.rowCount !== 1) throw new StaleFencingTokenError(lease, fencingToken);
    const result = await write(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    if (!released) {
      await client.query('ROLLBACK').catch((rollbackError: unknown) => {
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      });
    }
    throw error;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (isPool && !released) {
      released = true;
      (client as pg.PoolClient).release(broken);
    }
  }
}

/** A pooled connection, or the signal's reason as soon as it aborts (a late connection is released). */
async function connectUnless(pool: pg.Pool, signal: AbortSignal | undefined): Promise<pg.PoolClient> {
  const connecting = pool.connect();
  if (signal === undefined) return connecting;
  let onAbort!: () => void;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([connecting, aborted]);
  } catch (error) {
    connecting.then((client) => client.release(), () => {});
    throw error;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
