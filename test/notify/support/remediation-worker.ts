/**
 * A separate process that remediates findings (dry-run) with notification of the decisions, then
 * delivers them, for the crash test: SIGKILLed mid-delivery and started again on the same store with
 * nothing new to decide (count 0), it only works the outbox.
 *   node --import tsx remediation-worker.ts <store> <url> <finding-count|0>
 */
import './loopback-only.js';
import { notificationsConfigSchema } from '../../../src/notify/config.js';
import { createNotifier } from '../../../src/notify/notifier.js';
import { createRemediationNotices } from '../../../src/notify/remediation.js';
import type { RemediationClients } from '../../../src/remediate/clients.js';
import { remediationConfigSchema } from '../../../src/remediate/config.js';
import { createRemediationRunner } from '../../../src/remediate/runner.js';
import { openSqliteStore } from '../../../src/store/sqlite/index.js';
import { makeFinding } from './findings.js';

const [storePath, url, count] = process.argv.slice(2);
const config = notificationsConfigSchema.parse({
  channels: { hook: { type: 'webhook', url: url!, delivery: { timeoutSeconds: 5, initialBackoffSeconds: 0.05, maxBackoffSeconds: 0.2, maxAttempts: 20, concurrency: 2 } } },
});
const store = openSqliteStore(storePath!);
const notifier = createNotifier({ config, store, log: (level, message) => process.stderr.write(`${level}: ${message}\n`), pollMs: 50 });
const offline: RemediationClients = { send: () => Promise.reject(new Error('offline')), forAccount: () => offline };
const runner = createRemediationRunner({
  config: remediationConfigSchema.parse({ rules: { 'cloudtrail-disabled': { action: 'start-cloudtrail-logging' } } }),
  clients: offline,
  lookups: false,
  store: store.remediation,
  notices: createRemediationNotices(notifier),
});
for (let i = 0; i < Number(count); i++) await runner.handleFinding(makeFinding(i));
if (runner.problems.length > 0) throw new Error(runner.problems.join('\n'));
process.stdout.write(`ready ${process.pid}\n`);
const report = await notifier.deliver({ deadline: Date.now() + 30_000, kinds: ['remediation'] });
process.stdout.write(`${JSON.stringify(report)}\n`);
await notifier.close();
await store.close();
