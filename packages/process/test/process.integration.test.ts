// Integration: real processes under a real supervisor; bounded in time, loopback only.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defineSupervisor, startSupervisor, stopSupervisor, terminateChild, whichChildren, type ChildSpecInput, type SupervisorRef } from '@trellis/core';
import { fromProcess, nodeSpawner, type ProcessOptions, type ProcessSnapshot } from '../src/index.js';
import { captureLogs } from './fakeSpawner.js';
import { freePort, isGone, waitFor } from './helpers.js';

function pidOf(sup: SupervisorRef, id: string): number | undefined {
  const ref = whichChildren(sup).find((c) => c.id === id)?.ref;
  return (ref?.getSnapshot() as ProcessSnapshot | undefined)?.pid;
}

/** Running and ready (whichChildren says 'running' from the start attempt on). */
function ready(sup: SupervisorRef, id: string, incarnation: number): boolean {
  const found = whichChildren(sup).find((c) => c.id === id);
  return found?.incarnation === incarnation && found.status === 'running' && (found.ref?.getSnapshot() as ProcessSnapshot | undefined)?.ready === true;
}

function info(sup: SupervisorRef, id: string) {
  const found = whichChildren(sup).find((c) => c.id === id);
  if (found === undefined) throw new Error(`no child ${id}`);
  return found;
}

async function tree(children: ChildSpecInput[], intensity = 10): Promise<SupervisorRef> {
  return startSupervisor(defineSupervisor({ id: 'root', intensity, periodMs: 5_000, children }));
}

const HANDOVER_SH = ['-c', 'echo "handover $TRELLIS_HANDOVER"; exec sleep 30'];
const HANDOVER_NODE = ['-e', "console.log('handover ' + process.env.TRELLIS_HANDOVER); setInterval(() => {}, 1e9)"];

describe('restart after kill -9', () => {
  it.each([
    ['sh', 'sh', HANDOVER_SH],
    ['node', process.execPath, HANDOVER_NODE],
  ])('restarts a %s child with a new incarnation, previousExit killed, and the handover in its env every time', async (_name, command, args) => {
    const { logger, records } = captureLogs();
    const options: ProcessOptions = { command, args, logger, readiness: { kind: 'line', pattern: 'handover' } };
    const sup = await tree([{ id: 'kid', start: fromProcess(options) }]);
    try {
      for (let incarnation = 1; incarnation <= 3; incarnation++) {
        const pid = pidOf(sup, 'kid')!;
        process.kill(pid, 'SIGKILL');
        await waitFor(() => ready(sup, 'kid', incarnation), 5_000, `incarnation ${incarnation}`);
        expect(pidOf(sup, 'kid')).not.toBe(pid);
        expect(isGone(pid)).toBe(true);
        expect(info(sup, 'kid').lastExit).toMatchObject({ reason: 'killed', code: null, signal: 'SIGKILL' });
      }
      const seen = records
        .filter((r) => typeof r.msg === 'string' && r.msg.startsWith('handover '))
        .map((r) => ({ bindings: r.bindings, handover: JSON.parse(r.msg!.slice('handover '.length)) as Record<string, unknown> }));
      expect(seen.map((s) => s.handover['incarnation'])).toEqual([0, 1, 2, 3]);
      expect(seen.every((s) => s.handover['resumeId'] === 'root/kid')).toBe(true);
      expect(seen[0]?.handover['previousExit']).toBeNull();
      for (const s of seen.slice(1)) expect(s.handover['previousExit']).toMatchObject({ reason: 'killed', signal: 'SIGKILL', code: null });
      expect(seen.map((s) => s.bindings['incarnation'])).toEqual([0, 1, 2, 3]);
    } finally {
      await stopSupervisor(sup);
    }
  });

  it('hands a crashed child previousExit error with its exit code', async () => {
    const { logger, records } = captureLogs();
    const sup = await tree([
      {
        id: 'kid',
        start: fromProcess({ command: 'sh', args: ['-c', 'echo "reason=$TRELLIS_PREV_EXIT_REASON code=$TRELLIS_PREV_EXIT_CODE"; [ -z "$TRELLIS_PREV_EXIT_REASON" ] && exit 7; exec sleep 30'], logger }),
      },
    ]);
    try {
      await waitFor(() => ready(sup, 'kid', 1), 5_000, 'the restart');
      expect(info(sup, 'kid').lastExit).toMatchObject({ reason: 'error', detail: { name: 'ProcessCrashError', code: 7 } });
      await waitFor(() => records.some((r) => r.msg?.startsWith('reason=error') === true), 2_000, 'the second line');
    } finally {
      await stopSupervisor(sup);
    }
  });
});

