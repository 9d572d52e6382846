import { TrailguardError } from '../util/errors.js';

/** A mistake in how trailguard was invoked: exit code 2, message on stderr, no stack. */
export class UsageError extends TrailguardError {
  override readonly name = 'UsageError';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { code: 'usage', ...options });
  }
}
