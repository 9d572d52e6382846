/**
 * A separate process working a store's outbox, for the crash test: it is SIGKILLed mid-delivery and
 * started again on the same store.   node --import tsx outbox-worker.ts <store> <url> <enqueue-count|0>
 */
import './loopback-only.js';
import { notificationsConfigSchema } from '../../../src/notify/config.js';
import { createNotifier } from '../../../src/notify/notifier.js';
import { openSqliteStore } from '../../../src/store/sqlite/index.js';
import { makeFinding } from './findings.js';

const [storePath, url, count] = process.argv.slice(2);
const config = notificationsConfigSchema.parse({
  channels: {
    hook: {
      type: 'webhook',
      url: url!,
      delivery: { timeoutSeconds: 5, initialBackoffSeconds: 0.05, maxBackoffSeconds: 0.2, maxAttempts: 20, concurrency: 2 },
      dedupe: { windowSeconds: 0 },
      storm: { threshold: 0 },
    },
  },
});
const store = openSqliteStore(storePath!);
const notifier = createNotifier({ config, store, log: (level, message) => process.stderr.write(`${level}: ${message}\n`), pollMs: 50 });
const n = Number(count);
if (n > 0) await notifier.enqueue(Array.from({ length: n }, (_, i) => makeFinding(i)));
process.stdout.write(`ready ${process.pid}\n`);
const report = await notifier.deliver({ deadline: Date.now() + 30_000 });
process.stdout.write(`${JSON.stringify(report)}\n`);
await notifier.close();
await store.close();
