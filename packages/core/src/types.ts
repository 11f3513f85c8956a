/**
 * The shared public types of `@trellis/core`: child specs, supervisor flags, exit statuses,
 * the handover record and the child table as a caller sees it.
 *
 * @module
 */
import type { AnyActorLogic, AnyActorRef } from 'xstate';
import type { Clock } from './clock.js';
import type { ExitReason } from './exitReasons.js';
import type { HandoverStore } from './handover/HandoverStore.js';
import type { RestartBudget } from './restartBudget.js';
import type { Logger } from './logger.js';
import type { SubStatus } from './subStatus.js';

/**
 * The identity of a child inside its supervisor.
 *
 * @remarks
 * Any non-empty string, unique among the children of one supervisor (OTP's child id,
 * which may be any term). The path of ids from the root, joined with `/`, is the default ResumeID.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import type { ChildId } from '@trellis/core';
 * const id: ChildId = 'db';
 * assert.equal(id, 'db');
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export type ChildId = string;

/**
 * How a supervisor restarts its children when one of them is to be restarted.
 *
 * @remarks
 * OTP's three static strategies, spelled OTP's way. `one_for_one` restarts only the exited
 * child; `one_for_all` stops every other child in reverse start order and starts them all again
 * in start order; `rest_for_one` does the same for the exited child and the children started
 * after it.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { defineSupervisor, type Strategy } from '@trellis/core';
 * const strategy: Strategy = 'rest_for_one';
 * const logic = defineSupervisor({ id: 'root', strategy, children: [] });
 * assert.ok(logic);
 * ```
 *
 * @category strategies
 * @since 0.1.0
 */
export type Strategy = 'one_for_one' | 'one_for_all' | 'rest_for_one';

/**
 * When a child is restarted after it exits.
 *
 * @remarks
 * `permanent` children are always restarted, `transient` children only after an abnormal exit
 * (anything but `normal` or `shutdown`), `temporary` children never, and their spec is dropped.
 * OTP `do_restart/3`.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { decideRestart, type RestartType } from '@trellis/core';
 * const restart: RestartType = 'transient';
 * assert.equal(decideRestart(restart, 'normal'), 'keep');
 * assert.equal(decideRestart(restart, 'error'), 'restart');
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export type RestartType = 'permanent' | 'transient' | 'temporary';

/**
 * How long a supervisor waits for a child to stop before killing it.
 *
 * @remarks
 * `'brutal_kill'` stops the child at once; a number of milliseconds asks the child to stop and
 * kills it when that time runs out; `'infinity'` asks and waits for as long as it takes (the
 * default for supervisor children).
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { childSpec, fromWorker, type Shutdown } from '@trellis/core';
 * const shutdown: Shutdown = 2_000;
 * const spec = childSpec({ id: 'job', start: fromWorker(async () => {}), shutdown });
 * assert.equal(spec.shutdown, 2_000);
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export type Shutdown = 'brutal_kill' | 'infinity' | number;

/**
 * Whether a child is a worker or a supervisor.
 *
 * @remarks
 * It changes only the `shutdown` default (5 000 ms for a worker, `'infinity'` for a supervisor) and
 * {@link countChildren}. {@link childSpec} sets it from the logic, so it is rarely written (OTP's
 * `type`, default `worker`).
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { childSpec, defineSupervisor, type ChildType } from '@trellis/core';
 * const spec = childSpec({ id: 'sub', start: defineSupervisor({ id: 'sub', children: [] }) });
 * const type: ChildType = spec.type;
 * assert.equal(type, 'supervisor');
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export type ChildType = 'worker' | 'supervisor';

/**
 * The `autoShutdown` flag: when the exit of significant children ends the supervisor.
 *
 * @remarks
 * OTP's `auto_shutdown` flag. `'never'` (the default) ignores significant exits;
 * `'any_significant'` ends the supervisor when any significant child exits by itself and is not
 * restarted; `'all_significant'` when all of them have. Only `transient` and `temporary` children
 * can be significant.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { defineSupervisor, fromWorker, type AutoShutdown } from '@trellis/core';
 * const autoShutdown: AutoShutdown = 'any_significant';
 * const logic = defineSupervisor({
 *   id: 'job-runner',
 *   autoShutdown,
 *   children: [{ id: 'job', start: fromWorker(async () => {}), restart: 'transient', significant: true }],
 * });
 * assert.ok(logic);
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export type AutoShutdown = 'never' | 'any_significant' | 'all_significant';

/** The exit-reason vocabulary lives in `exitReasons.ts` (no imports); re-exported for the modules that read types here. */
export type { ExitReason } from './exitReasons.js';

