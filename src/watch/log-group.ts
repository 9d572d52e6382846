/**
 * A trail's CloudWatch Logs group through FilterLogEvents, with the same window semantics as LookupEvents: the window
 * filters on the log event's timestamp (startTime/endTime in epoch ms), every page of a window is asked for with the
 * same parameters, FilterLogEvents' request quota is respected by the pacer and throttling is waited out. Each log
 * event's message is one CloudTrail record (the trail writes one record per log event); the id that makes it "seen"
 * is the record's eventID (the same event delivered twice is evaluated once), else the log event id.
 */
import { FilterLogEventsCommand, type CloudWatchLogsClient, type FilterLogEventsCommandOutput } from '@aws-sdk/client-cloudwatch-logs';
import { decodeRecords } from '../cloudtrail/decode.js';
import { readAllPages, type CallContext } from './aws-call.js';
import type { WatchPage, WatchSource } from './source.js';

export interface LogGroupSourceOptions extends Omit<CallContext, 'abort' | 'onRetry'> {
  client: Pick<CloudWatchLogsClient, 'send'>;
  region: string;
  logGroupName: string;
}

export function logGroupSource(options: LogGroupSourceOptions): WatchSource {
  const { client, region, logGroupName } = options;
  return {
    id: `logs:${region}:${logGroupName}`,
    label: logGroupName,
    read(window, onPage, abort) {
      return readAllPages(
        `${logGroupName}: FilterLogEvents`,
        (token): Promise<FilterLogEventsCommandOutput> =>
          client.send(new FilterLogEventsCommand({ logGroupName, startTime: window.start, endTime: window.end, ...(token !== undefined ? { nextToken: token } : {}) })),
        (output) => output.nextToken,
        (output) => onPage(pageOf(output, logGroupName)),
        { ...options, ...(abort ? { abort } : {}) },
      );
    },
  };
}

function pageOf(output: FilterLogEventsCommandOutput, logGroupName: string): WatchPage {
  const page: WatchPage = { events: [], rejects: [] };
  for (const item of output.events ?? []) {
    const time = item.timestamp ?? 0;
    const where = `${logGroupName}/${item.logStreamName ?? '?'} ${item.eventId ?? '(no eventId)'}`;
    const decoded = decodeRecords(item.message ?? '', { source: where });
    const first = decoded.records[0];
    if (!first || decoded.records.length !== 1) {
      page.rejects.push({ id: item.eventId ?? `reject:${where}`, time, reason: `${where}: ${decoded.rejects[0]?.reason ?? 'the message is not one CloudTrail record'}` });
      continue;
    }
    const eventId = first.record.eventID;
    const id = typeof eventId === 'string' && eventId !== '' ? eventId : item.eventId;
    if (id === undefined) {
      page.rejects.push({ id: `reject:${where}`, time, reason: `${where}: the event has no eventID` });
      continue;
    }
    page.events.push({ id, time, record: first.record });
  }
  return page;
}
