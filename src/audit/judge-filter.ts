/**
 * Judging a metric filter by what it matches: run the account's own pattern (compiled with compileFilterPattern, the
 * CloudWatch Logs filter pattern engine) over a control's battery and name the events it misses and the ones it
 * should not count. Equivalent texts (reordered, extra parentheses, quoted or not, extra exclusions that remove only
 * what may be removed) get the same verdict; a text that looks right and misses an event is caught.
 */
import { compileFilterPattern } from '../patterns/filter/index.js';
import { PatternError } from '../patterns/errors.js';
import type { BatteryCase } from './types.js';

export type Matcher = (record: object) => boolean;

export interface FilterJudgement {
  /** Must-match events the filter does not count. */
  missed: BatteryCase[];
  /** Must-not-match events the filter counts. */
  unexpected: BatteryCase[];
  /** Must-match events it counts. */
  caught: BatteryCase[];
  /** Either-way events it counts (reported as information). */
  alsoCounts: BatteryCase[];
  /** Events trailguard's rule adds to the CIS list and the filter does not count (advice only). */
  advisoryMissed: BatteryCase[];
  /** Nothing missed, nothing unexpected. */
  ok: boolean;
}

export function judgeMatcher(matches: Matcher, battery: readonly BatteryCase[]): FilterJudgement {
  const judgement: FilterJudgement = { missed: [], unexpected: [], caught: [], alsoCounts: [], advisoryMissed: [], ok: false };
  for (const testCase of battery) {
    const hit = matches(testCase.record);
    if (testCase.expect === 'match') (hit ? judgement.caught : judgement.missed).push(testCase);
    else if (testCase.expect === 'no-match') {
      if (hit) judgement.unexpected.push(testCase);
    } else if (hit) judgement.alsoCounts.push(testCase);
    else if (testCase.advisory) judgement.advisoryMissed.push(testCase);
  }
  judgement.ok = judgement.missed.length === 0 && judgement.unexpected.length === 0;
  return judgement;
}

export type CompiledFilter = { ok: true; matches: Matcher } | { ok: false; error: string; offset?: number };

/** compileFilterPattern, with a PatternError turned into data (AWS accepted the pattern, so a refusal is trailguard's parser disagreeing). */
export function compileAccountFilter(pattern: string): CompiledFilter {
  try {
    const compiled = compileFilterPattern(pattern);
    return { ok: true, matches: (record) => compiled.matches(record) };
  } catch (error) {
    if (error instanceof PatternError) {
      return { ok: false, error: error.message, ...(error.offset !== undefined ? { offset: error.offset } : {}) };
    }
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/** Judges one filter text against a battery; an unparsable text is reported, not thrown. */
export function judgeFilter(pattern: string, battery: readonly BatteryCase[]): FilterJudgement | { parseError: string } {
  const compiled = compileAccountFilter(pattern);
  if (!compiled.ok) return { parseError: compiled.error };
  return judgeMatcher(compiled.matches, battery);
}

/** "CreateCustomerGateway, DeleteCustomerGateway and 3 more" - the labels a reason names, capped. */
export function listLabels(cases: readonly BatteryCase[], max = 6): string {
  const labels = [...new Set(cases.map((c) => c.label))];
  if (labels.length <= max) return joinWords(labels);
  return `${labels.slice(0, max).join(', ')} and ${labels.length - max} more`;
}

export function joinWords(words: readonly string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}
