// OTP-SEMANTICS §1.9, §3.8 and §5 point 10: significant children and auto_shutdown.
import { describe, expect, it } from 'vitest';
import { defineSupervisor, terminateChild } from '@trellis/core';
import { scriptedChild } from '@trellis/core/testing';
import { flush, start, stateOf } from '../helpers.js';

describe('auto shutdown', () => {
  it('significant_temporary (any_significant): terminateChild does not shut down; a normal exit does, stopping all children', async () => {
    const sig = scriptedChild();
    const other = scriptedChild();
    const { sup } = await start({
      id: 'root',
      autoShutdown: 'any_significant',
      children: [
        { id: 'other', start: other },
        { id: 'sig', start: sig, restart: 'temporary', significant: true },
      ],
    });
    await terminateChild(sup, 'sig');
    expect(stateOf(sup)).toBe('running');
    const again = await start({
      id: 'root',
      autoShutdown: 'any_significant',
      children: [
        { id: 'other', start: other },
        { id: 'sig', start: sig, restart: 'temporary', significant: true },
      ],
    });
    sig.crash();
    await flush();
    expect(again.sup.getSnapshot().output).toEqual({ reason: 'shutdown' });
    expect(other.running).toBe(false);
  });

  it('significant_transient (any_significant): a crash restarts, a normal exit shuts down', async () => {
    const sig = scriptedChild();
    const { sup } = await start({ id: 'root', autoShutdown: 'any_significant', intensity: 5, children: [{ id: 'sig', start: sig, restart: 'transient', significant: true }] });
    sig.crash();
    await flush();
    expect(stateOf(sup)).toBe('running');
    sig.exitNormal();
    await flush();
    expect(sup.getSnapshot().status).toBe('done');
  });

  it('all_significant: only the exit of the last significant child shuts down; a restarting one counts as alive', async () => {
    const a = scriptedChild();
    const b = scriptedChild();
    const { sup } = await start({
      id: 'root',
      autoShutdown: 'all_significant',
      children: [
        { id: 'a', start: a, restart: 'transient', significant: true },
        { id: 'b', start: b, restart: 'transient', significant: true },
      ],
    });
    a.exitNormal();
    await flush();
    expect(stateOf(sup)).toBe('running');
    b.exitShutdown();
    await flush();
    expect(sup.getSnapshot().status).toBe('done');
  });

  it('nonsignificant_temporary: never, any and all ignore non-significant exits', async () => {
    for (const autoShutdown of ['never', 'any_significant', 'all_significant'] as const) {
      const kid = scriptedChild();
      const { sup } = await start({ id: 'root', autoShutdown, children: [{ id: 'k', start: kid, restart: 'temporary' }] });
      kid.exitNormal();
      await flush();
      expect(stateOf(sup)).toBe('running');
    }
  });

  it('significant_bystander: significant children stopped by a group restart do not trigger auto shutdown', async () => {
    const crasher = scriptedChild();
    const sig = scriptedChild();
    const { sup } = await start({
      id: 'root',
      strategy: 'one_for_all',
      autoShutdown: 'any_significant',
      children: [
        { id: 'crasher', start: crasher },
        { id: 'sig', start: sig, restart: 'transient', significant: true },
      ],
    });
    crasher.crash();
    await flush();
    expect(stateOf(sup)).toBe('running');
    expect(sig.running).toBe(true);
  });

  it('significant_escalation: auto shutdown cascades up through significant transient supervisors', async () => {
    const c = scriptedChild();
    const b = defineSupervisor({ id: 'b', autoShutdown: 'any_significant', children: [{ id: 'c', start: c, restart: 'transient', significant: true }] });
    const { sup } = await start({ id: 'a', autoShutdown: 'any_significant', children: [{ id: 'b', start: b, restart: 'transient', significant: true }] });
    c.exitNormal();
    await flush(4);
    expect(sup.getSnapshot().status).toBe('done');
    // With b not significant, a survives.
    const c2 = scriptedChild();
    const b2 = defineSupervisor({ id: 'b', autoShutdown: 'any_significant', children: [{ id: 'c', start: c2, restart: 'transient', significant: true }] });
    const survivor = await start({ id: 'a', children: [{ id: 'b', start: b2, restart: 'transient' }] });
    c2.exitNormal();
    await flush(4);
    expect(stateOf(survivor.sup)).toBe('running');
  });
});
