/**
 * cdk-nag v3 as trailguard uses it: the negative control (a deliberately non-compliant construct fails synth), an
 * acknowledgement covers exactly the finding it names, and the acknowledgement helper refuses a wildcard nobody
 * reviewed. The trailguard stacks themselves pass with nag on in stack.test.ts and organization.test.ts.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { acknowledge, acknowledgeFindings, flattenReference, listAcknowledgements, newestNodeRuntime } from '../../src/infra/nag.js';
import { planDeployment } from '../../src/infra/plan.js';
import { ACCOUNT } from './support.js';

process.env.CDK_VALIDATION = 'false';

function appWithNag(): { app: App; stack: Stack } {
  const app = new App({ context: { '@aws-cdk/core:appMode': 'inmemory' } });
  const stack = new Stack(app, 'NagControl', { env: { account: ACCOUNT, region: 'eu-west-1' } });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}

function nonCompliant(stack: Stack): { queue: sqs.Queue; role: iam.Role } {
  const queue = new sqs.Queue(stack, 'PlainQueue', { encryption: sqs.QueueEncryption.UNENCRYPTED });
  const role = new iam.Role(stack, 'WideRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  role.addToPolicy(new iam.PolicyStatement({ sid: 'Everything', actions: ['s3:GetObject'], resources: ['*'] }));
  return { queue, role };
}

const synthError = (app: App): string => {
  try {
    app.synth();
  } catch (error) {
    return (error as Error).message;
  }
  return '';
};

describe('cdk-nag negative control', () => {
  it('a non-compliant queue and a wildcard role fail synth, each finding named', () => {
    const { app, stack } = appWithNag();
    nonCompliant(stack);
    const message = synthError(app);
    expect(message).toContain('(AwsSolutions)');
    for (const rule of ['AwsSolutions-SQS2', 'AwsSolutions-SQS3', 'AwsSolutions-SQS4', 'AwsSolutions-IAM5[Resource::*]']) expect(message).toContain(rule);
  });

  it('an acknowledgement silences exactly the finding it names, nothing else', () => {
    const { app, stack } = appWithNag();
    const { queue, role } = nonCompliant(stack);
    acknowledge(role, 'AwsSolutions-IAM5[Resource::*]', 'The negative control acknowledges this one finding to show acknowledgements are per finding.');
    acknowledge(queue, 'AwsSolutions-SQS3', 'The negative control acknowledges this one finding to show acknowledgements are per finding.');
    const message = synthError(app);
    expect(message).not.toContain('AwsSolutions-IAM5');
    expect(message).not.toContain('AwsSolutions-SQS3');
    expect(message).toContain('AwsSolutions-SQS2');
    expect(listAcknowledgements(app).map((a) => a.id).sort()).toEqual(['AwsSolutions-IAM5[Resource::*]', 'AwsSolutions-SQS3']);
  });
});

describe('acknowledgeFindings', () => {
  const plan = planDeployment({ deploy: { region: 'eu-west-1', account: ACCOUNT } }, []);

  it('refuses a wildcard resource in a statement it has no reviewed reason for', () => {
    const { stack } = appWithNag();
    nonCompliant(stack);
    expect(() => acknowledgeFindings(stack, plan)).toThrow(/statement Everything has the wildcard resource \* and no reviewed reason/);
  });

  it('refuses a wildcard action outright', () => {
    const { stack } = appWithNag();
    const role = new iam.Role(stack, 'Admin', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    role.addToPolicy(new iam.PolicyStatement({ sid: 'ReadTrailLogFiles', actions: ['s3:*'], resources: ['arn:aws:s3:::b/*'] }));
    expect(() => acknowledgeFindings(stack, plan)).toThrow(/grants the wildcard action s3:\*/);
  });

  it('flattens references the way cdk-nag names findings', () => {
    expect(flattenReference({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::b/AWSLogs/*']] })).toBe('arn:<AWS::Partition>:s3:::b/AWSLogs/*');
    expect(flattenReference({ 'Fn::GetAtt': ['Table', 'Arn'] })).toBe('<Table.Arn>');
    expect(newestNodeRuntime()).toMatch(/^nodejs\d+\.x$/);
  });
});
