/**
 * The messages between a supervised worker thread and its parent, and the shape of the
 * `workerData` the thread gets. Shared by the parent side (`fromWorkerThread`) and the thread side
 * (`threadChild`); it imports nothing, so the thread side loads no XState.
 *
 * @module
 */

/** Parent → thread: the supervisor asks the thread to stop (the thread's `signal` aborts). */
export const THREAD_SHUTDOWN = 'trellis.thread.shutdown';
/** Thread → parent: the thread has started (with `awaitReady`). */
export const THREAD_READY = 'trellis.thread.ready';
/** Thread → parent: the thread's event loop is turning (with `heartbeatMs`). */
export const THREAD_HEARTBEAT = 'trellis.thread.heartbeat';

/** The key of `workerData` under which trellis puts what the thread-side helper reads. */
export const THREAD_DATA_KEY = '@trellis/thread';

/** What `fromWorkerThread` puts in `workerData[THREAD_DATA_KEY]`: structured-clone safe. */
export interface ThreadData {
  readonly handover: {
    readonly resumeId: string;
    readonly incarnation: number;
    readonly previousExit: { readonly reason: string; readonly at: number; readonly detail?: unknown; readonly code?: number | null; readonly signal?: string | null } | null;
  };
  readonly input: Record<string, unknown> | undefined;
  readonly heartbeatMs: number | undefined;
  readonly awaitReady: boolean;
}
