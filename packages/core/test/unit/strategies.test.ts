// OTP-SEMANTICS §1.2 as plans: which children stop (reverse start order) and start (start order).
import { describe, expect, it } from 'vitest';
import { planRestart, type PlanChild } from '@trellis/core';

const kids = (spec: string): PlanChild[] =>
  spec.split(' ').map((token) => ({
    id: token.replace(/[~*]/g, ''),
    restart: token.includes('~') ? 'temporary' : 'permanent',
    alive: !token.includes('*'),
  }));

describe('planRestart', () => {
  it('one_for_one starts only the failed child', () => {
    expect(planRestart('one_for_one', kids('a b c'), 'b')).toEqual({ stop: [], start: ['b'], drop: [] });
  });
  it('one_for_all stops every other live child in reverse and starts all non-temporary ones in order', () => {
    expect(planRestart('one_for_all', kids('a* b c d~'), 'b')).toEqual({ stop: ['d', 'c'], start: ['a', 'b', 'c'], drop: ['d'] });
  });
  it('rest_for_one touches only the failed child and those after it', () => {
    expect(planRestart('rest_for_one', kids('a b c~ d'), 'b')).toEqual({ stop: ['d', 'c'], start: ['b', 'd'], drop: ['c'] });
  });
  it('rest_for_one of the last child restarts only it', () => {
    expect(planRestart('rest_for_one', kids('a b c'), 'c')).toEqual({ stop: [], start: ['c'], drop: [] });
  });
});
