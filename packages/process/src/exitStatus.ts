/**
 * The exit mapping: how an OS exit (code, signal) plus what trellis did to the process becomes
 * a trellis exit reason. Pure, so the table is tested without processes.
 *
 * @module
 */
import type { ExitReason } from '@trellis/core';

/**
 * What is known when a process has exited.
 *
 * @remarks
 * The input of {@link exitReasonOf}.
 *
 * @example
 * ```ts
 * import type { ExitFacts } from '@trellis/process';
 * const facts: ExitFacts = { code: null, signal: 'SIGKILL', stopRequested: false, livenessKilled: false, shutdownExitCodes: [] };
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface ExitFacts {
  /** The exit code, or `null` when a signal ended the process. */
  readonly code: number | null;
  /** The terminating signal, or `null`. */
  readonly signal: string | null;
  /** The supervisor had asked the process to stop (`trellis.shutdown`) before it exited. */
  readonly stopRequested: boolean;
  /** A failing liveness probe made trellis kill the process. */
  readonly livenessKilled: boolean;
  /** trellis stopped the process because its group stayed over its `memoryLimit` (decision 0023). */
  readonly memoryKilled?: boolean;
  /** Exit codes that count as a clean `shutdown` (PM2's `stop_exit_codes`). */
  readonly shutdownExitCodes: readonly number[];
}

/**
 * Maps an OS exit to a trellis {@link ExitReason}.
 *
 * @remarks
 * In order: a liveness kill is `timeout`; a memory-limit stop is `killed` (decision 0023);
 * any exit after the supervisor asked the process to
 * stop is `shutdown`; code 0 is `normal`; a code in `shutdownExitCodes` is `shutdown`; a
 * `SIGKILL` that trellis did not send (the OOM killer, `kill -9` by an operator) is `killed`;
 * every other code or signal is `error` (a crash).
 *
 * @param facts - the exit and its circumstances.
 * @returns the exit reason.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { exitReasonOf } from '@trellis/process';
 * const base = { stopRequested: false, livenessKilled: false, shutdownExitCodes: [] };
 * assert.equal(exitReasonOf({ ...base, code: 0, signal: null }), 'normal');
 * assert.equal(exitReasonOf({ ...base, code: null, signal: 'SIGKILL' }), 'killed');
 * assert.equal(exitReasonOf({ ...base, code: 1, signal: null }), 'error');
 * ```
 *
 * @category process
 * @since 0.1.0
 */
export function exitReasonOf(facts: ExitFacts): ExitReason {
  if (facts.livenessKilled) return 'timeout';
  if (facts.memoryKilled === true) return 'killed';
  if (facts.stopRequested) return 'shutdown';
  if (facts.code === 0) return 'normal';
  if (facts.code !== null && facts.shutdownExitCodes.includes(facts.code)) return 'shutdown';
  if (facts.signal === 'SIGKILL') return 'killed';
  return 'error';
}

/**
 * The error a crashed process's actor ends with: carries `exitCode` and `signal`.
 *
 * @remarks
 * The supervisor records it as `previousExit: { reason: 'error', detail }`, where `detail` is
 * the serialised error (the exit code included, as `code`). `exitCode` is the process's numeric
 * exit code; `code` is its deprecated alias, kept because it is public and serialised errors
 * carry it: everywhere else in trellis an error's `code` is an OTP atom (issue 13).
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { ProcessCrashError } from '@trellis/process';
 * const error = new ProcessCrashError('node', 1, null);
 * assert.equal(error.exitCode, 1);
 * ```
 *
 * @category errors
 * @since 0.1.0
 */
export class ProcessCrashError extends Error {
  /** Always `'ProcessCrashError'`, so the name survives minification. */
  override readonly name: string = 'ProcessCrashError';
  /** The process's exit code, or `null` when a signal ended it. */
  readonly exitCode: number | null;
  /** The terminating signal, or `null`. */
  readonly signal: string | null;

  /**
   * Makes the error.
   *
   * @param command - the command that crashed.
   * @param code - its exit code.
   * @param signal - its terminating signal.
   */
  constructor(command: string, code: number | null, signal: string | null) {
    super(`Process "${command}" exited with ${signal === null ? `code ${String(code)}` : `signal ${signal}`}.`);
    this.exitCode = code;
    this.signal = signal;
  }

  /**
   * The exit code: the same as {@link ProcessCrashError.exitCode}.
   *
   * @deprecated Use `exitCode`; `code` means an OTP atom on every other trellis error.
   */
  get code(): number | null {
    return this.exitCode;
  }
}
