/**
 * Option parsers and input checks every command shares, so `--rules`, `--only`, `--fail-on` and named inputs are
 * spelled, split and refused the same way everywhere.
 */
import { InvalidArgumentError } from 'commander';
import { missingInputs } from '../sources/index.js';
import { UsageError } from './usage-error.js';

/** A comma-separated, repeatable option (`--only a,b --only c`). */
export const splitList = (value: string, previous: string[] = []): string[] => [...previous, ...value.split(',').map((s) => s.trim()).filter(Boolean)];

/** A repeatable single-value option (`--rules a --rules b`): a value never swallows the positional arguments after it. */
export const collectValues = (value: string, previous: string[] = []): string[] => [...previous, value];

/** One of `values`, in any case (`HIGH`, `High`, `high`); commander's own message otherwise. */
export function oneOf<T extends string>(values: readonly T[]): (value: string) => T {
  return (value) => {
    const normalised = value.trim().toLowerCase();
    const found = values.find((v) => v === normalised);
    if (found === undefined) throw new InvalidArgumentError(`Allowed choices are ${values.join(', ')}.`);
    return found;
  };
}

/**
 * Named inputs that do not exist stop the run before any work (exit 2). An S3 URL gets its own answer: scanning a
 * bucket is not there yet, a local copy is.
 */
export function checkInputPaths(paths: readonly string[], what = 'input'): void {
  const missing = missingInputs(paths);
  if (missing.length === 0) return;
  const s3 = missing.find((p) => /^s3:\/\//i.test(p));
  if (s3 !== undefined) {
    throw new UsageError(
      `${s3}: scanning S3 directly is not supported yet: copy or sync the trail bucket first (aws s3 sync ${s3} ./trail-logs) and scan the local copy`,
    );
  }
  const url = missing.find((p) => /^[a-z][a-z0-9+.-]*:\/\//i.test(p));
  if (url !== undefined) throw new UsageError(`${url}: URLs are not read: download the logs first and scan the local copy`);
  throw new UsageError(`${what} not found: ${missing.join(', ')}`);
}
