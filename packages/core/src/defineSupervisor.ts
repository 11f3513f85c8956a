/**
 * `defineSupervisor`: validates a supervisor's flags and children and builds its XState v5
 * machine. The machine conducts; the arithmetic and the child table live in pure modules and in
 * the runtime it holds.
 *
 * @module
 */
import { setup, type ActorRefFrom } from 'xstate';
import { withChildProtocol } from './childProtocol.js';
import { childSpec, childSpecIssues } from './childSpec.js';
import { unknownKeyMessage, unknownKeys } from './validation/unknownKeys.js';
import { isClock, systemClock, type Clock } from './clock.js';
import { DuplicateChildIdError, InvalidChildSpecError, InvalidSupervisorFlagsError, type SupervisorError } from './errors.js';
import type { SupervisorFact } from './events.js';
import type { Logger } from './logger.js';
import { PHASE_EVENT, runtimeEventOf } from './runtime/events.js';
import type { Phase, ResolvedConfig, TreeContext } from './runtime/config.js';
import type { RuntimeEvent } from './runtime/events.js';
import { SupervisorRuntime } from './runtime/SupervisorRuntime.js';
import type { ChildSpec, Handover, SupervisorConfig, SupervisorExit } from './types.js';
import { interceptTransition } from './xstateInternals.js';

/** OTP's default intensity (MaxR). */
export const DEFAULT_INTENSITY = 1;
/** OTP's default period (MaxT), 5 seconds, in milliseconds. */
export const DEFAULT_PERIOD_MS = 5_000;

/**
 * The input a supervisor actor takes: what a parent supervisor passes down.
 *
 * @remarks
 * A root supervisor needs none. A child supervisor gets its own {@link Handover} from its parent,
 * like any child, plus the tree's shared context (its path, logger, clock and handover memory)
 * under `trellis`.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import type { SupervisorInput } from '@trellis/core';
 * const input: SupervisorInput = { handover: { resumeId: 'root/sub', incarnation: 0, previousExit: null } };
 * assert.equal(input.handover?.incarnation, 0);
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface SupervisorInput {
  /** This supervisor's own handover, when it is a child. */
  readonly handover?: Handover;
  /**
   * Tree context from the parent: path, logger, clock and the tree's handover memory.
   *
   * @internal
   */
  readonly trellis?: Partial<TreeContext>;
  readonly [key: string]: unknown;
}

/**
 * The context of a supervisor machine: the runtime that holds its child table, opaque.
 *
 * @remarks
 * The runtime is mutable on purpose: copying a child table on every event is what makes naive
 * XState supervisors quadratic (DESIGN §7). It is not public API, so its type here shows only
 * its `toJSON()`, which is what the inspector shows; read a supervisor with the command functions
 * ({@link whichChildren} and the others).
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { defineSupervisor, startSupervisor, stopSupervisor, type SupervisorContext } from '@trellis/core';
 * const sup = await startSupervisor(defineSupervisor({ id: 'root', children: [] }));
 * const context: SupervisorContext = sup.getSnapshot().context;
 * assert.ok(context.runtime);
 * await stopSupervisor(sup);
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface SupervisorContext {
  /** The supervisor's runtime: its child table, restart window and running job. Opaque; not public API. */
  readonly runtime: {
    /** What the inspector shows: the supervisor's path, strategy and children. */
    toJSON(): unknown;
  };
}

/**
 * The runtime behind a supervisor's opaque context (core's own modules only).
 *
 * @internal
 */
export function runtimeIn(context: SupervisorContext): SupervisorRuntime {
  return context.runtime as SupervisorRuntime;
}

/**
 * The events a supervisor machine takes.
 *
 * @remarks
 * They are commands (sent by the command functions), the supervisor's own timers and retries, its
 * children's `xstate.done.actor.*` and `xstate.error.actor.*` events, and `sup.phase`, which the
 * machine takes when its phase changes. They are internal: send commands with the command
 * functions, which validate them and return their replies.
 *
 * @example
 * ```ts no-run
 * import type { SupervisorEvent } from '@trellis/core';
 * declare const event: SupervisorEvent;
 * const type: string = event.type;
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export type SupervisorEvent =
  | RuntimeEvent
  | {
      /** The machine's own event: its phase moved, and its state follows. */
      type: 'sup.phase';
    };

