/**
 * trailguard benchmark: `npm run bench [-- --quick] [-- --only a,b,c] [-- --rounds N]`.
 *
 *   a  throughput: scan with the full catalog vs the read+gunzip+JSON.parse floor (generated data, SANS real set)
 *   b  rules:      per-record matching cost for 10 / 100 / 1,000 synthetic rules (and a naive loop, for contrast)
 *   c  memory:     peak RSS of the built CLI scanning >= 1 GB of JSON vs a parse-only child and an empty node
 *   d  lambda:     the deployed path: bundle sizes, cold init under Node 22, detect handler latency per event, an
 *                  at-least-once replay with two consumers, cost per million events (bench/lambda.ts)
 *   e  s3:         `scan s3://` from moto_server on loopback vs the same files scanned locally (bench/s3.ts)
 *
 * Goals are measured, not asserted: each is printed with PASS or MISS and the exit status is 0 either way. Every
 * ratio compares runs made in this process run on the same data, interleaved round by round.
 */
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { createDetector } from '../src/detect/detector.js';
import { loadRules } from '../src/rules/load.js';
import { decodedRecords, generatedTree, realDataset } from './data.js';
import { measureLambda } from './lambda.js';
import { cliProblem, measureMemory, RSS_GOAL_MB } from './memory.js';
import { markdownSummary, section, skipped, type GoalResult } from './report.js';
import { measureRuleScaling } from './rule-scaling.js';
import { measureS3 } from './s3.js';
import { measureThroughput, THROUGHPUT_GOAL } from './throughput.js';

const SEED = 'bench';
const PARTS = { a: ['a', 'throughput'], b: ['b', 'rules', 'scaling'], c: ['c', 'memory', 'rss'], d: ['d', 'lambda'], e: ['e', 's3'] } as const;
type Part = keyof typeof PARTS;

interface Config {
  quick: boolean;
  parts: Set<Part>;
  /** Rounds per part: more where a run is short, since the noise of a shared machine is then larger. */
  rounds: { generated: number; real: number; scaling: number; memory: number; cold: number; latency: number; s3: number };
  throughputRecords: number;
  scalingRecords: number;
  memoryRecords: number;
  /** Distinct events replayed through the queue emulation (d). */
  replayEvents: number;
  /** Sample events run against the DynamoDB store on moto (d). */
  motoEvents: number;
  /** Records of the generated trail uploaded to moto and scanned from S3 (e). */
  s3Records: number;
}

function parseArgs(argv: readonly string[]): Config {
  const quick = argv.includes('--quick');
  let only: string[] | undefined;
  let rounds: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (name: string): string | undefined => (arg === name ? argv[++i] : arg.startsWith(name + '=') ? arg.slice(name.length + 1) : undefined);
    const o = value('--only');
    if (o !== undefined) only = o.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
    const r = value('--rounds');
    if (r !== undefined) rounds = Number.parseInt(r, 10);
  }
  const parts = new Set<Part>();
  for (const [part, names] of Object.entries(PARTS) as [Part, readonly string[]][]) {
    if (only === undefined || only.some((o) => names.includes(o))) parts.add(part);
  }
  const unknown = (only ?? []).filter((o) => !Object.values(PARTS).some((names) => (names as readonly string[]).includes(o)));
  if (unknown.length > 0) throw new Error(`unknown part(s) ${unknown.join(', ')}: use a|throughput, b|rules, c|memory, d|lambda, e|s3`);
  if (rounds !== undefined && !(rounds >= 1)) throw new Error('--rounds must be a positive integer');
  return {
    quick,
    parts,
    // A CLI run over 1 GB takes several seconds: fewer rounds there, still interleaved.
    // A cold start is a few hundred milliseconds: many rounds; a latency pass is a few seconds.
    rounds:
      rounds !== undefined
        ? { generated: rounds, real: rounds, scaling: rounds, memory: rounds, cold: rounds, latency: rounds, s3: rounds }
        : quick
          ? { generated: 3, real: 3, scaling: 3, memory: 1, cold: 7, latency: 2, s3: 3 }
          : { generated: 5, real: 9, scaling: 15, memory: 3, cold: 21, latency: 5, s3: 5 },
    throughputRecords: quick ? 30_000 : 200_000,
    scalingRecords: quick ? 30_000 : 100_000,
    memoryRecords: quick ? 100_000 : 650_000,
    replayEvents: quick ? 3_000 : 10_000,
    motoEvents: quick ? 500 : 3_000,
    s3Records: quick ? 30_000 : 100_000,
  };
}

