/**
 * The runner: finding → policy → plan → dry-run / approve / enforce → log + report.
 *
 * For every finding and every action configured for its rule, exactly one decision is logged and
 * reported, whatever happens: executed, failed (with the error), dry-run, pending approval, or
 * skipped with the reason. Nothing here throws on odd input: a malformed record, an action that
 * throws, a failing lookup, a failing log write or reporter all end in a decision (or, for the log
 * and reporter themselves, in `problems`).
 *
 * Order of the guards (the first that applies decides): the call failed (nothing to undo) → the
 * event is trailguard's own (loop guard) → the action does not undo this event → the action already
 * acted on this event id → account/region scope → allowlisted principal → the action's plan (which
 * judges the allowlists, and may find nothing to undo or that it is undone already) → resource tags.
 */
import { randomUUID } from 'node:crypto';
import { actorOf } from '../cloudtrail/actor.js';
import type { CloudTrailRecord } from '../cloudtrail/types.js';
import type { Finding } from '../findings/types.js';
import { getAction } from './actions/index.js';
import type { ApprovalStore, PendingApproval } from './approvals.js';
import type { RemediationClients } from './clients.js';
import { actionEntriesFor, DEFAULT_APPROVAL_EXPIRY, DEFAULT_IDENTITY, durationMs, type ActionEntry, type RemediationConfig } from './config.js';
import { errorCodeOf, errorMessageOf } from './execute.js';
import type { RemediationLog } from './log.js';
import { describeIdentity, ownIdentity } from './loop-guard.js';
import { allowlistedPrincipal, hasTagRules, judgeAccountRegion, judgeTags, tagRules } from './policy.js';
import { decisionMessage, type RemediationReporter } from './reporter.js';
import { decisionFindingOf, type CallOutcome, type RemediationAction, type RemediationDecision, type RemediationInput, type RemediationMode, type RemediationPlan, type SkipReason } from './types.js';

export interface RunnerOptions {
  config: RemediationConfig;
  clients: RemediationClients;
  log?: RemediationLog;
  approvals?: ApprovalStore;
  reporter?: RemediationReporter;
  now?: () => Date;
  /** Read-only lookups while planning (default true). */
  lookups?: boolean;
  /** Replaces every configured mode (the CLI: dry-run, or enforce with --enforce). */
  modeOverride?: RemediationMode;
  newId?: () => string;
  /**
   * The store's write transaction (`store.transaction`), when the log, the approvals and the
   * reporter's `record` share one store: a decision, its approval and its notices are then committed
   * together or not at all.
   */
  transaction?: <T>(fn: () => T) => T;
}

