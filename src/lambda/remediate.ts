/**
 * The remediate function: findings the detect and backfill functions handed over (one per message on the
 * remediation queue), and plans a person approved with `trailguard remediate approve` (handed over the same
 * way when the config names the queue, `remediation.approvals.queueUrl`), run through the remediation policy with this function's own least-privilege role — in
 * the event's account through the member account's remediation role when the config names one
 * (`remediation.assumeRole`, trusted only by this function's role, with an external id).
 *
 * Each (event, action) is claimed before anything is decided, so a finding delivered twice is remediated once
 * and its decision notified once. A decision is final whatever it says (executed, failed, held for approval,
 * skipped): it is logged, notified and the message acknowledged; only a decision the store could not keep, or
 * a store that cannot be reached, fails the message (retried, then dead-lettered).
 */
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { openRemediation, type RemediationSession } from '../app/remediation.js';
import { remediationClients } from '../app/remediation-clients.js';
import type { Finding } from '../findings/types.js';
import type { RemediationClients } from '../remediate/clients.js';
import type { RemediationConfig } from '../remediate/config.js';
import { DEFAULT_IDENTITY } from '../remediate/settings.js';
import { LAMBDA_ENV } from './environment.js';
import { deliverWithin, lazyRuntime, prepared, readyInsideLambda, type HandlerOptions } from './handler-kit.js';
import { createObservability, METRIC, type Observability } from './observability.js';
import { ApprovalError } from '../remediate/runner.js';
import type { ApprovalRequest, RemediationRequest } from '../app/remediation-queue.js';
import type { LambdaRuntime } from './runtime.js';
import { processSqsBatch, type MessageOutcome } from './sqs-batch.js';

export type ParsedRequest = { kind: 'remediate'; finding: Finding } | { kind: 'approve'; approvalId: string; by: string } | { kind: 'rejected'; reason: string };

/** What a message on the remediation queue asks for — a finding to remediate, or a held plan to execute — or why it is neither. */
export function parseRequest(body: string): ParsedRequest {
  let value: Partial<RemediationRequest> & Partial<ApprovalRequest>;
  try {
    value = JSON.parse(body) as typeof value;
  } catch (error) {
    return { kind: 'rejected', reason: `not JSON: ${(error as Error).message}` };
  }
  if (value?.type === 'trailguard.approve' && value.version === 1) {
    if (typeof value.approvalId !== 'string' || value.approvalId === '' || typeof value.by !== 'string' || value.by === '') return { kind: 'rejected', reason: 'an approval request needs an approvalId and who approves (by)' };
    return { kind: 'approve', approvalId: value.approvalId, by: value.by };
  }
  if (value?.type !== 'trailguard.remediate' || value.version !== 1) return { kind: 'rejected', reason: `not a trailguard remediation request (type ${String(value?.type)}, version ${String(value?.version)})` };
  const finding = value.finding;
  if (!finding || typeof finding.id !== 'string' || typeof finding.ruleId !== 'string' || typeof finding.record !== 'object' || finding.record === null) {
    return { kind: 'rejected', reason: 'the request carries no finding with an id, a rule id and its CloudTrail record' };
  }
  return { kind: 'remediate', finding };
}

/** The config's loop guard plus the roles the deployment says are trailguard's own. */
export function withOwnRoles(remediation: RemediationConfig, ownRoles: string | undefined): RemediationConfig {
  const roles = (ownRoles ?? '').split(',').map((r) => r.trim()).filter(Boolean);
  if (roles.length === 0) return remediation;
  return { ...remediation, identity: [...(remediation.identity ?? DEFAULT_IDENTITY), ...roles.map((role) => ({ role }))] };
}

export interface RemediateHandlerOptions extends HandlerOptions {
  observability?: Observability;
  /** AWS clients remediation calls through (default: the function's credentials, assuming the member role where configured). */
  clients?: RemediationClients;
}

