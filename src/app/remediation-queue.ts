/**
 * The remediate function's queue, as both sides see it: the message formats, and sending them — findings the
 * detect and backfill functions hand over, and plans a person approved (`remediate approve` with
 * remediation.approvals.queueUrl), which then run with the function's role — the one the member accounts'
 * remediation role trusts — rather than with the credentials of whoever approved them.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Finding } from '../findings/types.js';
import { TrailguardError } from '../util/errors.js';

/** A request to remediate one finding whose rule has a remediation action configured. */
export interface RemediationRequest {
  type: 'trailguard.remediate';
  version: 1;
  finding: Finding;
}

/** A held plan a person approved: the remediate function executes it. */
export interface ApprovalRequest {
  type: 'trailguard.approve';
  version: 1;
  approvalId: string;
  /** Who approved. */
  by: string;
}

export interface QueueClientOptions {
  region?: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

/** The queue's region, from its URL (https://sqs.<region>.amazonaws.com/...). */
function regionOf(queueUrl: string): string | undefined {
  return /^https:\/\/sqs[.-]([a-z0-9-]+)\.amazonaws\.com/.exec(queueUrl)?.[1];
}

/** Sends remediation requests in batches of 10 (SendMessageBatch's limit); a message SQS refuses fails the call. */
export function remediationQueueSender(queueUrl: string, options: QueueClientOptions = {}): (findings: readonly Finding[]) => Promise<void> {
  let client: SQSClient | undefined;
  return async (findings) => {
    const sdk = await import('@aws-sdk/client-sqs');
    const region = regionOf(queueUrl);
    client ??= new sdk.SQSClient({ ...(region ? { region } : {}), ...options });
    for (let i = 0; i < findings.length; i += 10) {
      const batch = findings.slice(i, i + 10);
      const result = await client.send(
        new sdk.SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: batch.map((finding, j) => ({ Id: String(j), MessageBody: JSON.stringify({ type: 'trailguard.remediate', version: 1, finding } satisfies RemediationRequest) })),
        }),
      );
      if (result.Failed?.length) {
        throw new TrailguardError(`remediation queue refused ${result.Failed.length} of ${batch.length} request(s): ${result.Failed.map((f) => `${f.Code}: ${f.Message ?? ''}`).join('; ')}`, { code: 'remediation-queue' });
      }
    }
  };
}

/** Hands an approval to the remediate function; returns SQS's message id. */
export async function handApprovalToQueue(queueUrl: string, approval: { approvalId: string; by: string }, profile?: string): Promise<string> {
  const [{ SQSClient, SendMessageCommand }, { fromNodeProviderChain }] = await Promise.all([import('@aws-sdk/client-sqs'), import('@aws-sdk/credential-providers')]);
  const region = regionOf(queueUrl);
  const client = new SQSClient({ ...(region ? { region } : {}), credentials: fromNodeProviderChain(profile ? { profile } : {}) });
  try {
    const body: ApprovalRequest = { type: 'trailguard.approve', version: 1, ...approval };
    const result = await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(body) }));
    return result.MessageId ?? '(no id)';
  } finally {
    client.destroy();
  }
}
