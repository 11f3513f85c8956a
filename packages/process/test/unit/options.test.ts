// Unit: eager validation of fromProcess options, every rule at its edges. Each bad value must be
// refused with the field at fault, the rule it breaks and the value given; each value at the edge
// of a rule must be accepted. Written against the mutation run of options.ts
// (docs/guides/mutation.md): a table that checked the field only let a rule's text, an inclusive
// bound or one kind's sub-options change unseen.
import { describe, expect, it } from 'vitest';
import { fromProcess, InvalidProcessOptionsError, type ProcessOptions } from '../../src/index.js';

function refusal(options: unknown): InvalidProcessOptionsError {
  try {
    fromProcess(options as ProcessOptions);
  } catch (error) {
    if (error instanceof InvalidProcessOptionsError) return error;
    throw new Error(`expected an InvalidProcessOptionsError, got ${String(error)}`);
  }
  throw new Error(`expected ${JSON.stringify(options)} to be refused`);
}

const cmd = { command: 'x' };
const fn = (): void => {};
const clock = { now: () => 0, setTimeout: () => 1, clearTimeout: fn };

// [field, rule, options]: the value at fault is read from the options by the field's path.
const BAD: ReadonlyArray<readonly [string, string, unknown]> = [
  ['(options)', 'an object', null],
  ['(options)', 'an object', []],
  ['(options)', 'an object', 'node'],
  ['command', 'a non-empty string', {}],
  ['command', 'a non-empty string', { command: '' }],
  ['command', 'a non-empty string', { command: 5 }],
  ['args', 'an array of strings', { ...cmd, args: 'a b' }],
  ['args', 'an array of strings', { ...cmd, args: ['a', 1] }],
  ['cwd', 'a non-empty string', { ...cmd, cwd: '' }],
  ['cwd', 'a non-empty string', { ...cmd, cwd: 5 }],
  ['env', 'an object of strings', { ...cmd, env: 'A=1' }],
  ['env', 'an object of strings', { ...cmd, env: ['A=1'] }],
  ['env.FOO', 'a string or undefined', { ...cmd, env: { OK: 'y', FOO: 1 } }],
  ['env.FOO', 'a string or undefined', { ...cmd, env: { FOO: null } }],
  ['envPrefix', 'a non-empty string', { ...cmd, envPrefix: '' }],
  ['envPrefix', 'a non-empty string', { ...cmd, envPrefix: 1 }],
  ['shutdownExitCodes', 'an array of integer exit codes from 0 to 255', { ...cmd, shutdownExitCodes: 143 }],
  ['shutdownExitCodes', 'an array of integer exit codes from 0 to 255', { ...cmd, shutdownExitCodes: ['143'] }],
  ['shutdownExitCodes', 'an array of integer exit codes from 0 to 255', { ...cmd, shutdownExitCodes: [1.5] }],
  ['shutdownExitCodes', 'an array of integer exit codes from 0 to 255', { ...cmd, shutdownExitCodes: [0, -1] }],
  ['shutdownExitCodes', 'an array of integer exit codes from 0 to 255', { ...cmd, shutdownExitCodes: [255, 256] }],
  ['stopSignal', 'a signal name such as "SIGTERM"', { ...cmd, stopSignal: 'SIGNOPE' }],
  ['stopSignal', 'a signal name such as "SIGTERM"', { ...cmd, stopSignal: 15 }],
  ['signalLeaderOnly', 'a boolean', { ...cmd, signalLeaderOnly: 'yes' }],
  ['readiness', 'an object with kind "line", "tcp" or "ipc"', { ...cmd, readiness: 'line' }],
  ['readiness', 'an object with kind "line", "tcp" or "ipc"', { ...cmd, readiness: null }],
  ['readiness.kind', '"line", "tcp" or "ipc"', { ...cmd, readiness: { kind: 'http' } }],
  ['readiness.kind', '"line", "tcp" or "ipc"', { ...cmd, readiness: {} }],
  ['readiness.readyTimeoutMs', 'a positive number', { ...cmd, readiness: { kind: 'ipc', readyTimeoutMs: 0 } }],
  ['readiness.readyTimeoutMs', 'a positive number', { ...cmd, readiness: { kind: 'ipc', readyTimeoutMs: -1 } }],
  ['readiness.readyTimeoutMs', 'a positive number', { ...cmd, readiness: { kind: 'ipc', readyTimeoutMs: Number.POSITIVE_INFINITY } }],
  ['readiness.readyTimeoutMs', 'a positive number', { ...cmd, readiness: { kind: 'ipc', readyTimeoutMs: '5' } }],
  ['readiness.pattern', 'a RegExp or a non-empty string', { ...cmd, readiness: { kind: 'line' } }],
  ['readiness.pattern', 'a RegExp or a non-empty string', { ...cmd, readiness: { kind: 'line', pattern: '' } }],
  ['readiness.pattern', 'a RegExp or a non-empty string', { ...cmd, readiness: { kind: 'line', pattern: 5 } }],
  ['readiness.stream', '"stdout" or "stderr"', { ...cmd, readiness: { kind: 'line', pattern: 'up', stream: 'stdin' } }],
  ['readiness.port', 'an integer port from 1 to 65535', { ...cmd, readiness: { kind: 'tcp' } }],
  ['readiness.port', 'an integer port from 1 to 65535', { ...cmd, readiness: { kind: 'tcp', port: 0 } }],
  ['readiness.port', 'an integer port from 1 to 65535', { ...cmd, readiness: { kind: 'tcp', port: 65_536 } }],
  ['readiness.port', 'an integer port from 1 to 65535', { ...cmd, readiness: { kind: 'tcp', port: 80.5 } }],
  ['readiness.port', 'an integer port from 1 to 65535', { ...cmd, readiness: { kind: 'tcp', port: '80' } }],
  ['readiness.intervalMs', 'a positive number', { ...cmd, readiness: { kind: 'tcp', port: 80, intervalMs: 0 } }],
  ['readiness.message', 'a string', { ...cmd, readiness: { kind: 'ipc', message: 5 } }],
  ['liveness', 'an object with kind "tcp", "http", "command" or "check"', { ...cmd, liveness: 'tcp' }],
  ['liveness', 'an object with kind "tcp", "http", "command" or "check"', { ...cmd, liveness: [] }],
  ['liveness.kind', '"tcp", "http", "command" or "check"', { ...cmd, liveness: { kind: 'line' } }],
  ['liveness.intervalMs', 'a positive number', { ...cmd, liveness: { kind: 'tcp', port: 80, intervalMs: 0 } }],
  ['liveness.timeoutMs', 'a positive number', { ...cmd, liveness: { kind: 'tcp', port: 80, timeoutMs: 0 } }],
  ['liveness.timeoutMs', 'a positive number', { ...cmd, liveness: { kind: 'tcp', port: 80, timeoutMs: Number.NaN } }],
  ['liveness.initialDelayMs', 'a non-negative number', { ...cmd, liveness: { kind: 'tcp', port: 80, initialDelayMs: -1 } }],
  ['liveness.initialDelayMs', 'a non-negative number', { ...cmd, liveness: { kind: 'tcp', port: 80, initialDelayMs: '0' } }],
  ['liveness.failureThreshold', 'a positive integer', { ...cmd, liveness: { kind: 'tcp', port: 80, failureThreshold: 0 } }],
  ['liveness.failureThreshold', 'a positive integer', { ...cmd, liveness: { kind: 'tcp', port: 80, failureThreshold: 1.5 } }],
  ['liveness.failureThreshold', 'a positive integer', { ...cmd, liveness: { kind: 'tcp', port: 80, failureThreshold: '2' } }],
  ['liveness.port', 'an integer port from 1 to 65535', { ...cmd, liveness: { kind: 'tcp', port: 0 } }],
  ['liveness.port', 'an integer port from 1 to 65535', { ...cmd, liveness: { kind: 'http' } }],
  ['liveness.path', 'a path starting with "/"', { ...cmd, liveness: { kind: 'http', port: 80, path: 'healthz' } }],
  ['liveness.path', 'a path starting with "/"', { ...cmd, liveness: { kind: 'http', port: 80, path: 5 } }],
  ['liveness.command', 'a non-empty string', { ...cmd, liveness: { kind: 'command' } }],
  ['liveness.command', 'a non-empty string', { ...cmd, liveness: { kind: 'command', command: '' } }],
  ['liveness.args', 'an array of strings', { ...cmd, liveness: { kind: 'command', command: 'true', args: [1] } }],
  ['liveness.check', 'a function', { ...cmd, liveness: { kind: 'check', check: true } }],
  ['memoryLimit', 'an object { maxRssMb, intervalMs, samples, killAfterMs, sample }', { ...cmd, memoryLimit: 512 }],
  ['memoryLimit.maxRssMb', 'a positive number of megabytes', { ...cmd, memoryLimit: { maxRssMb: 0 } }],
  ['output', 'an object', { ...cmd, output: 'quiet' }],
  ['output.log', 'a boolean', { ...cmd, output: { log: 1 } }],
  ['output.passThrough', 'a boolean', { ...cmd, output: { passThrough: 'no' } }],
  ['output.maxLineBytes', 'a positive integer', { ...cmd, output: { maxLineBytes: 0 } }],
  ['output.maxLineBytes', 'a positive integer', { ...cmd, output: { maxLineBytes: 1.5 } }],
  ['output.maxLineBytes', 'a positive integer', { ...cmd, output: { maxLineBytes: '1' } }],
  ['output.linesPerSecond', 'a positive integer', { ...cmd, output: { linesPerSecond: 0 } }],
  ['output.linesPerSecond', 'a positive integer', { ...cmd, output: { linesPerSecond: 2.5 } }],
  ['output.linesPerSecond', 'a positive integer', { ...cmd, output: { linesPerSecond: '1' } }],
  ['logger', 'a pino-like logger with child() and info()', { ...cmd, logger: console.log }],
  ['logger', 'a pino-like logger with child() and info()', { ...cmd, logger: { info: fn } }],
  ['logger', 'a pino-like logger with child() and info()', { ...cmd, logger: { child: fn } }],
  ['spawner', 'an object with a spawn() method', { ...cmd, spawner: {} }],
  ['spawner', 'an object with a spawn() method', { ...cmd, spawner: fn }],
  ['clock', 'a clock with now(), setTimeout() and clearTimeout()', { ...cmd, clock: Date.now }],
  ['clock', 'a clock with now(), setTimeout() and clearTimeout()', { ...cmd, clock: { now: () => 0, setTimeout: () => 1 } }],
];

