/**
 * What differs between a static supervisor and a dynamic one (OTP `simple_one_for_one`), in one
 * object: how `startChild` makes a child, which commands exist, whether a child that is not
 * restarted keeps its spec, how shutdown stops the children, and what `countChildren` counts as
 * specs. The runtime asks its policy instead of testing `config.dynamic`.
 *
 * @module
 */
import { childSpec, isPlainObject } from '../childSpec.js';
import { ChildAlreadyPresentError, ChildAlreadyStartedError, InvalidChildSpecError, MaxChildrenError } from '../errors.js';
import type { ChildSpec, ChildSpecInput, DynamicChildInput } from '../types.js';
import { unknownKeyMessage, unknownKeys } from '../validation/unknownKeys.js';
import { stopAllInParallel } from './childLifecycle.js';
import type { ChildRecord } from './childTable.js';
import type { Job } from './jobs.js';
import { stopAllInOrder } from './supervisorLifecycle.js';
import type { ResolvedConfig, SupervisorRuntime } from './SupervisorRuntime.js';

/** How a supervisor of one kind treats its children. */
export interface SupervisorPolicy {
  readonly kind: 'static' | 'dynamic';
  /**
   * `startChild`'s argument as a new record in the table, or the error to reject the call with.
   * The record is in the table (and its ResumeID claimed) when one is returned.
   */
  addChild(rt: SupervisorRuntime, input: ChildSpec | ChildSpecInput | DynamicChildInput | undefined): ChildRecord | Error;
  /** `restartChild` and `deleteChild` exist (a dynamic supervisor keeps no stopped specs to act on). */
  readonly keepsSpecs: boolean;
  /** A child that is not restarted, or is stopped by `terminateChild`, leaves no spec behind. */
  readonly dropsStoppedChildren: boolean;
  /** Stops every child at shutdown: one at a time in reverse order, or all at once. */
  stopAll(rt: SupervisorRuntime): Job;
  /** What `countChildren` reports as `specs`. */
  specCount(rt: SupervisorRuntime): number;
}

/** OTP's static supervisor: specs by id, kept after their child stops; ordered shutdown. */
export const staticPolicy: SupervisorPolicy = {
  kind: 'static',
  addChild(rt, input) {
    let spec: ChildSpec;
    try {
      spec = childSpec(input as ChildSpec | ChildSpecInput);
    } catch (error) {
      return error as Error;
    }
    const existing = rt.table.get(spec.id);
    if (existing !== undefined) {
      return existing.state === 'running' || existing.state === 'starting'
        ? new ChildAlreadyStartedError(rt.path, spec.id)
        : new ChildAlreadyPresentError(rt.path, spec.id);
    }
    const rec = rt.table.newRecord(spec, true);
    return rt.table.add(rec) ?? rec;
  },
  keepsSpecs: true,
  dropsStoppedChildren: false,
  stopAll: stopAllInOrder,
  specCount: (rt) => rt.table.size,
};

/** OTP simple_one_for_one / Elixir DynamicSupervisor: one template, generated ids, a limit, parallel shutdown. */
export function dynamicPolicy(dynamic: NonNullable<ResolvedConfig['dynamic']>): SupervisorPolicy {
  const { template, maxChildren } = dynamic;
  let seq = 0;
  return {
    kind: 'dynamic',
    // OTP simple_one_for_one `start_child(Sup, ExtraArgs)`: the template with extra input, a generated id.
    addChild(rt, arg) {
      const input = arg as DynamicChildInput | undefined;
      const extra = input?.input;
      if (input !== undefined && (!isPlainObject(input) || 'start' in input || (extra !== undefined && !isPlainObject(extra)))) {
        return new InvalidChildSpecError(template.id, 'input', 'must be { input?: plain object } for a dynamic supervisor (the spec is its template)', input);
      }
      const unknown = input === undefined ? [] : unknownKeys(input, ['input']);
      if (unknown.length > 0) {
        const key = unknown[0]!;
        return new InvalidChildSpecError(template.id, key, 'is not a known key', (input as Record<string, unknown>)[key], unknownKeyMessage(key, `startChild's argument for dynamic supervisor '${rt.path}'`, ['input']));
      }
      if (rt.table.size >= maxChildren) return new MaxChildrenError(rt.path, maxChildren);
      const id = `${template.id}-${++seq}`;
      const spec: ChildSpec = { ...template, id, input: extra === undefined ? template.input : { ...template.input, ...extra } };
      const rec = rt.table.newRecord(spec, true);
      rt.table.addUnclaimed(rec);
      return rec;
    },
    keepsSpecs: false,
    dropsStoppedChildren: true,
    stopAll: (rt) => stopAllInParallel(rt, template.shutdown),
    // OTP simple_one_for_one counts its one template as the only spec.
    specCount: () => 1,
  };
}
