// The differential test (issue 14, decision 0012): the same seeded command sequences run on the
// real Erlang/OTP `supervisor` (otp_diff.erl, through `erl`) and on trellis; after every command,
// once both are quiet, their observations must be equal. A divergence is shrunk to a minimal
// sequence and printed with the command that replays it. What is compared, and what is left out
// (EXCLUDED below, decision 0003's deviations), is in docs/decisions/0012-differential-test.md.
//
//   TRELLIS_SEED=<n>                 the first sequence's seed (default: random, printed; under CI
//                                    a fixed one, so a landing is judged on known sequences)
//   TRELLIS_SOAK=1 [TRELLIS_SOAK_RUNS=<n>]   many more sequences (default 20,000)
//   TRELLIS_DIFF_REPLAY=<seed>       run only the sequence of that seed
//   TRELLIS_DIFF_LANES=<n>           sequences run at once, each lane on its own `erl` (default 1,
//                                    soak 8): OTP's side spends most of its time waiting for quiet
//                                    (2 ms sleeps), not computing, so lanes multiply the rate
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemBinary } from '../../../../scripts/system/systemBinary.mjs';
import { firstDivergence } from './compare.js';
import { OtpRunner } from './otpRunner.js';
import { generate, type Command, type Sequence } from './sequences.js';
import { runTrellis } from './trellisRunner.js';

const erl = systemBinary('Erlang/OTP (erl)', ['erl'], 'erlang-nox');
const erlc = erl === undefined ? undefined : systemBinary('Erlang/OTP (erlc)', ['erlc'], 'erlang-nox');

const SOAK = process.env.TRELLIS_SOAK === '1';
const RUNS = Number(process.env.TRELLIS_SOAK_RUNS ?? (SOAK ? 20_000 : 150));
const MAX_COMMANDS = SOAK ? 40 : 25;
/** The default run stops starting sequences after this long, so CI stays near a minute. */
const BUDGET_MS = SOAK ? Number.POSITIVE_INFINITY : 35_000;
// Under CI a fixed first seed, so a landing is judged on known sequences (a soak once found a
// harness bug at seed 20262556 that random CI runs could have met by luck). Everywhere else a
// random one explores, and is printed to replay.
const SEED = Number(process.env.TRELLIS_SEED ?? (process.env.CI ? 20261204 : Math.floor(Math.random() * 2 ** 31)));
const REPLAY = process.env.TRELLIS_DIFF_REPLAY;
const LANES = Number(process.env.TRELLIS_DIFF_LANES ?? (SOAK ? 8 : 1));

/**
 * Every deliberate deviation of decision 0003, by its number and name, and how this test keeps it
 * out of the comparison. A test below checks that the list covers every point of 0003.
 */
export const EXCLUDED: Record<number, { name: string; how: string }> = {
  1: { name: 'intensity window in milliseconds', how: 'time is not compared: the period is an hour on both sides (3600 s, 3,600,000 ms), so no restart ever leaves the window' },
  2: { name: "a failed restart's retry waits one event-loop turn", how: 'observations are taken only once both sides are quiet, when every retry has run' },
  3: { name: 'queries do not wait behind the mailbox', how: 'queries run only once both sides are quiet, so no child is mid-restart or awaiting readiness' },
  4: { name: 'no ignore', how: 'no start function returns ignore' },
  5: { name: 'children of a killed supervisor are stopped, not orphaned', how: 'no supervisor is killed from outside; nested supervisors are stopped by their parent' },
  6: { name: 'commands during shutdown fail at once', how: 'commands are sent only when both sides are quiet, never during a shutdown' },
  7: { name: 'handover', how: 'ResumeIDs, incarnations and previous exits are not compared' },
  8: { name: 'a child that ends after being asked to stop counts as stopped', how: "children's exit reasons are not compared, only that and when they ended" },
};

let otps: OtpRunner[] = [];

