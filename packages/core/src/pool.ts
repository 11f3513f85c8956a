/**
 * Worker pools: one child spec copied N times under an ordinary supervisor, the shape of
 * Elixir's `PartitionSupervisor` (OTP-SEMANTICS §2). Members are named `${id}-1 … ${id}-N`, so
 * each gets its own ResumeID by the default path rule and restarts on its own; the pool can be
 * grown or shrunk at run time with the existing supervisor commands.
 *
 * @module
 */
import { childSpec } from './childSpec.js';
import { deleteChild, startChild, terminateChild, whichChildren } from './commands.js';
import type { SupervisorRef } from './defineSupervisor.js';
import { SupervisorArgumentError } from './errors.js';
import { unknownKeyMessage, unknownKeys } from './validation/unknownKeys.js';
import type { ChildId, ChildSpec, ChildSpecInput } from './types.js';

/**
 * Options of {@link poolSpecs} and {@link resizePool}.
 *
 * @remarks
 * `withInput` gives each member its own input from the template's and its 1-based index; by default
 * every member gets the template's input as it is.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { fromWorker, poolSpecs, type PoolOptions } from '@trellis/core';
 * const options: PoolOptions = { withInput: (input, index) => ({ ...input, shard: index }) };
 * const specs = poolSpecs({ id: 'worker', start: fromWorker(async () => {}), input: { queue: 'jobs' } }, 2, options);
 * assert.deepEqual(specs[1]?.input, { queue: 'jobs', shard: 2 }); // pool members are numbered from 1
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface PoolOptions {
  /**
   * Makes each member's `input` from the spec's `input` and the member's 1-based index (Elixir's
   * `:with_arguments`). Default: every member gets the spec's `input` unchanged.
   */
  readonly withInput?: (input: Record<string, unknown> | undefined, index: number) => Record<string, unknown> | undefined;
}

/**
 * The id of member `index` (1-based) of the pool `id`: `${id}-${index}`.
 *
 * @remarks
 * The naming that {@link poolSpecs} and {@link resizePool} use, so a caller can find a member in
 * {@link whichChildren} or pass its id to {@link terminateChild}.
 *
 * @param id - the pool spec's id.
 * @param index - the member's index, from 1.
 * @returns the member's child id.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { poolMemberId } from '@trellis/core';
 * assert.equal(poolMemberId('parser', 3), 'parser-3');
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export function poolMemberId(id: ChildId, index: number): ChildId {
  return `${id}-${index}`;
}

/** Throws a {@link SupervisorArgumentError} for an unknown or ill-typed pool option. */
function checkOptions(command: string, options: PoolOptions): void {
  if (typeof options !== 'object' || options === null) throw new SupervisorArgumentError(command, 'options', 'must be an object', options);
  const unknown = unknownKeys(options, POOL_OPTION_KEYS)[0];
  if (unknown !== undefined)
    throw new SupervisorArgumentError(command, `options.${unknown}`, 'is not a known key', (options as Record<string, unknown>)[unknown], unknownKeyMessage(unknown, `${command}'s options`, POOL_OPTION_KEYS));
  if (options.withInput !== undefined && typeof options.withInput !== 'function')
    throw new SupervisorArgumentError(command, 'options.withInput', 'must be a function (input, index) => input', options.withInput);
}

const POOL_OPTION_KEYS = ['withInput'] as const;

function checkSize(id: ChildId, size: number): number {
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`Pool "${id}": size must be a non-negative integer, got ${String(size)}.`);
  return size;
}

function memberSpec(base: ChildSpec, index: number, options: PoolOptions): ChildSpec {
  const input = options.withInput ? options.withInput(base.input, index) : base.input;
  const member: { -readonly [K in keyof ChildSpecInput]: ChildSpecInput[K] } = {
    id: poolMemberId(base.id, index),
    start: base.start,
    restart: base.restart,
    shutdown: base.shutdown,
    type: base.type,
    significant: base.significant,
  };
  if (input !== undefined) member.input = input;
  // A ResumeID set on the pool spec would be shared by every member; derive one per member.
  if (base.resumeId !== undefined) member.resumeId = `${base.resumeId}-${index}`;
  if (base.backoff !== undefined) member.backoff = base.backoff;
  if (base.health !== undefined) member.health = base.health;
  return childSpec(member);
}

/** The pool members among a supervisor's children: index by id. */
function membersOf(ref: SupervisorRef, id: ChildId): Map<ChildId, number> {
  const prefix = `${id}-`;
  const members = new Map<ChildId, number>();
  for (const child of whichChildren(ref)) {
    if (!child.id.startsWith(prefix)) continue;
    const rest = child.id.slice(prefix.length);
    if (/^[1-9]\d*$/.test(rest)) members.set(child.id, Number(rest));
  }
  return members;
}

