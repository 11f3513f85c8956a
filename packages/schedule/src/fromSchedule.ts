/**
 * `fromSchedule`: actor logic for a scheduled child. The child is a small scheduler that stays
 * up under its supervisor and starts its `run` logic (a `fromWorker`, a `fromProcess`, any actor
 * logic but a supervisor) at each due time of a cron expression or a fixed interval; a run that
 * fails makes the scheduler fail, so the supervisor restarts it under its restart intensity.
 *
 * @module
 */
import type { Cron } from 'croner';
import { createActor, type ActorLogic, type AnyActorLogic, type AnyActorRef, type EventObject, type Snapshot } from 'xstate';
import {
  childProtocolOf,
  exit,
  isExitRequest,
  serializeError,
  SHUTDOWN_REQUEST,
  silentLogger,
  systemClock,
  withChildProtocol,
  type Clock,
  type ExitReason,
  type ExitRequest,
  type ExitStatus,
  type Handover,
  type Logger,
  type WorkerInput,
} from '@trellis/core';
import { validateSchedule, type ScheduleOptions } from './scheduleOptions.js';

/**
 * The last run a scheduler knows of: when it ended, how, and its number.
 *
 * @remarks
 * It rides in the scheduler's own exit (`previousExit.detail.lastRun` of a `shutdown`), so a
 * durable handover store carries it across program restarts, where the missed-run policy reads it
 * (decision 0024). A run that failed is the scheduler's own `previousExit` (its `at` and `reason`).
 *
 * @example
 * ```ts
 * import type { LastRun } from '@trellis/schedule';
 * const last: LastRun = { number: 12, at: Date.UTC(2026, 0, 1, 2, 30), reason: 'normal' };
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface LastRun {
  /** Which run it was, counted from 1 over the child's life. */
  readonly number: number;
  /** When it ended (the clock's epoch ms). */
  readonly at: number;
  /** How it ended. */
  readonly reason: ExitReason;
}

/**
 * The snapshot of a scheduler actor: when it runs next, whether a run is going, and what it
 * skipped.
 *
 * @remarks
 * Read it from `whichChildren(sup)`'s `ref.getSnapshot()`. `nextRunAt` is the next due time
 * (epoch ms, jitter not included; `undefined` while stopping); `skipped` counts due times passed
 * over because a run was still going (`overlap: 'skip'`).
 *
 * @example
 * ```ts no-run
 * import { whichChildren, type SupervisorRef } from '@trellis/core';
 * import type { ScheduleSnapshot } from '@trellis/schedule';
 * declare const sup: SupervisorRef;
 * const report = whichChildren(sup).find((c) => c.id === 'nightly')?.ref?.getSnapshot() as ScheduleSnapshot | undefined;
 * console.log(new Date(report?.nextRunAt ?? 0).toISOString(), report?.running, report?.skipped);
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export type ScheduleSnapshot = Snapshot<ExitRequest> & {
  /** The next due time, epoch ms. */
  readonly nextRunAt: number | undefined;
  /** Whether a run is going now. */
  readonly running: boolean;
  /** The last run that ended, from this incarnation or the handover. */
  readonly lastRun: LastRun | undefined;
  /** Runs started by this incarnation. */
  readonly runs: number;
  /** Due times skipped because a run was still going. */
  readonly skipped: number;
  /** The input it was started with; `undefined` once it has ended. */
  readonly input: WorkerInput | undefined;
};

/**
 * The actor logic {@link fromSchedule} returns.
 *
 * @remarks
 * Marked `{ gracefulStop: true, awaitReady: false, kind: 'worker' }`: the supervisor gives it
 * `{ handover, input, logger, clock }`; asked to stop, it stops its run (if one is going) and
 * ends `shutdown` with `{ lastRun, nextRunAt }` as the detail.
 *
 * @example
 * ```ts
 * import { fromWorker } from '@trellis/core';
 * import { fromSchedule, type ScheduleLogic } from '@trellis/schedule';
 * const logic: ScheduleLogic = fromSchedule(fromWorker(async () => {}), { everyMs: 60_000 });
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export type ScheduleLogic = ActorLogic<ScheduleSnapshot, EventObject, WorkerInput | undefined>;

const DUE = 'trellis.schedule.due';
const RUN_ENDED = 'trellis.schedule.runEnded';
/** The longest delay Node's setTimeout takes; a longer wait is made of several. */
const MAX_DELAY = 2_147_483_647;

