/**
 * JSON-safe projections of supervisor facts: every fact a tree emits can be written to a log,
 * sent over HTTP or stored, without cycles, `Error` instances or `bigint`s in the way.
 *
 * @module
 */
import { serializeError, type SupervisorFact } from '@trellis/core';

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
 * import { toJSONValue, type JsonValue } from '@trellis/observe';
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
 * import { toJSONValue } from '@trellis/observe';
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

/**
 * A supervisor fact as plain JSON: the same fields, with every `detail` made JSON-safe.
 *
 * @remarks
 * Made by {@link serializeFact}: safe to send over HTTP, write to a log or store. `type` and
 * `supervisor` are kept as they are, so a consumer can still switch on `type`.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { serializeFact, type SerializedFact } from '@trellis/observe';
 * const fact: SerializedFact = serializeFact({ type: 'sup.child.restarting', supervisor: 'root', child: 'db', nextIncarnation: 1, delayMs: 0 });
 * assert.equal(fact.type, 'sup.child.restarting');
 * assert.equal(fact['child'], 'db');
 * ```
 *
 * @category events
 * @since 0.1.0
 */
export type SerializedFact = {
  /** The fact's tag. */
  readonly type: SupervisorFact['type'];
  /** The path of the supervisor that emitted it. */
  readonly supervisor: string;
} & { readonly [key: string]: JsonValue };

/**
 * Projects a supervisor fact onto plain JSON.
 *
 * @remarks
 * Facts are plain objects already, except for what a child put in an exit's `detail` (which
 * may be anything it threw or returned); this makes that part safe too, so
 * `JSON.parse(JSON.stringify(serializeFact(fact)))` deep-equals `serializeFact(fact)`.
 *
 * @param fact - a fact from `ref.on(...)` or {@link observeTree}.
 * @returns the fact as plain JSON.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { serializeFact } from '@trellis/observe';
 * const fact = serializeFact({ type: 'sup.child.exited', supervisor: 'root', child: 'db', incarnation: 0, decision: 'restart', exit: { reason: 'error', detail: new Error('boom'), at: 5 } });
 * assert.equal((fact.exit as { detail: { message: string } }).detail.message, 'boom');
 * ```
 *
 * @category events
 * @since 0.1.0
 */
export function serializeFact(fact: SupervisorFact): SerializedFact {
  return toJSONValue(fact) as SerializedFact;
}
