/**
 * A separate process that remediates findings (dry-run) with notification of the decisions, then
 * delivers them, for the crash test: SIGKILLed mid-delivery and started again on the same store with
 * nothing new to decide (count 0), it only works the outbox.
 *   node --import tsx remediation-worker.ts <store> <url> <finding-count|0>
 */
import './loopback-only.js';
import { notificationsConfigSchema } from '../../../src/notify/config.js';
import { createNotifier } from '../../../src/notify/notifier.js';
import { createRemediationNotifier } from '../../../src/notify/remediation.js';
import { ApprovalStore } from '../../../src/remediate/approvals.js';
import type { RemediationClients } from '../../../src/remediate/clients.js';
import { remediationConfigSchema } from '../../../src/remediate/config.js';
import { RemediationLog } from '../../../src/remediate/log.js';
import { createRemediationRunner } from '../../../src/remediate/runner.js';
import { openStore } from '../../../src/store/index.js';
import { makeFinding } from './findings.js';

const [storePath, url, count] = process.argv.slice(2);
const config = notificationsConfigSchema.parse({
  channels: { hook: { type: 'webhook', url: url!, delivery: { timeoutSeconds: 5, initialBackoffSeconds: 0.05, maxBackoffSeconds: 0.2, maxAttempts: 20, concurrency: 2 } } },
});
const store = openStore(storePath!);
const notifier = createNotifier({ config, store, log: (level, message) => process.stderr.write(`${level}: ${message}\n`), pollMs: 50 });
const offline: RemediationClients = { send: () => Promise.reject(new Error('offline')), forAccount: () => offline };
const runner = createRemediationRunner({
  config: remediationConfigSchema.parse({ rules: { 'cloudtrail-disabled': { action: 'start-cloudtrail-logging' } } }),
  clients: offline,
  lookups: false,
  log: new RemediationLog(store),
  approvals: new ApprovalStore(store),
  reporter: createRemediationNotifier(notifier),
  transaction: store.transaction,
});
for (let i = 0; i < Number(count); i++) await runner.handleFinding(makeFinding(i));
if (runner.problems.length > 0) throw new Error(runner.problems.join('\n'));
process.stdout.write(`ready ${process.pid}\n`);
const report = await notifier.deliver({ deadline: Date.now() + 30_000, kinds: ['remediation'] });
process.stdout.write(`${JSON.stringify(report)}\n`);
await notifier.close();
store.close();
