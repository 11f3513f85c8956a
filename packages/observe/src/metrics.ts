/**
 * Prometheus metrics of a tree, with prom-client: restarts, children by status, uptime of the
 * running incarnation, intensity give-ups and how long restarts take.
 *
 * @module
 */
import { systemClock, type Clock, type SupervisorFact, type SupervisorRef } from '@trellis/core';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { observeTree, type FactHandler, type Unsubscribe } from './observeTree.js';
import { tree, type TreeNode } from './treeModel.js';

/**
 * Options of {@link createMetrics}.
 *
 * @remarks
 * Every field is optional. The metrics go to a new prom-client `Registry` by default, never the
 * global one; `clock` (default the system clock) times uptime and restart durations;
 * `restartBuckets` replaces the histogram buckets of `trellis_restart_duration_seconds`;
 * `defaultMetrics` (default false) also registers prom-client's process metrics.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { createMetrics, type MetricsOptions } from '@trellis/observe';
 * const options: MetricsOptions = { defaultMetrics: false, restartBuckets: [0.1, 1, 10] };
 * const metrics = createMetrics(options);
 * assert.match(await metrics.registry.metrics(), /trellis_/);
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface MetricsOptions {
  /** Where to register the metrics; default a new `Registry` (never prom-client's global one). */
  readonly registry?: Registry;
  /** Where time comes from (uptime, restart duration); default the system clock. */
  readonly clock?: Pick<Clock, 'now'>;
  /** Buckets of `trellis_restart_duration_seconds`, in seconds. */
  readonly restartBuckets?: readonly number[];
  /** Also register prom-client's default process metrics (CPU, memory, event loop). Default false. */
  readonly defaultMetrics?: boolean;
}

/**
 * The metrics of one or more trees.
 *
 * @remarks
 * `attach(root)` is the usual call: it subscribes to every fact of the tree and makes the tree the
 * source of the scrape-time gauges, and returns the function that undoes both. `handle` and `track`
 * are its two halves, for a caller that already observes the tree with {@link observeTree} or
 * {@link createTreeObserver}.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { defineSupervisor, startSupervisor, stopSupervisor } from '@trellis/core';
 * import { createMetrics, type TrellisMetrics } from '@trellis/observe';
 * const root = await startSupervisor(defineSupervisor({ id: 'root', children: [] }));
 * const metrics: TrellisMetrics = createMetrics();
 * const unsubscribe = metrics.track(root);
 * assert.equal(typeof (await metrics.registry.metrics()), 'string');
 * unsubscribe();
 * await stopSupervisor(root);
 * ```
 *
 * @category observability
 * @since 0.1.0
 */
export interface TrellisMetrics {
  /** The registry the metrics are in: serve `await registry.metrics()`. */
  readonly registry: Registry;
  /** Counts a fact; give it to {@link observeTree} or {@link createTreeObserver} yourself, or use {@link TrellisMetrics.attach}. */
  readonly handle: FactHandler;
  /** Makes `root`'s live tree the source of the scrape-time gauges (`trellis_children`, uptime). */
  track(root: SupervisorRef): Unsubscribe;
  /** {@link TrellisMetrics.track} plus {@link observeTree} with {@link TrellisMetrics.handle}. */
  attach(root: SupervisorRef): Unsubscribe;
}

