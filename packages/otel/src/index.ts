/**
 * `@trellis/otel`: a trellis tree in OpenTelemetry. {@link createTelemetry} turns the facts of a
 * running tree into metrics, log records with event names and spans for bounded operations, and
 * carries trace context into OS children's environment. It uses only `@opentelemetry/api` and
 * `@opentelemetry/api-logs`; the application registers the SDK and its exporters. Every name it
 * gives is in {@link METRICS}, {@link EVENTS}, {@link SPANS} and {@link ATTRIBUTES}.
 *
 * @module
 */
export { createTelemetry, type Telemetry, type TelemetryOptions } from './createTelemetry.js';
export { TelemetryOptionsError } from './errors.js';
export { ATTRIBUTES, EVENTS, METRICS, SCOPE, SPANS, type Instrument } from './names.js';