export interface RemediationRunner {
  /** Decisions for one finding: one per action configured for its rule (none when none is). */
  handleFinding(finding: Finding): Promise<RemediationDecision[]>;
  /** Runs one configured action on a bare record (no finding): `trailguard remediate` on an event no rule matched, tests. */
  handleRecord(record: CloudTrailRecord, entry: ActionEntry, ruleId?: string): Promise<RemediationDecision>;
  /** Executes a pending approval's plan exactly; the decision (executed / failed / skipped: expired) is logged and reported. */
  approve(approvalId: string, by: string): Promise<RemediationDecision>;
  reject(approvalId: string, by: string, note?: string): Promise<RemediationDecision>;
  /** Marks overdue approvals expired and logs a decision for each. */
  expireApprovals(): Promise<RemediationDecision[]>;
  /** Log or reporter failures (the decisions themselves are still returned). */
  readonly problems: string[];
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** Never throws: what a record says about where and by whom, with '' for what it does not say. */
function inputOf(record: CloudTrailRecord, finding: Finding | undefined, ruleId: string | undefined): RemediationInput {
  const rec = (record && typeof record === 'object' ? record : {}) as CloudTrailRecord;
  const ui = rec.userIdentity && typeof rec.userIdentity === 'object' ? rec.userIdentity : undefined;
  const input: RemediationInput = {
    record: rec,
    account: finding?.account || str(rec.recipientAccountId) || str(ui?.accountId),
    region: finding?.region || str(rec.awsRegion),
    actor: finding?.actor ?? actorOf(rec),
    eventId: finding?.eventId ?? str(rec.eventID),
  };
  if (finding) input.finding = finding;
  if (ruleId !== undefined) input.ruleId = ruleId;
  return input;
}

/** Calls that ended as the plan wanted: done now or already. */
function allDone(outcomes: readonly CallOutcome[]): boolean {
  return outcomes.every((o) => o.status === 'succeeded' || o.status === 'already-done');
}

export function createRemediationRunner(options: RunnerOptions): RemediationRunner {
  const { config } = options;
  const now = options.now ?? (() => new Date());
  const newId = options.newId ?? (() => randomUUID());
  const identity = [...(config.identity ?? DEFAULT_IDENTITY), ...(config.assumeRole ? [{ role: config.assumeRole.roleName }] : [])];
  const expiryMs = durationMs(config.approvals?.expiresAfter ?? DEFAULT_APPROVAL_EXPIRY);
  const problems: string[] = [];

  /**
   * Logs the decision and hands it to the reporter's durable `record`, in one transaction when the
   * runner has one. `before` (creating an approval) runs first in the same transaction; if it throws,
   * nothing is written and the error reaches the caller.
   */
  const write = (decision: RemediationDecision, before?: () => void): void => {
    const run = (): void => {
      before?.();
      try {
        options.log?.record(decision);
      } catch (error) {
        problems.push(`remediation log: ${errorMessageOf(error)}`);
      }
      if (options.reporter?.record) {
        try {
          options.reporter.record(decision);
        } catch (error) {
          problems.push(`reporter: ${errorMessageOf(error)}`);
        }
      }
    };
    if (!options.transaction) return run();
    if (before) return options.transaction(run);
    try {
      options.transaction(run);
    } catch (error) {
      // The store could not begin or commit (busy, read-only): everything was rolled back; try each write on its own.
      problems.push(`store transaction: ${errorMessageOf(error)}`);
      run();
    }
  };

  const finish = async (partial: Omit<RemediationDecision, 'message' | 'id' | 'createdAt'> & { id?: string }, before?: () => void): Promise<RemediationDecision> => {
    const base = { ...partial, id: partial.id ?? newId(), createdAt: now().toISOString() };
    const decision: RemediationDecision = { ...base, message: decisionMessage(base) };
    write(decision, before);
    try {
      await options.reporter?.report(decision);
    } catch (error) {
      problems.push(`reporter: ${errorMessageOf(error)}`);
    }
    return decision;
  };

  const decide = async (input: RemediationInput, entry: ActionEntry, ruleId: string | undefined): Promise<RemediationDecision> => {
    const mode: RemediationMode = options.modeOverride ?? entry.mode ?? config.mode ?? 'dry-run';
    const { record } = input;
    const common = {
      mode,
      actionId: entry.action,
      ...(ruleId !== undefined ? { ruleId } : {}),
      ...(input.finding ? { findingId: input.finding.id } : {}),
      eventId: input.eventId,
      eventName: str(record.eventName),
      eventSource: str(record.eventSource),
      eventTime: str(record.eventTime),
      account: input.account,
      region: input.region,
      actor: input.actor.arn ?? input.actor.name,
      ...(input.finding ? { finding: decisionFindingOf(input.finding) } : {}),
    };
    const skip = (reason: SkipReason, detail: string, plan?: RemediationPlan) => finish({ ...common, status: 'skipped', reason, detail, ...(plan ? { plan } : {}) });
    try {
      const action: RemediationAction | undefined = getAction(entry.action);
      if (!action) return await skip('unsupported', `no action ${entry.action}`);
      if (record.errorCode !== undefined && record.errorCode !== null) {
        return await skip('event-failed', `the call failed (${String(record.errorCode)}): it changed nothing to undo`);
      }
      const own = ownIdentity(input.actor, identity);
      if (own) return await skip('loop-guard', `the event was made by trailguard's own identity (${describeIdentity(own)})`);
      const key = `${common.eventSource}:${common.eventName}`;
      if (action.triggers.events.length > 0 && !action.triggers.events.includes(key)) {
        return await skip('not-applicable', `${action.id} undoes ${action.triggers.events.map((e) => e.split(':')[1]).join(', ')}, not ${key}`);
      }
      let earlier: RemediationDecision | undefined;
      try {
        earlier = options.log?.hasActed(input.eventId, action.id);
      } catch (error) {
        // The actions are idempotent (an undone change counts as done): go on, and say the check could not be made.
        problems.push(`remediation log: duplicate check failed: ${errorMessageOf(error)}`);
      }
      if (earlier) return await skip('duplicate-event', `${action.id} already handled event ${input.eventId} (${earlier.status} ${earlier.createdAt}, decision ${earlier.id})`);
      const scope = judgeAccountRegion(config, entry, input.account, input.region);
      if (!scope.inScope) return await skip('out-of-scope', scope.detail ?? 'out of scope');
      const allowed = allowlistedPrincipal(config, entry, input.actor);
      if (allowed) return await skip('allowlisted-principal', `${common.actor} is allowlisted (${allowed})`);

      const lookups = options.lookups ?? true;
      const clients = options.clients.forAccount(input.account);
      let optionsParsed: Record<string, unknown> = entry.options ?? {};
      if (action.optionsSchema) optionsParsed = action.optionsSchema.parse(entry.options ?? {});
      const result = await action.plan(input, {
        clients,
        options: optionsParsed,
        securityGroups: config.securityGroups ?? {},
        lookups,
        mode,
        now: now(),
      });
      if (result.kind === 'skip') return await finish({ ...common, status: 'skipped', reason: result.reason, detail: [result.detail, ...(result.notes ?? [])].join('; ') });
      const plan = result.plan;

      const rules = tagRules(config, entry);
      if (hasTagRules(rules) && action.readTags) {
        for (const resource of plan.resources) {
          if (!lookups) {
            plan.notes.push(`offline: tags of ${resource.id} not read (scope by tag not applied)`);
            continue;
          }
          let tags: Record<string, string>;
          try {
            tags = await action.readTags(resource, clients.forAccount(resource.account));
          } catch (error) {
            const why = `could not read the tags of ${resource.id} (${errorCodeOf(error)}: ${errorMessageOf(error)})`;
            if (mode === 'dry-run') {
              plan.notes.push(`${why}: scope by tag not applied`);
              continue;
            }
            return await finish({ ...common, status: 'failed', plan, error: `${why}: not acting without knowing whether it is excluded` });
          }
          const verdict = judgeTags(rules, tags, resource.id);
          if (verdict) return await skip(verdict.reason, verdict.detail, plan);
        }
      } else if (hasTagRules(rules) && plan.resources.length > 0) {
        plan.notes.push(`${action.id} has no tags to read for ${plan.resources.map((r) => r.type).join(', ')}: scope by tag not applied`);
      }

      if (mode === 'dry-run') return await finish({ ...common, status: 'dry-run', plan });
      if (mode === 'approve') {
        if (!options.approvals) return await finish({ ...common, status: 'failed', plan, error: 'mode approve needs the store for pending approvals, and none is configured' });
        const id = newId();
        const approvalId = newId();
        const created = now();
        const expiresAt = new Date(created.getTime() + expiryMs).toISOString();
        const partial = { ...common, id, status: 'pending-approval' as const, plan, approvalId, expiresAt, detail: `expires ${expiresAt}` };
        const approvals = options.approvals;
        // The approval, its decision in the log and its notices: one transaction.
        return await finish(partial, () =>
          approvals.create({
            id: approvalId,
            decisionId: id,
            createdAt: created.toISOString(),
            expiresAt,
            actionId: action.id,
            eventId: input.eventId,
            summary: plan.effect.todo,
            plan,
            decision: { ...partial, createdAt: created.toISOString(), message: decisionMessage({ ...partial, createdAt: created.toISOString() }) },
          }),
        );
      }
      const outcomes = await action.execute(plan, options.clients);
      const failed = outcomes.filter((o) => o.status === 'failed');
      if (failed.length > 0 || !allDone(outcomes)) {
        return await finish({ ...common, status: 'failed', plan, outcomes, error: failed.map((o) => `${o.call.operation}: ${o.error?.code ?? 'Error'}: ${o.error?.message ?? ''}`).join('; ') });
      }
      return await finish({ ...common, status: 'executed', plan, outcomes });
    } catch (error) {
      return finish({ ...common, status: 'failed', error: `internal error in ${entry.action}: ${errorCodeOf(error)}: ${errorMessageOf(error)}` });
    }
  };

  const fromApproval = (approval: PendingApproval) => {
    const d = approval.decision;
    return {
      mode: 'approve' as const,
      actionId: approval.actionId,
      ...(d.ruleId !== undefined ? { ruleId: d.ruleId } : {}),
      ...(d.findingId !== undefined ? { findingId: d.findingId } : {}),
      eventId: d.eventId,
      eventName: d.eventName,
      eventSource: d.eventSource,
      eventTime: d.eventTime,
      account: d.account,
      region: d.region,
      actor: d.actor,
      approvalId: approval.id,
      plan: approval.plan,
      ...(d.finding ? { finding: d.finding } : {}),
    };
  };

  return {
    problems,
    async handleFinding(finding) {
      const entries = (() => {
        try {
          return actionEntriesFor(config, finding.ruleId);
        } catch {
          return [];
        }
      })();
      const out: RemediationDecision[] = [];
      for (const entry of entries) out.push(await decide(inputOf(finding.record, finding, finding.ruleId), entry, finding.ruleId));
      return out;
    },
    handleRecord(record, entry, ruleId) {
      return decide(inputOf(record, undefined, ruleId), entry, ruleId);
    },
    async approve(approvalId, by) {
      const store = options.approvals;
      if (!store) throw new Error('no approval store');
      const approval = store.get(approvalId);
      if (!approval) throw new Error(`no approval ${approvalId}`);
      const at = now();
      if (approval.status !== 'pending') throw new Error(`approval ${approvalId} is ${approval.status}${approval.decidedBy ? ` (by ${approval.decidedBy} at ${approval.decidedAt})` : ''}`);
      if (approval.expiresAt <= at.toISOString()) {
        store.expire(at);
        return finish({ ...fromApproval(approval), status: 'skipped', reason: 'approval-expired', detail: `approval ${approvalId} expired at ${approval.expiresAt}; approved too late by ${by}` });
      }
      if (!store.decide(approvalId, 'approved', by, at)) throw new Error(`approval ${approvalId} was decided by someone else just now`);
      const action = getAction(approval.actionId);
      if (!action) return finish({ ...fromApproval(approval), status: 'failed', error: `no action ${approval.actionId}` });
      try {
        const outcomes = await action.execute(approval.plan, options.clients);
        const failed = outcomes.filter((o) => o.status === 'failed');
        const base = { ...fromApproval(approval), outcomes, detail: `approved by ${by}` };
        if (failed.length > 0 || !allDone(outcomes)) return finish({ ...base, status: 'failed', error: failed.map((o) => `${o.call.operation}: ${o.error?.code ?? 'Error'}: ${o.error?.message ?? ''}`).join('; ') });
        return finish({ ...base, status: 'executed' });
      } catch (error) {
        return finish({ ...fromApproval(approval), status: 'failed', error: `internal error: ${errorMessageOf(error)}` });
      }
    },
    async reject(approvalId, by, note) {
      const store = options.approvals;
      if (!store) throw new Error('no approval store');
      const approval = store.get(approvalId);
      if (!approval) throw new Error(`no approval ${approvalId}`);
      if (!store.decide(approvalId, 'rejected', by, now(), note)) throw new Error(`approval ${approvalId} is not pending (${store.get(approvalId)?.status ?? 'gone'})`);
      return finish({ ...fromApproval(approval), status: 'skipped', reason: 'approval-rejected', detail: `rejected by ${by}${note ? `: ${note}` : ''}` });
    },
    async expireApprovals() {
      if (!options.approvals) return [];
      const out: RemediationDecision[] = [];
      for (const approval of options.approvals.expire(now())) {
        out.push(await finish({ ...fromApproval(approval), status: 'skipped', reason: 'approval-expired', detail: `approval ${approval.id} expired at ${approval.expiresAt} without a decision` }));
      }
      return out;
    },
  };
}
