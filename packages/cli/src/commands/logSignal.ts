/**
 * How `trellis run` logs what `stopOnSignals` did with each SIGINT and SIGTERM.
 *
 * @module
 */
import type { SignalAction } from '@trellis/core';
import type { Logger } from 'pino';

/** One record per signal: the stop it started, a repeat it ignored, or the forced exit. */
export function logSignal(logger: Logger): (action: SignalAction) => void {
  return ({ signal, action, sinceFirstMs }) => {
    if (action === 'stop') logger.info({ event: 'tree.stopping', signal }, 'stopping the tree in order');
    else if (action === 'ignore') logger.info({ event: 'signal.ignored', signal, sinceFirstMs }, 'already stopping in order; Ctrl-C again after 1 s exits at once');
    else logger.warn({ event: 'tree.killed', signal, sinceFirstMs }, 'SIGINT again: exiting at once');
  };
}
