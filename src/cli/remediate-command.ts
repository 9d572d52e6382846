/**
 * `trailguard remediate`: run the remediation policy on events by hand, approve or reject held plans,
 * read the log, and print the least-privilege IAM policy of the enabled actions.
 *
 *   trailguard remediate --event FILE [--enforce | --as-configured | --offline] [--format text|json]
 *   trailguard remediate approve ID [--by NAME]
 *   trailguard remediate reject ID [--by NAME] [--reason TEXT]
 *   trailguard remediate retry ID [--by NAME]          (a failed plan: an approval id or a failed decision id)
 *   trailguard remediate pending | log [--limit N] [--event-id ID]
 *   trailguard remediate policy [--all] [--accounts ...] [--regions ...]
 *   common: [-c FILE] [--store FILE] [--no-notify] [--notify-timeout 60s]
 *
 * The store is the one notifications use: `--store`, else the config's `store.path` (relative to the
 * config file), else .trailguard/trailguard.db under the working directory. A plain `--event` dry run
 * opens it only when it is configured, already exists or notifications are configured; otherwise it
 * runs in memory and says so (a quick look at a plan leaves no file behind). `--enforce`,
 * `--as-configured` create it when missing; approve, reject, pending and log need it to exist.
 *
 * With a `notifications:` section every decision is also a notice in the store's outbox (written in
 * the same transaction as the log entry) and delivered before the command exits (`--notify-timeout`);
 * delivery failures are printed on stderr and stay in `notify status`; they never change the exit
 * code. `--no-notify` leaves the notices out.
 *
 * `--event` is a dry run unless `--enforce`: the plan (the exact API calls) is printed and nothing is
 * changed. With `--enforce` a person running it is the approval: every configured action acts (its
 * configured mode notwithstanding), still behind the loop guard, scope, allowlists and tags. With
 * `--as-configured` each action runs in its configured mode, as the deployed runner would (so `approve`
 * holds the plan for `remediate approve`).
 * Exit codes: 0 done, 1 a remediation failed, 2 usage or configuration error.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command, Option } from 'commander';
import { decodeRecords } from '../cloudtrail/decode.js';
import { accountIdListProblem, regionListProblem } from '../util/aws-names.js';
import type { LoadedConfig } from '../config/load.js';
import { DEFAULT_CONFIG_FILE } from '../config/load.js';
import { createDetector } from '../detect/detector.js';
import type { RemediationClients } from '../remediate/clients.js';
import type { RemediationConfig } from '../remediate/config.js';
import type { RemediationDecision } from '../remediate/types.js';
import { ApprovalError, RemediationBusyError, RemediationCommitError } from '../remediate/runner.js';
import type { Store } from '../store/types.js';
import type { RemediationSession } from '../app/remediation.js';
import { loadCommandConfig, openCommandStore, storeLocation } from './command-context.js';
import { stderrReporter } from './reporter.js';
import { resolveRuleSet } from './rule-set.js';
import { parseDurationOption } from './time-options.js';
import { UsageError } from './usage-error.js';
import { checkInputPaths, collectValues, splitList } from './options.js';
import { formatRejectLocation } from './scan-summary.js';
import { planInputs } from '../sources/index.js';

type Out = NodeJS.WritableStream & { isTTY?: boolean };

/** What tests (and embedders) can replace. */
export interface RemediateCommandDeps {
  clients?: (options: { profile?: string; config: RemediationConfig }) => RemediationClients;
  stdout?: Out;
  stderr?: NodeJS.WriteStream;
  now?: () => Date;
  cwd?: string;
}

interface CommonOptions {
  config?: string;
  store?: string;
  profile?: string;
  format?: 'text' | 'json';
  /** false with --no-notify. */
  notify?: boolean;
  notifyTimeout?: string;
}

