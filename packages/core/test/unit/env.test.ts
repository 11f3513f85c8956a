import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HandoverEnvError, handoverFromEnv, handoverToEnv } from '../../src/env.js';
import type { ExitReason, ExitStatus, Handover } from '../../src/types.js';

/** Every ExitReason; the `satisfies` pair below fails to compile if one is added and not listed. */
const REASONS = ['normal', 'shutdown', 'error', 'killed', 'timeout', 'bystander', 'lost', 'replaced'] as const satisfies readonly ExitReason[];
type Unlisted = Exclude<ExitReason, (typeof REASONS)[number]>;
const everyReasonListed: [Unlisted] extends [never] ? true : false = true;

const AT = 1_700_000_000_000;

/** A typical previous exit for each reason, as a supervisor would record it. */
const TYPICAL_EXIT: Record<ExitReason, ExitStatus> = {
  normal: { reason: 'normal', at: AT },
  shutdown: { reason: 'shutdown', detail: 'maintenance', at: AT },
  error: {
    reason: 'error',
    detail: { name: 'TypeError', message: 'boom', stack: 'TypeError: boom\n    at run (worker.ts:1:1)' },
    code: 1,
    signal: null,
    at: AT,
  },
  killed: { reason: 'killed', code: null, signal: 'SIGKILL', at: AT },
  timeout: { reason: 'timeout', detail: { check: 'health', misses: 3 }, at: AT },
  bystander: { reason: 'bystander', detail: { failedSibling: 'db' }, code: 143, signal: 'SIGTERM', at: AT },
  lost: { reason: 'lost', at: AT },
  replaced: { reason: 'replaced', code: 0, signal: null, at: AT },
};

/** JSON-safe detail values, each of which must come back deep-equal. */
const JSON_SAFE_DETAILS: ReadonlyArray<readonly [string, unknown]> = [
  ['a string', 'reached_max_restart_intensity'],
  ['a number', 42],
  ['zero', 0],
  ['false', false],
  ['null', null],
  ['an empty object', {}],
  ['an array', [1, 'two', null, { three: [3] }]],
  ['a nested object', { a: { b: { c: 'd' } }, list: [], flag: true, unicode: 'ünïcødé ✓', quote: '"\'\\' }],
];

function handoverWith(previousExit: ExitStatus | null, incarnation = 3): Handover {
  return { resumeId: 'root/db/writer', incarnation, previousExit };
}

