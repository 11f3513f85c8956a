// Bad input (issue 9): every field of every spec and flag, tried with generated wrong types and
// out-of-range values (fast-check, not hand lists). Each must give the documented typed error
// naming the field; startChild on a running supervisor must leave the tree exactly as it was.
//
// The "valid" predicates below are written from the documented rules (DESIGN §2, the TSDoc of
// childSpec / defineSupervisor / defineDynamicSupervisor), not from the validators' code.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  childSpec,
  defineDynamicSupervisor,
  defineSupervisor,
  fromWorker,
  InvalidChildSpecError,
  InvalidSupervisorFlagsError,
  startChild,
  startSupervisor,
  SupervisorArgumentError,
  stopSupervisor,
  whichChildren,
  type SupervisorRef,
} from '@trellis/core';
import { createTestClock } from '@trellis/core/testing';
import { bounded, outcomeOf, SOAK, watchUnhandled } from './harness.js';

watchUnhandled();

const RUNS = SOAK ? 2_000 : 100;
export const tried = { inputs: 0 };

const idle = fromWorker(({ signal }) => new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve())));

// ---------------------------------------------------------------------------------------------
// Generators of wrong values

const weird = fc.anything({
  withBigInt: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withTypedArray: true,
  withBoxedValues: true,
  withNullPrototype: true,
  withSparseArray: true,
  withObjectString: true,
});
const numbers = fc.oneof(fc.double(), fc.integer({ min: -1e9, max: 1e9 }), fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, -1, 0.5, 2 ** 53));
const strings = fc.oneof(fc.string(), fc.constantFrom('', 'Permanent', 'one-for-one', 'brutal-kill', 'Infinity', 'never ', '5000'));
const functions = fc.func(fc.anything());
/** Anything that breaks `isValid`: wrong types, out-of-range numbers, near-miss strings, functions. */
function invalid(isValid: (v: unknown) => boolean): fc.Arbitrary<unknown> {
  return fc.oneof(weird, numbers, strings, functions).filter((v) => !isValid(v));
}

const isPlainObject = (v: unknown): boolean => typeof v === 'object' && v !== null && [Object.prototype, null].includes(Object.getPrototypeOf(v));
const isNonEmptyString = (v: unknown): boolean => typeof v === 'string' && v.length > 0;
const finiteAtLeast = (min: number) => (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v) && v >= min;
const positiveFinite = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v) && v > 0;
const optional = (rule: (v: unknown) => boolean) => (v: unknown): boolean => v === undefined || rule(v);

// ---------------------------------------------------------------------------------------------
// Child spec fields

interface FieldCase {
  readonly field: string;
  readonly valid: (v: unknown) => boolean;
  readonly with: (v: unknown) => Record<string, unknown>;
}

const BACKOFF = { minMs: 10, maxMs: 1_000, factor: 2, jitter: 0.1, resetAfterMs: 5_000 };
const HEALTH = { check: () => true, intervalMs: 1_000, timeoutMs: 100, failureThreshold: 3 };
const base = (extra: Record<string, unknown>): Record<string, unknown> => ({ id: 'x', start: idle, ...extra });

