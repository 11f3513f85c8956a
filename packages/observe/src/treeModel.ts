/**
 * The tree as data: a pure reducer that folds facts into a model of supervisors and children,
 * and a walk of a live tree into plain JSON (what `/tree` serves).
 *
 * @module
 */
import { whichChildren, type ChildStatus, type ChildType, type SubStatus, type SupervisorFact, type SupervisorRef } from '@trellis/core';
import { toJSONValue, type JsonValue } from './serialize.js';

/**
 * What the reducer knows about one supervisor.
 *
 * @remarks
 * `status` is `running` until the supervisor's `sup.stopped` fact, `exit` how it ended (as JSON)
 * and `intensityExceeded` how many times it gave up.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { emptyTree, reduceTree, type SupervisorModel } from '@trellis/observe';
 * const state = reduceTree(emptyTree, { type: 'sup.stopped', supervisor: 'root', exit: { reason: 'shutdown' } });
 * const model: SupervisorModel | undefined = state.supervisors['root'];
 * assert.equal(model?.status, 'stopped');
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface SupervisorModel {
  /** The supervisor's path, such as `root/db`. */
  readonly path: string;
  /** `running` until its `sup.stopped` fact. */
  readonly status: 'running' | 'stopped';
  /** How it ended, once it has. */
  readonly exit: JsonValue | null;
  /** How many times it gave up by intensity. */
  readonly intensityExceeded: number;
}

/**
 * What the reducer knows about one child.
 *
 * @remarks
 * Everything comes from the facts alone, with no access to the supervisor: the status, incarnation
 * and restart count follow the last fact about the child, and `lastExit` is its last exit as JSON.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { emptyTree, reduceTree, type ChildModel } from '@trellis/observe';
 * const state = reduceTree(emptyTree, { type: 'sup.child.started', supervisor: 'root', child: 'db', incarnation: 0, resumeId: 'root/db', cause: 'init' });
 * const model: ChildModel | undefined = state.children['root/db'];
 * assert.equal(model?.status, 'running');
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface ChildModel {
  /** The supervisor's path. */
  readonly supervisor: string;
  /** The child's id. */
  readonly id: string;
  /** Running, restarting or stopped, from the last fact about it. */
  readonly status: ChildStatus;
  /** The incarnation of the last fact about it. */
  readonly incarnation: number;
  /** Automatic restarts seen. */
  readonly restarts: number;
  /** The last exit seen, as JSON. */
  readonly lastExit: JsonValue | null;
}

/**
 * The model {@link reduceTree} folds facts into; keys of `children` are `supervisor/child`.
 *
 * @remarks
 * A plain, immutable value: {@link reduceTree} returns a new state per fact, so it fits a
 * Redux-style store or a UI, and it can be sent as JSON. Start from {@link emptyTree}.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { emptyTree, reduceTree, type TreeState } from '@trellis/observe';
 * const state: TreeState = reduceTree(emptyTree, { type: 'sup.child.started', supervisor: 'root', child: 'db', incarnation: 0, resumeId: 'root/db', cause: 'init' });
 * assert.deepEqual(Object.keys(state.children), ['root/db']);
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface TreeState {
  /** Supervisors by path. */
  readonly supervisors: Readonly<Record<string, SupervisorModel>>;
  /** Children by `supervisor/child` path. */
  readonly children: Readonly<Record<string, ChildModel>>;
}

