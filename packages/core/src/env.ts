/**
 * The env injector: the wire format that carries a child's {@link Handover} to an OS process
 * through environment variables, and the reader the child uses to get it back.
 *
 * At run time this module imports only modules of core that themselves import nothing (the one
 * JSON projection, `toJSONValue`), so a child process can import `@trellis/core/env` without
 * loading XState or the rest of `@trellis/core`. The variables are
 * `TRELLIS_RESUME_ID`, `TRELLIS_INCARNATION`, `TRELLIS_PREV_EXIT_REASON`,
 * `TRELLIS_PREV_EXIT_CODE`, `TRELLIS_PREV_EXIT_SIGNAL` and the whole record as JSON in
 * `TRELLIS_HANDOVER`; the prefix is configurable. See the guide "The handover protocol".
 *
 * @module
 */
import type { ExitReason } from './exitReasons.js';
import { readSafely, safeString, toJSONValue, unserializable } from './reports/toJSONValue.js';
import type { ExitStatus, Handover } from './types.js';

// Import only zero-import modules of core at run time (today: the one JSON projection):
// `test/unit/env.test.ts` checks the built import graph, because `@trellis/core/env` must load in
// a child process without XState.

const DEFAULT_PREFIX = 'TRELLIS_';

/**
 * Every exit reason the reader accepts: all of {@link ExitReason}. The list itself is
 * `exitReasons.ts`'s `EXIT_REASONS`; this file may import types only (see above), so it keys a
 * record by the type instead, and the compiler fails here when a reason is added there and not
 * here (or the other way round).
 */
const WIRE_EXIT_REASONS: ReadonlySet<string> = new Set(
  Object.keys({ normal: true, shutdown: true, error: true, killed: true, timeout: true, bystander: true, lost: true, replaced: true } satisfies Record<ExitReason, true>),
);

/** The suffixes after the prefix, one per variable. */
const SUFFIX = {
  resumeId: 'RESUME_ID',
  incarnation: 'INCARNATION',
  reason: 'PREV_EXIT_REASON',
  code: 'PREV_EXIT_CODE',
  signal: 'PREV_EXIT_SIGNAL',
  handover: 'HANDOVER',
  fencingToken: 'FENCING_TOKEN',
} as const;

/** A decimal number as `String(n)` writes a finite number, and as a person would type one. */
const DECIMAL = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const NON_NEGATIVE_INTEGER = /^\d+$/;

/**
 * The error {@link handoverFromEnv} throws when the handover variables are present but malformed.
 *
 * @remarks
 * `code` is always `'invalid_handover_env'`; `variable` is the full name of the offending
 * environment variable, prefix included (for example `TRELLIS_INCARNATION`). The message is one
 * sentence that names the variable and the rule it broke. When the variable held text that is
 * not JSON, `cause` is the `SyntaxError` from `JSON.parse`. The class lives in the env module,
 * not under `SupervisorError`, because this module must not load the rest of core.
 *
 * @example Tell a malformed handover apart from other errors
 * ```ts
 * import assert from 'node:assert/strict';
 * import { HandoverEnvError, handoverFromEnv } from '@trellis/core/env';
 *
 * try {
 *   handoverFromEnv({ TRELLIS_RESUME_ID: 'root/db', TRELLIS_INCARNATION: 'two' });
 *   assert.fail('expected a HandoverEnvError');
 * } catch (error) {
 *   assert.ok(error instanceof HandoverEnvError);
 *   assert.equal(error.code, 'invalid_handover_env');
 *   assert.equal(error.variable, 'TRELLIS_INCARNATION');
 * }
 * ```
 *
 * @category handover
 * @since 0.1.0
 */
export class HandoverEnvError extends Error {
  /** Always `'HandoverEnvError'`, so the name survives minification. */
  override readonly name: 'HandoverEnvError' = 'HandoverEnvError';
  /** Always `'invalid_handover_env'`. */
  readonly code: 'invalid_handover_env' = 'invalid_handover_env';
  /** The full name of the offending environment variable, prefix included. */
  readonly variable: string;

  /**
   * Makes the error for one malformed variable.
   *
   * @param message - One sentence naming the variable and the rule.
   * @param variable - The full name of the offending environment variable.
   * @param options - `cause`, when the error wraps another one.
   */
  constructor(message: string, variable: string, options?: { readonly cause?: unknown }) {
    super(message, options);
    this.variable = variable;
  }
}

