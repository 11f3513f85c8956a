import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { resizePool, startSupervisor, stopSupervisor, whichChildren } from '@trellis/core';
import { createTestClock, settle } from '@trellis/core/testing';
import { buildPool, upstream } from '../src/pool.js';

async function step(clock: ReturnType<typeof createTestClock>, ms: number, by = 10) {
  for (let t = 0; t < ms; t += by) {
    clock.advance(by);
    await settle();
  }
}

describe('04-pool-with-backoff', () => {
  it('backs off exponentially while the upstream is down, recovers, and resizes', async () => {
    const clock = createTestClock();
    const { logic, spec } = buildPool(() => {});
    const sup = await startSupervisor(logic, { clock });
    const delays: Record<string, number[]> = {};
    sup.on('sup.child.restarting', (f) => (delays[f.child] ??= []).push(f.delayMs));
    upstream.healthy = false;
    await step(clock, 1_000);
    upstream.healthy = true;
    await step(clock, 2_500);
    expect(delays['consumer-1']).toEqual([100, 200, 400, 800]);
    expect(whichChildren(sup).every((c) => c.status === 'running')).toBe(true);
    expect(await resizePool(sup, spec, 5)).toBe(5);
    expect(await resizePool(sup, spec, 2)).toBe(2);
    expect(whichChildren(sup).map((c) => c.id)).toEqual(['consumer-2', 'consumer-1']);
    expect(await stopSupervisor(sup)).toEqual({ reason: 'normal' });
  });

  it('runs as a program and exits 0', () => {
    const cwd = fileURLToPath(new URL('..', import.meta.url));
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd, encoding: 'utf8', timeout: 20_000 });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('next attempt in 400 ms');
    expect(result.stdout).toContain('resize to 2: 2 members');
  });
});
