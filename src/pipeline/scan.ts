import type { Reject } from '../cloudtrail/types.js';
import type { Detector } from '../detect/detector.js';
import type { Finding } from '../findings/types.js';
import { planInputs, readInputs, ScanCounters, type InputPlan, type ReadOptions } from '../sources/index.js';
import { severityRank, type Severity } from '../rules/types.js';

export interface ScanOptions extends ReadOptions {
  /** Only evaluate records whose eventTime is at or after this instant. */
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
  elapsedMs: number;
  recordsPerSecond: number;
}

/**
 * The batch pipeline: inputs → decode → detect → findings, one file at a time so memory stays
 * bounded by the largest file. Every record is evaluated, filtered by the time window, or
 * accounted for by a reject; the summary says how many of each.
 */
export async function scanInputs(paths: string[], detector: Detector, options: ScanOptions): Promise<ScanSummary> {
  const started = performance.now();
  const plan = await planInputs(paths);
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
  let findings = 0;

  for await (const chunk of readInputs(plan, options)) {
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
  return {
    files: counters.files,
    bytes: counters.bytesRead,
    records: counters.records,
    evaluated,
    outsideWindow,
    undatable,
    rejects: counters.rejects,
    skipped: counters.skipped,
    recordsInRejects: counters.recordsInRejects,
    rejectsOfUnknownSize: counters.rejectsOfUnknownSize,
    rejectsByKind: Object.fromEntries(counters.byKind),
    formats: Object.fromEntries(counters.formats),
    findings,
    findingsByRule,
    findingsBySeverity,
    elapsedMs,
    recordsPerSecond: elapsedMs > 0 ? Math.round((counters.records / elapsedMs) * 1000) : 0,
  };
}
