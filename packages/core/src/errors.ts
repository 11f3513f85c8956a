/**
 * The closed set of exceptions `@trellis/core` throws: a caller's mistakes, never a child's
 * failure (that is data: an {@link ExitStatus}).
 *
 * @module
 */
import type { ChildId, ExitStatus } from './types.js';

const BRAND = Symbol.for('@trellis/core/SupervisorError');

/**
 * The `code` of every {@link SupervisorError}: OTP's error atom where there is one.
 *
 * @remarks
 * Each subclass of {@link SupervisorError} has one code, so callers can switch on `error.code`
 * instead of `instanceof` (which fails across copies of the package). The codes follow OTP's error
 * terms: `already_present`, `already_started`, `running`, `restarting`, `not_found`,
 * `simple_one_for_one`.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { ChildNotFoundError, type SupervisorErrorCode } from '@trellis/core';
 * const code: SupervisorErrorCode = 'not_found';
 * assert.equal(new ChildNotFoundError('root', 'db').code, code);
 * ```
 *
 * @category errors
 * @since 0.1.0
 */
export type SupervisorErrorCode =
  | 'invalid_child_spec'
  | 'invalid_flags'
  | 'duplicate_child_name'
  | 'not_found'
  | 'running'
  | 'restarting'
  | 'already_present'
  | 'already_started'
  | 'failed_to_start_child'
  | 'not_running'
  | 'max_children'
  | 'simple_one_for_one'
  | 'badarg';

/**
 * The base of every error `@trellis/core` throws.
 *
 * @remarks
 * Each subclass has a fixed `code` and a one-sentence message that names the offender and the
 * rule. Use {@link isSupervisorError} rather than `instanceof` when two copies of the package
 * may be loaded.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { childSpec, isSupervisorError } from '@trellis/core';
 * assert.throws(
 *   () => childSpec({ id: '', start: undefined as never }),
 *   (error) => isSupervisorError(error) && error.code === 'invalid_child_spec',
 * );
 * ```
 *
 * @category errors
 * @since 0.1.0
 */
export class SupervisorError extends Error {
  /** The class name: `'SupervisorError'` here, each subclass's own name in a subclass. */
  override readonly name: string = 'SupervisorError';
  /** OTP's error atom. */
  readonly code: SupervisorErrorCode;
  /** @internal */
  readonly [BRAND] = true;

