import { describe, expect, it } from 'vitest';
import { toJSONValue } from '../../src/reports/toJSONValue.js';

// The one JSON projection (decision 0017): JSON.stringify's answer wherever it has one, a string
// where it would throw, and never a throw.
describe('toJSONValue', () => {
  it.each([
    ['NaN and Infinity', { a: Number.NaN, b: [Number.POSITIVE_INFINITY] }],
    ['functions, symbols and undefined', { f() {}, s: Symbol('s'), u: undefined, list: [() => 1, Symbol('t'), undefined] }],
    ['a Date and a toJSON that reads its key', { at: new Date(0), keyed: { toJSON: (key: string) => `key:${key}` } }],
    ['a shared reference that is not a cycle', (() => { const shared = { n: 1 }; return { a: shared, b: shared }; })()],
  ])('gives JSON.stringify its answer for %s', (_label, value) => {
    expect(toJSONValue(value)).toStrictEqual(JSON.parse(JSON.stringify(value)));
  });

  it('writes a bigint as its decimal string and a cycle as [Circular]', () => {
    const cyclic: Record<string, unknown> = { n: 12n };
    cyclic['self'] = cyclic;
    expect(toJSONValue(cyclic)).toStrictEqual({ n: '12', self: '[Circular]' });
  });

  it('writes an Error, also one from another realm, as serializeError does', () => {
    const error = Object.assign(new TypeError('bad'), { code: 'E_BAD' });
    expect(toJSONValue(error)).toStrictEqual({ name: 'TypeError', message: 'bad', stack: error.stack, code: 'E_BAD' });
    const foreign = { name: 'RangeError', message: 'far', [Symbol.toStringTag]: 'Error' };
    expect(toJSONValue(foreign)).toStrictEqual({ name: 'RangeError', message: 'far' });
  });

  it('never throws: a throwing getter becomes an [unserializable: …] marker', () => {
    const hostile = { ok: 1, get broken(): never { throw new Error('getter failed'); } };
    expect(toJSONValue(hostile)).toStrictEqual({ ok: 1, broken: '[unserializable: Error: getter failed]' });
  });
});
