// Runs sequences on the real OTP supervisor: compiles otp_diff.erl with erlc into a temporary
// directory and talks to one long-lived `erl` over stdin/stdout (one term in, one JSON line out).
import { spawn, execFileSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { SHUTDOWN_MS, type Command, type Setup, type Spec, type SupSetup } from './sequences.js';
import type { Observation, Step } from './compare.js';

const here = dirname(fileURLToPath(import.meta.url));

function atom(s: string): string {
  return /^[a-z][a-zA-Z0-9_]*$/.test(s) ? s : `'${s.replace(/'/g, "\\'")}'`;
}

function shutdownOf(spec: Spec): string {
  if (spec.sup !== undefined) return 'infinity';
  return spec.stop === 'brutal_kill' ? 'brutal_kill' : String(SHUTDOWN_MS);
}

function specTerm(spec: Spec): string {
  const fields = [
    `id => ${atom(spec.id)}`,
    `restart => ${spec.restart}`,
    `shutdown => ${shutdownOf(spec)}`,
    `significant => ${spec.significant}`,
    `deaf => ${spec.stop === 'deaf'}`,
  ];
  if (spec.sup !== undefined) fields.push(`kids => {sup, ${flagsTerm(spec.sup)}, ${specsTerm(spec.sup.specs)}}`);
  return `#{${fields.join(', ')}}`;
}

function flagsTerm(sup: { strategy: string; intensity: number; autoShutdown: string }): string {
  return `#{strategy => ${sup.strategy}, intensity => ${sup.intensity}, auto_shutdown => ${sup.autoShutdown}}`;
}

function specsTerm(specs: readonly Spec[]): string {
  return `[${specs.map(specTerm).join(', ')}]`;
}

/** The Erlang term of a setup: a static tree, or simple_one_for_one with one template. */
export function setupTerm(setup: Setup): string {
  if (setup.kind === 'static') return `{setup, ${flagsTerm(setup.root)}, ${specsTerm(setup.root.specs)}}.`;
  const t = setup.template;
  const template = `#{id => worker, restart => ${t.restart}, shutdown => ${t.stop === 'brutal_kill' ? 'brutal_kill' : SHUTDOWN_MS}, significant => false, deaf => ${t.stop === 'deaf'}, template => true}`;
  return `{setup, ${flagsTerm({ strategy: 'simple_one_for_one', intensity: setup.intensity, autoShutdown: 'never' })}, [${template}]}.`;
}

export function commandTerm(c: Command): string {
  switch (c.k) {
    case 'signal':
      return `{signal, ${atom(c.id)}, ${c.signal}}.`;
    case 'failStarts':
      return `{fail_starts, ${atom(c.id)}, ${c.n}}.`;
    case 'terminate':
      return `{terminate, ${atom(c.id)}}.`;
    case 'restart':
      return `{restart, ${atom(c.id)}}.`;
    case 'delete':
      return `{delete, ${atom(c.id)}}.`;
    case 'startChild':
      return `{start_child, ${specTerm(c.spec)}}.`;
    case 'startDynamic':
      return `{start_dynamic, ${atom(c.id)}}.`;
    case 'terminateDynamic':
      return `{terminate_dynamic, ${atom(c.id)}}.`;
  }
}

/** One `erl` running otp_diff; `run` executes a whole sequence and returns a step per command. */
export class OtpRunner {
  private readonly erl: ChildProcessWithoutNullStreams;
  private readonly lines: string[] = [];
  private waiting: ((line: string) => void) | undefined;
  private stderr = '';

  private constructor(erl: string, private readonly dir: string) {
    // One scheduler: the order of 'DOWN' messages reaching the logger is then the order of deaths.
    this.erl = spawn(erl, ['+S', '1:1', '-noshell', '-pa', this.dir, '-s', 'otp_diff', 'main'], { stdio: 'pipe' });
    this.erl.stderr.on('data', (d: Buffer) => {
      this.stderr += d.toString();
    });
    createInterface({ input: this.erl.stdout }).on('line', (line) => {
      const w = this.waiting;
      if (w !== undefined) {
        this.waiting = undefined;
        w(line);
      } else this.lines.push(line);
    });
  }

  /** `n` runners on one compiled otp_diff (compiling costs a second per erlc, so once). */
  static startMany(erl: string, erlc: string, n: number): OtpRunner[] {
    const dir = mkdtempSync(join(tmpdir(), 'trellis-otp-diff-'));
    execFileSync(erlc, ['-o', dir, join(here, 'otp_diff.erl')]);
    return Array.from({ length: n }, () => new OtpRunner(erl, dir));
  }

  private send(term: string): Promise<Step> {
    this.erl.stdin.write(`${term}\n`);
    return new Promise<string>((resolve, reject) => {
      const line = this.lines.shift();
      if (line !== undefined) return resolve(line);
      const timer = setTimeout(() => reject(new Error(`erl did not answer ${term} within 15 s; stderr: ${this.stderr}`)), 15_000);
      this.waiting = (l) => {
        clearTimeout(timer);
        resolve(l);
      };
    }).then((line) => {
      let parsed: { reply: unknown; obs: Observation };
      try {
        parsed = JSON.parse(line) as { reply: unknown; obs: Observation };
      } catch {
        throw new Error(`erl printed something that is not JSON: ${line}; stderr: ${this.stderr}`);
      }
      return { reply: normaliseReply(parsed.reply), obs: parsed.obs };
    });
  }

  async run(setup: Setup, commands: readonly Command[]): Promise<Step[]> {
    const steps = [await this.send(setupTerm(setup))];
    for (const c of commands) steps.push(await this.send(commandTerm(c)));
    await this.send('finish.');
    return steps;
  }

  close(): void {
    this.erl.stdin.end();
    this.erl.kill('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** `ok`, `not_running`, or `error:<atom>` (the same shape trellisRunner produces). */
function normaliseReply(reply: unknown): string {
  if (typeof reply === 'string') return reply;
  if (Array.isArray(reply) && reply[0] === 'error') {
    const what = reply[1];
    return Array.isArray(what) ? `error:${String(what[0])}` : `error:${String(what)}`;
  }
  if (Array.isArray(reply) && reply[0] === 'ok') return 'ok';
  return JSON.stringify(reply);
}

export type { SupSetup };
