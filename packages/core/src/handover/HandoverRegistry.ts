/**
 * The tree-wide memory of handovers: for every ResumeID, the last incarnation and how it ended,
 * and which child holds the ResumeID now. One registry serves a whole tree; the root makes it
 * and passes it down, so a subtree restarted by its parent continues its incarnation numbers,
 * and two children of one tree can never share a ResumeID.
 *
 * @module
 */
import type { ExitStatus } from '../types.js';
import type { HandoverEntry, HandoverStore } from './HandoverStore.js';

/** Why a claim failed: the holder of the ResumeID, by its supervisor path and child id. */
export interface ResumeIdHolder {
  readonly supervisor: string;
  readonly child: string;
}

export class HandoverRegistry {
  private readonly entries = new Map<string, HandoverEntry>();
  private readonly holders = new Map<string, ResumeIdHolder>();
  private readonly store: HandoverStore | undefined;

  /**
   * @param store - where entries survive the program; its entries are loaded now, and a child
   *   that was running when the earlier program died gets `previousExit.reason: 'lost'`.
   * @param now - the clock reading used as the `at` of a `lost` exit.
   */
  constructor(store: HandoverStore | undefined, now: number) {
    this.store = store;
    if (store === undefined) return;
    for (const [resumeId, entry] of store.load()) {
      this.entries.set(
        resumeId,
        entry.running ? { incarnation: entry.incarnation, lastExit: { reason: 'lost', at: now }, running: false } : entry,
      );
    }
  }

  /** Takes a ResumeID for a child; returns the current holder when another child has it. */
  claim(resumeId: string, holder: ResumeIdHolder): ResumeIdHolder | undefined {
    const current = this.holders.get(resumeId);
    if (current !== undefined && (current.supervisor !== holder.supervisor || current.child !== holder.child)) return current;
    this.holders.set(resumeId, holder);
    return undefined;
  }

  release(resumeId: string, holder: ResumeIdHolder): void {
    const current = this.holders.get(resumeId);
    if (current !== undefined && current.supervisor === holder.supervisor && current.child === holder.child) this.holders.delete(resumeId);
  }

  get(resumeId: string): HandoverEntry | undefined {
    return this.entries.get(resumeId);
  }

  /** A start attempt began: the incarnation advances; previousExit does not change. */
  attempted(resumeId: string, incarnation: number, lastExit: ExitStatus | null, running: boolean): void {
    this.set(resumeId, { incarnation, lastExit, running });
  }

  /** An incarnation ended. */
  exited(resumeId: string, incarnation: number, exit: ExitStatus): void {
    this.set(resumeId, { incarnation, lastExit: exit, running: false });
  }

  /** The spec is gone: its history goes with it. */
  forget(resumeId: string): void {
    if (this.entries.delete(resumeId)) this.store?.delete(resumeId);
  }

  private set(resumeId: string, entry: HandoverEntry): void {
    this.entries.set(resumeId, entry);
    this.store?.write(resumeId, entry);
  }
}
