import { PatternError } from '../../errors.js';

/** A JSON object as it appears in a pattern: anything that is an object but neither null nor an array. */
export type JsonObject = Readonly<Record<string, unknown>>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Dotted path of a key inside the pattern, the form PatternError.key documents ("detail.eventName"). */
export function joinKeyPath(parent: string, key: string): string {
  return parent === '' ? key : `${parent}.${key}`;
}

/** The error for a pattern EventBridge would refuse; the message names where and what, as PatternError promises. */
export function invalidPattern(keyPath: string, value: unknown, reason: string): PatternError {
  const where = keyPath === '' ? 'the pattern root' : `"${keyPath}"`;
  return new PatternError(`Invalid event pattern at ${where}: ${reason} (found ${describeValue(value)})`, {
    key: keyPath,
    value,
  });
}

const MAX_DESCRIBED_LENGTH = 120;

function describeValue(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    // Cyclic or BigInt-bearing values come only from programmatic callers; their type is description enough.
    text = Object.prototype.toString.call(value);
  }
  return text.length > MAX_DESCRIBED_LENGTH ? `${text.slice(0, MAX_DESCRIBED_LENGTH)}…` : text;
}
