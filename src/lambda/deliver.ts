/**
 * The deliver function, on a schedule (every minute): works the notification outbox in the store — retries
 * whose backoff ran out, repeat and storm summaries whose window closed, notices the detect and remediate
 * functions had no time left to send, claims a dead invocation left behind (their lease expired) — and
 * expires the approvals nobody decided in time, logging and notifying each as a decision.
 */
import type { Context } from 'aws-lambda';
import { openRemediation } from '../app/remediation.js';
import type { RemediationClients } from '../remediate/clients.js';
import { deliverWithin, lazyRuntime, prepared, readyInsideLambda, type HandlerOptions } from './handler-kit.js';
import { createObservability, METRIC, type Observability } from './observability.js';

/** Expiring approvals calls no AWS API: any call is refused. */
const NO_CLIENTS: RemediationClients = {
  send: (call) => Promise.reject(new Error(`the deliver function makes no remediation call (${call.service}:${call.operation})`)),
  forAccount: () => NO_CLIENTS,
};

export interface DeliverReport {
  expiredApprovals: number;
}

export function createDeliverHandler(options: HandlerOptions & { observability?: Observability; now?: () => Date } = {}) {
  const obs = options.observability ?? createObservability('deliver');
  const runtime = lazyRuntime(obs, options);
  const handle = async (_event: unknown, context?: Context): Promise<DeliverReport> => {
    obs.begin(context);
    try {
      const rt = await runtime();
      let expiredApprovals = 0;
      if (rt.config.remediation) {
        const { runner } = openRemediation({ remediation: rt.config.remediation, store: rt.store, clients: NO_CLIENTS, ...(rt.notifier ? { notifier: rt.notifier } : {}), ...(options.now ? { now: options.now } : {}) });
        const expired = await runner.expireApprovals();
        expiredApprovals = expired.length;
        obs.count(METRIC.remediationDecisions, expired.length);
        for (const d of expired) obs.logger.info(d.message, { decisionId: d.id, approvalId: d.approvalId, actionId: d.actionId, eventId: d.eventId });
      }
      // Up to the invocation's remaining time (less a margin): the next run picks up the rest.
      await deliverWithin(rt, obs, context, options.deliveryBudgetMs ?? 50_000);
      return { expiredApprovals };
    } finally {
      obs.flush();
    }
  };
  return prepared(handle, runtime);
}

export const handler = createDeliverHandler();
await readyInsideLambda(handler);
