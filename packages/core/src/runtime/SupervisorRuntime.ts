/**
 * The supervisor's own state and sequencing: the child table (a `Map` in start order), the
 * restart window, and the jobs (start in order, group restarts, shutdown) that the machine's
 * actions drive.
 *
 * Why not XState's `snapshot.children`: it is copied on every spawn and stop, so cost grows
 * with the number of children (DESIGN §7). Children here are still real actors of the same
 * actor system (created with the supervisor as `parent`), so their errors and results reach the
 * machine as `xstate.error.actor.*` / `xstate.done.actor.*` events and the inspector sees them.
 *
 * Jobs are generators. A job runs synchronously until it must wait for something that only a
 * later event can bring (a graceful child's exit, a child's readiness, a timer); it then yields
 * a {@link Wait}. While a job waits, other events are queued and handled in order once it ends,
 * as OTP's blocking supervisor leaves messages in its mailbox.
 *
 * @module
 */
import { unknownKeyMessage, unknownKeys } from '../validation/unknownKeys.js';
import { createActor, type AnyActorRef } from 'xstate';
import { childProtocolOf, notifyReady, READY_EVENT, SHUTDOWN_REQUEST, type ChildProtocol } from '../childProtocol.js';
import { childSpec, isPlainObject } from '../childSpec.js';
import type { Clock } from '../clock.js';
import {
  ChildAlreadyPresentError,
  ChildAlreadyStartedError,
  ChildNotFoundError,
  ChildRestartingError,
  ChildRunningError,
  DynamicSupervisorError,
  InvalidChildSpecError,
  MaxChildrenError,
  StartChildError,
  SupervisorNotRunningError,
} from '../errors.js';
import type { SupervisorFact } from '../events.js';
import { serializeError, statusOfEnded } from '../exit.js';
import { backoffDelay } from '../backoff.js';
import { HandoverRegistry } from '../handover/HandoverRegistry.js';
import type { HandoverStore } from '../handover/HandoverStore.js';
import { intensityBudget, type RestartBudget, type RestartBudgetUsage } from '../restartBudget.js';
import { guardLogger, silentLogger, type Logger } from '../logger.js';
import { decideRestart, type RestartDecision } from '../restartDecision.js';
import { planRestart } from '../strategies.js';
import type {
  AutoShutdown,
  DynamicChildInput,
  ChildCounts,
  ChildId,
  ChildInfo,
  ChildSpec,
  ChildSpecInput,
  ExitStatus,
  Handover,
  Strategy,
  SupervisorExit,
} from '../types.js';
import { emitFrom, hasListeners, releaseCrashed, stopActor } from '../xstateInternals.js';

/** The machine state that mirrors what the runtime is doing. */
export type Phase = 'starting' | 'running' | 'restarting' | 'shuttingDown' | 'stopped';

/** Flags after validation, with defaults filled. */
export interface ResolvedConfig {
  readonly id: string;
  readonly strategy: Strategy;
  readonly intensity: number;
  readonly periodMs: number;
  readonly autoShutdown: AutoShutdown;
  readonly children: readonly ChildSpec[];
  readonly logger: Logger | undefined;
  readonly clock: Clock | undefined;
  readonly handoverStore: HandoverStore | undefined;
  /** Makes the restart budget of one supervisor incarnation; default OTP's intensity window. */
  readonly restartBudget: (() => RestartBudget) | undefined;
  /** Backoff jitter's random source. */
  readonly random: () => number;
  /** Set for a dynamic supervisor (OTP simple_one_for_one): its child template and limit. */
  readonly dynamic: { readonly template: ChildSpec; readonly maxChildren: number } | undefined;
}

/** What a parent supervisor passes down to a child supervisor, besides its handover. */
export interface TreeContext {
  readonly path: string;
  readonly logger: Logger;
  readonly clock: Clock;
  /** The tree's handover memory: one per tree, made by the root. */
  readonly registry: HandoverRegistry;
}

type ChildState = 'starting' | 'running' | 'stopping' | 'restarting' | 'stopped';

interface ChildRecord {
  spec: ChildSpec;
  readonly protocol: ChildProtocol;
  readonly resumeId: string;
  state: ChildState;
  ref: AnyActorRef | undefined;
  /** Incarnation of the last start attempt; -1 before the first. */
  incarnation: number;
  restarts: number;
  /** Exit of the last incarnation that had started: the next incarnation's previousExit. */
  lastExit: ExitStatus | null;
  /** Added by startChild: its history ends with this supervisor incarnation (OTP `tree`). */
  readonly dynamic: boolean;
  /** Clock reading when the running incarnation started (for backoff's resetAfterMs). */
  startedAt: number | undefined;
  /** The backoff attempt number of the next automatic restart. */
  backoffAttempt: number;
  /** While waiting out a backoff: when the next attempt is due, and its timer. */
  nextRestartAt: number | undefined;
  backoffTimer: unknown;
  /** The restart budget paused this child's attempt: it was counted when it was held. */
  heldByBudget: boolean;
  /** Liveness: consecutive missed checks, and the timer of the next check. */
  healthMisses: number;
  healthTimer: unknown;
}

/** What a job waits for. */
type Wait =
  | { readonly kind: 'exit'; readonly ref: AnyActorRef; readonly token: number }
  /** A dynamic supervisor's parallel shutdown: every child asked at once, one timer for all. */
  | { readonly kind: 'exitAll'; readonly pending: Map<string, ChildRecord>; readonly token: number }
  | { readonly kind: 'ready'; readonly ref: AnyActorRef };

/** What resumes a job. */
type Resume =
  | { readonly kind: 'ended'; readonly snapshot: EndedSnapshot }
  | { readonly kind: 'allExited' }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'ready' };

interface EndedSnapshot {
  readonly status: 'done' | 'error';
  readonly output?: unknown;
  readonly error?: unknown;
}

type Job = Generator<Wait, void, Resume>;
type StartResult = { readonly ok: true } | { readonly ok: false; readonly cause: unknown };

