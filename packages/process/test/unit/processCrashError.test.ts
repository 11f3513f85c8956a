// Issue 13, one vocabulary: a process's numeric exit code is `exitCode` (an error's `code` is an
// OTP atom everywhere else); `code` stays as a deprecated alias because it is public and
// serialised previous exits carry it.
import { serializeError } from '@trellis/core';
import { describe, expect, it } from 'vitest';
import { ProcessCrashError } from '../../src/index.js';

describe('ProcessCrashError', () => {
  it('carries the exit code as exitCode, with code as its deprecated alias, and serialises it as code', () => {
    const error = new ProcessCrashError('node', 3, null);
    expect(error.exitCode).toBe(3);
    expect(error.code).toBe(3);
    expect(serializeError(error)).toMatchObject({ name: 'ProcessCrashError', code: 3 });
    const bySignal = new ProcessCrashError('node', null, 'SIGKILL');
    expect([bySignal.exitCode, bySignal.signal]).toEqual([null, 'SIGKILL']);
  });

  it('says in its message which command ended, and by which code or signal', () => {
    expect(new ProcessCrashError('node', 3, null).message).toBe('Process "node" exited with code 3.');
    expect(new ProcessCrashError('sh', null, 'SIGSEGV').message).toBe('Process "sh" exited with signal SIGSEGV.');
  });
});
