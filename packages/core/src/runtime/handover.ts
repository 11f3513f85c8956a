/**
 * What a child incarnation is given when it starts: its {@link Handover}, and the input its kind
 * of logic takes. Made here and nowhere else.
 *
 * @module
 */
import type { Logger } from '../logger.js';
import type { Handover } from '../types.js';
import type { ChildRecord } from './childTable.js';
import type { TreeContext } from './SupervisorRuntime.js';

/** The handover of the incarnation `incarnation` of a child: the exit of the one before it. */
export function handoverOf(rec: ChildRecord, incarnation: number): Handover {
  return { resumeId: rec.resumeId, incarnation, previousExit: rec.lastExit };
}

/**
 * The child's input, by its protocol's kind: a worker gets `{ handover, input, logger, clock }`,
 * a child supervisor its spec's input with its handover and the tree's context, other logic its
 * spec's input with its handover. `tree` is the supervisor's own context (its path, logger,
 * clock and handover memory); a child supervisor's path is the supervisor's path and its id.
 */
export function childInput(rec: ChildRecord, handover: Handover, logger: Logger, tree: TreeContext): unknown {
  if (rec.protocol.kind === 'worker') return { handover, input: rec.spec.input, logger, clock: tree.clock };
  if (rec.protocol.kind === 'supervisor') return { ...rec.spec.input, handover, trellis: { ...tree, path: `${tree.path}/${rec.spec.id}` } };
  return { ...rec.spec.input, handover };
}
