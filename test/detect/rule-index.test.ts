import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RuleIndex } from '../../src/detect/rule-index.js';
import type { FieldValueHint } from '../../src/patterns/types.js';

type Hints = Record<string, FieldValueHint>;
const rule = (id: string, hints: Hints) => ({ id, pattern: { valuesAt: (path: readonly string[]) => hints[path.join('.')] ?? null } });
const hint = (h: Partial<FieldValueHint>): FieldValueHint => ({ exact: [], prefixes: [], ignoreCase: [], ...h });

/** The oracle: what a hint admits, by its definition (FieldValueHint), without any index. */
function hintAdmits(h: Pick<FieldValueHint, 'exact' | 'prefixes' | 'ignoreCase'> & { suffixes: string[] }, value: string): boolean {
  return (
    h.exact.includes(value) ||
    h.prefixes.some((p) => value.startsWith(p)) ||
    h.suffixes.some((p) => value.endsWith(p)) ||
    h.ignoreCase.some((c) => c.toLowerCase() === value.toLowerCase())
  );
}

function candidates(index: RuleIndex<ReturnType<typeof rule>>, event: unknown): string[] {
  return index.candidates(event).map((r) => r.id).sort();
}

describe('RuleIndex', () => {
  const rules = [
    rule('by-name', { 'detail.eventName': hint({ exact: ['StopLogging', 'DeleteTrail'] }), 'detail.eventSource': hint({ exact: ['cloudtrail.amazonaws.com'] }) }),
    rule('by-prefix', { 'detail.eventName': hint({ prefixes: ['Delete'] }) }),
    rule('by-case', { 'detail.eventName': hint({ ignoreCase: ['consolelogin'] }) }),
    rule('by-source', { 'detail.eventSource': hint({ exact: ['guardduty.amazonaws.com'] }) }),
    rule('by-envelope', { source: hint({ exact: ['aws.kms'] }) }),
    rule('by-suffix', { 'detail.errorCode': hint({ suffixes: ['UnauthorizedOperation'], prefixes: ['AccessDenied'] }) }),
    rule('by-identity', { 'detail.userIdentity.type': hint({ exact: ['Root'] }) }),
    rule('empty-prefix', { 'detail.eventName': hint({ prefixes: [''] }) }),
    rule('everything', {}),
  ];
  const index = new RuleIndex(rules);

  it('files each rule under its most selective field', () => {
    expect(index.stats()).toEqual({
      indexed: { 'detail.eventName': 3, 'detail.eventSource': 1, source: 1, 'detail-type': 0, 'detail.errorCode': 1, 'detail.userIdentity.type': 1 },
      unindexed: 2,
    });
  });

  it('returns exact, prefix and case-insensitive candidates plus the unindexed rules, each once', () => {
    expect(candidates(index, { source: 'aws.cloudtrail', detail: { eventName: 'DeleteTrail', eventSource: 'cloudtrail.amazonaws.com' } })).toEqual(['by-name', 'by-prefix', 'empty-prefix', 'everything']);
    expect(candidates(index, { detail: { eventName: 'CONSOLELOGIN' } })).toEqual(['by-case', 'empty-prefix', 'everything']);
    expect(candidates(index, { detail: { eventName: 'Describe', eventSource: 'guardduty.amazonaws.com' } })).toEqual(['by-source', 'empty-prefix', 'everything']);
    expect(candidates(index, { source: 'aws.kms', detail: {} })).toEqual(['by-envelope', 'empty-prefix', 'everything']);
    expect(candidates(index, 'not an object')).toEqual(['empty-prefix', 'everything']);
    expect(candidates(index, { detail: { errorCode: 'Client.UnauthorizedOperation' } })).toEqual(['by-suffix', 'empty-prefix', 'everything']);
    expect(candidates(index, { detail: { errorCode: 'AccessDeniedException', userIdentity: { type: 'Root' } } })).toEqual(['by-identity', 'by-suffix', 'empty-prefix', 'everything']);
    expect(candidates(index, { detail: { errorCode: 'ThrottlingException' } })).toEqual(['empty-prefix', 'everything']);
  });

  it('looks into array values and arrays on the way, as EventBridge does', () => {
    expect(candidates(index, { detail: { eventSource: 'cloudtrail.amazonaws.com', eventName: ['x', 'StopLogging', 'DeleteX'] } })).toEqual(['by-name', 'by-prefix', 'empty-prefix', 'everything']);
    expect(candidates(index, { detail: [{ eventName: 'StopLogging' }, { eventName: 7 }] })).toEqual(['by-name', 'empty-prefix', 'everything']);
    expect(candidates(index, { 'detail.eventName': 'StopLogging', 'detail.eventSource': 'cloudtrail.amazonaws.com' })).toEqual(['by-name', 'empty-prefix', 'everything']);
  });

  it('turns away a candidate whose other pinned field (exact values) the event certainly does not have', () => {
    const stop = (detail: Record<string, unknown>) => candidates(index, { detail: { eventName: 'StopLogging', ...detail } });
    expect(stop({ eventSource: 'cloudtrail.amazonaws.com' })).toContain('by-name');
    expect(stop({ eventSource: 'iam.amazonaws.com' })).not.toContain('by-name');
    expect(stop({})).not.toContain('by-name');
    // Values only the full reader can judge (an array, a dotted key) keep the candidate.
    expect(stop({ eventSource: ['iam.amazonaws.com', 'cloudtrail.amazonaws.com'] })).toContain('by-name');
    expect(candidates(index, { 'detail.eventSource': 'cloudtrail.amazonaws.com', detail: { eventName: 'StopLogging' } })).toContain('by-name');
  });

  it('never loses a rule whose hint admits the value (property)', () => {
    const word = fc.constantFrom('A', 'AB', 'ABC', 'B', 'b', 'ab', 'BA', 'CAB', '');
    fc.assert(
      fc.property(fc.array(fc.record({ exact: fc.array(word), prefixes: fc.array(word), ignoreCase: fc.array(word), suffixes: fc.array(word) }), { minLength: 1, maxLength: 8 }), word, (hints, value) => {
        const set = hints.map((h, i) => rule(`r${i}`, { 'detail.eventName': h }));
        const idx = new RuleIndex(set);
        const got = new Set(candidates(idx, { detail: { eventName: value } }));
        hints.forEach((h, i) => {
          if (hintAdmits(h, value)) expect(got.has(`r${i}`)).toBe(true);
        });
      }),
    );
  });

  it('never loses a rule whose hint admits the value, for any text: non-ASCII, long, affixes sharing hashes (property)', () => {
    // Hints as the pattern compiler makes them: equals-ignore-case values are ASCII and lower-cased.
    const ascii = fc.string({ unit: fc.constantFrom('a', 'B', 'c', 'D', '-', '.', '1'), maxLength: 70 });
    const anyText = fc.oneof(ascii, fc.string({ unit: 'binary', maxLength: 8 }), fc.string({ unit: fc.constantFrom('a', 'A', 'İ', 'K', 'ß', 'é', 'Σ'), maxLength: 6 }));
    const nonEmpty = anyText.filter((t) => t !== '');
    fc.assert(
      fc.property(
        fc.array(fc.record({ exact: fc.array(anyText, { maxLength: 3 }), prefixes: fc.array(nonEmpty, { maxLength: 3 }), ignoreCase: fc.array(ascii.map((t) => t.toLowerCase()), { maxLength: 3 }), suffixes: fc.array(nonEmpty, { maxLength: 3 }) }), { minLength: 1, maxLength: 6 }),
        fc.array(anyText, { minLength: 1, maxLength: 6 }),
        fc.nat(),
        (hints, values, pick) => {
          const set = hints.map((h, i) => rule(`r${i}`, { 'detail.eventName': h }));
          const idx = new RuleIndex(set);
          // Also values the hints are made of, spelled in another case, so that matches occur.
          const pool = [...values, ...hints.flatMap((h) => [...h.exact, ...h.prefixes, ...h.suffixes, ...h.ignoreCase.map((t) => t.toUpperCase())])];
          const value = pool[pick % pool.length]! + (pick % 3 === 0 ? values[0]! : '');
          const got = new Set(candidates(idx, { detail: { eventName: value } }));
          hints.forEach((h, i) => {
            if (hintAdmits(h, value)) expect(got.has(`r${i}`), `r${i} for ${JSON.stringify(value)}`).toBe(true);
          });
        },
      ),
      { numRuns: 2000 },
    );
  });
});
