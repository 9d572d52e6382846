/** The body of `trailguard audit` (see audit-command.ts for its command line), loaded when the command runs. */
import { writeFileSync } from 'node:fs';
import { loadConfig } from '../config/load.js';
import { isCredentialsError, readAccount, readTopics } from '../audit/account.js';
import { applyPlan, renderApplyResult, type ApplyResult } from '../audit/apply.js';
import type { RetryOptions } from '../audit/aws-call.js';
import { defaultAwsClients, resolveDefaultRegion, type AwsClients } from '../audit/clients.js';
import { renderTemplate } from '../audit/cloudformation.js';
import type { PatternSet } from '../audit/controls/catalog.js';
import { allControlIds, evaluateAccount } from '../audit/evaluate.js';
import { alarmsReachNobody, planFixes, renderFixPlan, TOPIC_ARN_PLACEHOLDER, type FixOptions, type FixPlan } from '../audit/fix-plan.js';
import { failingControls, renderAuditTable, renderComplianceSummary, summarizeCompliance } from '../audit/render.js';
import type { AccountSnapshot, AuditReport, Verdict } from '../audit/types.js';
import { loadRules } from '../rules/load.js';
import type { RuleDefinition } from '../rules/types.js';
import { regionListProblem, SNS_TOPIC_ARN_PATTERN } from '../util/aws-names.js';
import { didYouMean } from '../util/suggest.js';
import { stderrReporter, type Reporter } from './reporter.js';
import { UsageError } from './usage-error.js';

export interface AuditCommandOptions {
  profile?: string;
  region?: string;
  regions?: string[];
  allRegions?: boolean;
  only?: string[];
  exclude?: string[];
  format?: 'table' | 'json';
  output?: string;
  failOn?: string;
  maxDeliveryAge?: string;
  fix?: boolean;
  apply?: boolean;
  email?: string;
  topicArn?: string;
  topicName?: string;
  namespace?: string;
  patterns?: PatternSet;
  cloudformation?: string;
  config?: string;
  verbose?: boolean;
  quiet?: boolean;
}

/** What tests (and embedders) can replace: the AWS clients, the output streams, the clock. */
export interface AuditCommandDeps {
  clients?: (options: { profile?: string }) => AwsClients;
  stdout?: NodeJS.WritableStream & { columns?: number; isTTY?: boolean };
  stderr?: NodeJS.WriteStream;
  now?: () => Date;
  retry?: RetryOptions;
  resolveRegion?: (profile?: string) => Promise<string | undefined>;
}


/** --fail-on: FAIL, ERROR (any case, comma-separated) or none. */
function parseFailOn(value: string): Verdict[] {
  if (value.trim().toLowerCase() === 'none') return [];
  const verdicts = value.split(',').map((v) => v.trim().toUpperCase()).filter(Boolean);
  for (const v of verdicts) if (v !== 'FAIL' && v !== 'ERROR') throw new UsageError(`--fail-on: ${v} is not FAIL, ERROR or none`);
  return verdicts as Verdict[];
}

function validate(options: AuditCommandOptions): { failOn: Verdict[]; maxAge: number } {
  const ids = new Set(allControlIds());
  for (const [flag, list] of [['--only', options.only], ['--exclude', options.exclude]] as const) {
    const unknown = (list ?? []).filter((id) => !ids.has(id));
    if (unknown.length > 0) {
      const named = unknown.map((id) => `${id}${didYouMean(id, ids, { quote: false })}`).join(', ');
      throw new UsageError(`${flag}: unknown control${unknown.length === 1 ? '' : 's'} ${named} (controls: ${[...ids].join(', ')})`);
    }
  }
  const regionProblem = regionListProblem('--region', options.region !== undefined ? [options.region] : []) ?? regionListProblem('--regions', options.regions);
  if (regionProblem) throw new UsageError(regionProblem);
  if (options.apply && !options.fix) throw new UsageError('--apply makes the calls of a --fix plan: use --fix --apply');
  for (const flag of ['email', 'topicArn', 'topicName', 'namespace', 'cloudformation'] as const) {
    if (options[flag] !== undefined && !options.fix) throw new UsageError(`--${flag.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} only applies with --fix`);
  }
  if (options.email !== undefined && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(options.email)) throw new UsageError(`--email ${options.email}: not an email address`);
  if (options.topicArn !== undefined && !SNS_TOPIC_ARN_PATTERN.test(options.topicArn)) {
    throw new UsageError(`--topic-arn ${options.topicArn}: not an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>)`);
  }
  if (options.topicArn !== undefined && options.topicName !== undefined) throw new UsageError('--topic-arn and --topic-name exclude each other');
  const maxAge = Number(options.maxDeliveryAge ?? '24');
  if (!Number.isFinite(maxAge) || maxAge <= 0) throw new UsageError(`--max-delivery-age ${options.maxDeliveryAge}: expected a positive number of hours`);
  return { failOn: parseFailOn(options.failOn ?? 'FAIL,ERROR'), maxAge };
}

