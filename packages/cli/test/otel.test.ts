// `trellis run --otel` as a user runs it: the built binary as a process, exporting with OTLP/HTTP
// (JSON) to a small real receiver on loopback; the tree's metrics, spans and log records arrive.
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cliDir, startCli, type Cli } from './helpers.js';

beforeAll(() => {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-b'], { cwd: cliDir, stdio: 'inherit' });
}, 60_000);

/** An OTLP/HTTP receiver: every JSON export body, by path (/v1/metrics, /v1/traces, /v1/logs). */
async function receiver(): Promise<{ server: Server; url: string; bodies: Map<string, unknown[]> }> {
  const bodies = new Map<string, unknown[]>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const list = bodies.get(req.url ?? '') ?? [];
      list.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      bodies.set(req.url ?? '', list);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies };
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('trellis run --otel', () => {
  it('exports trellis metrics, spans and log records over OTLP/HTTP from the OTEL_* variables, and flushes on SIGTERM', async () => {
    const otlp = await receiver();
    cleanups.push(() => new Promise<void>((resolve) => otlp.server.close(() => resolve())));
    const cli: Cli = startCli(['run', '--otel', 'test/fixtures/crashesOnce.ts'], {
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_SERVICE_NAME: 'trellis-otel-test',
      OTEL_METRIC_EXPORT_INTERVAL: '300',
    });
    cleanups.push(() => {
      if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
    });
    await cli.waitForRecord((r) => r['event'] === 'tree.started', 15_000);
    await cli.waitForRecord((r) => r['child'] === 'flaky' && r['incarnation'] === 1 && /start/i.test(String(r['msg'] ?? r['event'])), 15_000);
    // The restart budget is a gauge read at collection time from the live tree: a periodic export sends it.
    const deadline = Date.now() + 15_000;
    while (!JSON.stringify(otlp.bodies.get('/v1/metrics') ?? []).includes('"name":"trellis.supervisor.restart_budget.used"')) {
      if (Date.now() > deadline) throw new Error(`no restart budget gauge exported within 15 s; stderr:\n${cli.stderr()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    cli.child.kill('SIGTERM');
    const timer = setTimeout(() => cli.child.kill('SIGKILL'), 15_000);
    const { code } = await cli.exited;
    clearTimeout(timer);
    expect(code, cli.stderr()).toBe(0);

    const text = (path: string): string => JSON.stringify(otlp.bodies.get(path) ?? []);
    const metrics = text('/v1/metrics');
    expect(metrics).toContain('"name":"trellis.child.restarts"');
    expect(metrics).toContain('"name":"trellis.supervisor.restart_budget.used"');
    expect(metrics).toContain('"stringValue":"trellis-otel-test"');
    const restarts = (otlp.bodies.get('/v1/metrics') as Array<{ resourceMetrics: Array<{ scopeMetrics: Array<{ metrics: Array<{ name: string; sum?: { dataPoints: Array<{ asInt?: string | number; asDouble?: number }> } }> }> }> }>)
      .flatMap((b) => b.resourceMetrics.flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics)))
      .filter((m) => m.name === 'trellis.child.restarts')
      .flatMap((m) => m.sum?.dataPoints ?? [])
      .map((p) => Number(p.asInt ?? p.asDouble));
    expect(restarts.at(-1)).toBe(1);
    const traces = text('/v1/traces');
    expect(traces).toContain('"name":"trellis.supervisor.restart"');
    // The start (the CLI passes the telemetry's inspect hook to startSupervisor) and the
    // ordinary shutdown on SIGTERM are spans too.
    const spans = (otlp.bodies.get('/v1/traces') as Array<{ resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ name: string; attributes: Array<{ key: string; value: { stringValue?: string } }> }> }> }> }>)
      .flatMap((b) => b.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans)))
      .map((span) => `${span.name} ${span.attributes.find((a) => a.key === 'trellis.supervisor.path')?.value.stringValue ?? ''}`);
    expect(spans).toContain('trellis.supervisor.start root');
    expect(spans).toContain('trellis.supervisor.shutdown root');
    const logs = text('/v1/logs');
    expect(logs).toContain('"eventName":"trellis.child.exited"');
    expect(logs).toContain('"eventName":"trellis.child.started"');
    expect(logs).toContain('"stringValue":"init"'); // the initial start's facts, seen from the first one
  }, 45_000);
});