function renderDecision(d: RemediationDecision): string {
  const lines = [d.message];
  const plan = d.plan;
  if (plan && (d.status === 'dry-run' || d.status === 'pending-approval' || d.status === 'executed' || d.status === 'failed')) {
    plan.calls.forEach((call, i) => {
      const outcome = d.outcomes?.[i];
      const status = outcome ? `  [${outcome.status}${outcome.error ? `: ${outcome.error.code}: ${outcome.error.message}` : ''}${outcome.detail ? `: ${outcome.detail}` : ''}]` : '';
      lines.push(`  ${i + 1}. ${call.service} ${call.operation} (${call.account}/${call.region})${status}`);
      lines.push(...JSON.stringify(call.input, null, 2).split('\n').map((l) => `     ${l}`));
    });
    for (const k of plan.kept) lines.push(`  kept: ${k}`);
    for (const n of plan.notes) lines.push(`  note: ${n}`);
  }
  return lines.join('\n');
}

function print(stdout: Out, format: 'text' | 'json' | undefined, decisions: RemediationDecision[], extra: Record<string, unknown> = {}): void {
  if (format === 'json') stdout.write(`${JSON.stringify({ decisions, ...extra }, null, 2)}\n`);
  else for (const d of decisions) stdout.write(`${renderDecision(d)}\n\n`);
}


/**
 * -c, --store, --profile, --format, --no-notify and --notify-timeout are the `remediate` command's and apply to its subcommands too
 * (`remediate approve ID --store x` or `remediate --store x approve ID`): subcommands read them with
 * optsWithGlobals().
 */
function global<T extends object>(command: Command): CommonOptions & T {
  return command.optsWithGlobals() as CommonOptions & T;
}

