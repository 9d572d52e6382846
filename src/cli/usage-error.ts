import { TrailguardError } from '../util/errors.js';

/** A mistake in how trailguard was invoked: exit code 2, message on stderr, no stack. */
export class UsageError extends TrailguardError {
  override readonly name = 'UsageError';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { code: 'usage', ...options });
  }
}

/**
 * The run could not do what was asked, though it was asked correctly: nothing to scan where a check needed
 * something, rule errors or rule load problems under --strict. Exit code 2 like a usage error, message on
 * stderr, no stack.
 */
export class RunFailedError extends TrailguardError {
  override readonly name = 'RunFailedError';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { code: 'run-failed', ...options });
  }
}
