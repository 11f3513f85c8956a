/**
 * The job driver: the supervisor's second mailbox, and the one `Wait` protocol of its jobs.
 *
 * A job is a generator (start in order, a group restart, a shutdown). It runs synchronously until
 * it must wait for something only a later event can bring (a graceful child's exit, a child's
 * readiness, a timer, a turn of the event loop); it then yields a {@link Wait}. While a job waits, other events are queued
 * and handled in order once it ends, as OTP's blocking supervisor leaves messages in its mailbox.
 *
 * @module
 */
import type { AnyActorRef } from 'xstate';
import { READY_EVENT } from '../childProtocol.js';
import type { Clock } from '../clock.js';
import type { ChildRecord } from './childTable.js';
import { endedOf, type EndedSnapshot, type RuntimeEvent } from './events.js';
import { nextTurn } from './turns.js';

/** What a job waits for. */
export type Wait =
  | { readonly kind: 'exit'; readonly ref: AnyActorRef; readonly token: number }
  /** A dynamic supervisor's parallel shutdown: every child asked at once, one timer for all. */
  | { readonly kind: 'exitAll'; readonly pending: Map<string, ChildRecord>; readonly token: number }
  | { readonly kind: 'ready'; readonly ref: AnyActorRef }
  /**
   * A rolling restart's batch: every replacement started at once, one timer for all
   * (`replace.ts`). Keyed by actor id; the value is the batch's own record of the replacement.
   */
  | { readonly kind: 'readyAll'; readonly pending: Map<string, unknown>; readonly token: number }
  /** One turn of the event loop (a restart loop's yield, decision 0025): `sup.turn` with `token`. */
  | { readonly kind: 'turn'; readonly token: number };

/** What resumes a job. */
export type Resume =
  | { readonly kind: 'ended'; readonly snapshot: EndedSnapshot }
  | { readonly kind: 'allExited' }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'ready' }
  /** Every replacement of a batch is ready. */
  | { readonly kind: 'allReady' }
  /** A replacement of a batch ended before it was ready. */
  | { readonly kind: 'replacementEnded' }
  /** The event loop turned (a `turn` wait). */
  | { readonly kind: 'turned' };

/** A job, or a step of one (`yield*` composes them). */
export type Job<T = void> = Generator<Wait, T, Resume>;

/** Runs one job at a time and queues the events that arrive while it waits. */
export class JobDriver {
  /** The job running now (waiting, or on the stack). */
  job: Job | undefined;
  /** What the running job waits for. */
  wait: Wait | undefined;
  private waitTimer: unknown;
  /** Cancels the pending `sup.turn` of a `turn` wait. */
  private cancelTurn: (() => void) | undefined;
  private nextToken = 1;
  private queue: RuntimeEvent[] = [];
  private queueHead = 0;

  /**
   * @param clock - sets the wait timers.
   * @param self - the supervisor actor: a wait timer sends it `sup.timer`.
   * @param dispatch - handles a queued event once no job runs.
   * @param over - whether the supervisor has ended (queued events are then refused, not handled).
   */
  constructor(
    private readonly clock: Clock,
    private readonly self: AnyActorRef,
    private readonly dispatch: (event: RuntimeEvent) => void,
    private readonly over: () => boolean,
  ) {}

  get busy(): boolean {
    return this.job !== undefined;
  }

  /** Does this event resume the waiting job? */
  match(event: RuntimeEvent): Resume | undefined {
    const wait = this.wait;
    if (wait === undefined) return undefined;
    if (event.type === 'sup.turn') return wait.kind === 'turn' && event.token === wait.token ? { kind: 'turned' } : undefined;
    if (wait.kind === 'turn') return undefined;
    if (event.type === 'sup.timer') return wait.kind !== 'ready' && event.token === wait.token ? { kind: 'timeout' } : undefined;
    // Their children's events are consumed by their own handlers (consumeParallelExit, consumeReadiness).
    if (wait.kind === 'exitAll' || wait.kind === 'readyAll') return undefined;
    if (!('actorId' in event) || event.actorId !== wait.ref.id) return undefined;
    if (event.type === READY_EVENT) return wait.kind === 'ready' ? { kind: 'ready' } : undefined;
    return { kind: 'ended', snapshot: endedOf(event) };
  }

  run(job: Job): void {
    this.job = job;
    this.step(job.next());
  }

  resume(value: Resume): void {
    const job = this.job;
    if (job === undefined) return;
    this.wait = undefined;
    this.clearTimer();
    this.step(job.next(value));
  }

  /** Keeps an event until the running job ends. */
  defer(event: RuntimeEvent): void {
    this.queue.push(event);
  }

  /** A fresh token for a timed wait. */
  token(): number {
    return this.nextToken++;
  }

  /** Arms the timer of a timed wait: after `ms`, `sup.timer` with `token` resumes it with `timeout`. */
  armTimer(token: number, ms: number): void {
    this.waitTimer = this.clock.setTimeout(() => this.self.send({ type: 'sup.timer', token }), ms);
  }

  /**
   * A wait for one event-loop turn: yields `turn`, resumed with `turned` by the `sup.turn` that
   * {@link nextTurn} sends; the events that arrive meanwhile are queued like in any wait, so
   * they keep their order.
   */
  *waitTurn(): Job<Resume> {
    const token = this.token();
    const self = this.self;
    this.cancelTurn = nextTurn(() => {
      this.cancelTurn = undefined;
      self.send({ type: 'sup.turn', token });
    });
    return yield { kind: 'turn', token };
  }

  /** The supervisor ended inside a job: no more waiting; returns the events still queued. */
  finish(): RuntimeEvent[] {
    this.clearTimer();
    this.wait = undefined;
    return this.takeQueued();
  }

  /** The supervisor was killed: the job is dropped where it stands; returns the events still queued. */
  abandon(): RuntimeEvent[] {
    this.clearTimer();
    this.job = undefined;
    this.wait = undefined;
    return this.takeQueued();
  }

  private takeQueued(): RuntimeEvent[] {
    const rest = this.queue.slice(this.queueHead);
    this.queue = [];
    this.queueHead = 0;
    return rest;
  }

  private clearTimer(): void {
    if (this.waitTimer !== undefined) {
      this.clock.clearTimeout(this.waitTimer);
      this.waitTimer = undefined;
    }
    if (this.cancelTurn !== undefined) {
      this.cancelTurn();
      this.cancelTurn = undefined;
    }
  }

  private step(result: IteratorResult<Wait, void>): void {
    if (!result.done) {
      this.wait = result.value;
      return;
    }
    this.job = undefined;
    // Drain what arrived while the job waited, in order, until another job starts waiting.
    while (this.job === undefined && !this.over() && this.queueHead < this.queue.length) {
      const next = this.queue[this.queueHead++] as RuntimeEvent;
      this.dispatch(next);
    }
    if (this.queueHead >= this.queue.length) {
      this.queue = [];
      this.queueHead = 0;
    }
  }
}
