/**
 * `singleton(...)`: a child spec whose child runs on exactly one host of a cluster at a time.
 *
 * The spec's logic is a worker that waits in standby until it holds the lease, then starts the
 * user's child under a small root supervisor of its own. That root's durable handover store is
 * the lease row, so the child continues the incarnations and the previous exit of whichever host
 * ran it last; a child that was running when its holder vanished comes back as `lost`. The
 * holder renews every `ttlMs / 3` and stops its child when a renewal has not been confirmed
 * within `renewDeadlineMs` on the local monotonic clock, which validation keeps, with the
 * child's shutdown time, comfortably below `ttlMs`: the child is stopped before another host can
 * take the lease.
 *
 * @module
 */
import type { AnyActorLogic, AnyActorRef } from 'xstate';
import { toPromise } from 'xstate';
import {
  childProtocolOf,
  childSpecIssues,
  defineSupervisor,
  exit,
  fromWorker,
  startSupervisor,
  stopSupervisor,
  unknownKeyMessage,
  unknownKeys,
  type ChildSpecInput,
  type ExitStatus,
  type HandoverEntry,
  type HandoverStore,
  type Logger,
  type SupervisorRef,
  type WorkerContext,
  type WorkerSnapshot,
} from '@trellis/core';
import { ClusterOptionsError } from '../errors.js';
import type { LeaseFact } from '../leases/facts.js';
import type { LeaseGrant, LeaseHandover, Leases } from '../leases/postgresLeases.js';

/**
 * The options of {@link singleton}: a child spec plus the lease settings.
 *
 * @remarks
 * The child spec fields are `id`, `start`, and any of `input`, `restart`, `shutdown`, `type`,
 * `resumeId`, `backoff`, `health`, with their usual meaning. `significant` is not supported.
 *
 * @example
 * ```ts
 * import { fromWorker } from '@trellis/core';
 * import { postgresLeases, type SingletonOptions } from '@trellis/cluster';
 * const options: SingletonOptions = {
 *   id: 'scheduler',
 *   start: fromWorker(async ({ signal }) => void signal),
 *   leases: postgresLeases({ connectionString: 'postgres://localhost/app' }),
 *   ttlMs: 15_000,
 *   shutdown: 3_000,
 * };
 * await options.leases.close();
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface SingletonOptions extends Omit<ChildSpecInput, 'significant'> {
  /** Where the lease row lives. */
  readonly leases: Leases;
  /** How long a lease lasts without a renewal, on the database's clock. At least 300 ms. */
  readonly ttlMs: number;
  /**
   * How long after the last confirmed renewal was sent the holder stops its child, on the local
   * monotonic clock. Default `ttlMs / 2`. Must exceed `ttlMs / 3` (one renewal period), and
   * `renewDeadlineMs + shutdown` must be at most 80 % of `ttlMs`.
   */
  readonly renewDeadlineMs?: number;
  /** The lease row's name. Default the child's ResumeID: `resumeId`, else `id`. One name, one singleton per cluster. */
  readonly lease?: string;
}

/**
 * Where a singleton is, as {@link singletonStatus} reads it, and as the singleton's row in
 * `whichChildren` shows it (`ChildInfo.subStatus`).
 *
 * @remarks
 * `standby`: waiting for the lease (`heldBy` is the other holder last seen on the row, read
 * again at every attempt, or `null` when unknown or free); `active`: the lease is held and the
 * child runs under `epoch`; `fencing`: a renewal was refused or is overdue, and the child is
 * being stopped; `stopping`: a graceful stop is writing the exit and releasing. The singleton
 * publishes it as its `SubStatus` (`@trellis/core`) (decision 0027), so `/tree` and the
 * dashboard of `@trellis/observe` show it; for its supervisor the singleton is `running`
 * throughout.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import type { SingletonStatus } from '@trellis/cluster';
 * const status: SingletonStatus = { state: 'standby', lease: 'scheduler', holder: 'host-b/7', epoch: null, heldBy: 'host-a/3' };
 * assert.equal(status.state, 'standby');
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export type SingletonStatus = {
  /** Standby, active, fencing or stopping. */
  readonly state: 'standby' | 'active' | 'fencing' | 'stopping';
  /** The lease row's name. */
  readonly lease: string;
  /** This host's holder id. */
  readonly holder: string;
  /** The fencing token while active or fencing; `null` in standby. */
  readonly epoch: number | null;
  /** In standby, the other holder last seen on the row; this host's own id while it holds the lease. */
  readonly heldBy: string | null;
};