interface Reply {
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/** Commands a caller sends; each carries the promise callbacks of the caller. */
export type CommandEvent =
  | { type: 'sup.startChild'; spec: ChildSpec | ChildSpecInput | DynamicChildInput; reply: Reply }
  | { type: 'sup.terminateChild'; id: ChildId; reply: Reply }
  | { type: 'sup.restartChild'; id: ChildId; reply: Reply }
  | { type: 'sup.deleteChild'; id: ChildId; reply: Reply }
  | { type: 'sup.stop'; reason: SupervisorExit['reason']; detail?: unknown; reply?: Reply };

/** A child's `xstate.error.actor.*` event, under a fixed type (see defineSupervisor). */
export const CHILD_ERROR = 'trellis.child.error';
/** A child's `xstate.done.actor.*` event, under a fixed type. */
export const CHILD_DONE = 'trellis.child.done';

/** Every event the runtime handles. */
export type RuntimeEvent =
  | CommandEvent
  | { type: 'sup.init' }
  /** Sent to the machine only so its eventless transitions follow a phase change; never handled. */
  | { type: 'sup.phase' }
  | { type: 'sup.retry'; id: ChildId; incarnation: number }
  | { type: 'sup.health'; id: ChildId; incarnation: number; ok: boolean }
  | { type: 'sup.timer'; token: number }
  | { type: typeof READY_EVENT; actorId: string }
  | { type: typeof SHUTDOWN_REQUEST }
  | { type: typeof CHILD_DONE; actorId: string; output: unknown }
  | { type: typeof CHILD_ERROR; actorId: string; error: unknown };

export class SupervisorRuntime {
  readonly config: ResolvedConfig;
  readonly self: AnyActorRef;
  readonly path: string;
  readonly clock: Clock;
  /** The logger bound to `{ supervisor: path }`. */
  readonly logger: Logger;
  private readonly treeLogger: Logger;
  private readonly verbose: boolean;
  private readonly budget: RestartBudget;
  private readonly registry: HandoverRegistry;

  /** The child table: insertion order is start order (OTP's `{Ids, Db}` in one structure). */
  private readonly children = new Map<ChildId, ChildRecord>();
  /** Live incarnations by actor id: late events of old incarnations find nothing here. */
  private readonly byActor = new Map<string, ChildRecord>();
  private restartingCount = 0;
  private dynamicSeq = 0;

  private phaseValue: Phase = 'starting';
  private job: Job | undefined;
  private wait: Wait | undefined;
  private waitTimer: unknown;
  private nextToken = 1;
  private queue: RuntimeEvent[] = [];
  private queueHead = 0;
  private shuttingDown = false;
  private stopReplies: Reply[] = [];
  private readonly retries = new Set<ReturnType<typeof setImmediate>>();
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
    this.treeLogger = guardLogger(config.logger ?? tree?.logger ?? silentLogger);
    this.verbose = this.treeLogger !== silentLogger;
    this.logger = this.verbose ? this.treeLogger.child({ supervisor: this.path }) : silentLogger;
    this.budget = config.restartBudget?.() ?? intensityBudget(config.intensity, config.periodMs);
    this.registry = tree?.registry ?? new HandoverRegistry(config.handoverStore, this.clock.now());
    if (tree?.registry !== undefined && config.handoverStore !== undefined) {
      this.logger.warn({ event: 'sup.config.ignored', field: 'handoverStore' }, 'handoverStore is used only at the root of a tree; ignored here');
    }
    for (const spec of config.children) {
      const rec = this.newRecord(spec, false);
      const holder = this.registry.claim(rec.resumeId, { supervisor: this.path, child: spec.id });
      if (holder !== undefined) {
        // Thrown while the actor is created: a root's start or a child supervisor's start fails with it.
        this.releaseAll();
        throw resumeIdClash(spec.id, rec.resumeId, holder);
      }
      this.children.set(spec.id, rec);
    }
  }

  get phase(): Phase {
    if (this.exit !== undefined) return 'stopped';
    if (this.shuttingDown) return 'shuttingDown';
    if (this.phaseValue === 'starting') return 'starting';
    if (this.job !== undefined || this.restartingCount > 0) return 'restarting';
    return 'running';
  }

  // ---------------------------------------------------------------------------------------
  // Event entry point (called from the machine's actions; never throws)

  handle(event: RuntimeEvent): void {
    if (this.exit !== undefined) {
      this.refuse(event);
      return;
    }
    if (this.job !== undefined) {
      if (this.wait?.kind === 'exitAll' && this.consumeParallelExit(this.wait, event)) return;
      const resume = this.match(event);
      if (resume !== undefined) {
        this.resume(resume);
        return;
      }
      if (isCommand(event) && this.shuttingDown) {
        this.refuse(event);
        return;
      }
      this.queue.push(event);
      return;
    }
    this.dispatch(event);
  }

  private dispatch(event: RuntimeEvent): void {
    switch (event.type) {
      case 'sup.init':
        // Acquired at start, not in the constructor: an actor created and never started holds nothing.
        if (this.root) this.releaseProgram = this.clock.keepAlive?.();
        this.run(this.initJob());
        return;
      case 'sup.retry':
        this.onRetry(event.id, event.incarnation);
        return;
      case 'sup.health':
        this.onHealth(event.id, event.incarnation, event.ok);
        return;
      case SHUTDOWN_REQUEST: // the parent supervisor asks this one to stop
        this.beginShutdown({ reason: 'shutdown' });
        return;
      case 'sup.phase':
      case 'sup.timer':
      case READY_EVENT:
        return; // a phase step, or a timer or readiness nobody waits for any more
      case 'sup.startChild':
        this.cmdStartChild(event.spec, event.reply);
        return;
      case 'sup.terminateChild':
        this.cmdTerminateChild(event.id, event.reply);
        return;
      case 'sup.restartChild':
        this.cmdRestartChild(event.id, event.reply);
        return;
      case 'sup.deleteChild':
        this.cmdDeleteChild(event.id, event.reply);
        return;
      case 'sup.stop':
        if (event.reply) this.stopReplies.push(event.reply);
        this.beginShutdown(event.detail === undefined ? { reason: event.reason } : { reason: event.reason, detail: event.detail });
        return;
      default:
        this.onChildEnded(event);
    }
  }

  /** Does this event resume the waiting job? */
  private match(event: RuntimeEvent): Resume | undefined {
    const wait = this.wait;
    if (wait === undefined) return undefined;
    if (event.type === 'sup.timer') return wait.kind !== 'ready' && event.token === wait.token ? { kind: 'timeout' } : undefined;
    if (wait.kind === 'exitAll') return undefined;
    if (!('actorId' in event) || event.actorId !== wait.ref.id) return undefined;
    if (event.type === READY_EVENT) return wait.kind === 'ready' ? { kind: 'ready' } : undefined;
    return { kind: 'ended', snapshot: endedOf(event) };
  }