/**
 * Creates trellis's Prometheus metrics.
 *
 * @remarks
 * Metrics, all labelled by supervisor path (`supervisor`) and, where it applies, child id
 * (`child`):
 *
 * - `trellis_child_restarts_total{supervisor,child}`: automatic restarts (counter);
 * - `trellis_children{supervisor,status}`: children by status, read from the live tree at
 *   scrape time (gauge);
 * - `trellis_child_uptime_seconds{supervisor,child}`: how long the running incarnation has run,
 *   computed at scrape time (gauge); an incarnation started before the metrics saw it counts
 *   from when it was first seen;
 * - `trellis_intensity_exceeded_total{supervisor}`: supervisors giving up (counter);
 * - `trellis_child_replacements_total{supervisor,child}`: incarnations replaced by a rolling
 *   restart (counter; a replacement is not a restart, so `trellis_child_restarts_total` does not
 *   count it);
 * - `trellis_rolling_restarts_total{supervisor,outcome}`: rolling restarts that ended, `completed`
 *   or `aborted` (counter);
 * - `trellis_restart_duration_seconds{supervisor,child}`: from a child's exit to the start of
 *   its next incarnation, for automatic restarts (histogram).
 *
 * @param options - registry, clock, buckets.
 * @returns the metrics.
 * @throws `Error` from prom-client when `options.registry` already holds a metric of one of these names.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { defineSupervisor, startSupervisor, stopSupervisor } from '@trellis/core';
 * import { createTestClock, scriptedChild, settle } from '@trellis/core/testing';
 * import { createMetrics } from '@trellis/observe';
 * const clock = createTestClock();
 * const db = scriptedChild();
 * const root = await startSupervisor(defineSupervisor({ id: 'root', children: [{ id: 'db', start: db }] }), { clock });
 * const metrics = createMetrics({ clock });
 * const detach = metrics.attach(root);
 * db.crash();
 * await settle();
 * assert.match(await metrics.registry.metrics(), /trellis_child_restarts_total\{supervisor="root",child="db"\} 1/);
 * detach();
 * await stopSupervisor(root);
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export function createMetrics(options: MetricsOptions = {}): TrellisMetrics {
  const registry = options.registry ?? new Registry();
  const clock = options.clock ?? systemClock;
  const roots = new Set<SupervisorRef>();
  /** `supervisor/child` → the running incarnation and when it started (ms). */
  const started = new Map<string, { incarnation: number; at: number }>();
  /** `supervisor/child` → when its last incarnation exited (ms). */
  const exitedAt = new Map<string, number>();

  const registers = [registry];
  const restarts = new Counter({ name: 'trellis_child_restarts_total', help: 'Automatic restarts of a child.', labelNames: ['supervisor', 'child'] as const, registers });
  const replacements = new Counter({ name: 'trellis_child_replacements_total', help: 'Incarnations of a child replaced by a rolling restart.', labelNames: ['supervisor', 'child'] as const, registers });
  const rolls = new Counter({ name: 'trellis_rolling_restarts_total', help: 'Rolling restarts that ended, by outcome (completed, aborted).', labelNames: ['supervisor', 'outcome'] as const, registers });
  const intensity = new Counter({ name: 'trellis_intensity_exceeded_total', help: 'Times a supervisor exceeded its restart intensity and gave up.', labelNames: ['supervisor'] as const, registers });
  const restartDuration = new Histogram({
    name: 'trellis_restart_duration_seconds',
    help: "Time from a child's exit to the start of its next incarnation, for automatic restarts.",
    labelNames: ['supervisor', 'child'] as const,
    buckets: [...(options.restartBuckets ?? [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30])],
    registers,
  });

  const liveNodes = (): Array<{ supervisor: string; node: TreeNode }> => {
    const out: Array<{ supervisor: string; node: TreeNode }> = [];
    const visit = (parent: TreeNode): void => {
      for (const node of parent.children ?? []) {
        out.push({ supervisor: parent.path, node });
        visit(node);
      }
    };
    for (const root of roots) visit(tree(root));
    return out;
  };

  new Gauge({
    name: 'trellis_children',
    help: 'Children of a supervisor by status (starting, running, restarting, stopped), read at scrape time.',
    labelNames: ['supervisor', 'status'] as const,
    registers,
    collect() {
      this.reset();
      const counts = new Map<string, { supervisor: string; status: string; n: number }>();
      for (const { supervisor, node } of liveNodes()) {
        const key = `${supervisor}\u0000${node.status}`;
        const entry = counts.get(key) ?? { supervisor, status: node.status, n: 0 };
        entry.n += 1;
        counts.set(key, entry);
      }
      for (const { supervisor, status, n } of counts.values()) this.set({ supervisor, status }, n);
    },
  });

  new Gauge({
    name: 'trellis_child_uptime_seconds',
    help: 'How long the running incarnation of a child has been running, in seconds, computed at scrape time.',
    labelNames: ['supervisor', 'child'] as const,
    registers,
    collect() {
      this.reset();
      const now = clock.now();
      for (const { supervisor, node } of liveNodes()) {
        if (node.status !== 'running') continue;
        const key = `${supervisor}/${node.id}`;
        let start = started.get(key);
        if (start === undefined || start.incarnation !== node.incarnation) {
          start = { incarnation: node.incarnation, at: now }; // started before we were watching
          started.set(key, start);
        }
        this.set({ supervisor, child: node.id }, Math.max(0, now - start.at) / 1000);
      }
    },
  });

  if (options.defaultMetrics === true) collectDefaultMetrics({ register: registry });

  const handle: FactHandler = (fact: SupervisorFact) => {
    switch (fact.type) {
      case 'sup.child.started': {
        const key = `${fact.supervisor}/${fact.child}`;
        const now = clock.now();
        started.set(key, { incarnation: fact.incarnation, at: now });
        if (fact.cause === 'restart') {
          restarts.inc({ supervisor: fact.supervisor, child: fact.child });
          const exit = exitedAt.get(key);
          if (exit !== undefined) restartDuration.observe({ supervisor: fact.supervisor, child: fact.child }, Math.max(0, now - exit) / 1000);
        }
        exitedAt.delete(key);
        return;
      }
      case 'sup.child.exited': {
        const key = `${fact.supervisor}/${fact.child}`;
        // A rolling restart's replacement started before the incarnation it replaced exited.
        if ((started.get(key)?.incarnation ?? -1) > fact.incarnation) return;
        started.delete(key);
        if (fact.decision === 'delete') exitedAt.delete(key);
        else exitedAt.set(key, clock.now());
        return;
      }
      case 'sup.intensity.exceeded':
        intensity.inc({ supervisor: fact.supervisor });
        return;
      case 'sup.child.replaced':
        replacements.inc({ supervisor: fact.supervisor, child: fact.child });
        return;
      case 'sup.rollingRestart.completed':
      case 'sup.rollingRestart.aborted':
        rolls.inc({ supervisor: fact.supervisor, outcome: fact.type === 'sup.rollingRestart.completed' ? 'completed' : 'aborted' });
        return;
      case 'sup.stopped': {
        const prefix = `${fact.supervisor}/`;
        for (const key of [...started.keys()]) if (key.startsWith(prefix)) started.delete(key);
        for (const key of [...exitedAt.keys()]) if (key.startsWith(prefix)) exitedAt.delete(key);
        return;
      }
      default:
        return;
    }
  };

  const track = (root: SupervisorRef): Unsubscribe => {
    roots.add(root);
    return () => {
      roots.delete(root);
    };
  };

  return {
    registry,
    handle,
    track,
    attach(root) {
      const untrack = track(root);
      const unobserve = observeTree(root, handle);
      return () => {
        unobserve();
        untrack();
      };
    },
  };
}
