/**
 * The supervisor's runtime: the state of one supervisor actor and the dispatch of every event it
 * takes to the module that handles it. What each module holds:
 *
 * - `events.ts`: the events (commands, timers, child events);
 * - `jobs.ts`: the job driver, the supervisor's second mailbox while a job waits;
 * - `childTable.ts`: the children, in start order;
 * - `childLifecycle.ts`: start and stop of one child;
 * - `restarts.ts`: a child's exit, OTP's restart decision and the restart job;
 * - `restartTimers.ts`: retry, backoff, held budget and health timers;
 * - `supervisorLifecycle.ts`: the supervisor's init, shutdown and death;
 * - `commands.ts`: start, terminate, restart and delete a child;
 * - `policy.ts`: what differs between a static and a dynamic supervisor;
 * - `config.ts`: the validated config and the tree context a parent passes down;
 * - `report.ts`: a fact's report, written to the supervisor's logger;
 * - `handover.ts`: what a child incarnation is given.
 *
 * Children are real actors of the same actor system (created with the supervisor as `parent`),
 * so their errors and results reach the machine as `xstate.error.actor.*` /
 * `xstate.done.actor.*` events and the inspector sees them.
 *
 * @module
 */
import type { AnyActorRef } from 'xstate';
import { READY_EVENT, SHUTDOWN_REQUEST } from '../childProtocol.js';
import type { Clock } from '../clock.js';
import { ChildNotFoundError, SupervisorNotRunningError } from '../errors.js';
import type { SupervisorFact } from '../events.js';
import { serializeError } from '../exit.js';
import { HandoverRegistry } from '../handover/HandoverRegistry.js';
import { guardLogger, silentLogger, type Logger } from '../logger.js';
import { intensityBudget, type RestartBudget, type RestartBudgetUsage } from '../restartBudget.js';
import type { ChildCounts, ChildId, ChildInfo, ChildSpec, ExitStatus, SupervisorExit } from '../types.js';
import type { Phase, ResolvedConfig, TreeContext } from './config.js';
import { emitFrom, hasListeners } from '../xstateInternals.js';
import { ChildTable, type ChildRecord } from './childTable.js';
import { writeReport } from './report.js';
import { consumeParallelExit } from './childLifecycle.js';
import { cmdDeleteChild, cmdRestartChild, cmdStartChild, cmdTerminateChild } from './commands.js';
import { isCommand, type Reply, type RuntimeEvent } from './events.js';
import { abortRoll, cmdReplaceChildren, consumeReadiness, type RollState } from './replace.js';
import { JobDriver } from './jobs.js';
import { dynamicPolicy, staticPolicy, type SupervisorPolicy } from './policy.js';
import { onChildEnded, onHealth, onRetry } from './restarts.js';
import { RestartTimers } from './restartTimers.js';
import { beginShutdown, initJob, killAll } from './supervisorLifecycle.js';
import { TurnCounter } from './turns.js';

export { CHILD_DONE, CHILD_ERROR, type CommandEvent, type RuntimeEvent } from './events.js';

export type { Phase, ResolvedConfig, TreeContext } from './config.js';

export class SupervisorRuntime {
  readonly config: ResolvedConfig;
  readonly self: AnyActorRef;
  readonly path: string;
  readonly clock: Clock;
  /** The logger bound to `{ supervisor: path }`. */
  readonly logger: Logger;
  /** Whether a logger other than the silent one listens (log fields are built only then). */
  readonly verbose: boolean;
  readonly budget: RestartBudget;
  /** This supervisor's place in the tree, as its child supervisors' context is made from it. */
  readonly tree: TreeContext;
  /** What differs between a static and a dynamic supervisor. */
  readonly policy: SupervisorPolicy;
  readonly table: ChildTable;
  readonly jobs: JobDriver;
  readonly timers: RestartTimers;
  /** Restarts since the event loop last turned (a restart loop waits a turn every 256, decision 0025). */
  readonly turns = new TurnCounter();

  phaseValue: Phase = 'starting';
  /** The phase the machine's state shows: the phase when it last followed the runtime. */
  private shownPhase: Phase = 'starting';
  shuttingDown = false;
  /** The rolling restart under way, and its caller (one at a time; `replace.ts`). */
  roll: { readonly state: RollState; readonly reply: Reply } | undefined;
  private stopReplies: Array<{ resolve(value: unknown): void }> = [];
  /** A root holds its program open from its start to its end (decision 0008); nested ones need not. */
  private readonly root: boolean;
  private releaseProgram: (() => void) | undefined;
  exit: SupervisorExit | undefined;
  /** Set when the supervisor gave up: the child whose restart exceeded intensity, and its last exit. */
  gaveUpOn: { readonly child: ChildId; readonly lastExit: ExitStatus | null } | undefined;

