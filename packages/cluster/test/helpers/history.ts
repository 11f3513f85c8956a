// The invariant checker over the fenced writes of the fault tests: in commit order (the bigserial
// id is taken inside the write's transaction, under the lease row's share lock), the token never
// goes back, and every token belongs to exactly one holder, so no two holders' writes interleave.
import type pg from 'pg';
import { expect } from 'vitest';

/** The lease table and the `history` table the hosts' fenced writes go to. */
export async function createTables(pool: pg.Pool): Promise<void> {
  await pool.query(`CREATE TABLE IF NOT EXISTS trellis_leases (
    name text PRIMARY KEY, holder text, epoch bigint NOT NULL DEFAULT 0, expires_at timestamptz NOT NULL,
    acquired_at timestamptz, renewed_at timestamptz, previous_holder text, incarnation integer, last_exit jsonb, running boolean NOT NULL DEFAULT false)`);
  await pool.query('CREATE TABLE IF NOT EXISTS history (id bigserial PRIMARY KEY, lease text, token bigint, holder text, seq integer, at timestamptz DEFAULT clock_timestamp())');
}

export async function checkHistory(pool: pg.Pool, lease: string, expected: { holders?: string[] } = {}): Promise<{ writes: number; tokens: number[] }> {
  const { rows } = await pool.query<{ id: string; token: string; holder: string }>('SELECT id, token, holder FROM history WHERE lease = $1 ORDER BY id', [lease]);
  const violations: string[] = [];
  const holderOf = new Map<number, string>();
  let last = 0;
  for (const row of rows) {
    const token = Number(row.token);
    if (token < last) violations.push(`write ${row.id} by ${row.holder} has token ${token} after token ${last}`);
    last = Math.max(last, token);
    const owner = holderOf.get(token);
    if (owner !== undefined && owner !== row.holder) violations.push(`token ${token} written by ${owner} and ${row.holder}`);
    holderOf.set(token, row.holder);
  }
  expect(violations).toEqual([]);
  expect(rows.length).toBeGreaterThan(0);
  if (expected.holders !== undefined) expect([...new Set(rows.map((r) => r.holder))].sort()).toEqual([...expected.holders].sort());
  return { writes: rows.length, tokens: [...holderOf.keys()] };
}