function builtinCisRules(): Map<string, RuleDefinition> {
  const loaded = loadRules();
  return new Map(loaded.rules.map((r) => [r.id, r]));
}

/** Options given on the command line win; the config file's `audit` section fills in the rest. */
function withConfigDefaults(options: AuditCommandOptions): AuditCommandOptions {
  const audit = loadConfig(options.config).config.audit;
  if (!audit) return options;
  const fix = audit.fix ?? {};
  return {
    ...options,
    profile: options.profile ?? audit.profile,
    region: options.region ?? audit.region,
    regions: options.regions ?? audit.regions,
    allRegions: options.allRegions ?? audit.allRegions,
    only: options.only ?? audit.only,
    exclude: options.exclude ?? audit.exclude,
    failOn: options.failOn ?? (audit.failOn ? (audit.failOn.length > 0 ? audit.failOn.join(',') : 'none') : undefined),
    maxDeliveryAge: options.maxDeliveryAge ?? (audit.maxDeliveryAgeHours !== undefined ? String(audit.maxDeliveryAgeHours) : undefined),
    ...(options.fix
      ? {
          namespace: options.namespace ?? fix.namespace,
          topicName: options.topicName ?? (options.topicArn ? undefined : fix.topicName),
          topicArn: options.topicArn ?? (options.topicName ? undefined : fix.topicArn),
          email: options.email ?? fix.email,
          patterns: options.patterns ?? fix.patterns,
        }
      : {}),
  };
}

