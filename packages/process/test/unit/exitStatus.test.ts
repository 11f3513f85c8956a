// Unit: the exit mapping table (code, signal, what trellis did) -> exit reason.
import { describe, expect, it } from 'vitest';
import { exitReasonOf } from '../../src/index.js';

const base = { code: null, signal: null, stopRequested: false, livenessKilled: false, shutdownExitCodes: [] as number[] };

describe('exitReasonOf', () => {
  it.each([
    ['code 0', { code: 0 }, 'normal'],
    ['code 1', { code: 1 }, 'error'],
    ['code 137 (exit code, not a signal)', { code: 137 }, 'error'],
    ['code 143 listed in shutdownExitCodes', { code: 143, shutdownExitCodes: [143] }, 'shutdown'],
    ['code 3 not listed in shutdownExitCodes', { code: 3, shutdownExitCodes: [143] }, 'error'],
    ['an external SIGKILL', { signal: 'SIGKILL' }, 'killed'],
    ['an external SIGTERM', { signal: 'SIGTERM' }, 'error'],
    ['SIGSEGV', { signal: 'SIGSEGV' }, 'error'],
    ['SIGTERM after our stop request', { signal: 'SIGTERM', stopRequested: true }, 'shutdown'],
    ['code 1 after our stop request', { code: 1, stopRequested: true }, 'shutdown'],
    ['code 0 after our stop request', { code: 0, stopRequested: true }, 'shutdown'],
    ['SIGKILL from a liveness failure', { signal: 'SIGKILL', livenessKilled: true }, 'timeout'],
    ['liveness kill wins over a stop request', { signal: 'SIGKILL', livenessKilled: true, stopRequested: true }, 'timeout'],
  ] as const)('maps %s', (_name, facts, expected) => {
    expect(exitReasonOf({ ...base, ...facts })).toBe(expected);
  });
});