const SPEC_FIELDS: FieldCase[] = [
  { field: 'id', valid: isNonEmptyString, with: (v) => ({ ...base({}), id: v }) },
  { field: 'start', valid: () => false, with: (v) => base({ start: v }) }, // no generated value is actor logic
  { field: 'restart', valid: optional((v) => v === 'permanent' || v === 'transient' || v === 'temporary'), with: (v) => base({ restart: v }) },
  { field: 'shutdown', valid: optional((v) => v === 'brutal_kill' || v === 'infinity' || finiteAtLeast(0)(v)), with: (v) => base({ shutdown: v }) },
  { field: 'type', valid: optional((v) => v === 'worker' || v === 'supervisor'), with: (v) => base({ type: v }) },
  { field: 'significant', valid: optional((v) => typeof v === 'boolean'), with: (v) => base({ restart: 'transient', significant: v }) },
  { field: 'input', valid: optional(isPlainObject), with: (v) => base({ input: v }) },
  { field: 'resumeId', valid: optional(isNonEmptyString), with: (v) => base({ resumeId: v }) },
  { field: 'backoff', valid: optional(isPlainObject), with: (v) => base({ backoff: v }) },
  { field: 'backoff.minMs', valid: finiteAtLeast(0), with: (v) => base({ backoff: { ...BACKOFF, minMs: v, maxMs: Number.MAX_VALUE } }) },
  { field: 'backoff.maxMs', valid: finiteAtLeast(BACKOFF.minMs), with: (v) => base({ backoff: { ...BACKOFF, maxMs: v } }) },
  { field: 'backoff.factor', valid: finiteAtLeast(1), with: (v) => base({ backoff: { ...BACKOFF, factor: v } }) },
  { field: 'backoff.jitter', valid: finiteAtLeast(0), with: (v) => base({ backoff: { ...BACKOFF, jitter: v } }) },
  { field: 'backoff.resetAfterMs', valid: finiteAtLeast(0), with: (v) => base({ backoff: { ...BACKOFF, resetAfterMs: v } }) },
  { field: 'health', valid: optional(isPlainObject), with: (v) => base({ health: v }) },
  { field: 'health.check', valid: (v) => typeof v === 'function', with: (v) => base({ health: { ...HEALTH, check: v } }) },
  { field: 'health.intervalMs', valid: positiveFinite, with: (v) => base({ health: { ...HEALTH, intervalMs: v } }) },
  { field: 'health.timeoutMs', valid: positiveFinite, with: (v) => base({ health: { ...HEALTH, timeoutMs: v } }) },
  { field: 'health.failureThreshold', valid: (v) => Number.isInteger(v) && (v as number) >= 1, with: (v) => base({ health: { ...HEALTH, failureThreshold: v } }) },
];

function expectFieldError<E extends InvalidChildSpecError | InvalidSupervisorFlagsError>(
  run: () => unknown,
  kind: new (...args: never[]) => E,
  field: string,
  value: unknown,
): void {
  tried.inputs++;
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  if (!(thrown instanceof kind) || (thrown as E).field !== field) {
    throw new Error(`${field} = ${fc.stringify(value)}: expected ${kind.name} naming '${field}', got ${thrown === undefined ? 'no error (accepted)' : `${(thrown as Error).name} field=${String((thrown as E).field)}: ${(thrown as Error).message}`}`);
  }
}

let sup: SupervisorRef;
const clock = createTestClock(1_000);

beforeAll(async () => {
  sup = await startSupervisor(defineSupervisor({ id: 'root', children: [{ id: 'a', start: idle }, { id: 'b', start: idle, restart: 'transient' }] }), { clock });
});

afterAll(async () => {
  await bounded(stopSupervisor(sup));
  console.log(`[reliability] bad inputs tried: ${tried.inputs} (${RUNS} generated values per field and call site)`);
});

