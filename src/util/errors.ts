/**
 * The one error base class of trailguard. Every error the product raises on purpose is one of these: it
 * carries a stable `code` (what callers and tests switch on, never the message text) and, where another
 * error caused it, that error as `cause` (kept for the stack, never shown where it could hold a secret).
 */
export class TrailguardError extends Error {
  readonly code: string;

  constructor(message: string, options: { code: string; cause?: unknown }) {
    super(message, options.cause !== undefined ? { cause: options.cause } : undefined);
    this.code = options.code;
  }
}
