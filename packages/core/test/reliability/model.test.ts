// Model-based test (issue 9): random command sequences drive a REAL supervisor and the pure
// reference model in ./model.ts; after every step the child table, counts and end state must agree.
//
// Reproduce a failure: the run prints `seed` and `path`; then
//   TRELLIS_SEED=<seed> TRELLIS_PATH=<path> ../../node_modules/.bin/vitest run test/reliability/model.test.ts
// replays exactly the shrunk counterexample (fc.assert(..., { seed, path })).
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  countChildren,
  defineSupervisor,
  deleteChild,
  restartChild,
  startChild,
  startSupervisor,
  stopSupervisor,
  terminateChild,
  whichChildren,
  type ChildInfo,
  type SupervisorRef,
} from '@trellis/core';
import { createTestClock, scriptedChild, settle, type ScriptedChild, type TestClock } from '@trellis/core/testing';
import * as M from './model.js';
import { bounded, outcomeOf, SOAK, watchUnhandled } from './harness.js';

watchUnhandled();

const IDS = ['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6'] as const;
const START_TIME = 1_000;

// ---------------------------------------------------------------------------------------------
// Generators

type Cmd =
  | { k: 'crash'; i: number }
  | { k: 'exitNormal'; i: number }
  | { k: 'exitShutdown'; i: number }
  | { k: 'failThenCrash'; i: number; n: number } // n = -1: fail always
  | { k: 'heal'; i: number }
  | { k: 'terminate'; i: number }
  | { k: 'restart'; i: number }
  | { k: 'delete'; i: number }
  | { k: 'start'; i: number; restart: M.RestartType; significant: boolean; brutal: boolean }
  | { k: 'advance'; by: Advance }
  /** 2–4 manual commands sent at once, without awaiting each other: served in order (the mailbox). */
  | { k: 'batch'; ops: ManualOp[] }
  | { k: 'tick' };

type ManualOp =
  | { k: 'terminate'; i: number }
  | { k: 'restart'; i: number }
  | { k: 'delete'; i: number }
  | { k: 'start'; i: number; restart: M.RestartType; significant: boolean; brutal: boolean };

/** Time steps relative to the window, so the inclusive edge (exactly periodMs) is hit often. */
type Advance = 'one' | 'half' | 'periodMinus1' | 'period' | 'periodPlus1' | 'twoPeriods';

function advanceMs(by: Advance, periodMs: number): number {
  switch (by) {
    case 'one':
      return 1;
    case 'half':
      return Math.floor(periodMs / 2);
    case 'periodMinus1':
      return periodMs - 1;
    case 'period':
      return periodMs;
    case 'periodPlus1':
      return periodMs + 1;
    case 'twoPeriods':
      return 2 * periodMs;
  }
}

interface Setup {
  flags: M.ModelFlags;
  specs: M.ModelSpec[];
  /** Per id index: the child ignores its stop request (scriptedChild ignoreStop, shutdown 50 ms). */
  deaf?: boolean[];
}

const restartArb = fc.constantFrom<M.RestartType>('permanent', 'transient', 'temporary');

const setupArb: fc.Arbitrary<Setup> = fc
  .record({
    strategy: fc.constantFrom<M.Strategy>('one_for_one', 'one_for_all', 'rest_for_one'),
    intensity: fc.integer({ min: 0, max: 4 }),
    periodMs: fc.constantFrom(5, 10, 100, 1_000, 5_000),
    autoShutdown: fc.constantFrom<M.AutoShutdown>('never', 'never', 'any_significant', 'all_significant'),
    kids: fc.array(fc.record({ restart: restartArb, significant: fc.boolean(), brutal: fc.boolean() }), { minLength: 1, maxLength: 5 }),
    deaf: fc.array(fc.integer({ min: 0, max: 3 }).map((n) => n === 0), { minLength: IDS.length, maxLength: IDS.length }),
    })
    .map(({ strategy, intensity, periodMs, autoShutdown, kids, deaf }) => ({
    flags: { strategy, intensity, periodMs, autoShutdown },
    deaf,
    // Valid combinations only: significant needs autoShutdown and a non-permanent child.
    specs: kids.map((k, i) => ({ id: IDS[i]!, restart: k.restart, significant: k.significant && autoShutdown !== 'never' && k.restart !== 'permanent', brutal: k.brutal, deaf: deaf[i]! })),
  }));

