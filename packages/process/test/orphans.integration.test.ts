// Integration: SIGKILL of the supervising Node process leaves no child alive (the watchdog, decision 0005).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { isGone, waitFor } from './helpers.js';

const fixture = fileURLToPath(new URL('./fixtures/orphan-tree.ts', import.meta.url));
const packageDir = fileURLToPath(new URL('..', import.meta.url));

it('leaves no child process alive within 1 s when the supervising Node process is SIGKILLed', async () => {
  const pidsFile = join(mkdtempSync(join(tmpdir(), 'trellis-orphans-')), 'pids');
  const program = spawn(process.execPath, ['--import', 'tsx', fixture], {
    cwd: packageDir,
    env: { ...process.env, PIDS_FILE: pidsFile },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  program.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  try {
    await waitFor(() => out.includes('tree up'), 8_000, 'the tree to start');
    const pids = readFileSync(pidsFile, 'utf8')
      .split('\n')
      .filter((line) => /^\d+$/.test(line))
      .map(Number);
    expect(pids).toHaveLength(4); // node, sh, its grandchild sleep, and sh→sleep
    for (const pid of pids) expect(isGone(pid)).toBe(false);

    program.kill('SIGKILL');
    const killedAt = Date.now();
    await waitFor(() => pids.every(isGone), 1_000, 'every child process to be gone');
    expect(Date.now() - killedAt).toBeLessThanOrEqual(1_000);
  } finally {
    program.kill('SIGKILL');
  }
}, 10_000);
