/**
 * The errors `@trellis/cluster` throws: a caller's mistake in its options, and a fenced write
 * refused because its token is no longer current. A lost lease is not an error: it is a fact.
 *
 * @module
 */

/**
 * A caller's mistake in the options of {@link postgresLeases}, {@link singleton},
 * {@link fencedWrite} or {@link postgresHandoverStore}: names the field, the rule and the value.
 *
 * @remarks
 * `code` is always `'invalid_cluster_options'`. An unknown key is an error too, naming the closest
 * known key (decision 0009).
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { ClusterOptionsError, postgresLeases } from '@trellis/cluster';
 * assert.throws(
 *   () => postgresLeases({ connectionString: 'postgres://localhost/app', table: 'drop table x' }),
 *   (error: unknown) => error instanceof ClusterOptionsError && error.field === 'table',
 * );
 * ```
 *
 * @category errors
 * @since 0.1.0
 */
export class ClusterOptionsError extends Error {
  /** Always `'ClusterOptionsError'`. */
  override readonly name = 'ClusterOptionsError';
  /** Always `'invalid_cluster_options'`. */
  readonly code = 'invalid_cluster_options' as const;
  /** The option that broke its rule, dotted for nested options. */
  readonly field: string;
  /** The rule, as a clause. */
  readonly rule: string;
  /** What was given. */
  readonly value: unknown;

  /**
   * @param where - the function or spec, e.g. `singleton 'scheduler'`.
   * @param field - the option.
   * @param rule - the rule it breaks, as a clause.
   * @param value - what was given.
   * @param message - the whole message, when `field rule, got value` does not fit.
   */
  constructor(where: string, field: string, rule: string, value: unknown, message?: string) {
    super(message ?? `${where}: ${field} ${rule}, got ${describe(value)}.`);
    this.field = field;
    this.rule = rule;
    this.value = value;
  }
}

/**
 * A fenced write refused because its fencing token is no longer current.
 *
 * @remarks
 * The token is no longer the lease's current epoch, or the lease has expired or been released;
 * the user's statements were rolled back. `code` is always `'stale_fencing_token'`. Thrown by {@link fencedWrite}: a holder that was paused
 * past its lease (a GC pause, SIGSTOP) and writes on resume gets this instead of overwriting the
 * work of the holder that took over.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { StaleFencingTokenError } from '@trellis/cluster';
 * const error = new StaleFencingTokenError('billing', 3);
 * assert.equal(error.code, 'stale_fencing_token');
 * assert.match(error.message, /token 3/);
 * ```
 *
 * @category errors
 * @since 0.1.0
 */
export class StaleFencingTokenError extends Error {
  /** Always `'StaleFencingTokenError'`. */
  override readonly name = 'StaleFencingTokenError';
  /** Always `'stale_fencing_token'`. */
  readonly code = 'stale_fencing_token' as const;
  /** The lease's name. */
  readonly lease: string;
  /** The refused token. */
  readonly fencingToken: number;

  /**
   * @param lease - the lease's name.
   * @param fencingToken - the token the write carried.
   */
  constructor(lease: string, fencingToken: number) {
    super(`fenced write on lease '${lease}' refused: token ${fencingToken} is no longer current (another holder took over, or the lease expired); the statement was rolled back.`);
    this.lease = lease;
    this.fencingToken = fencingToken;
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
