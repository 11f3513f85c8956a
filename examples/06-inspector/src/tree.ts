/**
 * The tree this example inspects: `root` (one_for_one) supervises a nested supervisor `db`
 * (rest_for_one: `pool`, then `writer`) and a worker `http`. `crash()` makes one worker throw,
 * so the inspector shows a restart.
 */
import { defineSupervisor, fromWorker, type SupervisorLogic } from '@trellis/core';

/** The tree, and a way to crash its workers on cue. */
export interface InspectedTree {
  readonly logic: SupervisorLogic;
  /** Makes the running incarnation of `id` throw; false if it is not running. */
  crash(id: 'pool' | 'writer' | 'http'): boolean;
}

export function buildTree(): InspectedTree {
  const crashers = new Map<string, (error: Error) => void>();
  const worker = (id: string) =>
    fromWorker(
      ({ signal }) =>
        new Promise<void>((resolve, reject) => {
          crashers.set(id, reject);
          signal.addEventListener('abort', () => {
            crashers.delete(id);
            resolve();
          });
        }),
    );
  const db = defineSupervisor({ id: 'db', strategy: 'rest_for_one', intensity: 10, children: [{ id: 'pool', start: worker('pool') }, { id: 'writer', start: worker('writer') }] });
  const logic = defineSupervisor({ id: 'root', intensity: 10, children: [{ id: 'db', start: db }, { id: 'http', start: worker('http') }] });
  return {
    logic,
    crash(id) {
      const crash = crashers.get(id);
      crashers.delete(id);
      crash?.(new Error(`${id} crashed on purpose`));
      return crash !== undefined;
    },
  };
}
