import { createWriteStream, openSync, type WriteStream } from 'node:fs';
import { Command, Option } from 'commander';
import cliProgress from 'cli-progress';
import { loadConfig } from '../config/load.js';
import type { Reject } from '../cloudtrail/types.js';
import { createDetector } from '../detect/detector.js';
import { renderFindingsTable } from '../findings/render-table.js';
import type { Finding } from '../findings/types.js';
import { scanInputs, type ScanSummary } from '../pipeline/scan.js';
import { SEVERITIES, severityRank, type Severity } from '../rules/types.js';
import { resolveRuleSet } from './rule-set.js';
import { stderrReporter } from './reporter.js';
import { formatRejectLocation, renderScanSummary } from './scan-summary.js';
import { parseTimeOption } from './time-options.js';
import { UsageError } from './usage-error.js';

interface ScanCommandOptions {
  rules?: string[];
  builtin?: boolean;
  only?: string[];
  exclude?: string[];
  minSeverity?: Severity;
  since?: string;
  until?: string;
  format?: 'table' | 'json' | 'jsonl';
  output?: string;
  failOn?: Severity;
  rejects?: string;
  config?: string;
  progress?: boolean;
  quiet?: boolean;
  notify?: boolean;
  notifyTimeout?: string;
  store?: string;
}

/** How many rejects are spelled out on stderr before the rest are only counted (all go to --rejects FILE). */
const REJECTS_SHOWN = 20;

const splitIds = (value: string, previous: string[] = []) => [...previous, ...value.split(',').map((s) => s.trim()).filter(Boolean)];

export function scanCommand(): Command {
  return new Command('scan')
    .description('evaluate the rules over CloudTrail logs: files, directories (recursive) or - for stdin')
    .argument('<paths...>', 'CloudTrail log files (gzipped or not), directories, or - for stdin')
    .option('--rules <path...>', 'extra rule files or directories (a rule with a built-in id overrides it)')
    .option('--no-builtin', 'leave out the built-in catalog')
    .option('--only <ids>', 'evaluate only these rule ids (comma-separated, repeatable)', splitIds)
    .option('--exclude <ids>', 'do not evaluate these rule ids (comma-separated, repeatable)', splitIds)
    .addOption(new Option('--min-severity <severity>', 'report only findings at or above this severity').choices(SEVERITIES))
    .option('--since <time>', 'only events at or after this time (ISO 8601, or a duration ago such as 24h, 7d)')
    .option('--until <time>', 'only events before this time (ISO 8601, or a duration ago)')
    .addOption(new Option('--format <format>', 'output format (default: table, or the config file\'s scan.format)').choices(['table', 'json', 'jsonl']))
    .option('-o, --output <file>', 'write findings to this file instead of stdout')
    .addOption(new Option('--fail-on <severity>', 'exit with status 1 when a finding at or above this severity exists').choices(SEVERITIES))
    .option('--rejects <file>', 'write every rejected or skipped input, with its reason and location, as JSON Lines')
    .option('-c, --config <file>', 'config file (default: ./trailguard.config.yaml if present)')
    .option('--no-progress', 'no progress bar (it is drawn only when stderr is a terminal)')
    .option('-q, --quiet', 'no summary on stderr (warnings and errors still appear)')
    .option('--notify', 'deliver the findings to the channels of the config\'s notifications section (saved to the store first)')
    .option('--notify-timeout <duration>', 'with --notify: stop delivering after this long; the rest stays pending for `notify run` (default 60s)')
    .option('--store <path>', 'with --notify: the store (default: the config\'s store.path, else .trailguard/trailguard.db)')
    .action(async (paths: string[], options: ScanCommandOptions) => {
      process.exitCode = await runScan(paths, options);
    });
}

