/**
 * `@trellis/core/testing`: a test clock and a scripted child, so supervised code is tested
 * without sleeping.
 *
 * @module
 */
export { createTestClock, type TestClock } from './createTestClock.js';
export { scriptedChild, settle, type ScriptedChild, type ScriptedChildOptions } from './scriptedChild.js';
