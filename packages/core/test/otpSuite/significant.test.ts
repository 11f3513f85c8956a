// OTP supervisor_SUITE, group significant (OTP-SEMANTICS §3.8): the non-significant cases in full,
// for every auto_shutdown mode and every way a child can end. Named after the OTP cases
// (docs/guides/otp-suite.md).
import { describe, expect, it } from 'vitest';
import { terminateChild, whichChildren, type AutoShutdown } from '@trellis/core';
import { scriptedChild } from '@trellis/core/testing';
import { flush, start, stateOf } from '../helpers.js';

const MODES: AutoShutdown[] = ['never', 'any_significant', 'all_significant'];
type End = 'terminate_child' | 'abnormal' | 'normal' | 'shutdown';

async function endOne(kid: ReturnType<typeof scriptedChild>, sup: Awaited<ReturnType<typeof start>>['sup'], how: End) {
  if (how === 'terminate_child') await terminateChild(sup, 'child');
  else if (how === 'abnormal') kid.crash();
  else if (how === 'normal') kid.exitNormal();
  else kid.exitShutdown();
  await flush();
}

describe('supervisor_SUITE significant, non-significant children', () => {
  it.each(MODES)('nonsignificant_temporary (%s): no end of a non-significant temporary child shuts the supervisor down', async (autoShutdown) => {
    for (const how of ['terminate_child', 'abnormal', 'normal', 'shutdown'] as const) {
      const kid = scriptedChild();
      const sibling = scriptedChild();
      const { sup } = await start({ id: 'root', autoShutdown, children: [{ id: 'sibling', start: sibling }, { id: 'child', start: kid, restart: 'temporary' }] });
      await endOne(kid, sup, how);
      expect(stateOf(sup), how).toBe('running');
      expect(sibling.running, how).toBe(true);
      expect(whichChildren(sup).map((c) => c.id), how).toEqual(['sibling']); // a temporary child is dropped
    }
  });

  it.each(MODES)('nonsignificant_transient (%s): no end of a non-significant transient child shuts the supervisor down; a crash restarts it', async (autoShutdown) => {
    for (const how of ['terminate_child', 'abnormal', 'normal', 'shutdown'] as const) {
      const kid = scriptedChild();
      const sibling = scriptedChild();
      const { sup } = await start({ id: 'root', autoShutdown, children: [{ id: 'sibling', start: sibling }, { id: 'child', start: kid, restart: 'transient' }] });
      await endOne(kid, sup, how);
      expect(stateOf(sup), how).toBe('running');
      expect(sibling.running, how).toBe(true);
      const child = whichChildren(sup).find((c) => c.id === 'child');
      expect(child?.status, how).toBe(how === 'abnormal' ? 'running' : 'stopped');
      expect(child?.restarts, how).toBe(how === 'abnormal' ? 1 : 0);
    }
  });
});
