/** Shared helpers of the reliability tests. */
import { afterEach, beforeEach, expect } from 'vitest';

/** Whether the long soak variant runs (`TRELLIS_SOAK=1`). */
export const SOAK = process.env.TRELLIS_SOAK === '1';

/** Rejects with a timeout error if `promise` has not settled in `ms` real milliseconds: no await may hang. */
export function bounded<T>(promise: Promise<T>, ms = 2_000, what = 'operation'): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms (a hang)`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** What a promise came to, without throwing: `{ ok, value }` or `{ ok: false, error }`. */
export async function outcomeOf<T>(promise: Promise<T>, ms = 2_000, what = 'command'): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await bounded(promise, ms, what) };
  } catch (error) {
    return { ok: false, error };
  }
}

/**
 * Records unhandled rejections and uncaught exceptions while each test of the calling file runs,
 * and fails the test if any arrived. Call once at the top of a test file.
 */
export function watchUnhandled(): { readonly seen: unknown[] } {
  const state = { seen: [] as unknown[] };
  const onRejection = (reason: unknown): void => {
    state.seen.push(reason);
  };
  beforeEach(() => {
    state.seen.length = 0;
    process.on('unhandledRejection', onRejection);
    process.on('uncaughtException', onRejection);
  });
  afterEach(async () => {
    // Node reports an unhandled rejection after the microtask queue drains: give it two turns.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onRejection);
    expect(state.seen, 'unhandled rejections or uncaught exceptions during the test').toEqual([]);
  });
  return state;
}