  // ---------------------------------------------------------------------------------------
  // The job driver

  private run(job: Job): void {
    this.job = job;
    this.step(job.next());
  }

  private resume(value: Resume): void {
    const job = this.job;
    if (job === undefined) return;
    this.wait = undefined;
    if (this.waitTimer !== undefined) {
      this.clock.clearTimeout(this.waitTimer);
      this.waitTimer = undefined;
    }
    this.step(job.next(value));
  }

  private step(result: IteratorResult<Wait, void>): void {
    if (!result.done) {
      this.wait = result.value;
      return;
    }
    this.job = undefined;
    // Drain what arrived while the job waited, in order, until another job starts waiting.
    while (this.job === undefined && this.exit === undefined && this.queueHead < this.queue.length) {
      const next = this.queue[this.queueHead++] as RuntimeEvent;
      this.dispatch(next);
    }
    if (this.queueHead >= this.queue.length) {
      this.queue = [];
      this.queueHead = 0;
    }
  }

  // ---------------------------------------------------------------------------------------
  // Jobs

  private *initJob(): Job {
    for (const rec of this.children.values()) {
      const result = yield* this.startRecord(rec, 'init');
      if (!result.ok) {
        const error = new StartChildError(this.path, rec.spec.id, result.cause);
        this.shuttingDown = true;
        yield* this.stopAll();
        this.end({ reason: 'shutdown', detail: error });
        return;
      }
    }
    this.phaseValue = 'running';
    notifyReady(this.self);
  }

  /** OTP `restart/2`: count the restart, plan by strategy, stop the bystanders, start in order. */
  private *restartJob(failed: ChildRecord): Job {
    if (failed.heldByBudget) failed.heldByBudget = false; // counted when the budget held it
    else {
      const now = this.clock.now();
      const verdict = this.budget.add(now);
      if (verdict.action === 'give_up') {
        yield* this.giveUp(failed);
        return;
      }
      if (verdict.action === 'pause') {
        this.holdRestart(failed, verdict.resumeAt - now);
        return;
      }
    }
    // one_for_one needs no view of the siblings: skipping it keeps a restart O(1) in their number.
    const plan = this.config.strategy === 'one_for_one' ? { stop: [], start: [failed.spec.id], drop: [] } : planRestart(this.config.strategy, this.planChildren(), failed.spec.id);
    for (const id of plan.stop) {
      const rec = this.children.get(id);
      if (rec !== undefined) yield* this.stopRecord(rec, 'bystander', failed.spec.id);
    }
    for (const id of plan.drop) this.removeRecord(id);
    for (const id of plan.start) {
      const rec = this.children.get(id);
      if (rec === undefined || rec.state === 'running') continue;
      if (rec.state === 'restarting') this.setRestarting(rec, false);
      const result = yield* this.startRecord(rec, 'restart');
      if (!result.ok) {
        // OTP: the child becomes `restarting` and the retry goes through the mailbox, so commands
        // and shutdown can interleave; one_for_all redoes the whole group, rest_for_one from here.
        this.scheduleRestart(rec);
        return;
      }
    }
  }

  private *giveUp(failed: ChildRecord): Job {
    const { intensity, periodMs } = this.config;
    this.emit({ type: 'sup.intensity.exceeded', supervisor: this.path, child: failed.spec.id, intensity, periodMs });
    this.logger.error(
      { event: 'sup.intensity.exceeded', errorContext: 'shutdown', reason: 'reached_max_restart_intensity', offender: this.offender(failed) },
      'restart intensity exceeded, shutting down',
    );
    this.gaveUpOn = { child: failed.spec.id, lastExit: failed.lastExit };
    if (failed.spec.restart === 'temporary') this.removeRecord(failed.spec.id);
    this.shuttingDown = true;
    yield* this.stopAll();
    this.end({ reason: 'shutdown', detail: 'reached_max_restart_intensity' });
  }

  private *shutdownJob(exit: SupervisorExit): Job {
    yield* this.stopAll();
    this.end(exit);
  }

  /** Stops every live child in reverse start order, one at a time; ends restart loops. */
  private *stopAll(): Generator<Wait, void, Resume> {
    if (this.config.dynamic !== undefined) {
      yield* this.stopAllParallel();
      return;
    }
    const records = [...this.children.values()];
    for (let i = records.length - 1; i >= 0; i--) {
      const rec = records[i] as ChildRecord;
      if (rec.state === 'restarting') this.setRestarting(rec, false);
      if (rec.ref !== undefined) yield* this.stopRecord(rec, 'shutdown', undefined);
      if (rec.spec.restart === 'temporary') this.removeRecord(rec.spec.id);
    }
  }

  // ---------------------------------------------------------------------------------------
  // One child: start and stop

  private *startRecord(rec: ChildRecord, cause: 'init' | 'restart' | 'manual'): Generator<Wait, StartResult, Resume> {
    const incarnation = ++rec.incarnation;
    if (cause === 'restart') rec.restarts++;
    this.registry.attempted(rec.resumeId, incarnation, rec.lastExit, true);
    const handover: Handover = { resumeId: rec.resumeId, incarnation, previousExit: rec.lastExit };
    const actorId = `${rec.spec.id}@${incarnation}`;
    const childLogger = this.verbose ? this.logger.child({ child: rec.spec.id, incarnation }) : silentLogger;
    let actor: AnyActorRef;
    try {
      actor = createActor(rec.spec.start, {
        id: actorId,
        parent: this.self,
        input: this.inputFor(rec, handover, childLogger),
      } as Parameters<typeof createActor>[1]);
    } catch (error) {
      return this.startFailed(rec, error);
    }
    rec.ref = actor;
    rec.state = 'starting';
    this.byActor.set(actorId, rec);
    actor.start();
    const snapshot = actor.getSnapshot() as { status: string; error?: unknown; output?: unknown };
    if (snapshot.status === 'error') {
      this.detach(rec);
      return this.startFailed(rec, snapshot.error);
    }
    if (rec.protocol.awaitReady && snapshot.status === 'done') {
      // Ended before it was ready (a child supervisor whose own init failed): a start failure.
      this.detach(rec);
      return this.startFailed(rec, notReadyCause(snapshot.output));
    }
    if (rec.protocol.awaitReady && snapshot.status === 'active') {
      const resume = yield { kind: 'ready', ref: actor };
      if (resume.kind === 'ended') {
        this.detach(rec);
        const ended = resume.snapshot;
        return this.startFailed(rec, ended.status === 'error' ? ended.error : notReadyCause(ended.output));
      }
    }
    rec.state = 'running';
    rec.startedAt = this.clock.now();
    if (rec.spec.health !== undefined) this.scheduleHealthCheck(rec);
    if (this.verbose) this.logger.info({ event: 'sup.child.started', child: rec.spec.id, incarnation, cause }, 'child started');
    this.emit({ type: 'sup.child.started', supervisor: this.path, child: rec.spec.id, incarnation, resumeId: rec.resumeId, cause });
    return { ok: true };
  }

