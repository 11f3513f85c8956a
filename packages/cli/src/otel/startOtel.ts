/**
 * `trellis run --otel`: the OpenTelemetry Node SDK, configured entirely by the standard `OTEL_*`
 * environment variables (exporters, protocol, endpoint, service name, export intervals), with
 * `@trellis/otel` recording the tree through it. Loaded only when `--otel` is given, so a plain
 * `trellis run` never pays for the SDK.
 *
 * @module
 */
import type { InspectionEvent, Observer } from 'xstate';

/** What `run` holds while the SDK is up. */
export interface OtelSession {
  /** Goes to `startSupervisor`'s `inspect` (forwarded by the tree observer), so the start itself is recorded. */
  readonly inspect: Observer<InspectionEvent>;
  /** Ends the recording and flushes and shuts the SDK down (every pending export is sent). */
  shutdown(): Promise<void>;
}

/**
 * Starts the Node SDK from `OTEL_*` (defaults: OTLP over HTTP/protobuf to localhost:4318 for
 * traces, metrics and logs; `OTEL_*_EXPORTER=console` or `none` as the specification says).
 */
export async function startOtel(): Promise<OtelSession> {
  const [{ NodeSDK }, { createTelemetry }] = await Promise.all([import('@opentelemetry/sdk-node'), import('@trellis/otel')]);
  const sdk = new NodeSDK({ instrumentations: [] });
  sdk.start();
  // Created before the tree: it sees each supervisor as XState creates it (trellis.supervisor.start).
  const telemetry = createTelemetry();
  return {
    inspect: telemetry.inspect,
    async shutdown() {
      telemetry.close();
      await sdk.shutdown();
    },
  };
}