function machine(load: number[]): string {
  const cpu = cpus();
  return `Machine: node ${process.version}, ${platform()} ${release()}, ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, load average at start ${load.map((l) => l.toFixed(2)).join(' / ')} (1/5/15 min)`;
}

async function main(): Promise<void> {
  const load = loadavg();
  const started = performance.now();
  const config = parseArgs(process.argv.slice(2));
  const out = (text: string): void => void process.stdout.write(text + '\n');
  const log = (line: string): void => void process.stderr.write(`  · ${line}\n`);
  const goals: GoalResult[] = [];
  const host = machine(load);

  out('# trailguard benchmark' + (config.quick ? ' (quick)' : ''));
  out(host);
  const r = config.rounds;
  out(`Parts: ${[...config.parts].join(', ')}; rounds: generated ${r.generated}, real ${r.real}, rule scaling ${r.scaling}, memory ${r.memory}, cold init ${r.cold}, handler latency ${r.latency}; generated data seed "${SEED}"`);

  const loaded = loadRules();
  if (loaded.errors.length > 0) throw new Error(`built-in catalog failed to load: ${loaded.errors.map((e) => e.message).join('; ')}`);
  const catalog = loaded.rules;

  if (config.parts.has('a')) {
    out(section(`(a) scan throughput, full catalog (${catalog.length} rules) vs floor`));
    const detector = createDetector(catalog);
    const tree = await generatedTree(config.throughputRecords, SEED, log);
    const generated = await measureThroughput(tree, detector, config.rounds.generated, log);
    out(generated.text);
    goals.push(generated.goal);
    const sans = await realDataset('sans-504-s3-ransomware-lab', 'SANS real set');
    if ('missing' in sans) {
      out(`\nSANS real set: skipped: ${sans.missing}`);
      goals.push(skipped('scan/floor throughput, SANS real set', `>= ${THROUGHPUT_GOAL}`, sans.missing));
    } else {
      const real = await measureThroughput(sans, detector, config.rounds.real, log);
      out('\n' + real.text);
      goals.push(real.goal);
    }
  }

  if (config.parts.has('b')) {
    out(section('(b) per-record matching cost vs rule count'));
    const records = decodedRecords(config.scalingRecords, SEED);
    const scaling = await measureRuleScaling(records, catalog, config.rounds.scaling, log);
    out(scaling.text);
    goals.push(scaling.goal);
  }

  if (config.parts.has('c')) {
    out(section('(c) peak RSS scanning >= 1 GB of logs (built CLI, child process)'));
    const problem = cliProblem();
    if (problem.skip) {
      out(`skipped: ${problem.skip}`);
      goals.push(skipped('peak RSS, CLI scan', `<= ${RSS_GOAL_MB} MB`, problem.skip));
    } else {
      if (problem.warn) out(`warning: ${problem.warn}`);
      const tree = await generatedTree(config.memoryRecords, SEED, log);
      if (tree.rawBytes < 1e9) out(`note: ${(tree.rawBytes / 1e9).toFixed(2)} GB of JSON, under the 1 GB the goal is stated for${config.quick ? ' (--quick)' : ''}`);
      const memory = await measureMemory(tree, config.rounds.memory, log);
      out(memory.text);
      goals.push(memory.goal);
    }
  }

  if (config.parts.has('d')) {
    goals.push(...(await measureLambda({ quick: config.quick, rounds: { cold: r.cold, latency: r.latency }, replayEvents: config.replayEvents, motoEvents: config.motoEvents }, catalog, out, log)));
  }

  if (config.parts.has('e')) {
    out(section('(e) scan s3:// (moto on loopback) vs the same files scanned locally'));
    const tree = await generatedTree(config.s3Records, SEED, log);
    const s3 = await measureS3(tree, createDetector(catalog), config.rounds.s3, log);
    out(s3.text);
    goals.push(s3.goal);
  }

  out(section('Summary (paste into the README)'));
  const end = loadavg().map((l) => l.toFixed(2)).join(' / ');
  out(markdownSummary(goals, `${host}; at end ${end}. \`npm run bench${config.quick ? ' -- --quick' : ''}\`, ${((performance.now() - started) / 1000).toFixed(0)} s.`));
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