/**
 * Turns a handover into the environment variables an OS-process child receives.
 *
 * @remarks
 * With the default prefix `TRELLIS_` the result holds `TRELLIS_RESUME_ID`,
 * `TRELLIS_INCARNATION`, `TRELLIS_PREV_EXIT_REASON`, `TRELLIS_PREV_EXIT_CODE`,
 * `TRELLIS_PREV_EXIT_SIGNAL`, and `TRELLIS_HANDOVER`, the whole record as JSON. A variable whose
 * value would be `null` or `undefined` is left out: on a first start (`previousExit: null`) there
 * is no `PREV_*` variable, and an exit with `code: null` has no `PREV_EXIT_CODE`. The JSON keeps
 * `null` values as they are, so it is the exact record.
 *
 * This function never throws for any handover. `previousExit.detail` goes through
 * `toJSONValue`, the one JSON projection of trellis (decision 0017): what `JSON.stringify` keeps
 * is kept as it would write it (so `NaN` becomes `null` and a function or symbol is dropped), an
 * `Error` becomes `{ name, message, stack?, code? }`, a `BigInt` its decimal string (`"12"`), a
 * reference back to an enclosing object `"[Circular]"`, and a value that throws while being read
 * (a getter, a proxy, a `toJSON`) `"[unserializable: TypeError: …]"`. JSON-safe detail is
 * written unchanged, so {@link handoverFromEnv} returns a record deep-equal to the input.
 *
 * @param handover - The record to write, usually the one the supervisor made for this start.
 * @param options - `prefix` replaces `TRELLIS_` in every variable name; default `'TRELLIS_'`.
 * @returns A fresh object of variable name to value, ready to merge into a child's `env`.
 *
 * @example Write the variables for a restarted child
 * ```ts
 * import assert from 'node:assert/strict';
 * import { handoverToEnv, handoverFromEnv } from '@trellis/core/env';
 *
 * const handover = {
 *   resumeId: 'root/db/writer',
 *   incarnation: 2,
 *   previousExit: { reason: 'error', code: 1, signal: null, at: 1_700_000_000_000 },
 * } as const;
 * const env = handoverToEnv(handover);
 * assert.equal(env.TRELLIS_RESUME_ID, 'root/db/writer');
 * assert.equal(env.TRELLIS_INCARNATION, '2');
 * assert.equal(env.TRELLIS_PREV_EXIT_REASON, 'error');
 * assert.equal(env.TRELLIS_PREV_EXIT_CODE, '1');
 * assert.equal(env.TRELLIS_PREV_EXIT_SIGNAL, undefined); // null is left out
 * assert.deepEqual(handoverFromEnv(env), handover);
 * ```
 *
 * @category handover
 * @since 0.1.0
 */
export function handoverToEnv(
  handover: Handover,
  options?: { readonly prefix?: string },
): Record<string, string> {
  const prefix = options?.prefix ?? DEFAULT_PREFIX;
  const env: Record<string, string> = {};
  const put = (suffix: string, value: unknown): void => {
    if (value === null || value === undefined) return;
    env[prefix + suffix] = safeString(value);
  };

  const previousExit = readSafely(() => handover.previousExit);
  put(SUFFIX.resumeId, readSafely(() => handover.resumeId));
  put(SUFFIX.incarnation, readSafely(() => handover.incarnation));
  // Set only for a child that runs under a cluster lease (@trellis/cluster): its lease's epoch.
  const fencingToken = readSafely(() => handover.fencingToken);
  if (typeof fencingToken === 'number') put(SUFFIX.fencingToken, fencingToken);
  if (typeof previousExit === 'object' && previousExit !== null) {
    put(SUFFIX.reason, readSafely(() => previousExit.reason));
    put(SUFFIX.code, readSafely(() => previousExit.code));
    put(SUFFIX.signal, readSafely(() => previousExit.signal));
  }
  env[prefix + SUFFIX.handover] = handoverJson(handover);
  return env;
}

