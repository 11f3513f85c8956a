// Issue 12 point 2 / decision 0009: a typo in a tree config is a type error in the editor, and
// `trellis check` (the built binary, run as a process) prints every error of every node.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fromWorker } from '@trellis/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkTreeConfig, defineTreeConfig, loadConfig } from '../../src/index.js';
import { cliDir, runCli } from '../helpers.js';

beforeAll(() => {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-b'], { cwd: cliDir, stdio: 'inherit' });
}, 60_000);

const idle = fromWorker(() => new Promise<void>(() => {}));

describe('defineTreeConfig keeps excess-property checks', () => {
  it('a typo is a type error (checked by `tsc -p tsconfig.test.json`) and a check error', () => {
    // @ts-expect-error — 'stratgey' is not a key of TreeConfig
    const root = defineTreeConfig({ id: 'root', stratgey: 'one_for_all', children: [] });
    // @ts-expect-error — 'restrat' is not a key of a child
    const child = defineTreeConfig({ id: 'root', children: [{ id: 'db', start: idle, restrat: 'temporary' }] });
    expect(checkTreeConfig(root)).toEqual([{ path: 'root', code: 'invalid_flags', message: "unknown key 'stratgey' in supervisor 'root' — did you mean 'strategy'?" }]);
    expect(checkTreeConfig(child)).toEqual([{ path: 'root/db', code: 'invalid_child_spec', message: "unknown key 'restrat' in child spec 'db' — did you mean 'restart'?" }]);
  });
});

describe('trellis check', () => {
  it('prints every error of every node, several per node, and exits 1', async () => {
    const { code, stdout, stderr } = await runCli(['check', 'test/fixtures/typos.ts']);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.trimEnd().split('\n')).toEqual([
      "✗ root: unknown key 'stratgey' in supervisor 'root' — did you mean 'strategy'? [invalid_flags]",
      '✗ root: Supervisor "root": intensity must be an integer >= 0 (invalid_intensity), got -1. [invalid_flags]',
      "✗ root/db: unknown key 'intensty' in supervisor 'db' — did you mean 'intensity'? [invalid_flags]",
      `✗ root/db: Supervisor "db": strategy must be 'one_for_one', 'one_for_all' or 'rest_for_one' (invalid_strategy), got "one_for_some". [invalid_flags]`,
      "✗ root/db/pool: unknown key 'restrat' in child spec 'pool' — did you mean 'restart'? [invalid_child_spec]",
      `✗ root/db/pool: Child spec "pool": shutdown must be 'brutal_kill', 'infinity' or a non-negative number of milliseconds, got -5. [invalid_child_spec]`,
      '✗ root/http: Child spec "http": start must be XState actor logic, not a plain function: wrap it in fromWorker() (or fromPromise()), got a function start. [invalid_child_spec]',
      `✗ root/http: Child spec "http": restart must be 'permanent', 'transient' or 'temporary', got "sometimes". [invalid_child_spec]`,
      '8 errors in test/fixtures/typos.ts',
    ]);
  });

  it('reports an unknown key of the exported { root, http }', async () => {
    await expect(loadConfig('test/fixtures/typoModule.ts', cliDir)).rejects.toMatchObject({ code: 'config_load_failed', message: expect.stringContaining("unknown key 'htpp' in the exported { root, http } — did you mean 'http'?") });
  });
});