const idx = fc.integer({ min: 0, max: IDS.length - 1 });
const manualArb: fc.Arbitrary<ManualOp> = fc.oneof(
  idx.map((i) => ({ k: 'terminate' as const, i })),
  idx.map((i) => ({ k: 'restart' as const, i })),
  idx.map((i) => ({ k: 'delete' as const, i })),
  fc.record({ k: fc.constant('start' as const), i: idx, restart: restartArb, significant: fc.boolean(), brutal: fc.boolean() }),
);
const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 5, arbitrary: idx.map((i) => ({ k: 'crash' as const, i })) },
  { weight: 2, arbitrary: idx.map((i) => ({ k: 'exitNormal' as const, i })) },
  { weight: 2, arbitrary: idx.map((i) => ({ k: 'exitShutdown' as const, i })) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('failThenCrash' as const), i: idx, n: fc.constantFrom(1, 2, 3, 5, -1) }) },
  { weight: 1, arbitrary: idx.map((i) => ({ k: 'heal' as const, i })) },
  { weight: 2, arbitrary: idx.map((i) => ({ k: 'terminate' as const, i })) },
  { weight: 2, arbitrary: idx.map((i) => ({ k: 'restart' as const, i })) },
  { weight: 1, arbitrary: idx.map((i) => ({ k: 'delete' as const, i })) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('start' as const), i: idx, restart: restartArb, significant: fc.boolean(), brutal: fc.boolean() }) },
  { weight: 3, arbitrary: fc.constantFrom<Advance>('one', 'half', 'periodMinus1', 'period', 'period', 'periodPlus1', 'twoPeriods').map((by) => ({ k: 'advance' as const, by })) },
  { weight: 2, arbitrary: fc.constant({ k: 'tick' as const }) },
  { weight: 2, arbitrary: fc.array(manualArb, { minLength: 2, maxLength: 4 }).map((ops) => ({ k: 'batch' as const, ops })) },
);

// ---------------------------------------------------------------------------------------------
// Comparison

interface Row {
  id: string;
  status: string;
  incarnation: number;
  restarts: number;
  lastExit: { reason: string; at: number; offender?: string } | null;
}

function realRow(c: ChildInfo): Row {
  const e = c.lastExit;
  let lastExit: Row['lastExit'] = null;
  if (e !== null) {
    lastExit = { reason: e.reason, at: e.at };
    const offender = (e.detail as { offender?: string } | undefined)?.offender;
    if (offender !== undefined) lastExit.offender = offender;
  }
  return { id: c.id, status: c.status, incarnation: c.incarnation, restarts: c.restarts, lastExit };
}

function modelRow(c: M.ModelChild): Row {
  const e = c.previousExit;
  let lastExit: Row['lastExit'] = null;
  if (e !== null) {
    lastExit = { reason: e.reason, at: e.at };
    if (e.offender !== undefined) lastExit.offender = e.offender;
  }
  return { id: c.id, status: c.status, incarnation: Math.max(c.incarnation, 0), restarts: c.restarts, lastExit };
}

function codeOf(outcome: { ok: true; value: unknown } | { ok: false; error: unknown }): string {
  if (outcome.ok) return 'ok';
  const code = (outcome.error as { code?: unknown }).code;
  return typeof code === 'string' ? code : `unexpected: ${String(outcome.error)}`;
}

class Mismatch extends Error {}

function check(label: string, real: unknown, model: unknown): void {
  try {
    expect(real).toEqual(model);
  } catch (error) {
    throw new Mismatch(`${label}:\n  real:  ${JSON.stringify(real)}\n  model: ${JSON.stringify(model)}`);
  }
}