describe('stop', () => {
  it('leaves no grandchild alive after a stop', async () => {
    const { logger, records } = captureLogs();
    const sup = await tree([
      {
        id: 'family',
        start: fromProcess({ command: 'sh', args: ['-c', 'sleep 30 & echo "gc $!"; sleep 30 & echo "gc $!"; echo up; wait'], logger, readiness: { kind: 'line', pattern: /^up$/ } }),
      },
    ]);
    const leader = pidOf(sup, 'family')!;
    const grandchildren = records.filter((r) => r.msg?.startsWith('gc ') === true).map((r) => Number(r.msg!.slice(3)));
    expect(grandchildren).toHaveLength(2);
    for (const pid of grandchildren) expect(isGone(pid)).toBe(false);
    await stopSupervisor(sup);
    await waitFor(() => [leader, ...grandchildren].every(isGone), 1_000, 'the whole group to be gone');
  });

  it('SIGKILLs a child that ignores SIGTERM once its shutdown time has passed', async () => {
    const sup = await tree([
      {
        id: 'stubborn',
        shutdown: 300,
        start: fromProcess({ command: 'sh', args: ['-c', 'trap "" TERM; echo up; exec sleep 30'], readiness: { kind: 'line', pattern: 'up' } }),
      },
    ]);
    try {
      const pid = pidOf(sup, 'stubborn')!;
      const started = Date.now();
      await terminateChild(sup, 'stubborn');
      const took = Date.now() - started;
      expect(took).toBeGreaterThanOrEqual(290);
      expect(took).toBeLessThan(2_000);
      expect(info(sup, 'stubborn').lastExit?.reason).toBe('killed');
      await waitFor(() => isGone(pid), 1_000, 'the stubborn process to be gone');
    } finally {
      await stopSupervisor(sup);
    }
  });

  it('records shutdown for a child that exits on SIGTERM', async () => {
    const sup = await tree([{ id: 'polite', start: fromProcess({ command: 'sleep', args: ['30'] }) }]);
    const pid = pidOf(sup, 'polite')!;
    await terminateChild(sup, 'polite');
    expect(info(sup, 'polite').lastExit?.reason).toBe('shutdown');
    expect(isGone(pid)).toBe(true);
    await stopSupervisor(sup);
  });
});

describe('bad input', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trellis-process-'));
  const notExecutable = join(dir, 'not-executable.sh');
  writeFileSync(notExecutable, '#!/bin/sh\necho hi\n');
  chmodSync(notExecutable, 0o644);

  it.each([
    ['a command that does not exist', { command: 'trellis-no-such-command' }, 'ENOENT', /trellis-no-such-command.*ENOENT/],
    ['a command that is not executable', { command: notExecutable }, 'EACCES', /not-executable\.sh.*EACCES/],
    ['a missing working directory', { command: 'sleep', args: ['1'], cwd: join(dir, 'missing') }, 'ENOENT', /sleep.*ENOENT.*working directory/],
  ] as const)('fails to start on %s, naming the command and the OS error', async (_name, options, errno, message) => {
    const failure = await tree([{ id: 'bad', start: fromProcess(options as ProcessOptions) }]).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({ code: 'failed_to_start_child', cause: { code: 'spawn_failed', errno } });
    expect((failure as { cause: Error }).cause.message).toMatch(message);
  });
});

