// Unit: eager validation of fromProcess options, one field at a time.
import { describe, expect, it } from 'vitest';
import { fromProcess, InvalidProcessOptionsError, type ProcessOptions } from '../../src/index.js';

describe('fromProcess option validation', () => {
  it.each([
    ['command', { command: '' }],
    ['args', { command: 'x', args: ['a', 1] }],
    ['cwd', { command: 'x', cwd: 5 }],
    ['env.FOO', { command: 'x', env: { FOO: 1 } }],
    ['shutdownExitCodes', { command: 'x', shutdownExitCodes: [256] }],
    ['stopSignal', { command: 'x', stopSignal: 'SIGNOPE' }],
    ['signalLeaderOnly', { command: 'x', signalLeaderOnly: 'yes' }],
    ['readiness.kind', { command: 'x', readiness: { kind: 'http' } }],
    ['readiness.port', { command: 'x', readiness: { kind: 'tcp', port: 70000 } }],
    ['readiness.pattern', { command: 'x', readiness: { kind: 'line', pattern: '' } }],
    ['readiness.readyTimeoutMs', { command: 'x', readiness: { kind: 'line', pattern: 'up', readyTimeoutMs: -1 } }],
    ['liveness.failureThreshold', { command: 'x', liveness: { kind: 'tcp', port: 80, failureThreshold: 0 } }],
    ['liveness.check', { command: 'x', liveness: { kind: 'check', check: true } }],
    ['liveness.path', { command: 'x', liveness: { kind: 'http', port: 80, path: 'healthz' } }],
    ['output.maxLineBytes', { command: 'x', output: { maxLineBytes: 0 } }],
    ['logger', { command: 'x', logger: console.log }],
    ['spawner', { command: 'x', spawner: {} }],
    ['clock', { command: 'x', clock: { now: () => 0, setTimeout: () => 1 } }],
    ['clock', { command: 'x', clock: Date.now }],
  ])('rejects a bad %s eagerly and names it', (field, options) => {
    let caught: unknown;
    try {
      fromProcess(options as unknown as ProcessOptions);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidProcessOptionsError);
    expect((caught as InvalidProcessOptionsError).field).toBe(field);
    expect((caught as InvalidProcessOptionsError).code).toBe('invalid_process_options');
    expect((caught as Error).message).toContain(`"${field}"`);
  });

  it('accepts a complete valid set of options', () => {
    expect(() =>
      fromProcess({
        command: 'node',
        args: ['server.js'],
        cwd: '/tmp',
        env: { A: 'x', B: undefined },
        shutdownExitCodes: [143],
        stopSignal: 'SIGINT',
        signalLeaderOnly: true,
        readiness: { kind: 'tcp', port: 8080, readyTimeoutMs: 1000 },
        liveness: { kind: 'http', port: 8080, path: '/healthz', intervalMs: 1000, failureThreshold: 2 },
        output: { maxLineBytes: 100, linesPerSecond: 10, passThrough: false },
        clock: { now: () => 0, setTimeout: () => 1, clearTimeout: () => {} },
      }),
    ).not.toThrow();
  });
});
