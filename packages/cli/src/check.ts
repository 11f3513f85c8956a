/**
 * Static checks and static views of a {@link TreeConfig}: every definition error with its
 * path (OTP's `check_childspecs/1`, for a whole tree), and the tree as it is declared.
 *
 * @module
 */
import { childSpec, childSpecIssues, defineSupervisor, supervisorConfigIssues, type ChildSpec } from '@trellis/core';
import { isTreeConfig, type TreeChildInput, type TreeConfig } from './config.js';

/**
 * One definition error, located.
 *
 * @remarks
 * {@link checkTreeConfig} returns one per definition error, instead of throwing the first as
 * `defineSupervisor` does. `code` is the `code` of the error `@trellis/core` would throw
 * (`invalid_child_spec`, `invalid_flags`, `duplicate_child_name`, ...); `path` is where it is, such
 * as `root/db` or `root/#2` for a child without an id.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { checkTreeConfig, defineTreeConfig, type TreeIssue } from '@trellis/cli';
 * const issues: TreeIssue[] = checkTreeConfig(defineTreeConfig({ id: 'root', intensity: -1, children: [] }));
 * assert.equal(issues[0]?.code, 'invalid_flags');
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface TreeIssue {
  /** Where: the supervisor path, or `supervisor/child` (`supervisor/#2` for a child without an id). */
  readonly path: string;
  /** The error's code (`invalid_child_spec`, `invalid_flags`, `duplicate_child_name`, ...). */
  readonly code: string;
  /** The error's message. */
  readonly message: string;
}

let placeholder: ReturnType<typeof defineSupervisor> | undefined;

function issueOf(path: string, error: unknown): TreeIssue {
  const code = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : 'error';
  return { path, code, message: error instanceof Error ? error.message : String(error) };
}

/** The spec, when it is valid; else every error it has, added to `issues`. */
function specOrIssues(input: unknown, path: string, issues: TreeIssue[]): ChildSpec | undefined {
  const errors = childSpecIssues(input);
  if (errors.length === 0) return childSpec(input as ChildSpec);
  for (const error of errors) issues.push(issueOf(path, error));
  return undefined;
}

/**
 * Lists every definition error of a tree config, depth first, without stopping at the first.
 *
 * @remarks
 * For each supervisor: its flags (as `defineSupervisor` checks them), then each child spec
 * through core's `childSpec()`, duplicate child ids and ResumeIDs, and `significant` children
 * under `autoShutdown: 'never'`; nested raw configs are checked the same way. An empty list
 * means `defineSupervisor` will accept the whole tree.
 *
 * @param config - the raw root config.
 * @param path - the root's path; default its id.
 * @returns the errors, empty when valid.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { fromWorker } from '@trellis/core';
 * import { checkTreeConfig, defineTreeConfig } from '@trellis/cli';
 * const idle = fromWorker(() => new Promise(() => {}));
 * const issues = checkTreeConfig(defineTreeConfig({
 *   id: 'root',
 *   intensity: -1,
 *   children: [{ id: 'a', start: idle, restart: 'sometimes' as never }, { id: 'a', start: idle }],
 * }));
 * assert.deepEqual(issues.map((i) => `${i.path} ${i.code}`), ['root invalid_flags', 'root/a invalid_child_spec', 'root/a duplicate_child_name']);
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export function checkTreeConfig(config: TreeConfig, path?: string): TreeIssue[] {
  const here = path ?? (typeof config?.id === 'string' && config.id !== '' ? config.id : '<root>');
  const issues: TreeIssue[] = [];
  if (typeof config !== 'object' || config === null) return [{ path: here, code: 'invalid_flags', message: 'a supervisor config must be an object' }];
  // Every broken rule of the flags and of each child, not the first: supervisorConfigIssues and
  // childSpecIssues list them all (the children are checked here, with nested configs walked).
  for (const error of supervisorConfigIssues(config, { children: false })) issues.push(issueOf(here, error));
  if (!Array.isArray(config.children)) return issues;
  const ids = new Set<string>();
  const resumeIds = new Set<string>();
  config.children.forEach((child: TreeChildInput | ChildSpec, index) => {
    const id = typeof child?.id === 'string' && child.id !== '' ? child.id : `#${index}`;
    const childPath = `${here}/${id}`;
    let spec: ChildSpec | undefined;
    if (typeof child === 'object' && child !== null && isTreeConfig(child.start)) {
      issues.push(...checkTreeConfig(child.start, childPath));
      placeholder ??= defineSupervisor({ id: 'placeholder', children: [] });
      spec = specOrIssues({ ...child, start: placeholder }, childPath, issues);
    } else {
      spec = specOrIssues(child, childPath, issues);
    }
    if (typeof child?.id === 'string') {
      if (ids.has(child.id)) issues.push({ path: childPath, code: 'duplicate_child_name', message: `child id '${child.id}' is used twice under supervisor '${here}'; ids must be unique among the children of one supervisor` });
      ids.add(child.id);
    }
    if (spec === undefined) return;
    if (spec.resumeId !== undefined) {
      if (resumeIds.has(spec.resumeId)) issues.push({ path: childPath, code: 'invalid_child_spec', message: `resumeId '${spec.resumeId}' of child '${spec.id}' must be unique among the children of one supervisor` });
      resumeIds.add(spec.resumeId);
    }
    if (spec.significant && (config.autoShutdown ?? 'never') === 'never') {
      issues.push({ path: childPath, code: 'invalid_child_spec', message: `child '${spec.id}': significant cannot be true when the supervisor's autoShutdown is 'never' (bad_combination)` });
    }
  });
  return issues;
}

/**
 * One node of the static tree, as {@link describeTree} returns it.
 *
 * @remarks
 * The tree as the config describes it, before anything runs: each supervisor's flags and each
 * child's restart, shutdown and significance, with the defaults filled in. {@link formatTree}
 * prints it; `trellis tree` shows it.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { fromWorker } from '@trellis/core';
 * import { defineTreeConfig, describeTree, type StaticNode } from '@trellis/cli';
 * const node: StaticNode = describeTree(defineTreeConfig({ id: 'root', children: [{ id: 'db', start: fromWorker(async () => {}) }] }));
 * assert.equal(node.type, 'supervisor');
 * assert.equal(node.children?.[0]?.path, 'root/db');
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface StaticNode {
  /** The id (the root's config id, else the child spec's id). */
  readonly id: string;
  /** The path of ids from the root. */
  readonly path: string;
  /** Worker or supervisor. */
  readonly type: 'worker' | 'supervisor';
  /** For supervisors: strategy, intensity, periodMs, autoShutdown (defaults filled in). */
  readonly flags?: {
    /** The restart strategy. */
    strategy: string;
    /** Restarts allowed within `periodMs`. */
    intensity: number;
    /** The intensity window, in milliseconds. */
    periodMs: number;
    /** The `autoShutdown` flag. */
    autoShutdown: string;
  };
  /** For children: restart, shutdown, significant (defaults filled in where the spec is valid). */
  readonly spec?: {
    /** The restart type. */
    restart: string;
    /** The shutdown: `'brutal_kill'`, `'infinity'` or milliseconds. */
    shutdown: string | number;
    /** Whether the child is significant. */
    significant: boolean;
  };
  /** Children in start order; supervisors only. */
  readonly children?: readonly StaticNode[];
}

