// Unit: fromProcess against a fake spawner (env, start, readiness, stop escalation, exits, liveness, output).
// Time is a test clock stepped with advance(); tick() and settle() only let callbacks run, they never sleep.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createActor } from 'xstate';
import { defineSupervisor, isExitRequest, SHUTDOWN_REQUEST, startSupervisor, stopSupervisor, terminateChild, whichChildren, type Handover } from '@trellis/core';
import { handoverFromEnv } from '@trellis/core/env';
import { createTestClock, settle, type TestClock } from '@trellis/core/testing';
import {
  fromProcess,
  ProcessCrashError,
  ReadinessTimeoutError,
  setDefaultProcessLogger,
  SPAWN_CHANNEL,
  SpawnError,
  type ProcessOptions,
  type ProcessSnapshot,
  type SpawnMessage,
} from '../../src/index.js';
import { captureLogs, fakeSpawner, tick, type FakeSpawner } from '../fakeSpawner.js';

function run(options: Omit<ProcessOptions, 'spawner'>, spawner: FakeSpawner = fakeSpawner(), handover?: Handover) {
  const actor = createActor(fromProcess({ ...options, spawner }), { id: 'p', input: handover ? { handover } : undefined });
  actor.subscribe({ error: () => {} }); // errors are read from the snapshot
  actor.start();
  return { actor, spawner, snap: () => actor.getSnapshot() as ProcessSnapshot };
}

