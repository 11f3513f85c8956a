#!/usr/bin/env node
// Builds the docs site and looks at it the way a reader does: in Debian's Chromium (through
// scripts/system/chromium.mjs), served over HTTP from 127.0.0.1 like any host would serve it.
//
// For each page of a fixed set it checks that the page shows its main heading, even before (or
// without) the theme's script (a page kept blank until a script or a timer runs fails), that it has
// exactly one <h1>, that every image on it loaded, that nothing it requested failed and that the browser
// logged no error; plus a few points per page (a return type linked, one Throws list, the guides
// in reading order). Over the whole site it checks that every local link and image points to a
// file that exists, and that no signature shows xstate's bare StateMachine/MachineSnapshot where
// a trellis type is meant. It writes the README's screenshots, docs/images/docs-*.png.
//
// Usage: node scripts/screenshots/docs.mjs [--check] [--no-build] [--out DIR]
//   --check     exit 1 on any problem, and write no screenshots unless --out is given (without it,
//               problems are printed and screenshots written)
//   --no-build  use the site already in docs/api instead of running `pnpm run docs`
//   --out DIR   where the screenshots go (default docs/images)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { launchChromium } from '../system/chromium.mjs';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const site = join(repoRoot, 'docs/api');

/**
 * The pages a reader meets first. `heading` is the text of the page's one <h1>; `shot` names the
 * screenshot (docs/images/docs-<shot>.png) for those the README shows; `expect` runs in the page
 * and returns a problem or null.
 */
const PAGES = [
  { path: 'index.html', heading: 'trellis' },
  { path: 'modules/_trellis_core.html', heading: 'Module @trellis/core' },
  {
    path: 'functions/_trellis_core.defineSupervisor.html',
    heading: 'Function defineSupervisor',
    shot: 'define-supervisor',
    expect: () => {
      const returns = [...document.querySelectorAll('.tsd-signature a')].map((a) => a.textContent);
      if (!returns.includes('SupervisorLogic')) return 'the signature does not link its return type SupervisorLogic';
      const throws = [...document.querySelectorAll('h4')].filter((h) => h.textContent.trim() === 'Throws');
      return throws.length === 1 ? null : `${throws.length} "Throws" headings, expected one list`;
    },
  },
  { path: 'interfaces/_trellis_core.SupervisorRef.html', heading: 'Interface SupervisorRef' },
  { path: 'modules/_trellis_process.html', heading: 'Module @trellis/process' },
  {
    path: 'documents/guides.html',
    heading: 'Guides',
    expect: () => {
      // The sidebar lists the guides by title, in the README's order: Getting started first.
      const nav = [...document.querySelectorAll('#tsd-nav-container details')].find((d) => d.querySelector('summary')?.textContent.trim() === 'Guides');
      const first = nav?.querySelector(':scope > .tsd-accordion-details a')?.textContent.trim();
      return first === 'Getting started' ? null : `the sidebar's first guide is ${JSON.stringify(first)}, expected "Getting started"`;
    },
  },
  { path: 'documents/guides/getting-started.html', heading: 'Getting started', shot: 'guide' },
  { path: 'documents/guides/strategies.html', heading: 'Restart strategies' },
  { path: 'documents/decisions.html', heading: 'Design decisions' },
  { path: 'documents/examples.html', heading: 'Examples' },
  { path: 'documents/examples/01-nested-tree.html', heading: '01 · nested tree' },
];

// xstate types that a public signature shows only when a trellis type lost its name.
const LOST_NAMES = ['StateMachine', 'MachineSnapshot'];

const { values: args } = parseArgs({
  options: { check: { type: 'boolean', default: false }, 'no-build': { type: 'boolean', default: false }, out: { type: 'string' } },
});
// A check (CI) leaves the committed screenshots alone unless told where to write.
const shotsDir = args.out ?? (args.check ? undefined : join(repoRoot, 'docs/images'));

if (!args['no-build']) execFileSync('npx', ['--yes', 'pnpm@10.34.9', 'run', 'docs'], { cwd: repoRoot, stdio: 'inherit' });
if (!existsSync(join(site, 'index.html'))) {
  console.error(`docs-screenshots: no site in ${relative(repoRoot, site)}; build it with \`npx --yes pnpm@10.34.9 run docs\` or drop --no-build`);
  process.exit(1);
}

const problems = [];
const problem = (where, what) => problems.push(`${where}: ${what}`);

checkSiteFiles(problem);
await checkPages(problem);

for (const p of problems) console.log(`docs-screenshots: ${p}`);
console.log(`docs-screenshots: ${PAGES.length} pages opened in Chromium, the links of ${htmlFiles(site).length} pages followed, ${problems.length} problems`);
process.exit(args.check && problems.length > 0 ? 1 : 0);

