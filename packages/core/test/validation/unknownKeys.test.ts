// Issue 12 point 2 / decision 0009: an unknown key is an error naming the closest valid key, in
// every configuration trellis reads, and misuse says what to do. Nothing is started first.
import { describe, expect, it } from 'vitest';
import {
  childSpec,
  childSpecIssues,
  closestKey,
  defineDynamicSupervisor,
  defineSupervisor,
  fromWorker,
  poolSpecs,
  resizePool,
  startChild,
  startSupervisor,
  stopSupervisor,
  supervisorConfigIssues,
  terminateChild,
  unknownKeyMessage,
  unknownKeys,
  whichChildren,
} from '@trellis/core';
import { createTestClock } from '@trellis/core/testing';

const start = fromWorker(({ signal }) => new Promise((resolve) => signal.addEventListener('abort', resolve)));

describe('closestKey', () => {
  it.each([
    ['stratgey', 'strategy'], // swapped neighbours: one edit
    ['restrat', 'restart'],
    ['Strategy', 'strategy'], // case only
    ['intensty', 'intensity'],
    ['chidlren', 'children'],
    ['periodms', 'periodMs'],
  ])('%s → %s', (key, expected) => {
    expect(closestKey(key, ['id', 'children', 'strategy', 'intensity', 'periodMs', 'restart'])).toBe(expected);
  });

  it('suggests a key that contains the unknown one', () => {
    expect(closestKey('timeoutMs', ['kind', 'port', 'intervalMs', 'readyTimeoutMs'])).toBe('readyTimeoutMs');
  });

  it('suggests nothing when no key is close', () => {
    expect(closestKey('colour', ['id', 'children', 'strategy'])).toBeUndefined();
    expect(closestKey('x', [])).toBeUndefined();
  });
});

describe('unknownKeys and unknownKeyMessage', () => {
  it('lists own string keys outside the shape, in order, and ignores symbols', () => {
    expect(unknownKeys({ a: 1, zz: 2, b: 3, yy: 4, [Symbol('s')]: 5 }, ['a', 'b'])).toEqual(['zz', 'yy']);
  });

  it('names the key, the place and the closest key, or lists the valid keys', () => {
    expect(unknownKeyMessage('stratgey', "supervisor 'root'", ['id', 'strategy'])).toBe("unknown key 'stratgey' in supervisor 'root' — did you mean 'strategy'?");
    expect(unknownKeyMessage('colour', "supervisor 'root'", ['id', 'strategy'])).toBe("unknown key 'colour' in supervisor 'root' — valid keys are 'id', 'strategy'");
  });
});