/**
 * The model before any fact.
 *
 * @remarks
 * The starting value for {@link reduceTree}; it is frozen-by-convention and never modified.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { emptyTree } from '@trellis/observe';
 * assert.deepEqual(emptyTree, { supervisors: {}, children: {} });
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export const emptyTree: TreeState = { supervisors: {}, children: {} };

function withSupervisor(state: TreeState, path: string, patch: Partial<SupervisorModel>): TreeState['supervisors'] {
  const current = state.supervisors[path] ?? { path, status: 'running', exit: null, intensityExceeded: 0 };
  return { ...state.supervisors, [path]: { ...current, ...patch } };
}

function withChild(state: TreeState, supervisor: string, id: string, patch: (current: ChildModel) => Partial<ChildModel>): TreeState['children'] {
  const key = `${supervisor}/${id}`;
  const current = state.children[key] ?? { supervisor, id, status: 'stopped', incarnation: 0, restarts: 0, lastExit: null };
  return { ...state.children, [key]: { ...current, ...patch(current) } };
}

/**
 * Folds one fact into the tree model; pure, so it fits `Array.reduce`, a store or a test.
 *
 * @remarks
 * A started child is `running` with the fact's incarnation (restarts count automatic restarts);
 * an exited child is `stopped` with its `lastExit`, or `restarting` when the decision is to
 * restart it; a failed start leaves it `restarting` when `sup.child.restarting` follows; a
 * deleted (temporary) child leaves the model. A stopped supervisor is `stopped` with its exit,
 * and the children under its path are `stopped`. The state given is never modified.
 *
 * @param state - the model so far ({@link emptyTree} at first).
 * @param fact - the next fact.
 * @returns the new model.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import type { SupervisorFact } from '@trellis/core';
 * import { emptyTree, reduceTree } from '@trellis/observe';
 * const facts: SupervisorFact[] = [
 *   { type: 'sup.child.started', supervisor: 'root', child: 'db', incarnation: 0, resumeId: 'root/db', cause: 'init' },
 *   { type: 'sup.child.exited', supervisor: 'root', child: 'db', incarnation: 0, decision: 'restart', exit: { reason: 'error', at: 1 } },
 *   { type: 'sup.child.started', supervisor: 'root', child: 'db', incarnation: 1, resumeId: 'root/db', cause: 'restart' },
 * ];
 * const state = facts.reduce(reduceTree, emptyTree);
 * assert.deepEqual(state.children['root/db'], { supervisor: 'root', id: 'db', status: 'running', incarnation: 1, restarts: 1, lastExit: { reason: 'error', at: 1 } });
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export function reduceTree(state: TreeState, fact: SupervisorFact): TreeState {
  switch (fact.type) {
    case 'sup.child.started':
      return {
        supervisors: state.supervisors[fact.supervisor] === undefined ? withSupervisor(state, fact.supervisor, {}) : state.supervisors,
        children: withChild(state, fact.supervisor, fact.child, (c) => ({ status: 'running', incarnation: fact.incarnation, restarts: c.restarts + (fact.cause === 'restart' ? 1 : 0) })),
      };
    case 'sup.child.exited': {
      // A rolling restart's replacement started before the incarnation it replaced exited.
      if ((state.children[`${fact.supervisor}/${fact.child}`]?.incarnation ?? -1) > fact.incarnation) return state;
      if (fact.decision === 'delete') {
        const { [`${fact.supervisor}/${fact.child}`]: _deleted, ...children } = state.children;
        return { supervisors: state.supervisors, children };
      }
      const status: ChildStatus = fact.decision === 'restart' ? 'restarting' : 'stopped';
      return { supervisors: state.supervisors, children: withChild(state, fact.supervisor, fact.child, () => ({ status, incarnation: fact.incarnation, lastExit: toJSONValue(fact.exit) })) };
    }
    case 'sup.child.startFailed':
      return { supervisors: state.supervisors, children: withChild(state, fact.supervisor, fact.child, () => ({ status: 'stopped', incarnation: fact.incarnation })) };
    case 'sup.child.restarting':
      return { supervisors: state.supervisors, children: withChild(state, fact.supervisor, fact.child, () => ({ status: 'restarting' })) };
    case 'sup.intensity.exceeded':
      return { supervisors: withSupervisor(state, fact.supervisor, { intensityExceeded: (state.supervisors[fact.supervisor]?.intensityExceeded ?? 0) + 1 }), children: state.children };
    case 'sup.shutdown.timedOut':
    case 'sup.stopping':
    case 'sup.rollingRestart.started':
    case 'sup.child.replaced':
    case 'sup.rollingRestart.aborted':
    case 'sup.rollingRestart.completed':
      return state;
    case 'sup.stopped': {
      const prefix = `${fact.supervisor}/`;
      const children: Record<string, ChildModel> = {};
      for (const [key, child] of Object.entries(state.children)) {
        children[key] = key.startsWith(prefix) && child.status !== 'stopped' ? { ...child, status: 'stopped' } : child;
      }
      return { supervisors: withSupervisor(state, fact.supervisor, { status: 'stopped', exit: toJSONValue(fact.exit) }), children };
    }
  }
}

/**
 * One node of the live tree, as {@link tree} returns it: plain JSON.
 *
 * @remarks
 * Read from the running tree by {@link tree}, not folded from facts; children are listed newest
 * first, as {@link whichChildren} has them, and absent for workers. {@link notRunning} lists the
 * paths of the nodes that are not running.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { defineSupervisor, startSupervisor, stopSupervisor } from '@trellis/core';
 * import { scriptedChild } from '@trellis/core/testing';
 * import { tree, type TreeNode } from '@trellis/observe';
 * const root = await startSupervisor(defineSupervisor({ id: 'root', children: [{ id: 'db', start: scriptedChild() }] }));
 * const node: TreeNode = tree(root);
 * assert.equal(node.children?.[0]?.path, 'root/db');
 * await stopSupervisor(root);
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface TreeNode {
  /** The child's id (for the root, the supervisor's id). */
  readonly id: string;
  /** The path of ids from the root, such as `root/db/pool`. */
  readonly path: string;
  /** Worker or supervisor. */
  readonly type: ChildType;
  /** Starting (spawned, not yet ready), running, restarting or stopped. */
  readonly status: ChildStatus;
  /** The incarnation of the last start attempt (0 for the root). */
  readonly incarnation: number;
  /** Automatic restarts so far. */
  readonly restarts: number;
  /** The child's ResumeID (the root's path for the root). */
  readonly resumeId: string;
  /** The running incarnation's `previousExit`, or the last exit of a stopped child. */
  readonly lastExit: JsonValue | null;
  /**
   * What the running child says about itself, as `whichChildren` has it (a cluster singleton's
   * `{ state: 'standby', heldBy, … }`); absent when it publishes none. `status` stays `running`.
   */
  readonly subStatus?: SubStatus;
  /** A supervisor's children, newest first as `whichChildren`; absent for workers. */
  readonly children?: readonly TreeNode[];
}

