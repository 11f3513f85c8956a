// The `ctx` a fromWorker run gets: its methods and `signal` are made on first read and kept, so a
// worker may take them apart (`async ({ ready, heartbeat }) => ...`) and call them unbound, and a
// spread copies only the data fields (WorkerContext's remarks).
import { describe, expect, it } from 'vitest';
import { exit, fromWorker, stopSupervisor, whichChildren, type WorkerContext } from '@trellis/core';
import { flush, start } from '../helpers.js';

describe('WorkerContext', () => {
  it('keeps ready, heartbeat, sleep, setSubStatus and signal working when taken apart', async () => {
    const seen: { ctx?: WorkerContext } = {};
    const logic = fromWorker(
      async (ctx) => {
        seen.ctx = ctx;
        const { ready, heartbeat, sleep, setSubStatus, signal } = ctx;
        ready();
        setSubStatus({ state: 'warming' });
        while (!signal.aborted) {
          heartbeat();
          await sleep(50);
        }
        return exit.shutdown();
      },
      { awaitReady: true, heartbeatMs: 100 },
    );
    const { sup, clock } = await start({ id: 'root', children: [{ id: 'w', start: logic }] });
    // Started: ready() was called unbound; five 50 ms sleeps, each followed by a beat, keep the 100 ms heartbeat.
    for (let i = 0; i < 5; i++) {
      clock.advance(50);
      await flush();
    }
    expect(whichChildren(sup)[0]).toMatchObject({ status: 'running', incarnation: 0, subStatus: { state: 'warming' } });
    const ctx = seen.ctx!;
    expect(ctx.ready).toBe(ctx.ready);
    expect(ctx.sleep).toBe(ctx.sleep);
    expect(ctx.signal).toBe(ctx.signal);
    expect(Object.keys({ ...ctx }).sort()).toEqual(['clock', 'handover', 'input', 'logger']);
    const stopped = stopSupervisor(sup);
    await flush();
    expect(await stopped).toEqual({ reason: 'normal' });
    expect(ctx.signal.aborted).toBe(true);
  });
});
