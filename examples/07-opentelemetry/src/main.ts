// A tree recorded with @trellis/otel from its start and exported to the console: one worker
// crashes once, an OS child crashes once and prints the TRACEPARENT its restart was given. Runs for ~2 s, then stops
// in order and shuts the SDK down (which flushes every pending metric, span and log record).
import { fileURLToPath } from 'node:url';
import { logs, metrics, NodeSDK, tracing } from '@opentelemetry/sdk-node';
import { defineSupervisor, fromWorker, startSupervisor, stopSupervisor } from '@trellis/core';
import { createTelemetry } from '@trellis/otel';
import { fromProcess } from '@trellis/process';

const sdk = new NodeSDK({
  serviceName: 'trellis-example',
  traceExporter: new tracing.ConsoleSpanExporter(),
  metricReaders: [new metrics.PeriodicExportingMetricReader({ exporter: new metrics.ConsoleMetricExporter(), exportIntervalMillis: 60_000 })],
  logRecordProcessors: [new logs.SimpleLogRecordProcessor({ exporter: new logs.ConsoleLogRecordExporter() })],
  instrumentations: [],
});
sdk.start();

let workerStarts = 0;
const flaky = fromWorker(async ({ signal }) => {
  workerStarts += 1;
  await new Promise((resolve) => setTimeout(resolve, 300));
  if (workerStarts === 1) throw new Error('flaky: the first incarnation crashes');
  await new Promise((resolve) => signal.addEventListener('abort', resolve));
});
const service = fromProcess({ command: process.execPath, args: [fileURLToPath(new URL('./child.mjs', import.meta.url))], output: { passThrough: true } });

// Created before the tree and passed as its inspector, so the start is recorded too: a
// trellis.supervisor.start span until both children are ready. The providers are the ones the
// SDK registered globally.
const telemetry = createTelemetry();
const root = await startSupervisor(
  defineSupervisor({ id: 'root', intensity: 5, periodMs: 10_000, children: [{ id: 'flaky', start: flaky }, { id: 'service', start: service, shutdown: 2_000 }] }),
  { inspect: telemetry.inspect },
);

await new Promise((resolve) => setTimeout(resolve, 2_000));
await stopSupervisor(root); // a trellis.supervisor.shutdown span
telemetry.close();
await sdk.shutdown();
