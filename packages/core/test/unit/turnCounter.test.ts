// The restart loop's turn counter (decision 0025), on the real event loop: how many restarts it
// lets through before a turn, the one setImmediate it keeps armed, and what dispose() leaves.
import { describe, expect, it } from 'vitest';
import { nextTurn, RESTARTS_PER_TURN, TurnCounter } from '../../src/runtime/turns.js';

/** The pending `setImmediate`s of this process (each is an `Immediate` resource while it waits). */
const immediates = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Immediate').length;
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('TurnCounter', () => {
  it(`lets ${RESTARTS_PER_TURN} restarts through without a turn, asks for one on the next, and counts again once the loop has turned`, async () => {
    const counter = new TurnCounter();
    for (let i = 0; i < RESTARTS_PER_TURN; i++) expect(counter.restart(), `restart ${i + 1}`).toBe(false);
    expect(counter.restart()).toBe(true);
    expect(counter.restart()).toBe(true); // still no turn
    await turn();
    expect(counter.restart()).toBe(false);
    counter.dispose();
  });

  it('keeps exactly one setImmediate armed however many restarts it counts before a turn', async () => {
    const before = immediates();
    const counter = new TurnCounter();
    for (let i = 0; i < 10; i++) counter.restart();
    expect(immediates()).toBe(before + 1);
    await turn();
    expect(immediates()).toBe(before);
    counter.restart();
    expect(immediates()).toBe(before + 1);
    counter.dispose();
  });

  it('dispose() cancels the armed setImmediate and starts the count again', () => {
    const before = immediates();
    const counter = new TurnCounter();
    for (let i = 0; i < RESTARTS_PER_TURN; i++) counter.restart();
    counter.dispose();
    expect(immediates()).toBe(before);
    expect(counter.restart()).toBe(false); // the count starts again, a fresh turn is armed
    expect(immediates()).toBe(before + 1);
    counter.dispose();
    expect(immediates()).toBe(before);
  });

  it('nextTurn runs its function after the loop turns, never before, and not at all once cancelled', async () => {
    const ran: string[] = [];
    nextTurn(() => ran.push('kept'));
    const cancel = nextTurn(() => ran.push('cancelled'));
    cancel();
    await Promise.resolve();
    expect(ran).toEqual([]);
    await turn();
    expect(ran).toEqual(['kept']);
  });
});
