/**
 * The child table: one record per child spec, in start order (OTP's `{Ids, Db}` in one `Map`),
 * the live incarnations by actor id, and the tree's handover memory kept in step with it.
 *
 * Why not XState's `snapshot.children`: it is copied on every spawn and stop, so cost grows with
 * the number of children (decision 0001, DESIGN §7).
 *
 * @module
 */
import type { AnyActorRef } from 'xstate';
import { initialBackoffState, type BackoffState } from '../backoff.js';
import { childProtocolOf, type ChildProtocol } from '../childProtocol.js';
import { InvalidChildSpecError } from '../errors.js';
import type { HandoverRegistry } from '../handover/HandoverRegistry.js';
import type { PlanChild } from '../strategies.js';
import { subStatusOfSnapshot } from '../subStatus.js';
import type { ChildCounts, ChildId, ChildInfo, ChildSpec, ExitStatus } from '../types.js';

/** Where one child stands. */
export type ChildState = 'starting' | 'running' | 'stopping' | 'restarting' | 'stopped';

/** One child spec and its current incarnation. */
export interface ChildRecord {
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
  /** The backoff attempt of the next automatic restart and when the running incarnation started (backoff.ts). */
  backoff: BackoffState;
  /** While waiting out a backoff or a held budget: when the next attempt is due, and its timer. */
  nextRestartAt: number | undefined;
  backoffTimer: unknown;
  /** The restart budget paused this child's attempt: it was counted when it was held. */
  heldByBudget: boolean;
  /** Liveness: consecutive missed checks, and the timer of the next check. */
  healthMisses: number;
  healthTimer: unknown;
}

export class ChildTable {
  /** Insertion order is start order. */
  readonly children = new Map<ChildId, ChildRecord>();
  /** Live incarnations by actor id: late events of old incarnations find nothing here. */
  readonly byActor = new Map<string, ChildRecord>();
  /** How many children wait for a restart (the supervisor is `restarting` while any does). */
  restartingCount = 0;

  /**
   * @param path - the supervisor's path in the tree: the default ResumeID's prefix.
   * @param registry - the tree's handover memory.
   */
  constructor(
    private readonly path: string,
    private readonly registry: HandoverRegistry,
  ) {}

  get size(): number {
    return this.children.size;
  }

  get(id: ChildId): ChildRecord | undefined {
    return this.children.get(id);
  }