  private startFailed(rec: ChildRecord, cause: unknown): StartResult {
    rec.ref = undefined;
    rec.state = 'stopped';
    this.registry.attempted(rec.resumeId, rec.incarnation, rec.lastExit, false);
    this.logger.error(
      { event: 'sup.child.startFailed', errorContext: 'start_error', reason: serializeError(cause), offender: this.offender(rec) },
      'child failed to start',
    );
    this.emit({ type: 'sup.child.startFailed', supervisor: this.path, child: rec.spec.id, incarnation: rec.incarnation, error: briefError(cause) });
    return { ok: false, cause };
  }

  /**
   * OTP's shutdown protocol for one child: ask, wait `shutdown` ms, kill. A child that already
   * ended keeps its own exit reason (`sup_stop_race`).
   */
  private *stopRecord(rec: ChildRecord, why: 'shutdown' | 'bystander', offender: ChildId | undefined): Generator<Wait, void, Resume> {
    const ref = rec.ref;
    if (ref === undefined) return;
    rec.state = 'stopping';
    const shutdown = rec.spec.shutdown;
    let status = this.stopAtOnce(rec, ref, why, offender);
    if (status === undefined) {
      const token = this.nextToken++;
      ref.send({ type: SHUTDOWN_REQUEST });
      const resume =
        rec.ref === ref && (ref.getSnapshot() as { status: string }).status === 'active'
          ? yield* this.waitExit(ref, token, shutdown)
          : { kind: 'ended' as const, snapshot: ref.getSnapshot() as EndedSnapshot };
      if (resume.kind === 'timeout') {
        stopActor(ref);
        status = this.stoppedStatus('killed', offender);
        this.emit({ type: 'sup.shutdown.timedOut', supervisor: this.path, child: rec.spec.id, incarnation: rec.incarnation, shutdownMs: shutdown as number });
        this.logger.error(
          { event: 'sup.shutdown.timedOut', errorContext: 'shutdown_error', reason: 'killed', offender: this.offender(rec) },
          rec.protocol.kind === 'supervisor' ? 'child did not stop in time and was killed' : 'child did not stop in time; killed and left unstopped',
        );
      } else {
        const ended = resume.kind === 'ended' ? statusOfEnded(resume.snapshot, rec.protocol.kind === 'supervisor', this.clock.now()) : undefined;
        // Whatever the child answered after being asked, it stopped because we asked (decision
        // 0003). A real crash on the way out (not its own abort) is kept in the detail and
        // reported once as OTP's shutdown_error.
        let detail = ended?.reason === 'shutdown' ? ended.detail : undefined;
        if (ended?.reason === 'error' && !isAbortError(ended.detail)) {
          detail = { error: ended.detail };
          this.logger.error({ event: 'sup.child.exited', errorContext: 'shutdown_error', reason: ended.detail, offender: this.offender(rec) }, 'child crashed while stopping');
        }
        status = this.stoppedStatus(why, offender, detail);
      }
    }
    this.finishStop(rec, status);
  }

  /**
   * Stops a child that needs no waiting and returns how it ended: one that already ended keeps
   * its own reason (`sup_stop_race`), `brutal_kill` is killed, and logic with no stop protocol
   * stops at once, like an Erlang process that does not trap exits. `undefined` means the child
   * must be asked and waited for.
   */
  private stopAtOnce(rec: ChildRecord, ref: AnyActorRef, why: 'shutdown' | 'bystander', offender: ChildId | undefined): ExitStatus | undefined {
    const snapshot = ref.getSnapshot() as { status: string; output?: unknown; error?: unknown };
    if (snapshot.status === 'done' || snapshot.status === 'error') return statusOfEnded(snapshot, rec.protocol.kind === 'supervisor', this.clock.now());
    if (rec.spec.shutdown === 'brutal_kill') {
      stopActor(ref);
      return this.stoppedStatus('killed', offender);
    }
    if (!rec.protocol.gracefulStop) {
      stopActor(ref);
      return this.stoppedStatus(why, offender);
    }
    return undefined;
  }

  /**
   * OTP simple_one_for_one / DynamicSupervisor shutdown: every child is asked at once and one
   * timer covers the template's `shutdown`; children still running when it fires are killed.
   */
  private *stopAllParallel(): Generator<Wait, void, Resume> {
    const pending = new Map<string, ChildRecord>();
    for (const rec of this.children.values()) {
      if (rec.state === 'restarting') this.setRestarting(rec, false);
      const ref = rec.ref;
      if (ref === undefined) continue;
      const status = this.stopAtOnce(rec, ref, 'shutdown', undefined);
      if (status !== undefined) {
        this.finishStop(rec, status);
      } else {
        rec.state = 'stopping';
        pending.set(ref.id, rec);
        ref.send({ type: SHUTDOWN_REQUEST });
      }
    }
    if (pending.size === 0) return;
    const token = this.nextToken++;
    const shutdown = this.config.dynamic!.template.shutdown;
    if (typeof shutdown === 'number') this.waitTimer = this.clock.setTimeout(() => this.self.send({ type: 'sup.timer', token }), shutdown);
    const resume = yield { kind: 'exitAll', pending, token };
    if (resume.kind !== 'timeout') return;
    for (const rec of pending.values()) {
      if (rec.ref !== undefined) stopActor(rec.ref);
      this.emit({ type: 'sup.shutdown.timedOut', supervisor: this.path, child: rec.spec.id, incarnation: rec.incarnation, shutdownMs: shutdown as number });
      this.finishStop(rec, this.stoppedStatus('killed', undefined));
    }
    this.logger.error({ event: 'sup.shutdown.timedOut', errorContext: 'shutdown_error', reason: 'killed', children: pending.size }, 'children did not stop in time and were killed');
    pending.clear();
  }