describe('readiness', () => {
  it('starts once a TCP port accepts on 127.0.0.1', async () => {
    const port = await freePort();
    const server = `setTimeout(() => require('node:net').createServer().listen(${port}, '127.0.0.1'), 300)`;
    const started = Date.now();
    const sup = await tree([{ id: 'server', start: fromProcess({ command: process.execPath, args: ['-e', server], readiness: { kind: 'tcp', port, readyTimeoutMs: 5_000 } }) }]);
    try {
      expect(Date.now() - started).toBeGreaterThanOrEqual(300);
      expect(info(sup, 'server').status).toBe('running');
    } finally {
      await stopSupervisor(sup);
    }
  });

  it('starts on an IPC message from a Node child', async () => {
    const child = "setTimeout(() => process.send('ready'), 100); setInterval(() => {}, 1e9)";
    const sup = await tree([{ id: 'ipc', start: fromProcess({ command: process.execPath, args: ['-e', child], readiness: { kind: 'ipc' } }) }]);
    expect(info(sup, 'ipc').status).toBe('running');
    await stopSupervisor(sup);
  });

  it('is a start failure when not ready in time, and the process is killed', async () => {
    let pid: number | undefined;
    const sup = tree([
      {
        id: 'slow',
        start: fromProcess({
          command: 'sleep',
          args: ['30'],
          readiness: { kind: 'line', pattern: 'never', readyTimeoutMs: 300 },
          spawner: {
            spawn: (command, args, options) => {
              const handle = nodeSpawner.spawn(command, args, options);
              pid = handle.pid;
              return handle;
            },
          },
        }),
      },
    ]);
    await expect(sup).rejects.toMatchObject({ code: 'failed_to_start_child', cause: { code: 'not_ready', name: 'ReadinessTimeoutError' } });
    expect(pid).toBeDefined();
    await waitFor(() => isGone(pid!), 1_000, 'the unready process to be gone');
  });
});

describe('liveness', () => {
  it('kills a child that fails its HTTP probe and restarts it with previousExit timeout', async () => {
    const port = await freePort(); // nothing listens there
    const sup = await tree([
      {
        id: 'sick',
        start: fromProcess({ command: 'sleep', args: ['30'], liveness: { kind: 'http', port, path: '/healthz', intervalMs: 50, timeoutMs: 200, failureThreshold: 2 } }),
      },
    ]);
    try {
      const pid = pidOf(sup, 'sick')!;
      await waitFor(() => ready(sup, 'sick', 1), 5_000, 'the liveness restart');
      expect(info(sup, 'sick').lastExit).toMatchObject({ reason: 'timeout', signal: 'SIGKILL', detail: { check: 'liveness', misses: 2 } });
      expect(isGone(pid)).toBe(true);
    } finally {
      await stopSupervisor(sup);
    }
  });

  it('keeps a child whose TCP probe passes', async () => {
    const port = await freePort();
    const server = `require('node:net').createServer((s) => s.end()).listen(${port}, '127.0.0.1', () => console.log('up'))`;
    const sup = await tree([
      {
        id: 'healthy',
        start: fromProcess({
          command: process.execPath,
          args: ['-e', server],
          readiness: { kind: 'line', pattern: 'up' },
          liveness: { kind: 'tcp', port, intervalMs: 30, failureThreshold: 1 },
        }),
      },
    ]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(info(sup, 'healthy').incarnation).toBe(0);
    await stopSupervisor(sup);
  });

  it('a command probe passes while the command exits 0, and kills and restarts the child once it exits non-zero', async () => {
    const flag = join(mkdtempSync(join(tmpdir(), 'trellis-liveness-')), 'healthy');
    writeFileSync(flag, '');
    const sup = await tree([
      {
        id: 'checked',
        start: fromProcess({ command: 'sleep', args: ['30'], liveness: { kind: 'command', command: 'test', args: ['-e', flag], intervalMs: 30, timeoutMs: 1_000, failureThreshold: 2 } }),
      },
    ]);
    try {
      const pid = pidOf(sup, 'checked')!;
      await new Promise((resolve) => setTimeout(resolve, 300)); // about ten passing probes
      expect(info(sup, 'checked').incarnation).toBe(0);
      rmSync(flag);
      await waitFor(() => ready(sup, 'checked', 1), 5_000, 'the liveness restart');
      expect(info(sup, 'checked').lastExit).toMatchObject({ reason: 'timeout', signal: 'SIGKILL', detail: { check: 'liveness', misses: 2 } });
      expect(isGone(pid)).toBe(true);
    } finally {
      await stopSupervisor(sup);
    }
  });
});