  constructor(config: ResolvedConfig, self: AnyActorRef, tree: Partial<TreeContext> | undefined, fallbackClock: Clock) {
    this.config = config;
    this.self = self;
    this.path = tree?.path ?? config.id;
    this.root = tree?.registry === undefined;
    this.clock = config.clock ?? tree?.clock ?? fallbackClock;
    const treeLogger = guardLogger(config.logger ?? tree?.logger ?? silentLogger);
    this.verbose = treeLogger !== silentLogger;
    this.logger = this.verbose ? treeLogger.child({ supervisor: this.path }) : silentLogger;
    this.budget = config.restartBudget?.() ?? intensityBudget(config.intensity, config.periodMs);
    const registry = tree?.registry ?? new HandoverRegistry(config.handoverStore, this.clock.now());
    this.tree = { path: this.path, logger: treeLogger, clock: this.clock, registry };
    this.policy = config.dynamic === undefined ? staticPolicy : dynamicPolicy(config.dynamic);
    // The kind the ref's type promises (StaticSupervisorRef, DynamicSupervisorRef), true at run time too.
    Object.defineProperty(self, 'supervisorKind', { value: this.policy.kind, enumerable: false, configurable: true });
    this.table = new ChildTable(this.path, registry);
    this.jobs = new JobDriver(this.clock, self, (event) => this.dispatch(event), () => this.exit !== undefined);
    this.timers = new RestartTimers(this);
    if (tree?.registry !== undefined && config.handoverStore !== undefined) {
      this.logger.warn({ event: 'sup.config.ignored', field: 'handoverStore' }, 'handoverStore is used only at the root of a tree; ignored here');
    }
    for (const spec of config.children) {
      const clash = this.table.add(this.table.newRecord(spec, false));
      if (clash !== undefined) {
        // Thrown while the actor is created: a root's start or a child supervisor's start fails with it.
        this.table.releaseAll();
        throw clash;
      }
    }
  }

  get phase(): Phase {
    if (this.exit !== undefined) return 'stopped';
    if (this.shuttingDown) return 'shuttingDown';
    if (this.phaseValue === 'starting') return 'starting';
    if (this.jobs.busy || this.table.restartingCount > 0) return 'restarting';
    return 'running';
  }

  /**
   * Whether the phase moved since the machine's state last followed it; the machine then takes
   * its `sup.phase` event, once, so most events (a restart leaves the phase as it was) take no
   * macrostep at all (decision 0028).
   */
  phaseMoved(): boolean {
    const phase = this.phase;
    if (phase === this.shownPhase) return false;
    this.shownPhase = phase;
    return true;
  }

  // ---------------------------------------------------------------------------------------
  // The clock

  /** Whether an event is being handled: {@link now} then reads the clock once for all of it. */
  private handling = false;
  private stamp: number | undefined;

  /**
   * The time, for the runtime's own use: while an event is handled, the clock is read once, on
   * first use, and every later reading of that event gets the same value (an event is handled
   * synchronously, so its readings would differ by microseconds; a restart read it three times).
   * Outside an event (a query, a kill from outside) it is the clock's reading now.
   */
  now(): number {
    if (!this.handling) return this.clock.now();
    return (this.stamp ??= this.clock.now());
  }

  // ---------------------------------------------------------------------------------------
  // Event entry point (called from the machine's transition, the door of decision 0028; never throws)

  handle(event: RuntimeEvent): void {
    this.handling = true;
    try {
      this.take(event);
    } finally {
      this.handling = false;
      this.stamp = undefined;
    }
  }

  private take(event: RuntimeEvent): void {
    if (this.exit !== undefined) {
      this.refuse(event);
      return;
    }
    const jobs = this.jobs;
    if (jobs.busy) {
      if (jobs.wait?.kind === 'exitAll' && consumeParallelExit(this, jobs.wait, event)) return;
      if (jobs.wait?.kind === 'readyAll' && consumeReadiness(this, jobs.wait, event)) return;
      const resume = jobs.match(event);
      if (resume !== undefined) {
        jobs.resume(resume);
        return;
      }
      if (isCommand(event) && this.shuttingDown) {
        this.refuse(event);
        return;
      }
      jobs.defer(event);
      return;
    }
    this.dispatch(event);
  }

  private dispatch(event: RuntimeEvent): void {
    switch (event.type) {
      case 'sup.init':
        // Acquired at start, not in the constructor: an actor created and never started holds nothing.
        if (this.root) this.releaseProgram = this.clock.keepAlive?.();
        this.jobs.run(initJob(this));
        return;
      case 'sup.retry':
        onRetry(this, event.id, event.incarnation);
        return;
      case 'sup.health':
        onHealth(this, event.id, event.incarnation, event.ok);
        return;
      case SHUTDOWN_REQUEST: // the parent supervisor asks this one to stop
        beginShutdown(this, { reason: 'shutdown' });
        return;
      case 'sup.timer':
      case 'sup.turn':
      case READY_EVENT:
        return; // a timer, turn or readiness nobody waits for any more
      case 'sup.startChild':
        cmdStartChild(this, event.spec, event.reply);
        return;
      case 'sup.terminateChild':
        cmdTerminateChild(this, event.id, event.reply);
        return;
      case 'sup.restartChild':
        cmdRestartChild(this, event.id, event.reply);
        return;
      case 'sup.deleteChild':
        cmdDeleteChild(this, event.id, event.reply);
        return;
      case 'sup.replaceChildren':
        cmdReplaceChildren(this, event.roll, event.reply);
        return;
      case 'sup.stop':
        if (event.reply) this.stopReplies.push(event.reply);
        beginShutdown(this, event.detail === undefined ? { reason: event.reason } : { reason: event.reason, detail: event.detail });
        return;
      default:
        onChildEnded(this, event);
    }
  }

