/**
 * A worker that resumes where it stopped: it processes items 1..total, checkpoints each one under
 * its ResumeID, and crashes part way. The next incarnation reads the checkpoint and carries on.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineSupervisor, fileHandoverStore, fromWorker, type Handover, type SupervisorLogic, type SupervisorRef } from '@trellis/core';

/** Where checkpoints live: one small JSON file per ResumeID. */
export function checkpointStore(dir: string) {
  mkdirSync(dir, { recursive: true });
  const file = (resumeId: string) => join(dir, `${resumeId.replaceAll('/', '__')}.json`);
  return {
    read(resumeId: string): number {
      try {
        return (JSON.parse(readFileSync(file(resumeId), 'utf8')) as { done: number }).done;
      } catch {
        return 0;
      }
    },
    write(resumeId: string, done: number): void {
      writeFileSync(file(resumeId), JSON.stringify({ done }));
    },
  };
}

export interface ResumeOptions {
  /** Folder for checkpoints and the handover journal. */
  readonly dir: string;
  /** Items to process. */
  readonly total: number;
  /** The item numbers at which an incarnation crashes (once each). */
  readonly crashAt: readonly number[];
  /** Where lines go. */
  readonly log: (line: string) => void;
}

/** Resolves once the importer has exited normally: every item is done. */
export function finished(sup: SupervisorRef): Promise<void> {
  return new Promise((resolve) => {
    const subscription = sup.on('sup.child.exited', (fact) => {
      if (fact.child === 'importer' && fact.exit.reason === 'normal') {
        subscription.unsubscribe();
        resolve();
      }
    });
  });
}

export function describeHandover(h: Handover): string {
  const prev = h.previousExit === null ? 'none' : `${h.previousExit.reason}${h.previousExit.reason === 'error' ? ` (${(h.previousExit.detail as { message: string }).message})` : ''}`;
  return `resumeId=${h.resumeId} incarnation=${h.incarnation} previousExit=${prev}`;
}

/** The tree: one transient worker, so it is restarted after a crash and left alone once done. */
export function buildTree(options: ResumeOptions): SupervisorLogic {
  const checkpoints = checkpointStore(join(options.dir, 'checkpoints'));
  const crashed = new Set<number>();
  const importer = fromWorker(async ({ handover, signal }) => {
    options.log(`importer starts: ${describeHandover(handover)}`);
    let done = checkpoints.read(handover.resumeId);
    if (done > 0) options.log(`  resuming after item ${done}`);
    while (done < options.total && !signal.aborted) {
      const item = done + 1;
      if (options.crashAt.includes(item) && !crashed.has(item)) {
        crashed.add(item);
        throw new Error(`could not process item ${item}`);
      }
      await new Promise((resolve) => setImmediate(resolve)); // the "work"
      done = item;
      checkpoints.write(handover.resumeId, done); // checkpoint under the ResumeID
    }
    options.log(`  finished all ${options.total} items`);
  });
  return defineSupervisor({
    id: 'app',
    intensity: 5,
    handoverStore: fileHandoverStore(join(options.dir, 'handover.jsonl')),
    children: [{ id: 'importer', start: importer, restart: 'transient' }],
  });
}
