/**
 * `trailguard watch`: live alerts from a laptop with nothing deployed. Polls CloudTrail LookupEvents in each region
 * (or tails the trail's CloudWatch Logs group) and runs every new management event through the same rules as `scan`,
 * printing findings as they come; `--notify` and `--remediate` hand them to the same notification and remediation
 * paths as `scan --notify` and `remediate` (remediation in the config's policy modes: dry-run unless it says more).
 *
 * Checkpoints and recently seen event ids live in the local store, so a restart resumes without a gap or a repeated
 * finding. Exit codes: 0 stopped (--duration, SIGINT/SIGTERM); 1 a finding at or above --fail-on was seen; 2 usage or
 * configuration error, or a source whose last poll failed (its events since its checkpoint were not read).
 */
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { Command, Option } from 'commander';
import type { CloudTrailRecord } from '../cloudtrail/types.js';
import { loadConfig, type LoadedConfig } from '../config/load.js';
import { createDetector } from '../detect/detector.js';
import { renderFindingsTable } from '../findings/render-table.js';
import type { Finding } from '../findings/types.js';
import { streamOutput } from '../pipeline/output.js';
import { SEVERITIES, severityRank, type Severity } from '../rules/types.js';
import type { Store } from '../store/types.js';
import { regionListProblem } from '../util/aws-names.js';
import { pacer, type Clock, systemClock } from '../watch/clock.js';
import { LOOKUP_HISTORY_MS } from '../watch/checkpoint.js';
import { WatchSourceError } from '../watch/errors.js';
import type { PollReport } from '../watch/loop.js';
import type { WatchSource } from '../watch/source.js';
import { openCommandStore } from './command-context.js';
import { collectValues, oneOf, splitList } from './options.js';
import { stderrReporter, type Reporter } from './reporter.js';
import { resolveRuleSet } from './rule-set.js';
import { parseDurationOption, parseTimeOption } from './time-options.js';
import { RunFailedError, UsageError } from './usage-error.js';
import { formatAge, statusLine } from './watch-status.js';

interface WatchCommandOptions {
  region?: string[];
  allRegions?: boolean;
  logGroup?: string;
  since?: string;
  lookback?: string;
  interval?: string;
  duration?: string;
  format?: 'table' | 'jsonl';
  minSeverity?: Severity;
  failOn?: Severity;
  rules?: string[];
  builtin?: boolean;
  only?: string[];
  exclude?: string[];
  config?: string;
  store?: string;
  profile?: string;
  notify?: boolean;
  notifyTimeout?: string;
  remediate?: boolean;
  status?: boolean;
  quiet?: boolean;
}

const FORMATS = ['table', 'jsonl'] as const;
/** LookupEvents: 2 requests/s per account and region; 550 ms apart keeps each region at 1.8/s. */
const LOOKUP_SPACING_MS = 550;
/** FilterLogEvents: 5 requests/s per account and region (CloudWatch Logs quotas); 250 ms apart is 4/s. */
const FILTER_LOG_EVENTS_SPACING_MS = 250;

export function watchCommand(): Command {
  return new Command('watch')
    .description('poll CloudTrail LookupEvents (or a CloudWatch Logs group) and alert on new events live, with nothing deployed')
    .option('--region <region>', 'a region to watch, repeatable (default: the SDK\'s region, AWS_REGION or the profile\'s)', collectValues)
    .option('--all-regions', 'every region enabled for the account (EC2 DescribeRegions)')
    .option('--log-group <name>', 'tail the trail\'s CloudWatch Logs group with FilterLogEvents instead of LookupEvents (one --region)')
    .option('--since <time>', 'where a region without a checkpoint starts: ISO 8601 or a duration ago (at most 90 days; default: now - lookback)')
    .option('--lookback <duration>', 'how far before the checkpoint each poll reads again, for events CloudTrail makes visible late (default 15m)')
    .option('--interval <duration>', 'time between polls (default 30s)')
    .option('--duration <duration>', 'stop after this long (default: until SIGINT/SIGTERM)')
    .addOption(new Option('--format <format>', 'findings as a table per poll (default) or one JSON line each').choices(FORMATS).argParser(oneOf(FORMATS)))
    .addOption(new Option('--min-severity <severity>', 'report only findings at or above this severity').choices(SEVERITIES).argParser(oneOf(SEVERITIES)))
    .addOption(new Option('--fail-on <severity>', 'exit with status 1 when a finding at or above this severity was seen').choices(SEVERITIES).argParser(oneOf(SEVERITIES)))
    .option('--rules <path>', 'extra rule file or directory, repeatable', collectValues)
    .option('--no-builtin', 'leave out the built-in catalog')
    .option('--only <ids>', 'evaluate only these rule ids (comma-separated, repeatable)', splitList)
    .option('--exclude <ids>', 'do not evaluate these rule ids (comma-separated, repeatable)', splitList)
    .option('-c, --config <file>', 'config file (default: ./trailguard.config.yaml if present)')
    .option('--store <file>', 'the local store holding checkpoints (default: the config\'s store.path, else .trailguard/trailguard.db)')
    .option('--profile <name>', 'AWS profile of the shared config/credentials files')
    .option('--notify', 'deliver findings to the channels of the config\'s notifications section (after every poll)')
    .option('--notify-timeout <duration>', 'with --notify: how long the last delivery at exit may take (default 60s)')
    .option('--remediate', 'run the config\'s remediation policy on findings (its modes: dry-run unless it says enforce or approve)')
    .option('--no-status', 'no status line (it is drawn only when stderr is a terminal)')
    .option('-q, --quiet', 'no status line and no summary (warnings and errors still appear)')
    .action(async (options: WatchCommandOptions) => {
      process.exitCode = await runWatch(options);
    });
}

