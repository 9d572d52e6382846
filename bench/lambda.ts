/**
 * (d) The deployed path: the Lambda functions as the CDK app bundles them, and the detect function as Lambda runs it.
 *
 *   d1  bundle size: each function bundled with lambdaBundlePlan (esbuild, minified, AWS SDK inside) for a typical
 *       deployment; the detect bundle's top contributors (metafile); the detect bundle of a config with every channel.
 *   d2  cold init: a fresh Node 22 process (the runtime's major) imports the detect bundle and awaits handler.ready(),
 *       interleaved round by round with a fresh Node 22 process importing an empty module.
 *   d3  per-event latency of the detect handler in-process (Node 20, in-memory SQLite store): batches of 10 real-shaped
 *       EventBridge events, enqueue included, delivery excluded; next to decode+evaluate alone. Then the DynamoDB store
 *       on moto, for information, counting the request units the cost needs.
 *   d4  replay: 10,000 distinct events + ~10% re-deliveries + malformed messages through an at-least-once SQS
 *       emulation with two concurrent consumers, checked for lost and duplicated findings and notifications.
 *   d5  cost per million events reaching the detect path, computed from the figures above.
 *
 * Only loopback connections are made (the test suite's network guard is installed for this part); moto_server is
 * started on 127.0.0.1 when installed, and the parts that need it are skipped with the reason otherwise.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { DynamoDBClient, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { build, type Metafile } from 'esbuild';
import { decodeRecords } from '../src/cloudtrail/decode.js';
import { toEventBridgeEnvelope } from '../src/cloudtrail/envelope.js';
import type { CloudTrailRecord } from '../src/cloudtrail/types.js';
import type { TrailguardConfig } from '../src/config/schema.js';
import { createDetector } from '../src/detect/detector.js';
import { LAMBDA_NODE_TARGET, lambdaBundlePlan } from '../src/lambda/bundle.js';
import { buildDeploymentDocument, type DeploymentDocument } from '../src/lambda/deployment.js';
import { createDeliverHandler } from '../src/lambda/deliver.js';
import { createDetectHandler } from '../src/lambda/detect.js';
import { LAMBDA_HANDLERS, type LambdaHandlerName } from '../src/lambda/environment.js';
import { notificationsConfigSchema, type ChannelConfig } from '../src/notify/config.js';
import type { Sink } from '../src/notify/types.js';
import { compileEventPattern, withEventScope } from '../src/patterns/eventbridge/index.js';
import { remediationConfigSchema } from '../src/remediate/config.js';
import type { Rule } from '../src/rules/types.js';
import { createStoreTable, openDynamoStore } from '../src/store/dynamodb/store.js';
import { openSqliteStore, type SqliteStore } from '../src/store/sqlite/index.js';
import type { Store } from '../src/store/types.js';
import { capturingObservability, deploymentEnv, lambdaContext, type LogLine } from '../test/lambda/support.js';
import { startServer, type TestServer } from '../test/notify/support/http-server.js';
import { MOTO_UNAVAILABLE_REASON, motoAvailable, oneAtATime, startMoto, type Moto } from '../test/support/moto.js';
import { REPO_ROOT } from './data.js';
import { fullGc, interleave, timed } from './harness.js';
import { goalLine, section, skipped, table, verdict, type GoalResult } from './report.js';
import { mb, ms, num, pairedRatios, sig, spread, summarize } from './stats.js';

export const BUNDLE_GOAL_BYTES = 1.5e6;
export const COLD_READY_GOAL_MS = 150;
export const EVENT_P99_GOAL_MS = 5;
const BATCH = 10;
const SAMPLES_DIR = path.join(REPO_ROOT, 'samples');

export interface LambdaBenchConfig {
  quick: boolean;
  rounds: { cold: number; latency: number };
  /** Distinct events in the replay (d4). */
  replayEvents: number;
  /** Sample events run against the DynamoDB store on moto (d3 info, d5 request units). */
  motoEvents: number;
}

type Out = (text: string) => void;
type Log = (line: string) => void;

// --- the deployments measured --------------------------------------------------------------------

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:trailguard-alerts';
const REMEDIATION = { rules: { 'security-group-ingress-open-to-world': { action: 'revoke-security-group-ingress', mode: 'enforce' } } };

/** A typical deployment: Slack and PagerDuty with their secrets in SSM, an SNS topic, one remediation rule. */
const TYPICAL_CHANNELS = {
  slack: { type: 'slack', webhookUrl: '${ssm:/trailguard/slack-webhook-url}' },
  pagerduty: { type: 'pagerduty', routingKey: '${ssm:/trailguard/pagerduty-routing-key}' },
  sns: { type: 'sns', topicArn: TOPIC },
};

/** The worst case for the bundle: a channel of every type, both secret stores, the config read from an SSM parameter. */
const EVERY_CHANNEL = {
  slack: { type: 'slack', webhookUrl: '${ssm:/trailguard/slack}' },
  teams: { type: 'teams', webhookUrl: '${secretsmanager:trailguard/teams}' },
  pagerduty: { type: 'pagerduty', routingKey: '${ssm:/trailguard/pagerduty}' },
  opsgenie: { type: 'opsgenie', apiKey: '${secretsmanager:trailguard/opsgenie}' },
  sns: { type: 'sns', topicArn: TOPIC },
  ses: { type: 'ses', from: 'trailguard@example.com', to: ['secops@example.com'] },
  smtp: { type: 'smtp', host: 'smtp.example.com', from: 'trailguard@example.com', to: ['secops@example.com'], username: 'trailguard', password: '${secretsmanager:trailguard/smtp#password}' },
  webhook: { type: 'webhook', url: '${ssm:/trailguard/webhook-url}', signingSecret: '${secretsmanager:trailguard/webhook#secret}' },
  stdout: { type: 'stdout' },
  jsonl: { type: 'jsonl', path: '/tmp/trailguard-notifications.jsonl' },
};

/** A config as the loader would give it (validated by the same schemas), so the bundle plan sees what synth sees. */
function deploymentConfig(channels: Record<string, unknown>, extra: Record<string, unknown> = {}): TrailguardConfig {
  return {
    notifications: notificationsConfigSchema.parse({ channels, ...extra }),
    remediation: remediationConfigSchema.parse(REMEDIATION),
  };
}

// --- sample events ---------------------------------------------------------------------------------

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(p));
    else out.push(p);
  }
  return out.sort();
}

/** The committed sample data (samples/), every record decoded as a scan decodes it. */
function sampleRecords(): CloudTrailRecord[] {
  const records: CloudTrailRecord[] = [];
  for (const file of filesUnder(SAMPLES_DIR)) for (const { record } of decodeRecords(readFileSync(file)).records) records.push(record);
  return records;
}

/** The record again under another CloudTrail eventID (a distinct event for the store, same shape for the rules). */
function withCopyId(record: CloudTrailRecord, copy: number, index: number): CloudTrailRecord {
  const clone = JSON.parse(JSON.stringify(record)) as CloudTrailRecord;
  const id = typeof record.eventID === 'string' && record.eventID.length >= 36 ? record.eventID : `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`;
  clone.eventID = `${copy.toString(16).padStart(8, '0')}${id.slice(8)}`;
  return clone;
}

/** The SQS message body EventBridge delivers for a record: the event itself. */
const bodyOf = (record: CloudTrailRecord): string => JSON.stringify(toEventBridgeEnvelope(record));

/** The EventBridge rules a deployment creates: one per enabled rule with a `match`, its pattern verbatim (src/infra/plan.ts). */
function deployedPatterns(rules: readonly Rule[]): Array<{ id: string; pattern: ReturnType<typeof compileEventPattern> }> {
  return rules.filter((r) => r.enabled !== false && r.match !== undefined).map((r) => ({ id: r.id, pattern: compileEventPattern(r.match!) }));
}

/** How many deployed EventBridge rules match the event: each match is one delivery to the detect queue. */
function deliveriesOf(patterns: ReturnType<typeof deployedPatterns>, record: CloudTrailRecord): number {
  const event = toEventBridgeEnvelope(record);
  return withEventScope(event, () => patterns.reduce((k, p) => k + (p.pattern.matches(event) ? 1 : 0), 0));
}

interface Message {
  messageId: string;
  body: string;
  receiveCount?: number;
}

/** An SQS event as Lambda's event source mapping hands it to the handler. */
function sqsEventOf(messages: readonly Message[]): SQSEvent {
  return {
    Records: messages.map(
      (m): SQSRecord => ({
        messageId: m.messageId,
        receiptHandle: `rh-${m.messageId}`,
        body: m.body,
        attributes: { ApproximateReceiveCount: String(m.receiveCount ?? 1), SentTimestamp: '1765100000000', SenderId: 'AIDAEVENTBRIDGE', ApproximateFirstReceiveTimestamp: '1765100000001' },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:trailguard-detect',
        awsRegion: 'us-east-1',
      }),
    ),
  };
}

function batchesOf<T>(items: readonly T[], size = BATCH): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** mulberry32: a small seeded generator, so the replay's stream is the same on every run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Nearest-rank percentile of an ascending list. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const sortedOf = (values: readonly number[]): number[] => [...values].sort((a, b) => a - b);
const kb = (bytes: number): string => `${num(bytes / 1e3, 1)} KB`;
const mb2 = (bytes: number): string => `${num(bytes / 1e6, 2)} MB`;
const usd = (v: number): string => (v >= 100 ? `$${num(v, 0)}` : v >= 1 ? `$${v.toFixed(2)}` : `$${v.toFixed(4)}`);

/** Sinks that count what they are asked to do and send nothing (the notifier's sinkFactory). */
function countingSinks(): { counts: { created: number; sent: number }; factory: (config: ChannelConfig, deps: { name: string }) => Promise<Sink> } {
  const counts = { created: 0, sent: 0 };
  return {
    counts,
    factory: async (config, deps) => {
      counts.created++;
      return { name: deps.name, type: config.type, send: async () => (counts.sent++, {}) };
    },
  };
}