/** The value at a field's path (`readiness.port`, `env.FOO`) in the options; the options themselves for '(options)'. */
function at(options: unknown, field: string): unknown {
  if (field === '(options)') return options;
  return field.split('.').reduce<unknown>((v, key) => (v as Record<string, unknown> | undefined)?.[key], options);
}

describe('the rule each fromProcess option error states', () => {
  it.each(BAD.map(([field, rule, options]) => [field, JSON.stringify(options) ?? String(options), rule, options] as const))(
    'refuses %s in %s: must be %s',
    (field, _shown, rule, options) => {
      const error = refusal(options);
      expect(error.field).toBe(field);
      expect(error.value).toBe(at(options, field));
      expect(error.code).toBe('invalid_process_options');
      expect(error.message).toMatch(new RegExp(`^fromProcess option "${field.replace(/[().]/g, '\\$&')}": must be `));
      expect(error.message).toContain(`must be ${rule}, got `);
    },
  );
});

describe('fromProcess options at the edges of their rules', () => {
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

  it.each<[string, ProcessOptions]>([
    ['exit codes 0 and 255', { ...cmd, shutdownExitCodes: [0, 255] }],
    ['an empty array of exit codes', { ...cmd, shutdownExitCodes: [] }],
    ['a variable removed with undefined', { ...cmd, env: { GONE: undefined } }],
    ['a signal other than SIGTERM', { ...cmd, stopSignal: 'SIGUSR2' }],
    ['signalLeaderOnly false', { ...cmd, signalLeaderOnly: false }],
    ['a line readiness with a RegExp, on stderr', { ...cmd, readiness: { kind: 'line', pattern: /up/, stream: 'stderr' } }],
    ['a line readiness with a string, on stdout', { ...cmd, readiness: { kind: 'line', pattern: 'up', stream: 'stdout', readyTimeoutMs: 0.5 } }],
    ['a tcp readiness on port 1', { ...cmd, readiness: { kind: 'tcp', port: 1, intervalMs: 0.5, readyTimeoutMs: 10 } }],
    ['a tcp readiness on port 65535', { ...cmd, readiness: { kind: 'tcp', port: 65_535 } }],
    ['an ipc readiness with its message', { ...cmd, readiness: { kind: 'ipc', message: 'ready', readyTimeoutMs: 1 } }],
    ['an ipc readiness without a message', { ...cmd, readiness: { kind: 'ipc' } }],
    ['a liveness probe starting at once', { ...cmd, liveness: { kind: 'tcp', port: 65_535, initialDelayMs: 0, failureThreshold: 1, intervalMs: 0.5, timeoutMs: 0.5 } }],
    ['an http liveness on /', { ...cmd, liveness: { kind: 'http', port: 1, path: '/' } }],
    ['an http liveness without a path', { ...cmd, liveness: { kind: 'http', port: 80 } }],
    ['a command liveness with arguments', { ...cmd, liveness: { kind: 'command', command: 'true', args: ['-x'] } }],
    ['a check liveness', { ...cmd, liveness: { kind: 'check', check: async () => true } }],
    ['a memory limit', { ...cmd, memoryLimit: { maxRssMb: 1 } }],
    ['output of one byte a line, one line a second', { ...cmd, output: { log: false, passThrough: true, maxLineBytes: 1, linesPerSecond: 1 } }],
    ['a logger with child() and info()', { ...cmd, logger: { child: () => ({}) as never, info: fn } as never }],
    ['a spawner with spawn()', { ...cmd, spawner: { spawn: fn } as never }],
    ['a full clock', { ...cmd, clock: clock as never }],
  ])('accepts %s', (_name, options) => {
    expect(() => fromProcess(options)).not.toThrow();
  });
});

