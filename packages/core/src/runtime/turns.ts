/**
 * Event-loop turns, for a restart loop that must not starve the program (decision 0025).
 *
 * A child that crashes as soon as it starts (an `async` worker that throws before any I/O) ends
 * in a microtask, and its restart starts the next incarnation in the same microtask chain: the
 * event loop never turns, so no timer, I/O callback or `setImmediate` of the program runs until
 * the supervisor gives up, which under a high intensity may be never. The supervisor counts its
 * restarts since the last turn and, after {@link RESTARTS_PER_TURN} of them, waits one turn.
 *
 * The count is the only trigger: never the time spent. A wall-time trigger fires under load in
 * runs on the test clock, where nothing else does, and makes them depend on the host.
 *
 * @module
 */

/** Consecutive restarts without an event-loop turn after which the supervisor waits one turn. */
export const RESTARTS_PER_TURN = 256;

/**
 * Calls `fn` on the next turn of the event loop (after pending I/O, as `setImmediate` does; no
 * clock time is waited for); returns what cancels it.
 */
export function nextTurn(fn: () => void): () => void {
  const handle = setImmediate(fn);
  return () => clearImmediate(handle);
}

/**
 * Counts a supervisor's restarts since the event loop last turned. A turn is seen by a
 * `setImmediate` armed at the first restart after the last one: it runs only once the loop has
 * turned, and then the count starts again.
 */
export class TurnCounter {
  private count = 0;
  private cancel: (() => void) | undefined;
  private readonly turned = (): void => {
    this.cancel = undefined;
    this.count = 0;
  };

  /**
   * Counts one restart; returns whether the loop must turn first: {@link RESTARTS_PER_TURN}
   * restarts were already made since it last turned.
   */
  restart(): boolean {
    if (this.cancel === undefined) this.cancel = nextTurn(this.turned);
    return ++this.count > RESTARTS_PER_TURN;
  }

  /** The supervisor has ended: nothing more to count. */
  dispose(): void {
    this.cancel?.();
    this.cancel = undefined;
    this.count = 0;
  }
}