export function remediateCommand(deps: RemediateCommandDeps = {}): Command {
  const stdout = () => deps.stdout ?? process.stdout;
  const stderr = () => deps.stderr ?? process.stderr;
  const now = deps.now ?? (() => new Date());
  const cwd = () => deps.cwd ?? process.cwd();
  // The AWS SDK (clients) and the action implementations load when a subcommand runs, not with every trailguard command.
  const makeClients = async (profile: string | undefined, config: RemediationConfig): Promise<RemediationClients> => {
    if (deps.clients) return deps.clients({ ...(profile ? { profile } : {}), config });
    const { remediationClients } = await import('../app/remediation-clients.js');
    return remediationClients(config, profile ? { profile } : {});
  };
  /**
   * The config, the store with the remediation log, approvals and claims, and the remediation session
   * (with the notifier its decisions' notices go through, when notifications are configured and not
   * --no-notify).
   *   preview: a dry run — the store when it is configured or exists (else in memory);
   *   write:   creates the store when missing;
   *   existing: approve / reject / pending / log — the store must exist.
   */
  const setup = async (options: CommonOptions, use: 'preview' | 'write' | 'existing', what = 'this') => {
    const loaded: LoadedConfig = loadCommandConfig(options, cwd());
    const remediation = loaded.config.remediation ?? {};
    const notifications = options.notify !== false ? loaded.config.notifications : undefined;
    const timeout = parseDurationOption('--notify-timeout', options.notifyTimeout ?? '60s');
    const { store, persistent } = await openCommandStore(loaded, options, use === 'preview' ? (notifications ? 'create' : 'memory') : use === 'write' ? 'create' : 'existing', cwd(), what);
    const warn = stderrReporter(stderr());
    const { openNotifications } = notifications ? await import('../app/notifications.js') : { openNotifications: undefined };
    const { reporterLogger } = await import('./notify-run.js');
    const notifier =
      notifications && openNotifications
        ? openNotifications({
            notifications,
            store,
            log: reporterLogger(warn, false),
            stdout: stderr(),
            ...(loaded.config.store?.retainDeliveredDays !== undefined ? { retainDeliveredDays: loaded.config.store.retainDeliveredDays } : {}),
          })
        : undefined;
    const { openRemediation } = await import('../app/remediation.js');
    const session = (clients: RemediationClients, extra: { modeOverride?: 'dry-run' | 'enforce'; lookups?: boolean } = {}): RemediationSession =>
      openRemediation({ remediation, store, clients, now, ...(notifier ? { notifier } : {}), ...extra });
    let opened: RemediationSession | undefined;
    /** Delivers the decisions' notices (failures on stderr, never changing the exit code) and closes the store. */
    const finish = async (): Promise<void> => {
      try {
        const ids = opened?.notices?.outboxIds ?? [];
        if (notifier && ids.length > 0) {
          const { deliverRemediationNotices } = await import('../app/notifications.js');
          const { stopOnSignals } = await import('./notify-run.js');
          const unsubscribe = stopOnSignals(notifier, warn);
          try {
            const outcome = await deliverRemediationNotices(notifier, store, ids, Date.now() + timeout);
            for (const f of outcome.failed) {
              warn.warn(`remediation notice ${f.outboxId} (${f.status ?? 'decision'} ${f.decisionId ?? ''}) to ${f.channel} failed: ${f.error} — re-drive with: trailguard notify retry --id ${f.outboxId}`);
            }
            const summary = `Remediation notices: ${outcome.delivered} delivered, ${outcome.failed.length} failed${outcome.pending ? `, ${outcome.pending} still pending (trailguard notify run delivers them)` : ''}`;
            if (outcome.failed.length || outcome.pending) warn.warn(summary);
            else warn.info(summary);
          } finally {
            unsubscribe();
          }
        }
      } finally {
        await notifier?.close();
        await store.close();
      }
    };
    const abort = async (): Promise<void> => {
      await notifier?.close();
      await store.close();
    };
    return {
      loaded,
      remediation,
      persistent,
      store: store as Store,
      /** The runner for this invocation (one per command run). */
      open(clients: RemediationClients, extra: { modeOverride?: 'dry-run' | 'enforce'; lookups?: boolean } = {}) {
        opened = session(clients, extra);
        return opened.runner;
      },
      /**
       * Runs a (sub)command's work on the store: when it throws, closes without delivering anything and
       * rethrows (an approval that cannot be decided is a usage error; a decision the store could not keep
       * fails the command); otherwise delivers the decisions' notices and closes.
       */
      async run(work: () => Promise<void>): Promise<void> {
        try {
          await work();
        } catch (error) {
          await abort();
          if (error instanceof ApprovalError || error instanceof RemediationBusyError) throw new UsageError(error.message, { cause: error });
          if (error instanceof RemediationCommitError) throw new UsageError(`store ${store.location}: ${error.message}`, { cause: error });
          throw error;
        }
        await finish();
      },
    };
  };

  const command = new Command('remediate')
    .description('run the remediation policy on CloudTrail events (a dry run unless --enforce), approve held plans, read the log, print the IAM policy')
    .option('--event <file>', 'CloudTrail event file (any envelope trailguard scan reads; - for stdin)')
    .option('--enforce', 'make the calls (a person running this is the approval); without it, only the plan is printed')
    .option('--as-configured', 'apply each action\'s configured mode (dry-run / approve / enforce) as the deployed runner would, instead of a dry run')
    .option('--offline', 'make no AWS call at all, not even read-only lookups (current rules, tags, key state)')
    .option('--profile <name>', 'AWS profile of the shared config/credentials files')
    .option('-c, --config <file>', `config file (default: ./${DEFAULT_CONFIG_FILE} if present); its remediation section is the policy`)
    .option('--store <file>', 'the store (remediation log, approvals, notification outbox; default: the config\'s store.path, else .trailguard/trailguard.db)')
    .option('--no-notify', 'do not send the decisions to the notification channels (they are still logged)')
    .option('--notify-timeout <duration>', 'stop delivering the decisions\' notifications after this long; the rest stays pending for `notify run` (default 60s)')
    .option('--rules <path>', 'extra rule file or directory, repeatable', collectValues)
    .option('--no-builtin', 'leave out the built-in rule catalog')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (options: CommonOptions & { event?: string; enforce?: boolean; asConfigured?: boolean; offline?: boolean; rules?: string[]; builtin?: boolean }) => {
      if (options.event === undefined) throw new UsageError('give --event FILE (or a subcommand: approve, reject, retry, pending, log, policy)');
      if (options.enforce && options.offline) throw new UsageError('--enforce and --offline exclude each other');
      if (options.enforce && options.asConfigured) throw new UsageError('--enforce and --as-configured exclude each other');
      if (options.asConfigured && options.offline) throw new UsageError('--as-configured and --offline exclude each other');
      const warn = stderrReporter(stderr());
      const inputs = await readEventInputs(options.event, cwd(), warn);
      const ctx = await setup(options, options.enforce || options.asConfigured ? 'write' : 'preview');
      const { loaded } = ctx;
      // Delivery failures are reported on stderr and kept in the outbox; the exit code is the remediation's.
      await ctx.run(async () => {
        if (!ctx.persistent) warn.warn(`no store (none at ${storeLocation(loaded.config, options, cwd())}, no --store or store.path): decisions are printed but not kept`);
        const records = inputs.flatMap(({ source, bytes }) => {
          const decoded = decodeRecords(bytes, { source });
          for (const reject of decoded.rejects) warn.warn(`${source}: ${reject.reason}`);
          return decoded.records;
        });
        if (records.length === 0) throw new UsageError(`--event ${options.event}: no CloudTrail record in it`);
        const { rules } = resolveRuleSet({ ...(options.rules ? { rules: options.rules } : {}), noBuiltin: options.builtin === false }, loaded.config, warn);
        const detector = createDetector(rules);
        const runner = ctx.open(options.offline ? offlineClients() : await makeClients(options.profile, ctx.remediation), {
          lookups: options.offline !== true,
          ...(options.asConfigured ? {} : { modeOverride: options.enforce ? ('enforce' as const) : ('dry-run' as const) }),
        });
        const decisions: RemediationDecision[] = [];
        const unmatched: string[] = [];
        for (const { record } of records) {
          const findings = detector.evaluate(record);
          const configured = findings.filter((f) => (ctx.remediation.rules ?? {})[f.ruleId] !== undefined);
          if (configured.length === 0) {
            unmatched.push(`${record.eventName} ${record.eventID ?? ''}: ${findings.length === 0 ? 'no rule matched' : `no remediation configured for ${findings.map((f) => f.ruleId).join(', ')}`}`);
          }
          for (const f of configured) decisions.push(...(await runner.handleFinding(f)));
        }
        for (const u of unmatched) warn.info(`nothing to remediate: ${u}`);
        for (const p of runner.problems) warn.warn(p);
        print(stdout(), options.format, decisions, { unmatched });
        process.exitCode = decisions.some((d) => d.status === 'failed') ? 1 : 0;
      });
    });


  command.addCommand(
    new Command('approve')
      .description('approve a held plan and make its calls now (or hand it to the deployed remediate function: remediation.approvals.queueUrl / --via-queue)')
      .argument('<id>', 'approval id (from the APPROVAL NEEDED message or `remediate pending`)')
      .option('--by <name>', 'who approves (default: $USER)')
      .option('--via-queue <url>', 'hand the approval to the deployed remediate function through its queue, so the plan runs with its role (default: remediation.approvals.queueUrl)')
      .option('--local', 'make the calls here with your own credentials even when the config names the queue')
      .action(async (id: string, _local: unknown, self: Command) => {
        const options = global<{ by?: string; viaQueue?: string; local?: boolean }>(self);
        const by = options.by ?? process.env.USER ?? 'unknown';
        const ctx = await setup(options, 'existing', 'approve');
        const queueUrl = options.local ? undefined : (options.viaQueue ?? ctx.remediation.approvals?.queueUrl);
        await ctx.run(async () => {
          if (queueUrl !== undefined) {
            // Checked here first, so a mistake is said now rather than in the function's log.
            const approval = await ctx.store.remediation.getApproval(id);
            if (!approval) throw new UsageError(`no approval ${id} in ${ctx.store.location}`);
            if (approval.status !== 'pending') {
              const again = approval.status === 'approved' ? `; if its run failed, run it again with \`trailguard remediate retry ${id}\`` : '';
              throw new UsageError(`approval ${id} is ${approval.status}${approval.decidedBy ? ` (by ${approval.decidedBy} at ${approval.decidedAt})` : ''}${again}`);
            }
            const { handApprovalToQueue } = await import('../app/remediation-queue.js');
            const messageId = await handApprovalToQueue(queueUrl, { approvalId: id, by }, options.profile);
            stdout().write(`approval ${id} handed to the deployed remediate function (message ${messageId}): it runs the plan with its own role and notifies the decision; see it with trailguard remediate log\n`);
            return;
          }
          const runner = ctx.open(await makeClients(options.profile, ctx.remediation));
          const decision = await runner.approve(id, by);
          for (const p of runner.problems) stderrReporter(stderr()).warn(p);
          print(stdout(), options.format, [decision]);
          process.exitCode = decision.status === 'executed' ? 0 : 1;
        });
      }),
  );

  command.addCommand(
    new Command('retry')
      .description('run a failed plan again, exactly, as a new decision: an approved plan whose run failed (or was never recorded), or a failed decision')
      .argument('<id>', 'approval id (approved, its run failed) or decision id (failed; see `remediate log`)')
      .option('--by <name>', 'who retries (default: $USER)')
      .action(async (id: string, _local: unknown, self: Command) => {
        const options = global<{ by?: string }>(self);
        const by = options.by ?? process.env.USER ?? 'unknown';
        const ctx = await setup(options, 'existing', 'retry');
        await ctx.run(async () => {
          // The plan runs here, with your credentials (--profile), like `approve --local`.
          const runner = ctx.open(await makeClients(options.profile, ctx.remediation));
          const decision = await runner.retry(id, by);
          for (const p of runner.problems) stderrReporter(stderr()).warn(p);
          print(stdout(), options.format, [decision]);
          process.exitCode = decision.status === 'executed' ? 0 : 1;
        });
      }),
  );

  command.addCommand(
    new Command('reject')
      .description('reject a held plan: nothing is done, and the decision is logged')
      .argument('<id>', 'approval id')
      .option('--by <name>', 'who rejects (default: $USER)')
      .option('--reason <text>', 'why')
      .action(async (id: string, _local: unknown, self: Command) => {
        const options = global<{ by?: string; reason?: string }>(self);
        const ctx = await setup(options, 'existing', 'reject');
        await ctx.run(async () => {
          const runner = ctx.open(offlineClients());
          print(stdout(), options.format, [await runner.reject(id, options.by ?? process.env.USER ?? 'unknown', options.reason)]);
          for (const p of runner.problems) stderrReporter(stderr()).warn(p);
        });
      }),
  );

  command.addCommand(
    new Command('pending')
      .description('list the plans waiting for approval (expired ones are marked and logged)')
      .action(async (_local: unknown, self: Command) => {
        const options = global<object>(self);
        const ctx = await setup(options, 'existing', 'pending');
        await ctx.run(async () => {
          const runner = ctx.open(offlineClients());
          await runner.expireApprovals();
          for (const p of runner.problems) stderrReporter(stderr()).warn(p);
          const pending = await ctx.store.remediation.pendingApprovals(now());
          if (options.format === 'json') stdout().write(`${JSON.stringify({ pending }, null, 2)}\n`);
          else if (pending.length === 0) stdout().write('no plan is waiting for approval\n');
          else for (const a of pending) stdout().write(`${a.id}  expires ${a.expiresAt}  ${a.actionId}: ${a.summary}\n`);
        });
      }),
  );

  command.addCommand(
    new Command('log')
      .description('the remediation log, newest first')
      .option('--limit <n>', 'how many decisions (default 50)')
      .option('--event-id <id>', 'only decisions about this CloudTrail event')
      .action(async (_local: unknown, self: Command) => {
        const options = global<{ limit?: string; eventId?: string }>(self);
        const limit = Number(options.limit ?? '50');
        if (!Number.isInteger(limit) || limit <= 0) throw new UsageError(`--limit ${options.limit}: expected a positive integer`);
        // Reading the log sends nothing.
        const ctx = await setup({ ...options, notify: false }, 'existing', 'log');
        await ctx.run(async () => {
          const decisions = await ctx.store.remediation.listDecisions({ limit, ...(options.eventId ? { eventId: options.eventId } : {}) });
          if (options.format === 'json') stdout().write(`${JSON.stringify({ decisions }, null, 2)}\n`);
          else for (const d of decisions) stdout().write(`${d.createdAt}  ${d.status.padEnd(16)} ${d.message}\n`);
        });
      }),
  );

  command.addCommand(
    new Command('policy')
      .description('the least-privilege IAM policy (JSON) for the actions the config enables')
      .option('--all', 'for every action, enabled or not')
      .option('--accounts <ids>', 'scope resources to these accounts (default: remediation.scope.accounts, else *)', splitList)
      .option('--regions <regions>', 'scope resources to these regions (default: remediation.scope.regions, else *)', splitList)
      .action(async (_local: unknown, self: Command) => {
        const options = global<{ all?: boolean; accounts?: string[]; regions?: string[] }>(self);
        const { allActions, buildIamPolicy, enabledActions } = await import('../remediate/iam-policy.js');
        const remediation = loadCommandConfig(options, cwd()).config.remediation ?? {};
        const actions = options.all ? allActions() : enabledActions(remediation);
        if (actions.length === 0) throw new UsageError('no remediation action is configured (remediation.rules): nothing needs permissions; use --all for every action');
        const problem = accountIdListProblem('--accounts', options.accounts) ?? regionListProblem('--regions', options.regions);
        if (problem) throw new UsageError(problem);
        const accounts = options.accounts ?? remediation.scope?.accounts;
        const regions = options.regions ?? remediation.scope?.regions;
        stdout().write(`${JSON.stringify(buildIamPolicy(actions, { ...(accounts ? { accounts } : {}), ...(regions ? { regions } : {}) }), null, 2)}\n`);
      }),
  );
  return command;
}