async function runScan(paths: string[], options: ScanCommandOptions): Promise<number> {
  const reporter = stderrReporter(process.stderr, options.quiet);
  const loaded = loadConfig(options.config);
  const { config } = loaded;
  const since = options.since !== undefined ? parseTimeOption('--since', options.since) : undefined;
  const until = options.until !== undefined ? parseTimeOption('--until', options.until) : undefined;
  if (since && until && since >= until) throw new UsageError('--since must be before --until');
  const format = options.format ?? config.scan?.format ?? 'table';
  const minSeverity = options.minSeverity ?? config.scan?.minSeverity;
  const failOn = options.failOn ?? config.scan?.failOn;

  const { rules } = resolveRuleSet({ rules: options.rules, only: options.only, exclude: options.exclude, noBuiltin: options.builtin === false }, config, reporter);
  if (rules.length === 0) throw new UsageError('no rules to evaluate (check --rules, --only, --exclude and the config file)');
  const detector = createDetector(rules, {
    onRuleError: (rule, event, error) => reporter.error(`rule ${rule.id} failed on event ${event.detail.eventID ?? '(no eventID)'}: ${(error as Error).message}`),
  });

  // Notification config and store are checked before any work starts, so a mistake there is a usage error up front.
  // A stdout channel writes to stderr while the findings themselves go to stdout.
  const notifications = options.notify
    ? await (await import('./scan-notify.js')).startScanNotifications(
        loaded,
        { ...(options.store !== undefined ? { store: options.store } : {}), ...(options.notifyTimeout !== undefined ? { notifyTimeout: options.notifyTimeout } : {}), ...(options.quiet ? { quiet: true } : {}) },
        { stdout: options.output ? process.stdout : process.stderr, reporter },
      )
    : undefined;
  const out: NodeJS.WritableStream = options.output ? openOutput('--output', options.output) : process.stdout;
  const rejectsOut: WriteStream | undefined = options.rejects ? openOutput('--rejects', options.rejects) : undefined;
  const collected: Finding[] = [];
  let worst = -1;
  let rejectsShown = 0;
  const progress = createProgress(options.progress !== false && process.stderr.isTTY === true);

  const summary = await scanInputs(paths, detector, {
    since,
    until,
    minSeverity,
    onPlan: (plan) => progress?.start(plan.totalBytes),
    onProgress: (bytes) => progress?.update(bytes),
    onFinding: (finding) => {
      worst = Math.max(worst, severityRank(finding.severity));
      if (format === 'jsonl') out.write(`${JSON.stringify(finding)}\n`);
      else collected.push(finding);
      return notifications?.add(finding);
    },
    onReject: (reject: Reject) => {
      rejectsOut?.write(`${JSON.stringify(reject)}\n`);
      if (reject.skipped) return;
      if (rejectsShown++ < REJECTS_SHOWN) {
        progress?.clear();
        reporter.warn(`${formatRejectLocation(reject)}: ${reject.kind}: ${reject.reason}`);
      }
    },
  });
  progress?.stop();

  const brokenRejects = summary.rejects - summary.skipped;
  if (brokenRejects > REJECTS_SHOWN) {
    reporter.warn(`${brokenRejects - REJECTS_SHOWN} more rejects not shown${options.rejects ? ` (all are in ${options.rejects})` : ' (write them all with --rejects FILE)'}`);
  }
  if (format === 'table') out.write(renderFindingsTable(collected, { width: options.output ? undefined : process.stdout.columns, color: !options.output && process.stdout.isTTY === true && !('NO_COLOR' in process.env) }));
  if (format === 'json') out.write(`${JSON.stringify({ findings: collected, summary }, null, 2)}\n`);
  await Promise.all([closeStream(options.output ? out : undefined), closeStream(rejectsOut)]);
  reporter.info(renderScanSummary(summary, { rules: rules.length }).trimEnd());
  // Delivery failures never change the scan's exit code: they stay visible in `notify status`.
  await notifications?.finish();
  return exitCode(summary, worst, failOn);
}

function exitCode(_summary: ScanSummary, worst: number, failOn: Severity | undefined): number {
  if (failOn !== undefined && worst >= severityRank(failOn)) return 1;
  return 0;
}

interface Progress {
  start(total: number): void;
  update(value: number): void;
  clear(): void;
  stop(): void;
}

function createProgress(enabled: boolean): Progress | undefined {
  if (!enabled) return undefined;
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: 'scanning [{bar}] {percentage}% | {value}/{total} MiB | {eta_formatted} left',
      // Byte counts as MiB; the percentage and ETA keep their own formatting.
      formatValue: (value, options, type) => (type === 'value' || type === 'total' ? (value / 1_048_576).toFixed(1) : cliProgress.Format.ValueFormat(value, options, type)),
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let active = false;
  return {
    start(total) {
      bar.start(Math.max(total, 1), 0);
      active = true;
    },
    update(value) {
      if (active) bar.update(value);
    },
    clear() {
      if (active) process.stderr.write('\r\x1b[K');
    },
    stop() {
      if (active) bar.stop();
      active = false;
    },
  };
}

/** Opens an output file before any work starts, so a path that cannot be written is a usage error, not a crash at the end. */
function openOutput(option: string, file: string): WriteStream {
  let fd: number;
  try {
    fd = openSync(file, 'w');
  } catch (error) {
    throw new UsageError(`${option} ${file}: cannot write: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return createWriteStream(file, { fd });
}

function closeStream(stream: NodeJS.WritableStream | undefined): Promise<void> {
  if (!stream) return Promise.resolve();
  return new Promise((resolve, reject) => {
    stream.on('error', reject);
    stream.end(() => resolve());
  });
}
