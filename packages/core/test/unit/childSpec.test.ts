// OTP-SEMANTICS §1.1, §1.3: child spec and flag validation, one rule per field, generated inputs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { childSpec, defineSupervisor, fromWorker, InvalidChildSpecError, InvalidSupervisorFlagsError, DuplicateChildIdError } from '@trellis/core';

const start = fromWorker(() => {});
const sub = defineSupervisor({ id: 'sub', children: [] });

/** Values of every JS type, for fields that accept only a few. */
const anything = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.array(fc.integer(), { maxLength: 2 }),
  fc.dictionary(fc.string({ maxLength: 3 }), fc.integer(), { maxKeys: 2 }),
  fc.constant(() => 1),
);

describe('childSpec', () => {
  it('fills OTP defaults: permanent, 5000 ms for workers, infinity for supervisors, worker, not significant', () => {
    expect(childSpec({ id: 'w', start })).toMatchObject({ restart: 'permanent', shutdown: 5000, type: 'worker', significant: false });
    expect(childSpec({ id: 's', start: sub })).toMatchObject({ shutdown: 'infinity', type: 'supervisor' });
  });

  it('rejects an unknown key, unlike OTP (decision 0009)', () => {
    expect(() => childSpec({ id: 'w', start, silly_flag: true } as never)).toThrow(expect.objectContaining({ code: 'invalid_child_spec', field: 'silly_flag' }));
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['missing_id', { start }, 'id'],
    ['empty id', { id: '', start }, 'id'],
    ['missing_start', { id: 'w' }, 'start'],
    ['invalid_mfa', { id: 'w', start: () => {} }, 'start'],
    ['invalid_restart_type', { id: 'w', start, restart: 'sometimes' }, 'restart'],
    ['invalid_shutdown', { id: 'w', start, shutdown: -10 }, 'shutdown'],
    ['invalid_shutdown (NaN)', { id: 'w', start, shutdown: Number.NaN }, 'shutdown'],
    ['invalid_child_type', { id: 'w', start, type: 'daemon' }, 'type'],
    ['invalid_significant', { id: 'w', start, significant: 'yes' }, 'significant'],
    ['bad_combination (permanent + significant)', { id: 'w', start, significant: true }, 'significant'],
    ['input not a plain object', { id: 'w', start, input: [1] }, 'input'],
    ['empty resumeId', { id: 'w', start, resumeId: '' }, 'resumeId'],
    ['backoff.factor < 1', { id: 'w', start, backoff: { minMs: 1, maxMs: 2, factor: 0.5, jitter: 0, resetAfterMs: 0 } }, 'backoff.factor'],
    ['health.check missing', { id: 'w', start, health: { intervalMs: 1, timeoutMs: 1, failureThreshold: 1 } }, 'health.check'],
  ])('%s: throws InvalidChildSpecError naming the field', (_case, input, field) => {
    try {
      childSpec(input as never);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidChildSpecError);
      expect((error as InvalidChildSpecError).field).toBe(field);
      expect((error as Error).message).toMatch(new RegExp(`^Child spec .*: ${field.replace('.', '\\.')} `));
    }
  });

  it('rejects every wrong value of every enumerated field with an error naming it (generated)', () => {
    const rules: Record<string, (v: unknown) => boolean> = {
      restart: (v) => v === undefined || v === 'permanent' || v === 'transient' || v === 'temporary',
      shutdown: (v) => v === undefined || v === 'brutal_kill' || v === 'infinity' || (typeof v === 'number' && Number.isFinite(v) && v >= 0),
      type: (v) => v === undefined || v === 'worker' || v === 'supervisor',
      significant: (v) => v === undefined || v === false,
      resumeId: (v) => v === undefined || (typeof v === 'string' && v.length > 0),
    };
    let tried = 0;
    fc.assert(
      fc.property(fc.constantFrom(...Object.keys(rules)), anything, (field, value) => {
        tried++;
        const valid = rules[field]!(value);
        let error: unknown;
        try {
          childSpec({ id: 'w', start, [field]: value } as never);
        } catch (e) {
          error = e;
        }
        if (valid) expect(error).toBeUndefined();
        else expect(error).toMatchObject({ code: 'invalid_child_spec', field });
      }),
      { numRuns: 500, seed: 3 },
    );
    expect(tried).toBe(500);
  });
});

