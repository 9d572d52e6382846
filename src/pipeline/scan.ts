import type { CloudTrailRecord, Reject } from '../cloudtrail/types.js';
import type { Detector } from '../detect/detector.js';
import type { Finding } from '../findings/types.js';
import { planSources, readSources, ScanCounters, type InputPlan, type SourceOptions } from '../sources/index.js';
import { severityRank, type Severity } from '../rules/types.js';
import { DEFAULT_SEEN_EVENTS_LIMIT, SeenEvents } from './seen-events.js';

export interface ScanOptions extends SourceOptions {
  /** Only evaluate records whose eventTime is at or after this instant (S3 listings are pruned to its days). */
  since?: Date;
  /** Only evaluate records whose eventTime is before this instant. */
  until?: Date;
  /** Report only findings at or above this severity. */
  minSeverity?: Severity;
  /** A finding; when it returns a promise (e.g. a store write), the scan waits for it. */
  onFinding(finding: Finding): void | Promise<void>;
  onReject?(reject: Reject): void;
  /** Called after each chunk with the bytes (as stored) consumed so far. */
  onProgress?(bytesDone: number, plan: InputPlan): void;
  /** Called once the inputs are known, before reading starts. */
  onPlan?(plan: InputPlan): void;
  /**
   * Skip records whose (account, eventID) was already evaluated in this scan (CloudTrail delivers some events more
   * than once). Default true. Records without an eventID are never skipped.
   */
  dedupe?: boolean;
  /** How many distinct events the duplicate check remembers (see SeenEvents). Default 4,194,304. */
  dedupeLimit?: number;
}

export interface ScanSummary {
  files: number;
  bytes: number;
  /** Records decoded from the input. */
  records: number;
  /** Records the rules were evaluated on (decoded and inside --since/--until). */
  evaluated: number;
  /** Decoded records outside --since/--until, not evaluated. */
  outsideWindow: number;
  /** Decoded records whose eventTime could not be read as a date while a time window was set. */
  undatable: number;
  /** Records not evaluated because the same event (account and eventID) was already evaluated in this scan. */
  duplicates: number;
  /**
   * Records evaluated without being checked for duplicates: the duplicate check's memory bound was reached
   * (`dedupeLimit` distinct events); duplicates among them may be reported twice. 0 normally.
   */
  uncheckedForDuplicates: number;
  /** Inputs or records that produced no evaluable record, including deliberate skips. */
  rejects: number;
  skipped: number;
  /** Records that rejects are known to stand for; `rejectsOfUnknownSize` rejects cover an unknown number more. */
  recordsInRejects: number;
  rejectsOfUnknownSize: number;
  rejectsByKind: Record<string, number>;
  formats: Record<string, number>;
  findings: number;
  findingsByRule: Record<string, number>;
  findingsBySeverity: Partial<Record<Severity, number>>;
  /** Times a rule threw on an event (the rule then counted as not matched), in total and per rule id. */
  ruleErrors: number;
  ruleErrorsByRule: Record<string, number>;
  elapsedMs: number;
  recordsPerSecond: number;
}

/**
 * The batch pipeline: inputs (local paths and s3:// URLs) → decode → detect → findings, one file at a time so memory stays
 * bounded by the largest file (plus the duplicate check's fingerprints, 16 bytes per event at most). Every
 * record is evaluated, filtered by the time window, skipped as a duplicate of an event already evaluated, or
 * accounted for by a reject; the summary says how many of each.
 */
export async function scanInputs(paths: string[], detector: Detector, options: ScanOptions): Promise<ScanSummary> {
  const started = performance.now();
  const plan = await planSources(paths, options);
  options.onPlan?.(plan);
  const counters = new ScanCounters();
  const since = options.since?.getTime();
  const until = options.until?.getTime();
  const windowed = since !== undefined || until !== undefined;
  const minRank = options.minSeverity ? severityRank(options.minSeverity) : 0;
  const findingsByRule: Record<string, number> = {};
  const findingsBySeverity: Partial<Record<Severity, number>> = {};
  let evaluated = 0;
  let outsideWindow = 0;
  let undatable = 0;
  let duplicates = 0;
  let findings = 0;
  const seen = options.dedupe === false ? undefined : new SeenEvents(options.dedupeLimit ?? DEFAULT_SEEN_EVENTS_LIMIT);
  const errorsBefore = detector.ruleErrors();

  for await (const chunk of readSources(plan, options)) {
    counters.add(chunk);
    for (const reject of chunk.result.rejects) options.onReject?.(reject);
    for (const { record } of chunk.result.records) {
      if (windowed) {
        const time = Date.parse(record.eventTime);
        if (Number.isNaN(time)) {
          undatable++;
          continue;
        }
        if ((since !== undefined && time < since) || (until !== undefined && time >= until)) {
          outsideWindow++;
          continue;
        }
      }
      if (seen !== undefined) {
        const eventId = record.eventID;
        if (typeof eventId === 'string' && eventId !== '' && seen.seen(accountOf(record), eventId)) {
          duplicates++;
          continue;
        }
      }
      evaluated++;
      for (const finding of detector.evaluate(record)) {
        if (severityRank(finding.severity) < minRank) continue;
        findings++;
        findingsByRule[finding.ruleId] = (findingsByRule[finding.ruleId] ?? 0) + 1;
        findingsBySeverity[finding.severity] = (findingsBySeverity[finding.severity] ?? 0) + 1;
        const pending = options.onFinding(finding);
        if (pending) await pending;
      }
    }
    options.onProgress?.(counters.bytesRead, plan);
  }

  const elapsedMs = performance.now() - started;
  const errorsAfter = detector.ruleErrors();
  const ruleErrorsByRule: Record<string, number> = {};
  for (const [id, count] of Object.entries(errorsAfter.byRule)) {
    const delta = count - (errorsBefore.byRule[id] ?? 0);
    if (delta > 0) ruleErrorsByRule[id] = delta;
  }
  return {
    files: counters.files,
    bytes: counters.bytesRead,
    records: counters.records,
    evaluated,
    outsideWindow,
    undatable,
    duplicates,
    uncheckedForDuplicates: seen?.unchecked ?? 0,
    rejects: counters.rejects,
    skipped: counters.skipped,
    recordsInRejects: counters.recordsInRejects,
    rejectsOfUnknownSize: counters.rejectsOfUnknownSize,
    rejectsByKind: Object.fromEntries(counters.byKind),
    formats: Object.fromEntries(counters.formats),
    findings,
    findingsByRule,
    findingsBySeverity,
    ruleErrors: errorsAfter.total - errorsBefore.total,
    ruleErrorsByRule,
    elapsedMs,
    recordsPerSecond: elapsedMs > 0 ? Math.round((counters.records / elapsedMs) * 1000) : 0,
  };
}

/** The event's account as its EventBridge envelope and finding id have it (src/cloudtrail/envelope.ts). */
function accountOf(record: CloudTrailRecord): string {
  if (typeof record.recipientAccountId === 'string' && record.recipientAccountId !== '') return record.recipientAccountId;
  const accountId = record.userIdentity?.accountId;
  return typeof accountId === 'string' ? accountId : '';
}
