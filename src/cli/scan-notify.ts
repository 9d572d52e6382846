/**
 * `scan --notify` on the command line: the config's store and channels, findings queued as the scan finds
 * them, delivered when it is done, with the outcome on stderr. Loaded only when --notify is given.
 */
import type { LoadedConfig } from '../config/load.js';
import type { Finding } from '../findings/types.js';
import type { RunReport } from '../notify/dispatcher.js';
import { openNotifications } from '../app/notifications.js';
import { scanNotifications } from '../app/scan.js';
import { openCommandStore } from './command-context.js';
import { reportRun, reporterLogger, stopOnSignals } from './notify-run.js';
import type { Reporter } from './reporter.js';
import { parseDurationOption } from './time-options.js';
import { UsageError } from './usage-error.js';

export interface ScanNotifyOptions {
  store?: string;
  notifyTimeout?: string;
  verbose?: boolean;
  quiet?: boolean;
}

export interface CliScanNotifications {
  add(finding: Finding): Promise<void>;
  /** Writes what is queued, delivers until done or the timeout, reports on stderr and closes the store. */
  finish(): Promise<RunReport>;
  /** Keeps what was found for `notify run`, delivers nothing, closes the store. */
  abort(): Promise<void>;
}

export async function startScanNotifications(loaded: LoadedConfig, options: ScanNotifyOptions, io: { stdout: NodeJS.WritableStream; reporter: Reporter; cwd?: string }): Promise<CliScanNotifications> {
  const notificationsConfig = loaded.config.notifications;
  if (!notificationsConfig) throw new UsageError(`--notify: no notifications are configured: add a "notifications:" section with channels to ${loaded.file ?? 'trailguard.config.yaml'} (or name the file with --config)`);
  const timeout = parseDurationOption('--notify-timeout', options.notifyTimeout ?? '60s');
  const { store } = await openCommandStore(loaded, options, 'create', io.cwd);
  const notifier = openNotifications({
    notifications: notificationsConfig,
    store,
    log: reporterLogger(io.reporter, options.verbose),
    stdout: io.stdout,
    // A scan replays logs: the storm rate is measured on the findings' event times, not on how fast the scan reads them.
    stormClock: 'event',
    ...(loaded.config.store?.retainDeliveredDays !== undefined ? { retainDeliveredDays: loaded.config.store.retainDeliveredDays } : {}),
  });
  const session = scanNotifications(notifier);
  return {
    add: (finding) => session.add(finding),
    async finish() {
      const unsubscribe = stopOnSignals(notifier, io.reporter);
      try {
        if (!options.quiet) io.reporter.info(`Notifying: ${session.queued} finding${session.queued === 1 ? '' : 's'} saved to ${store.location}`);
        const report = await session.finish(Date.now() + timeout);
        reportRun(report, io.reporter);
        return report;
      } finally {
        unsubscribe();
        await notifier.close();
        await store.close();
      }
    },
    async abort() {
      try {
        await session.abort();
      } finally {
        await notifier.close();
        await store.close();
      }
    },
  };
}