function isActorLogicLike(value: object): boolean {
  return typeof (value as { transition?: unknown }).transition === 'function' && typeof (value as { getInitialSnapshot?: unknown }).getInitialSnapshot === 'function';
}

/** The keys of a static supervisor's config, in the order the docs list them. */
export const SUPERVISOR_KEYS = ['id', 'children', 'strategy', 'intensity', 'periodMs', 'autoShutdown', 'logger', 'clock', 'handoverStore', 'restartBudget', 'random'] as const;

/** The configuration errors of a supervisor: a bad flag, a bad child spec, a repeated child id. */
type ConfigIssue = InvalidSupervisorFlagsError | InvalidChildSpecError | DuplicateChildIdError;

/**
 * Validates a supervisor's config: throws its first error, or returns it resolved.
 *
 * @param config - the config as written.
 * @param keys - the keys the config may have (a dynamic supervisor has its own).
 */
export function resolveConfig(config: SupervisorConfig, keys: readonly string[] = SUPERVISOR_KEYS): ResolvedConfig {
  const issues: ConfigIssue[] = [];
  const resolved = checkConfig(config, keys, issues, true);
  if (resolved === undefined) throw issues[0]!;
  return resolved;
}

/**
 * Every rule a supervisor's config breaks, its children's specs included: what
 * {@link defineSupervisor} would throw, listed.
 *
 * @remarks
 * For tools that report a whole configuration at once (`trellis check`). An empty array means
 * {@link defineSupervisor} accepts the config. Each child's spec is checked with
 * {@link childSpecIssues}; set `children` to `false` to check the flags alone (a caller that
 * checks the children itself, such as a tree of nested configs).
 *
 * @param config - the config as written.
 * @param options - `children: false` to leave the children out.
 * @returns one error per broken rule; empty when the config is valid.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { supervisorConfigIssues } from '@trellis/core';
 * const issues = supervisorConfigIssues({ id: 'root', stratgey: 'one_for_all', intensity: -1, children: [] } as never);
 * assert.deepEqual(issues.map((issue) => issue.message), [
 *   "unknown key 'stratgey' in supervisor 'root' — did you mean 'strategy'?",
 *   'Supervisor "root": intensity must be an integer >= 0 (invalid_intensity), got -1.',
 * ]);
 * ```
 *
 * @category errors
 * @since 0.1.0
 */
export function supervisorConfigIssues(config: unknown, options: { readonly children?: boolean } = {}): SupervisorError[] {
  const issues: ConfigIssue[] = [];
  checkConfig(config as SupervisorConfig, SUPERVISOR_KEYS, issues, options.children !== false);
  return issues;
}