/**
 * How one incarnation of a child ended: the value handed to the next incarnation as
 * `previousExit`.
 *
 * @remarks
 * `reason` is always set; `detail` carries a crash's serialized error or a `shutdown` exit's
 * detail; `code` and `signal` are set for OS processes; `at` is the clock reading when the exit was
 * seen. OTP hands a restarted child nothing of its previous life: this is the trellis addition.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import type { ExitStatus } from '@trellis/core';
 * const status: ExitStatus = { reason: 'error', detail: { name: 'Error', message: 'boom' }, at: 1_000 };
 * assert.equal(status.reason, 'error');
 * ```
 *
 * @category handover
 * @since 0.1.0
 */
export interface ExitStatus {
  /** Why the incarnation ended. */
  readonly reason: ExitReason;
  /** The shutdown detail, a serialisable `{ name, message, stack }` for `error`, or context for `bystander`. */
  readonly detail?: unknown;
  /** OS children: the exit code. */
  readonly code?: number | null;
  /** OS children: the terminating signal. */
  readonly signal?: string | null;
  /** Epoch milliseconds of the exit. */
  readonly at: number;
}

/**
 * The record every start of a child receives: who it is, which incarnation, and how the one
 * before it ended.
 *
 * @remarks
 * `resumeId` is the same for every incarnation of one child spec (by default the path of ids
 * from the root, `root/db/writer`); `incarnation` is 0 on the first start and grows by one on
 * every start attempt; `previousExit` is `null` on the first start, and afterwards the exit of
 * the last incarnation that had started (a failed start does not replace it).
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import type { Handover } from '@trellis/core';
 * const handover: Handover = { resumeId: 'root/db', incarnation: 1, previousExit: { reason: 'error', at: 0 } };
 * assert.equal(handover.previousExit?.reason, 'error');
 * ```
 *
 * @category handover
 * @since 0.1.0
 */
export interface Handover {
  /** Persistent across incarnations of the same child spec. */
  readonly resumeId: string;
  /** 0 on the first start, +1 on every start attempt after it. */
  readonly incarnation: number;
  /** The exit of the previous incarnation that had started, or `null`. */
  readonly previousExit: ExitStatus | null;
  /**
   * Only for a child that runs under a cluster lease (`singleton` of `@trellis/cluster`): the
   * lease's epoch, a number that grows with every acquisition. Pass it to writes that must be
   * refused once another holder has taken over (`fencedWrite`). Absent otherwise.
   */
  readonly fencingToken?: number;
}

/**
 * A liveness check run periodically for a child.
 *
 * @remarks
 * Every `intervalMs` after the child started, the supervisor runs `check` with a signal that
 * aborts after `timeoutMs`; `false`, a throw, a rejection or the timeout is a miss. After
 * `failureThreshold` misses in a row the child is killed and handled as an abnormal exit with
 * `reason: 'timeout'`, so its restart type decides what follows.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import type { HealthCheck } from '@trellis/core';
 * const health: HealthCheck = { check: () => true, intervalMs: 1_000, timeoutMs: 500, failureThreshold: 3 };
 * assert.equal(await health.check({ signal: new AbortController().signal }), true);
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface HealthCheck {
  /** Returns (or resolves to) `true` while the child is healthy. */
  readonly check: (ctx: { signal: AbortSignal }) => boolean | Promise<boolean>;
  /** Milliseconds between two checks. */
  readonly intervalMs: number;
  /** Milliseconds one check may take. */
  readonly timeoutMs: number;
  /** Consecutive misses that kill the child. */
  readonly failureThreshold: number;
}

