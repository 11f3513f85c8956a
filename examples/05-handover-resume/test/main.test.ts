import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startSupervisor, stopSupervisor } from '@trellis/core';
import { buildTree, finished } from '../src/resume.js';

describe('05-handover-resume', () => {
  it('resumes from the checkpoint after each crash, with the handover of every incarnation', async () => {
    const lines: string[] = [];
    const dir = mkdtempSync(join(tmpdir(), 'trellis-resume-test-'));
    const sup = await startSupervisor(buildTree({ dir, total: 10, crashAt: [4, 8], log: (l) => lines.push(l) }));
    await finished(sup);
    expect(lines).toEqual([
      'importer starts: resumeId=app/importer incarnation=0 previousExit=none',
      'importer starts: resumeId=app/importer incarnation=1 previousExit=error (could not process item 4)',
      '  resuming after item 3',
      'importer starts: resumeId=app/importer incarnation=2 previousExit=error (could not process item 8)',
      '  resuming after item 7',
      '  finished all 10 items',
    ]);
    expect(await stopSupervisor(sup)).toEqual({ reason: 'normal' });
    // The next program continues the incarnations from the journal.
    const again: string[] = [];
    const second = await startSupervisor(buildTree({ dir, total: 11, crashAt: [], log: (l) => again.push(l) }));
    await finished(second);
    expect(again[0]).toBe('importer starts: resumeId=app/importer incarnation=3 previousExit=normal');
    await stopSupervisor(second);
  });

  it('runs as a program and exits 0', () => {
    const cwd = fileURLToPath(new URL('..', import.meta.url));
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd, encoding: 'utf8', timeout: 20_000 });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('incarnation=2 previousExit=error (could not process item 8)');
    expect(result.stdout).toContain('-- program 2');
  });
});
