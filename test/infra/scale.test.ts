/**
 * Limits moto does not enforce, at scale: 300 generated rules targeting one queue and sharing one dead-letter queue
 * stay within SQS's policy quotas (20 statements, 7 actions per statement, 8,192 bytes), EventBridge's rule-name
 * length and CloudFormation's template limits — where CDK's own SqsQueue target, one statement per rule, does not
 * (the negative control, aws-cdk issues 16303 and 7732). The limit checker itself is tested on broken templates.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import { CFN_MAX_RESOURCES, CFN_TEMPLATE_S3_MAX_BYTES, RULE_NAME_MAX, SQS_POLICY_MAX_BYTES, SQS_POLICY_MAX_STATEMENTS } from '../../src/infra/limits.js';
import { describeEventRouting } from '../../src/infra/routing.js';
import { checkTemplate, findDependencyCycles, type CfnTemplate } from '../../src/infra/template-limits.js';
import { ACCOUNT, generatedRules, resources, synth } from './support.js';

process.env.CDK_VALIDATION = 'false';

describe('300 generated rules', () => {
  const rules = generatedRules(300, 'a-rather-long-generated-rule-identifier-for-the-name-limit');
  const s = synth({ deploy: { region: 'eu-west-1', account: ACCOUNT } }, rules);
  afterAll(() => s.cleanup());

  it('one EventBridge rule each, names hashed within 64 characters and unique', () => {
    const routing = describeEventRouting(s.central);
    const patternRules = routing.rules.filter((r) => r.pattern);
    expect(patternRules).toHaveLength(300);
    const names = patternRules.map((r) => r.name!);
    expect(new Set(names).size).toBe(300);
    for (const name of names) expect(name.length).toBeLessThanOrEqual(RULE_NAME_MAX);
    expect(names.some((n) => /-[0-9a-f]{8}$/.test(n))).toBe(true);
  });

  it('the queue and dead-letter queue policies stay within SQS\'s quotas', () => {
    const { measure, problems } = checkTemplate('central', s.central);
    expect(problems).toEqual([]);
    for (const p of measure.queuePolicies) {
      expect(p.statements).toBeLessThanOrEqual(2);
      expect(p.bytes).toBeLessThan(SQS_POLICY_MAX_BYTES / 4);
    }
  });

  it('the bundle leaves out what bundle.ts says this deployment never loads (no channels: no SNS client)', () => {
    const asset = readdirSync(s.outdir).find((f) => f.startsWith('asset.'))!;
    const code = readFileSync(path.join(s.outdir, asset, 'index.mjs'), 'utf8');
    expect(code).toMatch(/import\(["']@aws-sdk\/client-sns["']\)/);
    expect(code).toContain('generated-rule-identifier-for-the-name-limit-rule-299');
  });

  it('the template fits CloudFormation (resources, size); CDK uploads it (bootstrap required)', () => {
    const { measure } = checkTemplate('central', s.central);
    expect(measure.resources).toBeLessThanOrEqual(CFN_MAX_RESOURCES);
    expect(measure.bytes).toBeLessThanOrEqual(CFN_TEMPLATE_S3_MAX_BYTES);
    expect(measure.needsS3Upload).toBe(true);
    expect(s.built.plan.warnings.join('\n')).toMatch(/300 EventBridge rules on one event bus: the default quota is 300 rules per bus/);
  });
});

describe('the negative control: CDK\'s SqsQueue target with 44 rules', () => {
  it('writes one queue-policy statement per rule (and per rule on a shared DLQ): over SQS\'s 20-statement quota', () => {
    const app = new App();
    const stack = new Stack(app, 'CdkDefaultTargets', { env: { account: ACCOUNT, region: 'eu-west-1' } });
    const queue = new sqs.Queue(stack, 'Queue');
    const dlq = new sqs.Queue(stack, 'DeadLetters');
    for (let i = 0; i < 44; i++) new events.Rule(stack, `Rule${i}`, { eventPattern: { source: [`custom.source${i}`] }, targets: [new targets.SqsQueue(queue, { deadLetterQueue: dlq })] });
    const template = app.synth().getStackByName('CdkDefaultTargets').template as CfnTemplate;
    const { problems } = checkTemplate('CdkDefaultTargets', template);
    const statements = problems.filter((p) => p.limit === 'SQS policy statements');
    expect(statements.length).toBe(2);
    for (const p of statements) expect(p.value).toBe(44);
    expect(statements[0]!.max).toBe(SQS_POLICY_MAX_STATEMENTS);
    expect(problems.some((p) => p.limit === 'SQS policy bytes')).toBe(true);
  });
});

describe('the limit checker', () => {
  const rule = (name: string, pattern: unknown) => ({ Type: 'AWS::Events::Rule', Properties: { Name: name, EventPattern: pattern } });

  it('names each broken limit: rule name length, pattern size, duplicate names, policy statements and actions', () => {
    const statement = (i: number) => ({ Effect: 'Allow', Principal: '*', Action: ['sqs:SendMessage', 'sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueUrl', 'sqs:GetQueueAttributes', 'sqs:ChangeMessageVisibility', 'sqs:PurgeQueue', 'sqs:TagQueue'], Resource: [1, 2, 3].map((n) => `arn:aws:sqs:eu-west-1:${ACCOUNT}:a-queue-with-a-long-name-${i}-${n}`) });
    const template: CfnTemplate = {
      Resources: {
        Long: rule(`x${'y'.repeat(64)}`, { source: ['a'] }),
        Big: rule('big', { detail: { eventName: Array.from({ length: 200 }, (_, i) => `SomeOperationName${i}`) } }),
        Dup1: rule('same', { source: ['a'] }),
        Dup2: rule('same', { source: ['b'] }),
        Policy: { Type: 'AWS::SQS::QueuePolicy', Properties: { Queues: ['q'], PolicyDocument: { Statement: Array.from({ length: 21 }, (_, i) => statement(i)) } } },
      },
    };
    const limits = checkTemplate('t', template).problems.map((p) => `${p.resource} ${p.limit}`);
    expect(limits.sort()).toEqual(['Big event pattern size', 'Dup2 rule name unique', 'Long rule name length', 'Policy SQS policy actions per statement', 'Policy SQS policy bytes', 'Policy SQS policy statements'].sort());
  });

  it('finds circular dependencies (CloudFormation refuses them)', () => {
    const template: CfnTemplate = {
      Resources: {
        Queue: { Type: 'AWS::SQS::Queue', Properties: { RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['Dlq', 'Arn'] } } } },
        Dlq: { Type: 'AWS::SQS::Queue', Properties: { RedriveAllowPolicy: { sourceQueueArns: [{ 'Fn::GetAtt': ['Queue', 'Arn'] }] } } },
        Other: { Type: 'AWS::SQS::Queue', DependsOn: ['Queue'] },
      },
    };
    expect(findDependencyCycles(template)).toEqual([['Queue', 'Dlq', 'Queue']]);
    expect(checkTemplate('t', template).problems.map((p) => p.limit)).toEqual(['circular dependency']);
    expect(resources(template, 'AWS::SQS::Queue')).toHaveLength(3);
  });
});
