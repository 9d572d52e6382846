/** What the watch loop reads from: one source per region (LookupEvents) or per log group (FilterLogEvents). */
import type { CloudTrailRecord } from '../cloudtrail/types.js';
import type { SeenEvent } from '../store/types.js';

/** A CloudTrail event a source returned: `id` is its eventID, `time` the time the source's windows filter on (epoch ms). */
export interface WatchEvent extends SeenEvent {
  record: CloudTrailRecord;
}

/** An item a source returned that is not a CloudTrail record (kept as seen so that it is reported once). */
export interface WatchReject extends SeenEvent {
  reason: string;
}

export interface WatchPage {
  events: WatchEvent[];
  rejects: WatchReject[];
}

export interface TimeWindow {
  /** Epoch ms, inclusive. */
  start: number;
  /** Epoch ms, inclusive. */
  end: number;
}

export interface ReadStats {
  requests: number;
  throttled: number;
  retried: number;
}

export interface WatchSource {
  /** The key of its checkpoint and seen events in the store: `cloudtrail:<region>`, `logs:<region>:<group>`. */
  readonly id: string;
  /** For messages and the status line: the region, or the log group. */
  readonly label: string;
  /**
   * Reads every event of the window, page by page, handing each page to `onPage` before asking for the next.
   * Throws WatchSourceError when the window could not be read to the end, WatchStoppedError when `abort` fired.
   */
  read(window: TimeWindow, onPage: (page: WatchPage) => Promise<void>, abort?: AbortSignal): Promise<ReadStats>;
}
