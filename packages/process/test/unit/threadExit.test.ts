// The worker-thread exit table (threadExitOf), row by row: pure, no threads.
import { describe, expect, it } from 'vitest';
import { ThreadCrashError, threadExitOf, type ThreadExitFacts } from '../../src/index.js';

const base: ThreadExitFacts = { code: 0, error: undefined, stopRequested: false, heartbeatMissed: false, shutdownExitCodes: [] };
const oom = Object.assign(new Error('Worker terminated due to reaching memory limit: JS heap out of memory'), { code: 'ERR_WORKER_OUT_OF_MEMORY' });

describe('threadExitOf', () => {
  it('code 0 is normal', () => expect(threadExitOf(base, 't.js').done).toMatchObject({ reason: 'normal', code: 0 }));
  it('a missed heartbeat is timeout, whatever the code, with the period in the detail', () =>
    expect(threadExitOf({ ...base, code: 1, heartbeatMissed: true, heartbeatMs: 250, stopRequested: true }, 't.js').done).toMatchObject({ reason: 'timeout', detail: { check: 'heartbeat', heartbeatMs: 250 } }));
  it('running out of the resourceLimits heap is killed, naming the limit, even while stopping', () =>
    expect(threadExitOf({ ...base, code: 1, error: oom, stopRequested: true, resourceLimits: { maxOldGenerationSizeMb: 32 } }, 't.js').done).toMatchObject({
      reason: 'killed',
      detail: { limit: 'memory', resourceLimits: { maxOldGenerationSizeMb: 32 }, error: { code: 'ERR_WORKER_OUT_OF_MEMORY' } },
    }));
  it('any end after a stop request is shutdown (an error on the way out included)', () =>
    expect(threadExitOf({ ...base, code: 1, error: new Error('x'), stopRequested: true }, 't.js').done).toMatchObject({ reason: 'shutdown', code: 1 }));
  it('a code in shutdownExitCodes is shutdown', () => expect(threadExitOf({ ...base, code: 7, shutdownExitCodes: [7] }, 't.js').done).toMatchObject({ reason: 'shutdown', code: 7 }));
  it('an uncaught error is a crash with that error', () => {
    const error = new TypeError('boom');
    expect(threadExitOf({ ...base, code: 1, error }, 't.js')).toEqual({ error });
  });
  it('any other code is a crash with a ThreadCrashError carrying the code', () => {
    const { error } = threadExitOf({ ...base, code: 3 }, 't.js');
    expect(error).toBeInstanceOf(ThreadCrashError);
    expect(error).toMatchObject({ code: 3, message: 'Worker thread t.js exited with code 3.' });
  });
});
