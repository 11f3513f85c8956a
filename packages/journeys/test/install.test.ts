// A user's app installs the packed tarballs (test/setup/packedApp.ts) and uses them three ways:
// a strict NodeNext TypeScript program, a plain ESM script and a CommonJS require.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';

const execFileAsync = promisify(execFile);
/** execFile with a time limit whose error carries the program's output (tsc reports on stdout). */
async function run(file: string, args: string[], options: { cwd: string; timeout: number }): Promise<{ stdout: string }> {
  try {
    return await execFileAsync(file, args, { ...options, killSignal: 'SIGKILL' });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${file} ${args.join(' ')} failed:\n${stdout ?? ''}${stderr ?? ''}`, { cause: error });
  }
}
const app = inject('app');
const node = (args: string[]) => run(process.execPath, args, { cwd: app.dir, timeout: 20_000 });

/** Every installed copy of a package: node_modules/<name> directories anywhere in the app. */
function copiesOf(name: string, dir = join(app.dir, 'node_modules'), found: string[] = []): string[] {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (entry.startsWith('.') || !statSync(path).isDirectory()) continue;
    if (entry.startsWith('@')) copiesOf(name, path, found);
    else {
      const full = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
      if (full === name) found.push(path);
      if (existsSync(join(path, 'node_modules'))) copiesOf(name, join(path, 'node_modules'), found);
    }
  }
  return found;
}

describe('installed from the packed tarballs, outside the workspace', () => {
  it('packs every publishable package with workspace:* resolved and xstate as a peer', () => {
    expect(Object.keys(app.tarballs).length).toBeGreaterThanOrEqual(4);
    for (const name of Object.keys(app.tarballs)) {
      const text = readFileSync(join(app.dir, 'node_modules', name, 'package.json'), 'utf8');
      expect(text, name).not.toContain('workspace:');
      const pkg = JSON.parse(text) as { dependencies?: Record<string, string>; peerDependencies?: Record<string, string> };
      expect(pkg.dependencies?.xstate, `${name} must not bring its own xstate`).toBeUndefined();
      expect(pkg.peerDependencies?.xstate, name).toMatch(/^\^5\.\d+\.\d+$/);
      for (const file of ['LICENSE', 'README.md', 'dist']) expect(existsSync(join(app.dir, 'node_modules', name, file)), `${name}/${file}`).toBe(true);
    }
  });

  it('has one copy of xstate: the app\'s own', () => {
    expect(copiesOf('xstate')).toEqual([join(app.dir, 'node_modules/xstate')]);
  });

  it('type-checks (strict, NodeNext) and runs an ESM TypeScript program', async () => {
    writeFileSync(
      join(app.dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2023',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          exactOptionalPropertyTypes: true,
          noUncheckedIndexedAccess: true,
          verbatimModuleSyntax: true,
          types: ['node'],
          skipLibCheck: true,
          outDir: 'dist',
        },
        files: ['main.ts'],
      }),
    );
    // The README's own calls, with the app's xstate: createActor of a supervisor, and a process child.
    writeFileSync(
      join(app.dir, 'main.ts'),
      `import { createActor } from 'xstate';
import { defineSupervisor, fromWorker, startSupervisor, stopSupervisor, whichChildren, type SupervisorExit } from '@trellis/core';
import { createTestClock } from '@trellis/core/testing';
import { fromProcess } from '@trellis/process';
import { defineTreeConfig } from '@trellis/cli';
import { observeTree } from '@trellis/observe';

const worker = fromWorker(async ({ signal, sleep }) => {
  while (!signal.aborted) await sleep(10);
});
const root = defineSupervisor({
  id: 'root',
  strategy: 'one_for_all',
  children: [
    { id: 'w', start: worker },
    { id: 'p', start: fromProcess({ command: process.execPath, args: ['-e', 'setInterval(() => {}, 1000)'] }) },
  ],
});
const actor = createActor(root);
actor.start();
actor.stop();

const sup = await startSupervisor(root);
const facts: string[] = [];
const unsubscribe = observeTree(sup, (fact) => facts.push(fact.type));
const ids: string[] = whichChildren(sup).map((child) => child.id).sort();
const exit: SupervisorExit = await stopSupervisor(sup);
unsubscribe();
const config = defineTreeConfig({ id: 'cfg', children: [{ id: 'w', start: worker }] });
void createTestClock;
console.log(JSON.stringify({ ids, exit: exit.reason, config: config.id, observed: facts.length > 0 }));
`,
    );
    await run(process.execPath, [join(app.dir, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: app.dir, timeout: 60_000 });
    const { stdout } = await node(['dist/main.js']);
    expect(JSON.parse(stdout)).toEqual({ ids: ['p', 'w'], exit: 'normal', config: 'cfg', observed: true });
  }, 90_000);

  it('runs a plain ESM script', async () => {
    writeFileSync(
      join(app.dir, 'plain.mjs'),
      `import { defineSupervisor, fromWorker, startSupervisor, stopSupervisor, whichChildren } from '@trellis/core';
const sup = await startSupervisor(defineSupervisor({ id: 'root', children: [{ id: 'w', start: fromWorker(async ({ signal, sleep }) => { while (!signal.aborted) await sleep(10); }) }] }));
const ids = whichChildren(sup).map((c) => c.id);
console.log(JSON.stringify({ ids, exit: (await stopSupervisor(sup)).reason }));
`,
    );
    const { stdout } = await node(['plain.mjs']);
    expect(JSON.parse(stdout)).toEqual({ ids: ['w'], exit: 'normal' });
  });

  it('loads every package with CommonJS require', async () => {
    writeFileSync(
      join(app.dir, 'common.cjs'),
      `const names = ${JSON.stringify(Object.keys(app.tarballs))};
const loaded = Object.fromEntries(names.map((name) => [name, typeof require(name)]));
const { defineSupervisor } = require('@trellis/core');
console.log(JSON.stringify({ loaded, machine: typeof defineSupervisor({ id: 'root', children: [] }).transition }));
`,
    );
    const { stdout } = await node(['common.cjs']);
    expect(JSON.parse(stdout)).toEqual({
      loaded: Object.fromEntries(Object.keys(app.tarballs).map((name) => [name, 'object'])),
      machine: 'function',
    });
  });
});