interface Timing {
  lookbackMs: number;
  intervalMs: number;
  durationMs?: number;
  since?: number;
}

function parseTiming(options: WatchCommandOptions, now: number): Timing {
  const lookbackMs = parseDurationOption('--lookback', options.lookback ?? '15m');
  const intervalMs = parseDurationOption('--interval', options.interval ?? '30s');
  if (lookbackMs <= 0) throw new UsageError('--lookback must be longer than 0');
  if (lookbackMs > LOOKUP_HISTORY_MS) throw new UsageError('--lookback must be at most 90d (CloudTrail keeps 90 days of event history)');
  if (intervalMs < 100) throw new UsageError('--interval must be at least 100ms');
  const durationMs = options.duration !== undefined ? parseDurationOption('--duration', options.duration) : undefined;
  if (durationMs !== undefined && durationMs <= 0) throw new UsageError('--duration must be longer than 0');
  let since: number | undefined;
  if (options.since !== undefined) {
    since = parseTimeOption('--since', options.since, now).getTime();
    if (since > now) throw new UsageError('--since is in the future');
    if (since < now - LOOKUP_HISTORY_MS) throw new UsageError(`--since ${options.since}: CloudTrail keeps 90 days of event history (the oldest is ${new Date(now - LOOKUP_HISTORY_MS).toISOString()}); scan the trail's log files for older events`);
  }
  return { lookbackMs, intervalMs, ...(durationMs !== undefined ? { durationMs } : {}), ...(since !== undefined ? { since } : {}) };
}