/**
 * Backoff between automatic restarts of one child.
 *
 * @remarks
 * The first automatic restart already waits `minMs`; attempt n waits
 * `min(maxMs, minMs * factor ** n) * (1 + random * jitter)`, and n returns to 0 once the child
 * has run `resetAfterMs` without exiting. While it waits the child is `restarting` (with
 * `nextRestartAt`), `terminateChild` cancels the wait, and every attempt counts toward
 * intensity when it is made.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { backoffDelay, type Backoff } from '@trellis/core';
 * const backoff: Backoff = { minMs: 100, maxMs: 10_000, factor: 2, jitter: 0, resetAfterMs: 60_000 };
 * assert.equal(backoffDelay(backoff, 3, Math.random), 800);
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface Backoff {
  /** The shortest delay, in milliseconds; at least 0. */
  readonly minMs: number;
  /** The longest delay, in milliseconds; no smaller than `minMs`. */
  readonly maxMs: number;
  /** How much each delay grows over the one before it; at least 1. */
  readonly factor: number;
  /** The fraction of random jitter applied to a delay; at least 0. */
  readonly jitter: number;
  /** How long a child must run before its delay starts again from `minMs`, in milliseconds; at least 0. */
  readonly resetAfterMs: number;
}

/**
 * What a caller writes to describe a child; {@link childSpec} validates it and fills defaults.
 *
 * @remarks
 * OTP's `child_spec()` map, with OTP's defaults filled in by {@link childSpec}: `restart:
 * 'permanent'`, `shutdown` 5 000 ms for a worker and `'infinity'` for a supervisor, `type` from the
 * logic, `significant: false`. `resumeId`, `backoff` and `health` are trellis additions.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { childSpec, fromWorker, type ChildSpecInput } from '@trellis/core';
 * const input: ChildSpecInput = { id: 'db', start: fromWorker(async ({ signal }) => void signal), restart: 'transient' };
 * assert.equal(childSpec(input).restart, 'transient');
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface ChildSpecInput {
  /** Unique among the children of one supervisor. */
  readonly id: ChildId;
  /** Any XState actor logic: `fromWorker`, `fromPromise`, `fromCallback`, a machine or a supervisor. */
  readonly start: AnyActorLogic;
  /** A plain object passed to the child with its handover. */
  readonly input?: Record<string, unknown>;
  /** Default `'permanent'`. */
  readonly restart?: RestartType;
  /** Default 5000 for workers, `'infinity'` for supervisors. */
  readonly shutdown?: Shutdown;
  /** Inferred as `'supervisor'` when `start` is a supervisor. */
  readonly type?: ChildType;
  /** Default `false`; see `autoShutdown`. */
  readonly significant?: boolean;
  /** Overrides the default path-based ResumeID. */
  readonly resumeId?: string;
  /** Optional backoff between automatic restarts. */
  readonly backoff?: Backoff;
  /** Optional liveness check. */
  readonly health?: HealthCheck;
}

/**
 * A validated child spec with every default filled in, as {@link getChildSpec} returns it.
 *
 * @remarks
 * Frozen and marked, so a supervisor takes it without validating it again ({@link isChildSpec}).
 * Optional fields a caller left out are present as `undefined`.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { childSpec, fromWorker, type ChildSpec } from '@trellis/core';
 * const spec: ChildSpec = childSpec({ id: 'db', start: fromWorker(async () => {}) });
 * assert.equal(spec.restart, 'permanent');
 * assert.equal(spec.type, 'worker');
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface ChildSpec {
  /** Unique among the children of one supervisor. */
  readonly id: ChildId;
  /** The actor logic every incarnation is started from. */
  readonly start: AnyActorLogic;
  /** The plain object passed to the child with its handover, if one was given. */
  readonly input: Record<string, unknown> | undefined;
  /** When the child is restarted; `'permanent'` unless given. */
  readonly restart: RestartType;
  /** How long a stop may take; 5000 ms for a worker and `'infinity'` for a supervisor unless given. */
  readonly shutdown: Shutdown;
  /** Worker or supervisor; inferred from `start` unless given. */
  readonly type: ChildType;
  /** Whether its exit counts toward the supervisor's `autoShutdown`; `false` unless given. */
  readonly significant: boolean;
  /** The ResumeID the spec sets, or `undefined` for the default path of ids. */
  readonly resumeId: string | undefined;
  /** The backoff between automatic restarts, if one was given. */
  readonly backoff: Backoff | undefined;
  /** The liveness check, if one was given. */
  readonly health: HealthCheck | undefined;
}

