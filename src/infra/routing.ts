/**
 * The event routing of a synthesized stack, read from its template: the EventBridge rules (name, bus, pattern,
 * targets with their dead-letter queue and retry policy) and the queues (encryption, visibility timeout, redrive)
 * with the functions consuming them. For the end-to-end tests against moto, which cannot run Lambda or deploy the
 * whole template: they create the same rules and queues with the SDK (PutRule with patternJson verbatim, PutTargets,
 * CreateQueue) and call the handler in-process with what lands in the queue.
 *
 * Free of aws-cdk-lib: the input is template JSON, a template file, a cloud assembly directory, or anything with
 * CloudAssembly's getStackByName (aws-cdk-lib's app.synth()).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { CfnTemplate } from './template-limits.js';

export interface RouteTarget {
  id: string;
  /** The target ARN as written in the template (a string, or an intrinsic such as { "Fn::GetAtt": [...] }). */
  arn: unknown;
  /** The logical id of the resource the ARN points at, when it is one in the template. */
  logicalId?: string;
  kind: 'queue' | 'event-bus' | 'function' | 'other';
  deadLetterQueueLogicalId?: string;
  deadLetterQueueArn?: unknown;
  maximumRetryAttempts?: number;
  maximumEventAgeInSeconds?: number;
  roleLogicalId?: string;
}

export interface EventRoute {
  logicalId: string;
  name?: string;
  /** "default", or the bus's name. */
  eventBusName: string;
  /** The pattern exactly as deployed (parse to compare; give to PutRule as EventPattern). */
  patternJson?: string;
  pattern?: Record<string, unknown>;
  scheduleExpression?: string;
  state: string;
  targets: RouteTarget[];
}

export interface QueueRoute {
  logicalId: string;
  /** The KMS key's logical id when encrypted with a key of the template; "sqs-managed" for SSE-SQS. */
  encryption: { kmsKeyLogicalId?: string; kmsKeyId?: unknown; sqsManaged: boolean };
  visibilityTimeoutSeconds?: number;
  messageRetentionSeconds?: number;
  redrive?: { deadLetterQueueLogicalId?: string; maxReceiveCount: number };
  /** Functions consuming the queue (event source mappings). */
  consumers: Array<{ functionLogicalId?: string; batchSize?: number; maximumBatchingWindowInSeconds?: number; reportBatchItemFailures: boolean; maxConcurrency?: number }>;
  /** Whether a rule target's DeadLetterConfig points at it. */
  isTargetDeadLetterQueue: boolean;
  /** Whether another queue's redrive points at it. */
  isRedriveDeadLetterQueue: boolean;
}

export interface EventRouting {
  stack?: string;
  rules: EventRoute[];
  queues: QueueRoute[];
}

type Resources = NonNullable<CfnTemplate['Resources']>;

function refOf(value: unknown): string | undefined {
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (typeof v.Ref === 'string') return v.Ref;
    const getAtt = v['Fn::GetAtt'];
    if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  }
  return undefined;
}

