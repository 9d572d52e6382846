/**
 * (b) Per-record matching cost against the number of rules: detector.evaluate over records already decoded in
 * memory, for 10, 100 and 1,000 synthetic rules. For contrast: the same index and patterns without building
 * findings ("match only"), and a naive loop over every rule's pattern without the index.
 *
 * Every contender runs in its own child process (scaling-child.ts): in one process, eight detectors share their
 * call sites, which turns them polymorphic and adds a constant cost to every record that flattens the ratio. The
 * contenders take turns slice by slice, so a burst of load from elsewhere on the machine hits all of them.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CloudTrailRecord } from '../src/cloudtrail/types.js';
import { createDetector, type Detector } from '../src/detect/detector.js';
import type { Rule } from '../src/rules/types.js';
import { goalLine, table, verdict, type GoalResult } from './report.js';
import type { ChildReply, ChildRequest, ContenderKind, ScalingData } from './scaling-child.js';
import { pairedRatios, sig, spread, summarize } from './stats.js';
import { compileSyntheticRule, MAX_RULE_HIT_RATE, syntheticRuleSet } from './synthetic-rules.js';

export const RULE_COUNTS = [10, 100, 1000] as const;
export const SCALING_GOAL = 1.5;
/** Records per turn of a contender. */
const SLICE = 5_000;
/** The naive loop is ~100x slower at 1,000 rules: it runs on every NAIVE_STRIDE-th record, in smaller turns and fewer rounds. */
const NAIVE_STRIDE = 20;
const NAIVE_SLICE = 500;
const NAIVE_ROUNDS = 5;
const CHILD = fileURLToPath(new URL('./scaling-child.ts', import.meta.url));

/** A forked contender, spoken to one request at a time. */
class Contender {
  private readonly child: ChildProcess;
  private pending: ((reply: ChildReply) => void) | undefined;
  private failure: Error | undefined;
  readonly ready: Promise<number>;

