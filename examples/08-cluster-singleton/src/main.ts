// The demo: two instances of src/host.ts on one machine sharing one PostgreSQL. The first runs
// the scheduler, the second stands by; then the first is killed with SIGKILL, and the second
// takes over with the handover: same ResumeID, next incarnation, previousExit `lost`, a higher
// fencing token. Then the second is stopped gracefully (SIGTERM): it writes its exit and releases.
//
// Uses DATABASE_URL when set; otherwise starts a throwaway server (Debian's postgresql package)
// with the repository's test helper, and removes it afterwards.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startPostgres, type PostgresServer } from '../../../packages/cluster/test/helpers/postgresServer.js';

const cwd = fileURLToPath(new URL('..', import.meta.url));
let server: PostgresServer | undefined;
let url = process.env['DATABASE_URL'];
if (url === undefined) {
  server = await startPostgres();
  if (server === undefined) throw new Error('no DATABASE_URL and no PostgreSQL installed (apt-get install postgresql)');
  url = server.connectionString;
  console.log(`-- a throwaway PostgreSQL on port ${server.port}`);
}

function host(name: string): { child: ChildProcess; saw: (text: string, timeoutMs: number) => Promise<void> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/host.ts'], { cwd, env: { ...process.env, DATABASE_URL: url, HOST: name }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    process.stdout.write(chunk);
  });
  const saw = (text: string, timeoutMs: number) =>
    new Promise<void>((resolve, reject) => {
      const started = Date.now();
      const poll = setInterval(() => {
        if (out.includes(text)) resolve(clearInterval(poll));
        else if (Date.now() - started > timeoutMs) {
          clearInterval(poll);
          reject(new Error(`host ${name} never printed "${text}"`));
        }
      }, 20);
    });
  return { child, saw };
}

const a = host('a');
const b = host('b');
try {
  await Promise.all([a.saw('up', 20_000), b.saw('up', 20_000)]);
  const holder = await Promise.race([a.saw('scheduler running', 10_000).then(() => a), b.saw('scheduler running', 10_000).then(() => b)]);
  const standby = holder === a ? b : a;
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  console.log('-- SIGKILL to the holder');
  const killedAt = Date.now();
  holder.child.kill('SIGKILL');
  await standby.saw('scheduler running', 10_000);
  console.log(`-- taken over in ${Date.now() - killedAt} ms (ttlMs 3000)`);
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  console.log('-- SIGTERM to the new holder: it writes its exit and releases the lease');
  standby.child.kill('SIGTERM');
  await standby.saw('host stopped', 10_000);
} finally {
  a.child.kill('SIGKILL');
  b.child.kill('SIGKILL');
  server?.drop();
}
