// The invariant checker over the fenced writes of the fault tests: in commit order (the bigserial
// id is taken inside the write's transaction, under the lease row's share lock), the token never
// goes back, and every token belongs to exactly one holder, so no two holders' writes interleave.
import type pg from 'pg';
import { expect } from 'vitest';

export async function checkHistory(pool: pg.Pool, lease: string, expected: { holders: string[] }): Promise<{ writes: number; tokens: number[] }> {
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
  expect([...new Set(rows.map((r) => r.holder))].sort()).toEqual([...expected.holders].sort());
  return { writes: rows.length, tokens: [...holderOf.keys()] };
}
