/**
 * A pool of identical consumers talking to a flaky upstream. Each member restarts with
 * exponential backoff (100 ms, 200 ms, 400 ms ... up to 2 s) so a broken upstream is not
 * hammered, and the pool is resized while it runs.
 */
import { defineSupervisor, fromWorker, poolSpecs, type Backoff, type ChildSpecInput, type SupervisorLogic } from '@trellis/core';

export const backoff: Backoff = { minMs: 100, maxMs: 2_000, factor: 2, jitter: 0, resetAfterMs: 5_000 };

/** The upstream: healthy or not, switched by the program. */
export const upstream = { healthy: true };

export function consumerSpec(log: (line: string) => void): ChildSpecInput {
  const consumer = fromWorker(async ({ signal, sleep, handover }) => {
    log(`${handover.resumeId} incarnation ${handover.incarnation}${handover.previousExit ? ` after ${handover.previousExit.reason}` : ''}`);
    while (!signal.aborted) {
      await sleep(50);
      if (!signal.aborted && !upstream.healthy) throw new Error('upstream refused the connection');
    }
  });
  return { id: 'consumer', start: consumer, backoff };
}

export function buildPool(log: (line: string) => void, size = 3): { logic: SupervisorLogic; spec: ChildSpecInput } {
  const spec = consumerSpec(log);
  // A high intensity: backoff, not giving up, is how this pool rides out an outage.
  return { spec, logic: defineSupervisor({ id: 'pool', intensity: 50, periodMs: 10_000, children: poolSpecs(spec, size) }) };
}
