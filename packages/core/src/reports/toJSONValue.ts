/**
 * The one JSON-safe projection of trellis: what reports, facts sent over HTTP, stored values and
 * the handover written to an OS child (`@trellis/core/env`) go through, so a value is written the
 * same way wherever it goes.
 *
 * This module imports nothing at run time, so `env.ts` can use it and a child process still loads
 * `@trellis/core/env` without XState (`test/unit/env.test.ts` checks the built import graph). The
 * rules are decision 0017's: where `JSON.stringify` has an answer, give that answer; where it
 * throws (a bigint, a cycle, a getter or proxy that throws), give a string instead; never throw.
 *
 * @module
 */

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
 * The rules (decision 0017): wherever `JSON.stringify` gives an answer this gives the same one,
 * so `toJSONValue(x)` deep-equals `JSON.parse(JSON.stringify(x))` whenever that does not throw.
 * `undefined`, functions and symbols are dropped from objects and become `null` in arrays (and at
 * the top); `NaN` and `±Infinity` become `null`; objects with a `toJSON()` method are projected
 * through it (called with the key, as `JSON.stringify` does). Where `JSON.stringify` would throw
 * or lose the point, this decides instead: a `bigint` becomes its decimal string (`12n` → `'12'`),
 * a reference back to an enclosing object becomes `'[Circular]'` (a shared reference that is not a
 * cycle is copied), an `Error` (also from another realm) becomes `{ name, message, stack?, code? }`
 * like `serializeError`, and a value that throws while being read (a getter, a proxy, a
 * `toJSON`) becomes `'[unserializable: Name: message]'`. It never throws.
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
  return project(value, [], '') ?? null;
}

/**
 * The projection of one value; `undefined` means "leave the key out" (an array slot becomes
 * `null`). `ancestors` holds the objects on the path from the root, so only a real cycle becomes
 * `'[Circular]'`.
 */
function project(value: unknown, ancestors: object[], key: string): JsonValue | undefined {
  try {
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
      default:
        break;
    }
    if (value === null) return null;
    const object = value as object;
    if (ancestors.includes(object)) return '[Circular]';
    if (object instanceof Error || Object.prototype.toString.call(object) === '[object Error]') return errorRecord(object as Partial<Error>);
    const toJSON = (object as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') {
      const replaced: unknown = toJSON.call(object, key);
      if (replaced === object) return '[Circular]';
      return project(replaced, [...ancestors, object], key);
    }
    const path = [...ancestors, object];
    if (Array.isArray(object)) {
      const items: JsonValue[] = [];
      for (let index = 0; index < object.length; index += 1) {
        items.push(project(readSafely(() => (object as unknown[])[index]), path, String(index)) ?? null);
      }
      return items;
    }
    const out: { [key: string]: JsonValue } = {};
    for (const name of Object.keys(object)) {
      const item = project(readSafely(() => (object as Record<string, unknown>)[name]), path, name);
      if (item !== undefined) out[name] = item;
    }
    return out;
  } catch (error) {
    return unserializable(error);
  }
}

/** `serializeError`'s shape, read defensively: a getter on a hostile error must not throw here. */
function errorRecord(source: Partial<Error> & { code?: unknown }): JsonValue {
  const out: { [key: string]: JsonValue } = {
    name: safeString(readSafely(() => source.name)),
    message: safeString(readSafely(() => source.message)),
  };
  const stack = readSafely(() => source.stack);
  if (typeof stack === 'string') out['stack'] = stack;
  const code = readSafely(() => source.code);
  if (typeof code === 'string' || (typeof code === 'number' && Number.isFinite(code))) out['code'] = code;
  return out;
}

/**
 * Reads a value, turning a throw into an `'[unserializable: …]'` marker.
 *
 * @internal
 */
export function readSafely<T>(read: () => T): T | string {
  try {
    return read();
  } catch (error) {
    return unserializable(error);
  }
}

/**
 * `String(value)`, or an `'[unserializable: …]'` marker when even that throws.
 *
 * @internal
 */
export function safeString(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return String(value);
  } catch (error) {
    return unserializable(error);
  }
}

/**
 * The marker for a value that threw while being read: `'[unserializable: Name: message]'`.
 *
 * @internal
 */
export function unserializable(error: unknown): string {
  try {
    if (error instanceof Error) return `[unserializable: ${error.name}: ${error.message}]`;
    return `[unserializable: ${String(error)}]`;
  } catch {
    return '[unserializable: unknown error]';
  }
}
