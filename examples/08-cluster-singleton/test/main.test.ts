// Smoke: the demo runs as a program against a throwaway PostgreSQL (skipped without one, unless
// TRELLIS_REQUIRE_SYSTEM=1, as in CI): the standby takes over after the SIGKILL with the handover.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { postgresBinDir } from '../../../packages/cluster/test/helpers/postgresServer.js';

it.runIf(postgresBinDir() !== undefined)('two hosts: one runs the scheduler, the other takes over after a SIGKILL with the handover', () => {
  const cwd = fileURLToPath(new URL('..', import.meta.url));
  const { DATABASE_URL: _ignored, ...env } = process.env;
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd, env, encoding: 'utf8', timeout: 60_000 });
  expect(result.status, result.stderr).toBe(0);
  const running = result.stdout.split('\n').filter((line) => line.includes('scheduler running'));
  expect(running).toHaveLength(2);
  expect(running[0]).toContain('resumeId=scheduler incarnation=0 previousExit=none fencingToken=1');
  expect(running[1]).toContain('resumeId=scheduler incarnation=1 previousExit=lost fencingToken=2');
  expect(running[0]!.slice(0, 3)).not.toBe(running[1]!.slice(0, 3)); // on the other host
  // whichChildren's subStatus, as each host prints it: the holder active under each token, the
  // other standing by naming the holder.
  const holderHost = running[0]!.slice(1, 2);
  const standbyHost = running[1]!.slice(1, 2);
  expect(result.stdout).toContain(`[${holderHost}] status active (fencing token 1)`);
  expect(result.stdout).toContain(`[${standbyHost}] status standby (lease held by host-${holderHost})`);
  expect(result.stdout).toContain(`[${standbyHost}] status active (fencing token 2)`);
  expect(result.stdout).not.toContain(`[${standbyHost}] status active (fencing token 1)`);
  expect(result.stdout).toContain('lease released');
  expect(result.stdout).toContain('host stopped');
  expect(result.stdout).not.toContain('a tick was refused');
}, 70_000);
