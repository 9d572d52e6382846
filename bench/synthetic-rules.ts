/**
 * Deterministic synthetic rules for the rule-scaling benchmark, shaped like real detection rules: each pins
 * detail.eventSource and detail.eventName (names from the real API models of a few services plus the names the
 * generated traffic uses, so some rules fire), mostly as exact lists, some as prefix, equals-ignore-case or $or,
 * plus extra conditions with anything-but, exists, numeric, cidr, wildcard, suffix and prefix.
 *
 * The rules of a smaller set are the first rules of a larger one (same seed and records), so 10 ⊂ 100 ⊂ 1,000.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Rng, Weighted } from '../scripts/samples/generator/prng.js';
import { toEventBridgeEnvelope } from '../src/cloudtrail/envelope.js';
import type { CloudTrailRecord, EventBridgeEnvelope } from '../src/cloudtrail/types.js';
import { compileEventPattern } from '../src/patterns/eventbridge/index.js';
import { compileTemplate } from '../src/rules/template.js';
import { SEVERITIES, type Rule, type Severity } from '../src/rules/types.js';
import { REPO_ROOT } from './data.js';

interface Service {
  /** aws-sdk v2 API model (node_modules/aws-sdk/apis/<model>.min.json). */
  model: string;
  eventSource: string;
  source: string;
}

const SERVICES: readonly Service[] = [
  { model: 'ec2-2016-11-15', eventSource: 'ec2.amazonaws.com', source: 'aws.ec2' },
  { model: 'iam-2010-05-08', eventSource: 'iam.amazonaws.com', source: 'aws.iam' },
  { model: 's3-2006-03-01', eventSource: 's3.amazonaws.com', source: 'aws.s3' },
  { model: 'kms-2014-11-01', eventSource: 'kms.amazonaws.com', source: 'aws.kms' },
  { model: 'lambda-2015-03-31', eventSource: 'lambda.amazonaws.com', source: 'aws.lambda' },
  { model: 'sts-2011-06-15', eventSource: 'sts.amazonaws.com', source: 'aws.sts' },
];

/** Names a rule may pin for one service: the API's operations plus the names the traffic really has. */
interface NamePool {
  service: Service;
  /** State-changing names (CreateX, DeleteX, PutX, ...): what detection rules mostly watch. */
  changes: string[];
  /** Read-only names (Get, List, Describe, ...). */
  reads: string[];
  /** Verbs of the state-changing names ("Delete", "Put", ...): the prefixes rules use. */
  verbs: string[];
  /** All names, for weighting services by API size. */
  size: number;
}

/** Share of eventName picks that are read-only calls (recon rules exist, but most rules watch changes). */
const READ_SHARE = 0.1;

/** Read-only verbs: rules watch changes, so no synthetic prefix rule matches every Describe or Get call. */
const READ_ONLY_VERBS = new Set(['Get', 'List', 'Describe', 'Head', 'Lookup', 'Search', 'Select', 'Batch', 'Validate', 'Estimate', 'Simulate', 'Decode', 'Decrypt', 'Verify', 'Generate']);

function namePools(records: readonly CloudTrailRecord[]): NamePool[] {
  const seen = new Map<string, Set<string>>();
  for (const r of records) {
    let names = seen.get(r.eventSource);
    if (!names) seen.set(r.eventSource, (names = new Set()));
    names.add(r.eventName);
  }
  return SERVICES.map((service) => {
    const file = path.join(REPO_ROOT, 'node_modules/aws-sdk/apis', `${service.model}.min.json`);
    const model = JSON.parse(readFileSync(file, 'utf8')) as { operations: Record<string, unknown> };
    const names = [...new Set([...Object.keys(model.operations), ...(seen.get(service.eventSource) ?? [])])].sort();
    const changes = names.filter((n) => !READ_ONLY_VERBS.has(verbOf(n)));
    const reads = names.filter((n) => READ_ONLY_VERBS.has(verbOf(n)));
    return { service, changes, reads, verbs: [...new Set(changes.map(verbOf))].sort(), size: names.length };
  });
}

type Json = Record<string, unknown>;

/** "DescribeInstances" → "Describe": the verb real rules use as a prefix. */
function verbOf(name: string): string {
  const m = /^[A-Z][a-z]+/.exec(name);
  return m ? m[0] : name.slice(0, 3);
}

const CIDRS = ['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24', '10.0.0.0/8', '192.0.0.0/16', '2001:db8::/32'];
const USER_AGENTS: Json[] = [{ wildcard: '*Boto3*' }, { wildcard: 'aws-cli/2.*' }, { suffix: '.amazonaws.com' }, { wildcard: 'Mozilla/5.0 (*' }, { prefix: 'APN/1.0 HashiCorp' }];
const IDENTITY_TYPES = ['AssumedRole', 'IAMUser', 'Root', 'AWSService', 'FederatedUser', 'IdentityCenterUser'];

/** One extra condition, merged into `detail`. */
const EXTRAS: readonly ((rng: Rng, service: Service) => Json)[] = [
  (rng) => ({ userIdentity: { type: rng.chance(0.5) ? [{ 'anything-but': ['AWSService'] }] : pickSome(rng, IDENTITY_TYPES, 1, 3) } }),
  (rng) => ({ sourceIPAddress: [{ cidr: rng.pick(CIDRS) }] }),
  (rng) => ({ userAgent: [rng.pick(USER_AGENTS)] }),
  (rng) => ({ errorCode: [rng.pick<Json>([{ prefix: 'AccessDenied' }, { exists: true }, { exists: false }, { 'anything-but': { prefix: 'NoSuch' } }])] }),
  (rng, service) =>
    service.eventSource === 's3.amazonaws.com'
      ? { additionalEventData: { bytesTransferredIn: [{ numeric: ['>', rng.pick([0, 1024, 65536])] }] } }
      : { requestParameters: { maxResults: [{ numeric: ['>=', 5, '<=', rng.pick([50, 100, 1000])] }] } },
  (rng) => ({ awsRegion: [rng.chance(0.5) ? { 'anything-but': ['us-east-1', 'us-west-2'] } : { 'anything-but': { prefix: 'eu-' } }] }),
  () => ({ readOnly: [false] }),
];

