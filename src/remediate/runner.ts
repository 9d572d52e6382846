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
import type { NewRemediationNotice, OutboxRow, PendingApproval, RemediationStore } from '../store/types.js';
import { defaultOwner } from '../store/location.js';
import { TrailguardError } from '../util/errors.js';
import type { RemediationClients } from './clients.js';
import type { ActionEntry, RemediationConfig } from './config.js';
import { actionEntriesFor, DEFAULT_APPROVAL_EXPIRY, DEFAULT_IDENTITY, durationMs } from './settings.js';
import { errorCodeOf, errorMessageOf } from './execute.js';
import { describeIdentity, ownIdentity } from './loop-guard.js';
import { allowlistedPrincipal, hasTagRules, judgeAccountRegion, judgeTags, tagRules } from './policy.js';
import { decisionMessage, type RemediationReporter } from './reporter.js';
import { decisionFindingOf, type CallOutcome, type RemediationAction, type RemediationDecision, type RemediationInput, type RemediationMode, type RemediationPlan, type SkipReason } from './types.js';

/**
 * Where a decision's notices come from (src/notify/remediation.ts): asked for them before the commit, told
 * what the store kept after it.
 */
export interface RemediationNoticeSource {
  notices(decision: RemediationDecision): readonly NewRemediationNotice[];
  committed(decision: RemediationDecision, rows: ReadonlyArray<{ row: OutboxRow; created: boolean }>): void;
}

/** The store could not keep a decision: nothing of it was written (the caller must not treat the event as handled). */
export class RemediationCommitError extends TrailguardError {
  override readonly name = 'RemediationCommitError';
  constructor(decision: RemediationDecision, cause: unknown) {
    super(`could not record remediation decision ${decision.id} (${decision.status} ${decision.actionId} on event ${decision.eventId || 'without id'}): ${errorMessageOf(cause)}`, { code: 'remediation-commit', cause });
  }
}

/** Another runner holds the (event, action) claim and has not decided yet: try again later (its lease bounds the wait). */
export class RemediationBusyError extends TrailguardError {
  override readonly name = 'RemediationBusyError';
  constructor(actionId: string, eventId: string, holder: { owner: string; since: number }) {
    super(`${actionId} on event ${eventId} is being decided by ${holder.owner} since ${new Date(holder.since).toISOString()}: try again once it is done (or its lease has run out)`, { code: 'remediation-busy' });
  }
}

/**
 * Approving, rejecting or retrying a plan that cannot be: unknown, already decided, not failed, nothing to
 * re-run, already remediated, no store. An answer for the person asking, not a failure of the runner.
 */
export class ApprovalError extends TrailguardError {
  override readonly name = 'ApprovalError';
  constructor(message: string, code: 'approval-unknown' | 'approval-decided' | 'approval-no-store' | 'retry-refused') {
    super(message, { code });
  }
}

/** A claim in progress whose runner died is taken over after this long (the longest a Lambda invocation lives). */
export const DEFAULT_CLAIM_LEASE_MS = 15 * 60_000;

export interface RunnerOptions {
  config: RemediationConfig;
  clients: RemediationClients;
  /**
   * The remediation log, approvals and (event, action) claims. Without one nothing is kept: decisions are
   * only returned and reported, and mode approve fails (there is nowhere to hold the plan).
   */
  store?: RemediationStore;
  /** Notices committed with each decision (src/notify/remediation.ts). */
  notices?: RemediationNoticeSource;
  reporter?: RemediationReporter;
  now?: () => Date;
  /** Read-only lookups while planning (default true). */
  lookups?: boolean;
  /** Replaces every configured mode (the CLI: dry-run, or enforce with --enforce). */
  modeOverride?: RemediationMode;
  newId?: () => string;
  /**
   * Claims (RemediationStore.claim) keep two runners from handling one event at once. They are taken for
   * every decision that may act (approve, enforce); `dryRuns` takes them for dry runs too, so a redelivered
   * event is not previewed and notified twice (the deployed functions); without it a dry run can be repeated
   * at will (the CLI), and only a decision that acted stops it.
   */
  claims?: { owner?: string; leaseMs?: number; dryRuns?: boolean };
}

