/**
 * cancel-key-deletion: undoes KMS ScheduleKeyDeletion with CancelKeyDeletion while the key is still
 * pending deletion. A DescribeKey lookup first: a key no longer PendingDeletion needs nothing.
 *
 * CancelKeyDeletion leaves the key Disabled. Whether it was enabled before the schedule is not in the
 * event, so by default it stays Disabled (the irreversible part, deletion, is what is undone; enabling
 * a key restores data access and is a separate decision). Option `enable: true` adds EnableKey after
 * the cancel; or configure re-enable-kms-key on the DisableKey event if that is how the key was disabled.
 *
 * Permissions: kms:CancelKeyDeletion (+ kms:EnableKey with enable: true) on
 * arn:${Partition}:kms:${Region}:${Account}:key/*; lookups kms:DescribeKey, kms:ListResourceTags (key/*).
 */
import * as z from 'zod';
import { errorCodeOf, errorMessageOf } from '../execute.js';
import type { PermissionSpec, PlannedCall, RemediationAction } from '../types.js';
import { readKeyTags, keyOf } from './re-enable-kms-key.js';
import { by, execute, notApplicable, singlePlan } from './shared.js';

const optionsSchema = z.strictObject({ enable: z.boolean().optional() });

const base: PermissionSpec[] = [
  { actions: ['kms:CancelKeyDeletion'], resource: 'arn:${Partition}:kms:${Region}:${Account}:key/*', purpose: 'remediate', note: 'the key policy must allow it as well' },
  { actions: ['kms:DescribeKey', 'kms:ListResourceTags'], resource: 'arn:${Partition}:kms:${Region}:${Account}:key/*', purpose: 'lookup', note: 'key state (still pending deletion?) and tags (scope)' },
];

export const cancelKeyDeletion: RemediationAction = {
  id: 'cancel-key-deletion',
  title: 'Cancel the scheduled deletion of a KMS key',
  description: 'Undoes ScheduleKeyDeletion: CancelKeyDeletion (the key is then Disabled; option enable: true enables it too).',
  triggers: { rules: ['kms-cmk-disabled-or-scheduled-deletion'], events: ['kms.amazonaws.com:ScheduleKeyDeletion'] },
  permissions: base,
  permissionsFor: (options) =>
    options.enable === true ? [...base, { actions: ['kms:EnableKey'], resource: 'arn:${Partition}:kms:${Region}:${Account}:key/*', purpose: 'remediate' }] : base,
  optionsSchema,
  async plan(input, context) {
    const { record } = input;
    if (record.eventSource !== 'kms.amazonaws.com' || record.eventName !== 'ScheduleKeyDeletion') return notApplicable(cancelKeyDeletion, record);
    const key = keyOf(record, input.region, input.account);
    if (!key) return { kind: 'skip', reason: 'unsupported', detail: 'the event names no key (requestParameters.keyId)' };
    const notes: string[] = [];
    if (context.lookups) {
      try {
        const described = (await context.clients.send({ service: 'kms', operation: 'DescribeKey', region: key.region, input: { KeyId: key.id } })) as { KeyMetadata?: { KeyState?: string } };
        const state = described.KeyMetadata?.KeyState;
        if (state !== undefined && state !== 'PendingDeletion' && state !== 'PendingReplicaDeletion') {
          return { kind: 'skip', reason: 'already-remediated', detail: `KMS key ${key.id} is no longer pending deletion (${state})`, resources: [key] };
        }
      } catch (error) {
        notes.push(`DescribeKey failed (${errorCodeOf(error)}: ${errorMessageOf(error)}): key state not checked`);
      }
    }
    const enable = (context.options as z.infer<typeof optionsSchema>).enable === true;
    const calls: PlannedCall[] = [{ service: 'kms', operation: 'CancelKeyDeletion', input: { KeyId: key.id }, region: key.region, account: key.account, description: `cancel the deletion of KMS key ${key.id}` }];
    if (enable) calls.push({ service: 'kms', operation: 'EnableKey', input: { KeyId: key.id }, region: key.region, account: key.account, description: `enable KMS key ${key.id}` });
    else notes.push('CancelKeyDeletion leaves the key Disabled; whether it was enabled before is not in the event (options.enable: true enables it)');
    return singlePlan(
      cancelKeyDeletion.id,
      calls,
      {
        done: `deletion of KMS key ${key.id} cancelled${enable ? ' and the key enabled' : ' (key left Disabled)'}; it was scheduled by ${by(input)}`,
        todo: `cancel the deletion of KMS key ${key.id}${enable ? ' and enable it' : ''} (scheduled by ${by(input)})`,
      },
      [key],
      notes,
    );
  },
  execute,
  readTags: readKeyTags,
};

export default cancelKeyDeletion;
