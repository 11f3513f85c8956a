/**
 * The errors `@trellis/otel` throws at its caller: bad options. A child's failure is never one of
 * these; it is a fact, recorded.
 *
 * @module
 */

/**
 * Thrown by {@link createTelemetry} when an option is unknown or breaks its rule.
 *
 * @remarks
 * `field` names the option, `rule` says what it must be, `value` is what was given; `code` is
 * always `'ERR_TRELLIS_OTEL_OPTIONS'`.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { defineSupervisor, startSupervisor, stopSupervisor } from '@trellis/core';
 * import { createTelemetry, TelemetryOptionsError } from '@trellis/otel';
 * const root = await startSupervisor(defineSupervisor({ id: 'root', children: [] }));
 * assert.throws(() => createTelemetry(root, { meterProvidr: undefined } as never), (error: unknown) => error instanceof TelemetryOptionsError && error.field === 'meterProvidr');
 * await stopSupervisor(root);
 * ```
 *
 * @category errors
 * @since 0.1.0
 */
export class TelemetryOptionsError extends TypeError {
  /** Always `'ERR_TRELLIS_OTEL_OPTIONS'`. */
  readonly code = 'ERR_TRELLIS_OTEL_OPTIONS';
  /** The option at fault. */
  readonly field: string;
  /** What it must be. */
  readonly rule: string;
  /** What was given. */
  readonly value: unknown;

  /**
   * @param field - the option at fault.
   * @param rule - what it must be.
   * @param value - what was given.
   */
  constructor(field: string, rule: string, value: unknown) {
    super(`createTelemetry: option '${field}' ${rule}, got ${describe(value)}.`);
    this.name = 'TelemetryOptionsError';
    this.field = field;
    this.rule = rule;
    this.value = value;
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return `[${value.map(describe).join(', ')}]`;
  if (value !== null && typeof value === 'object') return 'an object';
  return String(value);
}