// --- d1: bundles -----------------------------------------------------------------------------------

interface Bundle {
  name: string;
  file: string;
  bytes: number;
  gzipBytes: number;
  external: string[];
  metafile: Metafile;
  buildMs: number;
}

async function bundle(name: LambdaHandlerName, document: DeploymentDocument, outdir: string, label: string, options: { configParameter?: boolean } = {}): Promise<Bundle> {
  const plan = lambdaBundlePlan(name, document, options);
  const file = path.join(outdir, `${label}.mjs`);
  const { ms: buildMs, value: result } = await timed(() =>
    build({
      entryPoints: [plan.entry],
      bundle: true,
      platform: 'node',
      format: plan.format,
      target: plan.target,
      minify: plan.minify,
      mainFields: plan.mainFields,
      external: plan.external,
      define: plan.define,
      banner: { js: plan.banner },
      alias: plan.alias,
      outfile: file,
      metafile: true,
      logLevel: 'error',
    }),
  );
  const bytes = statSync(file).size;
  return { name, file, bytes, gzipBytes: gzipSync(readFileSync(file), { level: 9 }).length, external: plan.external, metafile: result.metafile, buildMs };
}

/** A bundle input's contributor: its npm package, or the project directory (src/<dir>). */
function contributorOf(input: string): string {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  if (pkg) return pkg[1]!;
  const own = /(?:^|\/)src\/([^/]+)\//.exec(input);
  return own ? `trailguard src/${own[1]}` : input;
}

function topContributors(b: Bundle, documentLiteral: number, n = 10): string[][] {
  const output = Object.values(b.metafile.outputs)[0]!;
  const byGroup = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    // The deployment document is a string literal esbuild puts in place of process.env.TRAILGUARD_DEPLOYMENT in runtime.ts.
    const isRuntime = input.endsWith('lambda/runtime.ts') || input.endsWith('lambda/runtime.js');
    const own = isRuntime ? Math.max(0, bytesInOutput - documentLiteral) : bytesInOutput;
    if (isRuntime) byGroup.set('deployment document (define, ≈ its JSON)', documentLiteral);
    const group = contributorOf(input);
    byGroup.set(group, (byGroup.get(group) ?? 0) + own);
  }
  return [...byGroup]
    .sort((a, b2) => b2[1] - a[1])
    .slice(0, n)
    .map(([group, bytes]) => [group, kb(bytes), `${((bytes / b.bytes) * 100).toFixed(1)} %`]);
}

async function measureBundles(rules: readonly Rule[], outdir: string, log: Log): Promise<{ text: string; goal: GoalResult; detect: Bundle }> {
  const typical = buildDeploymentDocument({ name: 'trailguard', rules, config: deploymentConfig(TYPICAL_CHANNELS) });
  const worst = buildDeploymentDocument({ name: 'trailguard', rules, config: deploymentConfig(EVERY_CHANNEL) });
  const bundles: Bundle[] = [];
  for (const name of LAMBDA_HANDLERS) {
    bundles.push(await bundle(name, typical, outdir, name));
    log(`[d1] bundled ${name}: ${mb2(bundles.at(-1)!.bytes)} in ${ms(bundles.at(-1)!.buildMs)}`);
  }
  const worstDetect = await bundle('detect', worst, outdir, 'detect-every-channel', { configParameter: true });
  log(`[d1] bundled detect (every channel): ${mb2(worstDetect.bytes)}`);
  const detect = bundles.find((b) => b.name === 'detect')!;
  const documentJson = JSON.stringify(typical).length;
  const rows = [...bundles.map((b) => [b.name, 'typical', mb2(b.bytes), mb2(b.gzipBytes), String(Object.keys(Object.values(b.metafile.outputs)[0]!.inputs).length), b.external.join(', ') || '—']), ['detect', 'every channel type', mb2(worstDetect.bytes), mb2(worstDetect.gzipBytes), String(Object.keys(Object.values(worstDetect.metafile.outputs)[0]!.inputs).length), worstDetect.external.join(', ') || '—']];
  const goal: GoalResult = {
    measurement: 'detect bundle, typical deployment (minified, AWS SDK inside)',
    figure: mb2(detect.bytes),
    goal: `< ${mb2(BUNDLE_GOAL_BYTES)}`,
    verdict: verdict(detect.bytes < BUNDLE_GOAL_BYTES),
  };
  const text = [
    `Typical deployment: built-in catalog (${rules.length} rules), channels slack + pagerduty (secrets \${ssm:...}) + sns, remediation of security-group-ingress-open-to-world; bundled with lambdaBundlePlan (esbuild: ESM, ${LAMBDA_NODE_TARGET}, minified), as the CDK app bundles them; 1 MB = 10^6 bytes; gzip -9 for the zipped size's order of magnitude. Deployment document ${kb(documentJson)} of JSON.`,
    table(['function', 'config', 'bundle', 'gzip', 'inputs', 'left out (external)'], rows, [2, 3, 4]),
    '',
    'detect bundle, top 10 contributors (esbuild metafile, bytes in output):',
    table(['contributor', 'bytes', 'share'], topContributors(detect, documentJson + 2), [1, 2]),
    goalLine(goal),
  ].join('\n');
  return { text, goal, detect };
}

// --- d2: cold init -----------------------------------------------------------------------------------

/**
 * The Node 22 binary scripts/node22.mjs installs (the Lambda runtime's major), found the way that script finds it:
 * its pinned VERSION, node_modules/.cache/node<VERSION>/node_modules/node-<os>-<arch>/bin/node.
 */
export function node22Binary(): { binary: string; version: string } | { missing: string } {
  const script = path.join(REPO_ROOT, 'scripts/node22.mjs');
  const version = /const VERSION = '([^']+)'/.exec(readFileSync(script, 'utf8'))?.[1];
  const platform = ({ linux: 'linux', darwin: 'darwin', win32: 'win' } as Record<string, string>)[process.platform];
  if (!version || !platform) return { missing: `no Node 22 package for ${process.platform}/${process.arch} in scripts/node22.mjs` };
  const binary = path.join(REPO_ROOT, 'node_modules', '.cache', `node${version}`, 'node_modules', `node-${platform}-${process.arch}`, 'bin', process.platform === 'win32' ? 'node.exe' : 'node');
  if (!existsSync(binary)) return { missing: `${path.relative(REPO_ROOT, binary)} not found: run \`node scripts/node22.mjs --version\` once (it installs Node ${version} from the npm registry)` };
  return { binary, version };
}

/**
 * What the child runs: the clock starts at the process's time origin (performance.now() is relative to it), the
 * module is imported as Lambda's runtime imports a handler, then the handler is made ready (runtime loaded, rule
 * index built) as its init phase does.
 */
const COLD_CHILD = `const start = performance.now();
const mod = await import(process.argv[2]);
const importable = performance.now();
if (mod.handler && typeof mod.handler.ready === 'function') await mod.handler.ready();
const ready = performance.now();
process.stdout.write(JSON.stringify({ start, importable, ready, maxRssKiB: process.resourceUsage().maxRSS }) + '\\n');
process.exit(0);
`;

interface ColdRun {
  /** performance.now() when the child's first line ran (Node's own start-up). */
  start: number;
  /** ... when the import resolved: the handler can be called. */
  importable: number;
  /** ... when handler.ready() resolved. */
  ready: number;
  maxRssKiB: number;
}