  /** A record for `spec`, continuing the history kept under its ResumeID; not yet in the table. */
  newRecord(spec: ChildSpec, dynamic: boolean): ChildRecord {
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
      backoff: initialBackoffState,
      nextRestartAt: undefined,
      backoffTimer: undefined,
      heldByBudget: false,
      healthMisses: 0,
      healthTimer: undefined,
    };
  }

  /**
   * Claims the record's ResumeID in the tree and adds it; returns the error of a clash instead
   * (another child of the tree already holds the ResumeID).
   */
  add(rec: ChildRecord): InvalidChildSpecError | undefined {
    const holder = this.registry.claim(rec.resumeId, { supervisor: this.path, child: rec.spec.id });
    if (holder !== undefined) return resumeIdClash(rec.spec.id, rec.resumeId, holder);
    this.children.set(rec.spec.id, rec);
    return undefined;
  }

  /** Adds a record whose ResumeID is unique by construction (a dynamic child's generated id). */
  addUnclaimed(rec: ChildRecord): void {
    this.children.set(rec.spec.id, rec);
  }

  /** A live incarnation, by its actor id. */
  byActorId(actorId: string): ChildRecord | undefined {
    return this.byActor.get(actorId);
  }

  /** The record's incarnation is now `ref`. */
  attach(rec: ChildRecord, ref: AnyActorRef): void {
    rec.ref = ref;
    rec.state = 'starting';
    this.byActor.set(ref.id, rec);
  }

  /** The record's incarnation is gone; returns its actor. */
  unlink(rec: ChildRecord): AnyActorRef | undefined {
    const ref = rec.ref;
    if (ref === undefined) return undefined;
    this.byActor.delete(ref.id);
    rec.ref = undefined;
    return ref;
  }

  /** The incarnation `incarnation` was attempted (it starts, or it failed to). */
  attempted(rec: ChildRecord, started: boolean): void {
    this.registry.attempted(rec.resumeId, rec.incarnation, rec.lastExit, started);
  }

  recordExit(rec: ChildRecord, status: ExitStatus): void {
    // Every 64th exit, settle the stack of the exit before it (see settleStack): a chain through the
    // incarnations then holds at most 64 links, at 1/64 of a stack's formatting per restart.
    if (rec.lastExit !== null && rec.incarnation % 64 === 0) settleStack(rec.lastExit.detail);
    rec.lastExit = status;
    rec.state = 'stopped';
    this.registry.exited(rec.resumeId, rec.incarnation, status);
  }

  /** Drops a spec; its ResumeID's history goes with it. */
  remove(id: ChildId): void {
    const rec = this.children.get(id);
    if (rec === undefined) return;
    this.children.delete(id);
    this.registry.forget(rec.resumeId);
    this.registry.release(rec.resumeId, { supervisor: this.path, child: id });
  }

  /** This supervisor incarnation is over: its ResumeIDs are free, its dynamic children's history ends. */
  releaseAll(): void {
    for (const rec of this.children.values()) {
      if (rec.dynamic) this.registry.forget(rec.resumeId);
      this.registry.release(rec.resumeId, { supervisor: this.path, child: rec.spec.id });
    }
  }

  /** Marks a child as waiting for a restart. */
  markRestarting(rec: ChildRecord): void {
    if (rec.state !== 'restarting') this.restartingCount++;
    rec.state = 'restarting';
  }

  /** Ends a child's wait for a restart; returns whether it was waiting. */
  unmarkRestarting(rec: ChildRecord): boolean {
    if (rec.state !== 'restarting') return false;
    this.restartingCount--;
    rec.state = 'stopped';
    return true;
  }

  /** Every child as {@link planRestart} sees it, in start order. */
  planChildren(): PlanChild[] {
    const out: PlanChild[] = [];
    for (const rec of this.children.values()) out.push({ id: rec.spec.id, restart: rec.spec.restart, alive: rec.ref !== undefined });
    return out;
  }

  /** OTP `which_children`: newest first. */
  infos(): ChildInfo[] {
    const out: ChildInfo[] = [];
    for (const rec of this.children.values()) out.push(infoOf(rec));
    return out.reverse();
  }

  /** OTP `count_children`; `specs` is given by the supervisor's kind. */
  counts(specs: number): ChildCounts {
    let active = 0;
    let supervisors = 0;
    for (const rec of this.children.values()) {
      if (rec.ref !== undefined && rec.state !== 'restarting') active++;
      if (rec.spec.type === 'supervisor') supervisors++;
    }
    return { specs, active, supervisors, workers: this.children.size - supervisors };
  }
}

/** What `whichChildren` says of one child. */
export function infoOf(rec: ChildRecord): ChildInfo {
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
  if (rec.ref === undefined) return base;
  // The child's own word, read from its snapshot now (decision 0027); its status stays ours.
  const subStatus = subStatusOfSnapshot(rec.ref.getSnapshot());
  return subStatus === undefined ? { ...base, ref: rec.ref } : { ...base, ref: rec.ref, subStatus };
}

/** The offender fields of OTP's reports for one child. */
export function offenderOf(rec: ChildRecord): { id: ChildId; restart: string; shutdown: ChildSpec['shutdown']; incarnation: number } {
  return { id: rec.spec.id, restart: rec.spec.restart, shutdown: rec.spec.shutdown, incarnation: rec.incarnation };
}

export function resumeIdClash(childId: ChildId, resumeId: string, holder: { supervisor: string; child: string }): InvalidChildSpecError {
  return new InvalidChildSpecError(childId, 'resumeId', `must be unique in the tree, and "${holder.supervisor}/${holder.child}" already has it`, resumeId);
}

/**
 * Formats a crash detail's stack now. `serializeError` reads an error's `stack` on first use,
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