describe('defineSupervisor flags', () => {
  it.each<[string, Record<string, unknown>, string]>([
    ['invalid_strategy', { strategy: 'one_for_some' }, 'strategy'],
    ['invalid_intensity (infinity)', { intensity: Number.POSITIVE_INFINITY }, 'intensity'],
    ['invalid_intensity (negative)', { intensity: -1 }, 'intensity'],
    ['invalid_period (0)', { periodMs: 0 }, 'periodMs'],
    ['invalid_period (infinity)', { periodMs: Number.POSITIVE_INFINITY }, 'periodMs'],
    ['invalid_auto_shutdown', { autoShutdown: 'sometimes' }, 'autoShutdown'],
    ['children not a list', { children: {} }, 'children'],
    ['bad clock', { clock: { now: () => 0 } }, 'clock'],
    ['id with a slash', { id: 'a/b' }, 'id'],
  ])('%s: throws InvalidSupervisorFlagsError naming the flag', (_case, flags, field) => {
    expect(() => defineSupervisor({ id: 'root', children: [], ...flags } as never)).toThrow(
      expect.objectContaining({ code: 'invalid_flags', field }) as unknown as Error,
    );
    expect(() => defineSupervisor({ id: 'root', children: [], ...flags } as never)).toThrow(InvalidSupervisorFlagsError);
  });

  it('rejects an unknown flag, unlike OTP (decision 0009)', () => {
    expect(() => defineSupervisor({ id: 'root', children: [], silly_flag: true } as never)).toThrow(expect.objectContaining({ code: 'invalid_flags', field: 'silly_flag' }));
  });

  it('duplicate_child_name', () => {
    expect(() => defineSupervisor({ id: 'root', children: [{ id: 'a', start }, { id: 'a', start }] })).toThrow(DuplicateChildIdError);
  });

  it('child_specs_map: significant is rejected with autoShutdown never, accepted with any_significant for non-permanent children', () => {
    expect(() => defineSupervisor({ id: 'root', children: [{ id: 'a', start, restart: 'transient', significant: true }] })).toThrow(
      expect.objectContaining({ field: 'significant' }) as unknown as Error,
    );
    for (const autoShutdown of ['any_significant', 'all_significant'] as const) {
      expect(() => defineSupervisor({ id: 'root', autoShutdown, children: [{ id: 'a', start, restart: 'temporary', significant: true }] })).not.toThrow();
    }
  });

  it('names the offending child in a nested spec error, and nothing starts', () => {
    expect(() => defineSupervisor({ id: 'root', children: [{ id: 'ok', start }, { id: 'bad', start, shutdown: 'later' as never }] })).toThrow(
      /Child spec "bad": shutdown must be 'brutal_kill', 'infinity' or a non-negative number of milliseconds, got "later"\./,
    );
  });
});

