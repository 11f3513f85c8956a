// OTP supervisor_SUITE, top-level API and flag cases (OTP-SEMANTICS §3.4) that no older test
// covered. Each test is named after its OTP case (docs/guides/otp-suite.md).
import { describe, expect, it } from 'vitest';
import {
  childSpec,
  ChildNotFoundError,
  ChildRunningError,
  defineDynamicSupervisor,
  defineSupervisor,
  DuplicateChildIdError,
  InvalidChildSpecError,
  restartChild,
  startChild,
  terminateChild,
  whichChildren,
} from '@trellis/core';
import { scriptedChild } from '@trellis/core/testing';
import { flush, start } from '../helpers.js';

const rejects = (fn: () => unknown, fields: Record<string, unknown>) => expect(fn).toThrow(expect.objectContaining(fields) as unknown as Error);

describe('supervisor_SUITE top-level API and flags', () => {
  it('extra_return: startChild and restartChild resolve with the child, errors are not_found and running, and automatic restarts still work', async () => {
    // OTP's {ok, Pid, Info}: a trellis start resolves with the child's ChildInfo, its ref the running actor.
    const kid = scriptedChild();
    const { sup } = await start({ id: 'root', intensity: 5, children: [] });
    const started = await startChild(sup, { id: 'child1', start: kid });
    expect(started).toMatchObject({ id: 'child1', status: 'running', incarnation: 0, type: 'worker' });
    expect(started.ref).toBe(whichChildren(sup)[0]?.ref);
    await terminateChild(sup, 'child1');
    const restarted = await restartChild(sup, 'child1');
    expect(restarted).toMatchObject({ id: 'child1', status: 'running', incarnation: 1 });
    expect(restarted.ref).toBe(whichChildren(sup)[0]?.ref);
    await expect(restartChild(sup, 'child1')).rejects.toBeInstanceOf(ChildRunningError);
    await expect(restartChild(sup, 'nope')).rejects.toBeInstanceOf(ChildNotFoundError);
    kid.crash();
    await flush();
    expect(whichChildren(sup)[0]).toMatchObject({ status: 'running', incarnation: 2, restarts: 1 });
  });

  it('child_specs: each invalid field of a child spec is refused, naming the field; duplicate ids; a dynamic supervisor needs its one template', () => {
    const start = scriptedChild();
    // OTP invalid_mfa, invalid_restart_type, invalid_shutdown (-10), invalid_child_type.
    rejects(() => childSpec({ id: 'child', start: 'mod:func' as never }), { code: 'invalid_child_spec', field: 'start' });
    rejects(() => childSpec({ id: 'child', start, restart: 'prmanent' as never }), { field: 'restart', value: 'prmanent' });
    rejects(() => childSpec({ id: 'child', start, shutdown: -10 }), { field: 'shutdown', value: -10 });
    rejects(() => childSpec({ id: 'child', start, shutdown: 'infinite' as never }), { field: 'shutdown' });
    rejects(() => childSpec({ id: 'child', start, type: 'wrker' as never }), { field: 'type', value: 'wrker' });
    rejects(() => childSpec({ id: 42 as never, start }), { field: 'id' });
    // Every valid combination of the enumerated fields is accepted (OTP checks all 96).
    let valid = 0;
    for (const restart of ['permanent', 'transient', 'temporary'] as const)
      for (const shutdown of ['brutal_kill', 0, 1_000, 'infinity'] as const)
        for (const type of ['worker', 'supervisor'] as const) {
          expect(childSpec({ id: 'child', start, restart, shutdown, type })).toMatchObject({ restart, shutdown, type });
          valid++;
        }
    expect(valid).toBe(24);
    // check_childspecs of a non-list: children must be an array.
    rejects(() => defineSupervisor({ id: 'root', children: 'child' as never }), { code: 'invalid_flags', field: 'children' });
    // duplicate_child_name.
    expect(() => defineSupervisor({ id: 'root', children: [{ id: 'child', start }, { id: 'child', start }] })).toThrow(DuplicateChildIdError);
    // simple_one_for_one with no template: bad_start_spec.
    rejects(() => defineDynamicSupervisor({ id: 'd' } as never), { code: 'invalid_flags', field: 'child' });
    expect(() => defineDynamicSupervisor({ id: 'd', child: { id: 'w', start, restart: 'sometimes' as never } })).toThrow(InvalidChildSpecError);
  });

  it('sup_flags: each invalid flag is refused, naming it; an unknown flag is refused too (decision 0009)', () => {
    const children: never[] = [];
    rejects(() => defineSupervisor({ id: 'root', children, strategy: 'highly_unlikely' as never }), { code: 'invalid_flags', field: 'strategy' });
    rejects(() => defineSupervisor({ id: 'root', children, intensity: Number.POSITIVE_INFINITY }), { field: 'intensity' });
    rejects(() => defineSupervisor({ id: 'root', children, intensity: -1 }), { field: 'intensity', value: -1 });
    rejects(() => defineSupervisor({ id: 'root', children, periodMs: 0 }), { field: 'periodMs', value: 0 });
    rejects(() => defineSupervisor({ id: 'root', children, periodMs: Number.POSITIVE_INFINITY }), { field: 'periodMs' });
    rejects(() => defineSupervisor({ id: 'root', children, autoShutdown: 'sometimes' as never }), { field: 'autoShutdown' });
    rejects(() => defineSupervisor('one_for_one' as never), { field: 'config' });
    // OTP ignores #{silly_flag => true}; trellis names it.
    rejects(() => defineSupervisor({ id: 'root', children, silly_flag: true } as never), { field: 'silly_flag' });
    // The valid ones, with OTP's defaults filled.
    expect(() => defineSupervisor({ id: 'root', children, strategy: 'rest_for_one', intensity: 0, periodMs: 1, autoShutdown: 'any_significant' })).not.toThrow();
  });
});