function kindOf(resources: Resources, arn: unknown): RouteTarget['kind'] {
  const id = refOf(arn);
  const type = id ? resources[id]?.Type : undefined;
  if (type === 'AWS::SQS::Queue') return 'queue';
  if (type === 'AWS::Lambda::Function') return 'function';
  if (type === 'AWS::Events::EventBus') return 'event-bus';
  const text = typeof arn === 'string' ? arn : JSON.stringify(arn);
  if (/:sqs:/.test(text)) return 'queue';
  if (/:event-bus\//.test(text) || /EventBus/i.test(text)) return 'event-bus';
  if (/:lambda:/.test(text)) return 'function';
  return 'other';
}

/** Reads a template from JSON, a template file, an assembly directory (with the stack name), or a CloudAssembly. */
export function loadTemplate(source: CfnTemplate | string | { getStackByName(name: string): { template: unknown } }, stackName?: string): { stack?: string; template: CfnTemplate } {
  if (typeof source === 'string') {
    if (existsSync(source) && statSync(source).isDirectory()) {
      const files = readdirSync(source).filter((f) => f.endsWith('.template.json'));
      const file = stackName ? `${stackName}.template.json` : files.length === 1 ? files[0] : undefined;
      if (!file || !files.includes(file)) throw new Error(`${source}: name the stack (templates: ${files.join(', ')})`);
      return { stack: file.replace(/\.template\.json$/, ''), template: JSON.parse(readFileSync(path.join(source, file), 'utf8')) as CfnTemplate };
    }
    return { stack: path.basename(source).replace(/\.template\.json$/, ''), template: JSON.parse(readFileSync(source, 'utf8')) as CfnTemplate };
  }
  if (typeof (source as { getStackByName?: unknown }).getStackByName === 'function') {
    if (!stackName) throw new Error('describeEventRouting: name the stack of the cloud assembly');
    return { stack: stackName, template: (source as { getStackByName(name: string): { template: unknown } }).getStackByName(stackName).template as CfnTemplate };
  }
  return { ...(stackName ? { stack: stackName } : {}), template: source as CfnTemplate };
}

/** The EventBridge rules and queues of a synthesized stack, as the moto end-to-end tests recreate them. */
export function describeEventRouting(source: Parameters<typeof loadTemplate>[0], stackName?: string): EventRouting {
  const { stack, template } = loadTemplate(source, stackName);
  const resources: Resources = template.Resources ?? {};
  const rules: EventRoute[] = [];
  const targetDlqs = new Set<string>();
  const redriveDlqs = new Set<string>();
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (resource.Type !== 'AWS::Events::Rule') continue;
    const p = resource.Properties ?? {};
    const targets = ((p.Targets as Array<Record<string, unknown>> | undefined) ?? []).map((t): RouteTarget => {
      const dlq = (t.DeadLetterConfig as { Arn?: unknown } | undefined)?.Arn;
      const retry = t.RetryPolicy as { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number } | undefined;
      const dlqId = refOf(dlq);
      if (dlqId) targetDlqs.add(dlqId);
      const targetId = refOf(t.Arn);
      const roleId = refOf(t.RoleArn);
      return {
        id: String(t.Id),
        arn: t.Arn,
        ...(targetId ? { logicalId: targetId } : {}),
        kind: kindOf(resources, t.Arn),
        ...(dlqId ? { deadLetterQueueLogicalId: dlqId } : {}),
        ...(dlq !== undefined ? { deadLetterQueueArn: dlq } : {}),
        ...(retry?.MaximumRetryAttempts !== undefined ? { maximumRetryAttempts: retry.MaximumRetryAttempts } : {}),
        ...(retry?.MaximumEventAgeInSeconds !== undefined ? { maximumEventAgeInSeconds: retry.MaximumEventAgeInSeconds } : {}),
        ...(roleId ? { roleLogicalId: roleId } : {}),
      };
    });
    const bus = p.EventBusName;
    rules.push({
      logicalId,
      ...(typeof p.Name === 'string' ? { name: p.Name } : {}),
      eventBusName: typeof bus === 'string' ? bus : bus === undefined ? 'default' : (refOf(bus) ?? JSON.stringify(bus)),
      ...(p.EventPattern !== undefined ? { patternJson: JSON.stringify(p.EventPattern), pattern: p.EventPattern as Record<string, unknown> } : {}),
      ...(typeof p.ScheduleExpression === 'string' ? { scheduleExpression: p.ScheduleExpression } : {}),
      state: typeof p.State === 'string' ? p.State : 'ENABLED',
      targets,
    });
  }
  const queues: QueueRoute[] = [];
  for (const resource of Object.values(resources)) {
    if (resource.Type !== 'AWS::SQS::Queue') continue;
    const redrive = resource.Properties?.RedrivePolicy as { deadLetterTargetArn?: unknown; maxReceiveCount?: number } | undefined;
    const id = refOf(redrive?.deadLetterTargetArn);
    if (id) redriveDlqs.add(id);
  }
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (resource.Type !== 'AWS::SQS::Queue') continue;
    const p = resource.Properties ?? {};
    const redrive = p.RedrivePolicy as { deadLetterTargetArn?: unknown; maxReceiveCount?: number } | undefined;
    const keyId = refOf(p.KmsMasterKeyId);
    const consumers = Object.values(resources)
      .filter((r) => r.Type === 'AWS::Lambda::EventSourceMapping' && refOf(r.Properties?.EventSourceArn) === logicalId)
      .map((r) => {
        const m = r.Properties ?? {};
        const fn = refOf(m.FunctionName);
        const scaling = m.ScalingConfig as { MaximumConcurrency?: number } | undefined;
        return {
          ...(fn ? { functionLogicalId: fn } : {}),
          ...(typeof m.BatchSize === 'number' ? { batchSize: m.BatchSize } : {}),
          ...(typeof m.MaximumBatchingWindowInSeconds === 'number' ? { maximumBatchingWindowInSeconds: m.MaximumBatchingWindowInSeconds } : {}),
          reportBatchItemFailures: ((m.FunctionResponseTypes as string[] | undefined) ?? []).includes('ReportBatchItemFailures'),
          ...(scaling?.MaximumConcurrency !== undefined ? { maxConcurrency: scaling.MaximumConcurrency } : {}),
        };
      });
    const dlqId = refOf(redrive?.deadLetterTargetArn);
    queues.push({
      logicalId,
      encryption: { ...(keyId ? { kmsKeyLogicalId: keyId } : {}), ...(p.KmsMasterKeyId !== undefined ? { kmsKeyId: p.KmsMasterKeyId } : {}), sqsManaged: p.SqsManagedSseEnabled === true || (p.KmsMasterKeyId === undefined && p.SqsManagedSseEnabled !== false) },
      ...(typeof p.VisibilityTimeout === 'number' ? { visibilityTimeoutSeconds: p.VisibilityTimeout } : {}),
      ...(typeof p.MessageRetentionPeriod === 'number' ? { messageRetentionSeconds: p.MessageRetentionPeriod } : {}),
      ...(redrive ? { redrive: { ...(dlqId ? { deadLetterQueueLogicalId: dlqId } : {}), maxReceiveCount: Number(redrive.maxReceiveCount) } } : {}),
      consumers,
      isTargetDeadLetterQueue: targetDlqs.has(logicalId),
      isRedriveDeadLetterQueue: redriveDlqs.has(logicalId),
    });
  }
  return { ...(stack ? { stack } : {}), rules, queues };
}
