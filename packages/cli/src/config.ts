/**
 * Tree configs for the `trellis` binary: {@link defineTreeConfig} (a raw supervisor config whose
 * nested supervisors are raw configs too, so `trellis check` can report every error) and
 * {@link loadConfig}, which imports a TS or JS config module without a build step.
 *
 * @module
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { childProtocolOf, defineSupervisor, unknownKeyMessage, unknownKeys, type ChildSpec, type ChildSpecInput, type SupervisorConfig, type SupervisorLogic } from '@trellis/core';
import type { AnyActorLogic } from 'xstate';

const TREE_CONFIG = Symbol.for('trellis.treeConfig');

/**
 * A child of a {@link TreeConfig}: a child spec whose `start` may be a nested {@link TreeConfig}.
 *
 * @remarks
 * A nested raw config becomes a child supervisor, so a whole tree can be written as data and
 * checked by `trellis check` before anything runs; every other field is a `ChildSpecInput` field
 * with its defaults.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { fromWorker } from '@trellis/core';
 * import { defineTreeConfig, isTreeConfig, type TreeChildInput } from '@trellis/cli';
 * const db: TreeChildInput = { id: 'db', start: { id: 'db', children: [{ id: 'pool', start: fromWorker(async () => {}) }] } };
 * assert.ok(isTreeConfig(defineTreeConfig({ id: 'root', children: [db] })));
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface TreeChildInput extends Omit<ChildSpecInput, 'start'> {
  /** Actor logic, or the raw config of a nested supervisor. */
  readonly start: AnyActorLogic | TreeConfig;
}

/**
 * A raw supervisor config: core's `SupervisorConfig` whose children may nest raw configs.
 *
 * @remarks
 * Every flag of `SupervisorConfig` (`strategy`, `intensity`, `periodMs`, `autoShutdown`,
 * `logger`, `clock`, ...) is accepted as it is; only `children` differs.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { checkTreeConfig, type TreeConfig } from '@trellis/cli';
 * const config: TreeConfig = { id: 'root', strategy: 'one_for_all', children: [] };
 * assert.deepEqual(checkTreeConfig(config), []);
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export type TreeConfig = Omit<SupervisorConfig, 'children'> & {
  /** The children, in start order. */
  readonly children: ReadonlyArray<TreeChildInput | ChildSpec>;
};

/**
 * A config module's default export in its `{ root, http? }` form.
 *
 * @remarks
 * `root` is a built supervisor or a raw {@link TreeConfig}; only a raw config lets `trellis check`
 * list every error. `http` is the address of the endpoints `trellis run` serves (`/healthz`,
 * `/readyz`, `/metrics`, `/tree`) unless `--http` says otherwise.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { defineTreeConfig, type TreeModule } from '@trellis/cli';
 * const module: TreeModule = { root: defineTreeConfig({ id: 'root', children: [] }), http: '127.0.0.1:9464' };
 * assert.equal(module.http, '127.0.0.1:9464');
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface TreeModule {
  /** The root: a supervisor from `defineSupervisor`, or a {@link TreeConfig}. */
  readonly root: SupervisorLogic | TreeConfig;
  /** Serve `/healthz`, `/readyz`, `/metrics`, `/tree` at `host:port` unless `--http` says otherwise. */
  readonly http?: string;
}

