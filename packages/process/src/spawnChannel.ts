/**
 * The diagnostics channel that announces every OS child before it is spawned, so tracing (or any
 * other instrumentation) can add to its environment without this package depending on it.
 *
 * @module
 */
import { channel } from 'node:diagnostics_channel';

/**
 * The name of the `node:diagnostics_channel` on which {@link fromProcess} publishes a
 * {@link SpawnMessage} right before each spawn.
 *
 * @remarks
 * Subscribers run synchronously, before the spawn; what they write into `message.env` is in the
 * new process's environment. `@trellis/otel` uses it to add `TRACEPARENT`/`TRACESTATE`. A
 * throwing subscriber does not stop the spawn (Node reports the error on the next tick).
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { subscribe, unsubscribe } from 'node:diagnostics_channel';
 * import { SPAWN_CHANNEL, type SpawnMessage } from '@trellis/process';
 * const onSpawn = (message: unknown): void => {
 *   (message as SpawnMessage).env.GREETING = 'hello';
 * };
 * subscribe(SPAWN_CHANNEL, onSpawn);
 * unsubscribe(SPAWN_CHANNEL, onSpawn);
 * assert.equal(SPAWN_CHANNEL, 'trellis:process:spawn');
 * ```
 *
 * @category process
 * @since 0.1.0
 */
export const SPAWN_CHANNEL = 'trellis:process:spawn';

/**
 * What {@link SPAWN_CHANNEL} carries: the process about to be spawned.
 *
 * @remarks
 * `env` is the complete environment the process will get (parent's environment, `env` option,
 * `TRELLIS_*` handover) and may be changed in place; everything else is for reading.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import type { SpawnMessage } from '@trellis/process';
 * const message: SpawnMessage = { command: 'node', args: ['app.js'], resumeId: 'root/app', incarnation: 0, env: {} };
 * message.env.TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
 * assert.ok(message.env.TRACEPARENT);
 * ```
 *
 * @category process
 * @since 0.1.0
 */
export interface SpawnMessage {
  /** The command to run. */
  readonly command: string;
  /** Its arguments. */
  readonly args: readonly string[];
  /** The child's ResumeID (its path from the root by default). */
  readonly resumeId: string;
  /** Which incarnation this spawn starts (0 on the first start). */
  readonly incarnation: number;
  /** The environment of the new process: add to it or change it here. */
  readonly env: Record<string, string>;
}

/** The channel object; `hasSubscribers` keeps the publish free when nobody listens. */
export const spawnChannel = channel(SPAWN_CHANNEL);
