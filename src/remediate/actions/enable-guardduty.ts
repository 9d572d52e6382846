/**
 * enable-guardduty: undoes GuardDuty being switched off in a region.
 *
 * - UpdateDetector with enable=false (suspension): UpdateDetector { DetectorId, Enable: true } on the
 *   same detector (idempotent).
 * - DeleteDetector: the detector and its findings are gone; CreateDetector { Enable: true } makes a new
 *   one, with ClientToken derived from the event id so a repeated run cannot create two. A ListDetectors
 *   lookup first: when a detector already exists again (someone re-created it), nothing is done.
 *   The old detector's settings are not in the event: options findingPublishingFrequency and features
 *   (GuardDuty's Features list, e.g. [{ Name: S3_DATA_EVENTS, Status: ENABLED }]) set the new one's.
 *
 * Permissions: guardduty:UpdateDetector (arn:${Partition}:guardduty:${Region}:${Account}:detector/*),
 * guardduty:CreateDetector ("*": it has no resource type), iam:CreateServiceLinkedRole for
 * guardduty.amazonaws.com (first detector only); lookup guardduty:ListDetectors ("*").
 */
import * as z from 'zod';
import { errorCodeOf, errorMessageOf } from '../execute.js';
import type { PlannedCall, RemediationAction } from '../types.js';
import { by, execute, notApplicable, param, singlePlan } from './shared.js';

const optionsSchema = z.strictObject({
  findingPublishingFrequency: z.enum(['FIFTEEN_MINUTES', 'ONE_HOUR', 'SIX_HOURS']).optional(),
  features: z.array(z.strictObject({ Name: z.string().min(1), Status: z.enum(['ENABLED', 'DISABLED']) })).optional(),
});

function isDisable(record: { eventName: string; requestParameters?: Record<string, unknown> | null }): boolean {
  const enable = record.requestParameters?.enable;
  return record.eventName === 'UpdateDetector' && (enable === false || enable === 'false');
}

export const enableGuardDuty: RemediationAction = {
  id: 'enable-guardduty',
  title: 'Re-enable (or re-create) the GuardDuty detector',
  description: 'Undoes UpdateDetector(enable=false) with UpdateDetector(Enable=true), and DeleteDetector with CreateDetector(Enable=true).',
  triggers: { rules: ['guardduty-disabled'], events: ['guardduty.amazonaws.com:UpdateDetector', 'guardduty.amazonaws.com:DeleteDetector'] },
  permissions: [
    { actions: ['guardduty:UpdateDetector'], resource: 'arn:${Partition}:guardduty:${Region}:${Account}:detector/*', purpose: 'remediate' },
    { actions: ['guardduty:CreateDetector'], resource: '*', purpose: 'remediate', note: 'CreateDetector has no resource type' },
    {
      actions: ['iam:CreateServiceLinkedRole'],
      resource: 'arn:${Partition}:iam::${Account}:role/aws-service-role/guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty',
      condition: { StringEquals: { 'iam:AWSServiceName': 'guardduty.amazonaws.com' } },
      purpose: 'remediate',
      note: 'CreateDetector creates the service-linked role when it does not exist',
    },
    { actions: ['guardduty:ListDetectors'], resource: '*', purpose: 'lookup', note: 'is there a detector again already (before CreateDetector)' },
  ],
  optionsSchema,
  async plan(input, context) {
    const { record } = input;
    if (record.eventSource !== 'guardduty.amazonaws.com' || !(record.eventName === 'DeleteDetector' || isDisable(record))) {
      return notApplicable(enableGuardDuty, record, record.eventName === 'UpdateDetector' ? 'the UpdateDetector call did not disable the detector' : undefined);
    }
    const detectorId = param(record, 'detectorId');
    const where = `${input.account}/${input.region}`;
    if (record.eventName === 'UpdateDetector') {
      if (!detectorId) return { kind: 'skip', reason: 'unsupported', detail: 'the event names no detector (requestParameters.detectorId)' };
      return singlePlan(
        enableGuardDuty.id,
        [{ service: 'guardduty', operation: 'UpdateDetector', input: { DetectorId: detectorId, Enable: true }, region: input.region, account: input.account, description: `enable GuardDuty detector ${detectorId}` }],
        { done: `GuardDuty detector ${detectorId} re-enabled in ${where} after ${by(input)} suspended it`, todo: `enable GuardDuty detector ${detectorId} in ${where} (suspended by ${by(input)})` },
        [{ type: 'guardduty-detector', id: detectorId, region: input.region, account: input.account }],
      );
    }
    const notes = ['the deleted detector\'s findings are gone and its settings are not in the event: the new detector gets GuardDuty\'s defaults unless options say otherwise'];
    if (context.lookups) {
      try {
        const listed = (await context.clients.send({ service: 'guardduty', operation: 'ListDetectors', region: input.region, input: {} })) as { DetectorIds?: string[] };
        const existing = listed.DetectorIds ?? [];
        if (existing.length > 0) return { kind: 'skip', reason: 'already-remediated', detail: `GuardDuty has a detector in ${where} again (${existing.join(', ')})` };
      } catch (error) {
        notes.push(`ListDetectors failed (${errorCodeOf(error)}: ${errorMessageOf(error)}): not known whether a detector exists again`);
      }
    }
    const options = context.options as z.infer<typeof optionsSchema>;
    const request: Record<string, unknown> = { Enable: true };
    if (input.eventId) request.ClientToken = `trailguard-${input.eventId}`.slice(0, 64);
    if (options.findingPublishingFrequency) request.FindingPublishingFrequency = options.findingPublishingFrequency;
    if (options.features) request.Features = options.features;
    const call: PlannedCall = { service: 'guardduty', operation: 'CreateDetector', input: request, region: input.region, account: input.account, description: `create an enabled GuardDuty detector in ${where}` };
    return singlePlan(
      enableGuardDuty.id,
      [call],
      { done: `GuardDuty re-created and enabled in ${where} after ${by(input)} deleted detector ${detectorId ?? ''}`.trimEnd(), todo: `create an enabled GuardDuty detector in ${where} (${by(input)} deleted ${detectorId ?? 'the detector'})` },
      [{ type: 'guardduty-detector', id: detectorId ?? 'new', region: input.region, account: input.account }],
      notes,
    );
  },
  execute,
};

export default enableGuardDuty;