function checkConfig(config: SupervisorConfig, keys: readonly string[], issues: ConfigIssue[], withChildren: boolean): ResolvedConfig | undefined {
  if (typeof config !== 'object' || config === null) {
    issues.push(new InvalidSupervisorFlagsError(undefined, 'config', 'must be an object', config));
    return undefined;
  }
  if (isActorLogicLike(config)) {
    issues.push(new InvalidSupervisorFlagsError(undefined, 'config', 'must be a config object, not actor logic (it is already defined)', config));
    return undefined;
  }
  const { id, strategy = 'one_for_one', intensity = DEFAULT_INTENSITY, periodMs = DEFAULT_PERIOD_MS, autoShutdown = 'never' } = config;
  const fail = (field: string, rule: string, value: unknown): void => {
    issues.push(new InvalidSupervisorFlagsError(id, field, rule, value));
  };
  for (const key of unknownKeys(config, keys)) {
    issues.push(
      new InvalidSupervisorFlagsError(id, key, 'is not a known key', (config as unknown as Record<string, unknown>)[key], unknownKeyMessage(key, `supervisor ${typeof id === 'string' ? `'${id}'` : '(no id)'}`, keys)),
    );
  }
  if (typeof id !== 'string' || id.length === 0) fail('id', 'must be a non-empty string', id);
  else if (id.includes('/')) fail('id', "must not contain '/' (it separates path segments)", id);
  if (strategy !== 'one_for_one' && strategy !== 'one_for_all' && strategy !== 'rest_for_one')
    fail('strategy', "must be 'one_for_one', 'one_for_all' or 'rest_for_one' (invalid_strategy)", strategy);
  if (typeof intensity !== 'number' || !Number.isInteger(intensity) || intensity < 0)
    fail('intensity', 'must be an integer >= 0 (invalid_intensity)', intensity);
  if (typeof periodMs !== 'number' || !Number.isFinite(periodMs) || periodMs <= 0)
    fail('periodMs', 'must be a finite number of milliseconds > 0 (invalid_period)', periodMs);
  if (autoShutdown !== 'never' && autoShutdown !== 'any_significant' && autoShutdown !== 'all_significant')
    fail('autoShutdown', "must be 'never', 'any_significant' or 'all_significant' (invalid_auto_shutdown)", autoShutdown);
  if (config.clock !== undefined && !isClock(config.clock)) fail('clock', 'must have now(), setTimeout() and clearTimeout()', config.clock);
  if (config.logger !== undefined && (typeof config.logger !== 'object' || config.logger === null || typeof config.logger.child !== 'function'))
    fail('logger', 'must be a pino-like logger with child(), info(), warn(), error() and debug()', config.logger);
  if (config.restartBudget !== undefined && typeof config.restartBudget !== 'function')
    fail('restartBudget', 'must be a function that makes a RestartBudget (e.g. () => new DecayingRestartBudget())', config.restartBudget);
  if (config.random !== undefined && typeof config.random !== 'function') fail('random', 'must be a function returning numbers in [0, 1)', config.random);
  const store = config.handoverStore;
  if (store !== undefined && (typeof store !== 'object' || store === null || typeof store.load !== 'function' || typeof store.write !== 'function' || typeof store.delete !== 'function'))
    fail('handoverStore', 'must have load(), write() and delete()', store);
  const children: ChildSpec[] = [];
  if (!Array.isArray(config.children)) fail('children', 'must be an array of child specs', config.children);
  else if (withChildren) {
    const seen = new Set<string>();
    const resumeIds = new Set<string>();
    for (const input of config.children) {
      const childIssues = childSpecIssues(input);
      if (childIssues.length > 0) {
        issues.push(...childIssues);
        continue;
      }
      const spec = childSpec(input);
      if (seen.has(spec.id)) issues.push(new DuplicateChildIdError(typeof id === 'string' ? id : String(id), spec.id));
      seen.add(spec.id);
      if (spec.resumeId !== undefined) {
        if (resumeIds.has(spec.resumeId))
          issues.push(new InvalidChildSpecError(spec.id, 'resumeId', 'must be unique among the children of one supervisor', spec.resumeId));
        resumeIds.add(spec.resumeId);
      }
      if (spec.significant && autoShutdown === 'never')
        issues.push(new InvalidChildSpecError(spec.id, 'significant', "cannot be true when the supervisor's autoShutdown is 'never' (bad_combination)", true));
      children.push(spec);
    }
  }
  if (issues.length > 0) return undefined;
  // Every check above passed, so the values have the types the config's type promises.
  return {
    id: id as string,
    strategy,
    intensity,
    periodMs,
    autoShutdown,
    children,
    logger: config.logger as Logger | undefined,
    clock: config.clock as Clock | undefined,
    handoverStore: store,
    restartBudget: config.restartBudget,
    random: config.random ?? Math.random,
    dynamic: undefined,
  };
}

/** A state's answer to `sup.phase`: go to the state of the runtime's phase. */
function phaseTransitions(except: Phase) {
  return (['starting', 'running', 'restarting', 'shuttingDown', 'stopped'] as const)
    .filter((phase) => phase !== except && phase !== 'starting')
    .map((phase) => ({ guard: { type: 'phaseIs' as const, params: { phase } }, target: phase }));
}