/**
 * Reads the handover an OS-process child was started with back from its environment.
 *
 * @remarks
 * `env` defaults to `process.env` (read through `globalThis.process`, so the call also works
 * where there is no `process`: it then returns `undefined`); `prefix` defaults to `'TRELLIS_'`.
 * A variable set to the empty string counts as absent. The result is `undefined` when both
 * `TRELLIS_HANDOVER` and `TRELLIS_RESUME_ID` are absent: the process was not started by a
 * supervisor.
 *
 * `TRELLIS_HANDOVER` is the source of truth. Its JSON is validated strictly: `resumeId` a
 * non-empty string; `incarnation` a non-negative integer; `previousExit` `null` or an object with
 * `reason` one of `'normal'`, `'shutdown'`, `'error'`, `'killed'`, `'timeout'`, `'bystander'`,
 * `'lost'`, `'replaced'`, a finite number `at`, `code` a number, `null` or absent, and `signal` a string,
 * `null` or absent; `detail` is any JSON value. Unknown keys are ignored and dropped, so a newer
 * writer does not break an older reader. Every individual variable that is present must agree
 * with the JSON.
 *
 * Without `TRELLIS_HANDOVER` the record is built from the individual variables:
 * `TRELLIS_INCARNATION` is then required, `detail` is absent, a missing `PREV_EXIT_CODE` or
 * `PREV_EXIT_SIGNAL` leaves `code` or `signal` absent, and `at` is `0` because the individual
 * variables do not carry the exit time.
 *
 * @param env - The environment to read; default `process.env`.
 * @param options - `prefix` replaces `TRELLIS_` in every variable name; default `'TRELLIS_'`.
 * @returns The handover, or `undefined` when the process was started without one.
 *
 * @throws {@link HandoverEnvError} when a handover variable is present but malformed or
 * disagrees with `TRELLIS_HANDOVER`; `variable` names it. No partial record is ever returned.
 *
 * @example Resume from the previous incarnation in a child process
 * ```ts
 * import assert from 'node:assert/strict';
 * import { handoverToEnv, handoverFromEnv } from '@trellis/core/env';
 *
 * // In the child: `handoverFromEnv()` reads process.env. Here the env is built by hand.
 * const env = handoverToEnv({ resumeId: 'root/db/writer', incarnation: 0, previousExit: null });
 * const handover = handoverFromEnv(env);
 * assert.equal(handover?.incarnation, 0);
 * assert.equal(handover?.previousExit, null);
 * assert.equal(handoverFromEnv({}), undefined);
 * ```
 *
 * @category handover
 * @since 0.1.0
 */
export function handoverFromEnv(
  env?: Record<string, string | undefined>,
  options?: { readonly prefix?: string },
): Handover | undefined {
  const source = env ?? defaultEnv();
  const prefix = options?.prefix ?? DEFAULT_PREFIX;
  const names = {
    resumeId: prefix + SUFFIX.resumeId,
    incarnation: prefix + SUFFIX.incarnation,
    reason: prefix + SUFFIX.reason,
    code: prefix + SUFFIX.code,
    signal: prefix + SUFFIX.signal,
    handover: prefix + SUFFIX.handover,
  };
  const read = (name: string): string | undefined => {
    const value = source[name];
    return value === undefined || value === '' ? undefined : value;
  };
  const vars: IndividualVars = {
    resumeId: read(names.resumeId),
    incarnation: read(names.incarnation),
    reason: read(names.reason),
    code: read(names.code),
    signal: read(names.signal),
  };
  const json = read(names.handover);

  if (json === undefined) {
    if (vars.resumeId === undefined) return undefined;
    return fromIndividualVars(vars.resumeId, vars, names);
  }
  const handover = parseHandoverJson(json, names.handover);
  checkAgreement(handover, vars, names);
  const tokenVariable = prefix + SUFFIX.fencingToken;
  const token = read(tokenVariable);
  if (token !== undefined && token !== String(handover.fencingToken)) {
    fail(tokenVariable, `must agree with ${names.handover}, which has fencingToken ${handover.fencingToken ?? 'absent'}`, token);
  }
  return handover;
}

// ---------------------------------------------------------------------------------------------
// Reading

interface VariableNames {
  readonly resumeId: string;
  readonly incarnation: string;
  readonly reason: string;
  readonly code: string;
  readonly signal: string;
  readonly handover: string;
}

interface IndividualVars {
  readonly resumeId: string | undefined;
  readonly incarnation: string | undefined;
  readonly reason: string | undefined;
  readonly code: string | undefined;
  readonly signal: string | undefined;
}

function defaultEnv(): Record<string, string | undefined> {
  // No `process` global types are assumed: this module also loads where there is no `process`.
  const host = globalThis as { readonly process?: { readonly env?: Record<string, string | undefined> } };
  return host.process?.env ?? {};
}

/** Marks a failure whose message has no "got …" part. */
const NOTHING_GOT: unique symbol = Symbol('nothing got');

function fail(variable: string, rule: string, got: unknown = NOTHING_GOT, cause?: unknown): never {
  const message =
    got === NOTHING_GOT
      ? `Environment variable ${variable}: ${rule}.`
      : `Environment variable ${variable}: ${rule}, got ${describe(got)}.`;
  throw new HandoverEnvError(message, variable, cause === undefined ? undefined : { cause });
}