/** A root's path: its logic's id (the tree's name in facts), else the actor's id. Shared with the dashboard. */
export function rootIdOf(ref: SupervisorRef): string {
  const id = (ref as { logic?: { id?: unknown } }).logic?.id;
  return typeof id === 'string' ? id : ref.id;
}

function childrenOf(ref: SupervisorRef, path: string): TreeNode[] {
  let infos;
  try {
    infos = whichChildren(ref);
  } catch {
    return []; // ended meanwhile
  }
  return infos.map((info) => {
    const childPath = `${path}/${info.id}`;
    const node: TreeNode = {
      id: info.id,
      path: childPath,
      type: info.type,
      status: info.status,
      incarnation: info.incarnation,
      restarts: info.restarts,
      resumeId: info.resumeId,
      lastExit: info.lastExit === null ? null : toJSONValue(info.lastExit),
      ...(info.subStatus === undefined ? {} : { subStatus: info.subStatus }),
    };
    if (info.type !== 'supervisor') return node;
    // A child supervisor still starting shows the children it has started so far.
    const nested = (info.status === 'running' || info.status === 'starting') && info.ref !== undefined ? childrenOf(info.ref as SupervisorRef, childPath) : [];
    return { ...node, children: nested };
  });
}

/**
 * The whole live tree under a supervisor, as plain JSON.
 *
 * @remarks
 * Walks `whichChildren` (`@trellis/core`) recursively, so it is always
 * current (unlike {@link reduceTree}, which knows only the facts it was given). A supervisor
 * that has ended is `stopped`, with no children.
 *
 * @param ref - a supervisor, usually the root.
 * @returns its node, with every descendant.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { defineSupervisor, startSupervisor, stopSupervisor } from '@trellis/core';
 * import { scriptedChild } from '@trellis/core/testing';
 * import { tree } from '@trellis/observe';
 * const db = defineSupervisor({ id: 'db', children: [{ id: 'pool', start: scriptedChild() }] });
 * const root = await startSupervisor(defineSupervisor({ id: 'root', children: [{ id: 'db', start: db }] }));
 * assert.deepEqual(tree(root).children?.[0]?.children?.map((c) => c.path), ['root/db/pool']);
 * await stopSupervisor(root);
 * assert.equal(tree(root).status, 'stopped');
 * ```
 *
 * @category observability
 * @since 0.1.0
 */
export function tree(ref: SupervisorRef): TreeNode {
  const path = rootIdOf(ref);
  const snapshot = ref.getSnapshot();
  const running = snapshot.status === 'active' && snapshot.value !== 'stopped';
  return {
    id: path,
    path,
    type: 'supervisor',
    status: !running ? 'stopped' : snapshot.value === 'starting' ? 'starting' : 'running',
    incarnation: 0,
    restarts: 0,
    resumeId: path,
    lastExit: null,
    children: running ? childrenOf(ref, path) : [],
  };
}

/**
 * Every node of a tree that is not `running`, depth first; empty when the tree is ready.
 *
 * @remarks
 * This is what `/readyz` answers with: ready means the root and every child in the tree are
 * running. A child spawned but not yet ready (`starting`, such as a restarted child before its
 * `ctx.ready()`), in a restart loop or waiting out a backoff (`restarting`), or stopped (by
 * `terminateChild`, or a transient child that ended) makes the tree not ready.
 *
 * @param node - a node from {@link tree}.
 * @returns the paths of nodes not running.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { notRunning } from '@trellis/observe';
 * assert.deepEqual(notRunning({ id: 'root', path: 'root', type: 'supervisor', status: 'running', incarnation: 0, restarts: 0, resumeId: 'root', lastExit: null, children: [] }), []);
 * ```
 *
 * @category observability
 * @since 0.1.0
 */
export function notRunning(node: TreeNode): string[] {
  const out: string[] = [];
  const visit = (n: TreeNode): void => {
    if (n.status !== 'running') out.push(n.path);
    for (const child of n.children ?? []) visit(child);
  };
  visit(node);
  return out;
}
