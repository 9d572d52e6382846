/**
 * A trail bucket in moto_server: the bundled samples (or any local tree) uploaded under a key prefix, and an S3
 * client that counts the GetObject requests it sends, so a test can prove which objects were never downloaded.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mapLimit } from '../../src/util/map-limit.js';
import type { Moto } from './moto.js';

export function motoS3Client(moto: Moto, region = 'us-east-1'): S3Client {
  return new S3Client({ ...moto.clientConfig(region), forcePathStyle: true });
}

/** Every file under `dir`, sorted, with its key relative to `dir` (always `/`-separated). */
function treeFiles(dir: string): Array<{ path: string; key: string }> {
  const out: Array<{ path: string; key: string }> = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push({ path: p, key: relative(dir, p).split(sep).join('/') });
    }
  };
  walk(dir);
  return out;
}

/** Creates the bucket and uploads the tree under `dir` to `keyPrefix` + its relative path; returns the keys. */
export async function uploadTree(s3: S3Client, bucket: string, dir: string, keyPrefix = ''): Promise<string[]> {
  await createBucket(s3, bucket);
  const files = treeFiles(dir);
  await mapLimit(files, 8, (f) => s3.send(new PutObjectCommand({ Bucket: bucket, Key: keyPrefix + f.key, Body: readFileSync(f.path) })));
  return files.map((f) => keyPrefix + f.key);
}

export async function createBucket(s3: S3Client, bucket: string): Promise<void> {
  try {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (error) {
    if ((error as { name?: string }).name !== 'BucketAlreadyOwnedByYou') throw error;
  }
}

export async function putObject(s3: S3Client, bucket: string, key: string, body: string | Buffer): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
}

/** The keys of the GetObject requests a client sends, in order. */
export function countGetObject(s3: S3Client): string[] {
  const keys: string[] = [];
  s3.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'GetObjectCommand') keys.push(String((args.input as { Key?: unknown }).Key));
      return next(args);
    },
    { step: 'initialize', name: 'countGetObject' },
  );
  return keys;
}
