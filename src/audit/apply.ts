/**
 * `trailguard audit --fix --apply`: makes the plan's calls in order. The topic comes first and its ARN (as CreateTopic
 * returns it) replaces the planned one in the later calls; the first failure stops the run, so no alarm is created
 * that points at a topic that does not exist. Every outcome is reported; failures are data, not exceptions.
 */
import { PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { PutMetricFilterCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { callAws, type RetryOptions } from './aws-call.js';
import type { AwsClients } from './clients.js';
import type { FixPlan, FixStep } from './fix-plan.js';
import type { AwsCallError } from './types.js';

export interface AppliedStep {
  id: string;
  status: 'done' | 'failed' | 'not-run';
  error?: AwsCallError;
  /** What AWS returned that matters: the topic ARN, the subscription ARN ("pending confirmation" for email). */
  result?: string;
}

export interface ApplyResult {
  ok: boolean;
  steps: AppliedStep[];
  topicArn?: string;
}

const ACTIONS: Record<FixStep['operation'], string> = {
  CreateTopic: 'sns:CreateTopic',
  Subscribe: 'sns:Subscribe',
  PutMetricFilter: 'logs:PutMetricFilter',
  PutMetricAlarm: 'cloudwatch:PutMetricAlarm',
};

function withTopic(input: Record<string, unknown>, planned: string | undefined, actual: string | undefined): Record<string, unknown> {
  if (!planned || !actual || planned === actual) return input;
  return JSON.parse(JSON.stringify(input).split(JSON.stringify(planned).slice(1, -1)).join(JSON.stringify(actual).slice(1, -1))) as Record<string, unknown>;
}

export async function applyPlan(plan: FixPlan, clients: AwsClients, retry?: RetryOptions): Promise<ApplyResult> {
  const result: ApplyResult = { ok: true, steps: [] };
  let topicArn = plan.createsTopic ? undefined : plan.topicArn;
  for (const step of plan.steps) {
    if (!result.ok) {
      result.steps.push({ id: step.id, status: 'not-run' });
      continue;
    }
    const input = withTopic(step.input, plan.topicArn, topicArn);
    const outcome = await callAws(ACTIONS[step.operation], step.region, describeTarget(step), () => send(clients, step, input), retry);
    if (!outcome.ok) {
      result.ok = false;
      result.steps.push({ id: step.id, status: 'failed', error: outcome.error });
      continue;
    }
    const value = outcome.value;
    if (step.operation === 'CreateTopic') topicArn = value ?? topicArn;
    result.steps.push({ id: step.id, status: 'done', ...(value ? { result: value } : {}) });
  }
  if (topicArn) result.topicArn = topicArn;
  return result;
}

function describeTarget(step: FixStep): string | undefined {
  const input = step.input;
  const name = input.AlarmName ?? input.filterName ?? input.Name ?? input.TopicArn;
  return typeof name === 'string' ? name : undefined;
}

async function send(clients: AwsClients, step: FixStep, input: Record<string, unknown>): Promise<string | undefined> {
  switch (step.operation) {
    case 'CreateTopic':
      return (await clients.sns(step.region).send(new CreateTopicCommand(input as never))).TopicArn;
    case 'Subscribe':
      return (await clients.sns(step.region).send(new SubscribeCommand(input as never))).SubscriptionArn;
    case 'PutMetricFilter':
      await clients.logs(step.region).send(new PutMetricFilterCommand(input as never));
      return undefined;
    case 'PutMetricAlarm':
      await clients.cloudWatch(step.region).send(new PutMetricAlarmCommand(input as never));
      return undefined;
  }
}

export function renderApplyResult(result: ApplyResult): string {
  const out = result.steps.map((s) => {
    if (s.status === 'done') return `done     ${s.id}${s.result ? ` (${s.result})` : ''}`;
    if (s.status === 'failed') return `FAILED   ${s.id}: ${s.error?.code}: ${s.error?.message}`;
    return `not run  ${s.id} (an earlier call failed)`;
  });
  out.push(result.ok ? `Applied ${result.steps.length} call${result.steps.length === 1 ? '' : 's'}.` : 'Stopped at the first failure; run the audit again to see what is left.');
  return `${out.join('\n')}\n`;
}
