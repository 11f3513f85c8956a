import type { Logger } from '@trellis/core';
import pino from 'pino';
import { describe, expectTypeOf, it } from 'vitest';
import { createPinoReporter, type FactHandler } from '../src/index.js';

// Checked by `tsc -p tsconfig.test.json` in the typecheck task (and by vitest's expectTypeOf at run time).
describe('types', () => {
  it('a real pino() instance satisfies core Logger', () => {
    const logger = pino({ level: 'silent' });
    expectTypeOf(logger).toExtend<Logger>();
    expectTypeOf(logger.child({ supervisor: 'root' })).toExtend<Logger>();
    expectTypeOf(createPinoReporter(logger)).toEqualTypeOf<FactHandler>();
  });

  it('a logger without child() is not a Logger', () => {
    expectTypeOf({ info: () => {} }).not.toExtend<Logger>();
  });
});
