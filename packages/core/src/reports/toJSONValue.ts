/**
 * The one JSON-safe projection of trellis: what reports, facts sent over HTTP and stored values go
 * through, so a value is written the same way wherever it goes.
 *
 * @module
 */
import { serializeError } from '../exit.js';

/**
 * A value that `JSON.stringify` writes as it is, with nothing lost.
 *
 * @remarks
 * No `undefined`, functions, symbols, bigints, non-finite numbers or cycles: {@link toJSONValue}
 * turns each of those into something JSON keeps, so `JSON.parse(JSON.stringify(value))` equals the
 * value.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { toJSONValue, type JsonValue } from '@trellis/core';
 * const value: JsonValue = toJSONValue({ at: 1, error: new Error('boom') });
 * assert.equal(JSON.parse(JSON.stringify(value)).at, 1);
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * Projects any value onto {@link JsonValue}.
 *
 * @remarks
 * `Error`s become `{ name, message, stack?, code? }` (core's `serializeError`), `bigint`s
 * become strings, `undefined` properties are dropped, functions and symbols become `null` in
 * arrays and are dropped in objects, and a cycle becomes the string `'[Circular]'`. Objects with
 * a `toJSON()` method are projected through it, as `JSON.stringify` does.
 *
 * @param value - anything.
 * @returns a plain JSON value.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { toJSONValue } from '@trellis/core';
 * const cyclic: Record<string, unknown> = { n: 1n };
 * cyclic.self = cyclic;
 * assert.deepEqual(toJSONValue(cyclic), { n: '1', self: '[Circular]' });
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export function toJSONValue(value: unknown): JsonValue {
  return project(value, new Set()) ?? null;
}

function project(value: unknown, seen: Set<object>): JsonValue | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'bigint':
      return value.toString();
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  if (value === null) return null;
  const object = value as object;
  if (seen.has(object)) return '[Circular]';
  if (object instanceof Error) return project(serializeError(object), seen);
  const toJSON = (object as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return project((toJSON as () => unknown).call(object), seen);
  seen.add(object);
  try {
    if (Array.isArray(object)) return object.map((item) => project(item, seen) ?? null);
    const out: { [key: string]: JsonValue } = {};
    for (const [key, item] of Object.entries(object)) {
      const projected = project(item, seen);
      if (projected !== undefined) out[key] = projected;
    }
    return out;
  } finally {
    seen.delete(object);
  }
}
