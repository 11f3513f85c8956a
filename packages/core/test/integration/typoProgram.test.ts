// Issue 12 point 2: a real program with a typo in its config fails at once, with a message that
// says what was meant, instead of running with a silently different strategy or restart type.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const fixture = fileURLToPath(new URL('../fixtures/typoProgram.js', import.meta.url));

/** Runs the program to its end, bounded to 120 s (a loaded CI machine starts tsx slowly). */
function run(mode: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, mode], { cwd: fileURLToPath(new URL('../..', import.meta.url)), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`program did not end in 120 s: ${stderr}`));
    }, 120_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('a program with a typo in its config', () => {
  it('a typo in a supervisor flag (stratgey) stops the program with "did you mean \'strategy\'"', async () => {
    const { code, stdout, stderr } = await run('flag');
    expect(code).not.toBe(0);
    expect(stdout).not.toContain('started');
    expect(stderr).toContain('InvalidSupervisorFlagsError');
    expect(stderr).toContain("unknown key 'stratgey' in supervisor 'root' — did you mean 'strategy'?");
  }, 130_000);

  it('a typo in a child spec (restrat) stops the program with "did you mean \'restart\'"', async () => {
    const { code, stdout, stderr } = await run('child');
    expect(code).not.toBe(0);
    expect(stdout).not.toContain('started');
    expect(stderr).toContain('InvalidChildSpecError');
    expect(stderr).toContain("unknown key 'restrat' in child spec 'db' — did you mean 'restart'?");
  }, 130_000);
});
