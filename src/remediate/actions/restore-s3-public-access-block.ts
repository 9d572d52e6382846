/**
 * restore-s3-public-access-block: undoes S3 Block Public Access being removed or weakened.
 *
 * - PutBucketPublicAccessBlock / DeleteBucketPublicAccessBlock: PutPublicAccessBlock on the bucket with
 *   all four settings true. For a Put, that turns back on exactly what the event turned off (the
 *   settings it left true stay true); for a Delete the previous configuration is not in the event and
 *   the full block is restored. ExpectedBucketOwner is the event's account, so a bucket deleted and
 *   re-created by someone else is never touched.
 * - PutAccountPublicAccessBlock / DeleteAccountPublicAccessBlock: the account-level setting is an S3
 *   Control API (s3control PutPublicAccessBlock { AccountId, PublicAccessBlockConfiguration }); its SDK
 *   client @aws-sdk/client-s3-control is not a dependency yet: the plan is made and shown, and
 *   executing it fails with that reason until the package is installed.
 *
 * Permissions: s3:PutBucketPublicAccessBlock (arn:${Partition}:s3:::*), s3:PutAccountPublicAccessBlock
 * ("*"); lookup s3:GetBucketTagging (arn:${Partition}:s3:::*) for tag-scoped policy.
 */
import type { RemediationClients } from '../clients.js';
import { errorCodeOf } from '../execute.js';
import type { PlannedCall, RemediationAction, ResourceRef } from '../types.js';
import { by, execute, notApplicable, param, singlePlan, tagsFromList } from './shared.js';

const FULL_BLOCK = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };
const SETTINGS = Object.keys(FULL_BLOCK);

const EVENTS = ['PutBucketPublicAccessBlock', 'DeleteBucketPublicAccessBlock', 'PutAccountPublicAccessBlock', 'DeleteAccountPublicAccessBlock'];

/** The settings a Put turned off (false, "false" or left out, which S3 reads as false). */
function turnedOff(record: { requestParameters?: Record<string, unknown> | null }): string[] {
  const config = record.requestParameters?.PublicAccessBlockConfiguration as Record<string, unknown> | undefined;
  return SETTINGS.filter((k) => !(config && (config[k] === true || config[k] === 'true')));
}

async function readTags(resource: ResourceRef, clients: RemediationClients): Promise<Record<string, string>> {
  if (resource.type !== 's3-bucket') return {};
  try {
    const out = (await clients.send({ service: 's3', operation: 'GetBucketTagging', region: resource.region, input: { Bucket: resource.id, ExpectedBucketOwner: resource.account } })) as { TagSet?: unknown };
    return tagsFromList(out.TagSet);
  } catch (error) {
    if (errorCodeOf(error) === 'NoSuchTagSet') return {};
    throw error;
  }
}

export const restoreS3PublicAccessBlock: RemediationAction = {
  id: 'restore-s3-public-access-block',
  title: 'Turn S3 Block Public Access back on',
  description: 'Undoes Put/Delete of a bucket\'s or the account\'s Block Public Access configuration: all four settings back to true.',
  triggers: { rules: ['s3-public-access-block-removed'], events: EVENTS.map((e) => `s3.amazonaws.com:${e}`) },
  permissions: [
    { actions: ['s3:PutBucketPublicAccessBlock'], resource: 'arn:${Partition}:s3:::*', purpose: 'remediate' },
    { actions: ['s3:PutAccountPublicAccessBlock'], resource: '*', purpose: 'remediate', note: 'account level (s3control PutPublicAccessBlock); no resource type' },
    { actions: ['s3:GetBucketTagging'], resource: 'arn:${Partition}:s3:::*', purpose: 'lookup', note: 'bucket tags (scope)' },
  ],
  async plan(input) {
    const { record } = input;
    if (record.eventSource !== 's3.amazonaws.com' || !EVENTS.includes(record.eventName)) return notApplicable(restoreS3PublicAccessBlock, record);
    const isPut = record.eventName.startsWith('Put');
    const off = isPut ? turnedOff(record) : SETTINGS;
    if (isPut && off.length === 0) return { kind: 'skip', reason: 'nothing-to-undo', detail: 'the event turned no setting off' };
    const what = isPut ? off.join(', ') : 'Block Public Access';
    const notes = isPut ? [] : ['the configuration before the delete is not in the event: all four settings are turned on'];
    if (record.eventName.includes('Account')) {
      const call: PlannedCall = {
        service: 's3control',
        operation: 'PutPublicAccessBlock',
        input: { AccountId: input.account, PublicAccessBlockConfiguration: { ...FULL_BLOCK } },
        region: input.region,
        account: input.account,
        description: `turn on account-level S3 Block Public Access in ${input.account}`,
      };
      return singlePlan(
        restoreS3PublicAccessBlock.id,
        [call],
        { done: `account-level S3 Block Public Access (${what}) turned back on in ${input.account} after ${by(input)} ${isPut ? 'weakened' : 'removed'} it`, todo: `turn account-level S3 Block Public Access (${what}) back on in ${input.account} (${isPut ? 'weakened' : 'removed'} by ${by(input)})` },
        [{ type: 's3-account', id: input.account, region: input.region, account: input.account }],
        [...notes, 'the account-level call needs @aws-sdk/client-s3-control'],
      );
    }
    const bucket = param(record, 'bucketName');
    if (!bucket) return { kind: 'skip', reason: 'unsupported', detail: 'the event names no bucket (requestParameters.bucketName)' };
    return singlePlan(
      restoreS3PublicAccessBlock.id,
      [
        {
          service: 's3',
          operation: 'PutPublicAccessBlock',
          input: { Bucket: bucket, ExpectedBucketOwner: input.account, PublicAccessBlockConfiguration: { ...FULL_BLOCK } },
          region: input.region,
          account: input.account,
          description: `turn on S3 Block Public Access for bucket ${bucket}`,
        },
      ],
      { done: `S3 Block Public Access (${what}) turned back on for bucket ${bucket} after ${by(input)} ${isPut ? 'weakened' : 'removed'} it`, todo: `turn S3 Block Public Access (${what}) back on for bucket ${bucket} (${isPut ? 'weakened' : 'removed'} by ${by(input)})` },
      [{ type: 's3-bucket', id: bucket, region: input.region, account: input.account }],
      notes,
    );
  },
  execute,
  readTags,
};

export default restoreS3PublicAccessBlock;