/**
 * Marks a raw supervisor config as a tree config; validates nothing at run time.
 *
 * @remarks
 * Not generic on purpose: TypeScript's excess-property check applies to the literal, so a typo
 * such as `stratgey` is a type error in the editor, and `trellis check` reports it too (an
 * unknown key is an error, decision 0009). `defineSupervisor` validates eagerly and throws at the
 * first error. Exporting the raw config
 * instead lets `trellis check` report every error with its path, and `trellis tree` print the
 * whole static tree. Nested supervisors are raw configs too (`start: { id, children }` or
 * another `defineTreeConfig(...)`). `trellis run` builds it with {@link toSupervisorLogic}.
 *
 * @param config - the root supervisor's config.
 * @returns the same object, marked.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { fromWorker } from '@trellis/core';
 * import { defineTreeConfig, isTreeConfig } from '@trellis/cli';
 * const idle = fromWorker(({ signal }) => new Promise((r) => signal.addEventListener('abort', r)));
 * const config = defineTreeConfig({ id: 'root', children: [{ id: 'db', start: { id: 'db', children: [{ id: 'pool', start: idle }] } }] });
 * assert.equal(isTreeConfig(config), true);
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export function defineTreeConfig(config: TreeConfig): TreeConfig {
  if (typeof config === 'object' && config !== null) Object.defineProperty(config, TREE_CONFIG, { value: true, enumerable: false, configurable: true });
  return config;
}

/**
 * Whether a value is a raw tree config: marked by {@link defineTreeConfig}, or a plain object
 * with a `children` array that is not actor logic.
 *
 * @remarks
 * Used to tell a nested raw config from actor logic in a child's `start`.
 *
 * @param value - anything.
 * @returns `true` for a {@link TreeConfig}.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { isTreeConfig } from '@trellis/cli';
 * assert.equal(isTreeConfig({ id: 'db', children: [] }), true);
 * assert.equal(isTreeConfig({ id: 'db' }), false);
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export function isTreeConfig(value: unknown): value is TreeConfig {
  if (typeof value !== 'object' || value === null) return false;
  if ((value as Record<symbol, unknown>)[TREE_CONFIG] === true) return true;
  return Array.isArray((value as { children?: unknown }).children) && typeof (value as { transition?: unknown }).transition !== 'function';
}

/**
 * Whether a value is a supervisor from `defineSupervisor`.
 *
 * @remarks
 * True for XState logic that carries core's supervisor child protocol (`childProtocolOf`).
 *
 * @param value - anything.
 * @returns `true` for supervisor logic.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { defineSupervisor } from '@trellis/core';
 * import { isSupervisorLogic } from '@trellis/cli';
 * assert.equal(isSupervisorLogic(defineSupervisor({ id: 'root', children: [] })), true);
 * assert.equal(isSupervisorLogic({ id: 'root', children: [] }), false);
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export function isSupervisorLogic(value: unknown): value is SupervisorLogic {
  return typeof value === 'object' && value !== null && typeof (value as { transition?: unknown }).transition === 'function' && childProtocolOf(value as AnyActorLogic).kind === 'supervisor';
}

/**
 * Builds a {@link TreeConfig} into a supervisor, nested raw configs included.
 *
 * @remarks
 * Calls `defineSupervisor` bottom-up, so it throws the first definition error it meets; use
 * {@link checkTreeConfig} to list them all.
 *
 * @param config - the raw config.
 * @returns the root supervisor's logic.
 * @throws `InvalidSupervisorFlagsError` (from `@trellis/core`) when a supervisor's flag breaks its rule.
 * @throws `InvalidChildSpecError` (from `@trellis/core`) when a child spec breaks its rule.
 * @throws `DuplicateChildIdError` (from `@trellis/core`) when two children of one supervisor share an id.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { startSupervisor, stopSupervisor, whichChildren } from '@trellis/core';
 * import { defineTreeConfig, toSupervisorLogic } from '@trellis/cli';
 * const root = await startSupervisor(toSupervisorLogic(defineTreeConfig({ id: 'root', children: [{ id: 'db', start: { id: 'db', children: [] } }] })));
 * assert.equal(whichChildren(root)[0]?.type, 'supervisor');
 * await stopSupervisor(root);
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export function toSupervisorLogic(config: TreeConfig): SupervisorLogic {
  const children = config.children.map((child) => (isTreeConfig(child.start) ? { ...child, start: toSupervisorLogic(child.start) } : child)) as ReadonlyArray<ChildSpec | ChildSpecInput>;
  return defineSupervisor({ ...config, children });
}

/**
 * A loaded config module, ready to run.
 *
 * @remarks
 * What {@link loadConfig} returns. `logic()` builds the root supervisor on first access, so a
 * config with a definition error still loads and `raw` can be checked; `http` is the module's
 * address, if it gave one.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { defineTreeConfig, toSupervisorLogic, type LoadedConfig } from '@trellis/cli';
 * const raw = defineTreeConfig({ id: 'root', children: [] });
 * const loaded: LoadedConfig = { file: '/app/trellis.config.ts', raw, logic: () => toSupervisorLogic(raw), http: undefined };
 * assert.ok(loaded.logic());
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface LoadedConfig {
  /** The absolute path of the module. */
  readonly file: string;
  /** The raw config, when the module exported one (so every error can be listed). */
  readonly raw: TreeConfig | undefined;
  /** The root supervisor, built (throws its first definition error) on first access. */
  readonly logic: () => SupervisorLogic;
  /** The module's `http` address, if it gave one. */
  readonly http: string | undefined;
}