  /**
   * Makes an error with its code and message.
   *
   * @param code - OTP's error atom.
   * @param message - one sentence naming the offender and the rule.
   * @param options - `cause`, when the error wraps another one.
   */
  constructor(code: SupervisorErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/**
 * True when `value` is a {@link SupervisorError} from any copy of `@trellis/core`.
 *
 * @remarks
 * It tests the error's brand, not its prototype, so it holds for an error made by another copy of
 * `@trellis/core` in the same process, where `instanceof` fails.
 *
 * @param value - anything caught.
 * @returns whether it is a supervisor error.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { isSupervisorError } from '@trellis/core';
 * assert.equal(isSupervisorError(new Error('x')), false);
 * ```
 *
 * @category errors
 * @since 0.1.0
 */
export function isSupervisorError(value: unknown): value is SupervisorError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

/**
 * A child spec field breaks its rule (OTP `do_check_childspec`).
 *
 * @remarks
 * `field` names the field, `value` holds what was given. Thrown by {@link childSpec},
 * {@link defineSupervisor} and {@link startChild}; nothing is started when a spec is invalid.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { childSpec, fromWorker, InvalidChildSpecError } from '@trellis/core';
 * assert.throws(
 *   () => childSpec({ id: 'db', start: fromWorker(() => {}), shutdown: -10 }),
 *   InvalidChildSpecError,
 * );
 * ```
 *
 * @category errors
 * @since 0.1.0
 */
export class InvalidChildSpecError extends SupervisorError {
  /** Always `'InvalidChildSpecError'`. */
  override readonly name = 'InvalidChildSpecError';
  /** The spec's `id` as given; `undefined` when the spec has none or is not an object. */
  readonly childId: unknown;
  /** The field that breaks its rule, such as `'shutdown'` or `'backoff.minMs'`. */
  readonly field: string;
  /** The value that was given for that field. */
  readonly value: unknown;
  /**
   * Makes the error for one field of one spec.
   *
   * @param childId - the spec's `id` as given.
   * @param field - the offending field.
   * @param rule - the rule it breaks, as the end of a sentence (`must be a boolean`).
   * @param value - the value given.
   * @param message - the whole message, when the usual `field rule, got value` does not fit (an unknown key).
   */
  constructor(childId: unknown, field: string, rule: string, value: unknown, message?: string) {
    super('invalid_child_spec', message ?? `Child spec ${describeId(childId)}: ${field} ${rule}, got ${describe(value)}.`);
    this.childId = childId;
    this.field = field;
    this.value = value;
  }
}

/**
 * A supervisor flag breaks its rule (OTP `{supervisor_data, _}`).
 *
 * @remarks
 * Thrown by {@link defineSupervisor} and {@link defineDynamicSupervisor} before any child starts.
 * `field` names the flag (`id`, `strategy`, `intensity`, `periodMs`, `autoShutdown`, `maxChildren`)
 * and `value` holds what was given; the OTP reasons (`invalid_intensity`, `invalid_period`, ...)
 * appear in the message.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { defineSupervisor, InvalidSupervisorFlagsError } from '@trellis/core';
 * assert.throws(() => defineSupervisor({ id: 'root', children: [], intensity: -1 }), InvalidSupervisorFlagsError);
 * ```
 *
 * @category errors
 * @since 0.1.0
 */
export class InvalidSupervisorFlagsError extends SupervisorError {
  /** Always `'InvalidSupervisorFlagsError'`. */
  override readonly name = 'InvalidSupervisorFlagsError';
  /** The supervisor's `id` as given (possibly not a string). */
  readonly supervisorId: unknown;
  /** The flag that breaks its rule, such as `'intensity'`. */
  readonly field: string;
  /** The value that was given for that flag. */
  readonly value: unknown;
  /**
   * Makes the error for one flag of one supervisor.
   *
   * @param supervisorId - the supervisor's `id` as given.
   * @param field - the offending flag.
   * @param rule - the rule it breaks, as the end of a sentence (`must be an integer >= 0`).
   * @param value - the value given.
   * @param message - the whole message, when the usual `field rule, got value` does not fit (an unknown key).
   */
  constructor(supervisorId: unknown, field: string, rule: string, value: unknown, message?: string) {
    super('invalid_flags', message ?? `Supervisor ${describeId(supervisorId)}: ${field} ${rule}, got ${describe(value)}.`);
    this.supervisorId = supervisorId;
    this.field = field;
    this.value = value;
  }
}

/**
 * Two children of one supervisor share an id (OTP `duplicate_child_name`).
 *
 * @remarks
 * Thrown by {@link defineSupervisor} when the static child list repeats an id; {@link startChild}
 * with a taken id raises {@link ChildAlreadyStartedError} or {@link ChildAlreadyPresentError}
 * instead, as in OTP.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { defineSupervisor, fromWorker, DuplicateChildIdError } from '@trellis/core';
 * const start = fromWorker(() => {});
 * assert.throws(
 *   () => defineSupervisor({ id: 'root', children: [{ id: 'a', start }, { id: 'a', start }] }),
 *   DuplicateChildIdError,
 * );
 * ```
 *
 * @category errors
 * @since 0.1.0
 */
export class DuplicateChildIdError extends SupervisorError {
  /** Always `'DuplicateChildIdError'`. */
  override readonly name = 'DuplicateChildIdError';
  /** The child's id. */
  readonly childId: ChildId;
  /**
   * Makes the error for one child of one supervisor.
   *
   * @param supervisorId - the supervisor's path from the root (`root/db`) once it runs, else its id.
   * @param childId - the child's id.
   */
  constructor(supervisorId: string, childId: ChildId) {
    super('duplicate_child_name', `Supervisor "${supervisorId}": child id "${childId}" is used twice; ids must be unique.`);
    this.childId = childId;
  }
}

/**
 * No child has this id.
 *
 * @remarks
 * OTP's `{error, not_found}`, raised by {@link terminateChild}, {@link restartChild},
 * {@link deleteChild} and {@link getChildSpec}.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { ChildNotFoundError, defineSupervisor, startSupervisor, stopSupervisor, terminateChild } from '@trellis/core';
 * const sup = await startSupervisor(defineSupervisor({ id: 'root', children: [] }));
 * await assert.rejects(terminateChild(sup, 'db'), ChildNotFoundError);
 * await stopSupervisor(sup);
 * ```
 *
 * @category errors
 * @since 0.1.0
 */
export class ChildNotFoundError extends SupervisorError {
  /** Always `'ChildNotFoundError'`. */
  override readonly name = 'ChildNotFoundError';
  /** The child's id. */
  readonly childId: ChildId;
  /**
   * Makes the error for one child of one supervisor.
   *
   * @param supervisorId - the supervisor's path from the root (`root/db`) once it runs, else its id.
   * @param childId - the child's id.
   */
  constructor(supervisorId: string, childId: ChildId) {
    super('not_found', `Supervisor "${supervisorId}" has no child "${childId}".`);
    this.childId = childId;
  }
}

/**
 * The command needs a stopped child and this one is running (`restartChild`, `deleteChild`).
 *
 * @remarks
 * OTP's `{error, running}`: stop the child with {@link terminateChild} first.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { ChildRunningError, defineSupervisor, deleteChild, fromWorker, startSupervisor, stopSupervisor } from '@trellis/core';
 * const idle = fromWorker(({ signal }) => new Promise((r) => signal.addEventListener('abort', r)));
 * const sup = await startSupervisor(defineSupervisor({ id: 'root', children: [{ id: 'db', start: idle }] }));
 * await assert.rejects(deleteChild(sup, 'db'), ChildRunningError);
 * await stopSupervisor(sup);
 * ```
 *
 * @category errors
 * @since 0.1.0
 */
export class ChildRunningError extends SupervisorError {
  /** Always `'ChildRunningError'`. */
  override readonly name = 'ChildRunningError';
  /** The child's id. */
  readonly childId: ChildId;
  /**
   * Makes the error for one child of one supervisor.
   *
   * @param supervisorId - the supervisor's path from the root (`root/db`) once it runs, else its id.
   * @param childId - the child's id.
   * @param what - what the command would do to it, as a past participle (`'restarted'`, `'deleted'`).
   */
  constructor(supervisorId: string, childId: ChildId, what: string) {
    super('running', `Supervisor "${supervisorId}": child "${childId}" is running, so it cannot be ${what}; terminate it first.`);
    this.childId = childId;
  }
}

/**
 * The command needs a stopped child and this one is in a restart loop (`restartChild`,
 * `deleteChild`).
 *
 * @remarks
 * OTP's `{error, restarting}`. {@link terminateChild} ends the loop and leaves the child stopped.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { ChildRestartingError } from '@trellis/core';
 * const error = new ChildRestartingError('root', 'db', 'restarted');
 * assert.equal(error.code, 'restarting');
 * ```
 *
 * @category errors
 * @since 0.1.0
 */
export class ChildRestartingError extends SupervisorError {
  /** Always `'ChildRestartingError'`. */
  override readonly name = 'ChildRestartingError';
  /** The child's id. */
  readonly childId: ChildId;
  /**
   * Makes the error for one child of one supervisor.
   *
   * @param supervisorId - the supervisor's path from the root (`root/db`) once it runs, else its id.
   * @param childId - the child's id.
   * @param what - what the command would do to it, as a past participle (`'restarted'`, `'deleted'`).
   */
  constructor(supervisorId: string, childId: ChildId, what: string) {
    super(
      'restarting',
      `Supervisor "${supervisorId}": child "${childId}" is restarting, so it cannot be ${what}; terminateChild ends the restart loop.`,
    );
    this.childId = childId;
  }
}

/**
 * `startChild` with the id of a child that is stopped or restarting (OTP `already_present`).
 *
 * @remarks
 * The spec is kept but the child is not running: use {@link restartChild}, or {@link deleteChild}
 * and then start the new spec.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { ChildAlreadyPresentError, defineSupervisor, fromWorker, startChild, startSupervisor, stopSupervisor, terminateChild } from '@trellis/core';
 * const idle = fromWorker(({ signal }) => new Promise((r) => signal.addEventListener('abort', r)));
 * const sup = await startSupervisor(defineSupervisor({ id: 'root', children: [{ id: 'db', start: idle }] }));
 * await terminateChild(sup, 'db');
 * await assert.rejects(startChild(sup, { id: 'db', start: idle }), ChildAlreadyPresentError);
 * await stopSupervisor(sup);
 * ```
 *
 * @category errors
 * @since 0.1.0
 */
export class ChildAlreadyPresentError extends SupervisorError {
  /** Always `'ChildAlreadyPresentError'`. */
  override readonly name = 'ChildAlreadyPresentError';
  /** The child's id. */
  readonly childId: ChildId;
  /**
   * Makes the error for one child of one supervisor.
   *
   * @param supervisorId - the supervisor's path from the root (`root/db`) once it runs, else its id.
   * @param childId - the child's id.
   */
  constructor(supervisorId: string, childId: ChildId) {
    super(
      'already_present',
      `Supervisor "${supervisorId}" already has a spec "${childId}" that is not running; use restartChild or deleteChild.`,
    );
    this.childId = childId;
  }
}

/**
 * `startChild` with the id of a running child (OTP `already_started`).
 *
 * @remarks
 * OTP returns `{error, {already_started, Pid}}`; the running child is left as it is.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { ChildAlreadyStartedError, defineSupervisor, fromWorker, startChild, startSupervisor, stopSupervisor } from '@trellis/core';
 * const idle = fromWorker(({ signal }) => new Promise((r) => signal.addEventListener('abort', r)));
 * const sup = await startSupervisor(defineSupervisor({ id: 'root', children: [{ id: 'db', start: idle }] }));
 * await assert.rejects(startChild(sup, { id: 'db', start: idle }), ChildAlreadyStartedError);
 * await stopSupervisor(sup);
 * ```
 *
 * @category errors
 * @since 0.1.0
 */
export class ChildAlreadyStartedError extends SupervisorError {
  /** Always `'ChildAlreadyStartedError'`. */
  override readonly name = 'ChildAlreadyStartedError';
  /** The child's id. */
  readonly childId: ChildId;
  /**
   * Makes the error for one child of one supervisor.
   *
   * @param supervisorId - the supervisor's path from the root (`root/db`) once it runs, else its id.
   * @param childId - the child's id.
   */
  constructor(supervisorId: string, childId: ChildId) {
    super('already_started', `Supervisor "${supervisorId}": child "${childId}" is already running; ids must be unique.`);
    this.childId = childId;
  }
}

/**
 * A child failed to start (OTP `{shutdown, {failed_to_start_child, Id, Reason}}`).
 *
 * @remarks
 * `childId` names the child and `cause` holds what its start threw or rejected with; for a
 * nested supervisor the cause is that supervisor's own `StartChildError`, so the chain names
 * the whole path.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { defineSupervisor, fromWorker, startChild, StartChildError, startSupervisor, stopSupervisor } from '@trellis/core';
 * const sup = await startSupervisor(defineSupervisor({ id: 'root', children: [] }));
 * const db = fromWorker(() => {
 *   throw new Error('ECONNREFUSED');
 * });
 * await assert.rejects(startChild(sup, { id: 'db', start: db }), (error) => {
 *   assert.ok(error instanceof StartChildError);
 *   assert.equal(error.code, 'failed_to_start_child');
 *   assert.equal(error.childId, 'db');
 *   assert.equal((error.cause as Error).message, 'ECONNREFUSED');
 *   return true;
 * });
 * await stopSupervisor(sup);
 * ```
 *
 * @category errors
 * @since 0.1.0
 */
export class StartChildError extends SupervisorError {
  /** Always `'StartChildError'`. */
  override readonly name = 'StartChildError';
  /** The child that failed to start. */
  readonly childId: ChildId;
  /** The path of the supervisor whose child it is, such as `root/db`. */
  readonly supervisorId: string;
  /**
   * Makes the error for a child whose start failed.
   *
   * @param supervisorId - the supervisor's path from the root (`root/db`) once it runs, else its id.
   * @param childId - the child's id.
   * @param cause - what the start threw or rejected with.
   */
  constructor(supervisorId: string, childId: ChildId, cause: unknown) {
    super(
      'failed_to_start_child',
      `Supervisor "${supervisorId}": child "${childId}" failed to start: ${causeMessage(cause)}.`,
      { cause },
    );
    this.childId = childId;
    this.supervisorId = supervisorId;
  }
}

/**
 * A command or query reached a supervisor that has ended or is shutting down.
 *
 * @remarks
 * OTP would exit the caller with `noproc`; trellis rejects the command instead. Queries such as
 * {@link whichChildren} throw it synchronously, commands reject with it.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { defineSupervisor, startSupervisor, stopSupervisor, SupervisorNotRunningError, whichChildren } from '@trellis/core';
 * const sup = await startSupervisor(defineSupervisor({ id: 'root', children: [] }));
 * await stopSupervisor(sup);
 * assert.throws(() => whichChildren(sup), SupervisorNotRunningError);
 * ```
 *
 * @category errors
 * @since 0.1.0
 */
export class SupervisorNotRunningError extends SupervisorError {
  /** Always `'SupervisorNotRunningError'`. */
  override readonly name = 'SupervisorNotRunningError';
  /** The supervisor that refused the command. */
  readonly supervisorId: string;
  /**
   * Makes the error for a command the supervisor cannot serve.
   *
   * @param supervisorId - the supervisor's path or actor id.
   * @param command - the command's name, such as `'startChild'`.
   */
  constructor(supervisorId: string, command: string) {
    super('not_running', `Supervisor "${supervisorId}" is not running, so ${command} cannot be served.`);
    this.supervisorId = supervisorId;
  }
}

function describeId(id: unknown): string {
  return typeof id === 'string' ? `"${id}"` : describe(id);
}

/** A short, safe rendering of any value for an error message. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return `a function${value.name ? ` ${value.name}` : ''}`;
  if (value === null || typeof value !== 'object') return String(value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return 'an object';
}

function causeMessage(cause: unknown): string {
  if (cause instanceof Error) return cause.message.replace(/\.$/, '');
  if (typeof cause === 'object' && cause !== null && 'reason' in cause) return `exited ${String((cause as ExitStatus).reason)}`;
  return describe(cause);
}

/**
 * A dynamic supervisor already holds `maxChildren` children (Elixir `{:error, :max_children}`).
 *
 * @remarks
 * Children waiting to be restarted count, as in Elixir's `DynamicSupervisor`.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { defineDynamicSupervisor, fromWorker, MaxChildrenError, startChild, startSupervisor, stopSupervisor } from '@trellis/core';
 * const idle = fromWorker(({ signal }) => new Promise((r) => signal.addEventListener('abort', r)));
 * const sup = await startSupervisor(defineDynamicSupervisor({ id: 'conns', child: { id: 'conn', start: idle }, maxChildren: 1 }));
 * await startChild(sup, {});
 * await assert.rejects(startChild(sup, {}), MaxChildrenError);
 * await stopSupervisor(sup);
 * ```
 *
 * @category errors
 * @since 0.1.0
 */
export class MaxChildrenError extends SupervisorError {
  override readonly name = 'MaxChildrenError';
  /** The limit that was reached. */
  readonly maxChildren: number;
  /**
   * @param supervisorId - the dynamic supervisor's path.
   * @param maxChildren - its limit.
   */
  constructor(supervisorId: string, maxChildren: number) {
    super('max_children', `Dynamic supervisor "${supervisorId}" already has maxChildren (${maxChildren}) children, restarting ones included.`);
    this.maxChildren = maxChildren;
  }
}

/**
 * A command that a dynamic supervisor does not serve: `restartChild` or `deleteChild`.
 *
 * @remarks
 * OTP's `{error, simple_one_for_one}`. The children of a dynamic supervisor are started with
 * {@link startChild} and removed with {@link terminateChild}.
 *
 * @example
 * ```ts
 * import { DynamicSupervisorError } from '@trellis/core';
 * const error = new DynamicSupervisorError('root/conns', 'restartChild');
 * ```
 *
 * @category errors
 * @since 0.1.0
 */
export class DynamicSupervisorError extends SupervisorError {
  override readonly name = 'DynamicSupervisorError';
  /**
   * @param supervisorId - the dynamic supervisor's path.
   * @param command - the refused command.
   */
  constructor(supervisorId: string, command: string) {
    super('simple_one_for_one', `Dynamic supervisor "${supervisorId}" does not serve ${command}: start children with startChild and remove them with terminateChild.`);
  }
}

/**
 * An argument of a command breaks its rule (OTP's `badarg`): a `startSupervisor` option, or
 * `stopSupervisor`'s reason.
 *
 * @remarks
 * OTP's `badarg`: a `startSupervisor` option or `stopSupervisor`'s reason. `command`, `argument`
 * and `value` say which argument was wrong and what was given.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { defineSupervisor, startSupervisor, SupervisorArgumentError } from '@trellis/core';
 * await assert.rejects(startSupervisor(defineSupervisor({ id: 'root', children: [] }), { clock: {} as never }), SupervisorArgumentError);
 * ```
 *
 * @category errors
 * @since 0.1.0
 */
export class SupervisorArgumentError extends SupervisorError {
  override readonly name = 'SupervisorArgumentError';
  /** The argument or option that broke its rule. */
  readonly argument: string;
  /** What was given. */
  readonly value: unknown;
  /**
   * @param command - the command, e.g. `startSupervisor`.
   * @param argument - the argument or option.
   * @param rule - the rule, as a clause.
   * @param value - what was given.
   * @param message - the whole message, when the usual `argument rule, got value` does not fit (an unknown key).
   */
  constructor(command: string, argument: string, rule: string, value: unknown, message?: string) {
    super('badarg', message ?? `${command}: ${argument} ${rule}, got ${describe(value)}.`);
    this.argument = argument;
    this.value = value;
  }
}
