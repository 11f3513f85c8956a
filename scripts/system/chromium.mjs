// Launches Debian's Chromium through playwright-core (no browser download), the one way every
// browser test and screenshot script of the project starts a browser.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { systemBinary } from './systemBinary.mjs';

/** Chromium's path, or `undefined` (tests skip; CI fails) when it is not installed. */
export function chromiumPath() {
  return systemBinary('chromium', ['/usr/bin/chromium', 'chromium', 'chromium-browser'], 'chromium');
}

// This machine's network is closed: without these, Chromium keeps trying to reach Google's
// services at start and in the background. --no-sandbox because tests run as root here.
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/**
 * Starts a headless Chromium with a fresh profile; `close()` ends it and removes the profile.
 *
 * @param {{ executablePath?: string }} [options]
 * @returns {Promise<{ browser: import('playwright-core').Browser; context: import('playwright-core').BrowserContext; close(): Promise<void> }>}
 */
export async function launchChromium(options = {}) {
  const executablePath = options.executablePath ?? chromiumPath();
  if (executablePath === undefined) throw new Error('chromium is not installed (apt-get install chromium)');
  const userDataDir = mkdtempSync(join(tmpdir(), 'trellis-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, { executablePath, headless: true, args: FLAGS });
  const browser = context.browser();
  return {
    browser,
    context,
    async close() {
      await context.close().catch(() => {});
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
