/**
 * One contender of the rule-scaling benchmark, in its own process (forked by rule-scaling.ts): its own heap and JIT
 * state, as in a real scan with one detector, so contenders do not slow each other down by sharing call sites.
 *
 *   argv: <data.json> <detector|match-only|naive> <rule count|catalog> <stride> <slice size>
 *   messages in:  {gc: true} → {ok: true};  {slice: i} → {ms, hits}
 */
import { readFileSync } from 'node:fs';
import { toEventBridgeEnvelope } from '../src/cloudtrail/envelope.js';
import type { CloudTrailRecord, EventBridgeEnvelope } from '../src/cloudtrail/types.js';
import { createDetector, evaluateRule } from '../src/detect/detector.js';
import { RuleIndex } from '../src/detect/rule-index.js';
import { loadRules } from '../src/rules/load.js';
import type { Rule } from '../src/rules/types.js';
import { fullGc } from './harness.js';
import { compileSyntheticRule, type SyntheticRuleDefinition } from './synthetic-rules.js';

export type ContenderKind = 'detector' | 'match-only' | 'naive';

export interface ScalingData {
  records: readonly CloudTrailRecord[];
  rules: readonly SyntheticRuleDefinition[];
}

export type ChildRequest = { gc: true } | { slice: number };
export type ChildReply = { ready: true; slices: number } | { ok: true } | { ms: number; hits: number };

type PerRecord = (record: CloudTrailRecord) => number;

/** detector.evaluate, counting findings. */
function detectorRun(rules: readonly Rule[]): PerRecord {
  const detector = createDetector(rules);
  return (record) => detector.evaluate(record).length;
}

/** What detector.evaluate does up to the findings: envelope, index candidates, pattern and checks per candidate. */
function matchOnlyRun(rules: readonly Rule[]): PerRecord {
  const index = new RuleIndex(rules);
  let hits = 0;
  return (record) => {
    hits = 0;
    const event: EventBridgeEnvelope = toEventBridgeEnvelope(record);
    const candidates = index.candidates(event);
    for (let i = 0; i < candidates.length; i++) if (evaluateRule(candidates[i]!, event)) hits++;
    return hits;
  };
}

/** Without the index: wrap each record, then ask every rule's pattern. */
function naiveRun(rules: readonly Rule[]): PerRecord {
  return (record) => {
    const event = toEventBridgeEnvelope(record);
    let hits = 0;
    for (let r = 0; r < rules.length; r++) if (rules[r]!.pattern.matches(event)) hits++;
    return hits;
  };
}

const RUNS: Record<ContenderKind, (rules: readonly Rule[]) => PerRecord> = { detector: detectorRun, 'match-only': matchOnlyRun, naive: naiveRun };

function main(): void {
  const [dataFile, kind, set, stride, sliceSize] = process.argv.slice(2) as [string, ContenderKind, string, string, string];
  const data = JSON.parse(readFileSync(dataFile, 'utf8')) as ScalingData;
  const rules = set === 'catalog' ? loadRules().rules : data.rules.slice(0, Number(set)).map(compileSyntheticRule);
  const step = Number(stride);
  const records = step > 1 ? data.records.filter((_, i) => i % step === 0) : data.records;
  const slices: CloudTrailRecord[][] = [];
  for (let i = 0; i < records.length; i += Number(sliceSize)) slices.push(records.slice(i, i + Number(sliceSize)));
  const perRecord = RUNS[kind](rules);
  const send = (reply: ChildReply): void => void process.send!(reply);

  process.on('message', (request: ChildRequest) => {
    if ('gc' in request) {
      fullGc();
      send({ ok: true });
      return;
    }
    const slice = slices[request.slice]!;
    const started = performance.now();
    let hits = 0;
    for (let i = 0; i < slice.length; i++) hits += perRecord(slice[i]!);
    send({ ms: performance.now() - started, hits });
  });
  process.on('disconnect', () => process.exit(0));
  send({ ready: true, slices: slices.length });
}

main();
