import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { streamOutput } from '../pipeline/output.js';
import { planInputs } from '../sources/index.js';
import { decodeRecords } from '../cloudtrail/decode.js';
import { toEventBridgeEnvelope } from '../cloudtrail/envelope.js';
import { PatternError } from '../patterns/errors.js';
import { compileEventPattern } from '../patterns/eventbridge/index.js';
import { compileFilterPattern } from '../patterns/filter/index.js';
import type { CompiledPattern } from '../patterns/types.js';
import { checkInputPaths } from './options.js';
import { formatRejectLocation } from './scan-summary.js';
import { RunFailedError, UsageError } from './usage-error.js';

interface PatternTestOptions {
  eventbridge?: string;
  filter?: string;
  event: string[];
  matchesOnly?: boolean;
}

interface Candidate {
  label: string;
  /** What an EventBridge pattern is matched against. */
  envelope: object;
  /** What a CloudWatch Logs filter pattern is matched against: the CloudTrail record, or one line of text. */
  logEvent: object | string;
}

/** `trailguard pattern test`: try a pattern on events before putting it in a rule or deploying it. */
export function patternCommand(): Command {
  const pattern = new Command('pattern').description('try patterns on events');
  pattern
    .command('test')
    .description('match an EventBridge event pattern or a CloudWatch Logs filter pattern against events; exit 0 if any event matches, 1 if none does')
    .option('--eventbridge <pattern>', 'an EventBridge event pattern (JSON), or @file to read it from a file')
    .option('--filter <pattern>', 'a CloudWatch Logs filter pattern, or @file to read it from a file')
    .requiredOption('--event <file...>', 'events: CloudTrail records or log files, EventBridge events, text log lines, directories (read recursively), or - for stdin')
    .option('--matches-only', 'print only the events that matched (the count goes to stderr)')
    .action(async (options: PatternTestOptions) => {
      if ((options.eventbridge === undefined) === (options.filter === undefined)) throw new UsageError('give exactly one of --eventbridge and --filter');
      const isFilter = options.filter !== undefined;
      const text = readArgument((options.eventbridge ?? options.filter)!);
      let compiled: CompiledPattern;
      try {
        compiled = isFilter ? compileFilterPattern(text) : compileEventPattern(text);
      } catch (error) {
        if (error instanceof PatternError) throw new UsageError(`invalid ${isFilter ? 'CloudWatch Logs filter' : 'EventBridge'} pattern: ${error.message}${caret(text, error.offset)}`);
        throw error;
      }
      checkInputPaths(options.event, '--event');
      // Directories are read as scan reads them (recursively, in a fixed order); what cannot be read is said on stderr.
      const plan = await planInputs(options.event);
      const out = streamOutput(process.stdout);
      let matched = 0;
      let total = 0;
      let failed = 0;
      for (const entry of plan.entries) {
        if (entry.kind === 'error') {
          if (entry.error) process.stderr.write(`${entry.error.skipped ? 'skipped' : 'rejected'}: ${formatRejectLocation(entry.error)}: ${entry.error.reason}\n`);
          continue;
        }
        for (const candidate of candidates(entry.path)) {
          total++;
          let ok: boolean;
          try {
            ok = compiled.matches(isFilter ? candidate.logEvent : candidate.envelope);
          } catch (error) {
            // The engine failed on this event: said, counted and fatal to the verdict, never taken for "no match".
            failed++;
            process.stderr.write(`error: matching failed on ${candidate.label}: ${error instanceof Error ? error.message : String(error)}\n`);
            continue;
          }
          if (ok) matched++;
          if (ok || !options.matchesOnly) out.write(`${ok ? 'MATCH   ' : 'no match'}  ${candidate.label}\n`);
        }
      }
      const count = `${matched} of ${total} events matched\n`;
      if (options.matchesOnly) process.stderr.write(count);
      else out.write(count);
      if (failed > 0) throw new RunFailedError(`matching failed on ${failed} event${failed === 1 ? '' : 's'}: the result is incomplete`);
      process.exitCode = matched > 0 ? 0 : 1;
    });
  return pattern;
}

/** Points at the offending character of a one-line pattern. */
function caret(text: string, offset: number | undefined): string {
  if (offset === undefined || text.includes('\n') || text.length > 200) return '';
  return `\n  ${text}\n  ${' '.repeat(Math.min(offset, text.length))}^`;
}

function readArgument(value: string): string {
  if (!value.startsWith('@')) return value;
  try {
    return readFileSync(value.slice(1), 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${value.slice(1)}: ${(error as Error).message}`);
  }
}

/**
 * The events in a file. Any EventBridge event (a GuardDuty finding as much as a CloudTrail event) is
 * matched as it is; anything else goes through the CloudTrail decoder and each record is matched in the
 * envelope EventBridge would deliver it in.
 */
function candidates(file: string): Candidate[] {
  let raw: Buffer;
  try {
    raw = readFileSync(file === '-' ? 0 : file);
  } catch (error) {
    process.stderr.write(`rejected: ${file}: cannot read: ${(error as Error).message}\n`);
    return [];
  }
  const direct = eventBridgeEvents(raw);
  if (direct) return direct.map((event, i) => ({ label: `${file}#${i} ${String(event['detail-type'])} from ${String(event.source)}`, envelope: event, logEvent: event }));
  const decoded = decodeRecords(raw, { source: file });
  const deliberateSkip = decoded.rejects.some((reject) => reject.skipped);
  if (decoded.records.length === 0 && !deliberateSkip && !raw.subarray(0, 2).equals(Buffer.from([0x1f, 0x8b]))) {
    // Not CloudTrail at all: plain log lines, as a filter pattern sees them in a log group.
    return raw
      .toString('utf8')
      .split(/\r?\n/)
      .map((line, i) => ({ line, i }))
      .filter(({ line }) => line !== '')
      .map(({ line, i }) => ({ label: `${file}:${i + 1} ${line.length > 80 ? `${line.slice(0, 79)}…` : line}`, envelope: { message: line }, logEvent: line }));
  }
  for (const reject of decoded.rejects) process.stderr.write(`${reject.skipped ? 'skipped' : 'rejected'}: ${formatRejectLocation(reject)}: ${reject.reason}\n`);
  return decoded.records.map(({ record, location }) => ({
    label: `${formatRejectLocation({ kind: 'invalid-record', reason: '', location })} ${record.eventSource} ${record.eventName} ${record.eventID ?? ''}`.trimEnd(),
    envelope: toEventBridgeEnvelope(record),
    logEvent: record,
  }));
}

/** Non-CloudTrail EventBridge events (or a list of them); CloudTrail ones go through the decoder like every other record. */
function eventBridgeEvents(raw: Buffer): Array<Record<string, unknown>> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
  const list = Array.isArray(parsed) ? parsed : [parsed];
  const isEvent = (e: unknown): e is Record<string, unknown> =>
    typeof e === 'object' && e !== null && typeof (e as Record<string, unknown>)['detail-type'] === 'string' && typeof (e as Record<string, unknown>).source === 'string';
  if (list.length === 0 || !list.every(isEvent)) return undefined;
  if (list.every((e) => String(e['detail-type']).endsWith('via CloudTrail'))) return undefined;
  return list;
}
