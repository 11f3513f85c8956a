// OTP-SEMANTICS §1.4 as a table: restart type × exit reason.
import { describe, expect, it } from 'vitest';
import { decideRestart, type ExitReason, type RestartType } from '@trellis/core';

const table: Array<[RestartType, ExitReason, 'restart' | 'keep' | 'delete']> = [
  ['permanent', 'normal', 'restart'],
  ['permanent', 'shutdown', 'restart'],
  ['permanent', 'error', 'restart'],
  ['permanent', 'killed', 'restart'],
  ['permanent', 'timeout', 'restart'],
  ['transient', 'normal', 'keep'],
  ['transient', 'shutdown', 'keep'],
  ['transient', 'error', 'restart'],
  ['transient', 'killed', 'restart'],
  ['transient', 'timeout', 'restart'],
  ['temporary', 'normal', 'delete'],
  ['temporary', 'shutdown', 'delete'],
  ['temporary', 'error', 'delete'],
  ['temporary', 'killed', 'delete'],
  ['temporary', 'timeout', 'delete'],
];

describe('decideRestart', () => {
  it.each(table)('%s child exiting %s → %s', (restart, reason, expected) => {
    expect(decideRestart(restart, reason)).toBe(expected);
  });
});
