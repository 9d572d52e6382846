/**
 * The AWS SDK clients remediation calls (every service an action may call), with the config's cross-account
 * role. A module of its own so that what only decides or expires (the deliver function, `remediate pending`)
 * never loads — or bundles — the SDK clients of EC2, IAM, KMS and the rest.
 */
import type { RemediationClients } from '../remediate/clients.js';
import type { RemediationConfig } from '../remediate/config.js';

export async function remediationClients(remediation: RemediationConfig, options: { profile?: string } = {}): Promise<RemediationClients> {
  const { defaultRemediationClients } = await import('../remediate/clients.js');
  return defaultRemediationClients({ ...(options.profile ? { profile: options.profile } : {}), ...(remediation.assumeRole ? { assumeRole: remediation.assumeRole } : {}) });
}