/**
 * The configuration of a supervisor, given to {@link defineSupervisor}.
 *
 * @remarks
 * Defaults as OTP: `strategy` `'one_for_one'`, `intensity` 1, `periodMs` 5000,
 * `autoShutdown` `'never'`. `logger` defaults to the parent supervisor's logger (silent at the
 * root); `clock` defaults to the clock given to `createActor`/{@link startSupervisor}, else the
 * system clock.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { defineSupervisor, fromWorker, type SupervisorConfig } from '@trellis/core';
 * const config: SupervisorConfig = {
 *   id: 'root',
 *   strategy: 'one_for_all',
 *   intensity: 3,
 *   periodMs: 10_000,
 *   children: [{ id: 'db', start: fromWorker(async () => {}) }],
 * };
 * assert.ok(defineSupervisor(config));
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface SupervisorConfig {
  /** The supervisor's id: the first segment of its children's paths. */
  readonly id: string;
  /** The children, started in this order. */
  readonly children: ReadonlyArray<ChildSpec | ChildSpecInput>;
  /** How children are restarted. Default `'one_for_one'`. */
  readonly strategy?: Strategy;
  /** Restarts allowed within `periodMs`; one more gives up. Default 1. */
  readonly intensity?: number;
  /** The sliding window for `intensity`, in milliseconds, inclusive at its edge. Default 5000. */
  readonly periodMs?: number;
  /** When the exit of significant children ends the supervisor. Default `'never'`. */
  readonly autoShutdown?: AutoShutdown;
  /** Where the supervisor reports. Default the parent supervisor's logger; silent at the root. */
  readonly logger?: Logger;
  /**
   * The supervisor's time source. Default the parent supervisor's clock; at the root, the clock
   * given to `createActor`/{@link startSupervisor}, else {@link systemClock}.
   */
  readonly clock?: Clock;
  /**
   * Where the tree's handovers survive a restart of the whole program (see
   * {@link fileHandoverStore}). Read only at the root of a tree. Without it, handovers live as
   * long as the program.
   */
  readonly handoverStore?: HandoverStore;
  /**
   * Makes the restart budget of each supervisor incarnation. Default: OTP's intensity window
   * (`intensity` restarts within `periodMs`, then give up and escalate). `() => new
   * DecayingRestartBudget(options)` pauses restarts instead of giving up (suture's decaying
   * failure counter); see {@link DecayingRestartBudget} for when to choose which.
   */
  readonly restartBudget?: () => RestartBudget;
  /** The random source of backoff jitter, in [0, 1). Default `Math.random`; give a seeded one for repeatable tests. */
  readonly random?: () => number;
}

/**
 * A child's state as a caller sees it.
 *
 * @remarks
 * `starting`: an incarnation has been spawned and has not yet said it is ready (a worker with
 * `awaitReady` before `ctx.ready()`, a child supervisor starting its own children, an OS process
 * waiting for its readiness probe); `running`: an incarnation is alive and ready; `restarting`:
 * the restart failed or waits out its backoff and is retried; `stopped`: the spec is kept but no
 * incarnation runs (a clean `transient` exit, or {@link terminateChild}). OTP's
 * `which_children/1` shows these as a pid (`starting` and `running` alike), `restarting` and
 * `undefined`; a `starting` child counts as active in {@link countChildren}, as its pid does in
 * OTP (decision 0007).
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import type { ChildStatus } from '@trellis/core';
 * const status: ChildStatus = 'starting';
 * assert.notEqual(status, 'running'); // spawned, not yet ready
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export type ChildStatus = 'starting' | 'running' | 'restarting' | 'stopped';

/**
 * One row of {@link whichChildren}.
 *
 * @remarks
 * OTP's `{Id, Child, Type, Modules}` tuple, with `ref` for the pid and the trellis extras:
 * ResumeID, incarnation, automatic restart count, the last exit and, during a backoff, when the
 * next attempt is due.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { defineSupervisor, startSupervisor, stopSupervisor, whichChildren, type ChildInfo } from '@trellis/core';
 * import { scriptedChild } from '@trellis/core/testing';
 * const sup = await startSupervisor(defineSupervisor({ id: 'root', children: [{ id: 'db', start: scriptedChild() }] }));
 * const infos: ChildInfo[] = whichChildren(sup);
 * assert.equal(infos[0]?.status, 'running');
 * assert.equal(infos[0]?.incarnation, 0);
 * await stopSupervisor(sup);
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface ChildInfo {
  /** The child's id. */
  readonly id: ChildId;
  /** Whether the child is starting (spawned, not yet ready), running, restarting or stopped. */
  readonly status: ChildStatus;
  /** Worker or supervisor, from its spec. */
  readonly type: ChildType;
  /** The running incarnation's actor; for a supervisor child, a `SupervisorRef`. */
  readonly ref?: AnyActorRef;
  /** The ResumeID every incarnation of this child receives. */
  readonly resumeId: string;
  /** The incarnation of the last start attempt (0 for the first). */
  readonly incarnation: number;
  /**
   * Automatic restarts of this child so far, including those as a bystander of a group restart
   * (`one_for_all`, `rest_for_one`); manual restarts are not counted.
   */
  readonly restarts: number;
  /** The running incarnation's `previousExit`, or the last exit of a stopped child. */
  readonly lastExit: ExitStatus | null;
  /** While the child waits out its backoff: when the next restart attempt is due (clock ms). */
  readonly nextRestartAt?: number;
  /**
   * What the running child says about itself, when it publishes a {@link SubStatus} (a cluster
   * singleton's `standby` or `active`); absent otherwise. `status` stays `running`.
   */
  readonly subStatus?: SubStatus;
}

