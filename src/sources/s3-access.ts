/**
 * What reading S3 needs, without the SDK: listing one prefix a page at a time, reading one object whole or as a
 * stream, and how a failure is said in one line. Behind these interfaces the listing and reading logic runs against
 * the real client (s3-client.ts, loaded only when an s3:// input is given) or a fake.
 */
import { awsErrorCode, awsErrorMessage } from '../util/aws-error-text.js';
import { TrailguardError } from '../util/errors.js';

/** One page of a listing: the sub-prefixes (with a delimiter) and the objects. */
export interface S3ListPage {
  prefixes: string[];
  objects: Array<{ key: string; size: number }>;
}

export type S3Lister = (bucket: string, prefix: string, delimiter?: string) => AsyncIterable<S3ListPage>;

export interface S3ObjectSource {
  /** The whole object. */
  bytes(bucket: string, key: string, signal?: AbortSignal): Promise<Uint8Array>;
  /** The object as a stream, for objects too large to hold whole. */
  stream(bucket: string, key: string, signal?: AbortSignal): Promise<NodeJS.ReadableStream & AsyncIterable<Buffer>>;
}

/** What a scan needs of S3. */
export interface S3Access {
  list: S3Lister;
  objects: S3ObjectSource;
}

/** A bucket or prefix that cannot be listed: the scan cannot do what was asked (exit 2, one line). */
export class S3SourceError extends TrailguardError {
  override readonly name = 'S3SourceError';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { code: 's3-source', ...options });
  }
}

/** "NoSuchBucket: The specified bucket does not exist", without repeating a code the message already starts with. */
export function s3ErrorText(error: unknown, operation: string): string {
  const code = awsErrorCode(error);
  const message = awsErrorMessage(error, { service: 's3', operation });
  if (code === 'Error' || message.startsWith(code)) return message;
  // The SDK's credential chain names itself; say what it means.
  if (code === 'CredentialsProviderError') return `no AWS credentials: ${message}`;
  return `${code}: ${message}`;
}