/**
 * Expands one child spec into `size` pool members with ids `${id}-1 … ${id}-${size}`.
 *
 * @remarks
 * Elixir's `PartitionSupervisor` as plain specs: put the result in a supervisor's `children`
 * (spread among other children, or as the whole list of a supervisor of its own, which is what
 * `PartitionSupervisor` is). Every member shares `start`, `restart`, `shutdown`, `type`,
 * `significant`, `backoff` and `health`; `input` is the spec's, or what `options.withInput`
 * makes for the member. Each member has its own id, so with the default ResumeID rule each gets
 * its own `root/…/${id}-${index}`; a `resumeId` set on the spec becomes `${resumeId}-${index}`.
 * Members are independent children: with `one_for_one` a crashed member is restarted alone.
 * Unlike Elixir, members are numbered from 1, and there is no routing function.
 *
 * @param spec - the spec to copy; validated as by {@link childSpec}.
 * @param size - how many members; 0 gives an empty list.
 * @param options - per-member input.
 * @returns the members' validated specs, in index order.
 * @throws {@link InvalidChildSpecError} when the spec is invalid.
 * @throws RangeError when `size` is not a non-negative integer.
 *
 * @example Four parsers under one supervisor, each with its own ResumeID
 * ```ts
 * import assert from 'node:assert/strict';
 * import { defineSupervisor, fromWorker, poolSpecs, startSupervisor, stopSupervisor, whichChildren } from '@trellis/core';
 * const parser = fromWorker(({ signal }) => new Promise((resolve) => signal.addEventListener('abort', resolve)));
 * const children = poolSpecs({ id: 'parser', start: parser, input: { shard: 0 } }, 4, {
 *   withInput: (input, index) => ({ ...input, shard: index }),
 * });
 * assert.deepEqual(children.map((c) => [c.id, c.input?.shard]), [['parser-1', 1], ['parser-2', 2], ['parser-3', 3], ['parser-4', 4]]);
 * const sup = await startSupervisor(defineSupervisor({ id: 'root', children }));
 * assert.deepEqual(whichChildren(sup).map((c) => c.resumeId), ['root/parser-4', 'root/parser-3', 'root/parser-2', 'root/parser-1']);
 * await stopSupervisor(sup);
 * ```
 *
 * @see {@link resizePool} to change the size of a running pool.
 * @category constructors
 * @since 0.1.0
 */
export function poolSpecs(spec: ChildSpecInput | ChildSpec, size: number, options: PoolOptions = {}): ChildSpec[] {
  checkOptions('poolSpecs', options);
  const base = childSpec(spec);
  checkSize(base.id, size);
  const members: ChildSpec[] = [];
  for (let index = 1; index <= size; index++) members.push(memberSpec(base, index, options));
  return members;
}

/**
 * Grows or shrinks a running pool to `size` members and resolves with the number of members it
 * then has.
 *
 * @remarks
 * The members are the supervisor's children whose id is `${spec.id}-<n>` for an integer n ≥ 1.
 * Growing starts each missing member from 1 to `size` with {@link startChild}, in index order,
 * so new members go to the end of the start order (and are stopped first). Shrinking stops the
 * members above `size` from the highest index down, each with {@link terminateChild} (its
 * `shutdown` protocol) and then {@link deleteChild}. Neither counts toward restart intensity.
 * The commands run one at a time; if one rejects, the members handled before it stay as they
 * are and the promise rejects with that command's error. Elixir's `PartitionSupervisor.resize!/2`,
 * without its upper bound.
 *
 * @param ref - the supervisor that holds the pool.
 * @param spec - the pool's spec, as given to {@link poolSpecs}.
 * @param size - the wanted number of members.
 * @param options - per-member input, as given to {@link poolSpecs}.
 * @returns the number of members after resizing.
 * @throws {@link InvalidChildSpecError} when the spec is invalid.
 * @throws RangeError when `size` is not a non-negative integer.
 * @throws {@link StartChildError} when a new member fails to start.
 * @throws {@link SupervisorNotRunningError} when the supervisor has ended.
 *
 * @example Grow a pool from 2 to 4 members, then shrink it to 1
 * ```ts
 * import assert from 'node:assert/strict';
 * import { defineSupervisor, fromWorker, poolSpecs, resizePool, startSupervisor, stopSupervisor, whichChildren } from '@trellis/core';
 * const spec = { id: 'conn', start: fromWorker(({ signal }) => new Promise((resolve) => signal.addEventListener('abort', resolve))) };
 * const sup = await startSupervisor(defineSupervisor({ id: 'root', children: poolSpecs(spec, 2) }));
 * assert.equal(await resizePool(sup, spec, 4), 4);
 * assert.equal(await resizePool(sup, spec, 1), 1);
 * assert.deepEqual(whichChildren(sup).map((c) => c.id), ['conn-1']);
 * await stopSupervisor(sup);
 * ```
 *
 * @category commands
 * @since 0.1.0
 */
export async function resizePool(ref: SupervisorRef, spec: ChildSpecInput | ChildSpec, size: number, options: PoolOptions = {}): Promise<number> {
  checkOptions('resizePool', options);
  const base = childSpec(spec);
  checkSize(base.id, size);
  const members = membersOf(ref, base.id);
  const surplus = [...members].filter(([, index]) => index > size).sort((a, b) => b[1] - a[1]);
  for (const [id] of surplus) {
    await terminateChild(ref, id);
    // A temporary member's spec is dropped by terminateChild already.
    if (whichChildren(ref).some((child) => child.id === id)) await deleteChild(ref, id);
  }
  const present = new Set(members.values());
  for (let index = 1; index <= size; index++) {
    if (!present.has(index)) await startChild(ref, memberSpec(base, index, options));
  }
  return membersOf(ref, base.id).size;
}
