/**
 * Bodies (a finding, a decision, an approval's plan) are stored as gzipped JSON in a Binary attribute.
 *
 * Why: a DynamoDB item is at most 400 KB (names and values together), and a finding carries its raw
 * CloudTrail record. Records delivered through EventBridge are at most 256 KB; records read from the trail's
 * S3 log files have no such cap (a PutBucketPolicy or a CreateStack with a large template can exceed it).
 * CloudTrail JSON compresses 5-20x, so gzip alone fits every record of ordinary size. A finding whose body is
 * still over BODY_LIMIT compressed (a record made of incompressible data: random tokens, embedded
 * certificates or ciphertext, megabytes of it) is stored with the record's bulky parts (requestParameters,
 * responseElements, additionalEventData, serviceEventDetails) replaced by a note saying what was left out
 * and how big it was; everything else of the finding is kept. Only a finding that is still too big after
 * that (its own fields, not the record, over the limit) is refused with a StoreError.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Finding } from '../../findings/types.js';

/** The largest compressed body stored; the rest of the 400 KB item is left to the other attributes. */
export const BODY_LIMIT = 350_000;

/** The record fields dropped from a finding whose compressed body is over BODY_LIMIT. */
export const BULKY_RECORD_FIELDS = ['requestParameters', 'responseElements', 'additionalEventData', 'serviceEventDetails'] as const;

export function pack(value: unknown): Uint8Array {
  return gzipSync(Buffer.from(JSON.stringify(value), 'utf8'));
}

export function unpack<T>(body: unknown): T {
  if (!(body instanceof Uint8Array)) throw new TypeError(`stored body is ${typeof body}, not binary`);
  return JSON.parse(gunzipSync(body).toString('utf8')) as T;
}

/** The note a dropped record field is replaced with. */
export interface OmittedField {
  trailguardOmitted: string;
}

/**
 * The finding's body: gzipped JSON, or (over BODY_LIMIT) gzipped JSON of the finding with the record's bulky
 * fields replaced by notes; undefined when even that is over the limit.
 */
export function packFinding(finding: Finding): Uint8Array | undefined {
  const body = pack(finding);
  if (body.byteLength <= BODY_LIMIT) return body;
  const record: Record<string, unknown> = { ...finding.record };
  for (const field of BULKY_RECORD_FIELDS) {
    const value = record[field];
    if (value === undefined || value === null) continue;
    const size = Buffer.byteLength(JSON.stringify(value), 'utf8');
    const note: OmittedField = { trailguardOmitted: `${field} (${size} bytes of JSON) left out: the finding did not fit a DynamoDB item even compressed` };
    record[field] = note;
  }
  const trimmed = pack({ ...finding, record });
  return trimmed.byteLength <= BODY_LIMIT ? trimmed : undefined;
}
