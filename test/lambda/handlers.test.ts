import '../notify/support/loopback-only.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/findings/types.js';
import { createBackfillHandler } from '../../src/lambda/backfill.js';
import { createDeliverHandler } from '../../src/lambda/deliver.js';
import { createDetectHandler } from '../../src/lambda/detect.js';
import { createRemediateHandler, parseRequest, withOwnRoles } from '../../src/lambda/remediate.js';
import type { RemediationRequest } from '../../src/app/remediation-queue.js';
import type { RemediationClients } from '../../src/remediate/clients.js';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createStoreTable, openDynamoStore } from '../../src/store/dynamodb/store.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import type { Store } from '../../src/store/types.js';
import { oneAtATime, startMoto } from '../support/moto.js';
import { eventBridgeEvent, gz, logFile, s3Notification } from '../cloudtrail/fixtures.js';
import { blockedConnections } from '../notify/support/loopback-only.js';
import { startServer, type TestServer } from '../notify/support/http-server.js';
import { SG, seed002 } from '../remediate/support/events.js';
import { capturingObservability, deploymentEnv, lambdaContext, sqsEvent } from './support.js';

const FAST = { initialBackoffSeconds: 0.02, maxBackoffSeconds: 0.1, timeoutSeconds: 2, maxAttempts: 3 };
let slack: TestServer;
const stores: Store[] = [];

beforeAll(async () => {
  slack = await startServer(() => ({ status: 200, body: 'ok' }));
});
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const c of dynamoClients.splice(0)) c.destroy();
  slack.requests.length = 0;
  slack.respond(() => ({ status: 200, body: 'ok' }));
});
afterAll(async () => {
  await slack.close();
  await moto?.stop();
  expect(blockedConnections).toEqual([]);
});

/**
 * The handlers run on either store: SQLite where its native module loads (the Node that built it), and the
 * DynamoDB table on moto — the store the deployed functions use, and the only one under Node 22 (the suite
 * runs there too: npm run test:node22).
 */
const moto = await startMoto();
const dynamoClients: DynamoDBClient[] = [];
let tables = 0;
const STORES: Array<{ kind: string; open: () => Promise<Store> }> = [
  ...(sqliteLoads() ? [{ kind: 'sqlite', open: async () => openSqliteStore(':memory:') as Store }] : []),
  ...(moto
    ? [
        {
          kind: 'dynamodb',
          open: async () => {
            const client = oneAtATime(new DynamoDBClient(moto.clientConfig('us-east-1')));
            dynamoClients.push(client);
            const table = `trailguard-handlers-${++tables}`;
            await createStoreTable(client, table);
            return openDynamoStore({ tableName: table, client });
          },
        },
      ]
    : []),
];

function sqliteLoads(): boolean {
  try {
    openSqliteStore(':memory:').sqlite.close();
    return true;
  } catch (error) {
    console.warn(`SQLite store not available under Node ${process.versions.node} (${(error as Error).message.split('\n')[0]}): the handler suite runs on DynamoDB (moto) only`);
    return false;
  }
}

let openStoreOfKind: () => Promise<Store> = async () => {
  throw new Error('no store');
};

async function store(): Promise<Store> {
  const s = await openStoreOfKind();
  stores.push(s);
  return s;
}

function config(mode: 'enforce' | 'approve' | 'dry-run' = 'enforce') {
  return {
    notifications: { channels: { slack: { type: 'slack' as const, webhookUrl: `${slack.url}/slack`, delivery: FAST, rateLimit: { perSecond: 100 } } } },
    remediation: { rules: { 'security-group-ingress-open-to-world': { action: 'revoke-security-group-ingress' as const, mode } } },
  };
}

/** Someone opens SSH to the world (seed 002): one CloudTrail event, the same eventID every time it is delivered. */
const SG_EVENT = seed002();
const sgOpened = () => JSON.stringify(eventBridgeEvent(SG_EVENT, 'AWS API Call via CloudTrail', 'aws.ec2'));
/** The rules the event raises: the open-to-world rule and the CIS security group changes control. */
const SG_RULES = ['security-group-changes', 'security-group-ingress-open-to-world'];