function pickSome(rng: Rng, items: readonly string[], min: number, max: number): string[] {
  const out = new Set<string>();
  const n = rng.range(min, Math.min(max, items.length));
  while (out.size < n) out.add(rng.pick(items));
  return [...out];
}


function pickName(rng: Rng, pool: NamePool): string {
  return rng.chance(READ_SHARE) && pool.reads.length > 0 ? rng.pick(pool.reads) : rng.pick(pool.changes);
}

function eventNameCondition(rng: Rng, pool: NamePool): Json {
  const names = (n: number): string[] => [...new Set(Array.from({ length: n }, () => pickName(rng, pool)))];
  const form = new Weighted<string>([
    ['list', 0.6],
    ['prefix', 0.15],
    ['ignore-case', 0.1],
    ['or', 0.15],
  ]).sample(rng);
  switch (form) {
    case 'prefix':
      return { eventName: [{ prefix: rng.pick(pool.verbs) }] };
    case 'ignore-case':
      return { eventName: names(rng.range(1, 2)).map((n) => ({ 'equals-ignore-case': rng.chance(0.5) ? n.toLowerCase() : n.toUpperCase() })) };
    case 'or':
      return {
        $or: [{ eventName: names(rng.range(1, 4)) }, { eventName: [{ prefix: rng.pick(pool.verbs) }], errorCode: [{ exists: true }] }],
      };
    default:
      return { eventName: names(rng.range(1, 6)) };
  }
}

/** A service, weighted by the size of its API: rules spread over operations, not over services. */
export function syntheticPattern(rng: Rng, pools: Weighted<NamePool>): Json {
  const pool = pools.sample(rng);
  const detail: Json = { eventSource: [pool.service.eventSource], ...eventNameCondition(rng, pool) };
  const extras = new Weighted<number>([
    [0, 0.35],
    [1, 0.4],
    [2, 0.25],
  ]).sample(rng);
  const used = new Set<number>();
  while (used.size < extras) used.add(rng.int(EXTRAS.length));
  for (const i of used) Object.assign(detail, EXTRAS[i]!(rng, pool.service));
  const pattern: Json = { detail };
  if (rng.chance(0.3)) pattern.source = [pool.service.source];
  return pattern;
}

const DEDUPE = compileTemplate('{{rule.id}}:{{detail.eventID}}');

/**
 * Real detection rules are tuned to fire rarely (the built-in catalog: about 0.25% of records for all 35 rules
 * together). A drawn rule that fires on more than this share of the background traffic (e.g. a bare "Put" prefix
 * on S3, which is every upload) is drawn again, so 1,000 rules do not turn every record into findings and the
 * benchmark measures matching rather than finding construction. Rules on hot calls with narrow conditions stay.
 */
export const MAX_RULE_HIT_RATE = 0.001;

/** What a synthetic rule is made of: enough to compile it anywhere (e.g. in a child process). */
export interface SyntheticRuleDefinition {
  id: string;
  severity: Severity;
  match: Json;
}

export interface SyntheticRuleSet {
  definitions: SyntheticRuleDefinition[];
  /** Drawn rules dropped for firing on more than MAX_RULE_HIT_RATE of the records. */
  redrawn: number;
}

/**
 * `count` synthetic rule definitions, calibrated on `records`: their eventNames come from the API models plus the
 * names in `records`, and none fires on more than MAX_RULE_HIT_RATE of them.
 */
export function syntheticRuleSet(count: number, records: readonly CloudTrailRecord[], seed = 'trailguard-bench-rules'): SyntheticRuleSet {
  const pools = namePools(records);
  const weighted = new Weighted(pools.map((p) => [p, p.size] as const));
  const bySource = new Map<string, EventBridgeEnvelope[]>();
  for (const record of records) {
    const list = bySource.get(record.eventSource);
    if (list) list.push(toEventBridgeEnvelope(record));
    else bySource.set(record.eventSource, [toEventBridgeEnvelope(record)]);
  }
  const rng = new Rng(seed);
  const definitions: SyntheticRuleDefinition[] = [];
  let redrawn = 0;
  while (definitions.length < count) {
    const match = syntheticPattern(rng, weighted);
    const pattern = compileEventPattern(match);
    const severity = SEVERITIES[rng.int(SEVERITIES.length)]!;
    const source = ((match.detail as Json).eventSource as string[])[0]!;
    let hits = 0;
    for (const event of bySource.get(source) ?? []) if (pattern.matches(event)) hits++;
    if (hits > MAX_RULE_HIT_RATE * records.length) {
      redrawn++;
      continue;
    }
    definitions.push({ id: `synthetic-${String(definitions.length + 1).padStart(4, '0')}`, severity, match });
  }
  return { definitions, redrawn };
}

/** A definition compiled as the loader compiles rules, without the YAML around it. */
export function compileSyntheticRule(definition: SyntheticRuleDefinition): Rule {
  return {
    id: definition.id,
    title: `Synthetic rule ${definition.id}`,
    severity: definition.severity,
    description: 'Generated for the rule-scaling benchmark.',
    match: definition.match,
    tests: { match: [], noMatch: [] },
    file: '<bench>',
    origin: 'user',
    pattern: compileEventPattern(definition.match),
    compiledChecks: [],
    templates: { dedupe: DEDUPE, resources: [] },
  };
}