/**
 * Why a config module could not be used.
 *
 * @remarks
 * Thrown by {@link loadConfig}: the module failed to import (its error is the `cause`), or its
 * default export is not a tree. `trellis` prints the message and exits 1.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { ConfigLoadError } from '@trellis/cli';
 * const error = new ConfigLoadError('/app/trellis.config.ts', 'no default export');
 * assert.equal(error.code, 'config_load_failed');
 * ```
 *
 * @category errors
 * @since 0.1.0
 */
export class ConfigLoadError extends Error {
  /** Always `'config_load_failed'`. */
  readonly code = 'config_load_failed';
  /** The config file. */
  readonly file: string;

  /**
   * @param file - the config file.
   * @param message - what is wrong with it.
   * @param cause - the underlying error, if any.
   */
  constructor(file: string, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'ConfigLoadError';
    this.file = file;
  }
}

/** The keys of a {@link TreeModule}. */
const MODULE_KEYS = ['root', 'http'];

const TS_EXTENSIONS = /\.(?:c|m)?tsx?$/;
let tsxRegistered: Promise<void> | undefined;

/**
 * Imports a config module and finds its tree.
 *
 * @remarks
 * TypeScript (`.ts`, `.mts`, `.cts`, `.tsx`) is loaded without a build step through tsx's
 * ESM loader (`register()` from `tsx/esm/api`, installed once, so the config shares the binary's
 * `@trellis/core` and `xstate`); JavaScript with a plain `import()`. The default export is a supervisor from
 * `defineSupervisor`, a {@link TreeConfig} from {@link defineTreeConfig}, or
 * `{ root, http? }` ({@link TreeModule}) with either as `root`.
 *
 * @param file - the module's path, relative to `cwd`.
 * @param cwd - the directory to resolve from; default `process.cwd()`.
 * @returns the loaded config.
 * @throws {@link ConfigLoadError} when the module cannot be imported or exports no tree.
 *
 * @example
 * ```ts no-run
 * import { startSupervisor } from '@trellis/core';
 * import { loadConfig } from '@trellis/cli';
 * const config = await loadConfig('trellis.config.ts');
 * const root = await startSupervisor(config.logic());
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export async function loadConfig(file: string, cwd: string = process.cwd()): Promise<LoadedConfig> {
  const path = resolve(cwd, file);
  const url = pathToFileURL(path).href;
  let namespace: Record<string, unknown>;
  try {
    if (TS_EXTENSIONS.test(path)) {
      // tsx's global `register()` rather than `tsImport()`: tsImport loads the config's imports
      // under a namespace, as second instances of @trellis/core and xstate, which breaks
      // `instanceof` checks (StartChildError) between the binary's core and the config's.
      tsxRegistered ??= import('tsx/esm/api').then(({ register }) => {
        register();
      });
      await tsxRegistered;
      namespace = (await import(url)) as Record<string, unknown>;
    } else {
      namespace = (await import(url)) as Record<string, unknown>;
    }
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigLoadError(path, `cannot load ${file}: ${reason}`, error);
  }
  let exported = namespace.default;
  // tsx may wrap a CommonJS-style module's default once more.
  if (exported !== undefined && !isSupervisorLogic(exported) && !isTreeConfig(exported) && typeof exported === 'object' && exported !== null && 'default' in exported && !('root' in exported)) {
    exported = (exported as { default: unknown }).default;
  }
  let root: unknown = exported;
  let http: string | undefined;
  if (!isSupervisorLogic(exported) && !isTreeConfig(exported) && typeof exported === 'object' && exported !== null && 'root' in exported) {
    const key = unknownKeys(exported, MODULE_KEYS)[0];
    if (key !== undefined) throw new ConfigLoadError(path, `${file}: ${unknownKeyMessage(key, 'the exported { root, http }', MODULE_KEYS)}`);
    root = (exported as { root: unknown }).root;
    const given = (exported as { http?: unknown }).http;
    if (given !== undefined && typeof given !== 'string') throw new ConfigLoadError(path, `${file}: 'http' must be a string such as '127.0.0.1:9464'`);
    http = given;
  }
  if (isSupervisorLogic(root)) {
    const logic = root;
    return { file: path, raw: undefined, logic: () => logic, http };
  }
  if (isTreeConfig(root)) {
    const raw = root;
    let built: SupervisorLogic | undefined;
    return { file: path, raw, logic: () => (built ??= toSupervisorLogic(raw)), http };
  }
  throw new ConfigLoadError(
    path,
    `${file} must export default a supervisor (defineSupervisor), a tree config (defineTreeConfig) or { root, http? }; got ${root === undefined ? 'no default export' : typeof root}`,
  );
}