function exitRow(e: { reason: string; at: number; detail?: unknown; offender?: string } | null): Row['lastExit'] {
  if (e === null) return null;
  const offender = 'offender' in e && e.offender !== undefined ? e.offender : (e.detail as { offender?: string } | undefined)?.offender;
  return offender === undefined ? { reason: e.reason, at: e.at } : { reason: e.reason, at: e.at, offender };
}

/** DESIGN §3: the handover of every start attempt, per child id, against the model's. */
function compareHandovers(step: number, kids: ReadonlyMap<string, ScriptedChild>, m: M.Model): void {
  for (const [id, kid] of kids) {
    const real = kid.handovers.map((h) => ({ resumeId: h.resumeId, incarnation: h.incarnation, previousExit: exitRow(h.previousExit) }));
    const model = (m.handovers.get(id) ?? []).map((h) => ({ resumeId: h.resumeId, incarnation: h.incarnation, previousExit: exitRow(h.previousExit) }));
    check(`step ${step}: handovers of ${id}`, real, model);
  }
}

function compare(step: number, sup: SupervisorRef, m: M.Model): void {
  const snap = sup.getSnapshot();
  const realEnded = snap.status === 'done';
  check(`step ${step}: supervisor ended`, realEnded, m.ended !== undefined);
  if (m.ended !== undefined) {
    check(`step ${step}: supervisor output`, snap.output, m.ended);
    return;
  }
  // The machine's state follows the runtime: `restarting` while a child is in a restart loop.
  check(`step ${step}: machine state`, String(snap.value), m.children.some((c) => c.status === 'restarting') ? 'restarting' : 'running');
  check(`step ${step}: whichChildren`, whichChildren(sup).map(realRow), M.whichChildren(m).map(modelRow));
  check(`step ${step}: countChildren`, countChildren(sup), M.countChildren(m));
}

// ---------------------------------------------------------------------------------------------
// One run

export const stats = { runs: 0, commands: 0 };

function shutdownOf(brutal: boolean, deaf: boolean): 'brutal_kill' | number {
  return brutal ? 'brutal_kill' : deaf ? M.DEAF_SHUTDOWN_MS : 5_000;
}

/**
 * Lets the supervisor finish what it is doing: microtasks only (no event-loop turn, so pending
 * retries stay pending), and whenever it waits for a deaf child, the test clock moves by exactly
 * that child's shutdown time (as the model's clock does).
 */
async function pump(clock: TestClock): Promise<void> {
  for (let round = 0; round < 10_000; round++) {
    for (let i = 0; i < 100; i++) await Promise.resolve();
    if (clock.pending() === 0) return;
    clock.advance(M.DEAF_SHUTDOWN_MS);
  }
  throw new Error('the supervisor kept waiting for children to stop');
}

/** Sends one manual command to the real supervisor (synchronously) and applies it to the model. */
function manual(sup: SupervisorRef, m: M.Model, setup: Setup, kid: (id: string) => ScriptedChild, op: ManualOp): { real: Promise<string>; model: M.Outcome } {
  const id = IDS[op.i]!;
  switch (op.k) {
    case 'terminate':
      return { real: outcomeOf(terminateChild(sup, id), 2_000, `terminateChild(${id})`).then(codeOf), model: M.terminateChild(m, id) };
    case 'restart':
      return { real: outcomeOf(restartChild(sup, id), 2_000, `restartChild(${id})`).then(codeOf), model: M.restartChild(m, id) };
    case 'delete':
      return { real: outcomeOf(deleteChild(sup, id), 2_000, `deleteChild(${id})`).then(codeOf), model: M.deleteChild(m, id) };
    case 'start': {
      const significant = op.significant && setup.flags.autoShutdown !== 'never' && op.restart !== 'permanent';
      const deaf = setup.deaf?.[op.i] ?? false;
      return {
        real: outcomeOf(startChild(sup, { id, start: kid(id), restart: op.restart, significant, shutdown: shutdownOf(op.brutal, deaf) }), 2_000, `startChild(${id})`).then(codeOf),
        model: M.startChild(m, { id, restart: op.restart, significant, brutal: op.brutal, deaf }),
      };
    }
  }
}

