// Module resolve hooks for running @trellis/* from source: an import of a @trellis package whose
// `exports` target (./dist/<x>.js) has not been built resolves to ./src/<x>.ts instead, which tsx
// then loads. Built targets are used as they are, so a partial build mixes nothing twice: each
// package entry is either its dist or its src, and every importer gets the same one.
import { existsSync, readFileSync } from 'node:fs';

const PACKAGE = /^(@trellis\/[^/]+)(\/.+)?$/;

function exportTarget(value) {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object') return exportTarget(value.import ?? value.default ?? value.node);
  return undefined;
}

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    const match = PACKAGE.exec(specifier);
    if (match === null || error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
    const manifestUrl = (await nextResolve(`${match[1]}/package.json`, context)).url;
    const manifest = JSON.parse(readFileSync(new URL(manifestUrl), 'utf8'));
    const exportsField = typeof manifest.exports === 'string' ? { '.': manifest.exports } : (manifest.exports ?? {});
    const built = /^\.\/dist\/(.+)\.js$/.exec(exportTarget(exportsField[match[2] === undefined ? '.' : `.${match[2]}`]) ?? '');
    const source = built === null ? undefined : new URL(`./src/${built[1]}.ts`, manifestUrl);
    if (source === undefined || !existsSync(source)) throw error;
    return { url: source.href, format: 'module', shortCircuit: true };
  }
}
