import { defineSupervisor, fromWorker, startSupervisor, stopSupervisor, whichChildren } from '@trellis/core';
import { describe, expect, it } from 'vitest';
import { checkTreeConfig, ConfigLoadError, defineTreeConfig, describeTree, formatTree, isSupervisorLogic, isTreeConfig, loadConfig, toSupervisorLogic } from '../src/index.js';
import { cliDir } from './helpers.js';

const idle = fromWorker(({ signal }) => new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve())));

describe('defineTreeConfig and toSupervisorLogic', () => {
  it('builds nested raw configs into a running tree', async () => {
    const config = defineTreeConfig({ id: 'root', children: [{ id: 'db', start: { id: 'db', children: [{ id: 'pool', start: idle }] } }, { id: 'http', start: idle }] });
    expect(isTreeConfig(config)).toBe(true);
    expect(isTreeConfig(idle)).toBe(false);
    expect(isSupervisorLogic(config)).toBe(false);
    const logic = toSupervisorLogic(config);
    expect(isSupervisorLogic(logic)).toBe(true);
    const root = await startSupervisor(logic);
    expect(whichChildren(root).map((c) => [c.id, c.type])).toEqual([['http', 'worker'], ['db', 'supervisor']]);
    await stopSupervisor(root);
  });

  it('throws the first definition error when built', () => {
    expect(() => toSupervisorLogic(defineTreeConfig({ id: 'root', children: [{ id: 'db', start: { id: 'db', intensity: -1, children: [] } }] }))).toThrow(/intensity/);
  });
});

describe('checkTreeConfig', () => {
  it('returns nothing for a valid tree', () => {
    expect(checkTreeConfig(defineTreeConfig({ id: 'root', autoShutdown: 'any_significant', children: [{ id: 'job', start: idle, restart: 'transient', significant: true }] }))).toEqual([]);
  });

  it('lists every error with its path, nested configs included', () => {
    const issues = checkTreeConfig(
      defineTreeConfig({
        id: 'root',
        children: [
          { id: 'db', start: { id: 'db', periodMs: 0, children: [{ id: 'pool', start: 'nope' as never }] }, shutdown: 'soon' as never },
          { id: 'a', start: idle, resumeId: 'x' },
          { id: 'b', start: idle, resumeId: 'x' },
          { id: 'c', start: idle, restart: 'transient', significant: true },
          { start: idle } as never,
        ],
      }),
    );
    expect(issues.map((i) => `${i.path} ${i.code}`)).toEqual([
      'root/db invalid_flags',
      'root/db/pool invalid_child_spec',
      'root/db invalid_child_spec',
      'root/b invalid_child_spec',
      'root/c invalid_child_spec',
      'root/#4 invalid_child_spec',
    ]);
    expect(issues[0]?.message).toContain('periodMs');
  });
});

describe('describeTree and formatTree', () => {
  it('shows flags and specs with defaults filled in', () => {
    const node = describeTree(defineTreeConfig({ id: 'root', autoShutdown: 'any_significant', children: [{ id: 'job', start: idle, restart: 'transient', significant: true }] }));
    expect(node).toEqual({
      id: 'root',
      path: 'root',
      type: 'supervisor',
      flags: { strategy: 'one_for_one', intensity: 1, periodMs: 5000, autoShutdown: 'any_significant' },
      children: [{ id: 'job', path: 'root/job', type: 'worker', spec: { restart: 'transient', shutdown: 5000, significant: true } }],
    });
    expect(formatTree(node)).toBe('root  supervisor  one_for_one, intensity 1 per 5000 ms; autoShutdown any_significant\n└─ job  worker  transient, shutdown 5000, significant');
  });
});

describe('loadConfig', () => {
  it('loads each default-export form', async () => {
    const logicForm = await loadConfig('test/fixtures/tree.ts', cliDir);
    expect(logicForm.raw).toBeUndefined();
    expect(isSupervisorLogic(logicForm.logic())).toBe(true);
    const raw = await loadConfig('test/fixtures/config.ts', cliDir);
    expect(raw.raw?.id).toBe('root');
    expect(raw.logic()).toBe(raw.logic());
    const moduleForm = await loadConfig('test/fixtures/moduleForm.mjs', cliDir);
    expect(moduleForm.http).toBe('127.0.0.1:0');
    expect(moduleForm.raw?.id).toBe('app');
    const direct = await loadConfig('test/fixtures/givesUp.mjs', cliDir);
    expect((direct.logic() as unknown) instanceof Object && isSupervisorLogic(direct.logic())).toBe(true);
    expect(isSupervisorLogic(defineSupervisor({ id: 'x', children: [] }))).toBe(true);
  });

  it('rejects with ConfigLoadError for a missing file or a module without a tree', async () => {
    await expect(loadConfig('test/fixtures/missing.ts', cliDir)).rejects.toBeInstanceOf(ConfigLoadError);
    await expect(loadConfig('test/fixtures/notATree.ts', cliDir)).rejects.toThrow(/must export default a supervisor/);
  });
});
