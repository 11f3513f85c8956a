/**
 * The shared public types of `@trellis/core`: child specs, supervisor flags, exit statuses,
 * the handover record and the child table as a caller sees it.
 *
 * @module
 */
import type { AnyActorLogic, AnyActorRef } from 'xstate';
import type { Clock } from './clock.js';
import type { HandoverStore } from './handover/HandoverStore.js';
import type { RestartBudget } from './restartBudget.js';
import type { Logger } from './logger.js';

/**
 * The identity of a child inside its supervisor.
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
 * @category models
 * @since 0.1.0
 */
export type Shutdown = 'brutal_kill' | 'infinity' | number;

/**
 * Whether a child is a worker or a supervisor; it changes only the shutdown default and
 * {@link countChildren}.
 *
 * @category models
 * @since 0.1.0
 */
export type ChildType = 'worker' | 'supervisor';

/**
 * The `autoShutdown` flag: when the exit of significant children ends the supervisor.
 *
 * @category models
 * @since 0.1.0
 */
export type AutoShutdown = 'never' | 'any_significant' | 'all_significant';

/**
 * Why an incarnation of a child ended.
 *
 * @remarks
 * `normal` and `shutdown` are clean exits; `error` is a crash; `killed` means the child had to
 * be killed (`brutal_kill`, or its `shutdown` time ran out); `timeout` is a liveness kill;
 * `lost` is the previous exit of a child that was running when the whole program died (known
 * from a durable `handoverStore`); `bystander` marks a child that its supervisor stopped because a sibling failed
 * (`one_for_all`, `rest_for_one`).
 *
 * @category handover
 * @since 0.1.0
 */
export type ExitReason = 'normal' | 'shutdown' | 'error' | 'killed' | 'timeout' | 'bystander' | 'lost';

/**
 * How one incarnation of a child ended: the value handed to the next incarnation as
 * `previousExit`.
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
 * @category models
 * @since 0.1.0
 */
export type ChildStatus = 'running' | 'restarting' | 'stopped';

/**
 * One row of {@link whichChildren}.
 *
 * @category models
 * @since 0.1.0
 */
export interface ChildInfo {
  /** The child's id. */
  readonly id: ChildId;
  /** Whether the child is running, restarting or stopped. */
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
}

/**
 * How a supervisor ended: its machine's `output`, and what {@link stopSupervisor} resolves with.
 *
 * @remarks
 * Giving up by intensity is `{ reason: 'shutdown', detail: 'reached_max_restart_intensity' }`.
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
 * @category models
 * @since 0.1.0
 */
export interface DynamicChildInput {
  /** Merged over the template's `input` (OTP appends extra arguments; Elixir prepends). */
  readonly input?: Record<string, unknown>;
}
