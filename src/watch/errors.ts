import { TrailguardError } from '../util/errors.js';

/**
 * A source could not read a window completely (access denied, a bad log group, retries used up): that source's
 * checkpoint stays where it was, so the next poll reads the window again; the other sources go on.
 */
export class WatchSourceError extends TrailguardError {
  override readonly name = 'WatchSourceError';
  constructor(
    message: string,
    readonly awsCode: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, { code: 'watch-source', ...options });
  }
}

/** The poll was abandoned because the run is stopping at once (a second SIGINT/SIGTERM). Nothing is lost: the window is read again next run. */
export class WatchStoppedError extends TrailguardError {
  override readonly name = 'WatchStoppedError';
  constructor() {
    super('stopped', { code: 'watch-stopped' });
  }
}
