/**
 * JSON-safe projections of supervisor facts: every fact a tree emits can be written to a log,
 * sent over HTTP or stored, without cycles, `Error` instances or `bigint`s in the way.
 *
 * @module
 */
import { toJSONValue, type JsonValue, type SupervisorFact } from '@trellis/core';

export { toJSONValue, type JsonValue };

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