function buildMachine(config: ResolvedConfig) {
  return setup({
    types: {} as {
      context: SupervisorContext;
      input: SupervisorInput | undefined;
      output: SupervisorExit;
      events: SupervisorEvent;
      emitted: SupervisorFact;
    },
    actions: {
      requestInit: ({ self }) => self.send({ type: 'sup.init' }),
    },
    guards: {
      phaseIs: ({ context }, params: { phase: Phase }) => runtimeIn(context).phase === params.phase,
    },
  }).createMachine({
    // `@internal` on the keys below: SupervisorRef's type carries this config's inferred type, so
    // typedoc would document it (under startSupervisor); the machine's config is not public API.
    /** @internal */
    id: config.id,
    /** @internal */
    context: ({ input, self }) => ({
      runtime: new SupervisorRuntime(config, self, input?.trellis, isClock((self as { clock?: unknown }).clock) ? ((self as { clock?: unknown }).clock as Clock) : systemClock),
    }),
    /** @internal */
    initial: 'starting',
    /** @internal */
    states: {
      starting: {
        entry: 'requestInit',
        on: { [PHASE_EVENT]: phaseTransitions('starting') },
      },
      running: { on: { [PHASE_EVENT]: phaseTransitions('running') } },
      restarting: { on: { [PHASE_EVENT]: phaseTransitions('restarting') } },
      shuttingDown: { on: { [PHASE_EVENT]: phaseTransitions('shuttingDown') } },
      stopped: { type: 'final' },
    },
    /** @internal */
    output: ({ context }) => runtimeIn(context).exit ?? { reason: 'shutdown' },
  });
}

/**
 * The actor logic of a supervisor: an XState v5 state machine.
 *
 * @remarks
 * What {@link defineSupervisor} and {@link defineDynamicSupervisor} return: start it with
 * {@link startSupervisor} as a root, or use it as the `start` of a child spec to nest it (OTP's supervisor
 * child of `type => supervisor`). The logic is a description; each actor started from it has its
 * own children.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { defineSupervisor, type SupervisorLogic } from '@trellis/core';
 * const logic: SupervisorLogic = defineSupervisor({ id: 'root', children: [] });
 * assert.equal(typeof logic.transition, 'function');
 * ```
 *
 * @category models
 * @since 0.1.0
 */
// An interface, not a type alias: TypeScript forgets the alias of an instantiated class type, so
// every signature would show (and typedoc would document) xstate's bare `StateMachine<…>`.
export interface SupervisorLogic extends ReturnType<typeof buildMachine> {}

/**
 * A running supervisor: the XState actor itself.
 *
 * @remarks
 * Every command accepts it, including the `ref` of a child supervisor from {@link whichChildren}.
 * It plays the part of OTP's supervisor pid; its `on(type, handler)` delivers the
 * {@link SupervisorFact}s it emits.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { defineSupervisor, startSupervisor, stopSupervisor, type SupervisorRef } from '@trellis/core';
 * const sup: SupervisorRef = await startSupervisor(defineSupervisor({ id: 'root', children: [] }));
 * assert.equal(sup.getSnapshot().status, 'active');
 * await stopSupervisor(sup);
 * ```
 *
 * @category models
 * @since 0.1.0
 */
// An interface for the same reason as SupervisorLogic.
export interface SupervisorRef extends ActorRefFrom<SupervisorLogic> {}

/**
 * A running supervisor that is not a dynamic one: what {@link restartChild} and
 * {@link deleteChild} take.
 *
 * @remarks
 * Every {@link SupervisorRef} is one, except a {@link DynamicSupervisorRef}: passing that fails to
 * compile, where OTP (and a ref whose kind the compiler cannot see) answers `simple_one_for_one`
 * at run time with a {@link DynamicSupervisorError}.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { defineSupervisor, startSupervisor, stopSupervisor, type StaticSupervisorRef } from '@trellis/core';
 * const sup: StaticSupervisorRef = await startSupervisor(defineSupervisor({ id: 'root', children: [] }));
 * assert.equal(sup.supervisorKind, 'static');
 * await stopSupervisor(sup);
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export type StaticSupervisorRef = SupervisorRef & {
  /** `'static'` on every supervisor actor that is not dynamic (set when it starts). */
  readonly supervisorKind?: 'static';
};