export async function runAudit(given: AuditCommandOptions, deps: AuditCommandDeps): Promise<number> {
  const options = withConfigDefaults(given);
  const { failOn, maxAge } = validate(options);
  const reporter = stderrReporter(deps.stderr ?? process.stderr, options.quiet);
  const region = options.region ?? (await (deps.resolveRegion ?? resolveDefaultRegion)(options.profile));
  if (!region) throw new UsageError('no region: pass --region or set AWS_REGION (or a region in the profile)');
  const clients = deps.clients ? deps.clients({ ...(options.profile ? { profile: options.profile } : {}) }) : defaultAwsClients({ ...(options.profile ? { profile: options.profile } : {}) });
  const now = deps.now ?? (() => new Date());
  const rules = builtinCisRules();

  const audit = async (): Promise<{ snapshot: AccountSnapshot; report: AuditReport }> => {
    reporter.info(`Reading CloudTrail, CloudWatch Logs, CloudWatch and SNS${options.allRegions ? ' in every enabled region' : ` in ${[region, ...(options.regions ?? [])].join(', ')}`} ...`);
    const snapshot = await readAccount(clients, {
      primaryRegion: region,
      ...(options.regions ? { regions: options.regions } : {}),
      ...(options.allRegions ? { allRegions: true } : {}),
      ...(deps.retry ? { retry: deps.retry } : {}),
      now,
    });
    const credentialsProblem = snapshot.errors.find((e) => e.action === 'sts:GetCallerIdentity' && isCredentialsError(e));
    if (credentialsProblem) throw new UsageError(`no usable AWS credentials${options.profile ? ` for profile ${options.profile}` : ''}: ${credentialsProblem.message}`);
    const report = evaluateAccount(snapshot, {
      rules,
      ...(options.only ? { only: options.only } : {}),
      ...(options.exclude ? { exclude: options.exclude } : {}),
      now: now(),
      maxDeliveryAgeHours: maxAge,
    });
    if (snapshot.errors.length > 0) reporter.warn(`${snapshot.errors.length} AWS call${snapshot.errors.length === 1 ? '' : 's'} failed; the controls that needed them say ERROR`);
    return { snapshot, report };
  };

  const first = await audit();
  let final = first.report;
  let plan: FixPlan | undefined;
  let applied: ApplyResult | undefined;
  const sections: string[] = [];
  const stdout = deps.stdout ?? process.stdout;
  const toTerminal = !options.output && stdout.isTTY === true;
  const render = { color: toTerminal && !('NO_COLOR' in process.env), ...(toTerminal && stdout.columns ? { width: stdout.columns } : {}), ...(options.verbose ? { verbose: true } : {}) };
  if (options.format !== 'json') sections.push(renderAuditTable(first.report, render), renderComplianceSummary(first.report, render));

  if (options.fix) {
    const fixOptions: FixOptions = {
      rules,
      ...(options.namespace ? { namespace: options.namespace } : {}),
      ...(options.topicName ? { topicName: options.topicName } : {}),
      ...(options.topicArn ? { topicArn: options.topicArn } : {}),
      ...(options.email ? { email: options.email } : {}),
      patterns: options.patterns ?? 'cis',
      ...(options.profile ? { profile: options.profile } : {}),
    };
    let snapshot = first.snapshot;
    plan = planFixes(snapshot, first.report, fixOptions);
    // A topic the plan names that no alarm notifies yet (--topic-arn, --topic-name, the default name) was not read
    // with the account: read its subscriptions, so the plan (and --apply) know whether the alarms would reach anyone.
    const planned = plan.topicArn;
    if (planned !== undefined && planned !== TOPIC_ARN_PLACEHOLDER && !snapshot.topics.some((t) => t.arn === planned) && plan.steps.some((s) => s.operation === 'PutMetricAlarm')) {
      const read = await readTopics(clients, [planned], { primaryRegion: region, ...(deps.retry ? { retry: deps.retry } : {}) });
      snapshot = { ...snapshot, topics: [...snapshot.topics, ...read] };
      plan = planFixes(snapshot, first.report, fixOptions);
    }
    const nobody = options.apply ? alarmsReachNobody(plan, snapshot.topics, options.email !== undefined ? { email: options.email } : {}) : undefined;
    if (nobody) throw new UsageError(nobody);
    if (options.format !== 'json') sections.push(`\n${renderFixPlan(plan, { apply: options.apply === true })}`);
    if (options.cloudformation !== undefined) {
      const template = renderTemplate(plan, options.cloudformation.endsWith('.json') ? 'json' : 'yaml');
      // "-": the template alone goes to stdout (so it can be piped), after everything else; the report goes to stderr.
      if (options.cloudformation !== '-') writeOutput('--cloudformation', options.cloudformation, template);
    }
    if (options.apply && plan.steps.length > 0) {
      applied = await applyPlan(plan, clients, deps.retry);
      if (options.format !== 'json') sections.push(`\n${renderApplyResult(applied)}`);
      const second = await audit();
      final = second.report;
      if (options.format !== 'json') {
        sections.push(`\nAfter --apply:\n${renderAuditTable(second.report, render)}${renderComplianceSummary(second.report, render)}`);
        if (plan.steps.some((s) => s.operation === 'Subscribe')) {
          sections.push('Email subscriptions stay pending until the recipient follows the link AWS sends; until then the topic has no confirmed subscription.\n');
        }
      }
    }
  }
  if (options.format === 'json') {
    const document = {
      ...first.report,
      compliance: summarizeCompliance(first.report),
      ...(plan ? { fix: { plan, ...(applied ? { applied, after: { ...final, compliance: summarizeCompliance(final) } } : {}) } } : {}),
    };
    sections.push(`${JSON.stringify(document, null, 2)}\n`);
  }
  const text = sections.join('');
  if (options.output) writeOutput('--output', options.output, text);
  else if (options.cloudformation === '-') (deps.stderr ?? process.stderr).write(text);
  else stdout.write(text);
  if (options.cloudformation === '-' && plan) stdout.write(renderTemplate(plan, 'yaml'));
  summarize(reporter, final, failOn);
  if (applied && !applied.ok) return 1;
  return failingControls(final, failOn).length > 0 ? 1 : 0;
}

function summarize(reporter: Reporter, report: AuditReport, failOn: readonly Verdict[]): void {
  const failing = failingControls(report, failOn);
  reporter.info(`${report.counts.PASS} pass, ${report.counts.FAIL} fail, ${report.counts.ERROR} error${failing.length > 0 ? ` (exit 1: --fail-on ${failOn.join(',')})` : ''}`);
}

function writeOutput(flag: string, file: string, text: string): void {
  try {
    writeFileSync(file, text);
  } catch (error) {
    throw new UsageError(`${flag} ${file}: cannot write: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}
