/**
 * start-config-recorder: undoes AWS Config StopConfigurationRecorder by starting the same recorder
 * (StartConfigurationRecorder, idempotent). A deleted recorder or delivery channel cannot be restored
 * from the event (its settings are not in it): not applicable. StartConfigurationRecorder fails with
 * NoAvailableDeliveryChannelException when the delivery channel is gone too; that is reported as failed.
 *
 * Permissions: config:StartConfigurationRecorder
 * (arn:${Partition}:config:${Region}:${Account}:configuration-recorder/*).
 */
import type { RemediationAction } from '../types.js';
import { by, execute, notApplicable, param, singlePlan } from './shared.js';

export const startConfigRecorder: RemediationAction = {
  id: 'start-config-recorder',
  title: 'Start the AWS Config recorder again',
  description: 'Undoes StopConfigurationRecorder: StartConfigurationRecorder on the same recorder.',
  triggers: { rules: ['config-disabled', 'aws-config-changes'], events: ['config.amazonaws.com:StopConfigurationRecorder'] },
  permissions: [{ actions: ['config:StartConfigurationRecorder'], resource: 'arn:${Partition}:config:${Region}:${Account}:configuration-recorder/*', purpose: 'remediate' }],
  async plan(input) {
    const { record } = input;
    if (record.eventSource !== 'config.amazonaws.com' || record.eventName !== 'StopConfigurationRecorder') {
      return notApplicable(startConfigRecorder, record, /^Delete/.test(record.eventName) ? `${record.eventName} cannot be undone from the event (the deleted settings are not in it)` : undefined);
    }
    const name = param(record, 'configurationRecorderName');
    if (!name) return { kind: 'skip', reason: 'unsupported', detail: 'the event names no recorder (requestParameters.configurationRecorderName)' };
    return singlePlan(
      startConfigRecorder.id,
      [{ service: 'config', operation: 'StartConfigurationRecorder', input: { ConfigurationRecorderName: name }, region: input.region, account: input.account, description: `start configuration recorder ${name}` }],
      { done: `configuration recorder ${name} restarted that was stopped by ${by(input)}`, todo: `start configuration recorder ${name} (stopped by ${by(input)})` },
      [{ type: 'config-recorder', id: name, region: input.region, account: input.account }],
    );
  },
  execute,
};

export default startConfigRecorder;