interface Instance {
  clock: Clock;
  logger: Logger;
  handover: Handover;
  timer: unknown;
  run: AnyActorRef | undefined;
  queued: boolean;
  stopping: boolean;
  /** Runs over the child's life so far (from the handover), for the next run's number. */
  count: number;
  lastRun: LastRun | undefined;
  lastExit: ExitStatus | null;
}

const instances = new WeakMap<AnyActorRef, Instance>();

/** The exit status of an ended run actor, read as the supervisor reads a child's. */
function statusOfRun(snapshot: { status: string; output?: unknown; error?: unknown }, at: number): { status: ExitStatus; error?: unknown } {
  if (snapshot.status === 'error') return { status: { reason: 'error', detail: serializeError(snapshot.error), at }, error: snapshot.error };
  const output = snapshot.output;
  if (isExitRequest(output)) {
    const status: { -readonly [K in keyof ExitStatus]: ExitStatus[K] } = { reason: output.reason, at };
    if (output.detail !== undefined) status.detail = output.detail;
    if (output.code !== undefined) status.code = output.code;
    if (output.signal !== undefined) status.signal = output.signal;
    return { status };
  }
  return { status: { reason: 'normal', at } };
}

/** The last run the handover tells of: carried in a stop's detail, or a failed run's own exit. */
function lastRunOf(previous: ExitStatus | null): LastRun | undefined {
  if (previous === null) return undefined;
  const carried = (previous.detail as { lastRun?: LastRun } | undefined)?.lastRun;
  if (previous.reason === 'shutdown' || previous.reason === 'normal') return carried;
  if (previous.reason === 'lost' || previous.reason === 'bystander') return carried;
  // The scheduler failed because a run did: that run ended at the exit's time.
  const number = (previous.detail as { run?: number } | undefined)?.run;
  return { number: typeof number === 'number' ? number : 0, at: previous.at, reason: previous.reason };
}