/**
 * How a supervisor ended: its machine's `output`, and what {@link stopSupervisor} resolves with.
 *
 * @remarks
 * Giving up by intensity is `{ reason: 'shutdown', detail: 'reached_max_restart_intensity' }`.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { defineSupervisor, startSupervisor, stopSupervisor, type SupervisorExit } from '@trellis/core';
 * const sup = await startSupervisor(defineSupervisor({ id: 'root', children: [] }));
 * const exit: SupervisorExit = await stopSupervisor(sup, 'shutdown');
 * assert.equal(exit.reason, 'shutdown');
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface SupervisorExit {
  /** `'normal'` or `'shutdown'`, as {@link stopSupervisor} asks; every other ending is `'shutdown'`. */
  readonly reason: 'normal' | 'shutdown';
  /**
   * More about why, when there is more: `'reached_max_restart_intensity'`, `'killed'` (stopped
   * from outside), or the {@link StartChildError} of an initial child that failed to start.
   */
  readonly detail?: unknown;
}

/**
 * The counts returned by {@link countChildren}, as OTP `count_children/1`.
 *
 * @remarks
 * `specs` counts every child spec, `active` the children with a live incarnation (`running` or
 * `starting`: OTP counts a pid that is still starting), `supervisors` and `workers` the
 * specs of each type, as OTP's `specs`, `active`, `supervisors` and `workers`.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { countChildren, defineSupervisor, startSupervisor, stopSupervisor, type ChildCounts } from '@trellis/core';
 * import { scriptedChild } from '@trellis/core/testing';
 * const sup = await startSupervisor(defineSupervisor({ id: 'root', children: [{ id: 'db', start: scriptedChild() }] }));
 * const counts: ChildCounts = countChildren(sup);
 * assert.deepEqual(counts, { specs: 1, active: 1, supervisors: 0, workers: 1 });
 * await stopSupervisor(sup);
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface ChildCounts {
  /** Every spec. */
  readonly specs: number;
  /** Children with a live incarnation. */
  readonly active: number;
  /** Specs of type supervisor, running or not. */
  readonly supervisors: number;
  /** Specs of type worker, running or not. */
  readonly workers: number;
}

/**
 * What `startChild` takes for a dynamic supervisor: extra input merged over its template's.
 *
 * @remarks
 * A dynamic supervisor has one child template; {@link startChild} with this adds a child made from
 * it, with its own id and ResumeID. OTP's `simple_one_for_one` `start_child(Sup, ExtraArgs)`.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { defineDynamicSupervisor, fromWorker, startChild, startSupervisor, stopSupervisor, type DynamicChildInput } from '@trellis/core';
 * const conn = fromWorker(async ({ signal }) => new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve())));
 * const sup = await startSupervisor(defineDynamicSupervisor({ id: 'conns', child: { id: 'conn', start: conn, restart: 'temporary' } }));
 * const args: DynamicChildInput = { input: { socket: 7 } };
 * const info = await startChild(sup, args);
 * assert.equal(info.status, 'running');
 * await stopSupervisor(sup);
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface DynamicChildInput {
  /** Merged over the template's `input` (OTP appends extra arguments; Elixir prepends). */
  readonly input?: Record<string, unknown>;
}
