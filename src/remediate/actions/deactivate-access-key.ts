/**
 * deactivate-access-key (containment, opt-in only): deactivates the long-term access key the event was
 * made with: UpdateAccessKey { UserName, AccessKeyId, Status: Inactive }. It undoes nothing: it stops
 * a principal that is presumed compromised, whatever the event. Never part of any default.
 *
 * Applies to IAM users calling with a long-term key (AKIA...). Temporary keys (ASIA..., role sessions,
 * GetSessionToken) cannot be deactivated (attach-deny-all-policy contains those), root's keys are not
 * managed through IAM, and AWS services acting for a principal are never contained. A user or key
 * deleted since (NoSuchEntity) counts as done. Deactivating is reversible (Status: Active).
 *
 * Permissions: iam:UpdateAccessKey (arn:${Partition}:iam::${Account}:user/*); lookup iam:ListUserTags
 * (user/*) for tag-scoped policy.
 */
import type { RemediationClients } from '../clients.js';
import type { RemediationAction, ResourceRef } from '../types.js';
import { execute, singlePlan, tagsFromList } from './shared.js';

export async function readUserOrRoleTags(resource: ResourceRef, clients: RemediationClients): Promise<Record<string, string>> {
  const isUser = resource.type === 'iam-user';
  const out = (await clients.send({
    service: 'iam',
    operation: isUser ? 'ListUserTags' : 'ListRoleTags',
    region: resource.region,
    input: isUser ? { UserName: resource.id } : { RoleName: resource.id },
  })) as { Tags?: unknown };
  return tagsFromList(out.Tags);
}

export const deactivateAccessKey: RemediationAction = {
  id: 'deactivate-access-key',
  title: 'Deactivate the access key of a presumed-compromised IAM user (containment)',
  description: 'Containment, opt-in: UpdateAccessKey Status=Inactive on the long-term key the event was made with.',
  triggers: { rules: [], events: [] },
  containment: true,
  permissions: [
    { actions: ['iam:UpdateAccessKey'], resource: 'arn:${Partition}:iam::${Account}:user/*', purpose: 'remediate' },
    { actions: ['iam:ListUserTags'], resource: 'arn:${Partition}:iam::${Account}:user/*', purpose: 'lookup', note: 'user tags (scope)' },
  ],
  async plan(input) {
    const { actor } = input;
    const keyId = actor.accessKeyId;
    if (actor.type !== 'IAMUser') {
      return { kind: 'skip', reason: 'not-applicable', detail: `the event was made by ${actor.type} ${actor.name}, not an IAM user with an access key${actor.type === 'AssumedRole' ? ' (attach-deny-all-policy contains role sessions)' : ''}` };
    }
    if (actor.invokedBy) return { kind: 'skip', reason: 'not-applicable', detail: `the call was made by ${actor.invokedBy} on the user's behalf` };
    if (!keyId) return { kind: 'skip', reason: 'not-applicable', detail: 'the event records no access key (console sign-in session)' };
    if (!keyId.startsWith('AKIA')) return { kind: 'skip', reason: 'not-applicable', detail: `${keyId} is a temporary key (not AKIA...): it cannot be deactivated; attach-deny-all-policy contains it` };
    const userName = typeof input.record.userIdentity?.userName === 'string' ? input.record.userIdentity.userName : actor.name;
    const account = actor.accountId ?? input.account;
    return singlePlan(
      deactivateAccessKey.id,
      [
        {
          service: 'iam',
          operation: 'UpdateAccessKey',
          input: { UserName: userName, AccessKeyId: keyId, Status: 'Inactive' },
          region: input.region,
          account,
          description: `deactivate access key ${keyId} of IAM user ${userName}`,
          alreadyDoneCodes: ['NoSuchEntity', 'NoSuchEntityException'],
        },
      ],
      { done: `access key ${keyId} of IAM user ${userName} deactivated after ${input.record.eventName}`, todo: `deactivate access key ${keyId} of IAM user ${userName} (used for ${input.record.eventName})` },
      [{ type: 'iam-user', id: userName, region: input.region, account }],
      ['containment: reversible with UpdateAccessKey Status=Active once the user is cleared'],
    );
  },
  execute,
  readTags: readUserOrRoleTags,
};

export default deactivateAccessKey;