async function runOnce(setup: Setup, cmds: readonly Cmd[]): Promise<void> {
  stats.runs++;
  const clock = createTestClock(START_TIME);
  const kids = new Map<string, ScriptedChild>();
  const kid = (id: string): ScriptedChild => {
    let k = kids.get(id);
    if (k === undefined) kids.set(id, (k = scriptedChild({ ignoreStop: setup.deaf?.[IDS.indexOf(id as (typeof IDS)[number])] ?? false })));
    return k;
  };
  const sup = await bounded(
    startSupervisor(
      defineSupervisor({
        id: 'root',
        ...setup.flags,
        children: setup.specs.map((s) => ({ id: s.id, start: kid(s.id), restart: s.restart, significant: s.significant, shutdown: shutdownOf(s.brutal, s.deaf ?? false) })),
      }),
      // The model checks every give-up itself: opting out of the stderr line keeps the run quiet.
      { clock, onGiveUp: () => {} },
    ),
    2_000,
    'startSupervisor',
  );
  const m = M.createModel(setup.flags, setup.specs, START_TIME);
  let finished = false;
  try {
    compare(0, sup, m);
    compareHandovers(0, kids, m);
    let step = 0;
    for (const cmd of cmds) {
      step++;
      stats.commands++;
      // Retries scheduled before this step run after its command, in this step's event-loop turn
      // (decision 0003 §2); the turn is registered before the command so that retries the command
      // schedules fall into the next step, on both sides.
      const due = M.takeDueRetries(m);
      const turn = settle();
      let real: string | undefined;
      let model: M.Outcome | undefined;
      const id = 'i' in cmd ? IDS[cmd.i]! : '';
      switch (cmd.k) {
        case 'crash':
          kid(id).crash();
          M.childExits(m, id, 'error');
          break;
        case 'exitNormal':
          kid(id).exitNormal();
          M.childExits(m, id, 'normal');
          break;
        case 'exitShutdown':
          kid(id).exitShutdown();
          M.childExits(m, id, 'shutdown');
          break;
        case 'failThenCrash':
          kid(id).failStarts(cmd.n < 0 ? 'always' : cmd.n);
          m.failStarts.set(id, cmd.n < 0 ? Number.POSITIVE_INFINITY : cmd.n);
          kid(id).crash();
          M.childExits(m, id, 'error');
          break;
        case 'heal':
          kid(id).failStarts(0);
          m.failStarts.set(id, 0);
          break;
        case 'terminate':
        case 'restart':
        case 'delete':
        case 'start': {
          const sent = manual(sup, m, setup, kid, cmd);
          await pump(clock);
          real = await sent.real;
          model = sent.model;
          break;
        }
        case 'batch': {
          // All sent before any is awaited; the model applies them in the same order.
          const sent = cmd.ops.map((op) => manual(sup, m, setup, kid, op));
          await pump(clock);
          const reals = await Promise.all(sent.map((x) => x.real));
          check(
            `step ${step} (batch): command outcomes`,
            reals,
            sent.map((x) => (x.model.ok ? 'ok' : x.model.code)),
          );
          break;
        }
        case 'advance': {
          const ms = advanceMs(cmd.by, setup.flags.periodMs);
          clock.advance(ms);
          m.now += ms;
          break;
        }
        case 'tick':
          break;
      }
      await pump(clock);
      await bounded(turn, 2_000, 'event-loop turn');
      await pump(clock);
      M.runRetryRound(m, due);
      if (model !== undefined) check(`step ${step} (${cmd.k} ${id}): command outcome`, real, model.ok ? 'ok' : model.code);
      compare(step, sup, m);
      compareHandovers(step, kids, m);
    }
    finished = true;
  } finally {
    // A failing run still stops its supervisor, so shrinking starts each retry from a clean slate.
    if (!finished && sup.getSnapshot().status === 'active') await bounded(stopSupervisor(sup), 2_000).catch(() => undefined);
  }
  const stopping = stopSupervisor(sup);
  await pump(clock);
  const out = await bounded(stopping, 2_000, 'stopSupervisor');
  check('final stopSupervisor output', out, m.ended ?? { reason: 'normal' });
  check('timers left on the test clock after stopSupervisor', clock.pending(), 0);
}