/** Every local href/src of every page points to an existing file; no signature lost a trellis type's name. */
function checkSiteFiles(report) {
  for (const file of htmlFiles(site)) {
    const page = relative(site, file);
    const html = readFileSync(file, 'utf8');
    for (const [, attr, url] of html.matchAll(/\s(href|src)="([^"]*)"/g)) {
      if (/^(?:[a-z]+:|\/\/|#)/i.test(url) || url === '') continue;
      const target = resolve(dirname(file), decodeURIComponent(url.replace(/[?#].*$/, '')));
      if (!target.startsWith(site + sep) || !existsSync(target)) report(page, `${attr} "${url}" points to no file`);
    }
    for (const name of LOST_NAMES) {
      if (html.includes(`<span class="tsd-signature-type">${name}</span>`)) report(page, `a signature shows xstate's ${name} where a trellis type was meant`);
    }
  }
}

async function checkPages(report) {
  const { server, base } = await serve(site);
  const browser = await launchChromium();
  try {
    if (shotsDir !== undefined) mkdirSync(shotsDir, { recursive: true });
    for (const spec of PAGES) {
      const page = await browser.context.newPage();
      await page.setViewportSize({ width: 1280, height: 800 });
      const where = spec.path;
      page.on('console', (message) => {
        if (message.type() === 'error') report(where, `console error: ${message.text()}`);
      });
      page.on('pageerror', (error) => report(where, `script error: ${error.message}`));
      page.on('requestfailed', (request) => report(where, `request failed: ${request.url()} (${request.failure()?.errorText})`));
      page.on('response', (response) => {
        if (response.status() >= 400) report(where, `HTTP ${response.status()} for ${response.url()}`);
      });
      try {
        await checkShownWithoutScript(browser.context, base + spec.path, spec.heading, (what) => report(where, what));
        await page.goto(base + spec.path, { waitUntil: 'load', timeout: 30_000 });
        const h1 = await page.evaluate(() => [...document.querySelectorAll('h1')].map((h) => ({ text: h.textContent.trim(), shown: h.getBoundingClientRect().height > 0 })));
        if (h1.length !== 1) report(where, `${h1.length} <h1> headings, expected one`);
        if (!h1.some((h) => h.shown && h.text === spec.heading)) report(where, `main heading ${JSON.stringify(spec.heading)} not shown (<h1>: ${JSON.stringify(h1)})`);
        const broken = await page.evaluate(() => [...document.images].filter((img) => !img.complete || img.naturalWidth === 0).map((img) => img.getAttribute('src')));
        for (const src of broken) report(where, `image ${src} did not load`);
        if (spec.expect) {
          // The sidebar is built by a script from the site's navigation data.
          await page.waitForFunction(() => document.querySelector('#tsd-nav-container details') !== null, undefined, { timeout: 10_000 }).catch(() => {});
          const found = await page.evaluate(spec.expect);
          if (found) report(where, found);
        }
        if (spec.shot && shotsDir !== undefined) await page.screenshot({ path: join(shotsDir, `docs-${spec.shot}.png`) });
      } catch (error) {
        report(where, `could not be opened: ${error.message}`);
      } finally {
        await page.close();
      }
    }
  } finally {
    await browser.close();
    server.close();
  }
}

/**
 * Opens a page with the theme's script replaced by an empty one, as a reader on a slow or
 * script-blocking browser meets it: the main heading must be on screen once the HTML is parsed.
 * (typedoc's theme hides <body> until its script has run; with the script slow, the page is blank.)
 */
async function checkShownWithoutScript(context, url, heading, report) {
  const page = await context.newPage();
  try {
    await page.route('**/assets/main.js', (route) => route.fulfill({ status: 200, contentType: 'text/javascript', body: '' }));
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 30_000 });
    const shown = await page.evaluate(() => getComputedStyle(document.body).display !== 'none' && [...document.querySelectorAll('h1')].some((h) => h.getBoundingClientRect().height > 0));
    if (!shown) report(`blank until the theme's script has run: main heading ${JSON.stringify(heading)} not shown when the page is parsed`);
  } finally {
    await page.close();
  }
}

/** Serves a folder over HTTP on 127.0.0.1 at a free port. */
async function serve(root) {
  const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png', '.json': 'application/json' };
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    const file = resolve(root, `.${path.endsWith('/') ? `${path}index.html` : path}`);
    if (!file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  return { server, base: `http://127.0.0.1:${server.address().port}/` };
}

function htmlFiles(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.html'))
    .map((entry) => join(entry.parentPath, entry.name));
}