describe('every validator rejects an unknown key with its typed error', () => {
  it('defineSupervisor (as JavaScript calls it)', () => {
    expect(() => defineSupervisor({ id: 'root', stratgey: 'one_for_all', children: [] } as never)).toThrow(
      expect.objectContaining({ name: 'InvalidSupervisorFlagsError', code: 'invalid_flags', field: 'stratgey', message: "unknown key 'stratgey' in supervisor 'root' — did you mean 'strategy'?" }),
    );
  });

  it('childSpec and a child of defineSupervisor', () => {
    const expected = expect.objectContaining({ name: 'InvalidChildSpecError', field: 'restrat', message: "unknown key 'restrat' in child spec 'db' — did you mean 'restart'?" });
    expect(() => childSpec({ id: 'db', start, restrat: 'temporary' } as never)).toThrow(expected);
    expect(() => defineSupervisor({ id: 'root', children: [{ id: 'db', start, restrat: 'temporary' } as never] })).toThrow(expected);
  });

  it('backoff and health of a child spec', () => {
    const backoff = { minMs: 1, maxMs: 2, factor: 2, jitter: 0, resetAfterMs: 0, maxMS: 3 };
    expect(() => childSpec({ id: 'db', start, backoff } as never)).toThrow(expect.objectContaining({ field: 'backoff.maxMS', message: "unknown key 'maxMS' in backoff of child spec 'db' — did you mean 'maxMs'?" }));
    const health = { check: () => true, intervalMs: 1, timeoutMs: 1, failureThreshold: 1, intervalMS: 2 };
    expect(() => childSpec({ id: 'db', start, health } as never)).toThrow(expect.objectContaining({ field: 'health.intervalMS' }));
  });

  it('defineDynamicSupervisor', () => {
    expect(() => defineDynamicSupervisor({ id: 'conns', chlid: { id: 'c', start } } as never)).toThrow(
      expect.objectContaining({ code: 'invalid_flags', field: 'chlid', message: "unknown key 'chlid' in dynamic supervisor 'conns' — did you mean 'child'?" }),
    );
    expect(() => defineDynamicSupervisor({ id: 'conns', child: { id: 'c', start }, maxChildern: 3 } as never)).toThrow(expect.objectContaining({ field: 'maxChildern' }));
  });

  it("a dynamic supervisor's startChild argument", async () => {
    const sup = await startSupervisor(defineDynamicSupervisor({ id: 'conns', child: { id: 'c', start } }), { clock: createTestClock() });
    await expect(startChild(sup, { inptu: { n: 1 } } as never)).rejects.toMatchObject({ code: 'invalid_child_spec', field: 'inptu', message: expect.stringContaining("did you mean 'input'?") });
    expect(whichChildren(sup)).toEqual([]);
    await stopSupervisor(sup);
  });

  it('startSupervisor options, before anything starts', async () => {
    let started = 0;
    const counted = fromWorker(() => {
      started += 1;
      return new Promise(() => {});
    });
    await expect(startSupervisor(defineSupervisor({ id: 'root', children: [{ id: 'w', start: counted }] }), { clcok: createTestClock() } as never)).rejects.toMatchObject({
      name: 'SupervisorArgumentError',
      code: 'badarg',
      argument: 'options.clcok',
      message: "unknown key 'clcok' in startSupervisor's options — did you mean 'clock'?",
    });
    expect(started).toBe(0);
  });

  it('fromWorker options', () => {
    expect(() => fromWorker(() => {}, { awaitRaedy: true } as never)).toThrow(expect.objectContaining({ code: 'badarg', argument: 'options.awaitRaedy', message: expect.stringContaining("did you mean 'awaitReady'?") }));
    expect(() => fromWorker(() => {}, { awaitReady: 'yes' } as never)).toThrow(expect.objectContaining({ argument: 'options.awaitReady' }));
    expect(() => fromWorker(() => {}, { readyTimeoutMs: '5s' } as never)).toThrow(expect.objectContaining({ argument: 'options.readyTimeoutMs' }));
  });

  it('pool options, before any member changes', async () => {
    expect(() => poolSpecs({ id: 'w', start }, 2, { withinput: () => ({}) } as never)).toThrow(expect.objectContaining({ argument: 'options.withinput', message: expect.stringContaining("did you mean 'withInput'?") }));
    const sup = await startSupervisor(defineSupervisor({ id: 'root', children: poolSpecs({ id: 'w', start }, 2) }), { clock: createTestClock() });
    await expect(resizePool(sup, { id: 'w', start }, 0, { withImput: () => ({}) } as never)).rejects.toMatchObject({ argument: 'options.withImput' });
    expect(whichChildren(sup).map((child) => child.status)).toEqual(['running', 'running']);
    await stopSupervisor(sup);
  });
});

describe('misuse says what to do', () => {
  it('a raw config passed to startSupervisor', async () => {
    await expect(startSupervisor({ id: 'root', children: [] } as never)).rejects.toMatchObject({
      code: 'badarg',
      argument: 'logic',
      message: expect.stringContaining('pass defineSupervisor(config)'),
    });
    await expect(startSupervisor(start as never)).rejects.toMatchObject({ argument: 'logic' });
  });

  it('a non-supervisor passed to a command', async () => {
    await expect(stopSupervisor({} as never)).rejects.toMatchObject({ code: 'badarg', argument: 'ref', message: expect.stringContaining('startSupervisor(defineSupervisor(config))') });
    expect(() => whichChildren(undefined as never)).toThrow(expect.objectContaining({ code: 'badarg', argument: 'ref' }));
    await expect(terminateChild(null as never, 'x')).rejects.toMatchObject({ code: 'badarg', argument: 'ref' });
  });

  it('a plain async function as start', () => {
    expect(() => childSpec({ id: 'db', start: async () => {} } as never)).toThrow(expect.objectContaining({ field: 'start', message: expect.stringContaining('wrap it in fromWorker()') }));
  });

  it('fromWorker without a function', () => {
    expect(() => fromWorker(undefined as never)).toThrow(expect.objectContaining({ code: 'badarg', argument: 'run' }));
  });
});

