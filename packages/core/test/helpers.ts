import { defineSupervisor, startSupervisor, whichChildren, type SupervisorConfig, type SupervisorFact, type SupervisorRef } from '@trellis/core';
import { createTestClock, scriptedChild, settle, type ScriptedChild, type TestClock } from '@trellis/core/testing';

export { settle };

/**
 * Starts a supervisor on a fresh test clock and records every fact it emits. Tests read give-ups
 * from the facts, so the root opts out of its stderr line with a no-op `onGiveUp`.
 */
export async function start(config: SupervisorConfig, clock: TestClock = createTestClock(1_000)) {
  const facts: SupervisorFact[] = [];
  const sup = await startSupervisor(defineSupervisor(config), { clock, onGiveUp: () => {} });
  sup.on('*', (fact) => facts.push(fact as SupervisorFact));
  return { sup, clock, facts };
}

/** `[id, status, incarnation]` rows, newest first, as which_children lists them. */
export function rows(sup: SupervisorRef): Array<[string, string, number]> {
  return whichChildren(sup).map((c) => [c.id, c.status, c.incarnation]);
}

/** The running actor id of each child, to check which children got a new incarnation. */
export function actors(sup: SupervisorRef): Record<string, string | undefined> {
  return Object.fromEntries(whichChildren(sup).map((c) => [c.id, c.ref?.id]));
}

/** `n` scripted children with ids `c1..cn`, and their specs. */
export function scripted(n: number, extra: Partial<{ restart: 'permanent' | 'transient' | 'temporary' }> = {}) {
  const kids: ScriptedChild[] = [];
  const specs = [];
  for (let i = 1; i <= n; i++) {
    const kid = scriptedChild();
    kids.push(kid);
    specs.push({ id: `c${i}`, start: kid, ...extra });
  }
  return { kids, specs };
}

/** Lets the event loop run a few turns: enough for promise settlement and queued events. */
export async function flush(turns = 3): Promise<void> {
  for (let i = 0; i < turns; i++) await settle();
}

export function stateOf(sup: SupervisorRef): string {
  return String(sup.getSnapshot().value);
}
