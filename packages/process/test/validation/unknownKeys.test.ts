// Issue 12 point 2 / decision 0009: an unknown key in fromProcess's options or a probe is an
// InvalidProcessOptionsError naming the closest valid key, thrown before anything is spawned.
import { describe, expect, it } from 'vitest';
import { fromProcess, type ProcessOptions } from '../../src/index.js';

describe('fromProcess rejects unknown keys', () => {
  it.each([
    ['stopSignl', { command: 'x', stopSignl: 'SIGINT' }, "unknown key 'stopSignl' in fromProcess's options — did you mean 'stopSignal'?"],
    ['agrs', { command: 'x', agrs: ['a'] }, "unknown key 'agrs' in fromProcess's options — did you mean 'args'?"],
    ['readiness.paterns', { command: 'x', readiness: { kind: 'line', paterns: 'up' } }, "unknown key 'paterns' in fromProcess's readiness (kind 'line') — did you mean 'pattern'?"],
    ['readiness.timeoutMs', { command: 'x', readiness: { kind: 'tcp', port: 80, timeoutMs: 5 } }, "unknown key 'timeoutMs' in fromProcess's readiness (kind 'tcp') — did you mean 'readyTimeoutMs'?"],
    ['liveness.failureTreshold', { command: 'x', liveness: { kind: 'http', port: 80, failureTreshold: 2 } }, "unknown key 'failureTreshold' in fromProcess's liveness (kind 'http') — did you mean 'failureThreshold'?"],
    ['liveness.path', { command: 'x', liveness: { kind: 'tcp', port: 80, path: '/' } }, undefined],
    ['output.passthrough', { command: 'x', output: { passthrough: true } }, "unknown key 'passthrough' in fromProcess's output options — did you mean 'passThrough'?"],
  ])('%s', (field, options, message) => {
    let caught: unknown;
    try {
      fromProcess(options as unknown as ProcessOptions);
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ name: 'InvalidProcessOptionsError', code: 'invalid_process_options', field });
    if (message !== undefined) expect((caught as Error).message).toBe(message);
  });

  it('accepts every documented key', () => {
    expect(() =>
      fromProcess({
        command: 'x',
        args: [],
        cwd: '/',
        env: {},
        envPrefix: 'T_',
        shutdownExitCodes: [0],
        stopSignal: 'SIGTERM',
        signalLeaderOnly: false,
        readiness: { kind: 'line', pattern: 'up', stream: 'stderr', readyTimeoutMs: 1 },
        liveness: { kind: 'command', command: 'true', args: [], intervalMs: 1, timeoutMs: 1, failureThreshold: 1, initialDelayMs: 0 },
        output: { log: true, maxLineBytes: 10, linesPerSecond: 10, passThrough: false },
      }),
    ).not.toThrow();
  });
});
