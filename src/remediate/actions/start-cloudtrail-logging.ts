/**
 * start-cloudtrail-logging: undoes CloudTrail StopLogging by calling StartLogging on the same trail.
 *
 * The trail is `requestParameters.name` (a name or a trail ARN). StartLogging must be called in the
 * trail's home region (the ARN's region; for a name, the region the StopLogging was called in, which
 * had to be the home region too). StartLogging is idempotent. DeleteTrail cannot be undone this way
 * (the trail's settings are gone): not applicable.
 *
 * Permissions: cloudtrail:StartLogging (arn:${Partition}:cloudtrail:${Region}:${Account}:trail/*);
 * lookup cloudtrail:ListTags (trail/*) for tag-scoped policy.
 */
import type { RemediationClients } from '../clients.js';
import { partitionOfRegion as partitionOf } from '../../util/aws-partition.js';
import type { RemediationAction, ResourceRef } from '../types.js';
import { arnAccount, arnRegion, by, execute, notApplicable, param, singlePlan, tagsFromList } from './shared.js';

function trailArn(resource: ResourceRef): string {
  return resource.id.startsWith('arn:') ? resource.id : `arn:${partitionOf(resource.region)}:cloudtrail:${resource.region}:${resource.account}:trail/${resource.id}`;
}

async function readTags(resource: ResourceRef, clients: RemediationClients): Promise<Record<string, string>> {
  const out = (await clients.send({ service: 'cloudtrail', operation: 'ListTags', region: resource.region, input: { ResourceIdList: [trailArn(resource)] } })) as {
    ResourceTagList?: Array<{ TagsList?: unknown }>;
  };
  return tagsFromList(out.ResourceTagList?.[0]?.TagsList);
}

export const startCloudTrailLogging: RemediationAction = {
  id: 'start-cloudtrail-logging',
  title: 'Start logging again on a trail that was stopped',
  description: 'Undoes StopLogging: StartLogging on the same trail, in its home region.',
  triggers: { rules: ['cloudtrail-disabled', 'cloudtrail-config-changes'], events: ['cloudtrail.amazonaws.com:StopLogging'] },
  permissions: [
    { actions: ['cloudtrail:StartLogging'], resource: 'arn:${Partition}:cloudtrail:${Region}:${Account}:trail/*', purpose: 'remediate' },
    { actions: ['cloudtrail:ListTags'], resource: 'arn:${Partition}:cloudtrail:${Region}:${Account}:trail/*', purpose: 'lookup', note: 'trail tags (scope)' },
  ],
  async plan(input) {
    const { record } = input;
    if (record.eventSource !== 'cloudtrail.amazonaws.com' || record.eventName !== 'StopLogging') {
      return notApplicable(startCloudTrailLogging, record, record.eventName === 'DeleteTrail' ? 'a deleted trail cannot be started again: it must be recreated with its settings' : undefined);
    }
    const name = param(record, 'name');
    if (!name) return { kind: 'skip', reason: 'unsupported', detail: 'the event names no trail (requestParameters.name)' };
    const region = (name.startsWith('arn:') ? arnRegion(name) : undefined) ?? input.region;
    const account = (name.startsWith('arn:') ? arnAccount(name) : undefined) ?? input.account;
    const resource: ResourceRef = { type: 'trail', id: name, region, account };
    return singlePlan(
      startCloudTrailLogging.id,
      [{ service: 'cloudtrail', operation: 'StartLogging', input: { Name: name }, region, account, description: `start logging on trail ${name}` }],
      { done: `logging restarted on trail ${name} that was stopped by ${by(input)}`, todo: `start logging on trail ${name} (stopped by ${by(input)})` },
      [resource],
    );
  },
  execute,
  readTags,
};

export default startCloudTrailLogging;