describe('wrong value types get a clear error, not a TypeError', () => {
  it.each([
    ['backoff.minMs', { backoff: { minMs: '1s', maxMs: 10, factor: 2, jitter: 0, resetAfterMs: 0 } }],
    ['backoff.maxMs', { backoff: { minMs: 1, factor: 2, jitter: 0, resetAfterMs: 0 } }],
    ['health.intervalMs', { health: { check: () => true, intervalMs: '1s', timeoutMs: 1, failureThreshold: 1 } }],
  ])('%s', (field, extra) => {
    expect(() => childSpec({ id: 'db', start, ...extra } as never)).toThrow(expect.objectContaining({ code: 'invalid_child_spec', field }));
  });
});

describe('every error, not the first', () => {
  it('childSpecIssues lists every broken rule of one spec', () => {
    const issues = childSpecIssues({ id: 'db', start, restrat: 'temporary', shutdown: -1, significant: 'yes', backoff: { minMs: -1, maxMs: 1, factor: 2, jitter: 0, resetAfterMs: 0 } });
    expect(issues.map((issue) => issue.field)).toEqual(['restrat', 'shutdown', 'significant', 'backoff.minMs']);
    expect(childSpecIssues({ id: 'db', start })).toEqual([]);
  });

  it('supervisorConfigIssues lists every flag and every child', () => {
    const issues = supervisorConfigIssues({
      id: 'root',
      stratgey: 'one_for_all',
      intensity: -1,
      children: [{ id: 'a', start, restrat: 'temporary' }, { id: 'b', start: async () => {} }, { id: 'a', start }],
    });
    expect(issues.map((issue) => [issue.code, (issue as { field?: string }).field])).toEqual([
      ['invalid_flags', 'stratgey'],
      ['invalid_flags', 'intensity'],
      ['invalid_child_spec', 'restrat'],
      ['invalid_child_spec', 'start'],
    ]);
    // `a` twice is found once both specs are valid.
    expect(supervisorConfigIssues({ id: 'root', children: [{ id: 'a', start }, { id: 'a', start }] }).map((issue) => issue.code)).toEqual(['duplicate_child_name']);
  });
});

describe('closestKey at its edges (mutation testing found these unchecked)', () => {
  it('counts a swap of two neighbours as one edit (Damerau), so it beats two substitutions', () => {
    // 'abdc' is one swap from 'abcd' but two substitutions from 'abzz', which comes first.
    expect(closestKey('abdc', ['abzz', 'abcd'])).toBe('abcd');
    // Three swaps are three edits: too far for a 6-letter key (2 allowed).
    expect(closestKey('badcfe', ['abcdef'])).toBeUndefined();
    // Only a real swap counts: one matching side is still two edits ('zz' is as far, and first).
    expect(closestKey('ab', ['zz', 'xa'])).toBe('zz');
    expect(closestKey('ab', ['zz', 'bx'])).toBe('zz');
  });

  it('charges for every leading character it has to drop', () => {
    expect(closestKey('qqqqqrestarx', ['restart'])).toBeUndefined();
  });

  it('takes a key of 4 letters or more contained in a valid key as close, however long that key', () => {
    expect(closestKey('heal', ['healthCheckInterval'])).toBe('healthCheckInterval');
    expect(closestKey('hea', ['healthCheckInterval'])).toBeUndefined();
  });

  it('keeps the first of two equally close keys', () => {
    expect(closestKey('ab', ['ax', 'ay'])).toBe('ax');
  });

  it('allows a third of the longer name in edits, and at least 2', () => {
    // 3 deletions from an 11-letter key: allowed, exactly at the limit.
    expect(closestKey('mxChldrn', ['maxChildren'])).toBe('maxChildren');
    // 3 edits on short names: over the minimum of 2.
    expect(closestKey('abc', ['xyz'])).toBeUndefined();
  });
});
