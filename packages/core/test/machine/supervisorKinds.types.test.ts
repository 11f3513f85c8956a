// Issue 13: static and dynamic supervisors are separate types, so a command one kind does not
// serve fails to compile (checked by `tsc -p tsconfig.test.json`, the typecheck step), and the
// kind the types promise is true at run time.
import { describe, expect, it } from 'vitest';
import {
  defineDynamicSupervisor,
  defineSupervisor,
  deleteChild,
  DynamicSupervisorError,
  restartChild,
  startChild,
  startSupervisor,
  stopSupervisor,
  terminateChild,
  type DynamicSupervisorRef,
  type SupervisorRef,
} from '@trellis/core';
import { createTestClock, scriptedChild } from '@trellis/core/testing';

describe('static and dynamic supervisors by type', () => {
  it('restartChild, deleteChild and a full spec do not compile for a dynamic ref; a ref whose kind is unknown still reaches the run-time check', async () => {
    const dyn: DynamicSupervisorRef = await startSupervisor(defineDynamicSupervisor({ id: 'd', child: { id: 'w', start: scriptedChild() } }), { clock: createTestClock() });
    const info = await startChild(dyn, { input: {} });
    // @ts-expect-error — a dynamic supervisor keeps no stopped spec to restart (OTP simple_one_for_one)
    const restarted = restartChild(dyn, info.id);
    // @ts-expect-error — nor to delete
    const deleted = deleteChild(dyn, info.id);
    // @ts-expect-error — its children come from its template: startChild takes { input } only
    const full = startChild(dyn, { id: 'x', start: scriptedChild() });
    await expect(restarted).rejects.toBeInstanceOf(DynamicSupervisorError);
    await expect(deleted).rejects.toBeInstanceOf(DynamicSupervisorError);
    await expect(full).rejects.toMatchObject({ code: 'invalid_child_spec' });
    // Seen as a plain SupervisorRef (a nested supervisor's ref, say), the call compiles and the supervisor refuses it.
    const unknownKind: SupervisorRef = dyn;
    await expect(restartChild(unknownKind, info.id)).rejects.toBeInstanceOf(DynamicSupervisorError);
    expect(dyn.supervisorKind).toBe('dynamic');
    await stopSupervisor(dyn);
  });

  it('a static supervisor takes every command, and says it is static', async () => {
    const sup = await startSupervisor(defineSupervisor({ id: 'root', children: [{ id: 'w', start: scriptedChild() }] }), { clock: createTestClock() });
    await terminateChild(sup, 'w');
    expect((await restartChild(sup, 'w')).incarnation).toBe(1);
    await terminateChild(sup, 'w');
    await deleteChild(sup, 'w');
    expect((sup as { supervisorKind?: string }).supervisorKind).toBe('static');
    // @ts-expect-error — a static supervisor's logic is not a dynamic one's
    const wrong: DynamicSupervisorRef = sup;
    void wrong;
    await stopSupervisor(sup);
  });
});
