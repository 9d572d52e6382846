/**
 * re-enable-kms-key: undoes KMS DisableKey with EnableKey on the same key (idempotent). A key that is
 * pending deletion cannot be enabled (KMSInvalidStateException): cancel-key-deletion handles that event.
 *
 * Permissions: kms:EnableKey (arn:${Partition}:kms:${Region}:${Account}:key/*; the key policy must
 * allow it too); lookup kms:ListResourceTags (key/*) for tag-scoped policy.
 */
import type { RemediationClients } from '../clients.js';
import type { RemediationAction, ResourceRef } from '../types.js';
import { arnAccount, arnRegion, by, execute, notApplicable, param, singlePlan, tagsFromList } from './shared.js';

export async function readKeyTags(resource: ResourceRef, clients: RemediationClients): Promise<Record<string, string>> {
  const out = (await clients.send({ service: 'kms', operation: 'ListResourceTags', region: resource.region, input: { KeyId: resource.id } })) as { Tags?: unknown };
  return tagsFromList(out.Tags, 'TagKey', 'TagValue');
}

/** Key id, region and account of a KMS event: the key ARN when recorded (response or request), else the request's id in the event's region. */
export function keyOf(record: Parameters<typeof param>[0], region: string, account: string): ResourceRef | undefined {
  const requested = param(record, 'keyId');
  const responseKey = record.responseElements && typeof record.responseElements.keyId === 'string' ? record.responseElements.keyId : undefined;
  const id = requested ?? responseKey;
  if (!id) return undefined;
  const arn = [requested, responseKey].find((k) => k?.startsWith('arn:'));
  return { type: 'kms-key', id, region: (arn && arnRegion(arn)) ?? region, account: (arn && arnAccount(arn)) ?? account };
}

export const reEnableKmsKey: RemediationAction = {
  id: 're-enable-kms-key',
  title: 'Enable a KMS key that was disabled',
  description: 'Undoes DisableKey: EnableKey on the same key.',
  triggers: { rules: ['kms-cmk-disabled-or-scheduled-deletion'], events: ['kms.amazonaws.com:DisableKey'] },
  permissions: [
    { actions: ['kms:EnableKey'], resource: 'arn:${Partition}:kms:${Region}:${Account}:key/*', purpose: 'remediate', note: 'the key policy must allow it as well' },
    { actions: ['kms:ListResourceTags'], resource: 'arn:${Partition}:kms:${Region}:${Account}:key/*', purpose: 'lookup', note: 'key tags (scope)' },
  ],
  async plan(input) {
    const { record } = input;
    if (record.eventSource !== 'kms.amazonaws.com' || record.eventName !== 'DisableKey') return notApplicable(reEnableKmsKey, record);
    const key = keyOf(record, input.region, input.account);
    if (!key) return { kind: 'skip', reason: 'unsupported', detail: 'the event names no key (requestParameters.keyId)' };
    return singlePlan(
      reEnableKmsKey.id,
      [{ service: 'kms', operation: 'EnableKey', input: { KeyId: key.id }, region: key.region, account: key.account, description: `enable KMS key ${key.id}` }],
      { done: `KMS key ${key.id} re-enabled that was disabled by ${by(input)}`, todo: `enable KMS key ${key.id} (disabled by ${by(input)})` },
      [key],
    );
  },
  execute,
  readTags: readKeyTags,
};

export default reEnableKmsKey;
