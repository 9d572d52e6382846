import { Command, Option } from 'commander';
import cliProgress from 'cli-progress';
import { loadConfig } from '../config/load.js';
import type { EventBridgeEnvelope, Reject } from '../cloudtrail/types.js';
import { createDetector } from '../detect/detector.js';
import { renderFindingsTable } from '../findings/render-table.js';
import type { Finding } from '../findings/types.js';
import { fileOutput, streamOutput, type Output } from '../pipeline/output.js';
import { scanInputs, type ScanSummary } from '../pipeline/scan.js';
import { DEFAULT_SEEN_EVENTS_LIMIT } from '../pipeline/seen-events.js';
import type { LoadedRules } from '../rules/load.js';
import { SEVERITIES, severityRank, type Rule, type Severity } from '../rules/types.js';
import { checkInputPaths, collectValues, oneOf, splitList } from './options.js';
import { resolveRuleSet } from './rule-set.js';
import { stderrReporter, type Reporter } from './reporter.js';
import { formatRejectLocation, renderScanSummary } from './scan-summary.js';
import { parseTimeOption } from './time-options.js';
import { RunFailedError, UsageError } from './usage-error.js';
import { isS3Url, type S3SourceOptions } from '../sources/index.js';
import { S3SourceError } from '../sources/s3-access.js';
import { DEFAULT_S3_CONCURRENCY } from '../sources/s3-read.js';
import { accountIdListProblem, regionListProblem } from '../util/aws-names.js';

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
  strict?: boolean;
  allowEmpty?: boolean;
  accounts?: string[];
  regions?: string[];
  s3Concurrency?: string;
  profile?: string;
  region?: string;
}

/** How many rejects are spelled out on stderr before the rest are only counted (all go to --rejects FILE). */
const REJECTS_SHOWN = 20;
/** How many rule errors are spelled out on stderr before the rest are only counted. */
const RULE_ERRORS_SHOWN = 10;

const FORMATS = ['table', 'json', 'jsonl'] as const;