/** Moves the test clock on, then lets the promise and stream callbacks it set off run. */
async function step(clock: TestClock, ms: number): Promise<void> {
  clock.advance(ms);
  await settle();
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

  it('announces each spawn on trellis:process:spawn before it happens, and keeps what a subscriber adds to env', () => {
    const seen: SpawnMessage[] = [];
    const onSpawn = (message: unknown): void => {
      const m = message as SpawnMessage;
      seen.push(m);
      m.env['TRACEPARENT'] = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    };
    subscribe(SPAWN_CHANNEL, onSpawn);
    try {
      const handover: Handover = { resumeId: 'root/a', incarnation: 2, previousExit: null };
      const { spawner } = run({ command: 'x', args: ['--y'] }, fakeSpawner(), handover);
      expect(seen.map(({ command, args, resumeId, incarnation }) => ({ command, args, resumeId, incarnation }))).toEqual([
        { command: 'x', args: ['--y'], resumeId: 'root/a', incarnation: 2 },
      ]);
      expect(seen[0]?.env['TRELLIS_RESUME_ID']).toBe('root/a'); // the complete env, handover included
      expect(spawner.last().options.env['TRACEPARENT']).toBe('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    } finally {
      unsubscribe(SPAWN_CHANNEL, onSpawn);
    }
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
    const clock = createTestClock();
    await expect(startSupervisor(defineSupervisor({ id: 'root', children: [{ id: 'p', start: fromProcess({ command: './not-exec', spawner }) }] }), { clock })).rejects.toMatchObject({
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
    const clock = createTestClock();
    const { snap, spawner } = run({ command: 'x', clock, readiness: { kind: 'line', pattern: 'up', readyTimeoutMs: 30 } });
    await tick();
    expect(clock.pending()).toBe(1);
    await step(clock, 29);
    expect(snap().status).toBe('active');
    await step(clock, 1);
    expect(snap().status).toBe('error');
    expect(snap().error).toBeInstanceOf(ReadinessTimeoutError);
    expect((snap().error as ReadinessTimeoutError).message).toContain('30');
    expect(spawner.last().kills).toContainEqual(['SIGKILL', true]);
    expect(clock.pending()).toBe(0);
  });

  it('clears the readiness timer once ready', async () => {
    const clock = createTestClock();
    const { actor, snap, spawner } = run({ command: 'x', clock, readiness: { kind: 'line', pattern: 'up', readyTimeoutMs: 30 } });
    spawner.last().print('up\n');
    await tick();
    expect(snap().ready).toBe(true);
    expect(clock.pending()).toBe(0);
    await step(clock, 1_000);
    expect(snap().status).toBe('active');
    actor.stop();
  });

  it("reads time from the actor system's clock when the options give none", async () => {
    const clock = createTestClock();
    const actor = createActor(fromProcess({ command: 'x', spawner: fakeSpawner(), readiness: { kind: 'ipc', readyTimeoutMs: 50 } }), { clock });
    actor.subscribe({ error: () => {} });
    actor.start();
    expect(clock.pending()).toBe(1);
    await step(clock, 50);
    expect(actor.getSnapshot().error).toBeInstanceOf(ReadinessTimeoutError);
    expect(clock.pending()).toBe(0);
  });

  it("times out on the supervision tree's clock under startSupervisor", async () => {
    const clock = createTestClock();
    const spawner = fakeSpawner();
    const logic = fromProcess({ command: 'x', spawner, readiness: { kind: 'ipc', readyTimeoutMs: 100 } });
    const starting = startSupervisor(defineSupervisor({ id: 'root', children: [{ id: 'p', start: logic }] }), { clock });
    starting.catch(() => {}); // asserted below
    await settle();
    expect(spawner.handles).toHaveLength(1);
    await step(clock, 99);
    expect(spawner.last().kills).toEqual([]);
    await step(clock, 1);
    await expect(starting).rejects.toMatchObject({ code: 'failed_to_start_child', cause: { code: 'not_ready' } });
    expect(spawner.last().kills).toContainEqual(['SIGKILL', true]);
    expect(clock.pending()).toBe(0);
  });

  it('prefers options.clock to the actor system clock', async () => {
    const own = createTestClock();
    const system = createTestClock();
    const actor = createActor(fromProcess({ command: 'x', spawner: fakeSpawner(), clock: own, readiness: { kind: 'ipc', readyTimeoutMs: 50 } }), { clock: system });
    actor.subscribe({ error: () => {} });
    actor.start();
    expect(own.pending()).toBe(1);
    expect(system.pending()).toBe(0);
    actor.stop();
    expect(own.pending()).toBe(0);
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
    const clock = createTestClock();
    const spawner = fakeSpawner({ obeySignals: { term: false, kill: true } });
    const sup = await startSupervisor(defineSupervisor({ id: 'root', children: [{ id: 'p', start: fromProcess({ command: 'x', spawner }), shutdown: 40 }] }), { clock });
    let terminated = false;
    const terminating = terminateChild(sup, 'p').then(() => {
      terminated = true;
    });
    await settle();
    expect(spawner.last().kills).toEqual([['SIGTERM', true]]);
    await step(clock, 39);
    expect(terminated).toBe(false);
    expect(spawner.last().kills).toEqual([['SIGTERM', true]]);
    await step(clock, 1);
    await terminating;
    expect(spawner.last().kills.slice(0, 2)).toEqual([
      ['SIGTERM', true],
      ['SIGKILL', true],
    ]);
    expect(whichChildren(sup)[0]?.lastExit?.reason).toBe('killed');
    await stopSupervisor(sup);
    expect(clock.pending()).toBe(0);
  });

  it('brutal_kill SIGKILLs the group without asking', async () => {
    const spawner = fakeSpawner();
    const clock = createTestClock();
    const sup = await startSupervisor(defineSupervisor({ id: 'root', children: [{ id: 'p', start: fromProcess({ command: 'x', spawner }), shutdown: 'brutal_kill' }] }), { clock });
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
    const clock = createTestClock();
    const sup = await startSupervisor(defineSupervisor({ id: 'root', intensity: 10, children: [{ id: 'p', start: fromProcess({ command: 'x', spawner }) }] }), { clock });
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
    const clock = createTestClock();
    let calls = 0;
    const { snap, spawner } = run({
      command: 'x',
      clock,
      liveness: { kind: 'check', check: () => ++calls > 100, intervalMs: 5, initialDelayMs: 0, failureThreshold: 3 },
    });
    await tick(); // spawned: ready, first probe due now
    await step(clock, 0);
    expect(calls).toBe(1);
    await step(clock, 4);
    expect(calls).toBe(1);
    await step(clock, 1);
    expect(calls).toBe(2);
    expect(snap().status).toBe('active');
    await step(clock, 5);
    expect(calls).toBe(3);
    expect(spawner.last().kills).toContainEqual(['SIGKILL', true]);
    expect(snap().status).toBe('done');
    expect(snap().output).toMatchObject({ reason: 'timeout', signal: 'SIGKILL', detail: { check: 'liveness', misses: 3 } });
    expect(clock.pending()).toBe(0);
  });

  it('waits initialDelayMs, then intervalMs from the end of each probe', async () => {
    const clock = createTestClock();
    const times: number[] = [];
    const { actor } = run({
      command: 'x',
      clock,
      liveness: { kind: 'check', check: () => times.push(clock.now()) > 0, intervalMs: 100, initialDelayMs: 250 },
    });
    await tick();
    for (let i = 0; i < 5; i++) await step(clock, 50);
    expect(times).toEqual([250]);
    for (let i = 0; i < 6; i++) await step(clock, 50);
    expect(times).toEqual([250, 350, 450, 550]);
    actor.stop();
    expect(clock.pending()).toBe(0);
  });

  it('resets the miss count after a success', async () => {
    const clock = createTestClock();
    const answers = [false, false, true, false, false, true];
    let calls = 0;
    const { actor, snap } = run({ command: 'x', clock, liveness: { kind: 'check', check: () => answers[calls++] ?? true, intervalMs: 2, initialDelayMs: 0, failureThreshold: 3 } });
    await tick();
    await step(clock, 0);
    while (calls < answers.length + 2) await step(clock, 2);
    expect(calls).toBe(answers.length + 2);
    expect(snap().status).toBe('active');
    actor.stop();
    expect(clock.pending()).toBe(0);
  });

  it('counts a check slower than timeoutMs as a miss', async () => {
    const clock = createTestClock();
    const signals: AbortSignal[] = [];
    const { snap } = run({
      command: 'x',
      clock,
      liveness: {
        kind: 'check',
        check: ({ signal }) => {
          signals.push(signal);
          return new Promise<boolean>(() => {});
        },
        timeoutMs: 5,
        intervalMs: 2,
        initialDelayMs: 0,
        failureThreshold: 2,
      },
    });
    await tick();
    await step(clock, 0);
    expect(signals).toHaveLength(1);
    await step(clock, 4);
    expect(signals[0]?.aborted).toBe(false);
    await step(clock, 1); // the first probe times out: one miss
    expect(signals[0]?.aborted).toBe(true);
    expect(snap().status).toBe('active');
    await step(clock, 2);
    expect(signals).toHaveLength(2);
    await step(clock, 5); // the second: the threshold
    expect(snap().status).toBe('done');
    expect(snap().output).toMatchObject({ reason: 'timeout', detail: { check: 'liveness', misses: 2 } });
    expect(clock.pending()).toBe(0);
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

  it('counts the line budget per second of the clock', async () => {
    const clock = createTestClock();
    const { logger, records } = captureLogs();
    const { spawner } = run({ command: 'x', clock, logger, output: { linesPerSecond: 2 } });
    spawner.last().print('a\nb\nc\n');
    await tick();
    await step(clock, 999);
    spawner.last().print('d\n');
    await tick();
    await step(clock, 1);
    spawner.last().print('e\nf\ng\n');
    await tick();
    expect(records.filter((r) => r.obj['stream'] === 'stdout').map((r) => r.msg)).toEqual(['a', 'b', 'e', 'f']);
    expect(records.filter((r) => r.obj['event'] === 'process.output.dropped').map((r) => r.obj['dropped'])).toEqual([2]);
  });

  it('copies the raw bytes to its own stdout and stderr with passThrough', async () => {
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const { spawner } = run({ command: 'x', output: { passThrough: true } });
      spawner.last().print('to-stdout 1\npartial');
      spawner.last().print('to-stderr 1\n', 'stderr');
      await tick();
      const written = (spy: typeof out) => spy.mock.calls.map(([chunk]) => String(chunk)).filter((s) => s.includes('to-std') || s === 'partial');
      expect(written(out)).toEqual(['to-stdout 1\npartial']);
      expect(written(err)).toEqual(['to-stderr 1\n']);
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
  });

  it('copies nothing to its own stdout and stderr without passThrough', async () => {
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const { logger } = captureLogs();
      for (const passThrough of [false, undefined]) {
        const { spawner } = run({ command: 'x', logger, output: passThrough === undefined ? {} : { passThrough } });
        spawner.last().print('to-stdout 2\n');
        spawner.last().print('to-stderr 2\n', 'stderr');
        await tick();
        expect(spawner.last().stdout.readableFlowing).toBe(true);
        expect(spawner.last().stderr.readableFlowing).toBe(true);
      }
      const written = (spy: typeof out) => spy.mock.calls.map(([chunk]) => String(chunk)).filter((s) => s.includes('to-std'));
      expect(written(out)).toEqual([]);
      expect(written(err)).toEqual([]);
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
  });

  it('uses the default logger (setDefaultProcessLogger) when it has none of its own, read at each start', async () => {
    const own = captureLogs();
    const fallback = captureLogs();
    const spawner = fakeSpawner();
    const logic = fromProcess({ command: 'x', spawner }); // defined before the default is set
    const restore = setDefaultProcessLogger(fallback.logger);
    try {
      const quiet = fakeSpawner();
      createActor(logic, { id: 'p' }).start();
      run({ command: 'x', logger: own.logger }, fakeSpawner());
      run({ command: 'x', output: { log: false } }, quiet);
      spawner.last().print('boom\n', 'stderr');
      quiet.last().print('hush\n', 'stderr');
      await tick();
      expect(fallback.records.filter((r) => r.obj['stream'] === 'stderr').map((r) => r.msg)).toEqual(['boom']);
      expect(own.records.filter((r) => r.obj['stream'] !== undefined)).toEqual([]);
    } finally {
      restore();
    }
    const after = fakeSpawner();
    run({ command: 'x' }, after);
    after.last().print('gone\n', 'stderr');
    await tick();
    expect(fallback.records.map((r) => r.msg)).not.toContain('gone');
    expect(() => setDefaultProcessLogger({} as never)).toThrow(/option "logger": must be a pino-like logger/);
  });

  it('logs nothing and only drains the pipes without a logger', async () => {
    const { spawner } = run({ command: 'x' });
    spawner.last().print('x\n'.repeat(10_000));
    await tick();
    expect(spawner.last().stdout.readableFlowing).toBe(true);
  });
});
