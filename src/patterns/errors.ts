import { TrailguardError } from '../util/errors.js';

/**
 * Raised when a pattern (EventBridge event pattern, CloudWatch Logs filter pattern, ...) is invalid.
 * The message always names what is wrong and where: the key path and offending value for
 * EventBridge patterns, the character offset for filter patterns.
 */
export class PatternError extends TrailguardError {
  override readonly name = 'PatternError';
  /** Dotted path of the offending key within the pattern, e.g. "detail.eventName". */
  readonly key?: string;
  /** The offending value, as found in the pattern. */
  readonly value?: unknown;
  /** 0-based character offset in the pattern text, for textual pattern languages. */
  readonly offset?: number;

  constructor(message: string, details: { key?: string; value?: unknown; offset?: number } = {}) {
    super(message, { code: 'invalid-pattern' });
    this.key = details.key;
    this.value = details.value;
    this.offset = details.offset;
  }
}
