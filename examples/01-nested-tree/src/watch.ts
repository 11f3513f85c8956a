/**
 * Turns the facts a tree of supervisors emits into one readable line per restart.
 *
 * Every supervisor is an XState actor that `emit`s facts; `ref.on(type, handler)` subscribes to
 * them. A fact is about one supervisor only, so to watch a tree we subscribe to the root and to
 * every nested supervisor, and again to a nested supervisor's new incarnation after a restart.
 */
import { whichChildren, type ExitStatus, type SupervisorRef } from '@trellis/core';

/** One automatic restart, as seen by the supervisor that did it. */
export interface Restart {
  /** The supervisor's path, e.g. `root/db`. */
  readonly supervisor: string;
  readonly child: string;
  /** How the previous incarnation ended. */
  readonly exit: ExitStatus | undefined;
  /** The new incarnation. */
  readonly incarnation: number;
  /** `[root/db] writer crashed (error: boom) -> restarted as incarnation 2` */
  readonly line: string;
}

/**
 * Says how an incarnation ended, in a few words.
 *
 * @param exit - the exit status from a `sup.child.exited` fact.
 * @returns e.g. `crashed (error: boom)` or `stopped as a bystander (pool crashed)`.
 */
export function describeExit(exit: ExitStatus | undefined): string {
  if (exit === undefined) return 'exited';
  const detail = exit.detail as { message?: unknown; offender?: unknown } | string | undefined;
  switch (exit.reason) {
    case 'error':
      return `crashed (error: ${typeof detail === 'object' && detail !== null ? String(detail.message) : 'unknown'})`;
    case 'bystander':
      return `stopped as a bystander (${typeof detail === 'object' && detail !== null ? String(detail.offender) : 'a sibling'} failed)`;
    case 'shutdown':
      return typeof detail === 'string' ? `shut down (${detail})` : 'shut down';
    default:
      return `exited (${exit.reason})`;
  }
}

/**
 * Subscribes to `ref` and to every supervisor below it, and reports each automatic restart.
 *
 * @param ref - a running supervisor.
 * @param onRestart - called once per restart, when the new incarnation has started.
 * @param onGiveUp - called when a supervisor exceeds its restart intensity.
 */
export function watchTree(ref: SupervisorRef, onRestart: (restart: Restart) => void, onGiveUp: (line: string) => void = () => {}): void {
  const lastExit = new Map<string, ExitStatus>();
  ref.on('sup.child.exited', (fact) => {
    lastExit.set(fact.child, fact.exit);
  });
  ref.on('sup.child.started', (fact) => {
    // A nested supervisor that was (re)started is a new actor: watch it too.
    if (fact.cause !== 'init') watchChildSupervisor(ref, fact.child, onRestart, onGiveUp);
    if (fact.cause !== 'restart') return;
    const exit = lastExit.get(fact.child);
    const line = `[${fact.supervisor}] ${fact.child} ${describeExit(exit)} -> restarted as incarnation ${fact.incarnation}`;
    onRestart({ supervisor: fact.supervisor, child: fact.child, exit, incarnation: fact.incarnation, line });
  });
  ref.on('sup.intensity.exceeded', (fact) => {
    onGiveUp(`[${fact.supervisor}] gave up: more than ${fact.intensity} restarts in ${fact.periodMs} ms (last: ${fact.child})`);
  });
  for (const child of whichChildren(ref)) {
    if (child.type === 'supervisor') watchChildSupervisor(ref, child.id, onRestart, onGiveUp);
  }
}

function watchChildSupervisor(parent: SupervisorRef, id: string, onRestart: (restart: Restart) => void, onGiveUp: (line: string) => void): void {
  const info = whichChildren(parent).find((child) => child.id === id);
  // ChildInfo.ref of a child supervisor is a SupervisorRef (DESIGN §2.1); its static type is AnyActorRef.
  if (info?.type === 'supervisor' && info.ref !== undefined) watchTree(info.ref as SupervisorRef, onRestart, onGiveUp);
}