export function createRemediateHandler(options: RemediateHandlerOptions = {}) {
  const obs = options.observability ?? createObservability('remediate');
  const runtime = lazyRuntime(obs, options);
  let session: Promise<RemediationSession> | undefined;
  const sessionOf = (rt: LambdaRuntime, context?: Context): Promise<RemediationSession> => {
    session ??= (async () => {
      const remediation = withOwnRoles(rt.config.remediation ?? {}, (options.env ?? process.env)[LAMBDA_ENV.ownRoles]);
      return openRemediation({
        remediation,
        store: rt.store,
        clients: options.clients ?? (await remediationClients(remediation)),
        ...(rt.notifier ? { notifier: rt.notifier } : {}),
        // A redelivered request is neither previewed nor notified twice. A claim outlives the invocation that took
        // it (twice the function's timeout) but not the queue's visibility timeout (six times it, as deployed):
        // the retry of a request whose invocation died takes the claim over.
        claims: { dryRuns: true, ...(context ? { leaseMs: 2 * context.getRemainingTimeInMillis() } : {}) },
      });
    })().catch((error: unknown) => {
      session = undefined;
      throw error;
    });
    return session;
  };

  const handleRequest = async (message: SQSRecord, { runner }: RemediationSession): Promise<MessageOutcome> => {
    const request = parseRequest(message.body);
    if (request.kind === 'rejected') return { status: 'rejected', reason: request.reason };
    if (request.kind === 'approve') {
      let decision;
      try {
        decision = await runner.approve(request.approvalId, request.by);
      } catch (error) {
        // Unknown, or decided already (by another person, or by a retry of this message): an answer, not a failure to retry.
        if (error instanceof ApprovalError) return { status: 'skipped', reason: error.message };
        throw error;
      }
      obs.count(METRIC.remediationDecisions);
      if (decision.status === 'failed') obs.count(METRIC.remediationFailed);
      obs.logger[decision.status === 'failed' ? 'error' : 'info'](decision.message, { messageId: message.messageId, decisionId: decision.id, approvalId: request.approvalId, approvedBy: request.by, status: decision.status });
      return { status: 'processed' };
    }
    const { finding } = request;
    // A decision the store could not keep throws: the message is retried.
    const decisions = await runner.handleFinding(finding);
    obs.count(METRIC.remediationDecisions, decisions.length);
    for (const d of decisions) {
      const fields = { messageId: message.messageId, decisionId: d.id, status: d.status, actionId: d.actionId, ruleId: d.ruleId, findingId: d.findingId, eventId: d.eventId, account: d.account, region: d.region, ...(d.reason ? { reason: d.reason } : {}) };
      if (d.status === 'failed') {
        obs.count(METRIC.remediationFailed);
        obs.logger.error(d.message, { ...fields, error: d.error });
      } else obs.logger.info(d.message, fields);
    }
    for (const problem of runner.problems.splice(0)) obs.logger.warn(problem, { messageId: message.messageId });
    if (decisions.length === 0) return { status: 'skipped', reason: `no remediation action is configured for ${finding.ruleId} (the deployment's config changed since the finding was handed over)` };
    return { status: 'processed' };
  };

  const handle = async (event: SQSEvent, context?: Context): Promise<SQSBatchResponse> => {
    obs.begin(context);
    try {
      const rt = await runtime();
      const current = await sessionOf(rt, context);
      const response = await processSqsBatch(event, obs, (message) => handleRequest(message, current));
      if ((current.notices?.outboxIds.length ?? 0) > 0) await deliverWithin(rt, obs, context, options.deliveryBudgetMs ?? 20_000, ['remediation']);
      // The container lives on: what this batch's notices were is not kept past it.
      current.notices?.outboxIds.splice(0);
      current.notices?.enqueued.clear();
      return response;
    } finally {
      obs.flush();
    }
  };
  return prepared(handle, async () => sessionOf(await runtime()));
}

export const handler = createRemediateHandler();
await readyInsideLambda(handler);