async function runWatch(options: WatchCommandOptions, clock: Clock = systemClock): Promise<number> {
  const quiet = options.quiet === true;
  const reporter = stderrReporter(process.stderr, quiet);
  const loaded = loadConfig(options.config);
  const timing = parseTiming(options, clock.now());
  const format = options.format ?? 'table';
  const minRank = severityRank(options.minSeverity ?? loaded.config.scan?.minSeverity ?? 'info');
  const failOn = options.failOn ?? loaded.config.scan?.failOn;
  if (options.allRegions && options.region?.length) throw new UsageError('--region and --all-regions exclude each other');
  if (options.logGroup !== undefined && options.allRegions) throw new UsageError('--log-group reads one group in one region: give --region (or none for the default region), not --all-regions');
  if (options.logGroup !== undefined && (options.region?.length ?? 0) > 1) throw new UsageError('--log-group reads one group in one region: give one --region');
  const regionProblem = regionListProblem('--region', options.region);
  if (regionProblem) throw new UsageError(regionProblem);
  if (options.remediate && !loaded.config.remediation) throw new UsageError(`--remediate: no remediation policy is configured: add a "remediation:" section to ${loaded.file ?? 'trailguard.config.yaml'} (or name the file with --config)`);
  if (options.notify && !loaded.config.notifications) throw new UsageError(`--notify: no notifications are configured: add a "notifications:" section with channels to ${loaded.file ?? 'trailguard.config.yaml'} (or name the file with --config)`);

  const { rules } = resolveRuleSet({ rules: options.rules, only: options.only, exclude: options.exclude, noBuiltin: options.builtin === false }, loaded.config, reporter);
  if (rules.length === 0) throw new UsageError('no rules to evaluate (check --rules, --only, --exclude and the config file)');
  const detector = createDetector(rules, {
    onRuleError: (rule, event, error) => reporter.error(`rule ${rule.id} failed on event ${String(event.detail.eventID ?? '(no eventID)')}: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}`),
  });

  const credentials = options.profile !== undefined ? (await import('@aws-sdk/credential-providers')).fromNodeProviderChain({ profile: options.profile }) : undefined;
  const aws = { maxAttempts: 1, ...(credentials ? { credentials } : {}) };
  const regions = await resolveRegions(options, aws);
  const sources = await makeSources(options, regions, aws, clock);

  const { store } = await openCommandStore(loaded, options, 'create');
  const state = store.watch;
  if (!state) {
    await store.close();
    throw new UsageError(`watch keeps its checkpoints in the local SQLite store, not in ${store.location}: pass --store FILE`);
  }
  const { notifier, session } = await openSession(options, loaded, store, reporter);
  const out = streamOutput(process.stdout);
  const status = !quiet && options.status !== false && process.stderr.isTTY === true ? statusLine(process.stderr, sources.map((s) => s.label)) : undefined;
  const terminal = process.stdout.isTTY === true;
  let worst = -1;
  let findingsSeen = 0;
  let cycleFindings: Finding[] = [];

  const stop = new AbortController();
  const abort = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    status?.clear();
    if (!stop.signal.aborted) {
      reporter.warn(`${signal}: finishing the poll in flight and saving the checkpoints (again to stop at once)`);
      stop.abort();
    } else if (!abort.signal.aborted) {
      reporter.warn(`${signal}: stopping now; the polls in flight are read again next run`);
      abort.abort();
      void notifier?.dispatcher.stop();
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const failing = new Map<string, string>();
  const { runWatchLoop } = await import('../watch/loop.js');
  let summary;
  try {
    if (!quiet) reporter.info(`Watching ${sources.map((s) => s.label).join(', ')} with ${rules.length} rules: every ${formatAge(timing.intervalMs)}, look-back ${formatAge(timing.lookbackMs)}; checkpoints in ${store.location}`);
    summary = await runWatchLoop({
      sources,
      state,
      clock,
      ...timing,
      stop: stop.signal,
      abort: abort.signal,
      onEvent: async (event) => {
        const findings = detector.evaluate(event.record as CloudTrailRecord).filter((f) => severityRank(f.severity) >= minRank);
        if (findings.length === 0) return;
        findingsSeen += findings.length;
        for (const f of findings) worst = Math.max(worst, severityRank(f.severity));
        if (format === 'jsonl') {
          if (terminal) status?.clear();
          for (const f of findings) out.write(`${JSON.stringify(f)}\n`);
        } else cycleFindings.push(...findings);
        await session?.handle(findings);
      },
      onReject: (reject) => {
        status?.clear();
        reporter.warn(reject.reason);
      },
      onPoll: (report) => reportPoll(report, failing, reporter, status),
      afterCycle: async (reports) => {
        if (cycleFindings.length > 0) {
          if (terminal) status?.clear();
          out.write(renderFindingsTable(cycleFindings, { width: terminal ? process.stdout.columns : undefined, color: terminal && !('NO_COLOR' in process.env) }));
          cycleFindings = [];
        }
        if (session && !abort.signal.aborted) await session.deliverDue(clock.now() + timing.intervalMs);
        status?.update(reports, clock.now());
      },
    });
  } catch (error) {
    status?.clear();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await notifier?.close();
    await store.close();
    throw error;
  }
  status?.clear();
  try {
    if (session && !abort.signal.aborted) {
      const timeout = parseDurationOption('--notify-timeout', options.notifyTimeout ?? '60s');
      const report = await session.finish(Date.now() + timeout);
      if (report) {
        const { reportRun } = await import('./notify-run.js');
        reportRun(report, reporter);
      }
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await notifier?.close();
    await store.close();
  }
  const evaluated = summary.evaluated.toLocaleString('en-US');
  reporter.info(`Watched ${summary.cycles} poll cycle${summary.cycles === 1 ? '' : 's'}: ${evaluated} events evaluated, ${findingsSeen} finding${findingsSeen === 1 ? '' : 's'}; checkpoints saved in ${store.location}`);
  const failed = summary.last.filter((r) => !r.ok && !r.stopped);
  if (failed.length > 0) {
    throw new RunFailedError(`${failed.map((r) => `${r.label}: the last poll failed (${r.error ?? 'unknown error'})`).join('; ')}: events since its checkpoint were not read; the next run reads them`);
  }
  return failOn !== undefined && worst >= severityRank(failOn) ? 1 : 0;
}

/** Errors once per source until it recovers: a region denied every 30 s is one line, not one per poll. */
function reportPoll(report: PollReport, failing: Map<string, string>, reporter: Reporter, status: ReturnType<typeof statusLine> | undefined): void {
  if (report.stopped) return;
  if (!report.ok) {
    if (failing.get(report.source) !== report.error) {
      status?.clear();
      reporter.error(`${report.error ?? `${report.label}: poll failed`} (its checkpoint stays; retried every poll)`);
    }
    failing.set(report.source, report.error ?? '');
    return;
  }
  if (failing.delete(report.source)) {
    status?.clear();
    reporter.info(`${report.label}: polling again`);
  }
}

interface AwsClientSettings {
  maxAttempts: number;
  credentials?: AwsCredentialIdentityProvider;
}

async function resolveRegions(options: WatchCommandOptions, aws: AwsClientSettings): Promise<string[]> {
  if (options.region?.length) return [...new Set(options.region)];
  const { EC2Client } = await import('@aws-sdk/client-ec2');
  if (options.allRegions) {
    const home = await defaultRegion(aws);
    const client = new EC2Client({ ...aws, region: home ?? 'us-east-1', maxAttempts: 3 });
    try {
      const { enabledRegions } = await import('../watch/regions.js');
      const regions = await enabledRegions(client);
      if (regions.length === 0) throw new UsageError('--all-regions: EC2 DescribeRegions listed no region');
      return regions;
    } catch (error) {
      if (error instanceof WatchSourceError) throw new UsageError(error.message, { cause: error });
      throw error;
    } finally {
      client.destroy();
    }
  }
  const region = await defaultRegion(aws);
  if (region === undefined) throw new UsageError('no region: give --region (repeatable) or --all-regions, or set AWS_REGION or the profile\'s region');
  return [region];
}

/** The SDK's own region resolution (AWS_REGION, the profile's region), undefined when there is none. */
async function defaultRegion(aws: AwsClientSettings): Promise<string | undefined> {
  const { CloudTrailClient } = await import('@aws-sdk/client-cloudtrail');
  const client = new CloudTrailClient({ ...aws });
  try {
    return await client.config.region();
  } catch {
    return undefined;
  } finally {
    client.destroy();
  }
}

async function makeSources(options: WatchCommandOptions, regions: readonly string[], aws: AwsClientSettings, clock: Clock): Promise<WatchSource[]> {
  if (options.logGroup !== undefined) {
    const [{ CloudWatchLogsClient }, { logGroupSource }] = await Promise.all([import('@aws-sdk/client-cloudwatch-logs'), import('../watch/log-group.js')]);
    const region = regions[0]!;
    const client = new CloudWatchLogsClient({ ...aws, region });
    return [logGroupSource({ client, region, logGroupName: options.logGroup, clock, pace: pacer(clock, FILTER_LOG_EVENTS_SPACING_MS) })];
  }
  const [{ CloudTrailClient }, { lookupEventsSource }] = await Promise.all([import('@aws-sdk/client-cloudtrail'), import('../watch/lookup-events.js')]);
  return regions.map((region) => {
    const client = new CloudTrailClient({ ...aws, region });
    // One pacer per region: the quota is per account and region.
    return lookupEventsSource({ client, region, clock, pace: pacer(clock, LOOKUP_SPACING_MS) });
  });
}

async function openSession(options: WatchCommandOptions, loaded: LoadedConfig, store: Store, reporter: Reporter) {
  if (!options.notify && !options.remediate) return { notifier: undefined, session: undefined };
  const [{ watchSession }, { openNotifications }, { reporterLogger }] = await Promise.all([import('../app/watch.js'), import('../app/notifications.js'), import('./notify-run.js')]);
  const notifications = options.notify ? loaded.config.notifications : undefined;
  const notifier = notifications
    ? openNotifications({
        notifications,
        store,
        log: reporterLogger(reporter, false),
        // Findings go to stdout; a stdout channel writes beside the warnings.
        stdout: process.stderr,
        ...(loaded.config.store?.retainDeliveredDays !== undefined ? { retainDeliveredDays: loaded.config.store.retainDeliveredDays } : {}),
      })
    : undefined;
  let remediation: Parameters<typeof watchSession>[0]['remediation'];
  if (options.remediate && loaded.config.remediation) {
    const config = loaded.config.remediation;
    const [{ openRemediation }, { remediationClients }] = await Promise.all([import('../app/remediation.js'), import('../app/remediation-clients.js')]);
    const clients = await remediationClients(config, options.profile !== undefined ? { profile: options.profile } : {});
    const { runner } = openRemediation({ remediation: config, store, clients, ...(notifier ? { notifier } : {}) });
    remediation = { config, runner, onDecision: (decision) => reporter.info(`remediation: ${decision.message}`) };
  }
  return { notifier, session: watchSession({ ...(notifier ? { notifier } : {}), ...(remediation ? { remediation } : {}) }) };
}