describe('the rule each child spec error states', () => {
  // An error names the field, the rule and the value (CONTRIBUTING: bad input). Each row is one
  // rule of childSpec.ts, so a changed or lost rule text fails here, not only in review.
  const check = () => true;
  const backoff = { minMs: 10, maxMs: 100, factor: 2, jitter: 0, resetAfterMs: 1_000 };
  const health = { check, intervalMs: 1_000, timeoutMs: 100, failureThreshold: 3 };
  it.each<[string, unknown, string, string]>([
    ['not an object', 'w', 'spec', 'must be a plain object'],
    ['no id', { start }, 'id', 'is required (missing_id)'],
    ['an empty id', { id: '', start }, 'id', 'must be a non-empty string'],
    ['a numeric id', { id: 7, start }, 'id', 'must be a non-empty string'],
    ['no start', { id: 'w' }, 'start', 'is required (missing_start)'],
    ['a plain function as start', { id: 'w', start: async () => {} }, 'start', 'must be XState actor logic, not a plain function: wrap it in fromWorker() (or fromPromise())'],
    ['a string as start', { id: 'w', start: 'mod:fun' }, 'start', 'must be XState actor logic (fromWorker, fromPromise, a machine, a supervisor, ...)'],
    ['a bad restart', { id: 'w', start, restart: 'always' }, 'restart', "must be 'permanent', 'transient' or 'temporary'"],
    ['a bad type', { id: 'w', start, type: 'process' }, 'type', "must be 'worker' or 'supervisor'"],
    ['a null type', { id: 'w', start, type: null }, 'type', "must be 'worker' or 'supervisor'"],
    ['a negative shutdown', { id: 'w', start, shutdown: -10 }, 'shutdown', "must be 'brutal_kill', 'infinity' or a non-negative number of milliseconds"],
    ['an infinite shutdown number', { id: 'w', start, shutdown: Number.POSITIVE_INFINITY }, 'shutdown', "must be 'brutal_kill', 'infinity' or a non-negative number of milliseconds"],
    ['a string significant', { id: 'w', start, significant: 'yes' }, 'significant', 'must be a boolean'],
    ['a significant permanent child', { id: 'w', start, significant: true }, 'significant', "cannot be true for a 'permanent' child (bad_combination)"],
    ['an array input', { id: 'w', start, input: [1] }, 'input', 'must be a plain object'],
    ['an empty resumeId', { id: 'w', start, resumeId: '' }, 'resumeId', 'must be a non-empty string'],
    ['a numeric resumeId', { id: 'w', start, resumeId: 5 }, 'resumeId', 'must be a non-empty string'],
    ['a backoff that is not an object', { id: 'w', start, backoff: 5 }, 'backoff', 'must be an object { minMs, maxMs, factor, jitter, resetAfterMs }'],
    ['a negative minMs', { id: 'w', start, backoff: { ...backoff, minMs: -1 } }, 'backoff.minMs', 'must be a non-negative number of milliseconds'],
    ['a maxMs below minMs', { id: 'w', start, backoff: { ...backoff, maxMs: 5 } }, 'backoff.maxMs', 'must be a number of milliseconds no smaller than minMs'],
    ['an infinite maxMs', { id: 'w', start, backoff: { ...backoff, maxMs: Number.POSITIVE_INFINITY } }, 'backoff.maxMs', 'must be a number of milliseconds no smaller than minMs'],
    ['a factor below 1', { id: 'w', start, backoff: { ...backoff, factor: 0.5 } }, 'backoff.factor', 'must be a number of at least 1'],
    ['a negative jitter', { id: 'w', start, backoff: { ...backoff, jitter: -0.1 } }, 'backoff.jitter', 'must be a non-negative fraction'],
    ['a negative resetAfterMs', { id: 'w', start, backoff: { ...backoff, resetAfterMs: -1 } }, 'backoff.resetAfterMs', 'must be a non-negative number of milliseconds'],
    ['a health that is not an object', { id: 'w', start, health: 'ok' }, 'health', 'must be an object { check, intervalMs, timeoutMs, failureThreshold }'],
    ['a health check that is not a function', { id: 'w', start, health: { ...health, check: 1 } }, 'health.check', 'must be a function'],
    ['a zero intervalMs', { id: 'w', start, health: { ...health, intervalMs: 0 } }, 'health.intervalMs', 'must be a positive number of milliseconds'],
    ['an infinite timeoutMs', { id: 'w', start, health: { ...health, timeoutMs: Number.POSITIVE_INFINITY } }, 'health.timeoutMs', 'must be a positive number of milliseconds'],
    ['a fractional failureThreshold', { id: 'w', start, health: { ...health, failureThreshold: 1.5 } }, 'health.failureThreshold', 'must be a positive integer'],
    ['a zero failureThreshold', { id: 'w', start, health: { ...health, failureThreshold: 0 } }, 'health.failureThreshold', 'must be a positive integer'],
  ])('%s: names the field and states its rule', (_case, input, field, rule) => {
    const error = (() => {
      try {
        childSpec(input as never);
      } catch (e) {
        return e as InvalidChildSpecError;
      }
      throw new Error('accepted');
    })();
    expect(error).toBeInstanceOf(InvalidChildSpecError);
    expect(error.field).toBe(field);
    expect(error.message).toContain(`: ${field} ${rule}, got `);
  });

  it('accepts the edges of every numeric rule', () => {
    expect(childSpec({ id: 'w', start, shutdown: 0 }).shutdown).toBe(0);
    expect(childSpec({ id: 'w', start, backoff: { minMs: 0, maxMs: 0, factor: 1, jitter: 0, resetAfterMs: 0 } }).backoff).toEqual({ minMs: 0, maxMs: 0, factor: 1, jitter: 0, resetAfterMs: 0 });
    expect(childSpec({ id: 'w', start, health: { check, intervalMs: 1, timeoutMs: 1, failureThreshold: 1 } }).health).toEqual({ check, intervalMs: 1, timeoutMs: 1, failureThreshold: 1 });
    // A spec is frozen and recognised as validated, so childSpec returns it as it is.
    const spec = childSpec({ id: 'w', start, type: 'supervisor' });
    expect(Object.isFrozen(spec)).toBe(true);
    expect(childSpec(spec)).toBe(spec);
    expect(spec).toMatchObject({ type: 'supervisor', shutdown: 'infinity' });
  });
});

