// The module.register hooks of scripts/xstate/resolveXstate.mjs: a bare `xstate` specifier is
// resolved as if imported from beside the node_modules that holds TRELLIS_XSTATE_DIR, so Node's
// own resolution (package exports, conditions) picks the entry point of that copy.
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

let parentURL;

/** @param {{ dir: string }} data - TRELLIS_XSTATE_DIR: `<root>/node_modules/xstate`. */
export function initialize({ dir }) {
  parentURL = pathToFileURL(join(dirname(dirname(dir)), 'xstate-range-parent.js')).href;
}

export function resolve(specifier, context, nextResolve) {
  if (parentURL !== undefined && (specifier === 'xstate' || specifier.startsWith('xstate/'))) return nextResolve(specifier, { ...context, parentURL });
  return nextResolve(specifier, context);
}