export function scanCommand(): Command {
  return new Command('scan')
    .description('evaluate the rules over CloudTrail logs: files, directories (recursive), s3://bucket/prefix, or - for stdin')
    .argument('<paths...>', 'CloudTrail log files (gzipped or not), directories, s3://bucket/prefix URLs, or - for stdin')
    .option('--rules <path>', 'extra rule file or directory, repeatable (a rule with a built-in id overrides it)', collectValues)
    .option('--no-builtin', 'leave out the built-in catalog')
    .option('--only <ids>', 'evaluate only these rule ids (comma-separated, repeatable)', splitList)
    .option('--exclude <ids>', 'do not evaluate these rule ids (comma-separated, repeatable)', splitList)
    .addOption(new Option('--min-severity <severity>', 'report only findings at or above this severity').choices(SEVERITIES).argParser(oneOf(SEVERITIES)))
    .option('--since <time>', 'only events at or after this time (ISO 8601, or a duration ago such as 24h, 7d)')
    .option('--until <time>', 'only events before this time (ISO 8601, or a duration ago)')
    .addOption(new Option('--format <format>', 'output format (default: table, or the config file\'s scan.format)').choices(FORMATS).argParser(oneOf(FORMATS)))
    .option('-o, --output <file>', 'write findings to this file instead of stdout')
    .addOption(new Option('--fail-on <severity>', 'exit with status 1 when a finding at or above this severity exists').choices(SEVERITIES).argParser(oneOf(SEVERITIES)))
    .option('--rejects <file>', 'write every rejected or skipped input, with its reason and location, as JSON Lines')
    .option('--strict', 'exit 2 when a rule errors on an event, or a rule fails to load or has a warning (default: reported, the run goes on)')
    .option('--allow-empty', 'with --fail-on or --strict: inputs holding no CloudTrail record are not a failure')
    .option('-c, --config <file>', 'config file (default: ./trailguard.config.yaml if present)')
    .option('--no-progress', 'no progress bar (it is drawn only when stderr is a terminal)')
    .option('-q, --quiet', 'no summary on stderr (warnings and errors still appear)')
    .option('--notify', 'deliver the findings to the channels of the config\'s notifications section (saved to the store first)')
    .option('--notify-timeout <duration>', 'with --notify: stop delivering after this long; the rest stays pending for `notify run` (default 60s)')
    .option('--store <path>', 'with --notify: the store (default: the config\'s store.path, else .trailguard/trailguard.db)')
    .option('--accounts <ids>', 's3:// inputs: only these account ids (comma-separated, repeatable); other accounts are not listed', splitList)
    .option('--regions <names>', 's3:// inputs: only these regions (comma-separated, repeatable); other regions are not listed', splitList)
    .option('--s3-concurrency <n>', `s3:// inputs: downloads (and listings) in flight at once (default ${DEFAULT_S3_CONCURRENCY})`)
    .option('--profile <name>', 's3:// inputs: AWS profile of the shared config/credentials files (default: the standard credential chain)')
    .option('--region <region>', 's3:// inputs: region to start in (default: AWS_REGION or the profile\'s; the bucket\'s own region is followed)')
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
  const strict = options.strict === true;

  const { rules, loaded: loadedRules } = resolveRuleSet({ rules: options.rules, only: options.only, exclude: options.exclude, noBuiltin: options.builtin === false }, config, reporter);
  if (strict) checkRulesStrictly(loadedRules);
  if (rules.length === 0) throw new UsageError('no rules to evaluate (check --rules, --only, --exclude and the config file)');
  checkInputPaths(paths, 'input', { s3: true });
  const s3 = s3SourceOptions(paths, options);
  const progress = createProgress(options.progress !== false && process.stderr.isTTY === true);
  const ruleErrors = ruleErrorLog(reporter, progress);
  const detector = createDetector(rules, { onRuleError: ruleErrors.add });

  // Notification config and store are checked before any work starts, so a mistake there is a usage error up front.
  // A stdout channel writes to stderr while the findings themselves go to stdout.
  const notifications = options.notify
    ? await (await import('./scan-notify.js')).startScanNotifications(
        loaded,
        { ...(options.store !== undefined ? { store: options.store } : {}), ...(options.notifyTimeout !== undefined ? { notifyTimeout: options.notifyTimeout } : {}), ...(options.quiet ? { quiet: true } : {}) },
        { stdout: options.output ? process.stdout : process.stderr, reporter },
      )
    : undefined;
  // Outputs are opened (or probed) before any work starts, so a path that cannot be written is an error up front.
  const outputs: Output[] = [];
  let summary: ScanSummary;
  let worst = -1;
  try {
    const out = options.output ? fileOutput('--output', options.output, format === 'jsonl' ? 'lines' : 'whole') : streamOutput(process.stdout);
    outputs.push(out);
    const rejectsOut = options.rejects ? fileOutput('--rejects', options.rejects, 'lines') : undefined;
    if (rejectsOut) outputs.push(rejectsOut);
    const collected: Finding[] = [];
    let rejectsShown = 0;

    summary = await scanInputs(paths, detector, {
      since,
      until,
      ...(s3 ? { s3 } : {}),
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
    ruleErrors.finish();
    // The rejects file first: a failure there must not come after the findings were already printed.
    rejectsOut?.close();
    if (format === 'table') {
      const terminal = !options.output && process.stdout.isTTY === true;
      out.write(renderFindingsTable(collected, { width: terminal ? process.stdout.columns : undefined, color: terminal && !('NO_COLOR' in process.env) }));
    }
    if (format === 'json') out.write(`${JSON.stringify({ findings: collected, summary }, null, 2)}\n`);
    out.close();
  } catch (error) {
    progress?.stop();
    for (const output of outputs) output.discard();
    // What was found so far stays in the store for `notify run`; nothing is delivered from a failed run.
    await notifications?.abort();
    // A bucket that cannot be listed (missing, access denied, no credentials): the run could not do what was asked.
    if (error instanceof S3SourceError) throw new RunFailedError(error.message, { cause: error });
    throw error;
  }
  reporter.info(renderScanSummary(summary, { rules: rules.length, dedupeLimit: DEFAULT_SEEN_EVENTS_LIMIT }).trimEnd());

  const failures: string[] = [];
  if (summary.records === 0) {
    const where = paths.join(', ');
    reporter.warn(summary.files === 0 ? `no log files under ${where}: nothing was scanned` : `no CloudTrail records in the ${summary.files === 1 ? 'file' : `${summary.files} files`} read from ${where}: nothing was scanned`);
    if (!options.allowEmpty && (failOn !== undefined || strict)) {
      failures.push(`nothing was scanned, so ${failOn !== undefined ? `--fail-on ${failOn}` : '--strict'} cannot pass (give --allow-empty when empty input is expected)`);
    }
  }
  if (strict && summary.ruleErrors > 0) {
    failures.push(`--strict: ${summary.ruleErrors.toLocaleString('en-US')} rule error${summary.ruleErrors === 1 ? '' : 's'}: the findings are incomplete`);
  }
  // Delivery failures never change the scan's exit code: they stay visible in `notify status`.
  await notifications?.finish();
  if (failures.length > 0) throw new RunFailedError(failures.join('; '));
  return failOn !== undefined && worst >= severityRank(failOn) ? 1 : 0;
}

/**
 * S3 access for the s3:// inputs, checked up front (--accounts, --regions, --s3-concurrency are usage errors when
 * wrong); the client is only made, and the SDK only loaded, once the first S3 input is planned.
 */
function s3SourceOptions(paths: readonly string[], options: ScanCommandOptions): S3SourceOptions | undefined {
  const problem = accountIdListProblem('--accounts', options.accounts) ?? regionListProblem('--regions', options.regions) ?? regionListProblem('--region', options.region !== undefined ? [options.region] : undefined);
  if (problem !== undefined) throw new UsageError(problem);
  let concurrency: number | undefined;
  if (options.s3Concurrency !== undefined) {
    concurrency = Number(options.s3Concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) throw new UsageError(`--s3-concurrency "${options.s3Concurrency}" is not a whole number from 1 to 256`);
  }
  if (!paths.some(isS3Url)) {
    const given = (['accounts', 'regions', 's3Concurrency', 'profile', 'region'] as const).filter((k) => options[k] !== undefined);
    if (given.length > 0) throw new UsageError(`${given.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ')} only appl${given.length === 1 ? 'ies' : 'y'} to s3:// inputs, and none was given`);
    return undefined;
  }
  return {
    access: async () => {
      const { createS3Client, s3Access } = await import('../sources/s3-client.js');
      return s3Access(await createS3Client({ ...(options.profile !== undefined ? { profile: options.profile } : {}), ...(options.region !== undefined ? { region: options.region } : {}) }));
    },
    ...(options.accounts ? { accounts: options.accounts } : {}),
    ...(options.regions ? { regions: options.regions } : {}),
    ...(concurrency !== undefined ? { concurrency } : {}),
  };
}

/**
 * --strict: a rule file that fails to load, or a rule that loads with a warning (an eventName its eventSource does not
 * have), stops the run before it starts. Overriding a built-in rule by id is deliberate and does not.
 */
function checkRulesStrictly(loaded: LoadedRules): void {
  const warnings = loaded.warnings.filter((w) => !(w.location.key === 'id' && w.message.includes('overrides the rule of the same id')));
  if (loaded.errors.length === 0 && warnings.length === 0) return;
  const parts = [
    ...(loaded.errors.length > 0 ? [`${loaded.errors.length} rule file${loaded.errors.length === 1 ? '' : 's'} failed to load`] : []),
    ...(warnings.length > 0 ? [`${warnings.length} rule warning${warnings.length === 1 ? '' : 's'}`] : []),
  ];
  throw new RunFailedError(`--strict: ${parts.join(' and ')} (shown above); fix them or run without --strict`);
}

interface RuleErrorLog {
  add(rule: Rule, event: EventBridgeEnvelope, error: unknown): void;
  /** Says how many were not shown. */
  finish(): void;
}

/** Rule errors on stderr: the first RULE_ERRORS_SHOWN as they happen, then only counted (the summary has them all). */
function ruleErrorLog(reporter: Reporter, progress: Progress | undefined): RuleErrorLog {
  let count = 0;
  return {
    add(rule, event, error) {
      if (count++ >= RULE_ERRORS_SHOWN) return;
      progress?.clear();
      const eventId = typeof event.detail.eventID === 'string' ? event.detail.eventID : '(no eventID)';
      const message = error instanceof Error ? error.message : String(error);
      reporter.error(`rule ${rule.id} failed on event ${eventId}: ${message.split('\n')[0]}`);
    },
    finish() {
      if (count > RULE_ERRORS_SHOWN) reporter.error(`${(count - RULE_ERRORS_SHOWN).toLocaleString('en-US')} more rule errors not shown (counted in the summary)`);
    },
  };
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