/** The actors that are singletons: `singletonStatus` answers for them only. */
const singletons = new WeakSet<AnyActorRef>();
const SINGLETON_KEYS = ['id', 'start', 'input', 'restart', 'shutdown', 'type', 'resumeId', 'backoff', 'health', 'leases', 'ttlMs', 'renewDeadlineMs', 'lease'] as const;
/** Time a graceful stop has, after the child's own shutdown, to write the exit and release. */
const RELEASE_MS = 2_000;

/**
 * Where the singleton of a child is: standby or active, with its fencing token. `undefined` when
 * `ref` is not a running singleton.
 *
 * @remarks
 * Pass the `ref` of the child's row in `whichChildren`. A singleton in standby is `running` for
 * its supervisor (the standby is its work); this says which of the two it is.
 *
 * @param ref - `ChildInfo.ref` of a singleton child.
 * @returns its status, or `undefined`.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { singletonStatus } from '@trellis/cluster';
 * assert.equal(singletonStatus(undefined), undefined);
 * ```
 *
 * @category commands
 * @since 0.1.0
 */
export function singletonStatus(ref: AnyActorRef | undefined): SingletonStatus | undefined {
  if (ref === undefined || !singletons.has(ref)) return undefined;
  return (ref.getSnapshot() as WorkerSnapshot).subStatus as SingletonStatus | undefined;
}