export interface RemediationRunner {
  /** Decisions for one finding: one per action configured for its rule (none when none is). */
  handleFinding(finding: Finding): Promise<RemediationDecision[]>;
  /** Runs one configured action on a bare record (no finding): `trailguard remediate` on an event no rule matched, tests. */
  handleRecord(record: CloudTrailRecord, entry: ActionEntry, ruleId?: string): Promise<RemediationDecision>;
  /** Executes a pending approval's plan exactly; the decision (executed / failed / skipped: expired) is logged and reported. */
  approve(approvalId: string, by: string): Promise<RemediationDecision>;
  reject(approvalId: string, by: string, note?: string): Promise<RemediationDecision>;
  /**
   * Runs a failed plan again, exactly, as a new decision (executed / failed) that names what it retries
   * (`retryOf`): `id` is an approval that was approved and whose run failed or was never recorded, or a failed
   * decision that acted (enforce, approve) with a plan. Under a claim like any decision that acts: refused
   * (ApprovalError) when the event was remediated meanwhile, busy (RemediationBusyError) while another runner is at it.
   */
  retry(id: string, by: string): Promise<RemediationDecision>;
  /** Marks overdue approvals expired and logs a decision for each. */
  expireApprovals(): Promise<RemediationDecision[]>;
  /** Reporter failures, and duplicate checks that could not be made (the decisions themselves are still returned). */
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
   * Commits the decision — with the approval it creates and its notices — in one store operation, then
   * reports it. A commit that fails throws RemediationCommitError: nothing of the decision was kept.
   */
  const finish = async (partial: Omit<RemediationDecision, 'message' | 'id' | 'createdAt'> & { id?: string }, approval?: (decision: RemediationDecision) => Omit<PendingApproval, 'status'>): Promise<RemediationDecision> => {
    const base = { ...partial, id: partial.id ?? newId(), createdAt: now().toISOString() };
    const decision: RemediationDecision = { ...base, message: decisionMessage(base) };
    if (options.store) {
      try {
        const notices = options.notices?.notices(decision) ?? [];
        const result = await options.store.commit({ decision, ...(approval ? { approval: approval(decision) } : {}), notices, now: now().getTime() });
        options.notices?.committed(decision, result.notices);
      } catch (error) {
        // The claim this decision was made under must not outlive it: a retry of the event would be refused as a
        // duplicate of a decision that was never kept. (A no-op when the decision holds no claim.)
        await options.store.releaseClaim(decision.eventId, decision.actionId, decision.id).catch(() => {});
        throw new RemediationCommitError(decision, error);
      }
    }
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
    // The decision's id is chosen first: a claim taken for it is settled by the decision's commit.
    const common = {
      id: newId(),
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
      const claimed = options.store && (mode !== 'dry-run' || options.claims?.dryRuns === true);
      if (claimed) {
        // Taken before any other guard, so that every decision about a redelivered event is made once.
        const claim = await options.store!.claim({
          eventId: input.eventId,
          actionId: action.id,
          decisionId: common.id,
          mode,
          owner: options.claims?.owner ?? defaultOwner(),
          now: now().getTime(),
          leaseMs: options.claims?.leaseMs ?? DEFAULT_CLAIM_LEASE_MS,
        });
        if (!claim.claimed && claim.inProgress) {
          // Not decided yet: another runner is at it, or died holding it (its lease runs out). Not a decision of its
          // own — the caller tries again later (an SQS message comes back after its visibility timeout).
          throw new RemediationBusyError(action.id, input.eventId, claim.inProgress);
        }
        if (!claim.claimed) {
          const held = claim.heldBy;
          const by = held ? `${held.status} ${held.createdAt}, decision ${held.id}` : 'a decision no longer in the log';
          // A plan held for approval is approved (or, approved and failed, run again) by its approval id, not by the event again.
          const hint = held?.status === 'pending-approval' && held.approvalId ? `; its plan is approval ${held.approvalId}: \`trailguard remediate approve ${held.approvalId}\`, or \`trailguard remediate retry ${held.approvalId}\` once approved and failed` : '';
          return await finish({ ...common, id: newId(), status: 'skipped', reason: 'duplicate-event', detail: `${action.id} already handled event ${input.eventId} (${by})${hint}` });
        }
      }
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
        if (!claimed) earlier = await options.store?.hasActed(input.eventId, action.id);
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
        if (!options.store) return await finish({ ...common, status: 'failed', plan, error: 'mode approve needs the store for pending approvals, and none is configured' });
        const approvalId = newId();
        const expiresAt = new Date(now().getTime() + expiryMs).toISOString();
        // The approval, its decision in the log and its notices: one commit.
        return await finish({ ...common, status: 'pending-approval', plan, approvalId, expiresAt, detail: `expires ${expiresAt}` }, (decision) => ({
          id: approvalId,
          decisionId: decision.id,
          createdAt: decision.createdAt,
          expiresAt,
          actionId: action.id,
          eventId: input.eventId,
          summary: plan.effect.todo,
          plan,
          decision,
        }));
      }
      const outcomes = await action.execute(plan, options.clients);
      const failed = outcomes.filter((o) => o.status === 'failed');
      if (failed.length > 0 || !allDone(outcomes)) {
        return await finish({ ...common, status: 'failed', plan, outcomes, error: failed.map((o) => `${o.call.operation}: ${o.error?.code ?? 'Error'}: ${o.error?.message ?? ''}`).join('; ') });
      }
      return await finish({ ...common, status: 'executed', plan, outcomes });
    } catch (error) {
      // A decision the store could not keep, or one another runner is making, is not turned into another decision: the caller retries the event.
      if (error instanceof RemediationCommitError || error instanceof RemediationBusyError) throw error;
      return finish({ ...common, status: 'failed', error: `internal error in ${entry.action}: ${errorCodeOf(error)}: ${errorMessageOf(error)}` });
    }
  };

  /**
   * Claims (eventId, actionId) for a run of an approved or retried plan: taken over from `takeOver` (the
   * pending-approval decision that holds the pair) when it holds it. Refused by a decision that acted since
   * (ApprovalError), busy while another runner is at it (RemediationBusyError).
   */
  const claimForRun = async (store: RemediationStore, d: { eventId: string; actionId: string }, decisionId: string, mode: RemediationMode, takeOver: string | undefined): Promise<void> => {
    const claim = await store.claim({
      eventId: d.eventId,
      actionId: d.actionId,
      decisionId,
      mode,
      owner: options.claims?.owner ?? defaultOwner(),
      now: now().getTime(),
      leaseMs: options.claims?.leaseMs ?? DEFAULT_CLAIM_LEASE_MS,
      ...(takeOver !== undefined ? { takeOver } : {}),
    });
    if (claim.claimed) return;
    if (claim.inProgress) throw new RemediationBusyError(d.actionId, d.eventId, claim.inProgress);
    const by = claim.heldBy ? `${claim.heldBy.status} ${claim.heldBy.createdAt}, decision ${claim.heldBy.id}` : 'a decision no longer in the log';
    throw new ApprovalError(`${d.actionId} already handled event ${d.eventId} (${by}): nothing to run`, 'retry-refused');
  };

  /** Runs a plan under the claim taken for `decisionId` and records the outcome (executed / failed) as that decision. */
  const runPlan = async (decisionId: string, base: Omit<RemediationDecision, 'message' | 'id' | 'createdAt' | 'status'>, plan: RemediationPlan): Promise<RemediationDecision> => {
    const action = getAction(base.actionId);
    if (!action) return finish({ ...base, id: decisionId, status: 'failed', error: `no action ${base.actionId}` });
    let outcomes: CallOutcome[];
    try {
      outcomes = await action.execute(plan, options.clients);
    } catch (error) {
      return finish({ ...base, id: decisionId, status: 'failed', error: `internal error: ${errorMessageOf(error)}` });
    }
    const failed = outcomes.filter((o) => o.status === 'failed');
    if (failed.length > 0 || !allDone(outcomes)) {
      return finish({ ...base, id: decisionId, outcomes, status: 'failed', error: failed.map((o) => `${o.call.operation}: ${o.error?.code ?? 'Error'}: ${o.error?.message ?? ''}`).join('; ') });
    }
    return finish({ ...base, id: decisionId, outcomes, status: 'executed' });
  };

  /** The decisions an approval's plan was run as (executed / failed), newest first. */
  const runsOf = async (store: RemediationStore, approval: PendingApproval): Promise<RemediationDecision[]> =>
    (await store.listDecisions({ eventId: approval.eventId, actionId: approval.actionId, limit: 1000 })).filter(
      (d) => d.approvalId === approval.id && d.id !== approval.decisionId && (d.status === 'executed' || d.status === 'failed'),
    );

  const storeFor = (what: string): RemediationStore => {
    if (!options.store) throw new ApprovalError(`${what} needs the store that holds the approvals, and none is configured`, 'approval-no-store');
    return options.store;
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
      const store = storeFor('approve');
      const approval = await store.getApproval(approvalId);
      if (!approval) throw new ApprovalError(`no approval ${approvalId}`, 'approval-unknown');
      const at = now();
      if (approval.status !== 'pending') {
        const decided = `approval ${approvalId} is ${approval.status}${approval.decidedBy ? ` (by ${approval.decidedBy} at ${approval.decidedAt})` : ''}`;
        if (approval.status === 'approved') {
          const [last] = await runsOf(store, approval);
          if (!last) throw new ApprovalError(`${decided}, but no decision was recorded for its run (it did not finish): run it with \`trailguard remediate retry ${approvalId}\``, 'approval-decided');
          if (last.status === 'failed') throw new ApprovalError(`${decided}, and its run failed (decision ${last.id}: ${last.error ?? 'unknown error'}): run it again with \`trailguard remediate retry ${approvalId}\``, 'approval-decided');
        }
        throw new ApprovalError(decided, 'approval-decided');
      }
      if (approval.expiresAt <= at.toISOString()) {
        await store.expireApprovals(at);
        return finish({ ...fromApproval(approval), status: 'skipped', reason: 'approval-expired', detail: `approval ${approvalId} expired at ${approval.expiresAt}; approved too late by ${by}` });
      }
      const decisionId = newId();
      // The pending-approval decision holds the pair; the run takes it over first (busy while another run of the plan
      // is at work: the approval is left pending for the next attempt), and its decision settles it (a failure gives
      // it back: `retry`, or the event again with --enforce, may act).
      await claimForRun(store, approval, decisionId, 'approve', approval.decisionId);
      // Then approved: of two people deciding at once (approve / reject) one wins. Should the run not be recorded
      // (the store failed), the approval stays approved with no decision: `retry` runs it.
      let approved: boolean;
      try {
        approved = await store.decideApproval(approvalId, 'approved', by, at);
      } catch (error) {
        await store.releaseClaim(approval.eventId, approval.actionId, decisionId).catch(() => {});
        throw error;
      }
      if (!approved) {
        await store.releaseClaim(approval.eventId, approval.actionId, decisionId).catch(() => {});
        throw new ApprovalError(`approval ${approvalId} was decided by someone else just now`, 'approval-decided');
      }
      return runPlan(decisionId, { ...fromApproval(approval), detail: `approved by ${by}` }, approval.plan);
    },    async reject(approvalId, by, note) {
      const store = storeFor('reject');
      const approval = await store.getApproval(approvalId);
      if (!approval) throw new ApprovalError(`no approval ${approvalId}`, 'approval-unknown');
      if (!(await store.decideApproval(approvalId, 'rejected', by, now(), note))) {
        throw new ApprovalError(`approval ${approvalId} is not pending (${(await store.getApproval(approvalId))?.status ?? 'gone'})`, 'approval-decided');
      }
      return finish({ ...fromApproval(approval), status: 'skipped', reason: 'approval-rejected', detail: `rejected by ${by}${note ? `: ${note}` : ''}` });
    },
    async retry(id, by) {
      const store = storeFor('retry');
      const approval = await store.getApproval(id);
      let base: Omit<RemediationDecision, 'message' | 'id' | 'createdAt' | 'status'>;
      let plan: RemediationPlan;
      let takeOver: string | undefined;
      if (approval) {
        if (approval.status !== 'approved') {
          const hint = approval.status === 'pending' ? `: approve it with \`trailguard remediate approve ${id}\`` : ': it was never approved, so there is nothing to run again';
          throw new ApprovalError(`approval ${id} is ${approval.status}${hint}`, 'retry-refused');
        }
        const [last] = await runsOf(store, approval);
        if (last?.status === 'executed') throw new ApprovalError(`approval ${id} was run and executed (decision ${last.id}, ${last.createdAt}): nothing to run again`, 'retry-refused');
        plan = approval.plan;
        takeOver = approval.decisionId;
        base = { ...fromApproval(approval), retryOf: id, detail: `approval ${id} (approved by ${approval.decidedBy ?? 'unknown'}) run again by ${by}${last ? ` after decision ${last.id} failed` : ' (its first run was not recorded)'}` };
      } else {
        const failed = await store.getDecision(id);
        if (!failed) throw new ApprovalError(`no approval or decision ${id}`, 'approval-unknown');
        if (failed.status !== 'failed') throw new ApprovalError(`decision ${id} is ${failed.status}, not failed: only a failed remediation is run again`, 'retry-refused');
        if (failed.mode === 'dry-run') throw new ApprovalError(`decision ${id} was a dry run: it changed nothing, so there is nothing to run again (remediate the event with --enforce)`, 'retry-refused');
        if (!failed.plan || failed.plan.calls.length === 0) {
          throw new ApprovalError(`decision ${id} failed before it had a plan to run (${failed.error ?? 'unknown error'}): remediate the event again instead`, 'retry-refused');
        }
        plan = failed.plan;
        // A failed run of an approved plan recorded before runs took claims left the pair to its pending-approval decision.
        takeOver = failed.approvalId !== undefined ? (await store.getApproval(failed.approvalId))?.decisionId : undefined;
        const { id: _id, createdAt: _createdAt, status: _status, message: _message, outcomes: _outcomes, error: _error, reason: _reason, expiresAt: _expiresAt, ...rest } = failed;
        base = { ...rest, plan, retryOf: id, detail: `decision ${id} run again by ${by}` };
      }
      const decisionId = newId();
      await claimForRun(store, base, decisionId, base.mode, takeOver);
      return runPlan(decisionId, base, plan);
    },
    async expireApprovals() {
      if (!options.store) return [];
      const out: RemediationDecision[] = [];
      for (const approval of await options.store.expireApprovals(now())) {
        out.push(await finish({ ...fromApproval(approval), status: 'skipped', reason: 'approval-expired', detail: `approval ${approval.id} expired at ${approval.expiresAt} without a decision` }));
      }
      return out;
    },
  };
}
