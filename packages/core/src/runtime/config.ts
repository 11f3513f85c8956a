/**
 * The types the machine and the runtime share: a supervisor's validated config, the tree
 * context a parent passes down, and the phase the machine mirrors. Types only, so the public
 * declarations that mention them never reach the runtime's class.
 *
 * @module
 */
import type { Clock } from '../clock.js';
import type { HandoverRegistry } from '../handover/HandoverRegistry.js';
import type { HandoverStore } from '../handover/HandoverStore.js';
import type { Logger } from '../logger.js';
import type { RestartBudget } from '../restartBudget.js';
import type { AutoShutdown, ChildSpec, Strategy } from '../types.js';

/** The machine state that mirrors what the runtime is doing. */
export type Phase = 'starting' | 'running' | 'restarting' | 'shuttingDown' | 'stopped';

/** Flags after validation, with defaults filled. */
export interface ResolvedConfig {
  readonly id: string;
  readonly strategy: Strategy;
  readonly intensity: number;
  readonly periodMs: number;
  readonly autoShutdown: AutoShutdown;
  readonly children: readonly ChildSpec[];
  readonly logger: Logger | undefined;
  readonly clock: Clock | undefined;
  readonly handoverStore: HandoverStore | undefined;
  /** Makes the restart budget of one supervisor incarnation; default OTP's intensity window. */
  readonly restartBudget: (() => RestartBudget) | undefined;
  /** Backoff jitter's random source. */
  readonly random: () => number;
  /** Set for a dynamic supervisor (OTP simple_one_for_one): its child template and limit. */
  readonly dynamic: { readonly template: ChildSpec; readonly maxChildren: number } | undefined;
}

/** What a parent supervisor passes down to a child supervisor, besides its handover. */
export interface TreeContext {
  readonly path: string;
  readonly logger: Logger;
  readonly clock: Clock;
  /** The tree's handover memory: one per tree, made by the root. */
  readonly registry: HandoverRegistry;
}