/**
 * A child spec whose child runs on exactly one host of a cluster at a time, with its handover
 * carried across hosts in the lease row.
 *
 * @remarks
 * On every host the child waits in standby until it holds the lease, then starts `start` (any
 * child logic: a worker, an OS process, a supervisor) with the same ResumeID on every host, the
 * incarnation continuing from the row, `previousExit` from the row (`lost` when the last holder
 * never wrote an exit: it died or its lease expired) and `handover.fencingToken`, the lease's
 * epoch (`TRELLIS_FENCING_TOKEN` for an OS process).
 *
 * The holder renews every `ttlMs / 3`. When a renewal is refused, or has not been confirmed
 * `renewDeadlineMs` after the last confirmed one was sent (measured on the local monotonic
 * clock), it stops its child and goes back to standby. A graceful stop writes the child's exit
 * into the row and releases the lease, so another host takes over at once. When the child ends
 * by itself, its exit is written and the lease released, and the singleton ends with the same
 * exit, so its own `restart` decides what follows here (another host's standby may take the
 * lease first). A crash of the child is not restarted on the same host behind the supervisor's
 * back: the singleton ends with it.
 *
 * @param options - the child spec and the lease settings.
 * @returns a child spec for any supervisor.
 * @throws {@link ClusterOptionsError} naming a bad or unknown option, or timings that cannot
 *   stop the child before its lease could expire.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { fromWorker } from '@trellis/core';
 * import { postgresLeases, singleton } from '@trellis/cluster';
 * const leases = postgresLeases({ connectionString: 'postgres://localhost/app' });
 * const spec = singleton({ id: 'scheduler', start: fromWorker(async () => {}), leases, ttlMs: 15_000, shutdown: 3_000 });
 * assert.equal(spec.id, 'scheduler');
 * // renewDeadlineMs (default ttlMs / 2 = 7500) + shutdown (5000) is above 80 % of 15000: refused.
 * assert.throws(() => singleton({ id: 'x', start: fromWorker(async () => {}), leases, ttlMs: 15_000 }), /ttlMs/);
 * await leases.close();
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export function singleton(options: SingletonOptions): ChildSpecInput {
  const where = `singleton ${typeof options?.id === 'string' ? `'${options.id}'` : '(no id)'}`;
  if (typeof options !== 'object' || options === null) throw new ClusterOptionsError('singleton', 'options', 'must be an object { id, start, leases, ttlMs, ... }', options);
  for (const key of unknownKeys(options, SINGLETON_KEYS)) {
    throw new ClusterOptionsError(where, key, 'is not a known key', (options as unknown as Record<string, unknown>)[key], unknownKeyMessage(key, where, SINGLETON_KEYS));
  }
  const { leases, ttlMs, renewDeadlineMs: deadlineGiven, lease: leaseGiven, ...specInput } = options;
  const issues = childSpecIssues(specInput);
  if (issues.length > 0) throw issues[0];
  if (typeof leases !== 'object' || leases === null || typeof (leases as Leases).acquire !== 'function')
    throw new ClusterOptionsError(where, 'leases', 'must be the leases of postgresLeases(...)', leases);
  if (typeof ttlMs !== 'number' || !Number.isFinite(ttlMs) || ttlMs < 300)
    throw new ClusterOptionsError(where, 'ttlMs', 'must be a number of milliseconds of at least 300', ttlMs);
  const renewDeadlineMs = deadlineGiven ?? ttlMs / 2;
  if (typeof renewDeadlineMs !== 'number' || !Number.isFinite(renewDeadlineMs) || renewDeadlineMs <= ttlMs / 3 || renewDeadlineMs >= ttlMs)
    throw new ClusterOptionsError(where, 'renewDeadlineMs', `must be a number of milliseconds above ttlMs / 3 (${round(ttlMs / 3)}, one renewal period) and below ttlMs (${ttlMs})`, renewDeadlineMs);
  const lease = leaseGiven ?? specInput.resumeId ?? specInput.id;
  if (typeof lease !== 'string' || lease.length === 0) throw new ClusterOptionsError(where, 'lease', 'must be a non-empty string', lease);
  const isSupervisor = specInput.type === 'supervisor' || (specInput.type === undefined && typeof specInput.start === 'object' && childProtocolOf(specInput.start).kind === 'supervisor');
  const shutdown = specInput.shutdown ?? (isSupervisor ? 'infinity' : 5_000);
  if (shutdown === 'infinity')
    throw new ClusterOptionsError(where, 'shutdown', "must be 'brutal_kill' or a number of milliseconds: a singleton must be able to stop its child before its lease expires", shutdown);
  const shutdownMs = shutdown === 'brutal_kill' ? 0 : shutdown;
  if (renewDeadlineMs + shutdownMs > 0.8 * ttlMs)
    throw new ClusterOptionsError(
      where,
      'ttlMs',
      `must comfortably exceed renewDeadlineMs + shutdown, the longest a holder may take to notice it lost the lease and stop its child: renewDeadlineMs (${round(renewDeadlineMs)}) + shutdown (${shutdownMs}) = ${round(renewDeadlineMs + shutdownMs)} must be at most 80 % of ttlMs (${round(0.8 * ttlMs)}); raise ttlMs or lower shutdown or renewDeadlineMs`,
      ttlMs,
    );

  const config: Config = { leases, ttlMs, renewDeadlineMs, lease, spec: { ...specInput, shutdown }, resumeId: specInput.resumeId ?? specInput.id };
  const worker = fromWorker((ctx) => runSingleton(config, ctx as WorkerContext<Record<string | symbol, unknown>>));
  // The worker's logic, seen through a prototype so the singleton is in standby from its first
  // snapshot: whichChildren shows its sub-status (decision 0027) before the run has begun, and
  // singletonStatus knows the actor.
  const logic = Object.create(worker) as typeof worker;
  logic.getInitialSnapshot = (scope, input) => {
    singletons.add(scope.self);
    const standby: SingletonStatus = { state: 'standby', lease, holder: leases.holder, epoch: null, heldBy: null };
    return { ...worker.getInitialSnapshot(scope, input), subStatus: standby };
  };
  return {
    id: specInput.id,
    start: logic,
    restart: specInput.restart ?? 'permanent',
    shutdown: shutdownMs + RELEASE_MS,
    ...(specInput.backoff === undefined ? {} : { backoff: specInput.backoff }),
    // The singleton's own ResumeID in this tree stays path-based; the child's is `resumeId`.
  };
}

interface Config {
  readonly leases: Leases;
  readonly ttlMs: number;
  readonly renewDeadlineMs: number;
  readonly lease: string;
  readonly resumeId: string;
  readonly spec: Omit<ChildSpecInput, 'significant'>;
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/** The user's logic with the fencing token added to the handover it is started with. */
function withFencingToken(logic: AnyActorLogic, fencingToken: number): AnyActorLogic {
  const wrapped = Object.create(logic) as AnyActorLogic;
  wrapped.getInitialSnapshot = function (this: AnyActorLogic, scope: never, input: unknown) {
    const record = (input ?? {}) as { handover?: object };
    const withToken = record.handover === undefined ? record : { ...record, handover: { ...record.handover, fencingToken } };
    return logic.getInitialSnapshot.call(this, scope, withToken);
  } as AnyActorLogic['getInitialSnapshot'];
  return wrapped;
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

type Held = { readonly kind: 'stopped' } | { readonly kind: 'fenced' } | { readonly kind: 'ended'; readonly exit: ExitStatus | null; readonly startError?: unknown };

async function runSingleton(config: Config, ctx: WorkerContext<Record<string | symbol, unknown>>): Promise<unknown> {
  const { leases, ttlMs, lease } = config;
  let current: SingletonStatus = { state: 'standby', lease, holder: leases.holder, epoch: null, heldBy: null };
  const set = (status: Partial<SingletonStatus>): void => {
    const next = { ...current, ...status };
    if (next.state === current.state && next.epoch === current.epoch && next.heldBy === current.heldBy) return;
    current = next;
    ctx.setSubStatus(next); // the row's subStatus in whichChildren, /tree and the dashboard
  };
  const report = (fact: LeaseFact, logger: Logger = ctx.logger): void => {
    leases.emit(fact);
    const { type, ...rest } = fact;
    const level = type === 'cluster.lease.lost' || type === 'cluster.lease.renewedLate' ? 'warn' : 'info';
    logger[level]({ event: type, ...rest }, type.slice('cluster.lease.'.length).replace(/([A-Z])/g, ' $1').toLowerCase());
  };
  let standbyReported = false;
  while (!ctx.signal.aborted) {
    // Back from holding it (fenced), this host no longer holds the lease: it must not name itself.
    set({ state: 'standby', epoch: null, ...(current.heldBy === leases.holder ? { heldBy: null } : {}) });
    const sentAt = performance.now();
    let grant: LeaseGrant | undefined;
    try {
      grant = await leases.acquire(lease, ttlMs, { timeoutMs: config.renewDeadlineMs });
    } catch (error) {
      ctx.logger.warn({ event: 'cluster.lease.unreachable', lease, error: String(error) }, 'lease table unreachable');
    }
    if (ctx.signal.aborted) {
      if (grant !== undefined) await leases.release(grant, grant.handover, { timeoutMs: RELEASE_MS }).catch(() => false);
      break;
    }
    if (grant === undefined) {
      // Who holds it, read at every attempt: the holder may change while this host stands by.
      const row = await leases.inspect(lease).catch(() => null);
      const heldBy = row === null ? (standbyReported ? current.heldBy : null) : (row?.holder ?? null);
      if (!ctx.signal.aborted) set({ heldBy: heldBy === leases.holder ? null : heldBy });
      if (!standbyReported) {
        standbyReported = true;
        report({ type: 'cluster.lease.standby', lease, holder: leases.holder, heldBy });
      }
      await sleep(ttlMs / 3, ctx.signal);
      continue;
    }
    standbyReported = false;
    const held = await hold(config, ctx, grant, sentAt, set, report);
    if (held.kind === 'stopped') break;
    if (held.kind === 'ended') {
      if (held.startError !== undefined) throw held.startError;
      const ended = held.exit;
      if (ended === null || ended.reason === 'normal') return exit.normal();
      if (ended.reason === 'shutdown') return exit.shutdown(ended.detail);
      const detail = ended.detail as { name?: string; message?: string } | undefined;
      const error = new Error(`singleton child '${config.spec.id}' ended: ${ended.reason}${detail?.message === undefined ? '' : `: ${detail.message}`}`, { cause: ended });
      error.name = detail?.name ?? 'SingletonChildExit';
      throw error;
    }
    // fenced: back to standby, and try again at once (the lease may still be ours).
  }
  return exit.shutdown();
}

async function hold(
  config: Config,
  ctx: WorkerContext<Record<string | symbol, unknown>>,
  grant: LeaseGrant,
  sentAt: number,
  set: (status: Partial<SingletonStatus>) => void,
  report: (fact: LeaseFact, logger?: Logger) => void,
): Promise<Held> {
  const { leases, ttlMs, renewDeadlineMs, lease, resumeId } = config;
  const base = { lease, holder: leases.holder, epoch: grant.epoch };
  let confirmedSentAt = sentAt;
  let entry: LeaseHandover = { incarnation: grant.handover.incarnation, lastExit: grant.previousExit, running: false };
  let writes: Promise<unknown> = Promise.resolve();
  const store: HandoverStore = {
    load: () => (grant.handover.incarnation === null ? [] : [[resumeId, { incarnation: grant.handover.incarnation, lastExit: grant.previousExit, running: false }]]),
    write: (_id: string, next: HandoverEntry) => {
      entry = { incarnation: next.incarnation, lastExit: next.lastExit, running: next.running };
      const snapshot = entry;
      // In order, one at a time; a refused write means the lease is lost, which the renewals see.
      writes = writes.then(() => leases.writeHandover(grant, snapshot, { timeoutMs: renewDeadlineMs }).catch(() => false));
    },
    delete: () => {},
  };

  let resolveFence!: (cause: 'deadline' | 'refused') => void;
  const fenced = new Promise<'deadline' | 'refused'>((resolve) => (resolveFence = resolve));
  let fenceTimer: NodeJS.Timeout | undefined;
  const armFence = (): void => {
    clearTimeout(fenceTimer);
    const check = (): void => {
      const overdue = performance.now() - confirmedSentAt;
      if (overdue >= renewDeadlineMs) resolveFence('deadline');
      else fenceTimer = setTimeout(check, renewDeadlineMs - overdue);
    };
    check();
  };
  armFence();
  let renewTimer: NodeJS.Timeout | undefined;
  let renewing = true;
  // The next renewal is due ttlMs / 3 after the last confirmed one was sent (not after it was
  // confirmed: a slow acquire must not push the renewals past the deadline). A renewal that
  // fails fast (a refused connection) is retried every ttlMs / 15 until the deadline.
  const scheduleRenewal = (retry: boolean): void => {
    if (!renewing) return;
    clearTimeout(renewTimer);
    const delay = retry ? ttlMs / 15 : Math.max(0, confirmedSentAt + ttlMs / 3 - performance.now());
    renewTimer = setTimeout(() => void renew(), delay);
  };
  const renew = async (): Promise<void> => {
    const sent = performance.now();
    const remaining = confirmedSentAt + renewDeadlineMs - sent;
    if (remaining <= 0) return resolveFence('deadline');
    let ok: boolean | undefined;
    try {
      ok = await leases.renew(grant, ttlMs, { timeoutMs: remaining });
    } catch {
      ok = undefined; // not confirmed: the deadline decides
    }
    if (ok === false) return resolveFence('refused');
    if (ok === undefined) return scheduleRenewal(true);
    if (sent > confirmedSentAt) {
      const sinceConfirmed = performance.now() - confirmedSentAt;
      if (sinceConfirmed > renewDeadlineMs) return resolveFence('deadline');
      confirmedSentAt = sent;
      // Late: more than half of the slack between the renewal period and the deadline used up.
      if (sinceConfirmed > (ttlMs / 3 + renewDeadlineMs) / 2) report({ type: 'cluster.lease.renewedLate', ...base, sinceConfirmedMs: Math.round(sinceConfirmed) });
      armFence();
    }
    scheduleRenewal(false);
  };
  scheduleRenewal(false);

  set({ state: 'active', epoch: grant.epoch, heldBy: leases.holder });
  report({ type: 'cluster.lease.acquired', ...base, previousHolder: grant.previousHolder, incarnation: (grant.handover.incarnation ?? -1) + 1 });
  const { start, input, shutdown, type, health } = config.spec;
  const child: ChildSpecInput = {
    id: config.spec.id,
    start: withFencingToken(start, grant.epoch),
    resumeId,
    restart: 'transient',
    significant: true,
    ...(input === undefined ? {} : { input }),
    ...(shutdown === undefined ? {} : { shutdown }),
    ...(type === undefined ? {} : { type }),
    ...(health === undefined ? {} : { health }),
  };
  const cleanup = (): void => {
    renewing = false;
    clearTimeout(renewTimer);
    clearTimeout(fenceTimer);
  };
  // Bounded by RELEASE_MS in all, the time the singleton's own shutdown leaves for it: queued
  // handover writes stuck on a dead network must not make the stop overrun.
  const releaseWith = async (): Promise<boolean> => {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([writes, new Promise((resolve) => (timer = setTimeout(resolve, RELEASE_MS / 2)))]);
    clearTimeout(timer);
    return leases.release(grant, { ...entry, running: false }, { timeoutMs: RELEASE_MS / 2 }).catch(() => false);
  };

  let inner: SupervisorRef;
  try {
    inner = await startSupervisor(
      defineSupervisor({ id: config.spec.id, intensity: 0, autoShutdown: 'any_significant', handoverStore: store, logger: ctx.logger, children: [child] }),
      { onGiveUp: () => {} },
    );
  } catch (error) {
    cleanup();
    await releaseWith();
    report({ type: 'cluster.lease.released', ...base, written: true });
    return { kind: 'ended', exit: entry.lastExit, startError: error };
  }
  const aborted = new Promise<'stop'>((resolve) => {
    if (ctx.signal.aborted) resolve('stop');
    ctx.signal.addEventListener('abort', () => resolve('stop'), { once: true });
  });
  const ended = toPromise(inner).then(
    () => 'ended' as const,
    () => 'ended' as const,
  );
  const why = await Promise.race([aborted, ended, fenced]);
  if (why === 'deadline' || why === 'refused') {
    set({ state: 'fencing' });
    report({ type: 'cluster.lease.lost', ...base, cause: why, sinceConfirmedMs: Math.round(performance.now() - confirmedSentAt) });
    cleanup();
    await stopSupervisor(inner).catch(() => undefined);
    // If the lease is in fact still ours (a slow database, not a lost one), hand it over cleanly.
    const written = await releaseWith();
    if (written) report({ type: 'cluster.lease.released', ...base, written });
    return { kind: 'fenced' };
  }
  if (why === 'stop') {
    set({ state: 'stopping' });
    await stopSupervisor(inner).catch(() => undefined);
    cleanup();
    const written = await releaseWith();
    report({ type: 'cluster.lease.released', ...base, written });
    return { kind: 'stopped' };
  }
  cleanup();
  const written = await releaseWith();
  report({ type: 'cluster.lease.released', ...base, written });
  return { kind: 'ended', exit: entry.lastExit };
}
