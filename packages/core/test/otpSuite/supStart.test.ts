// OTP supervisor_SUITE, group sup_start and sup_start_map (OTP-SEMANTICS §3.1, §3.2): the cases
// no older test covered. Each test is named after its OTP case; docs/guides/otp-suite.md maps all
// 97 cases (scripts/otpSuite/supervisorSuite.mjs).
import { describe, expect, it } from 'vitest';
import {
  childSpec,
  countChildren,
  defineDynamicSupervisor,
  defineSupervisor,
  getChildSpec,
  InvalidChildSpecError,
  InvalidSupervisorFlagsError,
  restartChild,
  startChild,
  StartChildError,
  startSupervisor,
  SupervisorArgumentError,
  terminateChild,
  whichChildren,
} from '@trellis/core';
import { createTestClock, scriptedChild } from '@trellis/core/testing';
import { flush, start } from '../helpers.js';

async function dynamic(config: Parameters<typeof defineDynamicSupervisor>[0]) {
  return startSupervisor(defineDynamicSupervisor(config), { clock: createTestClock(1_000), onGiveUp: () => {} });
}

describe('supervisor_SUITE sup_start', () => {
  it('sup_start_error_return: a config that is not a supervisor config is refused before anything starts', async () => {
    // OTP's init/1 returning `invalid`; trellis has no init callback, so the config itself is checked.
    expect(() => defineSupervisor('invalid' as never)).toThrow(expect.objectContaining({ code: 'invalid_flags', field: 'config', value: 'invalid' }) as unknown as Error);
    expect(() => defineSupervisor(null as never)).toThrow(InvalidSupervisorFlagsError);
    // A raw config handed to startSupervisor is a caller's mistake: it rejects, it does not throw.
    const started = startSupervisor({ id: 'root', children: [] } as never);
    await expect(started).rejects.toBeInstanceOf(SupervisorArgumentError);
  });

  it('sup_start_restart_child_returns_error: restartChild whose start now fails rejects, and the child stays listed as stopped', async () => {
    const kid = scriptedChild();
    const { sup } = await start({ id: 'root', children: [{ id: 'child1', start: kid }] });
    await terminateChild(sup, 'child1');
    kid.failStarts(1);
    const error = await restartChild(sup, 'child1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StartChildError);
    expect(error).toMatchObject({ code: 'failed_to_start_child', childId: 'child1' });
    expect(whichChildren(sup).map((c) => [c.id, c.status])).toEqual([['child1', 'stopped']]);
    expect(countChildren(sup)).toEqual({ specs: 1, active: 0, supervisors: 0, workers: 1 });
    // Nothing else happened: no automatic retry, and a later restartChild works.
    await flush();
    expect(kid.handovers).toHaveLength(2);
    await restartChild(sup, 'child1');
    expect(whichChildren(sup)[0]?.status).toBe('running');
  });

  it('sup_start_child_returns_error_simple: a dynamic child whose start fails rejects and nothing is stored', async () => {
    const kid = scriptedChild({ failStarts: 1 });
    const sup = await dynamic({ id: 'd', child: { id: 'w', start: kid } });
    const error = await startChild(sup, {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StartChildError);
    expect((error as StartChildError).cause).toBeInstanceOf(Error);
    expect(whichChildren(sup)).toEqual([]);
    expect(countChildren(sup)).toEqual({ specs: 1, active: 0, supervisors: 0, workers: 0 });
    // The supervisor is unaffected and the next start works.
    await startChild(sup, {});
    expect(countChildren(sup)).toEqual({ specs: 1, active: 1, supervisors: 0, workers: 1 });
  });

  it('faulty_application_shutdown: a child of the top supervisor that fails to start makes startSupervisor reject with failed_to_start_child', async () => {
    // OTP wraps it in application:start's {error, {{shutdown, {failed_to_start_child, Id, _}}, _}};
    // trellis has no application layer: the root's start rejects with the error itself.
    const ok = scriptedChild();
    const faulty = scriptedChild({ failStarts: 'always' });
    const started = startSupervisor(
      defineSupervisor({ id: 'app_sup', children: [{ id: 'ok', start: ok }, { id: 'app_faulty', start: faulty }] }),
      { clock: createTestClock(0), onGiveUp: () => {} },
    );
    const error = await started.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StartChildError);
    expect(error).toMatchObject({ code: 'failed_to_start_child', childId: 'app_faulty', supervisorId: 'app_sup' });
    expect(ok.running).toBe(false); // the child started before it was stopped again
    expect(ok.stopRequests).toBe(1);
  });
});

describe('supervisor_SUITE sup_start_map', () => {
  it('sup_start_map_simple: getChildSpec of a dynamic child returns the template with every default; an unknown id is not_found', async () => {
    const kid = scriptedChild();
    const sup = await dynamic({ id: 'd', child: { id: 'w', start: kid } });
    const info = await startChild(sup, {});
    expect(getChildSpec(sup, info.id)).toMatchObject({
      start: kid,
      restart: 'permanent',
      shutdown: 5_000,
      type: 'worker',
      significant: false,
    });
    expect(() => getChildSpec(sup, 'w-99')).toThrow(expect.objectContaining({ code: 'not_found' }) as unknown as Error);
  });

  it('sup_start_map_faulty_specs: a missing id, a missing start, a spec that is not an object and an unknown key are refused, naming the field', async () => {
    const kid = scriptedChild();
    const cases: Array<[unknown, string]> = [
      [{ start: kid }, 'id'],
      [{ id: 'child2' }, 'start'],
      ['child4', 'spec'],
      // OTP ignores unknown keys; trellis refuses them (decision 0009).
      [{ id: 'child3', start: kid, silly_flag: true }, 'silly_flag'],
    ];
    for (const [spec, field] of cases) {
      expect(() => childSpec(spec as never), String(field)).toThrow(expect.objectContaining({ code: 'invalid_child_spec', field }) as unknown as Error);
      expect(() => defineSupervisor({ id: 'root', children: [spec as never] }), String(field)).toThrow(InvalidChildSpecError);
    }
    // At run time too: startChild rejects and the tree is unchanged.
    const { sup } = await start({ id: 'root', children: [] });
    for (const [spec, field] of cases) {
      await expect(startChild(sup, spec as never)).rejects.toMatchObject({ code: 'invalid_child_spec', field });
    }
    expect(whichChildren(sup)).toEqual([]);
  });
});