  /** During a parallel shutdown: one of the asked children ended. */
  private consumeParallelExit(wait: { readonly pending: Map<string, ChildRecord> }, event: RuntimeEvent): boolean {
    if (event.type !== CHILD_DONE && event.type !== CHILD_ERROR) return false;
    const rec = wait.pending.get(event.actorId);
    if (rec === undefined) return false;
    wait.pending.delete(event.actorId);
    const ended = statusOfEnded(endedOf(event), rec.protocol.kind === 'supervisor', this.clock.now());
    this.finishStop(rec, this.stoppedStatus('shutdown', undefined, ended.reason === 'shutdown' ? ended.detail : undefined));
    if (wait.pending.size === 0) this.resume({ kind: 'allExited' });
    return true;
  }

  private finishStop(rec: ChildRecord, status: ExitStatus): void {
    this.detach(rec);
    this.recordExit(rec, status);
    this.emit({ type: 'sup.child.exited', supervisor: this.path, child: rec.spec.id, incarnation: rec.incarnation, exit: status, decision: 'stopped' });
  }

  private *waitExit(ref: AnyActorRef, token: number, shutdown: ChildSpec['shutdown']): Generator<Wait, Resume, Resume> {
    if (typeof shutdown === 'number') {
      this.waitTimer = this.clock.setTimeout(() => this.self.send({ type: 'sup.timer', token }), shutdown);
    }
    return yield { kind: 'exit', ref, token };
  }

  private stoppedStatus(reason: 'shutdown' | 'bystander' | 'killed', offender: ChildId | undefined, detail?: unknown): ExitStatus {
    const at = this.clock.now();
    if (offender !== undefined) return { reason, detail: detail === undefined ? { offender } : { offender, detail }, at };
    return detail === undefined ? { reason, at } : { reason, detail, at };
  }

  private detach(rec: ChildRecord): void {
    if (rec.healthTimer !== undefined) {
      this.clock.clearTimeout(rec.healthTimer);
      rec.healthTimer = undefined;
    }
    rec.healthMisses = 0;
    const ref = rec.ref;
    if (ref === undefined) return;
    this.byActor.delete(ref.id);
    rec.ref = undefined;
    if ((ref.getSnapshot() as { status: string }).status === 'error') releaseCrashed(ref);
  }

  private inputFor(rec: ChildRecord, handover: Handover, logger: Logger): unknown {
    if (rec.protocol.kind === 'worker') return { handover, input: rec.spec.input, logger, clock: this.clock };
    const tree: TreeContext = { path: `${this.path}/${rec.spec.id}`, logger: this.treeLogger, clock: this.clock, registry: this.registry };
    if (rec.protocol.kind === 'supervisor') return { ...rec.spec.input, handover, trellis: tree };
    return { ...rec.spec.input, handover };
  }

  // ---------------------------------------------------------------------------------------
  // A child ended by itself

  private onChildEnded(event: RuntimeEvent & { actorId: string }): void {
    const rec = this.byActor.get(event.actorId);
    if (rec === undefined || rec.ref?.id !== event.actorId) return; // a late event of an old incarnation
    const status = statusOfEnded(endedOf(event), rec.protocol.kind === 'supervisor', this.clock.now());
    this.detach(rec);
    this.childExited(rec, status);
  }

  /** A child ended by itself (or was killed by its liveness check): OTP's restart decision. */
  private childExited(rec: ChildRecord, status: ExitStatus): void {
    this.recordExit(rec, status);
    const decision: RestartDecision = decideRestart(rec.spec.restart, status.reason);
    this.emit({ type: 'sup.child.exited', supervisor: this.path, child: rec.spec.id, incarnation: rec.incarnation, exit: status, decision });
    this.reportExit(rec, status, decision);
    if (decision === 'restart') {
      if (rec.spec.backoff !== undefined) this.scheduleRestart(rec);
      else this.run(this.restartJob(rec));
      return;
    }
    // A dynamic supervisor keeps no spec for a child that is not restarted (OTP simple_one_for_one).
    if (decision === 'delete' || this.config.dynamic !== undefined) this.removeRecord(rec.spec.id);
    if (rec.spec.significant) this.checkAutoShutdown();
  }

  private reportExit(rec: ChildRecord, status: ExitStatus, decision: RestartDecision): void {
    if (!this.verbose) return;
    const fields = { event: 'sup.child.exited', errorContext: 'child_terminated', reason: status.reason, detail: status.detail, decision, offender: this.offender(rec) };
    // OTP reports child_terminated for every exit of a permanent child and every abnormal exit.
    if (rec.spec.restart === 'permanent' || (status.reason !== 'normal' && status.reason !== 'shutdown')) this.logger.error(fields, 'child terminated');
    else this.logger.info(fields, 'child exited');
  }

  /** OTP 24 auto_shutdown: only significant children that ended by themselves and are not restarted. */
  private checkAutoShutdown(): void {
    const mode = this.config.autoShutdown;
    if (mode === 'never') return;
    if (mode === 'all_significant') {
      for (const rec of this.children.values()) {
        if (rec.spec.significant && rec.state !== 'stopped') return;
      }
    }
    this.beginShutdown({ reason: 'shutdown' });
  }

  private onRetry(id: ChildId, incarnation: number): void {
    const rec = this.children.get(id);
    // terminateChild (or a shutdown) ended the loop, or a newer attempt already ran.
    if (rec === undefined || rec.state !== 'restarting' || rec.incarnation !== incarnation) return;
    this.run(this.restartJob(rec));
  }

