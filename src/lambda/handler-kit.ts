/**
 * What the detect and backfill functions share: a runtime loaded once per container, the event pipeline
 * over it, turning decoded input into an outcome, and delivering what a batch enqueued within the time the
 * invocation has left.
 */
import type { Context } from 'aws-lambda';
import type { DecodeResult } from '../cloudtrail/types.js';
import { createEventPipeline, type EventPipeline, type ProcessReport } from '../app/events.js';
import { describeRunReport } from '../app/notifications.js';
import type { NotificationKind } from '../store/types.js';
import { METRIC, type Observability } from './observability.js';
import { loadRuntime, type LambdaRuntime, type RuntimeOverrides } from './runtime.js';
import type { MessageOutcome } from './sqs-batch.js';

export interface HandlerOptions extends RuntimeOverrides {
  /** The longest a batch spends delivering notifications after processing (default 20 s); the rest stays in the outbox for the deliver function. */
  deliveryBudgetMs?: number;
}

/** A handler that can be made ready (runtime loaded, rule index built) before its first event. */
export type PreparedHandler<H> = H & { ready(): Promise<void> };

/** Gives the handler `ready()`: the set-up its first event would otherwise do. */
export function prepared<H extends (...args: never[]) => unknown>(handler: H, ready: () => Promise<unknown>): PreparedHandler<H> {
  return Object.assign(handler, { ready: async () => void (await ready()) });
}

/**
 * Inside Lambda, the handler modules make their handler ready at load (a top-level await), so the set-up is the
 * function's init phase and not its first event's time. A failure there is left to the first invocation, which
 * tries again and reports it.
 */
export async function readyInsideLambda(handler: { ready(): Promise<void> }): Promise<void> {
  if (!process.env.AWS_LAMBDA_FUNCTION_NAME || !process.env.AWS_EXECUTION_ENV?.startsWith('AWS_Lambda_')) return;
  await handler.ready().catch(() => {});
}

/** Loads the runtime on first use; a failed load is not cached (the next invocation tries again). */
export function lazyRuntime(obs: Observability, options: RuntimeOverrides): () => Promise<LambdaRuntime> {
  let loading: Promise<LambdaRuntime> | undefined;
  return () => {
    loading ??= loadRuntime(obs, options).catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
}

const pipelines = new WeakMap<LambdaRuntime, EventPipeline>();

/** The runtime's pipeline, built once (the rule index is the expensive part of a cold start). */
export function pipelineOf(runtime: LambdaRuntime): EventPipeline {
  let pipeline = pipelines.get(runtime);
  if (!pipeline) {
    pipeline = buildPipeline(runtime);
    pipelines.set(runtime, pipeline);
  }
  return pipeline;
}

function buildPipeline(runtime: LambdaRuntime): EventPipeline {
  return createEventPipeline({
    rules: runtime.rules,
    store: runtime.store,
    ...(runtime.notifier ? { notifier: runtime.notifier } : {}),
    ...(runtime.submitRemediation && runtime.config.remediation?.rules ? { remediation: { config: runtime.config.remediation, submit: runtime.submitRemediation } } : {}),
  });
}

/**
 * Runs what an input decoded to through the pipeline and says how the input ends: processed; skipped (only
 * deliberate skips, e.g. a digest file); or rejected — nothing evaluable in it, or damage beside the records
 * that were evaluated (those are not lost: they were processed, and the input goes to the DLQ for a person).
 */
/** What a batch put in the outbox: nothing means there is nothing to deliver now (the deliver function sweeps the rest). */
export interface BatchTally {
  enqueued: number;
}

export async function evaluateDecoded(decoded: DecodeResult, pipeline: EventPipeline, obs: Observability, where: Record<string, unknown>, tally?: BatchTally): Promise<MessageOutcome> {
  const broken = decoded.rejects.filter((r) => !r.skipped);
  for (const reject of decoded.rejects) obs.logger[reject.skipped ? 'info' : 'warn'](reject.skipped ? 'input skipped' : 'input rejected', { ...where, kind: reject.kind, reason: reject.reason, location: reject.location });
  if (decoded.records.length === 0) {
    if (broken.length === 0 && decoded.rejects.length > 0) return { status: 'skipped', reason: decoded.rejects.map((r) => r.reason).join('; ') };
    return { status: 'rejected', reason: broken.length > 0 ? broken.map((r) => `${r.kind}: ${r.reason}`).join('; ') : `no CloudTrail record in it (${decoded.format})` };
  }
  const report = await pipeline.process(decoded.records.map((r) => r.record));
  logReport(report, obs, where);
  if (tally && report.notifications) {
    const { new: created, joined, repeat, storm } = report.notifications.outcomes;
    tally.enqueued += created + joined + repeat + storm;
  }
  if (broken.length > 0) return { status: 'rejected', reason: `${report.evaluated} record(s) evaluated, but part of the input is damaged: ${broken.map((r) => `${r.kind}: ${r.reason}`).join('; ')}` };
  return { status: 'processed' };
}

function logReport(report: ProcessReport, obs: Observability, where: Record<string, unknown>): void {
  obs.count(METRIC.recordsEvaluated, report.evaluated);
  obs.count(METRIC.findings, report.findings.length);
  obs.count(METRIC.newFindings, report.newFindings);
  obs.count(METRIC.ruleErrors, report.ruleFailures.length);
  obs.count(METRIC.remediationRequested, report.remediation);
  for (const failure of report.ruleFailures) obs.logger.error('rule failed on a record (the other rules still ran)', { ...where, ...failure });
  for (const finding of report.findings) {
    obs.logger.info('finding', { ...where, findingId: finding.id, ruleId: finding.ruleId, severity: finding.severity, eventId: finding.eventId, account: finding.account, region: finding.region, summary: finding.summary });
  }
}

/**
 * Delivers what is due now (of these kinds) within the budget and the invocation's remaining time; never throws.
 * It does not wait for what is not due — a backoff, a rate limit, a notification another instance is sending:
 * the time would be billed, and the deliver function picks those up within the minute.
 */
export async function deliverWithin(runtime: LambdaRuntime, obs: Observability, context: Context | undefined, budgetMs: number, kinds?: readonly NotificationKind[]): Promise<void> {
  if (!runtime.notifier) return;
  // Leave time to answer SQS: a function that times out fails its whole batch.
  const remaining = context ? context.getRemainingTimeInMillis() - 5_000 : budgetMs;
  const budget = Math.min(budgetMs, remaining);
  if (budget <= 0) return;
  try {
    const report = await runtime.notifier.deliver({ deadline: Date.now() + budget, dueNowOnly: true, ...(kinds ? { kinds } : {}) });
    obs.count(METRIC.notificationsDelivered, report.delivered);
    obs.count(METRIC.notificationsFailed, report.failed);
    obs.count(METRIC.notificationsPending, report.outstanding);
    obs.logger.info(describeRunReport(report), { delivered: report.delivered, failed: report.failed, retried: report.retried, pending: report.outstanding });
  } catch (error) {
    // The findings are in the outbox: the deliver function sends them on its next run.
    obs.logger.error('delivery stopped early; the outbox keeps what was not sent', { error: (error as Error).message });
  }
}
