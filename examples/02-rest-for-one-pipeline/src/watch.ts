/**
 * Turns the facts the pipeline supervisor emits into readable lines, and groups them into
 * episodes: one crash and the children restarted because of it.
 */
import type { ExitStatus, SupervisorRef } from '@trellis/core';

/** One crash and what the supervisor restarted for it, in start order. */
export interface Episode {
  /** The child that crashed. */
  readonly crashed: string;
  /** Why, in a few words. */
  readonly reason: string;
  /** Children stopped as bystanders, in the order they were stopped (reverse start order). */
  readonly bystanders: string[];
  /** Children restarted, in the order they were started. */
  readonly restarted: string[];
}

function describe(exit: ExitStatus): string {
  const detail = exit.detail as { message?: unknown } | undefined;
  return exit.reason === 'error' && typeof detail?.message === 'string' ? detail.message : exit.reason;
}

/**
 * Subscribes to the supervisor's facts.
 *
 * @param ref - the running pipeline supervisor.
 * @param print - called with one line per fact worth telling.
 * @returns the episodes, filled in as they happen.
 */
export function watchPipeline(ref: SupervisorRef, print: (line: string) => void): Episode[] {
  const episodes: Episode[] = [];
  ref.on('sup.child.exited', (fact) => {
    if (fact.decision === 'restart') {
      episodes.push({ crashed: fact.child, reason: describe(fact.exit), bystanders: [], restarted: [] });
      print(`[${fact.supervisor}] ${fact.child} crashed: ${describe(fact.exit)}`);
    } else if (fact.exit.reason === 'bystander') {
      episodes.at(-1)?.bystanders.push(fact.child);
      const offender = (fact.exit.detail as { offender?: unknown } | undefined)?.offender ?? episodes.at(-1)?.crashed;
      print(`[${fact.supervisor}] ${fact.child} stopped as a bystander: it was started after ${String(offender)}`);
    }
  });
  ref.on('sup.child.started', (fact) => {
    if (fact.cause !== 'restart') return;
    episodes.at(-1)?.restarted.push(fact.child);
    print(`[${fact.supervisor}] ${fact.child} restarted as incarnation ${fact.incarnation}`);
  });
  return episodes;
}
