// Trace context into a real OS child: the restart span's TRACEPARENT arrives in the environment
// of the incarnation it started (through @trellis/process's trellis:process:spawn channel).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defineSupervisor, startChild, startSupervisor, stopSupervisor, whichChildren } from '@trellis/core';
import { createTelemetry, SPANS } from '@trellis/otel';
import { fromProcess } from '@trellis/process';
import { inMemory } from './inMemory.js';

const fixture = new URL('./fixtures/recordTraceparent.mjs', import.meta.url).pathname;
const saved = process.env['TRACEPARENT'];
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  if (saved === undefined) delete process.env['TRACEPARENT'];
  else process.env['TRACEPARENT'] = saved;
});

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('TRACEPARENT in an OS child', () => {
  it('the incarnation a restart starts gets the restart span as its parent trace context', async () => {
    delete process.env['TRACEPARENT']; // nothing inherited: what the child sees comes from us
    const dir = mkdtempSync(join(tmpdir(), 'trellis-otel-'));
    const out = join(dir, 'env.txt');
    const otel = inMemory();
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }), otel.shutdown);
    const worker = fromProcess({ command: process.execPath, args: [fixture, out] });
    // Attach before the first spawn: the first incarnation crashes at once.
    const root = await startSupervisor(defineSupervisor({ id: 'root', intensity: 3, periodMs: 10_000, children: [] }));
    const telemetry = createTelemetry(root, { tracerProvider: otel.tracerProvider, meterProvider: otel.meterProvider });
    cleanups.push(async () => {
      telemetry.close();
      if (root.getSnapshot().status === 'active') await stopSupervisor(root);
    });
    await startChild(root, { id: 'app', start: worker, shutdown: 2_000 });

    await until(() => whichChildren(root)[0]?.incarnation === 1 && whichChildren(root)[0]?.status === 'running', 10_000);
    await until(() => readFileSync(out, 'utf8').trim().split('\n').length >= 2, 10_000);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('0 none');
    const restart = otel.spanExporter.getFinishedSpans().find((s) => s.name === SPANS.restart);
    expect(restart).toBeDefined();
    const { traceId, spanId } = restart!.spanContext();
    expect(lines[1]).toBe(`1 00-${traceId}-${spanId}-01`);
  }, 30_000);
});
