// The app a user would have: every publishable workspace package packed with `pnpm pack` (the
// publish path, which rewrites `workspace:*`), then `npm install`ed with xstate and TypeScript
// into a fresh directory under os.tmpdir(), outside the workspace, so nothing resolves from it.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../../../..');

/** What the tests get through `inject('app')`. */
export interface PackedApp {
  /** The app directory (package.json, node_modules); the tests write their programs here. */
  readonly dir: string;
  /** `name -> tarball path` of every package installed from a tarball. */
  readonly tarballs: Record<string, string>;
}

declare module 'vitest' {
  export interface ProvidedContext {
    app: PackedApp;
  }
}

interface Manifest {
  name: string;
  private?: boolean;
  packageManager?: string;
  devDependencies?: Record<string, string>;
}
const manifest = (dir: string): Manifest => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;

/** Every package under packages/ that is not private: what a release publishes. */
export function publishablePackages(): { name: string; dir: string }[] {
  const base = join(root, 'packages');
  return readdirSync(base)
    .sort()
    .map((entry) => join(base, entry))
    .filter((dir) => existsSync(join(dir, 'package.json')) && manifest(dir).private !== true)
    .map((dir) => ({ name: manifest(dir).name, dir }));
}

export default async function setup(project: TestProject): Promise<() => void> {
  const packages = publishablePackages();
  // turbo builds a package before this one's tests only if this one depends on it.
  const own = manifest(resolve(import.meta.dirname, '../..')).devDependencies ?? {};
  for (const { name, dir } of packages) {
    if (own[name] !== 'workspace:*')
      throw new Error(`packages/journeys/package.json: devDependencies must have "${name}": "workspace:*" (every publishable package), so turbo builds it before these tests`);
    if (!existsSync(join(dir, 'dist'))) throw new Error(`${name} has no dist/: run \`npx --yes pnpm@10.34.9 build\` first`);
  }

  const tmp = mkdtempSync(join(tmpdir(), 'trellis-journeys-'));
  const packs = join(tmp, 'packs');
  const dir = join(tmp, 'app');
  mkdirSync(packs);
  mkdirSync(dir);
  try {
    const pnpm = (manifest(root).packageManager ?? '').split('+')[0] ?? '';
    if (!/^pnpm@\d+\.\d+\.\d+$/.test(pnpm)) throw new Error(`package.json packageManager must be pnpm@X.Y.Z[+hash], got ${pnpm}`);
    const tarballs: Record<string, string> = {};
    for (const { name, dir: packageDir } of packages) {
      const { stdout } = await run('npx', ['--yes', pnpm, 'pack', '--pack-destination', packs], { cwd: packageDir, timeout: 60_000 });
      const tarball = stdout.trim().split('\n').at(-1) ?? '';
      if (!tarball.endsWith('.tgz') || !existsSync(tarball)) throw new Error(`pnpm pack in ${packageDir} printed no tarball: ${stdout}`);
      tarballs[name] = tarball;
    }

    // The user's own xstate, TypeScript and Node types, at the versions this repository pins.
    const pins = { ...manifest(root).devDependencies, ...manifest(join(root, 'packages/core')).devDependencies };
    const deps = ['xstate', 'typescript', '@types/node'].map((name) => {
      if (pins[name] === undefined) throw new Error(`no pinned version of ${name} in the root or core package.json`);
      return `${name}@${pins[name]}`;
    });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'journey-app', version: '1.0.0', private: true, type: 'module' }, null, 2));
    await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...Object.values(tarballs), ...deps], {
      cwd: dir,
      timeout: 120_000,
      env: { ...process.env, npm_config_update_notifier: 'false' },
    });
    project.provide('app', { dir, tarballs });
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    throw error;
  }
  return () => rmSync(tmp, { recursive: true, force: true });
}