/** A short, printable rendering of an offending value for an error message. */
function describe(value: unknown): string {
  let text: string;
  if (value === undefined) text = 'undefined';
  else if (Array.isArray(value)) text = 'an array';
  else if (typeof value === 'object' && value !== null) text = 'an object';
  else text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hasOwn(object: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(object, key);
}

function parseHandoverJson(json: string, variable: string): Handover {
  const handover = parseHandoverRecord(json, variable);
  const token = (JSON.parse(json) as Record<string, unknown>)['fencingToken'];
  if (token === undefined) return handover;
  if (typeof token !== 'number' || !Number.isSafeInteger(token) || token < 0) {
    fail(variable, 'fencingToken must be a non-negative integer when present', token);
  }
  return { ...handover, fencingToken: token };
}

function parseHandoverRecord(json: string, variable: string): Handover {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    fail(variable, `must be valid JSON (${reason})`, NOTHING_GOT, error);
  }
  if (!isRecord(parsed)) {
    fail(variable, 'must be a JSON object with resumeId, incarnation and previousExit', parsed);
  }

  const { resumeId, incarnation } = parsed;
  if (typeof resumeId !== 'string' || resumeId === '') {
    fail(variable, 'resumeId must be a non-empty string', resumeId);
  }
  if (typeof incarnation !== 'number' || !Number.isSafeInteger(incarnation) || incarnation < 0) {
    fail(variable, 'incarnation must be a non-negative integer', incarnation);
  }
  if (!hasOwn(parsed, 'previousExit')) {
    fail(variable, 'previousExit is required and must be null or an exit status object');
  }
  const previousExit = parsed['previousExit'];
  if (previousExit === null) return { resumeId, incarnation, previousExit: null };
  if (!isRecord(previousExit)) {
    fail(variable, 'previousExit must be null or an exit status object', previousExit);
  }

  const { reason, at, code, signal } = previousExit;
  if (typeof reason !== 'string' || !WIRE_EXIT_REASONS.has(reason)) {
    fail(variable, `previousExit.reason must be one of ${[...WIRE_EXIT_REASONS].join(', ')}`, reason);
  }
  if (typeof at !== 'number' || !Number.isFinite(at)) {
    fail(variable, 'previousExit.at must be a number of epoch milliseconds', at);
  }
  if (hasOwn(previousExit, 'code') && code !== null && (typeof code !== 'number' || !Number.isFinite(code))) {
    fail(variable, 'previousExit.code must be a number or null when present', code);
  }
  if (hasOwn(previousExit, 'signal') && signal !== null && typeof signal !== 'string') {
    fail(variable, 'previousExit.signal must be a string or null when present', signal);
  }

  const status: { -readonly [K in keyof ExitStatus]: ExitStatus[K] } = {
    reason: reason as ExitReason,
    at,
  };
  if (hasOwn(previousExit, 'detail')) status.detail = previousExit['detail'];
  if (hasOwn(previousExit, 'code')) status.code = code as number | null;
  if (hasOwn(previousExit, 'signal')) status.signal = signal as string | null;
  return { resumeId, incarnation, previousExit: status };
}

function parseIncarnation(text: string, variable: string): number {
  const value = Number(text);
  if (!NON_NEGATIVE_INTEGER.test(text) || !Number.isSafeInteger(value)) {
    fail(variable, 'must be a non-negative integer', text);
  }
  return value;
}

function parseCode(text: string, variable: string): number {
  const value = Number(text);
  if (!DECIMAL.test(text) || !Number.isFinite(value)) {
    fail(variable, 'must be a number', text);
  }
  return value;
}

function parseReason(text: string, variable: string): ExitReason {
  if (!WIRE_EXIT_REASONS.has(text)) {
    fail(variable, `must be one of ${[...WIRE_EXIT_REASONS].join(', ')}`, text);
  }
  // May be 'lost', which ExitReason does not list yet (see WIRE_EXIT_REASONS).
  return text as ExitReason;
}

