// Runs every ```ts fence of the TSDoc comments in src/ (except ```ts no-run) as its own module,
// The examples import this package by its public name; that import is pointed at src/ here, so
// the test needs no build of this package.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, 'test', '.doctest');

function fences(): Array<{ name: string; code: string }> {
  const found: Array<{ name: string; code: string }> = [];
  for (const file of readdirSync(join(root, 'src')).filter((f) => f.endsWith('.ts'))) {
    const lines = readFileSync(join(root, 'src', file), 'utf8').split('\n');
    let body: string[] | undefined;
    let start = 0;
    lines.forEach((line, i) => {
      const text = line.replace(/^\s*\* ?/, '');
      if (body === undefined && /^```ts\s*$/.test(text)) {
        body = [];
        start = i + 1;
      } else if (body !== undefined && /^```\s*$/.test(text)) {
        found.push({ name: `${file.replace(/\.ts$/, '')}_L${start}`, code: body.join('\n') });
        body = undefined;
      } else body?.push(text);
    });
  }
  return found;
}

mkdirSync(out, { recursive: true });
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('TSDoc examples', () => {
  it.each(fences().map((f) => [f.name, f.code] as const))('%s runs', async (name, code) => {
    const file = join(out, `${name}.ts`);
    writeFileSync(file, `${code.replaceAll("from '@trellis/observe'", "from '../../src/index.js'")}\nexport {};\n`);
    await import(pathToFileURL(file).href);
  });
});
