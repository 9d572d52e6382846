import { TrailguardError } from '../util/errors.js';

/** The store could not be opened, read or written (the message names the store and what was being done). */
export class StoreError extends TrailguardError {
  override readonly name = 'StoreError';
  constructor(message: string, options: { code?: string; cause?: unknown } = {}) {
    super(message, { code: options.code ?? 'store', cause: options.cause });
  }
}
