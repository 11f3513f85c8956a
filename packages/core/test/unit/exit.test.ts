// exit.ts as a table: the exit requests a child makes, the error serialisation a crash's detail
// goes through, and how an ended actor is read into an ExitStatus (OTP-SEMANTICS §1.4's reasons).
import { describe, expect, it } from 'vitest';
// From the module itself: statusOfRequest and friends are internal, and their types must match.
import { crashStatus, exit, isExitRequest, serializeError, statusOfEnded, statusOfRequest } from '../../src/exit.js';

/** A request's string-keyed fields (the marker symbol left out). */
const plain = (request: object) => Object.fromEntries(Object.entries(request));

describe('exit requests', () => {
  it('exit.normal and exit.shutdown carry their reason, and a detail only when one is given', () => {
    expect(plain(exit.normal())).toEqual({ reason: 'normal' });
    expect(plain(exit.shutdown())).toEqual({ reason: 'shutdown' });
    expect('detail' in exit.shutdown()).toBe(false);
    expect(plain(exit.shutdown({ drained: 3 }))).toEqual({ reason: 'shutdown', detail: { drained: 3 } });
  });

  it('exit.of keeps exactly the fields given, null code and signal included', () => {
    expect(plain(exit.of('error'))).toEqual({ reason: 'error' });
    expect(plain(exit.of('error', { code: 3, signal: 'SIGTERM', detail: 'x' }))).toEqual({ reason: 'error', code: 3, signal: 'SIGTERM', detail: 'x' });
    const nulls = exit.of('killed', { code: null, signal: null });
    expect(plain(nulls)).toEqual({ reason: 'killed', code: null, signal: null });
    const none = exit.of('killed', {});
    expect(['detail', 'code', 'signal'].filter((k) => k in none)).toEqual([]);
  });

  it('isExitRequest recognises requests only', () => {
    expect(isExitRequest(exit.normal())).toBe(true);
    expect(isExitRequest(exit.of('timeout'))).toBe(true);
    for (const value of [null, undefined, 0, 'normal', { reason: 'normal' }, { [Symbol.for('@trellis/core/ExitRequest')]: 'yes' }]) {
      expect(isExitRequest(value), String(value)).toBe(false);
    }
    expect(isExitRequest({ [Symbol.for('@trellis/core/ExitRequest')]: true })).toBe(true); // another copy of core
  });

  it('statusOfRequest copies reason, detail, code and signal that are set, at the given time', () => {
    expect(statusOfRequest(exit.normal(), 7)).toEqual({ reason: 'normal', at: 7 });
    expect(statusOfRequest(exit.of('error', { detail: 'd', code: null, signal: 'SIGKILL' }), 8)).toEqual({ reason: 'error', detail: 'd', code: null, signal: 'SIGKILL', at: 8 });
    expect(Object.keys(statusOfRequest(exit.shutdown(), 1)).sort()).toEqual(['at', 'reason']);
  });
});

describe('serializeError', () => {
  it('keeps name, message, a lazy stack and a string or numeric code of an Error', () => {
    const error = Object.assign(new TypeError('bad'), { code: 'EBAD' });
    // The stack is listed before it is first read (a lazy getter, but enumerable).
    expect(Object.keys(serializeError(error))).toContain('stack');
    const out = serializeError(error);
    expect(out.name).toBe('TypeError');
    expect(out.message).toBe('bad');
    expect(out.code).toBe('EBAD');
    expect(out.stack).toBe(error.stack);
    expect(Object.keys(out).sort()).toEqual(['code', 'message', 'name', 'stack']);
    expect(JSON.parse(JSON.stringify(out))).toEqual({ name: 'TypeError', message: 'bad', code: 'EBAD', stack: error.stack });
    // Read once, then a plain value like any other.
    expect(Object.getOwnPropertyDescriptor(out, 'stack')).toEqual({ value: error.stack, writable: true, enumerable: true, configurable: true });
    out.stack = 'replaced';
    expect(out.stack).toBe('replaced');
    expect(serializeError(Object.assign(new Error('n'), { code: 42 })).code).toBe(42);
    expect('code' in serializeError(Object.assign(new Error('o'), { code: { nested: true } }))).toBe(false);
  });

  it('leaves out a stack an Error does not have', () => {
    const error = new Error('no stack');
    delete (error as { stack?: string }).stack;
    expect('stack' in serializeError(error)).toBe(false);
  });

  it('names anything else NonError, with its string, its JSON, or String() of it', () => {
    expect(serializeError('boom')).toEqual({ name: 'NonError', message: 'boom' });
    expect(serializeError({ a: 1 })).toEqual({ name: 'NonError', message: '{"a":1}' });
    expect(serializeError(undefined)).toEqual({ name: 'NonError', message: 'undefined' });
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(serializeError(cycle)).toEqual({ name: 'NonError', message: '[object Object]' });
    expect(serializeError(10n)).toEqual({ name: 'NonError', message: '10' });
  });
});

