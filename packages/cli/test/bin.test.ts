import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { alive, cliDir, descendants, runCli, startCli } from './helpers.js';

// The binary is tested as a user runs it: `node dist/bin.js ...`. Build it first (incremental).
beforeAll(() => {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-b'], { cwd: cliDir, stdio: 'inherit' });
}, 60_000);

const tmp = mkdtempSync(join(tmpdir(), 'trellis-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('trellis --help', () => {
  it.each([[['--help']], [['run', '--help']], [['check', '-h']], [['tree', '--help']], [['help', 'run']]])('%j prints usage and exits 0', async (args) => {
    const { code, stdout } = await runCli(args);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: trellis/);
  });

  it('exits 2 with the usage for no command, an unknown command, an unknown flag or a bad --http', async () => {
    for (const args of [[], ['deploy'], ['run', 'x.ts', '--nope'], ['run', 'test/fixtures/tree.ts', '--http', 'localhost'], ['check']]) {
      const { code, stdout, stderr } = await runCli(args);
      expect(code, args.join(' ')).toBe(2);
      expect(stdout + stderr).toContain('Usage: trellis');
    }
  });
});

describe('trellis tree', () => {
  it('prints the static tree of a defineTreeConfig config, defaults filled in', async () => {
    const { code, stdout } = await runCli(['tree', 'test/fixtures/config.ts']);
    expect(code).toBe(0);
    expect(stdout.trimEnd().split('\n')).toEqual([
      'root  supervisor  one_for_all, intensity 2 per 1000 ms',
      '├─ db  supervisor  rest_for_one, intensity 1 per 5000 ms; permanent, shutdown infinity',
      '│  ├─ pool  worker  permanent, shutdown 5000',
      '│  └─ writer  worker  permanent, shutdown brutal_kill',
      '└─ http  worker  transient, shutdown 5000',
    ]);
  });

  it('prints JSON with --json, and only the root of a defineSupervisor config', async () => {
    const json = await runCli(['tree', 'test/fixtures/config.ts', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ id: 'root', children: [{ id: 'db', path: 'root/db', children: [{ path: 'root/db/pool' }, { path: 'root/db/writer' }] }, { id: 'http' }] });
    const logic = await runCli(['tree', 'test/fixtures/tree.ts']);
    expect(logic.code).toBe(0);
    expect(logic.stdout).toContain('root  supervisor  (children are known only once started');
  });
});

