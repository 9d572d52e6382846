/**
 * The S3 client behind a scan's S3Access (s3-access.ts), and the backfill function's: listing one prefix a page at a
 * time with the SDK's paginator, and reading one object, whole or as a stream. Loaded only when an s3:// input is given.
 *
 * Client configuration: the SDK's default chain (environment, shared config and SSO, `--profile`, container and
 * instance roles); `AWS_ENDPOINT_URL` is honoured by the SDK itself. An emulator endpoint (moto) needs path-style
 * addressing; the bucket's own region is followed by the SDK (`followRegionRedirects`), so any start region works.
 */
import type { Readable } from 'node:stream';
import { GetObjectCommand, paginateListObjectsV2, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import type { S3Access, S3Lister, S3ObjectSource } from './s3-access.js';

export interface S3ClientOptions {
  /** A profile of the shared config/credentials files (--profile). */
  profile?: string;
  /** The region to start in (--region); default the SDK's (AWS_REGION, the profile), else us-east-1. */
  region?: string;
  /** An endpoint (tests, emulators); AWS_ENDPOINT_URL is read by the SDK without it. */
  endpoint?: string;
  credentials?: S3ClientConfig['credentials'];
  maxAttempts?: number;
}

/** Whether requests go to an emulator or a custom endpoint, which expects path-style URLs (moto does). */
function customEndpoint(options: S3ClientOptions): boolean {
  return options.endpoint !== undefined || Boolean(process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL);
}

/** Configuration for an S3 client: shared by the scan and the backfill function. */
export function s3ClientConfig(options: S3ClientOptions): S3ClientConfig {
  return {
    followRegionRedirects: true,
    ...(options.profile !== undefined ? { profile: options.profile } : {}),
    ...(options.region !== undefined ? { region: options.region } : {}),
    ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
    ...(options.credentials !== undefined ? { credentials: options.credentials } : {}),
    ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
    ...(customEndpoint(options) ? { forcePathStyle: true } : {}),
  };
}

/**
 * An S3 client. Without a region anywhere in the chain, us-east-1: the bucket's region is then found by the SDK's
 * redirect handling, rather than the run failing on "Region is missing".
 */
export async function createS3Client(options: S3ClientOptions = {}): Promise<S3Client> {
  const client = new S3Client(s3ClientConfig(options));
  if (options.region !== undefined) return client;
  try {
    const region = await client.config.region();
    if (typeof region === 'string' && region !== '') return client;
  } catch {
    // No region configured: fall through.
  }
  client.destroy();
  return new S3Client(s3ClientConfig({ ...options, region: 'us-east-1' }));
}

export function s3Lister(client: S3Client): S3Lister {
  return async function* list(bucket, prefix, delimiter) {
    const pages = paginateListObjectsV2({ client, pageSize: 1000 }, { Bucket: bucket, Prefix: prefix, ...(delimiter !== undefined ? { Delimiter: delimiter } : {}) });
    for await (const page of pages) {
      yield {
        prefixes: (page.CommonPrefixes ?? []).flatMap((p) => (p.Prefix !== undefined ? [p.Prefix] : [])),
        objects: (page.Contents ?? []).flatMap((o) => (o.Key !== undefined ? [{ key: o.Key, size: o.Size ?? 0 }] : [])),
      };
    }
  };
}

export function s3ObjectSource(client: S3Client): S3ObjectSource {
  const get = async (bucket: string, key: string, signal?: AbortSignal) => {
    const result = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), signal ? { abortSignal: signal } : {});
    if (!result.Body) throw new Error('empty response body');
    return result.Body;
  };
  return {
    async bytes(bucket, key, signal) {
      return (await get(bucket, key, signal)).transformToByteArray();
    },
    async stream(bucket, key, signal) {
      // In Node.js the body is the HTTP response, a Readable.
      return (await get(bucket, key, signal)) as unknown as Readable & AsyncIterable<Buffer>;
    },
  };
}

export function s3Access(client: S3Client): S3Access {
  return { list: s3Lister(client), objects: s3ObjectSource(client) };
}