  /** The supervisor has stopped its children: it ends with `exit`. */
  end(exit: SupervisorExit): void {
    this.exit = exit;
    this.timers.clearAll();
    this.turns.dispose();
    this.table.releaseAll();
    this.shuttingDown = false;
    for (const event of this.jobs.finish()) this.refuse(event);
    if (this.roll !== undefined) abortRoll(this, this.roll.state, this.roll.reply);
    for (const reply of this.stopReplies.splice(0)) reply.resolve(exit);
    this.emit({ type: 'sup.stopped', supervisor: this.path, exit: { reason: exit.reason, detail: describeDetail(exit.detail) } });
    this.letProgramGo();
  }

  /** The tree has ended: its program may exit once nothing else holds it. */
  private letProgramGo(): void {
    const release = this.releaseProgram;
    this.releaseProgram = undefined;
    release?.();
  }

  /** The supervisor actor itself is being stopped by XState: its children die with it, unordered. */
  kill(): void {
    const wasRunning = this.exit === undefined;
    if (this.exit === undefined) this.exit = { reason: 'shutdown', detail: 'killed' };
    this.timers.clearAll();
    this.turns.dispose();
    const queued = this.jobs.abandon();
    killAll(this);
    this.table.releaseAll();
    for (const event of queued) this.refuse(event);
    if (this.roll !== undefined) abortRoll(this, this.roll.state, this.roll.reply);
    for (const reply of this.stopReplies.splice(0)) reply.resolve(this.exit);
    // Observers learn of a killed supervisor's end too (its listeners are cleared after this).
    if (wasRunning) this.emit({ type: 'sup.stopped', supervisor: this.path, exit: this.exit });
    this.letProgramGo();
  }

  private refuse(event: RuntimeEvent): void {
    if (event.type === 'sup.stop') {
      event.reply?.resolve(this.exit);
      return;
    }
    if (event.type === 'sup.replaceChildren' && event.roll.queue !== undefined) {
      abortRoll(this, event.roll, event.reply); // a roll under way ends, reported; it is no caller's mistake
      return;
    }
    if (isCommand(event)) event.reply.reject(new SupervisorNotRunningError(this.path, event.type.slice(4)));
  }

  // ---------------------------------------------------------------------------------------
  // Queries (read directly: OTP's calls would only wait behind the mailbox)

  whichChildren(): ChildInfo[] {
    return this.table.infos();
  }

  /** How much of the restart budget is used now; `undefined` when the budget cannot say. */
  restartBudgetUsage(): RestartBudgetUsage | undefined {
    return this.budget.usage?.(this.now());
  }

  countChildren(): ChildCounts {
    return this.table.counts(this.policy.specCount(this));
  }

  getChildSpec(id: ChildId): ChildSpec {
    const rec = this.table.get(id);
    if (rec === undefined) throw new ChildNotFoundError(this.path, id);
    return rec.spec;
  }

  /** What the Stately Inspector shows as this supervisor's context. */
  toJSON(): unknown {
    return {
      path: this.path,
      strategy: this.config.strategy,
      children: this.whichChildren().map(({ ref, ...rest }) => ({ ...rest, actor: ref?.id })),
    };
  }

  /**
   * The runtime's one way to say what happened: the fact goes to the actor's `on(...)` listeners,
   * if it has any, and, when the tree has a logger, its report (`reports/toReport.ts`) to the
   * logger. `rec` is the child the fact is about (its spec completes the report's offender);
   * `cause` the error of a failed start, as thrown.
   */
  emit(fact: SupervisorFact, rec?: ChildRecord, cause?: unknown): void {
    if (hasListeners(this.self)) emitFrom(this.self, fact, this.onSubscriberError);
    if (this.verbose) writeReport(this.logger, fact, rec, cause);
  }

  private readonly onSubscriberError = (error: unknown): void => {
    this.logger.error({ event: 'sup.subscriber.failed', reason: serializeError(error) }, 'a subscriber to supervisor facts threw; ignored');
  };
}

/** An exit's detail as facts carry it: an `Error` serialised. */
export function describeDetail(detail: unknown): unknown {
  return detail instanceof Error ? serializeError(detail) : detail;
}
