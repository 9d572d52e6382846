import { TrailguardError } from '../util/errors.js';

/** A config that cannot be used: the message names the file (or where it came from), the line and the key. */
export class ConfigError extends TrailguardError {
  override readonly name = 'ConfigError';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { code: 'invalid-config', ...options });
  }
}