/**
 * Makes actor logic that runs `run` on a schedule: a scheduled child.
 *
 * @remarks
 * **Schedule.** `cron` (with `timezone`, through croner; decision 0024) or `everyMs`. The child
 * itself is a scheduler that stays up; at each due time (plus a random `[0, jitterMs)`) it starts
 * `run` as its own actor. A run gets a handover of its own: the child's ResumeID, its run number
 * as the incarnation, and the previous run's exit as `previousExit`; a `fromWorker` run also gets
 * the spec's `input`, the logger and the tree's clock.
 *
 * **Overlap.** A run still going at the next due time: that time is skipped and reported
 * (`schedule.run.skipped`, `snapshot.skipped`), or with `overlap: 'queue'` one run is started as
 * soon as it ends.
 *
 * **Boot.** Nothing runs at boot unless `runAtStart`. With `missed: 'runOnce'`, a boot after the
 * program was down runs once at once when a due time passed since the last run; the last run
 * comes from the scheduler's handover (`previousExit.detail.lastRun`), which survives the program
 * with a durable `handoverStore`. When the earlier program died (`lost`), the last run is unknown
 * and `'runOnce'` runs once.
 *
 * **Failure.** A run that ends abnormally (a crash, `killed`, `timeout`) ends the scheduler with
 * that exit, so its supervisor restarts it by its restart type and counts the restart toward its
 * intensity, like any child's crash; the restarted scheduler waits for the next due time.
 *
 * **Stop.** Asked to stop, it asks a going run to stop (or stops it, for logic without a stop
 * protocol), waits for it within the spec's `shutdown`, and ends `shutdown` with `{ lastRun,
 * nextRunAt }` as the detail.
 *
 * **Time.** Every timer is on the tree's clock (the test clock in tests, whose `now()` should
 * then start at an epoch time, since cron reads wall-clock dates).
 *
 * @param run - the logic of one run.
 * @param options - when to run, overlap, boot and missed-run policies, jitter.
 * @returns actor logic for a child spec's `start`.
 * @throws `SupervisorArgumentError` (from `@trellis/core`) naming the field, the rule and the value: `run`
 * not actor logic or a supervisor, neither or both of `cron` and `everyMs`, an invalid cron or
 * time zone, an unknown key.
 *
 * @example A job every day at 02:30 in Paris, caught up after downtime
 * ```ts
 * import assert from 'node:assert/strict';
 * import { defineSupervisor, fromWorker, startSupervisor, stopSupervisor, whichChildren } from '@trellis/core';
 * import { createTestClock, settle } from '@trellis/core/testing';
 * import { fromSchedule, type ScheduleSnapshot } from '@trellis/schedule';
 * const runs: string[] = [];
 * const nightly = fromSchedule(
 *   fromWorker(async ({ clock }) => {
 *     runs.push(new Date(clock.now()).toISOString());
 *   }),
 *   { cron: '30 2 * * *', timezone: 'Europe/Paris' },
 * );
 * const clock = createTestClock(Date.UTC(2026, 0, 15, 0, 0));
 * const sup = await startSupervisor(defineSupervisor({ id: 'root', children: [{ id: 'nightly', start: nightly }] }), { clock });
 * const next = (whichChildren(sup)[0]?.ref?.getSnapshot() as ScheduleSnapshot).nextRunAt;
 * assert.equal(new Date(next!).toISOString(), '2026-01-15T01:30:00.000Z'); // 02:30 in Paris, winter
 * clock.advance(2 * 60 * 60 * 1000);
 * await settle();
 * assert.deepEqual(runs, ['2026-01-15T01:30:00.000Z']);
 * await stopSupervisor(sup);
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export function fromSchedule(run: AnyActorLogic, options: ScheduleOptions): ScheduleLogic {
  const cron: Cron | undefined = validateSchedule(run, options);
  const everyMs = options.everyMs;
  const overlap = options.overlap ?? 'skip';
  const runAtStart = options.runAtStart === true;
  const missed = options.missed ?? 'skip';
  const jitterMs = options.jitterMs ?? 0;
  const random = options.random ?? Math.random;
  const protocol = childProtocolOf(run);

  /** The first due time strictly after `from` (epoch ms). */
  function dueAfter(from: number, anchor: number): number | undefined {
    if (cron !== undefined) return cron.nextRun(new Date(from))?.getTime();
    const step = everyMs as number;
    return anchor + (Math.floor((from - anchor) / step) + 1) * step;
  }

  function arm(self: AnyActorRef, instance: Instance, dueAt: number, delay: number): void {
    const wait = Math.min(Math.max(0, delay), MAX_DELAY);
    instance.timer = instance.clock.setTimeout(() => {
      instance.timer = undefined;
      if (wait < delay) arm(self, instance, dueAt, delay - wait);
      else if (self.getSnapshot().status === 'active') self.send({ type: DUE, dueAt } as EventObject);
    }, wait);
  }

  function startRun(self: AnyActorRef, instance: Instance, dueAt: number): void {
    instance.count += 1;
    const number = instance.count;
    const handover: Handover = { resumeId: instance.handover.resumeId, incarnation: number, previousExit: instance.lastExit };
    const specInput = (self.getSnapshot() as ScheduleSnapshot).input?.input;
    const logger = instance.logger.child({ run: number });
    const input = protocol.kind === 'worker' ? { handover, input: specInput, logger, clock: instance.clock } : { ...(specInput ?? {}), handover };
    instance.logger.info({ event: 'schedule.run.started', run: number, dueAt: new Date(dueAt).toISOString() }, 'scheduled run started');
    const actor = createActor(run, { input, clock: instance.clock, id: `${self.id}#${number}` });
    instance.run = actor;
    let reported = false;
    const report = (): void => {
      const snapshot = actor.getSnapshot() as { status: string };
      if (reported || (snapshot.status !== 'done' && snapshot.status !== 'error')) return;
      reported = true;
      const ended = statusOfRun(snapshot, instance.clock.now());
      if (self.getSnapshot().status === 'active') self.send({ type: RUN_ENDED, run: actor, number, ...ended } as EventObject);
    };
    actor.subscribe({ next: report, error: report, complete: report });
    actor.start();
    report();
  }

  function scheduleNext(self: AnyActorRef, instance: Instance, after: number, anchor: number): number | undefined {
    const dueAt = dueAfter(after, anchor);
    if (dueAt === undefined) return undefined;
    const jitter = jitterMs > 0 ? Math.floor(random() * jitterMs) : 0;
    arm(self, instance, dueAt, dueAt - instance.clock.now() + jitter);
    instance.logger.debug({ event: 'schedule.next', nextRunAt: new Date(dueAt).toISOString(), jitterMs: jitter }, 'next run scheduled');
    return dueAt;
  }

  const anchors = new WeakMap<AnyActorRef, number>();
  /**
   * The last run of each child (by ResumeID) this logic has run in this program: a scheduler
   * restarted after a failed run continues the run count from it (a crash's detail does not
   * carry it); across programs the stop's detail does.
   */
  const remembered = new Map<string, { readonly lastRun: LastRun; readonly exit: ExitStatus }>();

  const logic: ScheduleLogic = {
    config: options,
    getInitialSnapshot: (_scope, input) => ({
      status: 'active',
      output: undefined,
      error: undefined,
      nextRunAt: undefined,
      running: false,
      lastRun: (input?.handover === undefined ? undefined : remembered.get(input.handover.resumeId)?.lastRun) ?? lastRunOf(input?.handover?.previousExit ?? null),
      runs: 0,
      skipped: 0,
      input,
    }),
    transition: (snapshot, event, scope) => {
      if (snapshot.status !== 'active') return snapshot;
      const self = scope.self;
      const instance = instances.get(self);
      if (instance === undefined) return event.type === 'xstate.stop' ? { ...snapshot, status: 'stopped', input: undefined } : snapshot;
      const anchor = anchors.get(self) ?? 0;
      switch (event.type) {
        case DUE: {
          const dueAt = (event as EventObject & { dueAt: number }).dueAt;
          if (instance.stopping) return snapshot;
          const nextRunAt = scheduleNext(self, instance, dueAt, anchor);
          if (instance.run !== undefined) {
            if (overlap === 'queue') {
              instance.queued = true;
              return { ...snapshot, nextRunAt };
            }
            instance.logger.warn({ event: 'schedule.run.skipped', dueAt: new Date(dueAt).toISOString(), running: instance.count }, 'a run was still going when the next was due; skipped');
            return { ...snapshot, nextRunAt, skipped: snapshot.skipped + 1 };
          }
          startRun(self, instance, dueAt);
          return { ...snapshot, nextRunAt, running: true, runs: snapshot.runs + 1 };
        }
        case RUN_ENDED: {
          const ended = event as EventObject & { run: AnyActorRef; number: number; status: ExitStatus; error?: unknown };
          if (ended.run !== instance.run) return snapshot;
          instance.run = undefined;
          const lastRun: LastRun = { number: ended.number, at: ended.status.at, reason: ended.status.reason };
          instance.lastRun = lastRun;
          instance.lastExit = ended.status;
          remembered.set(instance.handover.resumeId, { lastRun, exit: ended.status });
          instance.logger.info({ event: 'schedule.run.ended', run: ended.number, reason: ended.status.reason }, 'scheduled run ended');
          if (instance.stopping) {
            remembered.delete(instance.handover.resumeId); // the stop's detail carries it from here
            return { ...snapshot, status: 'done', output: exit.shutdown({ lastRun, nextRunAt: undefined }), running: false, lastRun, input: undefined };
          }
          const clean = ended.status.reason === 'normal' || ended.status.reason === 'shutdown';
          if (!clean) {
            // A failed run is this child's crash: the supervisor restarts it under its intensity.
            if (instance.timer !== undefined) instance.clock.clearTimeout(instance.timer);
            instance.timer = undefined;
            if (ended.status.reason === 'error') {
              const error = ended.error instanceof Error ? ended.error : new Error(String((ended.status.detail as { message?: string } | undefined)?.message ?? 'run failed'));
              return { ...snapshot, status: 'error', error, running: false, lastRun, input: undefined };
            }
            const fields: { detail: unknown; code?: number | null; signal?: string | null } = { detail: { run: ended.number, exit: ended.status.detail } };
            if (ended.status.code !== undefined) fields.code = ended.status.code;
            if (ended.status.signal !== undefined) fields.signal = ended.status.signal;
            return { ...snapshot, status: 'done', output: exit.of(ended.status.reason, fields), running: false, lastRun, input: undefined };
          }
          if (instance.queued) {
            instance.queued = false;
            startRun(self, instance, instance.clock.now());
            return { ...snapshot, running: true, runs: snapshot.runs + 1, lastRun };
          }
          return { ...snapshot, running: false, lastRun };
        }
        case SHUTDOWN_REQUEST: {
          if (instance.stopping) return snapshot;
          instance.stopping = true;
          if (instance.timer !== undefined) instance.clock.clearTimeout(instance.timer);
          instance.timer = undefined;
          if (instance.run === undefined) {
            remembered.delete(instance.handover.resumeId);
            return { ...snapshot, status: 'done', output: exit.shutdown({ lastRun: instance.lastRun, nextRunAt: snapshot.nextRunAt }), nextRunAt: undefined, input: undefined };
          }
          if (protocol.gracefulStop) instance.run.send({ type: SHUTDOWN_REQUEST });
          else instance.run.stop();
          return { ...snapshot, nextRunAt: undefined };
        }
        case 'xstate.stop': {
          if (instance.timer !== undefined) instance.clock.clearTimeout(instance.timer);
          instance.timer = undefined;
          instance.run?.stop();
          instances.delete(self);
          return { ...snapshot, status: 'stopped', input: undefined };
        }
        default:
          return snapshot;
      }
    },
    start: (snapshot, scope) => {
      if (snapshot.status !== 'active') return;
      const self = scope.self;
      const input = snapshot.input;
      const clock = input?.clock ?? systemClock;
      const handover: Handover = input?.handover ?? { resumeId: self.id, incarnation: 0, previousExit: null };
      const previous = handover.previousExit;
      const instance: Instance = {
        clock,
        logger: (input?.logger ?? silentLogger).child({ schedule: cron?.getPattern() ?? `every ${everyMs} ms` }),
        handover,
        timer: undefined,
        run: undefined,
        queued: false,
        stopping: false,
        count: snapshot.lastRun?.number ?? 0,
        lastRun: snapshot.lastRun,
        // The previous run's exit, as the next run's previousExit: whole when this program saw it.
        lastExit: remembered.get(handover.resumeId)?.exit ?? (snapshot.lastRun === undefined ? null : { reason: snapshot.lastRun.reason, at: snapshot.lastRun.at }),
      };
      instances.set(self, instance);
      const now = clock.now();
      anchors.set(self, now);
      // A boot: the first start, or a start after the program stopped or died; not a restart after a failed run.
      const boot = previous === null || previous.reason === 'shutdown' || previous.reason === 'normal' || previous.reason === 'lost';
      let runNow = boot && runAtStart;
      if (!runNow && boot && previous !== null && missed === 'runOnce') {
        const last = snapshot.lastRun;
        const due = last === undefined ? undefined : dueAfter(last.at, last.at);
        runNow = last === undefined || (due !== undefined && due <= now);
        if (runNow) instance.logger.info({ event: 'schedule.missed', lastRunAt: last === undefined ? null : new Date(last.at).toISOString(), dueAt: due === undefined ? null : new Date(due).toISOString() }, 'a run was missed while the program was down; running once');
      }
      const nextRunAt = scheduleNext(self, instance, now, now);
      self.send({ type: 'trellis.schedule.started', nextRunAt, runNow } as EventObject);
    },
    getPersistedSnapshot: (snapshot) => snapshot,
  };
  // The first snapshot after start carries nextRunAt, and starts the run due at boot, if any.
  const transition = logic.transition;
  logic.transition = (snapshot, event, scope) => {
    if (event.type !== 'trellis.schedule.started' || snapshot.status !== 'active') return transition(snapshot, event, scope);
    const { nextRunAt, runNow } = event as EventObject & { nextRunAt: number | undefined; runNow: boolean };
    const instance = instances.get(scope.self);
    if (!runNow || instance === undefined || instance.stopping) return { ...snapshot, nextRunAt };
    startRun(scope.self, instance, instance.clock.now());
    return { ...snapshot, nextRunAt, running: true, runs: snapshot.runs + 1 };
  };
  return withChildProtocol(logic, { gracefulStop: true, awaitReady: false, kind: 'worker' });
}