describe('childSpec at its edges (mutation testing found these unchecked)', () => {
  const rule = (input: unknown) => {
    try {
      childSpec(input as never);
    } catch (e) {
      return { field: (e as InvalidChildSpecError).field, message: (e as Error).message, type: (e as Error).constructor.name };
    }
    return undefined;
  };

  it('refuses null and undefined as a spec with its own error, not a TypeError', () => {
    expect(rule(null)).toMatchObject({ type: 'InvalidChildSpecError', field: 'spec' });
    expect(rule(undefined)).toMatchObject({ type: 'InvalidChildSpecError', field: 'spec' });
  });

  it('accepts a spec and an input made with Object.create(null)', () => {
    const spec = Object.assign(Object.create(null) as object, { id: 'w', start, input: Object.assign(Object.create(null) as object, { a: 1 }) });
    expect(childSpec(spec as never)).toMatchObject({ id: 'w', input: { a: 1 } });
  });

  it('takes as actor logic only an object with both transition and getInitialSnapshot', () => {
    const fn = () => undefined;
    for (const bad of [null, {}, { transition: fn }, { getInitialSnapshot: fn }, { transition: 1, getInitialSnapshot: fn }, { transition: fn, getInitialSnapshot: 1 }]) {
      expect(rule({ id: 'w', start: bad }), JSON.stringify(bad)).toMatchObject({ field: 'start' });
    }
    expect(childSpec({ id: 'w', start: { transition: fn, getInitialSnapshot: fn } as never }).type).toBe('worker');
  });

  it('calls an id given as undefined missing, like an absent one', () => {
    expect(rule({ id: undefined, start })?.message).toContain(': id is required (missing_id), got ');
  });

  it('accepts the named shutdowns', () => {
    expect(childSpec({ id: 'w', start, shutdown: 'brutal_kill' }).shutdown).toBe('brutal_kill');
    expect(childSpec({ id: 'w', start, shutdown: 'infinity' }).shutdown).toBe('infinity');
  });

  it('refuses an infinite factor, jitter or resetAfterMs', () => {
    const backoff = { minMs: 10, maxMs: 100, factor: 2, jitter: 0, resetAfterMs: 1_000 };
    for (const field of ['factor', 'jitter', 'resetAfterMs'] as const) {
      expect(rule({ id: 'w', start, backoff: { ...backoff, [field]: Number.POSITIVE_INFINITY } })).toMatchObject({ field: `backoff.${field}` });
    }
  });

  it('names an unknown key with where it is: the spec (with or without an id), or its backoff', () => {
    expect(rule({ id: 'w', start, restrat: 'transient' })).toMatchObject({ field: 'restrat', message: "unknown key 'restrat' in child spec 'w' — did you mean 'restart'?" });
    expect(rule({ start, restrat: 'transient' })?.message).toBe("unknown key 'restrat' in child spec (no id) — did you mean 'restart'?");
    const backoff = { minMs: 10, maxMs: 100, factor: 2, jitter: 0, resetAfterMs: 1_000, minMss: 1 };
    expect(rule({ id: 'w', start, backoff })).toMatchObject({ field: 'backoff.minMss', message: "unknown key 'minMss' in backoff of child spec 'w' — did you mean 'minMs'?" });
  });
});
