// One throwaway server per test file: `const pg = usePostgres()` in a describe, then
// `pg.server.connectionString` inside the tests. Without PostgreSQL (and without
// TRELLIS_REQUIRE_SYSTEM=1) the file's tests are skipped with a warning naming the package.
import { afterAll, beforeAll } from 'vitest';
import { postgresBinDir, startPostgres, type PostgresServer } from './postgresServer.js';

export const hasPostgres = postgresBinDir() !== undefined;

export function usePostgres(): { readonly server: PostgresServer } {
  const holder: { server: PostgresServer | undefined } = { server: undefined };
  beforeAll(async () => {
    holder.server = await startPostgres();
  }, 60_000);
  afterAll(() => holder.server?.drop());
  return {
    get server(): PostgresServer {
      if (holder.server === undefined) throw new Error('PostgreSQL is not running');
      return holder.server;
    },
  };
}
