// The SDK's in-memory exporters behind one set of providers, for the tests.
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader, type DataPoint, type MetricData } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';

export function inMemory() {
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  // Exports only when the test collects (forceFlush): the interval never fires within a test.
  const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000 });
  const meterProvider = new MeterProvider({ readers: [reader] });
  const spanExporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spanExporter)] });
  const logExporter = new InMemoryLogRecordExporter();
  const loggerProvider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter: logExporter })] });

  /** Collects now and returns every metric of the last collection by name. */
  async function collect(): Promise<Map<string, MetricData>> {
    metricExporter.reset();
    await reader.forceFlush();
    const out = new Map<string, MetricData>();
    for (const resource of metricExporter.getMetrics()) {
      for (const scope of resource.scopeMetrics) for (const metric of scope.metrics) out.set(metric.descriptor.name, metric);
    }
    return out;
  }
  /** The data points of a metric as `[attributes, value]`. */
  function points(metric: MetricData | undefined): Array<[Record<string, unknown>, unknown]> {
    return ((metric?.dataPoints ?? []) as Array<DataPoint<unknown>>).map((p) => [p.attributes, p.value]);
  }
  async function shutdown(): Promise<void> {
    await Promise.all([meterProvider.shutdown(), tracerProvider.shutdown(), loggerProvider.shutdown()]);
  }
  return { meterProvider, tracerProvider, loggerProvider, spanExporter, logExporter, collect, points, shutdown };
}