/**
 * The bytes behind `--event`: a file, stdin (`-`), or a directory read as scan reads one (recursively, in a fixed
 * order); a file that cannot be read is said on stderr and the others go on.
 */
async function readEventInputs(event: string, workDir: string, warn: ReturnType<typeof stderrReporter>): Promise<{ source: string; bytes: Buffer }[]> {
  if (event === '-') return [{ source: '-', bytes: readFileSync(0) }];
  const target = path.resolve(workDir, event);
  checkInputPaths([target], '--event');
  const plan = await planInputs([target]);
  const inputs: { source: string; bytes: Buffer }[] = [];
  for (const entry of plan.entries) {
    if (entry.kind === 'error') {
      if (entry.error) warn.warn(`${formatRejectLocation(entry.error)}: ${entry.error.reason}`);
      continue;
    }
    try {
      inputs.push({ source: entry.path, bytes: readFileSync(entry.path) });
    } catch (error) {
      warn.warn(`${entry.path}: ${(error as Error).message}`);
    }
  }
  if (inputs.length === 0) throw new UsageError(`--event ${event}: no file to read`);
  return inputs;
}

/** Clients for --offline and for commands that make no AWS call: any call is refused. */
function offlineClients(): RemediationClients {
  const clients: RemediationClients = {
    send: (call) => Promise.reject(Object.assign(new Error(`offline: ${call.service}:${call.operation} not called`), { name: 'Offline' })),
    forAccount: () => clients,
  };
  return clients;
}
