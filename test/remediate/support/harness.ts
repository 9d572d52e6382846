/** A runner wired to an in-memory store and recording reporter, with clients aws-sdk-client-mock can intercept. */
import { loadRules } from '../../../src/rules/load.js';
import { createDetector } from '../../../src/detect/detector.js';
import type { CloudTrailRecord } from '../../../src/cloudtrail/types.js';
import type { Finding } from '../../../src/findings/types.js';
import { createRemediationClients, type RemediationClients } from '../../../src/remediate/clients.js';
import { remediationConfigSchema } from '../../../src/remediate/config.js';
import { createRemediationRunner, type RemediationRunner, type RunnerOptions } from '../../../src/remediate/runner.js';
import type { RemediationDecision } from '../../../src/remediate/types.js';
import { openSqliteStore } from '../../../src/store/sqlite/index.js';

export const NOW = new Date('2026-11-20T10:06:00Z');

/** Clients that never reach the network by themselves: every test mocks the client classes it uses. */
export function mockedClients(): RemediationClients {
  return createRemediationClients({ configFor: () => ({ credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }, maxAttempts: 1 }) });
}

/**
 * A runner over a fresh in-memory SQLite store, with a clock the test moves and ids id-1, id-2 ...
 * `another(options)` makes a second runner on the same store, clock and id sequence (a second Lambda
 * instance handling the same events); its decisions are reported to the same list.
 */
export function harness(config: unknown = {}, options: Partial<RunnerOptions> = {}) {
  const store = openSqliteStore(':memory:');
  const reported: RemediationDecision[] = [];
  let clock = NOW.getTime();
  let ids = 0;
  const parsed = remediationConfigSchema.parse(config);
  const make = (overrides: Partial<RunnerOptions> = {}): RemediationRunner =>
    createRemediationRunner({
      config: parsed,
      clients: mockedClients(),
      store: store.remediation,
      reporter: { report: (d) => void reported.push(d) },
      now: () => new Date(clock),
      newId: () => `id-${++ids}`,
      ...options,
      ...overrides,
    });
  return {
    runner: make(),
    another: make,
    store,
    /** The raw SQLite database under the store. */
    db: store.sqlite.db,
    reported,
    now: () => clock,
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
