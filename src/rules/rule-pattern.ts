import type { CompiledPattern, FieldValueHint } from '../patterns/types.js';

/**
 * A CloudWatch Logs filter pattern reads the CloudTrail record itself, which is the envelope's
 * `detail`: this adapts it to a pattern over the envelope, so the detector and its index treat it
 * like any other rule.
 */
export function filterPatternOnDetail(filter: CompiledPattern): CompiledPattern {
  return {
    matches: (event) => {
      const detail = typeof event === 'object' && event !== null ? (event as { detail?: unknown }).detail : undefined;
      return typeof detail === 'object' && detail !== null && filter.matches(detail);
    },
    valuesAt: (path) => (path[0] === 'detail' && path.length > 1 ? filter.valuesAt(path.slice(1)) : null),
  };
}

/** Both patterns must match; an index hint from either is sound for the pair (the first one's when both give one). */
export function bothPatterns(first: CompiledPattern, second: CompiledPattern): CompiledPattern {
  return {
    matches: (event) => first.matches(event) && second.matches(event),
    valuesAt: (path): FieldValueHint | null => first.valuesAt(path) ?? second.valuesAt(path),
  };
}