function flagsOf(config: TreeConfig): NonNullable<StaticNode['flags']> {
  return { strategy: config.strategy ?? 'one_for_one', intensity: config.intensity ?? 1, periodMs: config.periodMs ?? 5000, autoShutdown: config.autoShutdown ?? 'never' };
}

/**
 * The static tree of a config, children in start order, defaults filled in.
 *
 * @remarks
 * Nothing is started. A child whose spec is invalid is listed without its `spec`.
 *
 * @param config - the raw root config.
 * @param path - the root's path; default its id.
 * @returns the root node.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { fromWorker } from '@trellis/core';
 * import { defineTreeConfig, describeTree } from '@trellis/cli';
 * const idle = fromWorker(() => new Promise(() => {}));
 * const root = describeTree(defineTreeConfig({ id: 'root', children: [{ id: 'db', start: { id: 'db', children: [{ id: 'pool', start: idle }] } }] }));
 * assert.equal(root.children?.[0]?.children?.[0]?.path, 'root/db/pool');
 * ```
 *
 * @category observability
 * @since 0.1.0
 */
export function describeTree(config: TreeConfig, path?: string): StaticNode {
  const here = path ?? config.id;
  const children = (Array.isArray(config.children) ? config.children : []).map((child: TreeChildInput | ChildSpec, index): StaticNode => {
    const id = typeof child?.id === 'string' ? child.id : `#${index}`;
    const childPath = `${here}/${id}`;
    const nested = isTreeConfig(child?.start) ? child.start : undefined;
    let spec: StaticNode['spec'];
    try {
      placeholder ??= defineSupervisor({ id: 'placeholder', children: [] });
      const full = childSpec(nested === undefined ? (child as ChildSpec) : { ...child, start: placeholder });
      spec = { restart: full.restart, shutdown: full.shutdown, significant: full.significant };
    } catch {
      spec = undefined;
    }
    if (nested !== undefined) {
      const inner = describeTree(nested, childPath);
      return { ...inner, id, ...(spec === undefined ? {} : { spec }) };
    }
    return { id, path: childPath, type: (child as { type?: 'worker' | 'supervisor' }).type ?? 'worker', ...(spec === undefined ? {} : { spec }) };
  });
  return { id: config.id, path: here, type: 'supervisor', flags: flagsOf(config), children };
}

/**
 * Draws a static tree as text, one node per line.
 *
 * @remarks
 * What `trellis tree` prints: box-drawing branches, then id, type, flags or spec.
 *
 * @param node - from {@link describeTree}.
 * @returns lines such as `└─ pool  worker  permanent, shutdown 5000`.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { formatTree } from '@trellis/cli';
 * const text = formatTree({ id: 'root', path: 'root', type: 'supervisor', flags: { strategy: 'one_for_one', intensity: 1, periodMs: 5000, autoShutdown: 'never' }, children: [] });
 * assert.equal(text, 'root  supervisor  one_for_one, intensity 1 per 5000 ms');
 * ```
 *
 * @category observability
 * @since 0.1.0
 */
export function formatTree(node: StaticNode): string {
  const lines: string[] = [];
  const describe = (n: StaticNode): string => {
    const parts: string[] = [];
    if (n.flags) {
      parts.push(`${n.flags.strategy}, intensity ${n.flags.intensity} per ${n.flags.periodMs} ms`);
      if (n.flags.autoShutdown !== 'never') parts.push(`autoShutdown ${n.flags.autoShutdown}`);
    }
    if (n.spec) parts.push(`${n.spec.restart}, shutdown ${n.spec.shutdown}${n.spec.significant ? ', significant' : ''}`);
    return `${n.id}  ${n.type}  ${parts.join('; ')}`.trimEnd();
  };
  const walk = (n: StaticNode, prefix: string, last: boolean, root: boolean): void => {
    lines.push(root ? describe(n) : `${prefix}${last ? '└─ ' : '├─ '}${describe(n)}`);
    const kids = n.children ?? [];
    kids.forEach((kid, i) => walk(kid, root ? '' : `${prefix}${last ? '   ' : '│  '}`, i === kids.length - 1, false));
  };
  walk(node, '', true, true);
  return lines.join('\n');
}
