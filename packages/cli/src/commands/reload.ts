/**
 * `trellis run`'s reload: on SIGHUP, a rolling restart (`rollingRestart` from `@trellis/core`) of
 * the root's worker children, or of the supervisor `--reload` names by its path, with the order
 * and the outcome logged. One reload at a time: a SIGHUP during one is logged and ignored.
 *
 * @module
 */
import { rollingRestart, whichChildren, type SupervisorRef } from '@trellis/core';
import type { Logger } from 'pino';

/** What {@link reloadOnHangup} needs besides the tree. */
export interface ReloadOptions {
  readonly logger: Logger;
  /** The path of the supervisor to reload (`root/web`); default the root. */
  readonly path: string | undefined;
  /** Whether the tree is stopping (a reload then is refused, not started). */
  readonly stopping: () => boolean;
}

/** The supervisor at `path` under `root` (whose own id is the first segment), or why there is none. */
export function supervisorAt(root: SupervisorRef, rootId: string, path: string): SupervisorRef | string {
  const [first, ...rest] = path.split('/');
  if (first !== rootId) return `the root is '${rootId}', not '${first}'`;
  let at = root;
  let walked = rootId;
  for (const id of rest) {
    const child = whichChildren(at).find((c) => c.id === id);
    if (child === undefined) return `'${walked}' has no child '${id}'`;
    if (child.type !== 'supervisor' || child.ref === undefined) return `'${walked}/${id}' is not a running supervisor`;
    at = child.ref as SupervisorRef;
    walked = `${walked}/${id}`;
  }
  return at;
}

/** Listens for SIGHUP until disposed; each one rolls the target's worker children. */
export function reloadOnHangup(starting: Promise<SupervisorRef>, options: ReloadOptions): { dispose(): void } {
  const { logger } = options;
  let root: SupervisorRef | undefined;
  starting.then(
    (ref) => {
      root = ref;
    },
    () => {},
  );
  let running = false;
  const onHangup = (): void => {
    if (root === undefined || options.stopping()) {
      logger.warn({ event: 'reload.ignored', signal: 'SIGHUP', why: root === undefined ? 'the tree has not started yet' : 'the tree is stopping' }, 'SIGHUP ignored');
      return;
    }
    if (running) {
      logger.warn({ event: 'reload.ignored', signal: 'SIGHUP', why: 'a reload is under way' }, 'SIGHUP ignored: a reload is under way');
      return;
    }
    const rootId = (root as { logic?: { id?: string } }).logic?.id ?? root.id;
    const path = options.path ?? rootId;
    let target: SupervisorRef | string;
    try {
      target = supervisorAt(root, rootId, path);
    } catch (error) {
      target = error instanceof Error ? error.message : String(error);
    }
    if (typeof target === 'string') {
      logger.error({ event: 'reload.failed', signal: 'SIGHUP', target: path, why: target }, `cannot reload ${path}: ${target}`);
      return;
    }
    // The order rollingRestart follows by default: the running workers, in start order.
    const order = whichChildren(target)
      .filter((c) => c.type === 'worker' && c.status === 'running')
      .map((c) => c.id)
      .reverse();
    logger.info({ event: 'reload.started', signal: 'SIGHUP', target: path, order }, `reloading ${path}: ${order.join(', ') || '(no running worker)'}, one at a time`);
    running = true;
    rollingRestart(target, { children: order }).then(
      (report) => {
        running = false;
        if (report.outcome === 'completed') logger.info({ event: 'reload.completed', target: path, ...report }, `reloaded ${path}`);
        else logger.warn({ event: 'reload.aborted', target: path, ...report }, `reload of ${path} aborted (${report.reason ?? 'unknown'}): the old incarnations still run`);
      },
      (error: unknown) => {
        running = false;
        logger.error({ event: 'reload.failed', target: path, err: error }, `reload of ${path} failed`);
      },
    );
  };
  process.on('SIGHUP', onHangup);
  return { dispose: () => void process.off('SIGHUP', onHangup) };
}
