/**
 * A remediation session: the runner wired to the store (log, approvals, claims) and, when notifications are
 * configured, to the notifier whose notices are committed with each decision. The CLI's `remediate`, the
 * remediate Lambda handler and `watch --remediate` all run remediation through this.
 */
import type { Notifier } from '../notify/notifier.js';
import { createRemediationNotices, type RemediationNotifier } from '../notify/remediation.js';
import type { RemediationClients } from '../remediate/clients.js';
import type { RemediationConfig } from '../remediate/config.js';
import type { RemediationReporter } from '../remediate/reporter.js';
import { createRemediationRunner, type RemediationRunner, type RunnerOptions } from '../remediate/runner.js';
import type { Store } from '../store/types.js';

export interface RemediationSessionOptions extends Pick<RunnerOptions, 'modeOverride' | 'lookups' | 'now' | 'newId' | 'claims'> {
  remediation: RemediationConfig;
  store: Store;
  clients: RemediationClients;
  /** Decisions become notices on the channels their findings' routes name (committed with the decision). */
  notifier?: Notifier;
  reporter?: RemediationReporter;
}

export interface RemediationSession {
  runner: RemediationRunner;
  /** The notices committed so far (present when a notifier is). */
  notices?: RemediationNotifier;
}

export function openRemediation(options: RemediationSessionOptions): RemediationSession {
  const notices = options.notifier ? createRemediationNotices(options.notifier) : undefined;
  const runner = createRemediationRunner({
    config: options.remediation,
    clients: options.clients,
    store: options.store.remediation,
    ...(notices ? { notices } : {}),
    ...(options.reporter ? { reporter: options.reporter } : {}),
    ...(options.modeOverride ? { modeOverride: options.modeOverride } : {}),
    ...(options.lookups !== undefined ? { lookups: options.lookups } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.newId ? { newId: options.newId } : {}),
    claims: { owner: options.store.owner, ...options.claims },
  });
  return { runner, ...(notices ? { notices } : {}) };
}
