// The process.* semantic conventions on a real OS child's telemetry: pid, command and executable
// name on its log records, the exit code on the exit record and on the restart span; none of
// them on a metric.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defineSupervisor, startSupervisor, stopSupervisor, whichChildren } from '@trellis/core';
import { ATTRIBUTES, createTelemetry, EVENTS, SPANS } from '@trellis/otel';
import { fromProcess } from '@trellis/process';
import { inMemory } from './inMemory.js';

const fixture = new URL('./fixtures/exitsWithCodeOnce.mjs', import.meta.url).pathname;
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('process.* attributes of an OS child', () => {
  it('pid, command and executable name on its log records, process.exit.code on the exit record and the restart span, never on metrics', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trellis-otel-'));
    const out = join(dir, 'pids.txt');
    const otel = inMemory();
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }), otel.shutdown);
    const telemetry = createTelemetry({ meterProvider: otel.meterProvider, tracerProvider: otel.tracerProvider, loggerProvider: otel.loggerProvider });
    const root = await startSupervisor(
      defineSupervisor({ id: 'root', intensity: 3, periodMs: 10_000, children: [{ id: 'app', start: fromProcess({ command: process.execPath, args: [fixture, out] }), shutdown: 2_000 }] }),
      { inspect: telemetry.inspect },
    );
    cleanups.push(async () => {
      if (root.getSnapshot().status === 'active') await stopSupervisor(root);
      telemetry.close();
    });
    await until(() => whichChildren(root)[0]?.incarnation === 1 && whichChildren(root)[0]?.status === 'running', 10_000);
    await until(() => readFileSync(out, 'utf8').trim().split('\n').length >= 2, 10_000);
    const pids = readFileSync(out, 'utf8').trim().split('\n').map((line) => Number(line.split(' ')[1]));

    const records = otel.logExporter.getFinishedLogRecords();
    const process0 = { [ATTRIBUTES.processCommand]: process.execPath, [ATTRIBUTES.processExecutable]: basename(process.execPath) };
    const started = records.filter((r) => r.eventName === EVENTS.started);
    expect(started.map((r) => r.attributes)).toEqual([
      expect.objectContaining({ ...process0, [ATTRIBUTES.processPid]: pids[0], [ATTRIBUTES.incarnation]: 0 }),
      expect.objectContaining({ ...process0, [ATTRIBUTES.processPid]: pids[1], [ATTRIBUTES.incarnation]: 1 }),
    ]);
    const exited = records.find((r) => r.eventName === EVENTS.exited);
    expect(exited?.attributes).toEqual(expect.objectContaining({ ...process0, [ATTRIBUTES.processPid]: pids[0], [ATTRIBUTES.exitCode]: 3, [ATTRIBUTES.reason]: 'error' }));

    const restart = otel.spanExporter.getFinishedSpans().find((s) => s.name === SPANS.restart);
    expect(restart?.attributes).toEqual(expect.objectContaining({ ...process0, [ATTRIBUTES.exitCode]: 3 }));
    expect(restart?.attributes).not.toHaveProperty(ATTRIBUTES.processPid); // a span is about the child, not one pid

    const metrics = await otel.collect();
    const keys = new Set([...metrics.values()].flatMap((m) => otel.points(m).flatMap(([attributes]) => Object.keys(attributes))));
    expect([...keys].filter((key) => key.startsWith('process.'))).toEqual([]);
    expect(keys.has(ATTRIBUTES.child)).toBe(true);
  }, 30_000);
});
