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
