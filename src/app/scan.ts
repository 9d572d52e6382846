/**
 * `scan --notify`: findings of a batch scan go to the store with their notifications as they are found, in
 * batches, and are delivered once the scan is done (a batch is over: repeat and storm summaries go out then
 * rather than at the end of their window). The notifier should measure storms on the findings' event times
 * (`stormClock: 'event'`): a scan replays logs, and how fast it reads them says nothing about how fast things happened.
 */
import type { Finding } from '../findings/types.js';
import type { RunReport } from '../notify/dispatcher.js';
import type { Notifier } from '../notify/notifier.js';

export interface ScanNotifications {
  /** Queues a finding; queued findings are written to the store in batches. */
  add(finding: Finding): Promise<void>;
  /** How many findings were queued. */
  readonly queued: number;
  /** Writes what is queued, then delivers until done or the deadline. */
  finish(deadline: number): Promise<RunReport>;
  /** Writes what is queued without delivering (the scan failed: what was found is kept for `notify run`). */
  abort(): Promise<void>;
}

const BATCH = 500;

export function scanNotifications(notifier: Notifier): ScanNotifications {
  const queue: Finding[] = [];
  let queued = 0;
  const flush = async () => {
    if (queue.length) await notifier.enqueue(queue.splice(0));
  };
  return {
    async add(finding) {
      queue.push(finding);
      queued++;
      if (queue.length >= BATCH) await flush();
    },
    get queued() {
      return queued;
    },
    async finish(deadline) {
      await flush();
      return notifier.deliver({ deadline, flushWindows: true });
    },
    async abort() {
      await flush();
    },
  };
}
