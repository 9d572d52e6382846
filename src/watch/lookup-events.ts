/**
 * A region's management events through CloudTrail LookupEvents, as the API really behaves (AWS CloudTrail API
 * Reference, LookupEvents):
 *   - a time window (StartTime/EndTime, both inclusive) and no lookup attribute: every management event of the
 *     region, filtered locally by the rules (an attribute would allow one event name or source per request);
 *   - at most 50 results per page, newest first; a NextToken is only valid with the very parameters that produced
 *     it, so a window is fixed before its first page and every page repeats it exactly;
 *   - two requests per second per account and region: requests go through the region's pacer, and throttling is
 *     waited out (aws-call.ts), never skipped;
 *   - events become visible minutes after they happened and stay 90 days: the loop's look-back window re-reads the
 *     recent past on every poll (loop.ts).
 * `CloudTrailEvent` of each result is the full CloudTrail record as a JSON string.
 */
import { LookupEventsCommand, type CloudTrailClient, type LookupEventsCommandOutput } from '@aws-sdk/client-cloudtrail';
import { decodeRecords } from '../cloudtrail/decode.js';
import { readAllPages, type CallContext } from './aws-call.js';
import type { WatchEvent, WatchPage, WatchReject, WatchSource } from './source.js';

/** LookupEvents' largest page. */
export const LOOKUP_EVENTS_MAX_RESULTS = 50;

export interface LookupEventsSourceOptions extends Omit<CallContext, 'abort' | 'onRetry'> {
  client: Pick<CloudTrailClient, 'send'>;
  region: string;
}

export function lookupEventsSource(options: LookupEventsSourceOptions): WatchSource {
  const { client, region } = options;
  return {
    id: `cloudtrail:${region}`,
    label: region,
    read(window, onPage, abort) {
      // Fixed once: every page of the window is asked for with the same parameters (the NextToken is bound to them).
      const StartTime = new Date(window.start);
      const EndTime = new Date(window.end);
      return readAllPages(
        `${region}: LookupEvents`,
        (token): Promise<LookupEventsCommandOutput> =>
          client.send(new LookupEventsCommand({ StartTime, EndTime, MaxResults: LOOKUP_EVENTS_MAX_RESULTS, ...(token !== undefined ? { NextToken: token } : {}) })),
        (output) => output.NextToken,
        (output) => onPage(pageOf(output, region)),
        { ...options, ...(abort ? { abort } : {}) },
      );
    },
  };
}

function pageOf(output: LookupEventsCommandOutput, region: string): WatchPage {
  const page: WatchPage = { events: [], rejects: [] };
  for (const item of output.Events ?? []) {
    const fallbackTime = item.EventTime instanceof Date ? item.EventTime.getTime() : Number.NaN;
    const where = `${region} LookupEvents ${item.EventId ?? '(no EventId)'}`;
    if (typeof item.CloudTrailEvent !== 'string') {
      page.rejects.push(reject(item.EventId, fallbackTime, `${where}: no CloudTrailEvent in the result`));
      continue;
    }
    const decoded = decodeRecords(item.CloudTrailEvent, { source: where });
    const first = decoded.records[0];
    if (!first || decoded.records.length !== 1) {
      page.rejects.push(reject(item.EventId, fallbackTime, `${where}: ${decoded.rejects[0]?.reason ?? 'CloudTrailEvent is not one CloudTrail record'}`));
      continue;
    }
    const record = first.record;
    const id = typeof record.eventID === 'string' && record.eventID !== '' ? record.eventID : item.EventId;
    // The window filters on the event time: the record's own, else the result's.
    const time = Number.isFinite(fallbackTime) ? fallbackTime : Date.parse(String(record.eventTime));
    if (id === undefined) {
      page.rejects.push(reject(undefined, time, `${where}: the event has no eventID`));
      continue;
    }
    page.events.push({ id, time, record } satisfies WatchEvent);
  }
  return page;
}

function reject(id: string | undefined, time: number, reason: string): WatchReject {
  return { id: id ?? `reject:${reason}`, time: Number.isFinite(time) ? time : 0, reason };
}
