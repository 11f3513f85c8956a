// postgresHandoverStore against a real PostgreSQL server: a tree's handovers survive the
// program (an orderly stop gives `shutdown`, a program that died gives `lost`), per scope.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineSupervisor, fromWorker, startSupervisor, stopSupervisor, whichChildren, type Handover } from '@trellis/core';
import { handoverTableSql, postgresHandoverStore } from '../src/index.js';
import { hasPostgres, usePostgres } from './helpers/usePostgres.js';

describe.runIf(hasPostgres)('postgresHandoverStore', () => {
  const db = usePostgres();
  let pool: pg.Pool;
  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: db.server.connectionString, max: 4 });
    await pool.query(handoverTableSql('trellis_handover'));
  });
  afterAll(async () => {
    await pool?.end();
  });

  const program = (handovers: Handover[], store: Awaited<ReturnType<typeof postgresHandoverStore>>) =>
    startSupervisor(
      defineSupervisor({
        id: 'app',
        handoverStore: store,
        children: [
          {
            id: 'writer',
            start: fromWorker(async ({ handover, signal }) => {
              handovers.push(handover);
              await new Promise((resolve) => signal.addEventListener('abort', resolve));
            }),
          },
        ],
      }),
    );

  it('an orderly stop: the next program continues the incarnations with previousExit shutdown', async () => {
    const handovers: Handover[] = [];
    const first = await postgresHandoverStore({ pool, scope: 'orderly' });
    await stopSupervisor(await program(handovers, first));
    await first.flush();
    const second = await postgresHandoverStore({ pool, scope: 'orderly' });
    const sup = await program(handovers, second);
    expect(handovers[1]).toMatchObject({ resumeId: 'app/writer', incarnation: 1, previousExit: { reason: 'shutdown' } });
    expect(whichChildren(sup)[0]?.incarnation).toBe(1);
    await stopSupervisor(sup);
    await second.close();
  });

  it('a program that died with the child running: the next one sees lost; other scopes see nothing', async () => {
    const handovers: Handover[] = [];
    const first = await postgresHandoverStore({ pool, scope: 'died' });
    const dying = await program(handovers, first);
    await first.flush(); // the start is committed; then the "program" vanishes without a stop
    const second = await postgresHandoverStore({ pool, scope: 'died' });
    const sup = await program(handovers, second);
    expect(handovers[1]?.incarnation).toBe(1);
    expect(handovers[1]?.previousExit?.reason).toBe('lost');
    const other = await postgresHandoverStore({ pool, scope: 'someone-else' });
    expect([...other.load()]).toEqual([]);
    await stopSupervisor(sup);
    await stopSupervisor(dying);
  });

  it('a failed write is reported by flush, and bad options name the field', async () => {
    const errors: unknown[] = [];
    const store = await postgresHandoverStore({ pool, scope: 'broken', onError: (error) => errors.push(error) });
    await pool.query('ALTER TABLE trellis_handover ADD CONSTRAINT no_big CHECK (incarnation < 100)');
    try {
      store.write('x', { incarnation: 500, lastExit: null, running: true });
      await expect(store.flush()).rejects.toThrow(/no_big/);
      expect(errors).toHaveLength(1);
    } finally {
      await pool.query('ALTER TABLE trellis_handover DROP CONSTRAINT no_big');
    }
    await expect(postgresHandoverStore({ pool, scope: 'a', tabel: 'x' } as never)).rejects.toThrow(/tabel/);
    await expect(postgresHandoverStore({ pool, table: 'Bad Name' })).rejects.toThrow(/table must be a lower-case SQL identifier/);
  });
});