/**
 * Defines a supervisor: validates its flags and children, and returns its XState v5 machine.
 *
 * @remarks
 * The result is ordinary XState actor logic. Start it with {@link startSupervisor} (or
 * `createActor(logic).start()`), or list it as a child's `start` to nest it; a supervisor is
 * just a child. Its machine states are `starting`, `running`, `restarting`, `shuttingDown` and
 * `stopped` (final, with a {@link SupervisorExit} as output), so the Stately Inspector shows
 * what it is doing. Defaults are OTP's: `strategy` `'one_for_one'`, `intensity` 1, `periodMs`
 * 5000, `autoShutdown` `'never'`. Definition errors are eager: every spec is validated here.
 *
 * @param config - the supervisor's id, children and flags.
 * @returns the supervisor's machine.
 * @throws {@link InvalidSupervisorFlagsError} when a flag breaks its rule or is unknown: `stratgey`
 * is an error that names `strategy` (decision 0009). {@link supervisorConfigIssues} lists every error.
 * @throws {@link InvalidChildSpecError} when a child spec breaks its rule, including `significant` with `autoShutdown: 'never'`.
 * @throws {@link DuplicateChildIdError} when two children share an id.
 *
 * @example A two-level tree
 * ```ts
 * import assert from 'node:assert/strict';
 * import { defineSupervisor, fromWorker, startSupervisor, stopSupervisor, whichChildren } from '@trellis/core';
 * const idle = fromWorker(({ signal }) => new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve())));
 * const db = defineSupervisor({ id: 'db', strategy: 'rest_for_one', children: [{ id: 'pool', start: idle }, { id: 'writer', start: idle }] });
 * const root = defineSupervisor({ id: 'root', children: [{ id: 'db', start: db }, { id: 'http', start: idle }] });
 * const sup = await startSupervisor(root);
 * assert.deepEqual(whichChildren(sup).map((c) => c.id), ['http', 'db']);
 * assert.deepEqual(await stopSupervisor(sup), { reason: 'normal' });
 * ```
 *
 * @category constructors
 * @since 0.1.0
 */
export function defineSupervisor(config: SupervisorConfig): SupervisorLogic {
  return supervisorLogic(resolveConfig(config));
}

/** Builds the machine of a validated configuration (static or dynamic). */
export function supervisorLogic(resolved: ResolvedConfig): SupervisorLogic {
  const machine = buildMachine(resolved);
  interceptTransition(machine, {
    // The door (decision 0028): every event of the runtime, a child's end renamed to a fixed type,
    // goes to the runtime here, in mailbox order; the machine's config takes `sup.phase` only when
    // the event moved the runtime's phase, so most events (a restart, a child stopped in a
    // shutdown) cost no macrostep.
    take: (snapshot, event) => {
      const runtimeEvent = runtimeEventOf(event);
      if (runtimeEvent === undefined) return undefined;
      const runtime = runtimeIn(snapshot.context);
      runtime.handle(runtimeEvent);
      return runtime.phaseMoved() ? { type: PHASE_EVENT } : null;
    },
    // XState stops a machine's own `snapshot.children` when the machine is stopped, but the
    // supervisor keeps its children in its runtime; so a supervisor stopped from outside (its
    // parent's brutal_kill, `actor.stop()`) kills them here, as a killed OTP supervisor's links do.
    // A transition that throws leaves the actor in error: its children die with it too.
    stopped: (snapshot) => runtimeIn(snapshot.context).kill(),
    failed: (snapshot) => runtimeIn(snapshot.context).kill(),
  });
  return withChildProtocol(machine, { gracefulStop: true, awaitReady: true, kind: 'supervisor' });
}