async function coldRun(binary: string, child: string, module: string): Promise<ColdRun> {
  // No AWS call happens before the first event: a table name and a region are all the runtime needs to be ready.
  const env = { TRAILGUARD_TABLE_NAME: 'x', AWS_REGION: 'us-east-1', PATH: process.env.PATH ?? '' };
  return new Promise((resolve, reject) => {
    const proc = spawn(binary, [child, pathToFileURL(module).href], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    proc.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
    proc.on('error', reject);
    proc.on('close', (code) => {
      const line = stdout.trim().split('\n').pop() ?? '';
      try {
        if (code !== 0) throw new Error(`exit ${code}`);
        resolve(JSON.parse(line) as ColdRun);
      } catch (error) {
        reject(new Error(`cold-init child (${path.basename(module)}) failed: ${(error as Error).message}: ${stderr.trim() || stdout.trim()}`));
      }
    });
  });
}

async function measureColdInit(detect: Bundle, outdir: string, rounds: number, log: Log): Promise<{ text: string; goal: GoalResult }> {
  const node = node22Binary();
  const goalText = `handler ready < ${COLD_READY_GOAL_MS} ms`;
  if ('missing' in node) return { text: `skipped: ${node.missing}`, goal: skipped('cold init, detect bundle, Node 22: process start → handler ready', goalText, node.missing) };
  const child = path.join(outdir, 'cold-child.mjs');
  const empty = path.join(outdir, 'empty.mjs');
  await writeFile(child, COLD_CHILD);
  await writeFile(empty, '');
  const results = await interleave<ColdRun>(
    [
      { name: 'detect bundle', run: () => coldRun(node.binary, child, detect.file) },
      { name: 'empty module', run: () => coldRun(node.binary, child, empty) },
    ],
    { rounds, log: (line) => log(`[d2] ${line}`), describe: (r) => `importable ${ms((r as ColdRun).importable)}, ready ${ms((r as ColdRun).ready)}` },
  );
  const of = (name: string) => results.get(name)!;
  const rows = [...results].map(([name, runs]) => [
    name,
    spread(summarize(runs.map((r) => r.start)), ms),
    spread(summarize(runs.map((r) => r.importable)), ms),
    spread(summarize(runs.map((r) => r.ready)), ms),
    spread(summarize(runs.map((r) => r.maxRssKiB * 1024)), (v) => mb(v)),
  ]);
  const bundleRuns = of('detect bundle');
  const emptyRuns = of('empty module');
  const perRound = (f: (b: ColdRun, e: ColdRun) => number) => summarize(bundleRuns.map((b, i) => f(b, emptyRuns[i]!)));
  const ready = summarize(bundleRuns.map((r) => r.ready));
  const goal: GoalResult = {
    measurement: `cold init, detect bundle, Node ${node.version}: process start → handler ready (b)`,
    figure: `${spread(ready, ms)}; importable (a) ${ms(summarize(bundleRuns.map((r) => r.importable)).median)}; empty module ${ms(summarize(emptyRuns.map((r) => r.importable)).median)}`,
    goal: goalText,
    verdict: verdict(ready.median < COLD_READY_GOAL_MS),
  };
  const text = [
    `A fresh Node ${node.version} process per run (the runtime's major, nodejs22.x) imports the module and awaits handler.ready(); times are performance.now() in the child, i.e. from the process's start; env TRAILGUARD_TABLE_NAME=x AWS_REGION=us-east-1 only. ${rounds} rounds interleaved, median (min–max).`,
    `(b) ready is held to the goal: it is when the first event can be handled without further set-up (Lambda runs it in the init phase); (a) importable is printed too.`,
    table(['child', 'node start-up (first line)', '(a) handler importable', '(b) handler ready', 'peak RSS'], rows, [1, 2, 3, 4]),
    `Per round, detect bundle minus empty module: importable +${spread(perRound((b, e) => b.importable - e.importable), ms)}, ready +${spread(perRound((b, e) => b.ready - e.importable), ms)}; ready − importable (the ready() call itself) ${spread(summarize(bundleRuns.map((r) => r.ready - r.importable)), ms)}.`,
    goalLine(goal),
  ].join('\n');
  return { text, goal };
}

// --- d3: per-event latency -----------------------------------------------------------------------------

interface Pass {
  /** Wall time of each handler call (one batch). */
  batchMs: number[];
  /** Messages in each batch. */
  batchSize: number[];
  /** Findings the handler counted in each batch (its Findings metric). */
  findings: number[];
  /** Notifications the batches enqueued (outbox rows), and what the sinks were asked to send. */
  outbox: number;
  sinksCreated: number;
  sent: number;
  /** submitRemediation calls with at least one finding (each is an SQS SendMessageBatch when deployed). */
  remediationCalls: number;
  ms: number;
}

/** The detect handler over the batches, in-process, on a fresh store; delivery excluded (deliveryBudgetMs 0). */
interface PassOptions {
  /** Deliver after each batch (the handler's default budget) instead of deliveryBudgetMs 0. */
  deliver?: boolean;
  beforeBatch?: (batch: readonly Message[]) => void;
}

async function detectPass(batches: readonly Message[][], env: NodeJS.ProcessEnv, store: Store, options: PassOptions = {}): Promise<Pass> {
  const sinks = countingSinks();
  const { obs, metrics } = capturingObservability('detect');
  let remediationCalls = 0;
  const detect = createDetectHandler({
    env,
    store,
    observability: obs,
    submitRemediation: async (findings) => void (findings.length > 0 && remediationCalls++),
    ...(options.deliver ? {} : { deliveryBudgetMs: 0 }),
    notifier: { sinkFactory: sinks.factory },
  });
  await detect.ready();
  const pass: Pass = { batchMs: [], batchSize: [], findings: [], outbox: 0, sinksCreated: 0, sent: 0, remediationCalls: 0, ms: 0 };
  const started = performance.now();
  for (const batch of batches) {
    options.beforeBatch?.(batch);
    const event = sqsEventOf(batch);
    const context: Context = lambdaContext();
    const before = metrics.get('Findings') ?? 0;
    const t = performance.now();
    const response = (await detect(event, context)) as SQSBatchResponse;
    pass.batchMs.push(performance.now() - t);
    pass.batchSize.push(batch.length);
    pass.findings.push((metrics.get('Findings') ?? 0) - before);
    if (response.batchItemFailures.length > 0) throw new Error(`the detect handler failed ${response.batchItemFailures.length} message(s) of a sample batch`);
  }
  pass.ms = performance.now() - started;
  pass.outbox = (await store.outbox.list()).length;
  pass.sinksCreated = sinks.counts.created;
  pass.sent = sinks.counts.sent;
  pass.remediationCalls = remediationCalls;
  return pass;
}

/** The floor: what the handler cannot avoid per message — JSON body → record (decodeRecords) → every rule (the detector). */
function floorPass(batches: readonly Message[][], detector: ReturnType<typeof createDetector>): Pass {
  const pass: Pass = { batchMs: [], batchSize: [], findings: [], outbox: 0, sinksCreated: 0, sent: 0, remediationCalls: 0, ms: 0 };
  const started = performance.now();
  for (const batch of batches) {
    const t = performance.now();
    let findings = 0;
    for (const m of batch) for (const { record } of decodeRecords(m.body, { source: `sqs:${m.messageId}` }).records) findings += detector.evaluate(record).length;
    pass.batchMs.push(performance.now() - t);
    pass.batchSize.push(batch.length);
    pass.findings.push(findings);
  }
  pass.ms = performance.now() - started;
  return pass;
}

const perEvent = (pass: Pass): number[] => pass.batchMs.map((t, i) => t / pass.batchSize[i]!);

/** Per-event figures over every batch of the timed passes: p50, p99, max, and the spread of each pass's p99. */
function latencyRow(name: string, passes: readonly Pass[]): { row: string[]; p50: number; p99: number } {
  const all = sortedOf(passes.flatMap(perEvent));
  const p99s = summarize(passes.map((p) => percentile(sortedOf(perEvent(p)), 99)));
  const p50 = percentile(all, 50);
  const p99 = percentile(all, 99);
  const batches = passes.reduce((n, p) => n + p.batchMs.length, 0);
  return { row: [name, num(batches), `${sig(p50 * 1000)} µs`, `${sig(p99 * 1000)} µs`, `${sig(percentile(all, 100) * 1000)} µs`, spread(p99s, (v) => `${sig(v * 1000)} µs`)], p50, p99 };
}

function findingsLine(pass: Pass): string {
  const total = pass.findings.reduce((a, b) => a + b, 0);
  const histogram = new Map<number, number>();
  for (const f of pass.findings) histogram.set(Math.min(f, 3), (histogram.get(Math.min(f, 3)) ?? 0) + 1);
  const parts = [0, 1, 2, 3].filter((k) => histogram.has(k)).map((k) => `${k === 3 ? '3+' : k}: ${histogram.get(k)}`);
  return `${num(total)} findings in ${num(pass.findings.length)} batches (${sig(total / pass.findings.length)} per batch; batches by findings ${parts.join(', ')})`;
}

interface Streams {
  /** Every sample record as EventBridge delivers it, in file order. */
  sample: Message[];
  /**
   * What the detect queue receives when deployed: only the sample events some deployed EventBridge rule matches,
   * each delivered once per matching rule (adjacent, as EventBridge sends them at once), repeated under fresh
   * eventIDs to make enough batches.
   */
  deployed: Message[];
  /** Distinct events in `deployed`. */
  deployedEvents: number;
  /** Per sample event: the deployed EventBridge rules that match it (its deliveries to the detect queue). */
  sampleDeliveries: number[];
  /** Of the sample events: how many a deployed rule matches, and the deliveries they make. */
  matching: number;
  deliveries: number;
  records: number;
}

function buildStreams(records: readonly CloudTrailRecord[], rules: readonly Rule[], deployedMessages: number): Streams {
  const patterns = deployedPatterns(rules);
  const sample = records.map((r, i) => ({ messageId: `sample-${i}`, body: bodyOf(r) }));
  const matchingRecords: Array<{ record: CloudTrailRecord; k: number }> = [];
  const sampleDeliveries: number[] = [];
  for (const record of records) {
    const k = deliveriesOf(patterns, record);
    sampleDeliveries.push(k);
    if (k > 0) matchingRecords.push({ record, k });
  }
  const deliveries = matchingRecords.reduce((n, m) => n + m.k, 0);
  const deployed: Message[] = [];
  let events = 0;
  for (let copy = 1; deployed.length < deployedMessages && deliveries > 0; copy++) {
    matchingRecords.forEach(({ record, k }, i) => {
      const body = bodyOf(withCopyId(record, copy, i));
      events++;
      for (let d = 0; d < k; d++) deployed.push({ messageId: `deployed-${copy}-${i}-${d}`, body });
    });
  }
  return { sample, deployed, deployedEvents: events, sampleDeliveries, matching: matchingRecords.length, deliveries, records: records.length };
}

interface LatencyResult {
  text: string;
  goals: GoalResult[];
  /** The deployed-shaped stream's timed passes (for the cost). */
  deployedPasses: Pass[];
}

async function measureLatency(streams: Streams, rules: readonly Rule[], rounds: number, log: Log): Promise<LatencyResult> {
  // A channel that would send: delivery is excluded by deliveryBudgetMs 0, and the counting sinks prove nothing was sent.
  const env = deploymentEnv(deploymentConfig(TYPICAL_CHANNELS));
  const detector = createDetector(rules);
  const sampleBatches = batchesOf(streams.sample);
  const deployedBatches = batchesOf(streams.deployed);
  const stores: SqliteStore[] = [];
  const fresh = (): SqliteStore => {
    const s = openSqliteStore(':memory:');
    stores.push(s);
    return s;
  };
  const closeAll = async () => {
    for (const s of stores.splice(0)) await s.close();
  };
  const results = await interleave<Pass>(
    [
      { name: 'detect handler, sample stream', run: async () => detectPass(sampleBatches, env, fresh()).finally(closeAll) },
      { name: 'decode+evaluate only, sample stream', run: () => floorPass(sampleBatches, detector) },
      { name: 'detect handler, deployed-shaped stream', run: async () => detectPass(deployedBatches, env, fresh()).finally(closeAll) },
    ],
    { rounds, log: (line) => log(`[d3] ${line}`), describe: (r) => `${ms((r as Pass).ms)}, p99/event ${sig(percentile(sortedOf(perEvent(r as Pass)), 99) * 1000)} µs` },
  );
  const sample = results.get('detect handler, sample stream')!;
  const floor = results.get('decode+evaluate only, sample stream')!;
  const deployed = results.get('detect handler, deployed-shaped stream')!;
  const rows = [latencyRow('detect handler, sample stream', sample), latencyRow('decode+evaluate only (floor), sample stream', floor), latencyRow('detect handler, deployed-shaped stream', deployed)];
  const ratio = pairedRatios(
    sample.map((p) => p.ms),
    floor.map((p) => p.ms),
  );
  const nothingSent = [...sample, ...deployed].every((p) => p.sent === 0 && p.sinksCreated === 0);
  const goalSample: GoalResult = {
    measurement: 'detect handler per event, batches of 10, sample stream (Node 20, SQLite in memory, enqueue included, delivery excluded)',
    figure: `p99 ${sig(rows[0]!.p99 * 1000)} µs, p50 ${sig(rows[0]!.p50 * 1000)} µs`,
    goal: `p99 < ${EVENT_P99_GOAL_MS} ms`,
    verdict: nothingSent ? verdict(rows[0]!.p99 < EVENT_P99_GOAL_MS) : 'MISS',
    ...(nothingSent ? {} : { note: 'a notification was sent although delivery was to be excluded' }),
  };
  const goalDeployed: GoalResult = {
    measurement: 'detect handler per event, deployed-shaped stream (every event raises findings; same set-up)',
    figure: `p99 ${sig(rows[2]!.p99 * 1000)} µs, p50 ${sig(rows[2]!.p50 * 1000)} µs`,
    goal: `p99 < ${EVENT_P99_GOAL_MS} ms`,
    verdict: nothingSent ? verdict(rows[2]!.p99 < EVENT_P99_GOAL_MS) : 'MISS',
  };
  const text = [
    `In-process on Node ${process.versions.node} (better-sqlite3 does not load under Node 22), store: SQLite in memory, a fresh one per pass; the handler made ready before the clock starts.`,
    `Config: the typical deployment (slack + pagerduty + sns, remediation hand-off stubbed). Each batch's time includes decoding, the rules, saving findings and enqueueing their notifications (the outbox, in the store); it excludes delivery: deliveryBudgetMs 0, and the channels' sinks are counting stubs — ${nothingSent ? 'nothing was sent and no sink was even created' : 'SOMETHING WAS SENT'}. Logging goes to a capturing logger (no JSON lines written).`,
    `Sample stream: the ${num(streams.records)} records of samples/ as EventBridge events, ${num(sampleBatches.length)} batches of ${BATCH} in file order. Deployed-shaped stream: only the events a deployed EventBridge rule matches (${num(streams.matching)} of ${num(streams.records)} sample events, ${sig(streams.deliveries / streams.matching)} deliveries each on average), copies under fresh eventIDs, ${num(deployedBatches.length)} batches.`,
    `Per event = batch time / batch size; distribution over the batches of ${rounds} timed passes after one warm-up pass each; passes interleaved.`,
    table(['contender', 'batches', 'p50/event', 'p99/event', 'max/event', 'p99 per pass'], rows.map((r) => r.row), [1, 2, 3, 4, 5]),
    `Sample stream: ${findingsLine(sample[0]!)}; ${num(sample[0]!.outbox)} notifications enqueued, ${sample[0]!.sent} sent.`,
    `Deployed-shaped stream: ${findingsLine(deployed[0]!)}; ${num(deployed[0]!.outbox)} notifications enqueued, ${deployed[0]!.sent} sent.`,
    `Handler time / floor time per pass (sample stream): ${spread(ratio, (v) => v.toFixed(2))}×.`,
    goalLine(goalSample),
    goalLine(goalDeployed),
  ].join('\n');
  return { text, goals: [goalSample, goalDeployed], deployedPasses: deployed };
}

// --- d4: replay through an at-least-once queue, two consumers ---------------------------------------------

/** Time for the queue: the wall clock, moved forward when every consumer only waits for visibility timeouts. */
class VirtualClock {
  private skew = 0;
  now(): number {
    return performance.now() + this.skew;
  }
  advanceTo(t: number): void {
    const now = this.now();
    if (t > now) this.skew += t - now;
  }
  get skippedMs(): number {
    return this.skew;
  }
}

interface Queued {
  messageId: string;
  body: string;
  receiveCount: number;
  visibleAt: number;
  receipt: string;
  /** Received and not yet answered by the consumer that has it. */
  processing: boolean;
}

/**
 * A standard SQS queue as Lambda's event source mapping uses it: a received message is invisible for the visibility
 * timeout and comes back unless deleted with its current receipt handle; a receive that finds a message already
 * received maxReceiveCount times moves it to the dead-letter queue instead (redrive policy).
 */
class EmulatedQueue {
  private readonly messages = new Map<string, Queued>();
  readonly deadLetters: Queued[] = [];
  staleDeletes = 0;
  private waiters: Array<() => void> = [];

  constructor(
    private readonly clock: VirtualClock,
    private readonly visibilityMs: number,
    private readonly maxReceiveCount: number,
  ) {}

  send(body: string): string {
    const messageId = randomUUID();
    this.messages.set(messageId, { messageId, body, receiveCount: 0, visibleAt: 0, receipt: '', processing: false });
    return messageId;
  }

  receive(max: number): Queued[] {
    const now = this.clock.now();
    const got: Queued[] = [];
    for (const m of this.messages.values()) {
      if (got.length >= max) break;
      if (m.visibleAt > now) continue;
      if (m.receiveCount >= this.maxReceiveCount) {
        this.messages.delete(m.messageId);
        this.deadLetters.push(m);
        continue;
      }
      m.receiveCount++;
      m.visibleAt = now + this.visibilityMs;
      m.receipt = randomUUID();
      m.processing = true;
      got.push({ ...m });
    }
    return got;
  }

  /** DeleteMessage: only the current receipt handle deletes (an older one is stale: the message was received again). */
  delete(messageId: string, receipt: string): void {
    const m = this.messages.get(messageId);
    if (!m || m.receipt !== receipt) this.staleDeletes++;
    else this.messages.delete(messageId);
    this.changed();
  }

  /** The consumer is done with a message it does not delete: it reappears when its visibility timeout ends. */
  release(messageId: string): void {
    const m = this.messages.get(messageId);
    if (m) m.processing = false;
    this.changed();
  }

  get processing(): number {
    let n = 0;
    for (const m of this.messages.values()) if (m.processing) n++;
    return n;
  }

  get size(): number {
    return this.messages.size;
  }

  nextVisibleAt(): number | undefined {
    let next: number | undefined;
    for (const m of this.messages.values()) if (!m.processing && (next === undefined || m.visibleAt < next)) next = m.visibleAt;
    return next;
  }

  /** Long polling: resolves when a message is deleted or released. */
  changedOnce(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private changed(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

interface ConsumerStats {
  name: string;
  batches: number;
  messages: number;
  failedItems: number;
  batchMs: number[];
  /** The slowest batch, with what its handler logged about delivery. */
  slowest?: { ms: number; messages: number; log: string[] };
}

type SqsHandler = (event: SQSEvent, context: Context) => Promise<unknown>;

/** One Lambda poller: receive up to 10, invoke, delete what the answer does not list in batchItemFailures. */
async function consume(name: string, queue: EmulatedQueue, clock: VirtualClock, handler: SqsHandler, lines: readonly LogLine[]): Promise<ConsumerStats> {
  const stats: ConsumerStats = { name, batches: 0, messages: 0, failedItems: 0, batchMs: [] };
  for (;;) {
    const got = queue.receive(BATCH);
    if (got.length === 0) {
      if (queue.processing > 0) {
        await queue.changedOnce();
        continue;
      }
      const next = queue.nextVisibleAt();
      if (next === undefined) return stats;
      clock.advanceTo(next);
      continue;
    }
    stats.batches++;
    stats.messages += got.length;
    const logged = lines.length;
    const t = performance.now();
    let failed: Set<string>;
    try {
      const answer = (await handler(sqsEventOf(got), lambdaContext(`trailguard-detect-${name}`))) as Partial<SQSBatchResponse>;
      failed = new Set((answer.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    } catch {
      // A thrown invocation fails the whole batch: every message comes back after its visibility timeout.
      failed = new Set(got.map((m) => m.messageId));
    }
    const elapsed = performance.now() - t;
    stats.batchMs.push(elapsed);
    if (elapsed > (stats.slowest?.ms ?? -1)) stats.slowest = { ms: elapsed, messages: got.length, log: lines.slice(logged).filter((l) => /^Notifications|deliver/i.test(l.message)).map((l) => l.message) };
    for (const m of got) {
      if (failed.has(m.messageId)) {
        stats.failedItems++;
        queue.release(m.messageId);
      } else queue.delete(m.messageId, m.receipt);
    }
  }
}

/** Malformed messages: each must be rejected by the handler, retried, and end in the DLQ. */
const MALFORMED = [
  'not json at all',
  '{"version":"0","id":"0f0f0f0f-truncated","detail-type":"AWS API Call via CloudTrail","source":"aws.iam","detail":{"eventVersion":"1.08","eventSource"',
  JSON.stringify({ version: '0', id: 'ec2-state', 'detail-type': 'EC2 Instance State-change Notification', source: 'aws.ec2', account: '123456789012', time: '2026-11-17T10:00:00Z', region: 'us-east-1', resources: [], detail: { 'instance-id': 'i-0123456789abcdef0', state: 'running' } }),
  '{}',
  '[1,2,3]',
];

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

async function measureReplay(records: readonly CloudTrailRecord[], rules: readonly Rule[], distinct: number, log: Log): Promise<{ text: string; goal: GoalResult }> {
  const random = seeded(20261207);
  // Distinct events: the samples, then copies under fresh eventIDs.
  const events: CloudTrailRecord[] = [];
  for (let i = 0; events.length < distinct; i++) {
    const copy = Math.floor(i / records.length);
    const record = records[i % records.length]!;
    events.push(copy === 0 ? record : withCopyId(record, copy, i % records.length));
  }
  const bodies = events.map(bodyOf);
  const stream = [...bodies];
  const duplicates = Math.round(distinct * 0.1);
  for (let d = 0; d < duplicates; d++) stream.splice(Math.floor(random() * (stream.length + 1)), 0, bodies[Math.floor(random() * bodies.length)]!);
  for (const bad of MALFORMED) stream.splice(Math.floor(random() * (stream.length + 1)), 0, bad);

  const server: TestServer = await startServer(() => ({ status: 200, body: 'ok' }));
  const store = openSqliteStore(':memory:');
  try {
    // One channel recording what it is sent; dedupe and storm summaries off, so every finding is its own notification.
    const config = deploymentConfig({ hook: { type: 'webhook', url: `${server.url}/hook`, dedupe: { windowSeconds: 0 }, storm: { threshold: 0 }, delivery: { timeoutSeconds: 5 } } });
    const env = deploymentEnv(config);
    let remediationHandOffs = 0;
    const handler = (name: string) => {
      const captured = capturingObservability(`detect-${name}`);
      return { lines: captured.lines, handler: createDetectHandler({ env, store, observability: captured.obs, submitRemediation: async (f) => void (remediationHandOffs += f.length) }) };
    };
    const a = handler('a');
    const b = handler('b');
    await Promise.all([a.handler.ready(), b.handler.ready()]);

    const clock = new VirtualClock();
    const visibilityMs = 60_000;
    const maxReceiveCount = 3;
    const queue = new EmulatedQueue(clock, visibilityMs, maxReceiveCount);
    const malformedIds = new Set<string>();
    for (const body of stream) {
      const id = queue.send(body);
      if (MALFORMED.includes(body)) malformedIds.add(id);
    }
    log(`[d4] replaying ${num(stream.length)} messages (${num(distinct)} distinct events, ${num(duplicates)} re-deliveries, ${MALFORMED.length} malformed) with two consumers`);
    fullGc();
    const { ms: wall, value: consumers } = await timed(() => Promise.all([consume('a', queue, clock, a.handler, a.lines), consume('b', queue, clock, b.handler, b.lines)]));

    // Left in the outbox when the queue drained: the deliver function's schedule would send it.
    let deliverRun = '';
    const outstanding = (await store.outbox.list({ states: ['pending', 'sending', 'failed'] })).length;
    if (outstanding > 0) {
      await createDeliverHandler({ env, store, observability: capturingObservability('deliver').obs })({}, lambdaContext('trailguard-deliver', 30_000));
      deliverRun = `; ${outstanding} notification(s) were still in the outbox when the queue drained and were sent by one deliver-function run`;
    }

    // What a plain detector says the distinct events raise.
    const detector = createDetector(rules);
    const expected = new Set<string>();
    for (const r of events) for (const f of detector.evaluate(r)) expected.add(f.id);
    const db = store.sqlite.db;
    const stored = new Set(db.prepare('SELECT id FROM findings').pluck().all() as string[]);
    const attachments = db.prepare('SELECT finding_id AS id, COUNT(*) AS n FROM outbox_findings GROUP BY finding_id').all() as Array<{ id: string; n: number }>;
    const attached = new Map(attachments.map((r) => [r.id, r.n]));
    const states = db.prepare('SELECT state, COUNT(*) AS n FROM outbox GROUP BY state').all() as Array<{ state: string; n: number }>;
    const byWebhookId = new Map<string, number>();
    const received = new Map<string, number>();
    for (const request of server.requests) {
      const id = String(request.headers['webhook-id'] ?? '');
      byWebhookId.set(id, (byWebhookId.get(id) ?? 0) + 1);
      const findings = ((request.json as { data?: { findings?: Array<{ id: string }> } } | undefined)?.data?.findings ?? []).map((f) => f.id);
      for (const f of findings) received.set(f, (received.get(f) ?? 0) + 1);
    }
    const missing = [...expected].filter((id) => !stored.has(id));
    const extra = [...stored].filter((id) => !expected.has(id));
    const notAttachedOnce = [...stored].filter((id) => attached.get(id) !== 1);
    const resent = [...byWebhookId.values()].filter((n) => n > 1).length;
    const notReceivedOnce = [...expected].filter((id) => received.get(id) !== 1);
    const receivedUnexpected = [...received.keys()].filter((id) => !expected.has(id));
    const dlqIds = new Set(queue.deadLetters.map((m) => m.messageId));
    const dlqWrong = [...dlqIds].filter((id) => !malformedIds.has(id)).length;
    const dlqMissing = [...malformedIds].filter((id) => !dlqIds.has(id)).length;
    const delivered = states.find((s) => s.state === 'delivered')?.n ?? 0;
    const notDelivered = states.filter((s) => s.state !== 'delivered').reduce((n, s) => n + s.n, 0);
    const checks: Check[] = [
      { name: 'findings in the store = a plain detector over the distinct events', ok: missing.length === 0 && extra.length === 0, detail: `${num(stored.size)} stored, ${num(expected.size)} expected, ${missing.length} lost, ${extra.length} unexpected` },
      { name: 'each finding attached to exactly one notification', ok: notAttachedOnce.length === 0, detail: `${notAttachedOnce.length} finding(s) attached ≠ 1 time` },
      { name: 'every notification delivered, each exactly once (by webhook-id)', ok: notDelivered === 0 && resent === 0 && byWebhookId.size === delivered, detail: `${num(delivered)} delivered, ${notDelivered} not delivered, ${num(server.requests.length)} requests for ${num(byWebhookId.size)} ids, ${resent} id(s) sent more than once` },
      { name: 'the receiver got each expected finding exactly once', ok: notReceivedOnce.length === 0 && receivedUnexpected.length === 0, detail: `${notReceivedOnce.length} expected finding(s) received ≠ 1 time, ${receivedUnexpected.length} unexpected` },
      { name: 'DLQ holds the malformed messages and nothing else; the queue is empty', ok: dlqWrong === 0 && dlqMissing === 0 && queue.size === 0, detail: `${queue.deadLetters.length} in the DLQ (${dlqMissing} malformed missing, ${dlqWrong} others), ${queue.size} left in the queue` },
    ];
    const allOk = checks.every((c) => c.ok);
    const messages = consumers.reduce((n, c) => n + c.messages, 0);
    const batchMs = sortedOf(consumers.flatMap((c) => c.batchMs));
    const goal: GoalResult = {
      measurement: `replay of ${num(distinct)} events (+10% re-deliveries, ${MALFORMED.length} malformed), 2 consumers, at-least-once queue`,
      figure: allOk ? `0 lost, 0 duplicated; ${num(distinct / (wall / 1000))} events/s` : checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`).join('; '),
      goal: 'zero lost and zero duplicated findings and notifications; DLQ = the malformed messages',
      verdict: verdict(allOk),
    };
    const text = [
      `In-process: two detect handler instances (two "containers"), each fed by its own poller, sharing one SQLite store in memory (one process: the store's transactions are its concurrency control here; across Lambda containers it is DynamoDB's). Queue: visibility timeout ${visibilityMs / 1000} s (virtual: skipped when only timeouts are left to wait for, ${num(clock.skippedMs / 1000, 0)} s skipped), maxReceiveCount ${maxReceiveCount} then the DLQ; a message is deleted only when its batch's answer does not list it.`,
      `Notifications: one webhook channel to a loopback HTTP server that records every request (dedupe window 0, storm summaries off), delivered by each handler after its batch (default budget); remediation hand-off stubbed (${num(remediationHandOffs)} findings handed over).`,
      `Stream: ${num(stream.length)} messages = ${num(distinct)} distinct events (the ${num(records.length)} samples, then copies under fresh eventIDs) + ${num(duplicates)} re-deliveries at random places + ${MALFORMED.length} malformed.`,
      table(
        ['consumer', 'batches', 'messages', 'items failed', 'batch p50', 'batch p99', 'busy (sum of batches)', 'messages/s busy'],
        consumers.map((c) => {
          const s = sortedOf(c.batchMs);
          const busy = c.batchMs.reduce((a, t) => a + t, 0);
          return [c.name, num(c.batches), num(c.messages), num(c.failedItems), ms(percentile(s, 50)), ms(percentile(s, 99)), ms(busy), num(c.messages / (busy / 1000))];
        }),
        [1, 2, 3, 4, 5, 6, 7],
      ),
      ...consumers.filter((c) => c.slowest).map((c) => `Slowest batch of consumer ${c.name}: ${ms(c.slowest!.ms)} for ${c.slowest!.messages} messages; its handler logged: ${c.slowest!.log.join(' | ') || '(nothing about delivery)'}`),
      ...(consumers.some((c) => c.slowest && c.slowest.ms >= 900)
        ? [
            'Note: a batch of about a second whose own sends took milliseconds waited in deliverWithin for notifications the other instance was sending (the dispatcher counts rows another owner has leased as outstanding and sleeps pollMs, 1 s, between looks); the wall time, hence events/s, includes such waits.',
          ]
        : []),
      `Throughput: ${num(distinct)} distinct events (${num(messages)} messages received) in ${ms(wall)}: ${num(distinct / (wall / 1000))} events/s, ${num(messages / (wall / 1000))} messages/s; batch time over both consumers p50 ${ms(percentile(batchMs, 50))}, p99 ${ms(percentile(batchMs, 99))}, max ${ms(percentile(batchMs, 100))} (delivery included)${deliverRun}.`,
      ...checks.map((c) => `  check ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`),
      goalLine(goal),
    ].join('\n');
    return { text, goal };
  } finally {
    await store.close();
    await server.close();
  }
}

// --- DynamoDB request units, counted on the client -------------------------------------------------------

type Item = Record<string, AttributeValue>;

/** DynamoDB's item size: attribute names plus values (strings UTF-8, numbers ~1 byte per 2 digits + 1, containers 3 + 1 per element). */
function valueSize(v: AttributeValue): number {
  if (v.S !== undefined) return Buffer.byteLength(v.S);
  if (v.N !== undefined) return Math.ceil(v.N.replace(/^-|\.|e.*$/gi, '').replace(/^0+/, '').length / 2) + 1;
  if (v.B !== undefined) return v.B.length;
  if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
  if (v.SS !== undefined) return v.SS.reduce((n, s) => n + Buffer.byteLength(s), 0);
  if (v.NS !== undefined) return v.NS.reduce((n, s) => n + Math.ceil(s.length / 2) + 1, 0);
  if (v.BS !== undefined) return v.BS.reduce((n, s) => n + s.length, 0);
  if (v.L !== undefined) return 3 + v.L.reduce((n, e) => n + 1 + valueSize(e), 0);
  if (v.M !== undefined) return 3 + Object.entries(v.M).reduce((n, [k, e]) => n + Buffer.byteLength(k) + 1 + valueSize(e), 0);
  return 1;
}

const itemSize = (item: Item): number => Object.entries(item).reduce((n, [k, v]) => n + Buffer.byteLength(k) + valueSize(v), 0);
const keyOf = (item: Item | undefined): string => `${item?.pk?.S ?? '?'}|${item?.sk?.S ?? '?'}`;
/** The sparse indexes (gsi1, gsi2; projection ALL) an item is written to. */
const indexesOf = (item: Item): number => (item.gsi1pk && item.gsi1sk ? 1 : 0) + (item.gsi2pk && item.gsi2sk ? 1 : 0);

interface WriteOp {
  command: string;
  kind: 'put' | 'update' | 'delete' | 'check';
  key: string;
  /** Known from the request (Put); otherwise the item's size at the end of the run. */
  item?: Item;
  tx: boolean;
  /** The request failed (a condition did not hold, a transaction was cancelled): billed as the smallest write. */
  failed?: boolean;
}

interface ReadOp {
  command: string;
  sizes: number[];
  consistent: boolean;
  /** BatchGetItem rounds each item up on its own; Query rounds the total. */
  perItem: boolean;
}

/** Counts what a DynamoDB client sends (a middleware at the build step sees the marshalled request and response). */
class DynamoUsage {
  readonly requests = new Map<string, number>();
  readonly failed = new Map<string, number>();
  readonly writes: WriteOp[] = [];
  readonly reads: ReadOp[] = [];

  attach(client: DynamoDBClient): void {
    type Next = (args: { input: Record<string, unknown> }) => Promise<{ output: Record<string, unknown> }>;
    const stack = client.middlewareStack as unknown as { add(mw: (next: Next, context: { commandName?: string }) => Next, options: { step: 'build'; name: string }): void };
    stack.add(
      (next, context) => async (args) => {
        const command = (context.commandName ?? 'unknown').replace(/Command$/, '');
        this.requests.set(command, (this.requests.get(command) ?? 0) + 1);
        const firstWrite = this.writes.length;
        this.recordWrites(command, args.input);
        try {
          const result = await next(args);
          this.recordReads(command, args.input, result.output);
          return result;
        } catch (error) {
          this.failed.set(command, (this.failed.get(command) ?? 0) + 1);
          for (let i = firstWrite; i < this.writes.length; i++) this.writes[i]!.failed = true;
          throw error;
        }
      },
      { step: 'build', name: 'benchDynamoUsage' },
    );
  }

  private recordWrites(command: string, input: Record<string, unknown>): void {
    const add = (kind: WriteOp['kind'], key: Item | undefined, tx: boolean, item?: Item) => this.writes.push({ command, kind, key: keyOf(key), tx, ...(item ? { item } : {}) });
    if (command === 'PutItem') add('put', input.Item as Item, false, input.Item as Item);
    else if (command === 'UpdateItem') add('update', input.Key as Item, false);
    else if (command === 'DeleteItem') add('delete', input.Key as Item, false);
    else if (command === 'TransactWriteItems') {
      for (const t of input.TransactItems as Array<Record<string, { Item?: Item; Key?: Item }>>) {
        if (t.Put) add('put', t.Put.Item, true, t.Put.Item);
        else if (t.Update) add('update', t.Update.Key, true);
        else if (t.Delete) add('delete', t.Delete.Key, true);
        else if (t.ConditionCheck) add('check', t.ConditionCheck.Key, true);
      }
    } else if (command === 'BatchWriteItem') {
      for (const requests of Object.values(input.RequestItems as Record<string, Array<{ PutRequest?: { Item: Item }; DeleteRequest?: { Key: Item } }>>)) {
        for (const r of requests) {
          if (r.PutRequest) add('put', r.PutRequest.Item, false, r.PutRequest.Item);
          else if (r.DeleteRequest) add('delete', r.DeleteRequest.Key, false);
        }
      }
    }
  }

  private recordReads(command: string, input: Record<string, unknown>, output: Record<string, unknown>): void {
    if (command === 'GetItem') this.reads.push({ command, sizes: [output.Item ? itemSize(output.Item as Item) : 0], consistent: input.ConsistentRead === true, perItem: true });
    else if (command === 'Query' || command === 'Scan') this.reads.push({ command, sizes: ((output.Items as Item[] | undefined) ?? []).map(itemSize), consistent: input.ConsistentRead === true && input.IndexName === undefined, perItem: false });
    else if (command === 'BatchGetItem') {
      const consistent = Object.values(input.RequestItems as Record<string, { ConsistentRead?: boolean }>).every((r) => r.ConsistentRead === true);
      const items = Object.values((output.Responses as Record<string, Item[]> | undefined) ?? {}).flat();
      this.reads.push({ command, sizes: items.map(itemSize), consistent, perItem: true });
    }
  }

  /**
   * Estimated request units, on-demand pricing's rules: a write 1 WRU per 1 KB (rounded up), twice that in a
   * transaction, plus the same for each sparse index the item is in (projection ALL); a read 1 RRU per 4 KB strongly
   * consistent, half eventually consistent (index queries always are), a request at least one unit's worth. Sizes of
   * updated items are their size at the end of the run (DynamoDB bills the larger of before and after); a write whose
   * condition failed counts as the smallest write (mostly an update-if-exists of an item not there yet).
   */
  units(finalItems: ReadonlyMap<string, Item>): { wru: number; rru: number; byCommand: Map<string, { requests: number; items: number; wru: number; rru: number }> } {
    const byCommand = new Map<string, { requests: number; items: number; wru: number; rru: number }>();
    const entry = (c: string) => {
      let e = byCommand.get(c);
      if (!e) byCommand.set(c, (e = { requests: this.requests.get(c) ?? 0, items: 0, wru: 0, rru: 0 }));
      return e;
    };
    for (const c of this.requests.keys()) entry(c);
    let wru = 0;
    let rru = 0;
    for (const w of this.writes) {
      const item = w.failed ? undefined : (w.item ?? finalItems.get(w.key));
      const size = item ? itemSize(item) : 1;
      const units = Math.ceil(size / 1024);
      // A ConditionCheck is billed like a transactional write of the item it checks.
      const own = units * (w.tx ? 2 : 1);
      const indexes = w.kind === 'put' || w.kind === 'update' ? (item ? indexesOf(item) : 0) * units : 0;
      const e = entry(w.command);
      e.items++;
      e.wru += own + indexes;
      wru += own + indexes;
    }
    for (const r of this.reads) {
      const units4k = r.perItem ? r.sizes.reduce((n, s) => n + Math.max(1, Math.ceil(s / 4096)), 0) : Math.max(1, Math.ceil(r.sizes.reduce((a, b) => a + b, 0) / 4096));
      const units = units4k * (r.consistent ? 1 : 0.5);
      const e = entry(r.command);
      e.items += r.sizes.length;
      e.rru += units;
      rru += units;
    }
    return { wru, rru, byCommand };
  }
}

/** Every item of the table at the end of a run, by key (a client without the counter). */
async function tableItems(moto: Moto, tableName: string): Promise<Map<string, Item>> {
  const client = new DynamoDBClient(moto.clientConfig('us-east-1'));
  const items = new Map<string, Item>();
  try {
    let start: Item | undefined;
    do {
      const page = await client.send(new ScanCommand({ TableName: tableName, ...(start ? { ExclusiveStartKey: start } : {}) }));
      for (const item of page.Items ?? []) items.set(keyOf(item), item);
      start = page.LastEvaluatedKey;
    } while (start);
  } finally {
    client.destroy();
  }
  return items;
}

interface MotoPass {
  label: string;
  pass: Pass;
  usage: DynamoUsage;
  units: ReturnType<DynamoUsage['units']>;
  /** Distinct CloudTrail events in the pass, and those a deployed rule matches (the events that reach the detect path). */
  events: number;
  detectPathEvents: number;
}

let tables = 0;

async function motoPass(moto: Moto, label: string, batches: readonly Message[][], env: NodeJS.ProcessEnv, options: PassOptions & { events: number; detectPathEvents: number }): Promise<MotoPass> {
  const client = oneAtATime(new DynamoDBClient(moto.clientConfig('us-east-1')));
  const tableName = `trailguard-bench-${++tables}`;
  await createStoreTable(client, tableName);
  const usage = new DynamoUsage();
  usage.attach(client);
  const store = openDynamoStore({ tableName, client });
  try {
    const pass = await detectPass(batches, env, store, options);
    const units = usage.units(await tableItems(moto, tableName));
    return { label, pass, usage, units, events: options.events, detectPathEvents: options.detectPathEvents };
  } finally {
    await store.close();
    client.destroy();
  }
}

function motoTable(passes: readonly MotoPass[]): string {
  const rows: string[][] = [];
  for (const p of passes) {
    for (const [command, e] of [...p.units.byCommand].sort((a, b) => b[1].requests - a[1].requests)) {
      rows.push([p.label, command, num(e.requests), num(p.usage.failed.get(command) ?? 0), num(e.items), sig(e.wru), sig(e.rru)]);
    }
  }
  return table(['pass', 'request', 'requests', 'failed', 'items', 'est. WRU', 'est. RRU'], rows, [2, 3, 4, 5, 6]);
}

interface MotoResult {
  text: string;
  sample?: MotoPass;
  /** The deployed-shaped stream at once: dedupe windows and storm summaries absorb most findings (an organization's rate). */
  burst?: MotoPass;
  /** The same stream as a steady trickle, one event every `trickleGapMs` of the notifier's clock (one account's rate). */
  trickle?: MotoPass;
  trickleGapMs?: number;
  skip?: string;
}

/**
 * The DynamoDB store on moto: the sample stream without delivery (latency, for information), and the deployed-shaped
 * stream with delivery, as a burst and as a trickle (request units for the cost).
 */
async function measureMoto(streams: Streams, sampleEvents: number, deployedMessages: number, log: Log): Promise<MotoResult> {
  if (!motoAvailable()) return { text: `skipped: ${MOTO_UNAVAILABLE_REASON}`, skip: MOTO_UNAVAILABLE_REASON };
  const moto = await startMoto();
  if (!moto) return { text: `skipped: ${MOTO_UNAVAILABLE_REASON}`, skip: MOTO_UNAVAILABLE_REASON };
  try {
    const sampleMessages = streams.sample.slice(0, sampleEvents);
    const sampleDetectPath = streams.sampleDeliveries.slice(0, sampleEvents).filter((k) => k > 0).length;
    log(`[d3] moto: ${num(sampleMessages.length)} sample events, delivery excluded`);
    const sample = await motoPass(moto, 'sample, no delivery', batchesOf(sampleMessages), deploymentEnv(deploymentConfig(TYPICAL_CHANNELS)), { events: sampleMessages.length, detectPathEvents: sampleDetectPath });

    // Whole events only: an event's deliveries are adjacent in the stream.
    let cut = Math.min(deployedMessages, streams.deployed.length);
    while (cut < streams.deployed.length && streams.deployed[cut]!.body === streams.deployed[cut - 1]!.body) cut++;
    const deployedSlice = streams.deployed.slice(0, cut);
    const deployedEvents = new Set(deployedSlice.map((m) => m.body)).size;
    // Delivery on, to counting sinks that succeed at once. Slack's default rate limit (1/s, burst 10) is lifted: with it
    // the handler spends its delivery budget waiting for tokens (what it does when deployed), and the pass would take minutes.
    const channels = { ...TYPICAL_CHANNELS, slack: { ...TYPICAL_CHANNELS.slack, rateLimit: { perSecond: 1000 } } };
    const env = deploymentEnv(deploymentConfig(channels));
    log(`[d3] moto: deployed-shaped stream, ${num(deployedSlice.length)} messages (${num(deployedEvents)} events), delivery on, as a burst`);
    const burst = await motoPass(moto, 'deployed-shaped burst, delivery on', batchesOf(deployedSlice), env, { deliver: true, events: deployedEvents, detectPathEvents: deployedEvents });
    const trickleGapMs = (30 * 86_400_000) / (ACCOUNT_EVENTS_PER_MONTH * (streams.matching / streams.records));
    const k = streams.deliveries / streams.matching;
    // The trickle moves Date.now itself (the notifier, the dispatcher, the delivery deadline and the store all read it),
    // so windows close and budgets hold as they would with the events spread out; timers keep real time.
    let offset = 0;
    const realNow = Date.now;
    log(`[d3] moto: the same stream as a trickle (an event every ${sig(trickleGapMs / 1000)} s of Date.now)`);
    Date.now = () => realNow.call(Date) + offset;
    let trickle: MotoPass;
    try {
      trickle = await motoPass(moto, 'deployed-shaped trickle, delivery on', batchesOf(deployedSlice), env, {
        deliver: true,
        beforeBatch: (batch) => void (offset += (batch.length / k) * trickleGapMs),
        events: deployedEvents,
        detectPathEvents: deployedEvents,
      });
    } finally {
      Date.now = realNow;
    }

    const passes = [sample, burst, trickle];
    const row = (p: MotoPass) => {
      const r = latencyRow(p.label, [p.pass]);
      const requests = [...p.usage.requests.values()].reduce((a, b) => a + b, 0);
      return [...r.row.slice(0, 4), num(p.events), num(p.detectPathEvents), num(p.pass.findings.reduce((a, b) => a + b, 0)), num(p.pass.outbox), sig(requests / p.pass.batchMs.length), sig(p.units.wru / Math.max(1, p.detectPathEvents)), sig(p.units.rru / Math.max(1, p.detectPathEvents))];
    };
    const emptyBatches = sample.pass.findings.filter((f) => f === 0).length;
    const text = [
      `The same handler on the DynamoDB store (moto_server on 127.0.0.1; requests serialised, moto's transactions are not isolated — so the store's parallel requests per finding run one after another here), Node ${process.versions.node}. Network-bound to the emulator: for information, no goal. Burst: the deployed-shaped stream as fast as it goes (dedupe windows and storm summaries absorb most findings). Trickle: the same stream with Date.now moved ${sig(trickleGapMs / 1000)} s per event (before each batch), one account's rate at the volume assumed in d5 (each finding mostly its own notification).`,
      table(['pass', 'batches', 'p50/event', 'p99/event', 'events', 'reach detect path', 'findings', 'notifications', 'requests/batch', 'WRU/detect-path event', 'RRU/detect-path event'], passes.map(row), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]),
      `Requests by kind (units estimated from the items' sizes, see DynamoUsage.units):`,
      motoTable(passes),
      `Sample pass: ${num(emptyBatches)} of ${num(sample.pass.batchMs.length)} batches raised no finding. Notifications sent by the counting sinks: burst ${num(burst.pass.sent)}, trickle ${num(trickle.pass.sent)}.`,
    ].join('\n');
    return { text, sample, burst, trickle, trickleGapMs };
  } finally {
    await moto.stop();
  }
}

// --- d5: cost ---------------------------------------------------------------------------------------------

/**
 * us-east-1 list prices, looked up with the search tool (December 2026 index):
 * - Lambda: arm64 duration $0.0000133334 per GB-second (first tier), requests $0.20 per million —
 *   https://aws.amazon.com/lambda/pricing/ (its rate table renders client-side; the figures as transcribed in
 *   https://app.unpkg.com/artillery@2.0.28/files/lib/platform/aws-lambda/prices.js "arm64: 1333340" ×10^-11 and
 *   https://git.mcrn.ar/mariano/lambda_local_runner/src/branch/main/docs/lambdas-md/lambda-13-cost.md).
 * - SQS standard queue: $0.40 per million requests (first 100 billion a month), each 64 KB chunk of a payload billed
 *   as one request — https://cloudburn.io/blog/amazon-sqs-pricing (March 2026, us-east-1), https://unanswered.io/guide/aws-sqs-pricing-and-cost-optimization.
 * - DynamoDB on-demand: $0.625 per million write request units, $0.125 per million read request units — unit rules from
 *   https://aws.amazon.com/dynamodb/pricing/on-demand/ (the figures are not in the text the search returned; taken from
 *   https://airbyte.com/data-engineering-resources/dynamodb-pricing, "US East Region", i.e. after the November 2024 cut,
 *   see https://aws.amazon.com/blogs/aws/amazon-dynamodb-on-demand-no-capacity-planning-and-pay-per-request-pricing).
 * - EventBridge: AWS management events are ingested by the event bus for free — https://aws.amazon.com/eventbridge/pricing/.
 *   Cross-account delivery (member account → central bus): $1.00 per million events delivered per
 *   https://cloudburn.io/blog/amazon-eventbridge-pricing (March 2026) and https://hykell.com/uncategorized/aws-eventbridge-pricing-and-cost-management;
 *   the official page's example stops before its figure in the stored text, and the AWS price list mirror
 *   (https://huggingface.co/datasets/labofsahil/aws-pricing-dataset, AWSEvents.csv) lists "$0.05 per million
 *   cross-account invocations with custom events" in other regions: the higher figure is used.
 * Free tiers are not applied.
 */
export const PRICES = {
  lambdaGbSecond: 0.0000133334,
  lambdaRequest: 0.2 / 1e6,
  sqsRequest: 0.4 / 1e6,
  dynamoWru: 0.625 / 1e6,
  dynamoRru: 0.125 / 1e6,
  eventBridgeCrossAccount: 1.0 / 1e6,
} as const;

const MEMORY_GB = 512 / 1024;
/** Lambda gives a function a full vCPU at 1,769 MB (https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html): 512 MB gets ~29 % of one. */
const CPU_SHARE_512 = 512 / 1769;
/** Assumed per member account: CloudTrail management events a month (≈ 2 a second around the clock). */
const ACCOUNT_EVENTS_PER_MONTH = 5e6;
const ACCOUNTS = 100;
/** The detect queue's event source: maxBatchingWindow (src/infra/plan.ts default), how long Lambda gathers a batch. */
const BATCHING_WINDOW_S = 2;
const MONTH_S = 30 * 86_400;

interface CostFigures {
  /** Deliveries per detect-path event (k̄). */
  k: number;
  /** Mean billed duration of a batch of 10 (d3, deployed-shaped stream), ms. */
  batchMs: number;
  /** SQS requests per message sent, per batch received (64 KB chunks), remediation hand-offs per event. */
  sendChunks: number;
  receiveChunks: number;
  handOffs: number;
}

interface CostLines {
  invocations: number;
  lambdaRequests: number;
  gbSeconds: number;
  lambdaDuration: number;
  sqsRequests: number;
  sqs: number;
  dynamo?: number;
  eventBridge: number;
  total: number;
}

/** The cost of `events` detect-path events in batches of `batch` messages, with DynamoDB units per event from a moto pass. */
function costOf(f: CostFigures, events: number, batch: number, units: { wru: number; rru: number } | undefined, crossAccount: boolean): CostLines {
  const messages = events * f.k;
  const invocations = messages / batch;
  // A batch's duration scales with its messages (per-message work dominates); each invocation is billed to the ms.
  const billedMs = Math.max(1, Math.ceil((f.batchMs * batch) / BATCH));
  const gbSeconds = invocations * (billedMs / 1000) * MEMORY_GB;
  const sqsRequests = messages * f.sendChunks + invocations * (f.receiveChunks + 1) + events * f.handOffs;
  const lambdaRequests = invocations * PRICES.lambdaRequest;
  const lambdaDuration = gbSeconds * PRICES.lambdaGbSecond;
  const sqs = sqsRequests * PRICES.sqsRequest;
  const dynamo = units ? events * (units.wru * PRICES.dynamoWru + units.rru * PRICES.dynamoRru) : undefined;
  const eventBridge = crossAccount ? events * PRICES.eventBridgeCrossAccount : 0;
  return { invocations, lambdaRequests, gbSeconds, lambdaDuration, sqsRequests, sqs, ...(dynamo !== undefined ? { dynamo } : {}), eventBridge, total: lambdaRequests + lambdaDuration + sqs + (dynamo ?? 0) + eventBridge };
}

function costText(streams: Streams, deployedPasses: readonly Pass[], moto: MotoResult): string {
  const allBatches = deployedPasses.flatMap((p) => p.batchMs);
  const chunks = (bytes: number) => Math.max(1, Math.ceil(bytes / 65_536));
  const fullBatches = batchesOf(streams.deployed);
  const f: CostFigures = {
    k: streams.deliveries / streams.matching,
    batchMs: allBatches.reduce((a, t) => a + t, 0) / allBatches.length,
    sendChunks: streams.deployed.reduce((n, m) => n + chunks(Buffer.byteLength(m.body)), 0) / streams.deployed.length,
    receiveChunks: fullBatches.reduce((n, b) => n + chunks(b.reduce((s, m) => s + Buffer.byteLength(m.body), 0)), 0) / fullBatches.length,
    handOffs: deployedPasses[0]!.remediationCalls / streams.deployedEvents,
  };
  const unitsOf = (p: MotoPass | undefined) => (p ? { wru: p.units.wru / p.detectPathEvents, rru: p.units.rru / p.detectPathEvents } : undefined);
  const trickle = unitsOf(moto.trickle);
  const burst = unitsOf(moto.burst);
  const million = 1e6;
  const perMillion = costOf(f, million, BATCH, trickle, false);
  const perMillionBurst = costOf(f, million, BATCH, burst, false);
  const dynamoLine = (label: string, u: { wru: number; rru: number } | undefined) =>
    u ? `${label}: ${num(million)} × (${sig(u.wru)} WRU × $0.625/M + ${sig(u.rru)} RRU × $0.125/M)` : `${label}: ${moto.skip ?? 'not measured'}`;
  const line = (label: string, formula: string, value: number | undefined) => `  ${label.padEnd(18)}${formula.padEnd(118)} ${value === undefined ? 'not measured' : `= ${usd(value)}`}`;
  const billed10 = Math.ceil(f.batchMs);

  // Scenarios: one account, and an organization of ACCOUNTS accounts forwarding to a central bus.
  const fraction = streams.matching / streams.records;
  const perAccount = ACCOUNT_EVENTS_PER_MONTH * fraction;
  const batchFill = (events: number) => Math.min(BATCH, Math.max(f.k, ((events * f.k) / MONTH_S) * BATCHING_WINDOW_S));
  const one = costOf(f, perAccount, batchFill(perAccount), trickle, false);
  const org = costOf(f, ACCOUNTS * perAccount, batchFill(ACCOUNTS * perAccount), burst, true);
  const scenario = (label: string, events: number, c: CostLines, units: string, extra: string) =>
    `  ${label}: ${num(events)} detect-path events/month, ${sig(batchFill(events))} messages per invocation (${BATCHING_WINDOW_S} s batching window at ${sig((events * f.k) / MONTH_S)} messages/s): Lambda ${usd(c.lambdaRequests + c.lambdaDuration)} + SQS ${usd(c.sqs)} + DynamoDB ${c.dynamo === undefined ? 'not measured' : `${usd(c.dynamo)} (${units})`}${extra} = ${usd(c.total)} a month`;
  const motoMs = moto.burst ? moto.burst.pass.batchMs.reduce((a, t) => a + t, 0) / moto.burst.pass.batchMs.length : undefined;

  return [
    `Per 1,000,000 CloudTrail events reaching the detect path, i.e. matched by at least one deployed EventBridge rule. One EventBridge rule per trailguard rule, so an event matching k rules is delivered k times: k̄ = ${sig(f.k)} over the ${num(streams.matching)} sample events that match. Batches of ${BATCH}, 512 MB arm64, free tiers not applied.`,
    line('Lambda requests', `${num(million)} × ${sig(f.k)} / ${BATCH} = ${num(perMillion.invocations)} invocations × $0.20/M`, perMillion.lambdaRequests),
    line('Lambda duration', `${num(perMillion.invocations)} × ${billed10} ms (mean batch of d3's deployed-shaped stream, billed to the ms) × 0.5 GB = ${num(perMillion.gbSeconds)} GB-s × $${PRICES.lambdaGbSecond}`, perMillion.lambdaDuration),
    line('SQS', `${num(million * f.k)} SendMessage (EventBridge → queue, ×${sig(f.sendChunks)} 64 KB chunks) + ${num(perMillion.invocations)} × (${sig(f.receiveChunks)} ReceiveMessage + 1 DeleteMessageBatch) + ${num(million * f.handOffs)} remediation SendMessageBatch = ${num(perMillion.sqsRequests)} × $0.40/M`, perMillion.sqs),
    line('DynamoDB', dynamoLine('trickle', trickle), perMillion.dynamo),
    line('', dynamoLine('burst', burst), perMillionBurst.dynamo),
    line('EventBridge', 'CloudTrail management events on the default bus, to a queue in the same account: free', 0),
    line('total', perMillion.dynamo === undefined ? 'without DynamoDB (not measured)' : `with DynamoDB as a trickle${perMillionBurst.dynamo !== undefined ? ` (as a burst: ${usd(perMillionBurst.total)})` : ''}`, perMillion.total),
    line('+ organization', `cross-account delivery member → central bus, 1 per event (one forwarder rule per account): ${num(million)} × $1.00/M`, million * PRICES.eventBridgeCrossAccount),
    '',
    `Volume assumption: ${num(ACCOUNT_EVENTS_PER_MONTH)} CloudTrail management events per account per month (≈ ${sig(ACCOUNT_EVENTS_PER_MONTH / MONTH_S)}/s); ${(fraction * 100).toFixed(1)} % of the samples reach the detect path (${num(streams.matching)} of ${num(streams.records)}), so ${num(perAccount)} detect-path events per account per month. One account's rate is a trickle (its DynamoDB units); ${ACCOUNTS} accounts' is a burst (storm summaries at ~${sig((ACCOUNTS * perAccount * f.k) / MONTH_S)} messages/s).`,
    scenario('1 account', perAccount, one, 'trickle', ''),
    scenario(`${ACCOUNTS} accounts`, ACCOUNTS * perAccount, org, 'burst', ` + EventBridge cross-account ${usd(org.eventBridge)}`),
    `Sensitivity of Lambda duration (per million, batches of ${BATCH}): at the moto burst pass's mean batch (${motoMs === undefined ? 'not measured' : `${sig(motoMs)} ms: delivery to instant sinks included, ~${sig(moto.burst!.usage.requests.size ? [...moto.burst!.usage.requests.values()].reduce((a, b) => a + b, 0) / moto.burst!.pass.batchMs.length : 0)} serialised round trips to the emulator per batch`}) ${motoMs === undefined ? '—' : usd(perMillion.invocations * (Math.ceil(motoMs) / 1000) * MEMORY_GB * PRICES.lambdaGbSecond)}; CPU-bound time at 512 MB's ~${Math.round(CPU_SHARE_512 * 100)} % of a vCPU (×${sig(1 / CPU_SHARE_512)}) ${usd(perMillion.lambdaDuration / CPU_SHARE_512)}.`,
    'Not included: the remediate and deliver functions, CloudWatch Logs ingestion of the log lines (one JSON line per finding and per message), the pollers\' empty receives on an idle queue, storage, data transfer.',
  ].join('\n');
}

// --- part d ------------------------------------------------------------------------------------------------

export async function measureLambda(config: LambdaBenchConfig, catalog: readonly Rule[], out: Out, log: Log): Promise<GoalResult[]> {
  // The test suite's guard: any connection other than to 127.0.0.1 throws (and is recorded).
  const { blockedConnections } = await import('../test/notify/support/loopback-only.js');
  const goals: GoalResult[] = [];
  const outdir = await mkdtemp(path.join(tmpdir(), 'trailguard-bench-lambda-'));
  try {
    out(section('(d1) Lambda bundles: lambdaBundlePlan, esbuild'));
    const bundles = await measureBundles(catalog, outdir, log);
    out(bundles.text);
    goals.push(bundles.goal);

    out(section('(d2) cold init of the detect bundle in a fresh Node 22 process'));
    const cold = await measureColdInit(bundles.detect, outdir, config.rounds.cold, log);
    out(cold.text);
    goals.push(cold.goal);

    const records = sampleRecords();
    const streams = buildStreams(records, catalog, config.quick ? 500 : 1500);
    out(section('(d3) detect handler per-event latency, batches of 10'));
    const latency = await measureLatency(streams, catalog, config.rounds.latency, log);
    out(latency.text);
    goals.push(...latency.goals);
    out('\nDynamoDB store on moto (information):');
    const moto = await measureMoto(streams, config.motoEvents, config.quick ? 40 : 150, log);
    out(moto.text);

    out(section('(d4) replay: at-least-once queue, two consumers, checked for lost and duplicated findings'));
    const replay = await measureReplay(records, catalog, config.replayEvents, log);
    out(replay.text);
    goals.push(replay.goal);

    out(section('(d5) cost per million CloudTrail events reaching the detect path (computed from the figures above)'));
    out(costText(streams, latency.deployedPasses, moto));
    if (blockedConnections.length > 0) out(`\nwarning: the loopback guard refused ${blockedConnections.length} connection(s): ${blockedConnections.join(', ')}`);
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
  return goals;
}