// ---------------------------------------------------------------------------------------------

const numRuns = SOAK ? Number(process.env.TRELLIS_SOAK_RUNS ?? 20_000) : Number(process.env.TRELLIS_RUNS ?? 200);
const maxCommands = SOAK ? 50 : 30;
const seed = process.env.TRELLIS_SEED !== undefined ? Number(process.env.TRELLIS_SEED) : (Date.now() ^ (Math.random() * 0x7fffffff)) | 0;
const path = process.env.TRELLIS_PATH;

describe('model-based: a real supervisor agrees with the OTP reference model', () => {
  afterAll(() => {
    // The figure the reliability guide quotes.
    console.log(`[reliability] model test: seed=${seed} runs=${stats.runs} commands=${stats.commands} (numRuns=${numRuns}, ≤${maxCommands} commands each)`);
  });

  it(
    `random command sequences across strategies, restart types and flags (${numRuns} runs)`,
    async () => {
      console.log(`[reliability] model test seed=${seed}${path ? ` path=${path}` : ''}`);
      await fc.assert(
        fc.asyncProperty(setupArb, fc.array(cmdArb, { minLength: 1, maxLength: maxCommands, size: 'max' }), async (setup, cmds) => {
          await runOnce(setup, cmds);
        }),
        {
          seed,
          ...(path !== undefined ? { path } : {}),
          numRuns,
          endOnFailure: false,
          verbose: 0,
          reporter: (details) => {
            if (details.failed) {
              throw new Error(
                `${fc.defaultReportMessage(details)}\n\nGot: ${String((details.errorInstance as Error | undefined)?.message ?? details.errorInstance)}\n\nReplay: TRELLIS_SEED=${details.seed} TRELLIS_PATH=${details.counterexamplePath} ../../node_modules/.bin/vitest run test/reliability/model.test.ts`,
              );
            }
          },
        },
      );
    },
    SOAK ? 3_600_000 : 60_000,
  );

  it('the model and the supervisor agree on the OTP anchor scenarios', async () => {
    // A few fixed sequences, so the model itself is pinned to OTP-SEMANTICS (probe names in comments).
    // intensity_boundary: intensity 2, the third rapid restart gives up.
    await runOnce({ flags: { strategy: 'one_for_one', intensity: 2, periodMs: 5_000, autoShutdown: 'never' }, specs: [{ id: 'c0', restart: 'permanent', significant: false, brutal: false }] }, [
      { k: 'crash', i: 0 },
      { k: 'crash', i: 0 },
      { k: 'crash', i: 0 },
    ]);
    // transient_normal_no_strategy + temporary_bystander + one_for_all_refails.
    await runOnce(
      {
        flags: { strategy: 'one_for_all', intensity: 4, periodMs: 1_000, autoShutdown: 'never' },
        specs: [
          { id: 'c0', restart: 'transient', significant: false, brutal: false },
          { id: 'c1', restart: 'temporary', significant: false, brutal: true },
          { id: 'c2', restart: 'permanent', significant: false, brutal: false },
        ],
      },
      [{ k: 'exitNormal', i: 0 }, { k: 'failThenCrash', i: 2, n: 2 }, { k: 'tick' }, { k: 'tick' }, { k: 'tick' }],
    );
    // significant_transient under all_significant, and a hanging restart loop ended by terminateChild.
    await runOnce(
      {
        flags: { strategy: 'rest_for_one', intensity: 3, periodMs: 10, autoShutdown: 'all_significant' },
        specs: [
          { id: 'c0', restart: 'transient', significant: true, brutal: false },
          { id: 'c1', restart: 'permanent', significant: false, brutal: true },
          { id: 'c2', restart: 'temporary', significant: true, brutal: false },
        ],
      },
      [{ k: 'failThenCrash', i: 1, n: -1 }, { k: 'terminate', i: 1 }, { k: 'tick' }, { k: 'exitNormal', i: 0 }, { k: 'heal', i: 1 }, { k: 'restart', i: 1 }, { k: 'exitShutdown', i: 2 }],
    );
  });
});
