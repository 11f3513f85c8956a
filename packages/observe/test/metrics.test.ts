import { defineSupervisor, rollingRestart, startSupervisor, stopSupervisor, terminateChild, type SupervisorFact } from '@trellis/core';
import { createTestClock, scriptedChild, settle } from '@trellis/core/testing';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../src/index.js';

async function value(registry: Registry, name: string, labels: Record<string, string>): Promise<number | undefined> {
  const metric = await registry.getSingleMetric(name)?.get();
  const entry = metric?.values.find((v) => Object.entries(labels).every(([k, l]) => (v.labels as Record<string, unknown>)[k] === l));
  return entry?.value;
}

async function twoLevels() {
  const clock = createTestClock(1_000);
  const pool = scriptedChild();
  const http = scriptedChild();
  const db = defineSupervisor({ id: 'db', intensity: 0, children: [{ id: 'pool', start: pool }] });
  const ref = await startSupervisor(defineSupervisor({ id: 'root', intensity: 5, children: [{ id: 'db', start: db }, { id: 'http', start: http }] }), { clock });
  return { clock, pool, http, ref };
}

describe('createMetrics', () => {
  it('counts automatic restarts per supervisor and child, and intensity give-ups', async () => {
    const { clock, pool, http, ref } = await twoLevels();
    const metrics = createMetrics({ clock });
    const detach = metrics.attach(ref);
    http.crash();
    await settle();
    http.crash();
    await settle();
    pool.crash(); // db gives up (intensity 0); root restarts db
    await settle();
    expect(await value(metrics.registry, 'trellis_child_restarts_total', { supervisor: 'root', child: 'http' })).toBe(2);
    expect(await value(metrics.registry, 'trellis_child_restarts_total', { supervisor: 'root', child: 'db' })).toBe(1);
    expect(await value(metrics.registry, 'trellis_intensity_exceeded_total', { supervisor: 'root/db' })).toBe(1);
    const text = await metrics.registry.metrics();
    expect(text).toContain('# TYPE trellis_child_restarts_total counter');
    expect(text).toContain('trellis_restart_duration_seconds_count{supervisor="root",child="http"} 2');
    detach();
    await stopSupervisor(ref);
  });

  it('gauges children by status and the running incarnation uptime at scrape time', async () => {
    const { clock, http, ref } = await twoLevels();
    const metrics = createMetrics({ clock, registry: new Registry() });
    metrics.attach(ref);
    clock.advance(3_000);
    expect(await value(metrics.registry, 'trellis_children', { supervisor: 'root', status: 'running' })).toBe(2);
    expect(await value(metrics.registry, 'trellis_children', { supervisor: 'root/db', status: 'running' })).toBe(1);
    // Seen first at the first scrape: counts from there.
    expect(await value(metrics.registry, 'trellis_child_uptime_seconds', { supervisor: 'root', child: 'http' })).toBe(0);
    clock.advance(2_500);
    expect(await value(metrics.registry, 'trellis_child_uptime_seconds', { supervisor: 'root', child: 'http' })).toBe(2.5);
    http.crash();
    await settle();
    clock.advance(1_000);
    expect(await value(metrics.registry, 'trellis_child_uptime_seconds', { supervisor: 'root', child: 'http' })).toBe(1);
    await terminateChild(ref, 'http');
    expect(await value(metrics.registry, 'trellis_children', { supervisor: 'root', status: 'stopped' })).toBe(1);
    expect(await value(metrics.registry, 'trellis_child_uptime_seconds', { supervisor: 'root', child: 'http' })).toBeUndefined();
    await stopSupervisor(ref);
    expect(await value(metrics.registry, 'trellis_children', { supervisor: 'root', status: 'running' })).toBeUndefined();
  });

  it('counts replacements and rolling restarts, not as restarts; uptime starts again with the replacement', async () => {
    const clock = createTestClock();
    const web = scriptedChild();
    const ref = await startSupervisor(defineSupervisor({ id: 'root', children: [{ id: 'a', start: web }, { id: 'b', start: web }] }), { clock });
    const metrics = createMetrics({ clock, registry: new Registry() });
    metrics.attach(ref);
    await value(metrics.registry, 'trellis_children', { supervisor: 'root', status: 'running' }); // first scrape: uptime counts from here
    clock.advance(2_000);
    expect(await rollingRestart(ref)).toMatchObject({ outcome: 'completed' });
    clock.advance(500);
    expect(await value(metrics.registry, 'trellis_child_replacements_total', { supervisor: 'root', child: 'a' })).toBe(1);
    expect(await value(metrics.registry, 'trellis_rolling_restarts_total', { supervisor: 'root', outcome: 'completed' })).toBe(1);
    expect(await value(metrics.registry, 'trellis_child_restarts_total', { supervisor: 'root', child: 'a' })).toBeUndefined();
    // The old incarnation's exit came after its replacement started: the child still runs, since the replacement.
    expect(await value(metrics.registry, 'trellis_child_uptime_seconds', { supervisor: 'root', child: 'a' })).toBe(0.5);
    await stopSupervisor(ref);
  });

  it('times a restart from the exit fact to the started fact of the same child', async () => {
    let now = 0;
    const metrics = createMetrics({ clock: { now: () => now } });
    const facts: SupervisorFact[] = [
      { type: 'sup.child.exited', supervisor: 'root', child: 'db', incarnation: 0, decision: 'restart', exit: { reason: 'error', at: 0 } },
      { type: 'sup.child.started', supervisor: 'root', child: 'db', incarnation: 1, resumeId: 'root/db', cause: 'restart' },
    ];
    now = 1_000;
    metrics.handle(facts[0] as SupervisorFact, undefined as never);
    now = 1_250;
    metrics.handle(facts[1] as SupervisorFact, undefined as never);
    const histogram = await metrics.registry.getSingleMetric('trellis_restart_duration_seconds')?.get();
    expect(histogram?.values.find((v) => (v as { metricName?: string }).metricName === 'trellis_restart_duration_seconds_sum')?.value).toBe(0.25);
    expect(histogram?.values.find((v) => (v as { metricName?: string }).metricName === 'trellis_restart_duration_seconds_bucket' && v.labels.le === 0.5)?.value).toBe(1);
    expect(histogram?.values.find((v) => (v as { metricName?: string }).metricName === 'trellis_restart_duration_seconds_bucket' && v.labels.le === 0.1)?.value).toBe(0);
  });

  it('registers in a registry of its own unless given one, so two instances do not clash', () => {
    const a = createMetrics();
    const b = createMetrics();
    expect(a.registry).not.toBe(b.registry);
    const withDefaults = createMetrics({ defaultMetrics: true });
    expect(withDefaults.registry.getSingleMetric('process_cpu_user_seconds_total')).toBeDefined();
  });
});
