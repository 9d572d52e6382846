/** A runner wired to an in-memory store and recording reporter, with clients aws-sdk-client-mock can intercept. */
import { loadRules } from '../../../src/rules/load.js';
import { createDetector } from '../../../src/detect/detector.js';
import type { CloudTrailRecord } from '../../../src/cloudtrail/types.js';
import type { Finding } from '../../../src/findings/types.js';
import { ApprovalStore } from '../../../src/remediate/approvals.js';
import { createRemediationClients, type RemediationClients } from '../../../src/remediate/clients.js';
import { remediationConfigSchema } from '../../../src/remediate/config.js';
import { RemediationLog } from '../../../src/remediate/log.js';
import { createRemediationRunner, type RunnerOptions } from '../../../src/remediate/runner.js';
import type { RemediationDecision } from '../../../src/remediate/types.js';
import { openStore } from '../../../src/store/store.js';

export const NOW = new Date('2026-11-20T10:06:00Z');

/** Clients that never reach the network by themselves: every test mocks the client classes it uses. */
export function mockedClients(): RemediationClients {
  return createRemediationClients({ configFor: () => ({ credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }, maxAttempts: 1 }) });
}

export function harness(config: unknown = {}, options: Partial<RunnerOptions> = {}) {
  const store = openStore(':memory:');
  const { db } = store;
  const log = new RemediationLog(store);
  const approvals = new ApprovalStore(store);
  const reported: RemediationDecision[] = [];
  let clock = NOW.getTime();
  let ids = 0;
  const runner = createRemediationRunner({
    config: remediationConfigSchema.parse(config),
    clients: mockedClients(),
    log,
    approvals,
    reporter: { report: (d) => void reported.push(d) },
    now: () => new Date(clock),
    newId: () => `id-${++ids}`,
    ...options,
  });
  return {
    runner,
    log,
    approvals,
    reported,
    db,
    store,
    advance(ms: number) {
      clock += ms;
    },
  };
}

let detector: ReturnType<typeof createDetector> | undefined;

/** The findings the built-in catalog produces for a record (the real rule → finding path). */
export function findingsFor(record: CloudTrailRecord): Finding[] {
  detector ??= createDetector(loadRules().rules);
  return detector.evaluate(record);
}

export function findingFor(record: CloudTrailRecord, ruleId: string): Finding {
  const finding = findingsFor(record).find((f) => f.ruleId === ruleId);
  if (!finding) throw new Error(`rule ${ruleId} did not match ${record.eventName}: ${findingsFor(record).map((f) => f.ruleId).join(', ')}`);
  return finding;
}