describe('reading an ended actor', () => {
  it('crashStatus hands on a numeric or null code and a string or null signal, nothing else', () => {
    expect(crashStatus(Object.assign(new Error('x'), { code: 1, signal: 'SIGSEGV' }), 5)).toMatchObject({ reason: 'error', code: 1, signal: 'SIGSEGV', at: 5 });
    expect(crashStatus(Object.assign(new Error('x'), { code: null, signal: null }), 5)).toMatchObject({ code: null, signal: null });
    const odd = crashStatus(Object.assign(new Error('x'), { code: 'EPIPE', signal: 9 }), 5);
    expect(['code', 'signal'].filter((k) => k in odd)).toEqual([]);
    expect(Object.keys(crashStatus('thrown string', 5)).sort()).toEqual(['at', 'detail', 'reason']);
    expect(crashStatus(null, 5)).toEqual({ reason: 'error', detail: { name: 'NonError', message: 'null' }, at: 5 });
  });

  it('statusOfEnded: error is a crash, an exit request wins, a supervisor output is read, anything else done is normal', () => {
    expect(statusOfEnded({ status: 'error', error: new Error('e') }, false, 1)).toMatchObject({ reason: 'error', detail: { message: 'e' } });
    expect(statusOfEnded({ status: 'done', output: exit.shutdown('d') }, false, 1)).toEqual({ reason: 'shutdown', detail: 'd', at: 1 });
    expect(statusOfEnded({ status: 'done', output: exit.shutdown('d') }, true, 1)).toEqual({ reason: 'shutdown', detail: 'd', at: 1 });
    expect(statusOfEnded({ status: 'done', output: { reason: 'shutdown', detail: 'reached_max_restart_intensity' } }, true, 2)).toEqual({ reason: 'shutdown', detail: 'reached_max_restart_intensity', at: 2 });
    expect(statusOfEnded({ status: 'done', output: { reason: 'normal' } }, true, 2)).toStrictEqual({ reason: 'normal', at: 2 });
    expect(statusOfEnded({ status: 'done', output: { reason: 'normal', detail: 'drained' } }, true, 2)).toEqual({ reason: 'normal', detail: 'drained', at: 2 });
    expect(statusOfEnded({ status: 'done', output: { reason: 'shutdown' } }, true, 2)).toStrictEqual({ reason: 'shutdown', at: 2 });
    // Only a supervisor's output is read that way, and only with a clean reason.
    expect(statusOfEnded({ status: 'done', output: { reason: 'shutdown' } }, false, 3)).toEqual({ reason: 'normal', at: 3 });
    expect(statusOfEnded({ status: 'done', output: { reason: 'error', detail: 'x' } }, true, 3)).toEqual({ reason: 'normal', at: 3 });
    expect(statusOfEnded({ status: 'done', output: null }, true, 3)).toEqual({ reason: 'normal', at: 3 });
    expect(statusOfEnded({ status: 'done', output: 'shutdown' }, true, 3)).toEqual({ reason: 'normal', at: 3 });
    expect(statusOfEnded({ status: 'done' }, false, 4)).toEqual({ reason: 'normal', at: 4 });
  });
});
