/**
 * Unknown keys in a configuration object: which keys are not part of the shape, and which valid
 * key each one most likely meant. Every validator of trellis uses these, so a typo such as
 * `stratgey` is an error that names the key it meant instead of a silent default.
 *
 * @module
 */

/**
 * Edit distance between two strings, ignoring case: insertions, deletions, substitutions and a
 * swap of two neighbours each count one (optimal string alignment), so `stratgey` is one typo.
 */
function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  const d: number[][] = Array.from({ length: x.length + 1 }, (_, i) => Array.from({ length: y.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= x.length; i += 1) {
    for (let j = 1; j <= y.length; j += 1) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[x.length]![y.length]!;
}

/** `whole` contains `part` (ignoring case) and `part` is long enough to mean something: `timeoutMs` in `readyTimeoutMs`. */
function contains(whole: string, part: string): boolean {
  return part.length >= 4 && whole.toLowerCase().includes(part.toLowerCase());
}

/**
 * The valid key closest to `key`, when one is close enough to be the key that was meant.
 *
 * @remarks
 * Closeness is the edit distance (insertions, deletions, substitutions, a swap of two neighbours),
 * ignoring case; a valid key that contains the unknown one, or is contained in it, counts as one
 * edit (`timeoutMs` suggests `readyTimeoutMs`). A key is suggested when it is at most a third of its length away (at least 2
 * edits), so `restrat` suggests `restart` but `colour` suggests nothing among supervisor flags.
 *
 * @param key - the unknown key.
 * @param validKeys - the keys the shape has.
 * @returns the closest valid key, or `undefined` when none is close.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { closestKey } from '@trellis/core';
 * assert.equal(closestKey('stratgey', ['id', 'strategy', 'children']), 'strategy');
 * assert.equal(closestKey('colour', ['id', 'strategy', 'children']), undefined);
 * ```
 *
 * @category errors
 * @since 0.1.0
 */
export function closestKey(key: string, validKeys: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of validKeys) {
    const distance = contains(candidate, key) || contains(key, candidate) ? 1 : editDistance(key, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const allowed = Math.max(2, Math.floor(Math.max(key.length, best?.length ?? 0) / 3));
  return bestDistance <= allowed ? best : undefined;
}

/**
 * The own enumerable keys of `value` that are not in `validKeys`, in the object's order.
 *
 * @remarks
 * Symbol keys are not looked at (trellis marks its own objects with symbols), and neither are
 * inherited keys.
 *
 * @param value - the object as given.
 * @param validKeys - the keys the shape has.
 * @returns the unknown keys; empty when there are none.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { unknownKeys } from '@trellis/core';
 * assert.deepEqual(unknownKeys({ id: 'db', restrat: 'temporary' }, ['id', 'start', 'restart']), ['restrat']);
 * ```
 *
 * @category errors
 * @since 0.1.0
 */
export function unknownKeys(value: object, validKeys: readonly string[]): string[] {
  return Object.keys(value).filter((key) => !validKeys.includes(key));
}

/**
 * The one sentence every trellis error about an unknown key carries.
 *
 * @remarks
 * It names the key, where it was found, and the closest valid key when there is one; otherwise
 * it lists the valid keys, so the reader always learns what to write instead.
 *
 * @param key - the unknown key.
 * @param where - where it was found, as a noun phrase (`supervisor 'root'`, `child spec 'db'`).
 * @param validKeys - the keys the shape has.
 * @returns the message, without a final period.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { unknownKeyMessage } from '@trellis/core';
 * assert.equal(
 *   unknownKeyMessage('stratgey', "supervisor 'root'", ['id', 'strategy', 'children']),
 *   "unknown key 'stratgey' in supervisor 'root' — did you mean 'strategy'?",
 * );
 * ```
 *
 * @category errors
 * @since 0.1.0
 */
export function unknownKeyMessage(key: string, where: string, validKeys: readonly string[]): string {
  const closest = closestKey(key, validKeys);
  return closest === undefined
    ? `unknown key '${key}' in ${where} — valid keys are ${validKeys.map((k) => `'${k}'`).join(', ')}`
    : `unknown key '${key}' in ${where} — did you mean '${closest}'?`;
}