  constructor(
    readonly name: string,
    dataFile: string,
    kind: ContenderKind,
    set: string,
    stride: number,
    slice: number,
  ) {
    // fork() passes on process.execArgv, so the child runs under the same TypeScript loader as this process.
    this.child = fork(CHILD, [dataFile, kind, set, String(stride), String(slice)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (reply: ChildReply) => {
      const resolve = this.pending;
      this.pending = undefined;
      resolve?.(reply);
    });
    this.child.on('exit', (code) => {
      this.failure ??= new Error(`contender ${name} exited with ${code}`);
      this.pending?.({ ok: true });
    });
    this.ready = this.next().then((reply) => {
      if (this.failure) throw this.failure;
      if (!('ready' in reply)) throw new Error(`contender ${name}: unexpected first message`);
      return reply.slices;
    });
  }

  private next(): Promise<ChildReply> {
    return new Promise((resolve) => (this.pending = resolve));
  }

  async request(message: ChildRequest): Promise<ChildReply> {
    const reply = this.next();
    this.child.send(message);
    const r = await reply;
    if (this.failure) throw this.failure;
    return r;
  }

  close(): void {
    if (this.child.connected) this.child.disconnect();
  }
}

interface Timings {
  /** ns/record of each round (one whole pass over the contender's records). */
  ns: Map<string, number[]>;
  /** Hits (findings or matches) per record, from the untimed first round. */
  hits: Map<string, number>;
}

/**
 * Rounds of whole passes, interleaved slice by slice: for each slice, every contender runs it in turn (the order
 * rotated slice by slice); a contender's round time is the sum over its slices. One untimed round first.
 */
async function slicedRounds(contenders: readonly Contender[], records: number, rounds: number, log: (line: string) => void): Promise<Timings> {
  try {
    const counts = await Promise.all(contenders.map((c) => c.ready));
    const slices = counts[0]!;
    if (counts.some((n) => n !== slices)) throw new Error('contenders disagree on the slices');
    const ns = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
    const hits = new Map<string, number>();
    for (let round = -1; round < rounds; round++) {
      for (const c of contenders) await c.request({ gc: true });
      const ms = new Array<number>(contenders.length).fill(0);
      for (let s = 0; s < slices; s++) {
        for (let k = 0; k < contenders.length; k++) {
          const i = (k + s + Math.max(round, 0)) % contenders.length;
          const reply = await contenders[i]!.request({ slice: s });
          if (!('ms' in reply)) throw new Error(`contender ${contenders[i]!.name}: unexpected reply`);
          ms[i]! += reply.ms;
          if (round === -1) hits.set(contenders[i]!.name, (hits.get(contenders[i]!.name) ?? 0) + reply.hits / records);
        }
      }
      if (round === -1) continue;
      contenders.forEach((c, i) => ns.get(c.name)!.push((ms[i]! * 1e6) / records));
      log(`[b] round ${round + 1}/${rounds} ${contenders.map((c, i) => `${c.name} ${sig((ms[i]! * 1e6) / records)}`).join(', ')} ns/record`);
    }
    return { ns, hits };
  } finally {
    for (const c of contenders) c.close();
  }
}

/** Pattern evaluations per record the detector makes (the index's candidates), counted in an untimed pass. */
function candidatesPerRecord(rules: readonly Rule[], records: readonly CloudTrailRecord[]): number {
  let calls = 0;
  const counted = rules.map((rule) => ({
    ...rule,
    pattern: {
      matches: (event: unknown) => {
        calls++;
        return rule.pattern.matches(event);
      },
      valuesAt: (path: readonly string[]) => rule.pattern.valuesAt(path),
    },
  }));
  const detector = createDetector(counted);
  for (const record of records) detector.evaluate(record);
  return calls / records.length;
}

function indexSummary(detector: Detector): string {
  const stats = detector.indexStats();
  const indexed = Object.entries(stats.indexed)
    .filter(([, n]) => n > 0)
    .map(([field, n]) => `${field.replace(/^detail\./, '')} ${n}`);
  return [...indexed, `unindexed ${stats.unindexed}`].join(', ');
}

export interface ScalingResult {
  text: string;
  goal: GoalResult;
}

export async function measureRuleScaling(
  records: readonly CloudTrailRecord[],
  catalog: readonly Rule[],
  rounds: number,
  log: (line: string) => void,
): Promise<ScalingResult> {
  const { definitions, redrawn } = syntheticRuleSet(Math.max(...RULE_COUNTS), records);
  const synthetic = definitions.map(compileSyntheticRule);
  const sets = [
    ...RULE_COUNTS.map((n) => ({ key: String(n), label: String(n), rules: synthetic.slice(0, n) })),
    { key: 'catalog', label: `catalog (${catalog.length})`, rules: [...catalog] },
  ];
  const dir = await mkdtemp(path.join(tmpdir(), 'trailguard-bench-scaling-'));
  const dataFile = path.join(dir, 'data.json');
  let fast: Timings;
  let naive: Timings;
  const naiveRecords = Math.ceil(records.length / NAIVE_STRIDE);
  try {
    await writeFile(dataFile, JSON.stringify({ records, rules: definitions } satisfies ScalingData));
    log(`[b] starting ${sets.length * 2} contender processes`);
    fast = await slicedRounds(
      sets.flatMap((s) => (['detector', 'match-only'] as const).map((kind) => new Contender(`${kind} ${s.key}`, dataFile, kind, s.key, 1, SLICE))),
      records.length,
      rounds,
      log,
    );
    naive = await slicedRounds(
      sets.filter((s) => s.key !== 'catalog').map((s) => new Contender(`naive ${s.key}`, dataFile, 'naive', s.key, NAIVE_STRIDE, NAIVE_SLICE)),
      naiveRecords,
      Math.min(rounds, NAIVE_ROUNDS),
      log,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  const ns = (name: string): number[] => fast.ns.get(name) ?? naive.ns.get(name) ?? [];
  const cell = (name: string): string => (ns(name).length > 0 ? spread(summarize(ns(name))) : '—');
  const minOf = (name: string): number => summarize(ns(name)).min;
  const rows = sets.map((s) => [
    s.label,
    cell(`detector ${s.key}`),
    cell(`match-only ${s.key}`),
    cell(`naive ${s.key}`),
    sig(candidatesPerRecord(s.rules, records)),
    fast.hits.get(`detector ${s.key}`)!.toFixed(4),
    indexSummary(createDetector(s.rules)),
  ]);

  const most = String(RULE_COUNTS[RULE_COUNTS.length - 1]);
  const least = String(RULE_COUNTS[0]);
  const ratio = pairedRatios(ns(`detector ${most}`), ns(`detector ${least}`));
  const matchRatio = pairedRatios(ns(`match-only ${most}`), ns(`match-only ${least}`));
  const naiveRatio = pairedRatios(ns(`naive ${most}`), ns(`naive ${least}`));
  const goal: GoalResult = {
    measurement: `per-record cost (detector.evaluate), ${most} rules / ${least} rules`,
    figure: `${spread(ratio, (v) => v.toFixed(2))}x`,
    goal: `<= ${SCALING_GOAL}x`,
    verdict: verdict(ratio.median <= SCALING_GOAL),
  };
  const text = [
    `${records.length.toLocaleString('en-US')} generated records decoded in memory; ${definitions.length} synthetic rules (${redrawn} drawn rules redrawn for firing on > ${MAX_RULE_HIT_RATE * 100}% of records); one process per contender; ${rounds} rounds, contenders taking turns every ${SLICE.toLocaleString('en-US')} records (naive loop: every ${NAIVE_STRIDE}th record, turns of ${NAIVE_SLICE}, ${Math.min(rounds, NAIVE_ROUNDS)} rounds); ns/record median (min–max)`,
    table(['rules', 'detector.evaluate', 'match only', 'naive (no index)', 'patterns run/record', 'findings/record', 'index (rules per field)'], rows, [1, 2, 3, 4, 5]),
    `ratio ${most}/${least} rules per round: detector ${spread(ratio, (v) => v.toFixed(2))}x, match only ${spread(matchRatio, (v) => v.toFixed(2))}x, naive ${spread(naiveRatio, (v) => v.toFixed(1))}x`,
    `ratio of the fastest rounds (least disturbed by other load): detector ${(minOf(`detector ${most}`) / minOf(`detector ${least}`)).toFixed(2)}x, match only ${(minOf(`match-only ${most}`) / minOf(`match-only ${least}`)).toFixed(2)}x`,
    goalLine(goal),
  ].join('\n');
  return { text, goal };
}
