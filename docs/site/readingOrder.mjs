// The reading order of a folder of documents: the local Markdown files its README.md links to, in
// the order of the links. The typedoc plugin (./plugin.mjs) makes them the README's children in
// that order; scripts/check-docs.mjs and the plugin fail on a document the README leaves out, so
// a guide or decision record added without a place in the order cannot silently vanish from the site.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** The folders whose README.md is a reading order, relative to the repository root. */
export const READING_ORDERS = ['docs/guides', 'docs/decisions', 'examples'];

// [text](target) with a relative .md target; an optional #anchor is dropped. Links inside ``` fences
// are not part of the order.
const LINK = /\[[^\]]*\]\(([^)\s#]+\.md)(?:#[^)]*)?\)/g;

/**
 * The documents of a folder in reading order, and what is wrong with the order.
 *
 * @param {string} folder absolute path of a folder that has a README.md
 * @returns {{ readme: string; order: string[]; problems: string[] }} absolute paths; problems name
 *   the file and say what to do
 */
export function readingOrder(folder) {
  const readme = join(folder, 'README.md');
  const problems = [];
  if (!existsSync(readme)) return { readme, order: [], problems: [`${relative(repoRoot, readme)} is missing: it lists the folder's documents in reading order`] };
  const text = readFileSync(readme, 'utf8').replace(/^```[\s\S]*?^```/gm, '');
  const order = [];
  for (const match of text.matchAll(LINK)) {
    const target = match[1];
    if (/^[a-z]+:/i.test(target) || target.startsWith('/')) continue;
    const path = resolve(folder, target);
    if (dirname(path) !== folder && dirname(dirname(path)) !== folder) continue; // a link out of the folder is a reference, not a child
    if (!existsSync(path)) problems.push(`${relative(repoRoot, readme)} links to ${target}, which does not exist`);
    else if (path !== readme && !order.includes(path)) order.push(path);
  }
  for (const path of documentsOf(folder)) {
    if (!order.includes(path)) {
      problems.push(`${relative(repoRoot, path)} is not in the reading order: add a link to it in ${relative(repoRoot, readme)}`);
    }
  }
  return { readme, order, problems };
}

/** What a reading order must list: the folder's other .md files and its subfolders' README.md. */
function documentsOf(folder) {
  const found = [];
  for (const entry of readdirSync(folder, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.isFile() && entry.name.endsWith('.md') && entry.name !== 'README.md') found.push(join(folder, entry.name));
    if (entry.isDirectory() && existsSync(join(folder, entry.name, 'README.md'))) found.push(join(folder, entry.name, 'README.md'));
  }
  return found;
}

/**
 * A Markdown file's title: its first `# ` heading, else its file name.
 *
 * @param {string} path
 * @returns {string}
 */
export function documentTitle(path) {
  const text = readFileSync(path, 'utf8').replace(/^```[\s\S]*?^```/gm, '');
  const heading = /^# (.+)$/m.exec(text);
  return heading ? heading[1].trim() : basename(path, '.md');
}
