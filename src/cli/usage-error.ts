/** A mistake in how trailguard was invoked: exit code 2, message on stderr, no stack. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