describe('the differential test\'s exclusions', () => {
  it('name every deliberate deviation of decision 0003', () => {
    const text = readFileSync(new URL('../../../../docs/decisions/0003-deviations-from-otp.md', import.meta.url), 'utf8');
    const points = [...text.matchAll(/^(\d+)\. \*\*/gm)].map((m) => Number(m[1]));
    expect(Object.keys(EXCLUDED).map(Number)).toEqual(points);
  });
});

async function diverges(otpRunner: OtpRunner, seq: Sequence): Promise<string | undefined> {
  // The two sides share nothing, so they run at once: OTP's side is mostly waiting.
  const [a, b] = await Promise.all([otpRunner.run(seq.setup, seq.commands), runTrellis(seq.setup, seq.commands)]);
  return firstDivergence(a, b, seq.setup.kind === 'dynamic');
}

/** Removes chunks of commands, then single commands, while the sequence still diverges. */
async function shrink(otpRunner: OtpRunner, seq: Sequence): Promise<{ seq: Sequence; divergence: string }> {
  let best = seq;
  let divergence = (await diverges(otpRunner, seq))!;
  for (let chunk = Math.max(1, Math.floor(best.commands.length / 2)); chunk >= 1; chunk = Math.floor(chunk / 2)) {
    for (let i = 0; i + chunk <= best.commands.length; ) {
      const commands: Command[] = [...best.commands.slice(0, i), ...best.commands.slice(i + chunk)];
      const candidate = { setup: best.setup, commands };
      const d = await diverges(otpRunner, candidate);
      if (d !== undefined) {
        best = candidate;
        divergence = d;
      } else i++;
    }
  }
  return { seq: best, divergence };
}

describe.skipIf(erl === undefined || erlc === undefined)('differential test against the real OTP supervisor', () => {
  beforeAll(() => {
    if (!Number.isInteger(LANES) || LANES < 1) throw new Error(`TRELLIS_DIFF_LANES must be a whole number ≥ 1, got ${process.env.TRELLIS_DIFF_LANES}`);
    otps = OtpRunner.startMany(erl!, erlc!, REPLAY !== undefined ? 1 : LANES);
  });
  afterAll(() => otps.forEach((o) => o.close()));

  it(
    'agrees with OTP after every command of every generated sequence',
    async () => {
      const began = Date.now();
      const seeds = REPLAY !== undefined ? [Number(REPLAY)] : Array.from({ length: RUNS }, (_, i) => (SEED + i) >>> 0);
      let runs = 0;
      let commands = 0;
      let next = 0;
      let failure: string | undefined;
      // Each lane takes the next seed until the seeds, the time budget or a divergence ends the run;
      // the first divergence is shrunk on its own lane's erl.
      const lane = async (otp: OtpRunner): Promise<void> => {
        while (failure === undefined && next < seeds.length && Date.now() - began <= BUDGET_MS) {
          const seed = seeds[next++]!;
          const seq = generate(seed, MAX_COMMANDS);
          const d = await diverges(otp, seq);
          runs++;
          commands += seq.commands.length;
          if (d !== undefined && failure === undefined) {
            failure = '';
            const small = await shrink(otp, seq);
            failure =
              `OTP and trellis diverge on the sequence of seed ${seed} (replay: TRELLIS_DIFF_REPLAY=${seed}).\n` +
              `Shrunk to ${small.seq.commands.length} of ${seq.commands.length} commands:\n` +
              `setup: ${JSON.stringify(small.seq.setup)}\ncommands: ${JSON.stringify(small.seq.commands)}\n${small.divergence}`;
          }
          if (SOAK && runs % 1000 === 0) console.log(`[conformance] ${runs} sequences, ${commands} commands, ${Math.round((commands * 1000) / (Date.now() - began))} commands/s`);
        }
      };
      await Promise.all(otps.map(lane));
      if (failure !== undefined) expect.fail(failure);
      console.log(`[conformance] differential test: seed=${SEED} sequences=${runs} commands=${commands} in ${Date.now() - began} ms on ${otps.length} lane(s), no divergence`);
      expect(runs).toBeGreaterThan(0);
    },
    SOAK ? 24 * 3600_000 : 120_000,
  );
});
