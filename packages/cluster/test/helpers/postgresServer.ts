// A throwaway PostgreSQL server for the tests: initdb in a fresh temporary directory, started with
// pg_ctl on 127.0.0.1 and a free port, removed afterwards. Postgres refuses to run as root, so
// when the tests run as root (CI, this machine) every server command runs as the `postgres` user
// through runuser. Debian's packages put the binaries in /usr/lib/postgresql/<major>/bin, off PATH.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBinary, systemBinary } from '../../../../scripts/system/systemBinary.mjs';

export interface PostgresServer {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` */
  readonly connectionString: string;
  readonly port: number;
  /** pg_ctl stop -m fast, then start again on the same port and data (the database restarted). */
  restart(): void;
  stop(): void;
  /** Stops the server and removes its directory. */
  drop(): void;
}

function binDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  let majors: string[] = [];
  try {
    majors = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  } catch {
    // not installed
  }
  const candidates = majors.map((major) => join(root, major, 'bin', 'pg_ctl'));
  const found = findBinary([...candidates, 'pg_ctl']);
  return found === undefined ? undefined : join(found, '..');
}

/** The directory of initdb/pg_ctl, or `undefined` (skip) — throws under TRELLIS_REQUIRE_SYSTEM=1. */
export function postgresBinDir(): string | undefined {
  const dir = binDir();
  if (dir !== undefined) return dir;
  systemBinary('PostgreSQL', ['/usr/lib/postgresql/15/bin/pg_ctl', 'pg_ctl'], 'postgresql');
  return undefined;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function run(bin: string, args: string[]): void {
  const command = asRoot ? 'runuser' : bin;
  const argv = asRoot ? ['-u', 'postgres', '--', bin, ...args] : args;
  execFileSync(command, argv, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
}

/**
 * Starts a fresh server; `undefined` when PostgreSQL is not installed (and not required). Tests
 * run with fsync off (a throwaway server: durability across a power cut is not under test); the
 * throughput bench turns it on.
 */
export async function startPostgres(options: { readonly fsync?: boolean } = {}): Promise<PostgresServer | undefined> {
  const bin = postgresBinDir();
  if (bin === undefined) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'trellis-pg-'));
  chmodSync(dir, 0o777);
  const data = join(dir, 'data');
  if (asRoot) execFileSync('chown', ['postgres:postgres', dir]);
  run(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  const serverOptions = `-c listen_addresses=127.0.0.1 -c port=${port} -k ${dir} -c fsync=${options.fsync === true ? 'on' : 'off'} -c max_connections=200`;
  const start = (): void => run(join(bin, 'pg_ctl'), ['-D', data, '-o', serverOptions, '-l', join(dir, 'log'), '-w', '-t', '30', 'start']);
  const stop = (): void => {
    try {
      run(join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', '-t', '30', 'stop']);
    } catch {
      // already stopped
    }
  };
  start();
  let dropped = false;
  return {
    connectionString: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    restart() {
      stop();
      start();
    },
    stop,
    drop() {
      if (dropped) return;
      dropped = true;
      stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
