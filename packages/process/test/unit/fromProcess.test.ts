// Unit: fromProcess against a fake spawner (env, start, readiness, stop escalation, exits, liveness, output).
import { afterEach, describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { defineSupervisor, isExitRequest, SHUTDOWN_REQUEST, startSupervisor, stopSupervisor, terminateChild, whichChildren, type Handover } from '@trellis/core';
import { handoverFromEnv } from '@trellis/core/env';
import { fromProcess, ProcessCrashError, ReadinessTimeoutError, SpawnError, type ProcessOptions, type ProcessSnapshot } from '../../src/index.js';
import { captureLogs, fakeSpawner, tick, type FakeSpawner } from '../fakeSpawner.js';

function run(options: Omit<ProcessOptions, 'spawner'>, spawner: FakeSpawner = fakeSpawner(), handover?: Handover) {
  const actor = createActor(fromProcess({ ...options, spawner }), { id: 'p', input: handover ? { handover } : undefined });
  actor.subscribe({ error: () => {} }); // errors are read from the snapshot
  actor.start();
  return { actor, spawner, snap: () => actor.getSnapshot() as ProcessSnapshot };
}

const saved = { ...process.env };
afterEach(() => {
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  Object.assign(process.env, saved);
});

describe('env injection', () => {
  it('strips inherited TRELLIS_* variables before adding the handover', () => {
    process.env['TRELLIS_PREV_EXIT_REASON'] = 'error';
    process.env['TRELLIS_PREV_EXIT_CODE'] = '1';
    process.env['TRELLIS_STALE'] = 'x';
    process.env['KEEP_ME'] = 'yes';
    const handover: Handover = { resumeId: 'root/a', incarnation: 0, previousExit: null };
    const { spawner } = run({ command: 'x', env: { EXTRA: '1', KEEP_ME: undefined, TRELLIS_FROM_OPTIONS: 'y' } }, fakeSpawner(), handover);
    const env = spawner.last().options.env;
    expect(Object.keys(env).filter((k) => k.startsWith('TRELLIS_')).sort()).toEqual(['TRELLIS_HANDOVER', 'TRELLIS_INCARNATION', 'TRELLIS_RESUME_ID']);
    expect(env['EXTRA']).toBe('1');
    expect(env['KEEP_ME']).toBeUndefined();
    expect(handoverFromEnv(env)).toEqual(handover);
  });

  it('passes the previous exit of the handover', () => {
    const handover: Handover = { resumeId: 'root/a', incarnation: 3, previousExit: { reason: 'killed', code: null, signal: 'SIGKILL', at: 5 } };
    const { spawner } = run({ command: 'x' }, fakeSpawner(), handover);
    const env = spawner.last().options.env;
    expect(env['TRELLIS_INCARNATION']).toBe('3');
    expect(env['TRELLIS_PREV_EXIT_REASON']).toBe('killed');
    expect(env['TRELLIS_PREV_EXIT_SIGNAL']).toBe('SIGKILL');
    expect(handoverFromEnv(env)).toEqual(handover);
  });

  it('uses a default handover outside a supervisor', () => {
    const { spawner, snap } = run({ command: 'x' });
    expect(handoverFromEnv(spawner.last().options.env)).toEqual({ resumeId: 'p', incarnation: 0, previousExit: null });
    expect(snap().resumeId).toBe('p');
    expect(snap().incarnation).toBe(0);
  });

  it('honours a custom prefix', () => {
    process.env['APP_INCARNATION'] = '9';
    const { spawner } = run({ command: 'x', envPrefix: 'APP_' });
    const env = spawner.last().options.env;
    expect(env['APP_INCARNATION']).toBe('0');
    expect(env['APP_RESUME_ID']).toBe('p');
  });
});

describe('start', () => {
  it('is ready once spawned, and records the pid', async () => {
    const { snap, spawner } = run({ command: 'x', args: ['a'] });
    expect(snap().pid).toBe(1000);
    expect(spawner.last().args).toEqual(['a']);
    expect(snap().ready).toBe(false);
    await tick();
    expect(snap().ready).toBe(true);
  });

  it('turns an async spawn error into a SpawnError naming the command and the code', async () => {
    const { snap } = run({ command: 'no-such-binary' }, fakeSpawner({ failWith: 'ENOENT' }));
    await tick();
    expect(snap().status).toBe('error');
    expect(snap().error).toBeInstanceOf(SpawnError);
    expect((snap().error as SpawnError).message).toMatch(/no-such-binary.*ENOENT/);
    expect((snap().error as SpawnError).errno).toBe('ENOENT');
  });

  it('turns a synchronous spawn throw into a start failure', () => {
    const error = Object.assign(new Error('spawn E2BIG'), { code: 'E2BIG' });
    const { snap } = run({ command: 'x' }, fakeSpawner({ throwWith: error }));
    expect(snap().status).toBe('error');
    expect((snap().error as SpawnError).errno).toBe('E2BIG');
  });

  it('is a start failure for a supervisor, with the SpawnError as cause', async () => {
    const spawner = fakeSpawner({ failWith: 'EACCES' });
    await expect(startSupervisor(defineSupervisor({ id: 'root', children: [{ id: 'p', start: fromProcess({ command: './not-exec', spawner }) }] }))).rejects.toMatchObject({
      code: 'failed_to_start_child',
      cause: { code: 'spawn_failed', errno: 'EACCES' },
    });
  });
});

describe('readiness', () => {
  it('waits for a matching stdout line', async () => {
    const { snap, spawner } = run({ command: 'x', readiness: { kind: 'line', pattern: /listening on \d+/ } });
    await tick();
    expect(snap().ready).toBe(false);
    spawner.last().print('starting\nlisten');
    await tick();
    expect(snap().ready).toBe(false);
    spawner.last().print('ing on 80\n');
    await tick();
    expect(snap().ready).toBe(true);
  });

  it('waits for an IPC message and asks the spawner for a channel', async () => {
    const { snap, spawner } = run({ command: 'x', readiness: { kind: 'ipc' } });
    expect(spawner.last().options.ipc).toBe(true);
    spawner.last().send('nope');
    expect(snap().ready).toBe(false);
    spawner.last().send({ type: 'ready' });
    expect(snap().ready).toBe(true);
  });

  it('fails with ReadinessTimeoutError and kills the group when not ready in time', async () => {
    const { snap, spawner } = run({ command: 'x', readiness: { kind: 'line', pattern: 'up', readyTimeoutMs: 30 } });
    await tick(60);
    expect(snap().status).toBe('error');
    expect(snap().error).toBeInstanceOf(ReadinessTimeoutError);
    expect(spawner.last().kills).toContainEqual(['SIGKILL', true]);
  });

  it('is a start failure when the process exits before it is ready', async () => {
    const { snap, spawner } = run({ command: 'x', readiness: { kind: 'line', pattern: 'up' } });
    spawner.last().exit(2, null);
    await tick();
    expect(snap().status).toBe('error');
    expect(snap().error).toBeInstanceOf(ProcessCrashError);
  });
});

describe('stop escalation', () => {
  it('sends the stop signal to the group, then SIGKILL to the group on xstate.stop', async () => {
    const spawner = fakeSpawner({ obeySignals: { term: false, kill: true } });
    const { actor } = run({ command: 'x' }, spawner);
    await tick();
    actor.send({ type: SHUTDOWN_REQUEST });
    expect(spawner.last().kills).toEqual([['SIGTERM', true]]);
    actor.stop();
    expect(spawner.last().kills).toEqual([
      ['SIGTERM', true],
      ['SIGKILL', true],
    ]);
  });

  it('signals only the leader with signalLeaderOnly, but still SIGKILLs the group', async () => {
    const spawner = fakeSpawner({ obeySignals: { term: false, kill: true } });
    const { actor } = run({ command: 'x', signalLeaderOnly: true, stopSignal: 'SIGINT' }, spawner);
    actor.send({ type: SHUTDOWN_REQUEST });
    actor.stop();
    expect(spawner.last().kills).toEqual([
      ['SIGINT', false],
      ['SIGKILL', true],
    ]);
  });

  it('reports an exit after the stop request as shutdown, and kills the rest of the group', async () => {
    const { actor, snap, spawner } = run({ command: 'x' });
    actor.send({ type: SHUTDOWN_REQUEST });
    await tick();
    expect(snap().status).toBe('done');
    expect(snap().output).toMatchObject({ reason: 'shutdown', code: null, signal: 'SIGTERM' });
    expect(spawner.last().kills).toEqual([
      ['SIGTERM', true],
      ['SIGKILL', true],
    ]);
  });

  it('the supervisor escalates to SIGKILL after shutdown ms and records killed', async () => {
    const spawner = fakeSpawner({ obeySignals: { term: false, kill: true } });
    const sup = await startSupervisor(defineSupervisor({ id: 'root', children: [{ id: 'p', start: fromProcess({ command: 'x', spawner }), shutdown: 40 }] }));
    const started = Date.now();
    await terminateChild(sup, 'p');
    expect(Date.now() - started).toBeGreaterThanOrEqual(35);
    expect(spawner.last().kills.slice(0, 2)).toEqual([
      ['SIGTERM', true],
      ['SIGKILL', true],
    ]);
    expect(whichChildren(sup)[0]?.lastExit?.reason).toBe('killed');
    await stopSupervisor(sup);
  });

  it('brutal_kill SIGKILLs the group without asking', async () => {
    const spawner = fakeSpawner();
    const sup = await startSupervisor(defineSupervisor({ id: 'root', children: [{ id: 'p', start: fromProcess({ command: 'x', spawner }), shutdown: 'brutal_kill' }] }));
    await terminateChild(sup, 'p');
    expect(spawner.last().kills[0]).toEqual(['SIGKILL', true]);
    expect(spawner.last().kills.map(([signal]) => signal)).not.toContain('SIGTERM');
    await stopSupervisor(sup);
  });
});

describe('exit reporting', () => {
  it.each([
    [0, null, [], 'done', 'normal'],
    [143, null, [143], 'done', 'shutdown'],
    [null, 'SIGKILL', [], 'done', 'killed'],
    [1, null, [], 'error', 'error'],
    [null, 'SIGSEGV', [], 'error', 'error'],
  ] as const)('code %s signal %s (shutdownExitCodes %j) ends %s with %s', async (code, signal, codes, status, reason) => {
    const { snap, spawner } = run({ command: 'x', shutdownExitCodes: [...codes] });
    await tick();
    spawner.last().exit(code, signal);
    expect(snap().status).toBe(status);
    if (status === 'done') {
      expect(isExitRequest(snap().output)).toBe(true);
      expect(snap().output).toMatchObject({ reason, code, signal });
    } else {
      expect(snap().error).toBeInstanceOf(ProcessCrashError);
      expect(snap().error).toMatchObject({ code, signal });
    }
    expect(spawner.last().kills).toContainEqual(['SIGKILL', true]); // leftovers of the group
  });

  it('hands the next incarnation previousExit killed after an external SIGKILL', async () => {
    const spawner = fakeSpawner();
    const sup = await startSupervisor(defineSupervisor({ id: 'root', intensity: 10, children: [{ id: 'p', start: fromProcess({ command: 'x', spawner }) }] }));
    spawner.last().exit(null, 'SIGKILL');
    await tick();
    spawner.last().exit(3, null);
    await tick();
    expect(spawner.handles).toHaveLength(3);
    const third = handoverFromEnv(spawner.handles[2]!.options.env);
    const second = handoverFromEnv(spawner.handles[1]!.options.env);
    expect(second?.previousExit).toMatchObject({ reason: 'killed', code: null, signal: 'SIGKILL' });
    expect(third?.incarnation).toBe(2);
    expect(third?.previousExit).toMatchObject({ reason: 'error', detail: { name: 'ProcessCrashError', code: 3 } });
    await stopSupervisor(sup);
  });
});

describe('liveness', () => {
  it('kills the group after failureThreshold misses and ends with timeout', async () => {
    let calls = 0;
    const { snap, spawner } = run({
      command: 'x',
      liveness: { kind: 'check', check: () => ++calls > 100, intervalMs: 5, initialDelayMs: 0, failureThreshold: 3 },
    });
    for (let i = 0; i < 100 && snap().status === 'active'; i++) await tick(5);
    expect(calls).toBe(3);
    expect(spawner.last().kills).toContainEqual(['SIGKILL', true]);
    expect(snap().status).toBe('done');
    expect(snap().output).toMatchObject({ reason: 'timeout', signal: 'SIGKILL', detail: { livenessMisses: 3 } });
  });

  it('resets the miss count after a success', async () => {
    const answers = [false, false, true, false, false, true];
    let calls = 0;
    const { snap } = run({ command: 'x', liveness: { kind: 'check', check: () => answers[calls++] ?? true, intervalMs: 2, initialDelayMs: 0, failureThreshold: 3 } });
    while (calls < answers.length + 2) await tick(3);
    expect(snap().status).toBe('active');
  });

  it('counts a check slower than timeoutMs as a miss', async () => {
    const { snap } = run({
      command: 'x',
      liveness: { kind: 'check', check: () => new Promise<boolean>(() => {}), timeoutMs: 5, intervalMs: 2, initialDelayMs: 0, failureThreshold: 2 },
    });
    for (let i = 0; i < 100 && snap().status === 'active'; i++) await tick(5);
    expect(snap().output).toMatchObject({ reason: 'timeout' });
  });
});

describe('output', () => {
  it('logs each line through a child logger bound to child, incarnation and pid', async () => {
    const { logger, records } = captureLogs();
    const handover: Handover = { resumeId: 'root/w', incarnation: 4, previousExit: null };
    const { spawner } = run({ command: 'x', logger }, fakeSpawner(), handover);
    spawner.last().print('hello\nworld\n');
    spawner.last().print('oops\n', 'stderr');
    await tick();
    const lines = records.filter((r) => r.obj['stream'] !== undefined);
    expect(lines.map((r) => [r.level, r.obj['stream'], r.msg])).toEqual([
      ['info', 'stdout', 'hello'],
      ['info', 'stdout', 'world'],
      ['warn', 'stderr', 'oops'],
    ]);
    expect(lines[0]?.bindings).toEqual({ child: 'root/w', incarnation: 4, pid: 1000 });
  });

  it('truncates long lines and drops lines over the per-second budget, counting them', async () => {
    const { logger, records } = captureLogs();
    const { spawner } = run({ command: 'x', logger, output: { maxLineBytes: 8, linesPerSecond: 5 } });
    spawner.last().print(`${'x'.repeat(100)}\n`);
    spawner.last().print('line\n'.repeat(1000));
    spawner.last().stdout.end();
    await tick();
    const lines = records.filter((r) => r.obj['stream'] === 'stdout');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatchObject({ msg: 'xxxxxxxx', obj: { truncated: true } });
    expect(records.find((r) => r.obj['event'] === 'process.output.dropped')?.obj['dropped']).toBe(996);
  });

  it('logs nothing and only drains the pipes without a logger', async () => {
    const { spawner } = run({ command: 'x' });
    spawner.last().print('x\n'.repeat(10_000));
    await tick();
    expect(spawner.last().stdout.readableFlowing).toBe(true);
  });
});
