/**
 * `trellis run --otel`: the OpenTelemetry Node SDK, configured entirely by the standard `OTEL_*`
 * environment variables (exporters, protocol, endpoint, service name, export intervals), with
 * `@trellis/otel` recording the tree through it. Loaded only when `--otel` is given, so a plain
 * `trellis run` never pays for the SDK.
 *
 * @module
 */
import type { SupervisorRef } from '@trellis/core';

/** What `run` holds while the SDK is up. */
export interface OtelSession {
  /** Starts recording a tree that has started. */
  attach(root: SupervisorRef): void;
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
  let telemetry: { close(): void } | undefined;
  return {
    attach(root) {
      telemetry = createTelemetry(root);
    },
    async shutdown() {
      telemetry?.close();
      await sdk.shutdown();
    },
  };
}
