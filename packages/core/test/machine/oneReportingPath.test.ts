// Issue 13, one reporting path: the runtime emits facts only, and its logger writes exactly the
// report core's toReport makes of each fact (the one @trellis/observe's reporter writes too).
import { describe, expect, it } from 'vitest';
import { defineSupervisor, DecayingRestartBudget, startSupervisor, stopSupervisor, toReport, type Logger, type SupervisorFact } from '@trellis/core';
import { createTestClock, scriptedChild, settle } from '@trellis/core/testing';

function recordingLogger(): { logger: Logger; records: Array<{ level: string; msg: string | undefined; fields: Record<string, unknown> }> } {
  const records: Array<{ level: string; msg: string | undefined; fields: Record<string, unknown> }> = [];
  const make = (): Logger => {
    const at = (level: string) => (fields: object, msg?: string) => void records.push({ level, msg, fields: fields as Record<string, unknown> });
    return { child: () => make(), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  };
  return { logger: make(), records };
}

describe('one reporting path', () => {
  it('every log line of a supervisor is the report of a fact it emitted, in order, at the level toReport gives', async () => {
    const { logger, records } = recordingLogger();
    const clock = createTestClock(1_000);
    const db = scriptedChild();
    const cache = scriptedChild();
    const logic = defineSupervisor({
      id: 'root',
      logger,
      restartBudget: () => new DecayingRestartBudget({ threshold: 3, decayMs: 30_000, pauseMs: 15_000 }),
      children: [
        { id: 'db', start: db },
        { id: 'cache', start: cache, backoff: { minMs: 100, maxMs: 1_000, factor: 2, jitter: 0, resetAfterMs: 10_000 } },
      ],
    });
    const facts: SupervisorFact[] = [];
    const sup = await startSupervisor(logic, { clock });
    sup.on('*', (fact) => facts.push(fact as SupervisorFact));
    records.length = 0;
    cache.crash(new Error('cold'));
    await settle();
    clock.advance(100);
    await settle();
    db.failStarts(1);
    db.crash(new Error('boom'));
    await settle();
    await settle();
    for (let i = 0; i < 3; i++) {
      db.crash();
      await settle();
    }
    await stopSupervisor(sup);

    const types = new Set(facts.map((fact) => fact.type));
    for (const type of ['sup.child.exited', 'sup.child.restarting', 'sup.child.started', 'sup.child.startFailed', 'sup.stopped'] as const) expect(types).toContain(type);
    expect(facts.some((f) => f.type === 'sup.child.restarting' && f.cause === 'budget')).toBe(true);
    expect(facts.some((f) => f.type === 'sup.child.restarting' && f.cause === 'backoff')).toBe(true);
    expect(records.map((r) => [r.level, r.msg, r.fields['event']])).toEqual(
      facts.map((fact) => {
        const report = toReport(fact);
        return [report.level, report.msg, report.fields.event];
      }),
    );
    // `sup.child.restarting` is a warning wherever it is written (decision 0017).
    expect(records.filter((r) => r.fields['event'] === 'sup.child.restarting').every((r) => r.level === 'warn')).toBe(true);
  });
});