function catchError(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

function expectHandoverEnvError(run: () => unknown, variable: string): HandoverEnvError {
  const error = catchError(run);
  expect(error).toBeInstanceOf(HandoverEnvError);
  const envError = error as HandoverEnvError;
  expect(envError.name).toBe('HandoverEnvError');
  expect(envError.code).toBe('invalid_handover_env');
  expect(envError.variable).toBe(variable);
  expect(envError.message).toContain(variable);
  // One sentence: no line breaks, one final full stop.
  expect(envError.message).not.toMatch(/\n/);
  expect(envError.message).toMatch(/\.$/);
  return envError;
}

function parsedJson(env: Record<string, string>, name = 'TRELLIS_HANDOVER'): unknown {
  const json = env[name];
  expect(typeof json).toBe('string');
  return JSON.parse(json ?? '');
}

describe('handoverToEnv and handoverFromEnv round trip', () => {
  it('lists every ExitReason in the test table', () => {
    expect(everyReasonListed).toBe(true);
  });

  it('returns a first-start handover exactly', () => {
    const handover = handoverWith(null, 0);
    expect(handoverFromEnv(handoverToEnv(handover))).toStrictEqual(handover);
  });

  it.each(REASONS)('returns a handover whose previous exit is %s exactly', (reason) => {
    const handover = handoverWith(TYPICAL_EXIT[reason]);
    expect(handoverFromEnv(handoverToEnv(handover))).toStrictEqual(handover);
  });

  it.each(REASONS)('writes the individual variables for a previous exit of %s', (reason) => {
    const exit = TYPICAL_EXIT[reason];
    const env = handoverToEnv(handoverWith(exit));
    expect(env['TRELLIS_RESUME_ID']).toBe('root/db/writer');
    expect(env['TRELLIS_INCARNATION']).toBe('3');
    expect(env['TRELLIS_PREV_EXIT_REASON']).toBe(reason);
    expect(env['TRELLIS_PREV_EXIT_CODE']).toBe(typeof exit.code === 'number' ? String(exit.code) : undefined);
    expect(env['TRELLIS_PREV_EXIT_SIGNAL']).toBe(exit.signal ?? undefined);
    for (const value of Object.values(env)) expect(typeof value).toBe('string');
  });

  it.each(REASONS.flatMap((reason) => JSON_SAFE_DETAILS.map(([label, detail]) => [reason, label, detail] as const)))(
    'returns a %s exit with %s as detail exactly',
    (reason, _label, detail) => {
      const handover = handoverWith({ reason, detail, code: 0, signal: 'SIGTERM', at: AT });
      expect(handoverFromEnv(handoverToEnv(handover))).toStrictEqual(handover);
    },
  );

  it('keeps a null code and a null signal in the JSON', () => {
    const handover = handoverWith({ reason: 'killed', code: null, signal: null, at: AT });
    expect(handoverFromEnv(handoverToEnv(handover))).toStrictEqual(handover);
  });

  it('reads the whole record from TRELLIS_HANDOVER alone', () => {
    const handover = handoverWith(TYPICAL_EXIT.bystander);
    const env = handoverToEnv(handover);
    expect(handoverFromEnv({ TRELLIS_HANDOVER: env['TRELLIS_HANDOVER'] })).toStrictEqual(handover);
  });

  it("accepts the 'lost' reason that durable handover will add", () => {
    const json = JSON.stringify({ resumeId: 'root/a', incarnation: 4, previousExit: { reason: 'lost', at: AT } });
    expect(handoverFromEnv({ TRELLIS_HANDOVER: json, TRELLIS_PREV_EXIT_REASON: 'lost' })).toStrictEqual({
      resumeId: 'root/a',
      incarnation: 4,
      previousExit: { reason: 'lost', at: AT },
    });
  });

  it('ignores unknown keys in the JSON and leaves them out of the record', () => {
    const json = JSON.stringify({
      resumeId: 'root/a',
      incarnation: 1,
      future: true,
      previousExit: { reason: 'normal', at: AT, alsoFuture: 1 },
    });
    expect(handoverFromEnv({ TRELLIS_HANDOVER: json })).toStrictEqual({
      resumeId: 'root/a',
      incarnation: 1,
      previousExit: { reason: 'normal', at: AT },
    });
  });
});

describe('handoverToEnv with an Error as detail', () => {
  it('writes an Error as { name, message, stack } and reads it back', () => {
    const error = new RangeError('out of range');
    const env = handoverToEnv(handoverWith({ reason: 'error', detail: error, at: AT }));
    expect(handoverFromEnv(env)?.previousExit?.detail).toStrictEqual({
      name: 'RangeError',
      message: 'out of range',
      stack: error.stack,
    });
  });

  it('keeps the name of an Error subclass', () => {
    class DatabaseGoneError extends Error {
      override readonly name = 'DatabaseGoneError';
    }
    const env = handoverToEnv(handoverWith({ reason: 'error', detail: new DatabaseGoneError('gone'), at: AT }));
    expect(handoverFromEnv(env)?.previousExit?.detail).toMatchObject({ name: 'DatabaseGoneError', message: 'gone' });
  });

  it('converts an Error nested inside the detail', () => {
    const env = handoverToEnv(handoverWith({ reason: 'error', detail: { errors: [new Error('first')] }, at: AT }));
    expect(handoverFromEnv(env)?.previousExit?.detail).toMatchObject({ errors: [{ name: 'Error', message: 'first' }] });
  });

  it('leaves stack out when an Error has none', () => {
    const error = new Error('no stack');
    delete error.stack;
    const env = handoverToEnv(handoverWith({ reason: 'error', detail: error, at: AT }));
    expect(handoverFromEnv(env)?.previousExit?.detail).toStrictEqual({ name: 'Error', message: 'no stack' });
  });
});

describe('handoverToEnv with detail that JSON cannot hold', () => {
  const cycle: Record<string, unknown> = { name: 'loop' };
  cycle['self'] = cycle;
  const hostile = new Proxy(
    {},
    {
      ownKeys() {
        throw new TypeError('no keys for you');
      },
    },
  );
  const throwingGetter = {
    ok: 1,
    get broken(): never {
      throw new Error('getter failed');
    },
  };

  it.each([
    ['a cycle', cycle, { name: 'loop', self: '[Circular]' }],
    ['a BigInt', 12n, '12'],
    ['a named function', function restartHook() {}, undefined],
    ['an anonymous function', [() => 1][0], undefined],
    ['a symbol', Symbol('token'), undefined],
    ['NaN', Number.NaN, null],
    ['Infinity', Number.POSITIVE_INFINITY, null],
    ['a function and a symbol inside an object and an array', { f() {}, s: Symbol('s'), list: [Symbol('t'), () => 1] }, { list: [null, null] }],
    ['a getter that throws', throwingGetter, { ok: 1, broken: '[unserializable: Error: getter failed]' }],
    ['a proxy that throws', hostile, '[unserializable: TypeError: no keys for you]'],
    ['values nested in an array', [1n, cycle, undefined], ['1', { name: 'loop', self: '[Circular]' }, null]],
    ['a Date', new Date(0), '1970-01-01T00:00:00.000Z'],
  ] as const)('never throws for %s and describes it', (_label, detail, expected) => {
    const handover = handoverWith({ reason: 'error', detail, at: AT });
    let env: Record<string, string> = {};
    expect(() => {
      env = handoverToEnv(handover);
    }).not.toThrow();
    const json = parsedJson(env) as { previousExit: { detail: unknown } };
    expect(json.previousExit.detail).toStrictEqual(expected);
    expect(handoverFromEnv(env)?.previousExit?.detail).toStrictEqual(expected);
  });

  it('copies a shared reference that is not a cycle instead of marking it circular', () => {
    const shared = { n: 1 };
    const env = handoverToEnv(handoverWith({ reason: 'error', detail: { a: shared, b: shared }, at: AT }));
    expect(handoverFromEnv(env)?.previousExit?.detail).toStrictEqual({ a: { n: 1 }, b: { n: 1 } });
  });

  it('drops undefined properties as JSON does', () => {
    const env = handoverToEnv(handoverWith({ reason: 'shutdown', detail: { kept: 1, gone: undefined }, at: AT }));
    expect(handoverFromEnv(env)?.previousExit?.detail).toStrictEqual({ kept: 1 });
  });

  it('never throws when the previous exit itself throws on read', () => {
    const handover = {
      resumeId: 'root/a',
      incarnation: 1,
      get previousExit(): ExitStatus {
        throw new Error('exit unavailable');
      },
    };
    const env = handoverToEnv(handover);
    expect(env['TRELLIS_RESUME_ID']).toBe('root/a');
    expect(env['TRELLIS_PREV_EXIT_REASON']).toBeUndefined();
    expect(parsedJson(env)).toMatchObject({ previousExit: '[unserializable: Error: exit unavailable]' });
  });
});

describe('handoverToEnv leaves out null values', () => {
  it('writes no PREV_* variable on a first start', () => {
    const env = handoverToEnv(handoverWith(null, 0));
    expect(Object.keys(env).sort()).toStrictEqual(['TRELLIS_HANDOVER', 'TRELLIS_INCARNATION', 'TRELLIS_RESUME_ID']);
    expect(parsedJson(env)).toStrictEqual({ resumeId: 'root/db/writer', incarnation: 0, previousExit: null });
  });

  it('writes no PREV_EXIT_CODE when code is null', () => {
    const env = handoverToEnv(handoverWith({ reason: 'killed', code: null, signal: 'SIGKILL', at: AT }));
    expect(env).not.toHaveProperty('TRELLIS_PREV_EXIT_CODE');
    expect(env['TRELLIS_PREV_EXIT_SIGNAL']).toBe('SIGKILL');
  });

  it('writes no PREV_EXIT_SIGNAL when signal is null', () => {
    const env = handoverToEnv(handoverWith({ reason: 'error', code: 2, signal: null, at: AT }));
    expect(env).not.toHaveProperty('TRELLIS_PREV_EXIT_SIGNAL');
    expect(env['TRELLIS_PREV_EXIT_CODE']).toBe('2');
  });

  it('writes neither when code and signal are absent', () => {
    const env = handoverToEnv(handoverWith({ reason: 'normal', at: AT }));
    expect(Object.keys(env).sort()).toStrictEqual([
      'TRELLIS_HANDOVER',
      'TRELLIS_INCARNATION',
      'TRELLIS_PREV_EXIT_REASON',
      'TRELLIS_RESUME_ID',
    ]);
  });
});

describe('the prefix option', () => {
  const handover = handoverWith(TYPICAL_EXIT.killed);

  it('replaces TRELLIS_ in every variable name', () => {
    const env = handoverToEnv(handover, { prefix: 'APP_' });
    expect(Object.keys(env).sort()).toStrictEqual([
      'APP_HANDOVER',
      'APP_INCARNATION',
      'APP_PREV_EXIT_REASON',
      'APP_PREV_EXIT_SIGNAL',
      'APP_RESUME_ID',
    ]);
  });

  it('reads back with the same prefix', () => {
    const env = handoverToEnv(handover, { prefix: 'APP_' });
    expect(handoverFromEnv(env, { prefix: 'APP_' })).toStrictEqual(handover);
  });

  it('does not read variables of another prefix', () => {
    const env = handoverToEnv(handover, { prefix: 'APP_' });
    expect(handoverFromEnv(env)).toBeUndefined();
  });

  it('names the prefixed variable in errors', () => {
    expectHandoverEnvError(() => handoverFromEnv({ APP_HANDOVER: '{' }, { prefix: 'APP_' }), 'APP_HANDOVER');
  });
});

describe('handoverFromEnv without a handover', () => {
  it.each([
    ['an empty env', {}],
    ['unrelated variables', { PATH: '/usr/bin', HOME: '/home/app' }],
    ['only TRELLIS_INCARNATION', { TRELLIS_INCARNATION: '2' }],
    ['empty TRELLIS_HANDOVER and TRELLIS_RESUME_ID', { TRELLIS_HANDOVER: '', TRELLIS_RESUME_ID: '' }],
  ] as const)('returns undefined for %s', (_label, env) => {
    expect(handoverFromEnv(env)).toBeUndefined();
  });

  it('reads process.env by default', () => {
    const env = globalThis.process.env;
    const saved = { handover: env['TRELLIS_HANDOVER'], resumeId: env['TRELLIS_RESUME_ID'] };
    const handover = handoverWith(TYPICAL_EXIT.shutdown);
    try {
      delete env['TRELLIS_RESUME_ID'];
      delete env['TRELLIS_HANDOVER'];
      expect(handoverFromEnv()).toBeUndefined();
      env['TRELLIS_HANDOVER'] = handoverToEnv(handover)['TRELLIS_HANDOVER'];
      expect(handoverFromEnv()).toStrictEqual(handover);
    } finally {
      if (saved.handover === undefined) delete env['TRELLIS_HANDOVER'];
      else env['TRELLIS_HANDOVER'] = saved.handover;
      if (saved.resumeId !== undefined) env['TRELLIS_RESUME_ID'] = saved.resumeId;
    }
  });
});

describe('handoverFromEnv with only the individual variables', () => {
  it('builds a first-start record', () => {
    expect(handoverFromEnv({ TRELLIS_RESUME_ID: 'root/a', TRELLIS_INCARNATION: '0' })).toStrictEqual({
      resumeId: 'root/a',
      incarnation: 0,
      previousExit: null,
    });
  });

  it.each(REASONS)('builds a record with a previous exit of %s, detail absent and at 0', (reason) => {
    expect(
      handoverFromEnv({
        TRELLIS_RESUME_ID: 'root/a',
        TRELLIS_INCARNATION: '5',
        TRELLIS_PREV_EXIT_REASON: reason,
        TRELLIS_PREV_EXIT_CODE: '137',
        TRELLIS_PREV_EXIT_SIGNAL: 'SIGKILL',
      }),
    ).toStrictEqual({
      resumeId: 'root/a',
      incarnation: 5,
      previousExit: { reason, at: 0, code: 137, signal: 'SIGKILL' },
    });
  });

  it('leaves code and signal absent when their variables are absent', () => {
    expect(
      handoverFromEnv({ TRELLIS_RESUME_ID: 'root/a', TRELLIS_INCARNATION: '1', TRELLIS_PREV_EXIT_REASON: 'normal' }),
    ).toStrictEqual({ resumeId: 'root/a', incarnation: 1, previousExit: { reason: 'normal', at: 0 } });
  });
});

describe('handoverFromEnv with malformed input', () => {
  const valid = handoverWith(TYPICAL_EXIT.error);
  const validJson = JSON.stringify(valid);
  const json = (value: unknown): string => JSON.stringify(value);
  const withExit = (exit: Record<string, unknown>): string => json({ ...valid, previousExit: exit });

  it.each([
    ['text that is not JSON', { TRELLIS_HANDOVER: 'not json' }, 'TRELLIS_HANDOVER', /valid JSON/],
    ['truncated JSON', { TRELLIS_HANDOVER: validJson.slice(0, validJson.length - 5) }, 'TRELLIS_HANDOVER', /valid JSON/],
    ['a JSON array', { TRELLIS_HANDOVER: '[]' }, 'TRELLIS_HANDOVER', /JSON object/],
    ['JSON null', { TRELLIS_HANDOVER: 'null' }, 'TRELLIS_HANDOVER', /JSON object/],
    ['an empty resumeId', { TRELLIS_HANDOVER: json({ ...valid, resumeId: '' }) }, 'TRELLIS_HANDOVER', /resumeId/],
    ['a numeric resumeId', { TRELLIS_HANDOVER: json({ ...valid, resumeId: 7 }) }, 'TRELLIS_HANDOVER', /resumeId/],
    ['incarnation as a string', { TRELLIS_HANDOVER: json({ ...valid, incarnation: '3' }) }, 'TRELLIS_HANDOVER', /incarnation/],
    ['a negative incarnation', { TRELLIS_HANDOVER: json({ ...valid, incarnation: -1 }) }, 'TRELLIS_HANDOVER', /non-negative integer/],
    ['a fractional incarnation', { TRELLIS_HANDOVER: json({ ...valid, incarnation: 1.5 }) }, 'TRELLIS_HANDOVER', /incarnation/],
    ['a missing previousExit', { TRELLIS_HANDOVER: json({ resumeId: 'a', incarnation: 0 }) }, 'TRELLIS_HANDOVER', /previousExit/],
    ['a previousExit that is a string', { TRELLIS_HANDOVER: json({ ...valid, previousExit: 'error' }) }, 'TRELLIS_HANDOVER', /previousExit/],
    ['an unknown reason', { TRELLIS_HANDOVER: withExit({ reason: 'exploded', at: AT }) }, 'TRELLIS_HANDOVER', /reason/],
    ['a missing at', { TRELLIS_HANDOVER: withExit({ reason: 'normal' }) }, 'TRELLIS_HANDOVER', /at/],
    ['a string at', { TRELLIS_HANDOVER: withExit({ reason: 'normal', at: 'yesterday' }) }, 'TRELLIS_HANDOVER', /at/],
    ['a string code', { TRELLIS_HANDOVER: withExit({ reason: 'error', at: AT, code: '1' }) }, 'TRELLIS_HANDOVER', /code/],
    ['a numeric signal', { TRELLIS_HANDOVER: withExit({ reason: 'killed', at: AT, signal: 9 }) }, 'TRELLIS_HANDOVER', /signal/],
    ['a disagreeing RESUME_ID', { TRELLIS_HANDOVER: validJson, TRELLIS_RESUME_ID: 'root/other' }, 'TRELLIS_RESUME_ID', /agree/],
    ['a disagreeing INCARNATION', { TRELLIS_HANDOVER: validJson, TRELLIS_INCARNATION: '4' }, 'TRELLIS_INCARNATION', /agree/],
    ['a non-numeric INCARNATION beside the JSON', { TRELLIS_HANDOVER: validJson, TRELLIS_INCARNATION: 'three' }, 'TRELLIS_INCARNATION', /non-negative integer/],
    ['a disagreeing PREV_EXIT_REASON', { TRELLIS_HANDOVER: validJson, TRELLIS_PREV_EXIT_REASON: 'normal' }, 'TRELLIS_PREV_EXIT_REASON', /agree/],
    ['a disagreeing PREV_EXIT_CODE', { TRELLIS_HANDOVER: validJson, TRELLIS_PREV_EXIT_CODE: '2' }, 'TRELLIS_PREV_EXIT_CODE', /agree/],
    ['a PREV_EXIT_SIGNAL where the JSON has null', { TRELLIS_HANDOVER: validJson, TRELLIS_PREV_EXIT_SIGNAL: 'SIGTERM' }, 'TRELLIS_PREV_EXIT_SIGNAL', /agree/],
    ['a PREV_EXIT_REASON on a first start', { TRELLIS_HANDOVER: json(handoverWith(null)), TRELLIS_PREV_EXIT_REASON: 'error' }, 'TRELLIS_PREV_EXIT_REASON', /agree/],
    ['individual vars without INCARNATION', { TRELLIS_RESUME_ID: 'root/a' }, 'TRELLIS_INCARNATION', /must be set/],
    ['individual vars with a negative INCARNATION', { TRELLIS_RESUME_ID: 'root/a', TRELLIS_INCARNATION: '-1' }, 'TRELLIS_INCARNATION', /non-negative integer/],
    ['individual vars with INCARNATION 1.5', { TRELLIS_RESUME_ID: 'root/a', TRELLIS_INCARNATION: '1.5' }, 'TRELLIS_INCARNATION', /non-negative integer/],
    ['individual vars with an unknown reason', { TRELLIS_RESUME_ID: 'root/a', TRELLIS_INCARNATION: '1', TRELLIS_PREV_EXIT_REASON: 'oops' }, 'TRELLIS_PREV_EXIT_REASON', /one of/],
    ['individual vars with a non-numeric code', { TRELLIS_RESUME_ID: 'root/a', TRELLIS_INCARNATION: '1', TRELLIS_PREV_EXIT_REASON: 'error', TRELLIS_PREV_EXIT_CODE: 'one' }, 'TRELLIS_PREV_EXIT_CODE', /number/],
    ['individual vars with a code but no reason', { TRELLIS_RESUME_ID: 'root/a', TRELLIS_INCARNATION: '1', TRELLIS_PREV_EXIT_CODE: '1' }, 'TRELLIS_PREV_EXIT_CODE', /without/],
    ['individual vars with a signal but no reason', { TRELLIS_RESUME_ID: 'root/a', TRELLIS_INCARNATION: '1', TRELLIS_PREV_EXIT_SIGNAL: 'SIGKILL' }, 'TRELLIS_PREV_EXIT_SIGNAL', /without/],
  ] as const)('throws a HandoverEnvError for %s', (_label, env, variable, rule) => {
    const error = expectHandoverEnvError(() => handoverFromEnv(env), variable);
    expect(error.message).toMatch(rule);
  });

  it('keeps the JSON SyntaxError as the cause', () => {
    const error = expectHandoverEnvError(() => handoverFromEnv({ TRELLIS_HANDOVER: '{"resumeId":' }), 'TRELLIS_HANDOVER');
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });
});

describe('env.ts', () => {
  // What a child process loads when it imports `@trellis/core/env`: the built module and, at run
  // time, only modules of core that import nothing themselves. Read from dist, because that is
  // what the package exports (run the build first).
  const dist = new URL('../../dist/', import.meta.url);
  const runtimeImports = (file: string): string[] => {
    const source = readFileSync(new URL(file, dist), 'utf8');
    const specifiers = [...source.matchAll(/^\s*(?:import|export)\s[^;]*?\sfrom\s*['"]([^'"]+)['"]/gm)].map((match) => match[1]!);
    const bare = [...source.matchAll(/^\s*import\s*['"]([^'"]+)['"]/gm)].map((match) => match[1]!);
    expect(source, `${file} must not load modules dynamically`).not.toMatch(/\bimport\s*\(|\brequire\s*\(/);
    return [...specifiers, ...bare];
  };

  it('loads only zero-import modules of core, so a child never loads XState', () => {
    const direct = runtimeImports('env.js');
    expect(direct.length).toBeGreaterThan(0);
    for (const specifier of direct) {
      expect(specifier, 'env.js imports only relative modules of core').toMatch(/^\.\.?\//);
      const target = new URL(specifier, new URL('env.js', dist)).href.slice(dist.href.length);
      expect(runtimeImports(target), `${target} (imported by env.js) must import nothing`).toEqual([]);
    }
  });

  it('keeps the type-only imports type-only in the source', () => {
    const source = readFileSync(new URL('../../src/env.ts', import.meta.url), 'utf8');
    const runtime = source.split('\n').filter((line) => /^\s*import\s(?!type\s)/.test(line));
    expect(runtime).toEqual(["import { readSafely, safeString, toJSONValue, unserializable } from './reports/toJSONValue.js';"]);
  });
});

describe('fencingToken (a child under a cluster lease)', () => {
  const handover: Handover = { resumeId: 'billing', incarnation: 3, previousExit: { reason: 'lost', at: AT }, fencingToken: 42 };

  it('is written as TRELLIS_FENCING_TOKEN and in the JSON, and read back', () => {
    const env = handoverToEnv(handover);
    expect(env['TRELLIS_FENCING_TOKEN']).toBe('42');
    expect(JSON.parse(env['TRELLIS_HANDOVER']!).fencingToken).toBe(42);
    expect(handoverFromEnv(env)).toEqual(handover);
  });

  it('is absent, variable and key, when the handover has none', () => {
    const env = handoverToEnv({ resumeId: 'root/a', incarnation: 0, previousExit: null });
    expect(env).not.toHaveProperty('TRELLIS_FENCING_TOKEN');
    expect(JSON.parse(env['TRELLIS_HANDOVER']!)).not.toHaveProperty('fencingToken');
  });

  it('a variable that disagrees with the JSON, or a bad token in the JSON, is an error naming the variable', () => {
    const env = { ...handoverToEnv(handover), TRELLIS_FENCING_TOKEN: '41' };
    expect(() => handoverFromEnv(env)).toThrow(/TRELLIS_FENCING_TOKEN: must agree with TRELLIS_HANDOVER, which has fencingToken 42, got "41"/);
    const bad = { TRELLIS_HANDOVER: JSON.stringify({ resumeId: 'a', incarnation: 0, previousExit: null, fencingToken: -1 }) };
    expect(() => handoverFromEnv(bad)).toThrow(/fencingToken must be a non-negative integer when present, got -1/);
  });
});
