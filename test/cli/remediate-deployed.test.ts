/**
 * `trailguard remediate` against a deployed trailguard: the store is the deployment's DynamoDB table
 * (`store.dynamodb`) and approving hands the plan to the remediate function's queue
 * (`remediation.approvals.queueUrl`), so it runs with the function's role. The built binary runs as a user runs it,
 * with the AWS SDK pointed at moto_server through AWS_ENDPOINT_URL; the remediate function is called in-process
 * with what lands in its queue (moto cannot run Lambda).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRemediateHandler } from '../../src/lambda/remediate.js';
import { createRemediationClients } from '../../src/remediate/clients.js';
import { createStoreTable, openDynamoStore } from '../../src/store/dynamodb/store.js';
import type { Store } from '../../src/store/types.js';
import { capturingObservability, deploymentEnv, lambdaContext, pollQueue, sqsEvent } from '../lambda/support.js';
import { findingFor } from '../remediate/support/harness.js';
import { oneAtATime, startMoto } from '../support/moto.js';
import { openSshToTheWorld, sshRules } from '../support/moto-ec2.js';
import { makeTempDir, requireBuiltCli, run } from './helpers.js';

const moto = await startMoto();
const REGION = 'us-east-1';
const TABLE = 'trailguard-deployed';
const withMoto = moto ? describe : describe.skip;

let store: Store;
let queueUrl: string;
let dir: string;
const aws = () => ({ ...moto!.clientConfig(REGION), forcePathStyle: true });
const env = () => ({ AWS_ENDPOINT_URL: moto!.endpoint, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: REGION, AWS_EC2_METADATA_DISABLED: 'true' });

const remediation = { rules: { 'security-group-ingress-open-to-world': { action: 'revoke-security-group-ingress' as const, mode: 'approve' as const } } };

beforeAll(async () => {
  if (!moto) return;
  requireBuiltCli();
  await moto.reset();
  const dynamo = oneAtATime(new DynamoDBClient(moto.clientConfig(REGION)));
  await createStoreTable(dynamo, TABLE);
  store = openDynamoStore({ tableName: TABLE, client: dynamo });
  queueUrl = (await new SQSClient(aws()).send(new CreateQueueCommand({ QueueName: 'trailguard-remediate' }))).QueueUrl!;
  dir = makeTempDir('trailguard-deployed-');
  writeFileSync(
    path.join(dir, 'trailguard.config.yaml'),
    [
      'store:',
      `  dynamodb: { table: ${TABLE}, region: ${REGION} }`,
      'remediation:',
      '  rules:',
      '    security-group-ingress-open-to-world: { action: revoke-security-group-ingress, mode: approve }',
      `  approvals: { expiresAfter: 24h, queueUrl: "${queueUrl}" }`,
      '',
    ].join('\n'),
  );
}, 60_000);

afterAll(async () => {
  await store?.close();
  await moto?.stop();
});

/** The deployed remediate function, in-process, as its queue hands it messages. */
function remediateFunction() {
  return createRemediateHandler({
    env: deploymentEnv({ remediation: { ...remediation, approvals: { queueUrl } } }),
    store,
    clients: createRemediationClients({ configFor: (region) => ({ ...moto!.clientConfig(region), maxAttempts: 1 }) }),
    observability: capturingObservability('remediate').obs,
  });
}

withMoto('remediate against the deployed store (DynamoDB) and function (its queue)', () => {
  it('pending lists the plan the function holds; approve hands it to the function, which revokes the rule; log shows it', async () => {
    const incident = await openSshToTheWorld(aws());
    // The function held the plan for approval when the event came in.
    const held = await remediateFunction()(
      sqsEvent([JSON.stringify({ type: 'trailguard.remediate', version: 1, finding: findingFor(incident.record, 'security-group-ingress-open-to-world') })]),
      lambdaContext('trailguard-remediate'),
    );
    expect(held.batchItemFailures).toEqual([]);
    const [approval] = await store.remediation.pendingApprovals(new Date());
    expect(approval).toBeDefined();

    const pending = run(['remediate', 'pending'], { cwd: dir, env: env() });
    expect(pending.stderr).not.toMatch(/error/i);
    expect(pending.status).toBe(0);
    expect(pending.stdout).toContain(approval!.id);
    expect(pending.stdout).toContain(incident.groupId);

    const approved = run(['remediate', 'approve', approval!.id, '--by', 'carol'], { cwd: dir, env: env() });
    expect(approved.status, approved.stderr).toBe(0);
    expect(approved.stdout).toMatch(new RegExp(`approval ${approval!.id} handed to the deployed remediate function`));
    // Nothing was done from here: the plan runs where its role is.
    expect(await sshRules(aws(), incident.groupId)).toHaveLength(1);

    expect(await pollQueue(new SQSClient(aws()), queueUrl, remediateFunction(), { name: 'trailguard-remediate' })).toEqual({ received: 1, failed: 0 });
    expect(await sshRules(aws(), incident.groupId)).toEqual([]);

    const log = run(['remediate', 'log', '--format', 'json'], { cwd: dir, env: env() });
    expect(log.status, log.stderr).toBe(0);
    const { decisions } = JSON.parse(log.stdout) as { decisions: Array<{ status: string; approvalId?: string; detail?: string }> };
    expect(decisions[0]).toMatchObject({ status: 'executed', approvalId: approval!.id, detail: 'approved by carol' });

    // A second approval of the same plan is refused here, before anything is sent.
    const again = run(['remediate', 'approve', approval!.id], { cwd: dir, env: env() });
    expect(again.status).toBe(2);
    expect(again.stderr).toContain(`approval ${approval!.id} is approved (by carol`);
  }, 90_000);

  it('an approval id the deployed store does not know is a usage error', () => {
    const unknown = run(['remediate', 'approve', 'no-such-approval'], { cwd: dir, env: env() });
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain(`no approval no-such-approval in dynamodb:${TABLE}`);
  });
});
