/** Every remediation action, by id. One action per file; each declares the IAM permissions it needs. */
import type { RemediationAction } from '../types.js';
import { attachDenyAllPolicy } from './attach-deny-all-policy.js';
import { cancelKeyDeletion } from './cancel-key-deletion.js';
import { deactivateAccessKey } from './deactivate-access-key.js';
import { enableGuardDuty } from './enable-guardduty.js';
import { enableSecurityHub } from './enable-security-hub.js';
import { reEnableKmsKey } from './re-enable-kms-key.js';
import { restoreS3PublicAccessBlock } from './restore-s3-public-access-block.js';
import { revokeSecurityGroupEgress } from './revoke-security-group-egress.js';
import { revokeSecurityGroupIngress } from './revoke-security-group-ingress.js';
import { startCloudTrailLogging } from './start-cloudtrail-logging.js';
import { startConfigRecorder } from './start-config-recorder.js';

export const ACTIONS: readonly RemediationAction[] = [
  revokeSecurityGroupIngress,
  revokeSecurityGroupEgress,
  startCloudTrailLogging,
  startConfigRecorder,
  enableSecurityHub,
  enableGuardDuty,
  reEnableKmsKey,
  cancelKeyDeletion,
  restoreS3PublicAccessBlock,
  deactivateAccessKey,
  attachDenyAllPolicy,
];

export const ACTION_IDS = ACTIONS.map((a) => a.id) as [string, ...string[]];

const BY_ID = new Map(ACTIONS.map((a) => [a.id, a]));

export function getAction(id: string): RemediationAction | undefined {
  return BY_ID.get(id);
}

export {
  attachDenyAllPolicy,
  cancelKeyDeletion,
  deactivateAccessKey,
  enableGuardDuty,
  enableSecurityHub,
  reEnableKmsKey,
  restoreS3PublicAccessBlock,
  revokeSecurityGroupEgress,
  revokeSecurityGroupIngress,
  startCloudTrailLogging,
  startConfigRecorder,
};