  /**
   * OTP casts `try_again_restart` to itself so that calls and shutdown interleave with a restart
   * loop. XState drains a mailbox synchronously, so a retry sent straight to it would spin
   * without ever letting a caller in; the retry waits one event-loop turn first (no clock time
   * passes).
   */
  private scheduleRestart(rec: ChildRecord): void {
    const event = { type: 'sup.retry' as const, id: rec.spec.id, incarnation: rec.incarnation };
    this.setRestarting(rec, true);
    const backoff = rec.spec.backoff;
    if (backoff === undefined) {
      this.emit({ type: 'sup.child.restarting', supervisor: this.path, child: rec.spec.id, nextIncarnation: rec.incarnation + 1, delayMs: 0 });
      const handle = setImmediate(() => {
        this.retries.delete(handle);
        this.self.send(event);
      });
      this.retries.add(handle);
      return;
    }
    // Backoff: wait before the attempt; the attempt itself is counted toward intensity when it
    // happens (restartJob). A child that ran resetAfterMs without exiting starts again at minMs.
    const now = this.clock.now();
    if (rec.startedAt !== undefined && now - rec.startedAt >= backoff.resetAfterMs) rec.backoffAttempt = 0;
    rec.startedAt = undefined;
    const delayMs = backoffDelay(backoff, rec.backoffAttempt, this.config.random);
    rec.backoffAttempt++;
    rec.nextRestartAt = now + delayMs;
    rec.backoffTimer = this.clock.setTimeout(() => {
      rec.backoffTimer = undefined;
      this.self.send(event);
    }, delayMs);
    this.emit({ type: 'sup.child.restarting', supervisor: this.path, child: rec.spec.id, nextIncarnation: rec.incarnation + 1, delayMs });
    if (this.verbose) this.logger.info({ event: 'sup.child.restarting', child: rec.spec.id, delayMs }, 'restart delayed by backoff');
  }

  /** A restart budget that pauses instead of giving up (suture's decaying counter) holds the attempt. */
  private holdRestart(rec: ChildRecord, delayMs: number): void {
    this.setRestarting(rec, true);
    rec.heldByBudget = true;
    rec.nextRestartAt = this.clock.now() + delayMs;
    const event = { type: 'sup.retry' as const, id: rec.spec.id, incarnation: rec.incarnation };
    rec.backoffTimer = this.clock.setTimeout(() => {
      rec.backoffTimer = undefined;
      this.self.send(event);
    }, delayMs);
    this.emit({ type: 'sup.child.restarting', supervisor: this.path, child: rec.spec.id, nextIncarnation: rec.incarnation + 1, delayMs });
    this.logger.warn({ event: 'sup.restarts.paused', child: rec.spec.id, delayMs }, 'restart budget exhausted, restarts paused');
  }

  /** Liveness: the next check of a running child, `intervalMs` from now. */
  private scheduleHealthCheck(rec: ChildRecord): void {
    const health = rec.spec.health!;
    const incarnation = rec.incarnation;
    rec.healthTimer = this.clock.setTimeout(() => {
      rec.healthTimer = undefined;
      if (this.exit !== undefined) return;
      const controller = new AbortController();
      let answered = false;
      const answer = (ok: boolean): void => {
        if (answered) return;
        answered = true;
        this.clock.clearTimeout(timeout);
        if (this.exit === undefined) this.self.send({ type: 'sup.health', id: rec.spec.id, incarnation, ok });
      };
      const timeout = this.clock.setTimeout(() => {
        controller.abort();
        answer(false);
      }, health.timeoutMs);
      try {
        Promise.resolve(health.check({ signal: controller.signal })).then((ok) => answer(ok === true), () => answer(false));
      } catch {
        answer(false);
      }
    }, health.intervalMs);
  }

  private onHealth(id: ChildId, incarnation: number, ok: boolean): void {
    const rec = this.children.get(id);
    if (rec === undefined || rec.incarnation !== incarnation || rec.state !== 'running' || rec.ref === undefined) return;
    const health = rec.spec.health!;
    rec.healthMisses = ok ? 0 : rec.healthMisses + 1;
    if (rec.healthMisses < health.failureThreshold) {
      this.scheduleHealthCheck(rec);
      return;
    }
    // failureThreshold misses in a row: killed, and handled as an abnormal exit (`timeout`).
    const misses = rec.healthMisses;
    stopActor(rec.ref);
    this.detach(rec);
    this.childExited(rec, { reason: 'timeout', detail: { missedChecks: misses }, at: this.clock.now() });
  }

  private setRestarting(rec: ChildRecord, on: boolean): void {
    if (on) {
      if (rec.state !== 'restarting') this.restartingCount++;
      rec.state = 'restarting';
    } else if (rec.state === 'restarting') {
      this.restartingCount--;
      rec.state = 'stopped';
      if (rec.backoffTimer !== undefined) this.clock.clearTimeout(rec.backoffTimer);
      rec.backoffTimer = undefined;
      rec.nextRestartAt = undefined;
      rec.heldByBudget = false;
    }
  }

  private beginShutdown(exit: SupervisorExit): void {
    if (this.shuttingDown || this.exit !== undefined) return;
    this.shuttingDown = true;
    this.emit({ type: 'sup.stopping', supervisor: this.path, exit: exit.detail === undefined ? { reason: exit.reason } : { reason: exit.reason, detail: describeDetail(exit.detail) } });
    this.run(this.shutdownJob(exit));
  }

  private clearRetries(): void {
    for (const handle of this.retries) clearImmediate(handle);
    this.retries.clear();
    for (const rec of this.children.values()) {
      if (rec.state === 'restarting') this.setRestarting(rec, false);
      if (rec.healthTimer !== undefined) this.clock.clearTimeout(rec.healthTimer);
      rec.healthTimer = undefined;
    }
  }

  private end(exit: SupervisorExit): void {
    this.exit = exit;
    this.clearRetries();
    this.releaseAll();
    this.shuttingDown = false;
    if (this.waitTimer !== undefined) this.clock.clearTimeout(this.waitTimer);
    this.waitTimer = undefined;
    this.wait = undefined;
    for (let i = this.queueHead; i < this.queue.length; i++) this.refuse(this.queue[i] as RuntimeEvent);
    this.queue = [];
    this.queueHead = 0;
    for (const reply of this.stopReplies.splice(0)) reply.resolve(exit);
    if (this.verbose) this.logger.info({ event: 'sup.stopped', reason: exit.reason, detail: describeDetail(exit.detail) }, 'supervisor stopped');
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
    this.clearRetries();
    if (this.waitTimer !== undefined) this.clock.clearTimeout(this.waitTimer);
    this.waitTimer = undefined;
    this.job = undefined;
    this.wait = undefined;
    const records = [...this.children.values()];
    for (let i = records.length - 1; i >= 0; i--) {
      const rec = records[i] as ChildRecord;
      if (rec.ref !== undefined) {
        stopActor(rec.ref);
        this.detach(rec);
        this.recordExit(rec, { reason: 'killed', at: this.clock.now() });
      }
    }
    this.releaseAll();
    for (let i = this.queueHead; i < this.queue.length; i++) this.refuse(this.queue[i] as RuntimeEvent);
    this.queue = [];
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
    if (isCommand(event)) event.reply.reject(new SupervisorNotRunningError(this.path, event.type.slice(4)));
  }