describe('unknown keys in fromProcess options', () => {
  it.each([
    ['comand', "fromProcess's options", { comand: 'x', command: 'x' }],
    ['readiness.port', "fromProcess's readiness (kind 'line')", { ...cmd, readiness: { kind: 'line', pattern: 'x', port: 80 } }],
    ['readiness.pattern', "fromProcess's readiness (kind 'tcp')", { ...cmd, readiness: { kind: 'tcp', port: 80, pattern: 'x' } }],
    ['readiness.stream', "fromProcess's readiness (kind 'ipc')", { ...cmd, readiness: { kind: 'ipc', stream: 'stdout' } }],
    ['liveness.path', "fromProcess's liveness (kind 'tcp')", { ...cmd, liveness: { kind: 'tcp', port: 80, path: '/' } }],
    ['liveness.args', "fromProcess's liveness (kind 'http')", { ...cmd, liveness: { kind: 'http', port: 80, args: [] } }],
    ['liveness.port', "fromProcess's liveness (kind 'command')", { ...cmd, liveness: { kind: 'command', command: 'true', port: 80 } }],
    ['liveness.port', "fromProcess's liveness (kind 'check')", { ...cmd, liveness: { kind: 'check', check: fn, port: 80 } }],
    ['memoryLimit.maxRss', "fromProcess's memoryLimit", { ...cmd, memoryLimit: { maxRss: 1 } }],
    ['output.maxLineByte', "fromProcess's output options", { ...cmd, output: { maxLineByte: 1 } }],
  ])('refuses %s, named in %s', (field, where, options) => {
    const error = refusal(options);
    expect(error.field).toBe(field);
    expect(error.value).toBe(at(options, field));
    expect(error.message).toContain(where);
    expect(error.message).toContain(`unknown key '${field.split('.').pop()}'`);
  });

  it('names the key as given, with no prefix, at the top level', () => {
    const error = refusal({ command: 'x', stopsignal: 'SIGTERM' });
    expect(error.field).toBe('stopsignal');
    expect(error.message).toContain('stopSignal');
  });
});