describe('trellis check', () => {
  it('prints every error with its path and exits 1', async () => {
    const { code, stderr } = await runCli(['check', 'test/fixtures/invalid.ts']);
    expect(code).toBe(1);
    const lines = stderr.trimEnd().split('\n');
    expect(lines.map((line) => /^✗ (\S+): .*\[(\w+)\]$/.exec(line)?.slice(1).join(' '))).toEqual([
      'root invalid_flags',
      'root/db/pool invalid_child_spec',
      'root/db/pool duplicate_child_name',
      'root/http invalid_child_spec',
      'root/job invalid_child_spec',
      undefined,
    ]);
    expect(lines.at(-1)).toBe('5 errors in test/fixtures/invalid.ts');
  });

  it('accepts a valid config, and reports --json', async () => {
    expect(await runCli(['check', 'test/fixtures/config.ts'])).toMatchObject({ code: 0, stdout: '✓ test/fixtures/config.ts: valid\n' });
    const json = await runCli(['check', 'test/fixtures/invalid.ts', '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, issues: expect.arrayContaining([{ path: 'root/http', code: 'invalid_child_spec', message: expect.stringContaining('restart') }]) });
  });

  it('exits 1 with a clear message for a module that exports no tree or cannot be loaded', async () => {
    const notATree = await runCli(['check', 'test/fixtures/notATree.ts']);
    expect(notATree.code).toBe(1);
    expect(notATree.stderr).toContain('must export default a supervisor (defineSupervisor), a tree config (defineTreeConfig) or { root, http? }');
    const missing = await runCli(['check', 'test/fixtures/missing.ts']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('cannot load test/fixtures/missing.ts');
  });
});

describe('trellis run', () => {
  it('runs a tree, serves the endpoints, restarts a crashed child, and stops in order on SIGTERM with exit 0 and no child process left', async () => {
    const pidFile = join(tmp, 'sleeper.pid');
    const cli = startCli(['run', 'test/fixtures/tree.ts', '--http', '127.0.0.1:0'], { FIXTURE_PIDFILE: pidFile });
    try {
      const listening = await cli.waitForRecord((r) => r.event === 'http.listening');
      await cli.waitForRecord((r) => r.event === 'tree.started');
      expect(listening).toMatchObject({ host: '127.0.0.1', port: expect.any(Number), url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) });
      const url = listening.url as string;
      // Every initial start was logged once, with OTP's fields, from the very first one.
      expect(cli.records().filter((r) => r.event === 'sup.child.started').map((r) => `${r.supervisor}/${r.child}`)).toEqual(['root/db/pool', 'root/db/writer', 'root/db', 'root/http', 'root/sleeper']);

      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      const ready = await fetch(`${url}/readyz`);
      expect(ready.status).toBe(200);
      const tree = (await (await fetch(`${url}/tree`)).json()) as { children: Array<{ id: string }> };
      expect(tree.children.map((c) => c.id)).toEqual(['sleeper', 'http', 'db']);
      // The OS-process child has started once spawned; it writes its pid file soon after.
      await vi.waitFor(() => expect(existsSync(pidFile)).toBe(true), { timeout: 10_000, interval: 25 });
      const sleeperPid = Number(readFileSync(pidFile, 'utf8'));
      expect(alive(sleeperPid)).toBe(true);

      cli.child.kill('SIGUSR2'); // the fixture's writer crashes on SIGUSR2
      const crash = await cli.waitForRecord((r) => r.event === 'sup.child.exited' && r.child === 'writer');
      expect(crash).toMatchObject({ level: 50, supervisor: 'root/db', errorContext: 'child_terminated', reason: 'error', detail: { message: 'crashed on SIGUSR2' }, offender: { id: 'writer', restart: 'permanent' } });
      await cli.waitForRecord((r) => r.event === 'sup.child.started' && r.child === 'writer' && r.incarnation === 1);
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toContain('trellis_child_restarts_total{supervisor="root/db",child="writer"} 1');
      expect(metrics).toContain('trellis_children{supervisor="root",status="running"} 3');
      expect(metrics).toContain('process_cpu_user_seconds_total');

      // The sleeper, plus helpers such as the process package's watchdog and tsx's esbuild.
      const children = descendants(cli.child.pid as number);
      expect(children).toContain(sleeperPid);
      cli.child.kill('SIGTERM');
      expect(await cli.exited).toEqual({ code: 0, signal: null });
      await vi.waitFor(() => expect(children.filter(alive)).toEqual([]), { timeout: 5_000, interval: 25 });
      // (process.* records are the sleeper's own, logged through the binary's logger)
      const events = cli.records().map((r) => r.event).filter((e) => !String(e).startsWith('process.'));
      expect(events.slice(events.indexOf('tree.stopping'))).toEqual(['tree.stopping', 'sup.stopped', 'sup.stopped', 'tree.stopped']);
      expect(alive(sleeperPid)).toBe(false);
    } finally {
      cli.child.kill('SIGKILL');
    }
  });

  it('runs a `{ root, http }` JS config with a raw root, serving on the config\'s address', async () => {
    const cli = startCli(['run', 'test/fixtures/moduleForm.mjs']);
    try {
      const listening = await cli.waitForRecord((r) => r.event === 'http.listening');
      const tree = (await (await fetch(`${listening.url as string}/tree`)).json()) as { id: string; children: Array<{ path: string }> };
      expect(tree).toMatchObject({ id: 'app', children: [{ path: 'app/w' }] });
      expect((await fetch(`${listening.url as string}/readyz`)).status).toBe(200);
      cli.child.kill('SIGINT');
      expect(await cli.exited).toEqual({ code: 0, signal: null });
    } finally {
      cli.child.kill('SIGKILL');
    }
  });

  it('honours --log-level and TRELLIS_LOG_LEVEL', async () => {
    for (const [args, env] of [[['--log-level', 'warn'], {}], [[], { TRELLIS_LOG_LEVEL: 'warn' }]] as const) {
      const pidFile = join(tmp, `sleeper-${args.length}.pid`);
      const cli = startCli(['run', 'test/fixtures/tree.ts', ...args], { ...env, FIXTURE_PIDFILE: pidFile });
      try {
        // Nothing at info is logged, so wait for the last child (the sleeper) to write its pid.
        await vi.waitFor(() => expect(existsSync(pidFile)).toBe(true), { timeout: 10_000, interval: 25 });
        cli.child.kill('SIGUSR2');
        await cli.waitForRecord((r) => r.event === 'sup.child.exited');
        expect(cli.records().every((r) => (r.level as number) >= 40)).toBe(true);
        cli.child.kill('SIGINT');
        expect((await cli.exited).code).toBe(0);
      } finally {
        cli.child.kill('SIGKILL');
      }
    }
  });

  it('ignores a repeated signal, and exits at once with 130 on a SIGINT 1 s or more after the first, leaving no process child behind', async () => {
    const pidFile = join(tmp, 'slow-sleeper.pid');
    const cli = startCli(['run', 'test/fixtures/slowStop.ts'], { FIXTURE_PIDFILE: pidFile });
    try {
      await cli.waitForRecord((r) => r.event === 'tree.started');
      await vi.waitFor(() => expect(existsSync(pidFile)).toBe(true), { timeout: 10_000, interval: 25 });
      const sleeperPid = Number(readFileSync(pidFile, 'utf8'));
      cli.child.kill('SIGTERM');
      await cli.waitForRecord((r) => r.event === 'tree.stopping');
      cli.child.kill('SIGTERM'); // never forces
      await cli.waitForRecord((r) => r.event === 'signal.ignored');
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      cli.child.kill('SIGINT');
      expect(await cli.exited).toEqual({ code: 130, signal: null });
      expect(cli.records().at(-1)).toMatchObject({ event: 'tree.killed', signal: 'SIGINT' });
      // The tree was not stopped, but @trellis/process's watchdog kills the group once Node is gone.
      await vi.waitFor(() => expect(alive(sleeperPid)).toBe(false), { timeout: 5_000, interval: 25 });
    } finally {
      cli.child.kill('SIGKILL');
    }
  });

  it('reloads on SIGHUP: a rolling restart of the root\'s workers, the order logged, each ready before its old one stops', async () => {
    // At debug, the old incarnations' exits (the supervisor stopped them: debug) are logged too.
    const cli = startCli(['run', 'test/fixtures/reloadable.ts', '--log-level', 'debug']);
    try {
      await cli.waitForRecord((r) => r.event === 'tree.started');
      cli.child.kill('SIGHUP');
      const started = await cli.waitForRecord((r) => r.event === 'reload.started');
      expect(started).toMatchObject({ signal: 'SIGHUP', target: 'root', order: ['web-1', 'web-2'], msg: 'reloading root: web-1, web-2, one at a time' });
      const completed = await cli.waitForRecord((r) => r.event === 'reload.completed');
      expect(completed).toMatchObject({ target: 'root', outcome: 'completed', replaced: ['web-1', 'web-2'], skipped: [], remaining: [] });
      // Per child: the replacement started (ready) before the old incarnation exited 'replaced'.
      const roll = cli
        .records()
        .filter((r) => String(r.event).startsWith('sup.') && r.supervisor === 'root' && r.event !== 'sup.stopped')
        .slice(-8)
        .map((r) => `${String(r.event)}${r.child === undefined ? '' : `:${String(r.child)}#${String(r.incarnation)}`}${r.event === 'sup.child.exited' ? `:${String(r.reason)}` : ''}`);
      expect(roll).toEqual([
        'sup.rollingRestart.started',
        'sup.child.started:web-1#1',
        'sup.child.exited:web-1#0:replaced',
        'sup.child.replaced:web-1#1',
        'sup.child.started:web-2#1',
        'sup.child.exited:web-2#0:replaced',
        'sup.child.replaced:web-2#1',
        'sup.rollingRestart.completed',
      ]);
      cli.child.kill('SIGTERM');
      expect(await cli.exited).toEqual({ code: 0, signal: null });
    } finally {
      cli.child.kill('SIGKILL');
    }
  });

  it('reloads the supervisor --reload names, and logs a path that names none', async () => {
    const good = startCli(['run', 'test/fixtures/reloadable.ts', '--reload', 'root/jobs']);
    const bad = startCli(['run', 'test/fixtures/reloadable.ts', '--reload', 'root/nope']);
    try {
      await good.waitForRecord((r) => r.event === 'tree.started');
      good.child.kill('SIGHUP');
      expect(await good.waitForRecord((r) => r.event === 'reload.completed')).toMatchObject({ target: 'root/jobs', replaced: ['mailer'] });
      await bad.waitForRecord((r) => r.event === 'tree.started');
      bad.child.kill('SIGHUP');
      expect(await bad.waitForRecord((r) => r.event === 'reload.failed')).toMatchObject({ target: 'root/nope', why: "'root' has no child 'nope'" });
      good.child.kill('SIGTERM');
      bad.child.kill('SIGTERM');
      expect(await good.exited).toEqual({ code: 0, signal: null });
      expect(await bad.exited).toEqual({ code: 0, signal: null });
    } finally {
      good.child.kill('SIGKILL');
      bad.child.kill('SIGKILL');
    }
  });

  it('exits 1 with a clear message when the root gives up', async () => {
    const { code, stdout, stderr } = await runCli(['run', 'test/fixtures/givesUp.mjs']);
    expect(code).toBe(1);
    expect(stderr).toContain("trellis: the root supervisor 'root' gave up (reached_max_restart_intensity)");
    expect(stdout).toContain('"event":"sup.intensity.exceeded"');
  });

  it('exits 1 with a clear message when the tree fails to start', async () => {
    const { code, stderr } = await runCli(['run', 'test/fixtures/failsToStart.ts']);
    expect(code).toBe(1);
    expect(stderr).toContain('trellis: the tree in test/fixtures/failsToStart.ts failed to start: Supervisor "root": child "db" failed to start: cannot connect');
  });
});