  // ---------------------------------------------------------------------------------------
  // Commands (OTP's supervisor API)

  private cmdStartChild(input: ChildSpec | ChildSpecInput | DynamicChildInput, reply: Reply): void {
    if (this.config.dynamic !== undefined) {
      this.startDynamicChild(this.config.dynamic, input as DynamicChildInput, reply);
      return;
    }
    let spec: ChildSpec;
    try {
      spec = childSpec(input as ChildSpec | ChildSpecInput);
    } catch (error) {
      reply.reject(error);
      return;
    }
    const existing = this.children.get(spec.id);
    if (existing !== undefined) {
      reply.reject(
        existing.state === 'running' || existing.state === 'starting'
          ? new ChildAlreadyStartedError(this.path, spec.id)
          : new ChildAlreadyPresentError(this.path, spec.id),
      );
      return;
    }
    const rec = this.newRecord(spec, true);
    const holder = this.registry.claim(rec.resumeId, { supervisor: this.path, child: spec.id });
    if (holder !== undefined) {
      reply.reject(resumeIdClash(spec.id, rec.resumeId, holder));
      return;
    }
    this.children.set(spec.id, rec);
    this.run(this.manualStartJob(rec, reply, true));
  }

  /** OTP simple_one_for_one `start_child(Sup, ExtraArgs)`: the template with extra input, a generated id. */
  private startDynamicChild(dynamic: NonNullable<ResolvedConfig['dynamic']>, input: DynamicChildInput | undefined, reply: Reply): void {
    const extra = input?.input;
    if (input !== undefined && (!isPlainObject(input) || 'start' in input || (extra !== undefined && !isPlainObject(extra)))) {
      reply.reject(
        new InvalidChildSpecError(
          dynamic.template.id,
          'input',
          'must be { input?: plain object } for a dynamic supervisor (the spec is its template)',
          input,
        ),
      );
      return;
    }
    const unknown = input === undefined ? [] : unknownKeys(input, ['input']);
    if (unknown.length > 0) {
      const key = unknown[0]!;
      reply.reject(new InvalidChildSpecError(dynamic.template.id, key, 'is not a known key', (input as Record<string, unknown>)[key], unknownKeyMessage(key, `startChild's argument for dynamic supervisor '${this.path}'`, ['input'])));
      return;
    }
    if (this.children.size >= dynamic.maxChildren) {
      reply.reject(new MaxChildrenError(this.path, dynamic.maxChildren));
      return;
    }
    const template = dynamic.template;
    const id = `${template.id}-${++this.dynamicSeq}`;
    const spec: ChildSpec = { ...template, id, input: extra === undefined ? template.input : { ...template.input, ...extra } };
    const rec = this.newRecord(spec, true);
    this.children.set(id, rec);
    this.run(this.manualStartJob(rec, reply, true));
  }

  private *manualStartJob(rec: ChildRecord, reply: Reply, discardOnFailure: boolean): Job {
    const result = yield* this.startRecord(rec, 'manual');
    if (result.ok) {
      reply.resolve(this.info(rec));
      return;
    }
    if (discardOnFailure) this.removeRecord(rec.spec.id);
    reply.reject(new StartChildError(this.path, rec.spec.id, result.cause));
  }

  private cmdTerminateChild(id: ChildId, reply: Reply): void {
    const rec = this.children.get(id);
    if (rec === undefined) {
      reply.reject(new ChildNotFoundError(this.path, id));
      return;
    }
    if (rec.state === 'restarting') this.setRestarting(rec, false); // ends the restart loop
    if (rec.ref === undefined) {
      if (rec.spec.restart === 'temporary' || this.config.dynamic !== undefined) this.removeRecord(id);
      reply.resolve(undefined);
      return;
    }
    this.run(this.terminateJob(rec, reply));
  }

  private *terminateJob(rec: ChildRecord, reply: Reply): Job {
    yield* this.stopRecord(rec, 'shutdown', undefined);
    if (rec.spec.restart === 'temporary' || this.config.dynamic !== undefined) this.removeRecord(rec.spec.id);
    reply.resolve(undefined);
  }

  private cmdRestartChild(id: ChildId, reply: Reply): void {
    if (this.config.dynamic !== undefined) {
      reply.reject(new DynamicSupervisorError(this.path, 'restartChild'));
      return;
    }
    const rec = this.children.get(id);
    if (rec === undefined) reply.reject(new ChildNotFoundError(this.path, id));
    else if (rec.state === 'restarting') reply.reject(new ChildRestartingError(this.path, id, 'restarted'));
    else if (rec.state !== 'stopped') reply.reject(new ChildRunningError(this.path, id, 'restarted'));
    else this.run(this.manualStartJob(rec, reply, false));
  }

  private cmdDeleteChild(id: ChildId, reply: Reply): void {
    if (this.config.dynamic !== undefined) {
      reply.reject(new DynamicSupervisorError(this.path, 'deleteChild'));
      return;
    }
    const rec = this.children.get(id);
    if (rec === undefined) reply.reject(new ChildNotFoundError(this.path, id));
    else if (rec.state === 'restarting') reply.reject(new ChildRestartingError(this.path, id, 'deleted'));
    else if (rec.state !== 'stopped') reply.reject(new ChildRunningError(this.path, id, 'deleted'));
    else {
      this.removeRecord(id);
      reply.resolve(undefined);
    }
  }

  // ---------------------------------------------------------------------------------------
  // Queries (read directly: OTP's calls would only wait behind the mailbox)

  whichChildren(): ChildInfo[] {
    const out: ChildInfo[] = [];
    for (const rec of this.children.values()) out.push(this.info(rec));
    return out.reverse();
  }

  /** How much of the restart budget is used now; `undefined` when the budget cannot say. */
  restartBudgetUsage(): RestartBudgetUsage | undefined {
    return this.budget.usage?.(this.clock.now());
  }

  countChildren(): ChildCounts {
    let active = 0;
    let supervisors = 0;
    for (const rec of this.children.values()) {
      if (rec.ref !== undefined && rec.state !== 'restarting') active++;
      if (rec.spec.type === 'supervisor') supervisors++;
    }
    // OTP simple_one_for_one counts its one template as the only spec.
    const specs = this.config.dynamic !== undefined ? 1 : this.children.size;
    return { specs, active, supervisors, workers: this.children.size - supervisors };
  }

