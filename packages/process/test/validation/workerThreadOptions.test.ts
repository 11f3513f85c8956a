// Issue 17 part 3 / decision 0009: every fromWorkerThread argument is checked before any thread is
// made; the error names the field, the rule and the value, and an unknown key the closest valid one.
import { describe, expect, it } from 'vitest';
import { fromWorkerThread, type WorkerThreadOptions } from '../../src/index.js';

function caught(file: unknown, options?: unknown): Error & { argument?: string; value?: unknown } {
  try {
    fromWorkerThread(file as string, options as WorkerThreadOptions);
  } catch (error) {
    return error as Error;
  }
  throw new Error('fromWorkerThread accepted it');
}

describe('fromWorkerThread validates its arguments', () => {
  it.each([
    ['file', '', undefined, 'fromWorkerThread: file must be a non-empty path or a file: URL, got "".'],
    ['file', new URL('https://example.com/t.js'), undefined, 'fromWorkerThread: file must be a file: (or data:) URL, got "https://example.com/t.js".'],
    ['options', 't.js', 3, 'fromWorkerThread: options must be an object, got 3.'],
    ['options.heartbeatMs', 't.js', { heartbeatMs: 0 }, 'fromWorkerThread: options.heartbeatMs must be a positive number, got 0.'],
    ['options.readyTimeoutMs', 't.js', { readyTimeoutMs: 'soon' }, 'fromWorkerThread: options.readyTimeoutMs must be a positive number, got "soon".'],
    ['options.awaitReady', 't.js', { awaitReady: 'yes' }, 'fromWorkerThread: options.awaitReady must be a boolean, got "yes".'],
    ['options.resourceLimits.maxOldGenerationSizeMb', 't.js', { resourceLimits: { maxOldGenerationSizeMb: -1 } }, 'fromWorkerThread: options.resourceLimits.maxOldGenerationSizeMb must be a positive number, got -1.'],
    ['options.shutdownExitCodes', 't.js', { shutdownExitCodes: [300] }, 'fromWorkerThread: options.shutdownExitCodes must be an array of integer exit codes from 0 to 255, got an array of 1.'],
    ['options.argv', 't.js', { argv: [1] }, 'fromWorkerThread: options.argv must be an array of strings, got an array of 1.'],
    ['options.heartbeat', 't.js', { heartbeat: 100 }, "unknown key 'heartbeat' in fromWorkerThread's options — did you mean 'heartbeatMs'?"],
    ['options.resourceLimits.maxOldGenerationMb', 't.js', { resourceLimits: { maxOldGenerationMb: 64 } }, "unknown key 'maxOldGenerationMb' in fromWorkerThread's resourceLimits — did you mean 'maxOldGenerationSizeMb'?"],
  ])('%s', (argument, file, options, message) => {
    const error = caught(file, options);
    expect(error).toMatchObject({ name: 'SupervisorArgumentError', code: 'badarg', argument });
    expect(error.message).toBe(message);
  });

  it('accepts every documented key, a path and a file: URL', () => {
    const options: Required<WorkerThreadOptions> = {
      awaitReady: true,
      readyTimeoutMs: 1,
      heartbeatMs: 1,
      resourceLimits: { maxOldGenerationSizeMb: 1, maxYoungGenerationSizeMb: 1, codeRangeSizeMb: 1, stackSizeMb: 1 },
      shutdownExitCodes: [0],
      argv: ['a'],
      execArgv: ['--no-warnings'],
    };
    expect(() => fromWorkerThread('t.js', options)).not.toThrow();
    expect(() => fromWorkerThread(new URL('file:///t.js'))).not.toThrow();
  });
});