function checkAgreement(handover: Handover, vars: IndividualVars, names: VariableNames): void {
  const from = names.handover;
  const disagree = (variable: string, expected: string, got: string): never =>
    fail(variable, `must agree with ${from}, which has ${expected}`, got);
  const exit = handover.previousExit;

  if (vars.resumeId !== undefined && vars.resumeId !== handover.resumeId) {
    disagree(names.resumeId, `resumeId ${JSON.stringify(handover.resumeId)}`, vars.resumeId);
  }
  if (vars.incarnation !== undefined) {
    const incarnation = parseIncarnation(vars.incarnation, names.incarnation);
    if (incarnation !== handover.incarnation) {
      disagree(names.incarnation, `incarnation ${handover.incarnation}`, vars.incarnation);
    }
  }
  if (vars.reason !== undefined) {
    const reason = parseReason(vars.reason, names.reason);
    if (exit === null) disagree(names.reason, 'previousExit null', vars.reason);
    else if (reason !== exit.reason) {
      disagree(names.reason, `previousExit.reason ${JSON.stringify(exit.reason)}`, vars.reason);
    }
  }
  if (vars.code !== undefined) {
    const code = parseCode(vars.code, names.code);
    if (exit === null) disagree(names.code, 'previousExit null', vars.code);
    else if (code !== exit.code) {
      disagree(names.code, `previousExit.code ${String(exit.code ?? 'absent')}`, vars.code);
    }
  }
  if (vars.signal !== undefined) {
    if (exit === null) disagree(names.signal, 'previousExit null', vars.signal);
    else if (vars.signal !== exit.signal) {
      const expected = typeof exit.signal === 'string' ? JSON.stringify(exit.signal) : String(exit.signal ?? 'absent');
      disagree(names.signal, `previousExit.signal ${expected}`, vars.signal);
    }
  }
}

function fromIndividualVars(resumeId: string, vars: IndividualVars, names: VariableNames): Handover {
  if (vars.incarnation === undefined) {
    fail(names.incarnation, `must be set when ${names.resumeId} is set and ${names.handover} is not`);
  }
  const incarnation = parseIncarnation(vars.incarnation, names.incarnation);
  if (vars.reason === undefined) {
    if (vars.code !== undefined) {
      fail(names.code, `must not be set without ${names.reason}`, vars.code);
    }
    if (vars.signal !== undefined) {
      fail(names.signal, `must not be set without ${names.reason}`, vars.signal);
    }
    return { resumeId, incarnation, previousExit: null };
  }
  const status: { -readonly [K in keyof ExitStatus]: ExitStatus[K] } = {
    reason: parseReason(vars.reason, names.reason),
    // The individual variables do not carry the exit time; 0 stands for "unknown".
    at: 0,
  };
  if (vars.code !== undefined) status.code = parseCode(vars.code, names.code);
  if (vars.signal !== undefined) status.signal = vars.signal;
  return { resumeId, incarnation, previousExit: status };
}

// ---------------------------------------------------------------------------------------------
// Writing

/** Reads a property that a hostile object (a getter, a proxy) might throw from. */
/** The JSON of the whole record: known fields only, detail made JSON-safe. Never throws. */
function handoverJson(handover: Handover): string {
  const previousExit = readSafely(() => handover.previousExit);
  const record: Record<string, unknown> = {
    resumeId: readSafely(() => handover.resumeId),
    incarnation: readSafely(() => handover.incarnation),
    previousExit: previousExit === null || previousExit === undefined ? null : exitRecord(previousExit),
  };
  const fencingToken = readSafely(() => handover.fencingToken);
  if (typeof fencingToken === 'number') record['fencingToken'] = fencingToken;
  try {
    return JSON.stringify(toJSONValue(record));
  } catch (error) {
    // Not expected: toJSONValue leaves nothing JSON.stringify rejects. Kept so this never throws
    // (a stack overflow on absurdly deep detail is the one way to get here).
    if (isRecord(record['previousExit'])) {
      record['previousExit'] = { ...record['previousExit'], detail: unserializable(error) };
      try {
        return JSON.stringify(toJSONValue(record));
      } catch {
        // fall through
      }
    }
    const incarnation = typeof record['incarnation'] === 'number' ? record['incarnation'] : null;
    return JSON.stringify({ resumeId: safeString(record['resumeId']), incarnation, previousExit: null });
  }
}

function exitRecord(exit: ExitStatus | string): Record<string, unknown> | string {
  if (typeof exit !== 'object') return exit;
  const record: Record<string, unknown> = { reason: readSafely(() => exit.reason) };
  const has = (key: string): boolean => readSafely(() => key in exit) === true;
  if (has('detail')) {
    const detail = readSafely(() => exit.detail);
    if (detail !== undefined) record['detail'] = detail;
  }
  if (has('code')) {
    const code = readSafely(() => exit.code);
    if (code !== undefined) record['code'] = code;
  }
  if (has('signal')) {
    const signal = readSafely(() => exit.signal);
    if (signal !== undefined) record['signal'] = signal;
  }
  record['at'] = readSafely(() => exit.at);
  return record;
}