/** The rule seed 002 added, as EC2 describes it while it is still there. */
const OPEN_SSH = { SecurityGroupRuleId: 'sgr-0123456789abcdef0', GroupId: SG, IsEgress: false, IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIpv4: '0.0.0.0/0' };

/** Clients that record the calls made and answer them as EC2 would while the rule is there (no tags). */
function recordingClients(calls: string[], fail?: { name: string; message: string }): RemediationClients {
  const clients: RemediationClients = {
    send: async (call) => {
      calls.push(`${call.service}:${call.operation}`);
      if (call.operation === 'DescribeSecurityGroups') return { SecurityGroups: [{ GroupId: OPEN_SSH.GroupId, Tags: [] }] };
      if (call.operation === 'DescribeSecurityGroupRules') return { SecurityGroupRules: [OPEN_SSH] };
      if (fail) throw Object.assign(new Error(fail.message), { name: fail.name });
      return { Return: true };
    },
    forAccount: () => clients,
  };
  return clients;
}

describe.each(STORES)('handlers on the $kind store', ({ open }) => {
  beforeAll(() => {
    openStoreOfKind = open;
  });

  describe('detect', () => {
    it('evaluates a batch message by message: findings saved, notified and handed to remediation; bad messages alone fail', async () => {
      const s = await store();
      const submitted: Finding[][] = [];
      const { obs, lines, metrics } = capturingObservability('detect');
      const detect = createDetectHandler({ env: deploymentEnv(config()), store: s, observability: obs, submitRemediation: async (f) => void submitted.push([...f]) });
      const stateChange = JSON.stringify({ ...eventBridgeEvent({ 'instance-id': 'i-1', state: 'running' }, 'EC2 Instance State-change Notification', 'aws.ec2') });
      const event = sqsEvent([sgOpened(), '{"Records": [ {"eventVersion"', stateChange]);
      const response = await detect(event, lambdaContext());

      expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: event.Records[1]!.messageId }, { itemIdentifier: event.Records[2]!.messageId }] });
      expect(await s.findings.count()).toBe(SG_RULES.length);
      // Only the rule with a remediation action configured is handed over.
      expect(submitted.flat().map((f) => f.ruleId)).toEqual(['security-group-ingress-open-to-world']);
      expect(slack.requests).toHaveLength(SG_RULES.length);
      expect(slack.requests.map((r) => r.body).join('\n')).toContain('0.0.0.0/0');
      // Each failure is one log line naming the message and the reason, and a count.
      const rejected = lines.filter((l) => l.message.startsWith('message rejected'));
      expect(rejected.map((l) => l.fields.messageId)).toEqual([event.Records[1]!.messageId, event.Records[2]!.messageId]);
      expect(String(rejected[0]!.fields.reason)).toMatch(/invalid-json/);
      expect(String(rejected[1]!.fields.reason)).toMatch(/not a CloudTrail|unknown-envelope|no CloudTrail record/);
      expect(metrics.get('InputsRejected')).toBe(2);
      expect(metrics.get('BatchItemFailures')).toBe(2);
      expect(metrics.get('Findings')).toBe(SG_RULES.length);
    });

    it('is idempotent per event: the same event again (SQS and EventBridge deliver at least once) gives no new finding and no second message', async () => {
      const s = await store();
      const detect = createDetectHandler({ env: deploymentEnv(config()), store: s, observability: capturingObservability('detect').obs, submitRemediation: async () => {} });
      await detect(sqsEvent([sgOpened()]), lambdaContext());
      await detect(sqsEvent([sgOpened(), sgOpened()]), lambdaContext());
      expect(await s.findings.count()).toBe(SG_RULES.length);
      expect(slack.requests).toHaveLength(SG_RULES.length);
      const rows = await s.outbox.list();
      expect(rows.map((r) => [r.state, r.count])).toEqual(SG_RULES.map(() => ['delivered', 1]));
    });

    it('a direct EventBridge invocation is processed, and a non-CloudTrail one is thrown back (Lambda retries it, then its on-failure destination)', async () => {
      const s = await store();
      const detect = createDetectHandler({ env: deploymentEnv(config()), store: s, observability: capturingObservability('detect').obs, submitRemediation: async () => {} });
      await expect(detect(JSON.parse(sgOpened()) as never, lambdaContext())).resolves.toEqual({ status: 'processed' });
      await expect(detect(eventBridgeEvent({ state: 'running' }, 'EC2 Instance State-change Notification', 'aws.ec2') as never, lambdaContext())).rejects.toThrow(/rejected/);
    });

    it('a delivery that fails stays in the outbox for the deliver function; the batch neither fails nor waits for the retry', async () => {
      const s = await store();
      slack.respond(() => ({ status: 503, body: 'down' }));
      // A backoff of exactly 2 s (no jitter), so "not due yet" and "due" are certain, whatever the store's speed.
      const slow = { ...config(), notifications: { channels: { slack: { ...config().notifications.channels.slack, delivery: { ...FAST, initialBackoffSeconds: 2, maxBackoffSeconds: 2 } } } } };
      const env = deploymentEnv(slow);
      const noJitter = { notifier: { random: () => 1 } };
      const detect = createDetectHandler({ env, store: s, observability: capturingObservability('detect').obs, submitRemediation: async () => {}, ...noJitter });
      const started = Date.now();
      expect(await detect(sqsEvent([sgOpened()]), lambdaContext())).toEqual({ batchItemFailures: [] });
      // One attempt each, then back to the queue's owner: no waiting for the backoff inside a billed invocation.
      expect(slack.requests).toHaveLength(SG_RULES.length);
      expect(Date.now() - started).toBeLessThan(2_000);
      const rows = await s.outbox.list();
      expect(rows.map((r) => [r.state, r.attempts])).toEqual(SG_RULES.map(() => ['pending', 1]));

      slack.respond(() => ({ status: 200, body: 'ok' }));
      const deliver = createDeliverHandler({ env, store: s, observability: capturingObservability('deliver').obs, ...noJitter });
      // Not due yet: the deliver function leaves it for its next run...
      await deliver({}, lambdaContext('trailguard-deliver', 10_000));
      expect((await s.outbox.list()).map((r) => r.state)).toEqual(SG_RULES.map(() => 'pending'));
      // ...and sends it once the backoff has passed.
      await new Promise((resolve) => setTimeout(resolve, Math.max(...rows.map((r) => r.nextAttemptAt)) - Date.now() + 10));
      await deliver({}, lambdaContext('trailguard-deliver', 10_000));
      expect((await s.outbox.list()).map((r) => r.state)).toEqual(SG_RULES.map(() => 'delivered'));
    });

    it('a deployment without its table or document fails loudly (every message is retried), not silently', async () => {
      const detect = createDetectHandler({ env: {}, observability: capturingObservability('detect').obs });
      await expect(detect(sqsEvent([sgOpened()]), lambdaContext())).rejects.toThrow(/TRAILGUARD_DEPLOYMENT/);
    });
  });

  describe('backfill', () => {
    it('reads the log file a notification names (URL-decoded key) and finds nothing new for an event already seen live', async () => {
      const s = await store();
      const env = deploymentEnv(config());
      const detect = createDetectHandler({ env, store: s, observability: capturingObservability('detect').obs, submitRemediation: async () => {} });
      await detect(sqsEvent([sgOpened()]), lambdaContext());

      const keys: string[] = [];
      const backfill = createBackfillHandler({
        env,
        store: s,
        observability: capturingObservability('backfill').obs,
        submitRemediation: async () => {},
        readObject: async ({ key }) => {
          keys.push(key);
          return gz(logFile([SG_EVENT]));
        },
      });
      const key = 'AWSLogs/123456789012/CloudTrail/us-east-1/2026/12/07/123456789012_CloudTrail_us-east-1_20261207T1200Z_a+b%2Bc.json.gz';
      const response = await backfill(sqsEvent([JSON.stringify(s3Notification('trail-bucket', key))]), lambdaContext('trailguard-backfill'));
      expect(response.batchItemFailures).toEqual([]);
      expect(keys).toEqual(['AWSLogs/123456789012/CloudTrail/us-east-1/2026/12/07/123456789012_CloudTrail_us-east-1_20261207T1200Z_a b+c.json.gz']);
      expect(await s.findings.count()).toBe(SG_RULES.length);
      for (const row of await s.outbox.list()) expect((await s.findings.get((await s.outbox.findingIdsOf(row.id))[0]!))!.timesSeen).toBe(2);
      expect(slack.requests).toHaveLength(SG_RULES.length);
    });

    it('a log file is minutes of events read at once: storms are measured on their event times, not on how fast the file is read', async () => {
      const s = await store();
      const root = { type: 'Root', principalId: '123456789012', arn: 'arn:aws:iam::123456789012:root', accountId: '123456789012' };
      const t0 = Date.parse('2026-12-07T12:00:00Z');
      // Thirty root calls, one every 20 s: ten minutes of events, three a minute — no storm, however fast they are read.
      const records = Array.from({ length: 30 }, (_, i) => ({
        ...SG_EVENT,
        userIdentity: root,
        eventSource: 'ec2.amazonaws.com',
        eventName: `DescribeThing${i}`,
        eventID: `3f1b2c4d-0000-4000-8000-${String(i).padStart(12, '0')}`,
        eventTime: new Date(t0 + i * 20_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        requestParameters: {},
        responseElements: null,
      }));
      const backfill = createBackfillHandler({ env: deploymentEnv(config()), store: s, observability: capturingObservability('backfill').obs, submitRemediation: async () => {}, readObject: async () => gz(logFile(records)) });
      const response = await backfill(sqsEvent([JSON.stringify(s3Notification('b', 'AWSLogs/123456789012/CloudTrail/us-east-1/2026/12/07/x.json.gz'))]), lambdaContext('trailguard-backfill'));
      expect(response.batchItemFailures).toEqual([]);
      const rows = await s.outbox.list();
      expect(rows.filter((r) => r.kind === 'storm')).toEqual([]);
      expect(rows.filter((r) => r.kind === 'finding')).toHaveLength(30);
    });

    it('skips digest files and S3 test events, and fails what is not a notification or not a log file', async () => {
      const s = await store();
      const { obs, metrics } = capturingObservability('backfill');
      const backfill = createBackfillHandler({ env: deploymentEnv(config()), store: s, observability: obs, submitRemediation: async () => {}, readObject: async () => Buffer.from('<html>not a log file</html>') });
      const event = sqsEvent([
        JSON.stringify(s3Notification('b', 'AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2026/12/07/x_CloudTrail-Digest_us-east-1_t.json.gz')),
        JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Bucket: 'b' }),
        'not json at all',
        JSON.stringify(s3Notification('b', 'AWSLogs/123456789012/CloudTrail/us-east-1/2026/12/07/x.json.gz')),
      ]);
      const response = await backfill(event, lambdaContext('trailguard-backfill'));
      expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([event.Records[2]!.messageId, event.Records[3]!.messageId]);
      expect(metrics.get('InputsSkipped')).toBe(2);
      expect(metrics.get('InputsRejected')).toBe(2);
    });

    it('a read that fails (throttled, access denied) fails the message for a retry', async () => {
      const backfill = createBackfillHandler({
        env: deploymentEnv(config()),
        store: await store(),
        observability: capturingObservability('backfill').obs,
        readObject: async () => {
          throw Object.assign(new Error('Access Denied'), { name: 'AccessDenied' });
        },
      });
      const event = sqsEvent([JSON.stringify(s3Notification('b', 'AWSLogs/1/CloudTrail/us-east-1/x.json.gz'))]);
      expect(await backfill(event, lambdaContext('trailguard-backfill'))).toEqual({ batchItemFailures: [{ itemIdentifier: event.Records[0]!.messageId }] });
    });
  });

  describe('remediate', () => {
    async function findingFor(s: Store): Promise<Finding> {
      const handed: Finding[] = [];
      const detect = createDetectHandler({ env: deploymentEnv(config()), store: s, observability: capturingObservability('detect').obs, submitRemediation: async (f) => void handed.push(...f) });
      await detect(sqsEvent([sgOpened()]), lambdaContext());
      return handed[0]!;
    }

    const request = (finding: Finding) => JSON.stringify({ type: 'trailguard.remediate', version: 1, finding } satisfies RemediationRequest);

    it('acts once per event however often the request arrives, and notifies the decision once', async () => {
      const s = await store();
      const finding = await findingFor(s);
      slack.requests.length = 0;
      const calls: string[] = [];
      const { obs, metrics } = capturingObservability('remediate');
      const remediate = createRemediateHandler({ env: deploymentEnv(config('enforce')), store: s, clients: recordingClients(calls), observability: obs });
      const first = await remediate(sqsEvent([request(finding), request(finding)]), lambdaContext('trailguard-remediate'));
      const second = await remediate(sqsEvent([request(finding)]), lambdaContext('trailguard-remediate'));
      expect(first.batchItemFailures).toEqual([]);
      expect(second.batchItemFailures).toEqual([]);
      expect(calls.filter((c) => c === 'ec2:RevokeSecurityGroupIngress')).toHaveLength(1);
      const decisions = await s.remediation.listDecisions();
      expect(decisions.map((d) => `${d.status}${d.reason ? `:${d.reason}` : ''}`).sort()).toEqual(['executed', 'skipped:duplicate-event', 'skipped:duplicate-event']);
      expect(slack.requests.map((r) => r.body).filter((b) => b.includes('AUTO-MITIGATED'))).toHaveLength(1);
      expect(slack.requests).toHaveLength(1);
      expect(metrics.get('RemediationDecisions')).toBe(3);
    });

    it('a remediation that fails (AccessDenied in the account) is a decision: logged, notified, counted; the message is done', async () => {
      const s = await store();
      const finding = await findingFor(s);
      slack.requests.length = 0;
      const denied = recordingClients([], { name: 'UnauthorizedOperation', message: 'You are not authorized to perform this operation.' });
      const { obs, lines, metrics } = capturingObservability('remediate');
      const remediate = createRemediateHandler({ env: deploymentEnv(config('enforce')), store: s, clients: denied, observability: obs });
      expect(await remediate(sqsEvent([request(finding)]), lambdaContext('trailguard-remediate'))).toEqual({ batchItemFailures: [] });
      expect(metrics.get('RemediationFailed')).toBe(1);
      expect(lines.find((l) => l.level === 'error')?.message).toMatch(/^REMEDIATION FAILED: .*UnauthorizedOperation/);
      expect(slack.requests.map((r) => r.body).join('\n')).toContain('REMEDIATION FAILED');
    });

    it('approve mode holds the plan in the store and says how to approve it', async () => {
      const s = await store();
      const finding = await findingFor(s);
      slack.requests.length = 0;
      const calls: string[] = [];
      const remediate = createRemediateHandler({ env: deploymentEnv(config('approve')), store: s, clients: recordingClients(calls), observability: capturingObservability('remediate').obs });
      await remediate(sqsEvent([request(finding)]), lambdaContext('trailguard-remediate'));
      const [pending] = await s.remediation.pendingApprovals(new Date());
      expect(pending).toMatchObject({ actionId: 'revoke-security-group-ingress', status: 'pending' });
      expect(calls).not.toContain('ec2:RevokeSecurityGroupIngress');
      expect(slack.requests[0]!.body).toContain(`trailguard remediate approve ${pending!.id}`);
    });

    it('an approval handed to the function executes the held plan with its role, once', async () => {
      const s = await store();
      const finding = await findingFor(s);
      const calls: string[] = [];
      const remediate = createRemediateHandler({ env: deploymentEnv(config('approve')), store: s, clients: recordingClients(calls), observability: capturingObservability('remediate').obs });
      await remediate(sqsEvent([request(finding)]), lambdaContext('trailguard-remediate'));
      const [pending] = await s.remediation.pendingApprovals(new Date());
      slack.requests.length = 0;
      const approval = JSON.stringify({ type: 'trailguard.approve', version: 1, approvalId: pending!.id, by: 'carol@example.com' });
      const { obs, lines } = capturingObservability('remediate');
      const approving = createRemediateHandler({ env: deploymentEnv(config('approve')), store: s, clients: recordingClients(calls), observability: obs });
      expect(await approving(sqsEvent([approval, approval]), lambdaContext('trailguard-remediate'))).toEqual({ batchItemFailures: [] });
      expect(calls.filter((c) => c === 'ec2:RevokeSecurityGroupIngress')).toHaveLength(1);
      expect((await s.remediation.getApproval(pending!.id))!).toMatchObject({ status: 'approved', decidedBy: 'carol@example.com' });
      // The second hand-off finds the plan decided: said in the log, not retried.
      expect(lines.some((l) => l.message === 'message skipped' && String(l.fields.reason).includes('is approved'))).toBe(true);
      expect(slack.requests.map((r) => r.body).join('\n')).toContain('AUTO-MITIGATED');
    });

    it('requests that are not trailguard remediation requests fail (to the DLQ)', async () => {
      const reason = (body: string) => {
        const parsed = parseRequest(body);
        return parsed.kind === 'rejected' ? parsed.reason : '';
      };
      expect(reason('nope')).toMatch(/not JSON/);
      expect(reason('{"type":"other"}')).toMatch(/not a trailguard remediation request/);
      expect(reason('{"type":"trailguard.remediate","version":1,"finding":{"id":"x"}}')).toMatch(/no finding/);
      expect(reason('{"type":"trailguard.approve","version":1,"approvalId":"a"}')).toMatch(/approvalId and who approves/);
      const remediate = createRemediateHandler({ env: deploymentEnv(config()), store: await store(), clients: recordingClients([]), observability: capturingObservability('remediate').obs });
      const event = sqsEvent(['{"type":"other"}']);
      expect(await remediate(event, lambdaContext('trailguard-remediate'))).toEqual({ batchItemFailures: [{ itemIdentifier: event.Records[0]!.messageId }] });
    });

    it('the deployment\'s own roles join the loop guard', () => {
      expect(withOwnRoles({}, 'tg-remediate-role, tg-member').identity).toEqual([{ role: 'trailguard-remediation' }, { role: 'tg-remediate-role' }, { role: 'tg-member' }]);
      expect(withOwnRoles({ identity: [{ user: 'x' }] }, undefined).identity).toEqual([{ user: 'x' }]);
    });
  });

  describe('deliver', () => {
    it('expires approvals nobody decided, as decisions of their own', async () => {
      const s = await store();
      const env = deploymentEnv({ ...config('approve'), remediation: { ...config('approve').remediation, approvals: { expiresAfter: '1m' } } });
      const handed: Finding[] = [];
      await createDetectHandler({ env, store: s, observability: capturingObservability('detect').obs, submitRemediation: async (f) => void handed.push(...f) })(sqsEvent([sgOpened()]), lambdaContext());
      await createRemediateHandler({ env, store: s, clients: recordingClients([]), observability: capturingObservability('remediate').obs })(
        sqsEvent([JSON.stringify({ type: 'trailguard.remediate', version: 1, finding: handed[0]! })]),
        lambdaContext('trailguard-remediate'),
      );
      expect(await s.remediation.pendingApprovals(new Date())).toHaveLength(1);
      slack.requests.length = 0;
      const later = new Date(Date.now() + 120_000);
      const deliver = createDeliverHandler({ env, store: s, observability: capturingObservability('deliver').obs, now: () => later });
      expect(await deliver({}, lambdaContext('trailguard-deliver', 15_000))).toEqual({ expiredApprovals: 1 });
      expect(await s.remediation.pendingApprovals(later)).toEqual([]);
      expect((await s.remediation.listDecisions())[0]).toMatchObject({ status: 'skipped', reason: 'approval-expired' });
      expect(slack.requests.map((r) => r.body).join('\n')).toMatch(/approval-expired|expired/);
      // A second run finds nothing left to expire.
      expect(await deliver({}, lambdaContext('trailguard-deliver', 15_000))).toEqual({ expiredApprovals: 0 });
    });
  });
});
