import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const exampleDir = fileURLToPath(new URL('..', import.meta.url));

describe('06-inspector: the dashboard', () => {
  it('`tsx src/dashboard.ts` serves /ui and a tree whose crashed workers were restarted, then exits 0', async () => {
    const tsxCli = createRequire(import.meta.url).resolve('tsx/cli');
    const child = spawn(process.execPath, [tsxCli, 'src/dashboard.ts', '--duration-ms', '2000', '--crash-every-ms', '300'], { cwd: exampleDir, stdio: ['ignore', 'pipe', 'pipe'] });
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    try {
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += String(chunk)));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', () => {
          const found = /^dashboard at (http:\/\/127\.0\.0\.1:\d+)\/ui$/m.exec(stdout);
          if (found) resolve(found[1] as string);
        });
        void exited.then(() => reject(new Error(`exited before serving; stdout:\n${stdout}`)));
      });
      expect(await (await fetch(`${url}/ui`)).text()).toContain('<title>trellis dashboard</title>');
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const view = (await (await fetch(`${url}/ui/tree`)).json()) as { tree: { children: Array<{ id: string; restarts: number }> }; timeline: Array<{ fact: { type: string } }> };
      expect(view.tree.children.map((c) => c.id)).toEqual(['http', 'db']);
      expect(view.timeline.some((entry) => entry.fact.type === 'sup.child.exited')).toBe(true);
      expect(await exited).toBe(0);
      expect(stdout).toContain('root stopped: {"reason":"normal"}');
    } finally {
      clearTimeout(killer);
      child.kill('SIGKILL');
    }
  }, 25_000);
});
