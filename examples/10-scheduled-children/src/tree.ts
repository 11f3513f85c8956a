/**
 * The example tree: `root` (one_for_one, a durable handover store) supervises four scheduled
 * children, each printing the handover its run got:
 *
 * - `sweep`: every 700 ms;
 * - `tokyo`: a cron every 2 seconds, read in Asia/Tokyo, printing the time there;
 * - `flaky`: every 900 ms, whose second run throws: the scheduler crashes, is restarted under the
 *   intensity, and the next run sees the failed one as its previous exit;
 * - `nightly`: a cron every 3 seconds with `missed: 'runOnce'`: started again after the program
 *   was down for longer, it runs once at boot, from the last run kept in the store.
 *
 * @module
 */
import { defineSupervisor, fileHandoverStore, fromWorker, type SupervisorLogic, type WorkerContext } from '@trellis/core';
import { fromSchedule } from '@trellis/schedule';

/** A run that prints its run number and the previous run's exit, then `more` (if any). */
function job(name: string, more?: (ctx: WorkerContext) => string | undefined, fail?: (run: number) => boolean) {
  return fromWorker(async (ctx) => {
    const { incarnation, previousExit } = ctx.handover;
    const extra = more?.(ctx);
    console.log(`  ${name.padEnd(7)} run #${incarnation} previous: ${previousExit?.reason ?? 'none'}${extra === undefined ? '' : ` ${extra}`}`);
    if (fail?.(incarnation) === true) throw new Error(`${name} run #${incarnation} failed`);
  });
}

const tokyoTime = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Tokyo', hour: '2-digit', minute: '2-digit', second: '2-digit' });

/** Builds the tree with its handover store at `storePath`. */
export function buildTree(storePath: string): SupervisorLogic {
  return defineSupervisor({
    id: 'root',
    intensity: 3,
    periodMs: 10_000,
    handoverStore: fileHandoverStore(storePath),
    children: [
      { id: 'sweep', start: fromSchedule(job('sweep'), { everyMs: 700 }) },
      { id: 'tokyo', start: fromSchedule(job('tokyo', ({ clock }) => `(${tokyoTime.format(clock.now())} in Tokyo)`), { cron: '*/2 * * * * *', timezone: 'Asia/Tokyo' }) },
      { id: 'flaky', start: fromSchedule(job('flaky', undefined, (run) => run === 2), { everyMs: 900 }) },
      { id: 'nightly', start: fromSchedule(job('nightly'), { cron: '*/3 * * * * *', missed: 'runOnce' }) },
    ],
  });
}