  getChildSpec(id: ChildId): ChildSpec {
    const rec = this.children.get(id);
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

  private info(rec: ChildRecord): ChildInfo {
    // Spawned but not yet ready is `starting` (decision 0007); a child being stopped is still `running`.
    const status = rec.state === 'restarting' ? 'restarting' : rec.ref === undefined ? 'stopped' : rec.state === 'starting' ? 'starting' : 'running';
    const base = {
      id: rec.spec.id,
      status,
      type: rec.spec.type,
      resumeId: rec.resumeId,
      incarnation: Math.max(rec.incarnation, 0),
      restarts: rec.restarts,
      lastExit: rec.lastExit,
    } as const;
    if (rec.nextRestartAt !== undefined) return { ...base, nextRestartAt: rec.nextRestartAt };
    return rec.ref === undefined ? base : { ...base, ref: rec.ref };
  }

  // ---------------------------------------------------------------------------------------
  // Helpers

  private newRecord(spec: ChildSpec, dynamic: boolean): ChildRecord {
    const resumeId = spec.resumeId ?? `${this.path}/${spec.id}`;
    // A subtree restarted by its parent (or a program restarted with a durable store) continues
    // the incarnations and previous exits recorded under the same ResumeID.
    const history = this.registry.get(resumeId);
    return {
      spec,
      protocol: childProtocolOf(spec.start),
      resumeId,
      state: 'stopped',
      ref: undefined,
      incarnation: history?.incarnation ?? -1,
      restarts: 0,
      lastExit: history?.lastExit ?? null,
      dynamic,
      startedAt: undefined,
      backoffAttempt: 0,
      nextRestartAt: undefined,
      backoffTimer: undefined,
      heldByBudget: false,
      healthMisses: 0,
      healthTimer: undefined,
    };
  }

  private recordExit(rec: ChildRecord, status: ExitStatus): void {
    // Every 64th exit, settle the stack of the exit before it (see settleStack): a chain through the
    // incarnations then holds at most 64 links, at 1/64 of a stack's formatting per restart.
    if (rec.lastExit !== null && rec.incarnation % 64 === 0) settleStack(rec.lastExit.detail);
    rec.lastExit = status;
    rec.state = 'stopped';
    this.registry.exited(rec.resumeId, rec.incarnation, status);
  }

  /** Drops a spec; its ResumeID's history goes with it. */
  private removeRecord(id: ChildId): void {
    const rec = this.children.get(id);
    if (rec === undefined) return;
    this.children.delete(id);
    this.registry.forget(rec.resumeId);
    this.registry.release(rec.resumeId, { supervisor: this.path, child: id });
  }

  /** This supervisor incarnation is over: its ResumeIDs are free, its dynamic children's history ends. */
  private releaseAll(): void {
    for (const rec of this.children.values()) {
      if (rec.dynamic) this.registry.forget(rec.resumeId);
      this.registry.release(rec.resumeId, { supervisor: this.path, child: rec.spec.id });
    }
  }

  private planChildren(): Iterable<{ id: ChildId; restart: ChildSpec['restart']; alive: boolean }> {
    const out: { id: ChildId; restart: ChildSpec['restart']; alive: boolean }[] = [];
    for (const rec of this.children.values()) out.push({ id: rec.spec.id, restart: rec.spec.restart, alive: rec.ref !== undefined });
    return out;
  }

  private offender(rec: ChildRecord): { id: ChildId; restart: string; shutdown: ChildSpec['shutdown']; incarnation: number } {
    return { id: rec.spec.id, restart: rec.spec.restart, shutdown: rec.spec.shutdown, incarnation: rec.incarnation };
  }

  private emit(fact: SupervisorFact): void {
    if (hasListeners(this.self)) emitFrom(this.self, fact, this.onSubscriberError);
  }

  private readonly onSubscriberError = (error: unknown): void => {
    this.logger.error({ event: 'sup.subscriber.failed', reason: serializeError(error) }, 'a subscriber to supervisor facts threw; ignored');
  };
}

/** A worker that rejects with its own abort (or a timeout) when asked to stop has not crashed. */
function isAbortError(detail: unknown): boolean {
  const name = (detail as { name?: unknown } | undefined)?.name;
  return name === 'AbortError' || name === 'TimeoutError';
}

function isCommand(event: RuntimeEvent): event is Exclude<CommandEvent, { type: 'sup.stop' }> {
  return event.type === 'sup.startChild' || event.type === 'sup.terminateChild' || event.type === 'sup.restartChild' || event.type === 'sup.deleteChild';
}

function endedOf(event: RuntimeEvent): EndedSnapshot {
  if (event.type === CHILD_ERROR) return { status: 'error', error: (event as { error: unknown }).error };
  return { status: 'done', output: (event as { output?: unknown }).output };
}

function notReadyCause(output: unknown): unknown {
  const detail = (output as { detail?: unknown } | undefined)?.detail;
  if (detail instanceof Error) return detail; // a child supervisor's own StartChildError
  return new Error('the child exited before it was ready');
}

function briefError(cause: unknown): { name: string; message: string } {
  const { name, message } = serializeError(cause);
  return { name, message };
}

function describeDetail(detail: unknown): unknown {
  return detail instanceof Error ? serializeError(detail) : detail;
}

function resumeIdClash(childId: ChildId, resumeId: string, holder: { supervisor: string; child: string }): InvalidChildSpecError {
  return new InvalidChildSpecError(childId, 'resumeId', `must be unique in the tree, and "${holder.supervisor}/${holder.child}" already has it`, resumeId);
}

/**
 * Formats a crash detail's stack now. {@link serializeError} reads an error's `stack` on first use,
 * as formatting costs as much as a whole restart, so until then V8 keeps every frame's function and
 * receiver alive. When a child throws before any I/O, its restart runs inside the previous
 * incarnation's exit handling: those frames hold the previous incarnation, whose input holds its
 * own `previousExit`, and so on, one link per restart ever made (issue 20). Reading the stack turns
 * it into a string and cuts the link.
 */
function settleStack(detail: unknown): void {
  if (typeof detail !== 'object' || detail === null || !('stack' in detail)) return;
  try {
    void (detail as { stack?: unknown }).stack;
  } catch {
    // A throwing getter is the child's own; nothing is kept through it.
  }
}
