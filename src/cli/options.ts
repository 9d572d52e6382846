/**
 * Option parsers and input checks every command shares, so `--rules`, `--only`, `--fail-on` and named inputs are
 * spelled, split and refused the same way everywhere.
 */
import { InvalidArgumentError } from 'commander';
import { isS3Url, missingInputs, parseS3Url } from '../sources/index.js';
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
 * Named inputs that do not exist stop the run before any work (exit 2). `s3://bucket/prefix` URLs are read from S3
 * and only checked for shape here (whether the bucket is there is known once it is listed) where the command reads S3
 * (`s3: true`, scan); other URLs are not read.
 */
export function checkInputPaths(paths: readonly string[], what = 'input', options: { s3?: boolean } = {}): void {
  const s3 = paths.find((p) => isS3Url(p));
  if (s3 !== undefined && options.s3 !== true) throw new UsageError(`${s3}: ${what} is not read from S3: download the object first and give the local copy`);
  const badS3 = paths.find((p) => isS3Url(p) && parseS3Url(p) === undefined);
  if (badS3 !== undefined) throw new UsageError(`${badS3}: not an S3 URL: expected s3://bucket/prefix with a valid bucket name`);
  const missing = missingInputs(paths.filter((p) => !isS3Url(p)));
  if (missing.length === 0) return;
  const url = missing.find((p) => /^[a-z][a-z0-9+.-]*:\/\//i.test(p));
  if (url !== undefined) throw new UsageError(`${url}: URLs are not read (only s3://bucket/prefix): download the logs first and scan the local copy`);
  throw new UsageError(`${what} not found: ${missing.join(', ')}`);
}