describe('bad input: child spec fields', () => {
  it.each(SPEC_FIELDS.map((c) => [c.field, c] as const))('%s: childSpec and defineSupervisor throw InvalidChildSpecError naming it', (_, c) => {
    fc.assert(
      fc.property(invalid(c.valid), (v) => {
        expectFieldError(() => childSpec(c.with(v) as never), InvalidChildSpecError, c.field, v);
        expectFieldError(() => defineSupervisor({ id: 'root', children: [c.with(v) as never] }), InvalidChildSpecError, c.field, v);
      }),
      { numRuns: RUNS },
    );
  });

  it.each(SPEC_FIELDS.map((c) => [c.field, c] as const))('%s: startChild on a running supervisor rejects naming it, and the tree is unchanged', async (_, c) => {
    await fc.assert(
      fc.asyncProperty(invalid(c.valid), async (v) => {
        const before = whichChildren(sup);
        tried.inputs++;
        const out = await outcomeOf(startChild(sup, c.with(v) as never), 1_000, 'startChild');
        const error = out.ok ? undefined : out.error;
        if (!(error instanceof InvalidChildSpecError) || error.field !== c.field) {
          throw new Error(`startChild ${c.field} = ${fc.stringify(v)}: expected InvalidChildSpecError naming '${c.field}', got ${out.ok ? 'success' : String(error)}`);
        }
        expect(whichChildren(sup)).toEqual(before);
      }),
      { numRuns: RUNS },
    );
  });

  it('a spec that is not a plain object: field "spec" (childSpec, defineSupervisor children, startChild)', async () => {
    await fc.assert(
      fc.asyncProperty(invalid(isPlainObject), async (v) => {
        expectFieldError(() => childSpec(v as never), InvalidChildSpecError, 'spec', v);
        expectFieldError(() => defineSupervisor({ id: 'root', children: [v as never] }), InvalidChildSpecError, 'spec', v);
        const before = whichChildren(sup);
        tried.inputs++;
        const out = await outcomeOf(startChild(sup, v as never), 1_000, 'startChild');
        expect(!out.ok && out.error instanceof InvalidChildSpecError && out.error.field === 'spec', `startChild(${fc.stringify(v)})`).toBe(true);
        expect(whichChildren(sup)).toEqual(before);
      }),
      { numRuns: RUNS },
    );
  });

  it('significant: true is out of range for a permanent child, and with autoShutdown never', () => {
    fc.assert(
      fc.property(fc.constantFrom('transient', 'temporary'), fc.constantFrom(undefined, 'never'), (restart, autoShutdown) => {
        expectFieldError(() => childSpec(base({ significant: true }) as never), InvalidChildSpecError, 'significant', true);
        expectFieldError(
          () => defineSupervisor({ id: 'root', ...(autoShutdown ? { autoShutdown } : {}), children: [base({ restart, significant: true }) as never] }),
          InvalidChildSpecError,
          'significant',
          true,
        );
      }),
      { numRuns: 20 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Supervisor flags

const isClockLike = (v: unknown): boolean =>
  typeof v === 'object' && v !== null && ['now', 'setTimeout', 'clearTimeout'].every((k) => typeof (v as Record<string, unknown>)[k] === 'function');
const FLAG_FIELDS: Array<{ field: string; valid: (v: unknown) => boolean }> = [
  { field: 'id', valid: (v) => isNonEmptyString(v) && !(v as string).includes('/') },
  { field: 'strategy', valid: optional((v) => v === 'one_for_one' || v === 'one_for_all' || v === 'rest_for_one') },
  { field: 'intensity', valid: optional((v) => Number.isInteger(v) && (v as number) >= 0) },
  { field: 'periodMs', valid: optional(positiveFinite) },
  { field: 'autoShutdown', valid: optional((v) => v === 'never' || v === 'any_significant' || v === 'all_significant') },
  { field: 'clock', valid: optional(isClockLike) },
  { field: 'logger', valid: optional((v) => typeof v === 'object' && v !== null && typeof (v as { child?: unknown }).child === 'function') },
  { field: 'children', valid: Array.isArray },
  { field: 'restartBudget', valid: optional((v) => typeof v === 'function') },
  {
    field: 'handoverStore',
    valid: optional((v) => typeof v === 'object' && v !== null && ['load', 'write', 'delete'].every((k) => typeof (v as Record<string, unknown>)[k] === 'function')),
  },
];

describe('bad input: supervisor flags', () => {
  it.each(FLAG_FIELDS.map((c) => [c.field, c] as const))('defineSupervisor %s: InvalidSupervisorFlagsError naming it', (_, c) => {
    fc.assert(
      fc.property(invalid(c.valid), (v) => {
        expectFieldError(() => defineSupervisor({ id: 'root', children: [], [c.field]: v } as never), InvalidSupervisorFlagsError, c.field, v);
      }),
      { numRuns: RUNS },
    );
  });

  it('defineSupervisor with a config that is not an object: field "config"', () => {
    fc.assert(
      fc.property(invalid((v) => typeof v === 'object' && v !== null), (v) => {
        expectFieldError(() => defineSupervisor(v as never), InvalidSupervisorFlagsError, 'config', v);
      }),
      { numRuns: RUNS },
    );
  });

  it.each(FLAG_FIELDS.filter((c) => !['strategy', 'autoShutdown', 'children'].includes(c.field)).map((c) => [c.field, c] as const))(
    'defineDynamicSupervisor %s: InvalidSupervisorFlagsError naming it',
    (_, c) => {
      fc.assert(
        fc.property(invalid(c.valid), (v) => {
          expectFieldError(() => defineDynamicSupervisor({ id: 'dyn', child: { id: 'w', start: idle }, [c.field]: v } as never), InvalidSupervisorFlagsError, c.field, v);
        }),
        { numRuns: RUNS },
      );
    },
  );

  it('defineDynamicSupervisor maxChildren: a positive integer or Infinity', () => {
    fc.assert(
      fc.property(invalid(optional((v) => v === Number.POSITIVE_INFINITY || (Number.isInteger(v) && (v as number) > 0))), (v) => {
        expectFieldError(() => defineDynamicSupervisor({ id: 'dyn', child: { id: 'w', start: idle }, maxChildren: v as number }), InvalidSupervisorFlagsError, 'maxChildren', v);
      }),
      { numRuns: RUNS },
    );
  });

  it('defineDynamicSupervisor strategy and autoShutdown: only one_for_one and never', () => {
    fc.assert(
      fc.property(invalid(optional((v) => v === 'one_for_one')), invalid(optional((v) => v === 'never')), (strategy, autoShutdown) => {
        expectFieldError(() => defineDynamicSupervisor({ id: 'dyn', child: { id: 'w', start: idle }, strategy } as never), InvalidSupervisorFlagsError, 'strategy', strategy);
        expectFieldError(() => defineDynamicSupervisor({ id: 'dyn', child: { id: 'w', start: idle }, autoShutdown } as never), InvalidSupervisorFlagsError, 'autoShutdown', autoShutdown);
      }),
      { numRuns: RUNS },
    );
  });

  it.each(SPEC_FIELDS.filter((c) => c.field !== 'significant').map((c) => [c.field, c] as const))('defineDynamicSupervisor template %s: InvalidChildSpecError naming it', (_, c) => {
    fc.assert(
      fc.property(invalid(c.valid), (v) => {
        expectFieldError(() => defineDynamicSupervisor({ id: 'dyn', child: c.with(v) as never }), InvalidChildSpecError, c.field, v);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('bad input: startChild arguments of a dynamic supervisor', () => {
  const isNonPlainObject = (v: unknown): boolean => typeof v === 'object' && v !== null && !isPlainObject(v);

  async function withDynamic(body: (dyn: SupervisorRef) => Promise<void>): Promise<void> {
    const dyn = await startSupervisor(defineDynamicSupervisor({ id: 'dyn', child: { id: 'w', start: idle } }), { clock });
    await bounded(startChild(dyn, { input: { n: 1 } }));
    try {
      await body(dyn);
    } finally {
      await bounded(stopSupervisor(dyn));
    }
  }

  /** startChild(dyn, arg) must reject with InvalidChildSpecError naming `input` and leave the tree as it was. */
  async function expectRejected(dyn: SupervisorRef, arg: unknown): Promise<void> {
    const before = whichChildren(dyn);
    tried.inputs++;
    const out = await outcomeOf(startChild(dyn, arg as never), 1_000, 'startChild');
    const error = out.ok ? undefined : out.error;
    if (!(error instanceof InvalidChildSpecError) || error.field !== 'input') {
      throw new Error(`startChild(dyn, ${fc.stringify(arg)}): expected InvalidChildSpecError naming 'input', got ${out.ok ? `success (started ${out.value.id})` : String(error)}`);
    }
    expect(whichChildren(dyn)).toEqual(before);
  }

  it('startChild(dyn, x) with x a primitive, null or function, or { input: primitive | null | array }: InvalidChildSpecError naming input, tree unchanged', async () => {
    await withDynamic(async (dyn) => {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            invalid((v) => v === undefined || (typeof v === 'object' && v !== null)),
            invalid((v) => v === undefined || (typeof v === 'object' && v !== null && !Array.isArray(v))).map((input) => ({ input })),
            fc.record({ start: fc.constant(idle) }), // a full spec instead of { input }
          ),
          (arg) => expectRejected(dyn, arg),
        ),
        { numRuns: RUNS },
      );
    });
  });

  // Found by this suite (reliability-2), fixed in 6b896df: startDynamicChild checked only
  // `typeof === 'object'`, so an array, Date, Map, Set, boxed primitive or class instance as the
  // argument, or as its `input`, started a child (a Map input was spread into nothing).
  // Reproduction (before the fix):
  //   const dyn = await startSupervisor(defineDynamicSupervisor({ id: 'dyn', child: { id: 'w', start: idle } }));
  //   await startChild(dyn, new Number(0));                              // resolved: child w-1 started
  //   await startChild(dyn, { input: new Map([['host', 'db-1']]) });    // resolved: input {} (host lost)
  it('startChild(dyn, x) with x a non-plain object, or { input: non-plain object }: InvalidChildSpecError naming input', async () => {
    await withDynamic(async (dyn) => {
      await fc.assert(
        fc.asyncProperty(fc.oneof(weird.filter(isNonPlainObject), weird.filter((v) => isNonPlainObject(v) && !Array.isArray(v)).map((input) => ({ input }))), (arg) =>
          expectRejected(dyn, arg),
        ),
        { numRuns: RUNS },
      );
    });
  });
});

describe('bad input: startSupervisor options and stopSupervisor reason', () => {
  // Found as reliability-4 (startSupervisor accepted any clock and silently ran on the system
  // clock); startSupervisor's options are arguments, so the error is SupervisorArgumentError.
  it('startSupervisor with a clock that is not a Clock rejects with SupervisorArgumentError naming options.clock', async () => {
    await fc.assert(
      fc.asyncProperty(invalid(optional(isClockLike)), async (bad) => {
        tried.inputs++;
        const out = await outcomeOf(startSupervisor(defineSupervisor({ id: 'r', children: [] }), { clock: bad as never }), 1_000, 'startSupervisor');
        if (out.ok) await bounded(stopSupervisor(out.value)).catch(() => undefined);
        const error = out.ok ? undefined : out.error;
        if (!(error instanceof SupervisorArgumentError) || error.argument !== 'options.clock') {
          throw new Error(`startSupervisor clock = ${fc.stringify(bad)}: expected SupervisorArgumentError naming 'options.clock', got ${out.ok ? 'a running supervisor' : String(error)}`);
        }
      }),
      { numRuns: Math.min(RUNS, 50) },
    );
  });

  // Found as reliability-5 (stopSupervisor accepted any reason and ended with an invalid exit).
  // A bad reason is a caller's mistake: it must reject naming `reason` and leave the supervisor
  // running (a check that quietly turned it into 'normal' would stop the tree: caught here).
  it('stopSupervisor with a reason that is not normal or shutdown rejects with SupervisorArgumentError naming reason, and the supervisor keeps running', async () => {
    await fc.assert(
      fc.asyncProperty(invalid(optional((v) => v === 'normal' || v === 'shutdown')), async (bad) => {
        tried.inputs++;
        const s = await startSupervisor(defineSupervisor({ id: 'r', children: [{ id: 'a', start: idle }] }), { clock });
        const out = await outcomeOf(stopSupervisor(s, bad as never), 1_000, 'stopSupervisor');
        const running = s.getSnapshot().status === 'active';
        if (running) await bounded(stopSupervisor(s));
        const error = out.ok ? undefined : out.error;
        if (!(error instanceof SupervisorArgumentError) || error.argument !== 'reason' || !running) {
          throw new Error(`stopSupervisor(sup, ${fc.stringify(bad)}): expected a SupervisorArgumentError naming 'reason' and a running supervisor, got ${out.ok ? `resolved ${fc.stringify(out.value)}` : String(error)}, running=${running}`);
        }
      }),
      { numRuns: Math.min(RUNS, 50) },
    );
  });

  // The same rule for startSupervisor's other options (reliability-4): an inspect that is neither
  // an observer nor a function, an onGiveUp that is not a function.
  it.each([
    ['options.inspect', (v: unknown) => v === undefined || typeof v === 'function' || (typeof v === 'object' && v !== null), (v: unknown) => ({ inspect: v })],
    ['options.onGiveUp', (v: unknown) => v === undefined || typeof v === 'function', (v: unknown) => ({ onGiveUp: v })],
  ] as const)('startSupervisor with a bad %s rejects with SupervisorArgumentError naming it', async (argument, isValid, options) => {
    await fc.assert(
      fc.asyncProperty(invalid(isValid), async (bad) => {
        tried.inputs++;
        const out = await outcomeOf(startSupervisor(defineSupervisor({ id: 'r', children: [] }), { clock, ...options(bad) } as never), 1_000, 'startSupervisor');
        if (out.ok) await bounded(stopSupervisor(out.value)).catch(() => undefined);
        const error = out.ok ? undefined : out.error;
        if (!(error instanceof SupervisorArgumentError) || error.argument !== argument) {
          throw new Error(`startSupervisor ${argument} = ${fc.stringify(bad)}: expected SupervisorArgumentError naming '${argument}', got ${out.ok ? 'a running supervisor' : String(error)}`);
        }
      }),
      { numRuns: Math.min(RUNS, 50) },
    );
  });
});
