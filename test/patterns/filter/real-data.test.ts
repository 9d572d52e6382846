/**
 * The CIS filters on real CloudTrail output, read at run time from ../shared/cloudtrail-real (never copied into the
 * repository; see its README): the Invictus-IR Sigma-AWS lab hour and the Stratus Red Team detonation logs.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compileFilterPattern } from '../../../src/patterns/filter/index.js';
import { CIS_CONTROLS, EVENT_NAMES } from './support/cis-filters.js';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const REAL_DATA = resolve(repoRoot, '../shared/cloudtrail-real');
const SETS = ['invictus-ir-sigma-aws/CloudTrail', 'stratus-red-team-detonation-logs'];
const present = SETS.every((set) => existsSync(join(REAL_DATA, set)));
if (!present) console.log(`skipping real-data filter pattern tests: ${REAL_DATA} not found`);

function readRecords(): Record<string, unknown>[] {
  const records: Record<string, unknown>[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.json')) {
        const parsed = JSON.parse(readFileSync(path, 'utf8')) as { Records?: Record<string, unknown>[] } | Record<string, unknown>[];
        records.push(...(Array.isArray(parsed) ? parsed : (parsed.Records ?? [])));
      }
    }
  };
  for (const set of SETS) walk(join(REAL_DATA, set));
  return records;
}

describe.skipIf(!present)('CIS filters on real CloudTrail records', () => {
  const records = present ? readRecords() : [];

  it('give the same answer for a record and for its JSON text, for every published variant', () => {
    expect(records.length).toBeGreaterThan(3000);
    const texts = records.map((r) => JSON.stringify(r));
    for (const control of Object.values(CIS_CONTROLS)) {
      for (const variant of control.variants) {
        const pattern = compileFilterPattern(variant.text);
        const differing = records.filter((record, i) => pattern.matches(texts[i]!) !== pattern.matches(record)).map((r) => JSON.stringify(r).slice(0, 200));
        expect(differing, variant.source).toEqual([]);
      }
    }
  });

  it('event-name controls match exactly the records with one of their event names', () => {
    const cases = [
      [CIS_CONTROLS.iamPolicyChanges, EVENT_NAMES.iamPolicyEvents, undefined],
      [CIS_CONTROLS.cloudTrailChanges, EVENT_NAMES.trailEvents, undefined],
      [CIS_CONTROLS.securityGroupChanges, EVENT_NAMES.securityGroupEvents, undefined],
      [CIS_CONTROLS.routeTableChanges, EVENT_NAMES.routeEvents, undefined],
      [CIS_CONTROLS.vpcChanges, EVENT_NAMES.vpcEvents, undefined],
      [CIS_CONTROLS.gatewayChanges, EVENT_NAMES.gatewayEvents, undefined],
      [CIS_CONTROLS.s3BucketPolicyChanges, EVENT_NAMES.s3Events, 's3.amazonaws.com'],
      [CIS_CONTROLS.organizationsChanges, EVENT_NAMES.organizationsEvents, 'organizations.amazonaws.com'],
    ] as const;
    let total = 0;
    for (const [control, names, source] of cases) {
      const expected = records.filter((r) => (names as readonly unknown[]).includes(r.eventName) && (source === undefined || r.eventSource === source)).length;
      for (const variant of control.variants) {
        const pattern = compileFilterPattern(variant.text);
        expect(records.filter((r) => pattern.matches(r)).length, variant.source).toBe(expected);
      }
      total += expected;
    }
    expect(total).toBeGreaterThan(50);
  });

  it('unauthorized API calls match exactly the records with such an error code', () => {
    const pattern = compileFilterPattern(CIS_CONTROLS.unauthorizedApiCalls.variants[0]!.text);
    const expected = records.filter((r) => typeof r.errorCode === 'string' && (r.errorCode.endsWith('UnauthorizedOperation') || r.errorCode.startsWith('AccessDenied'))).length;
    expect(expected).toBeGreaterThan(10);
    expect(records.filter((r) => pattern.matches(r)).length).toBe(expected);
  });

  it('a term pattern over the JSON text finds at least what the JSON pattern finds', () => {
    const json = compileFilterPattern('{ $.eventName = "AuthorizeSecurityGroupIngress" }');
    const term = compileFilterPattern('"\\"eventName\\":\\"AuthorizeSecurityGroupIngress\\""');
    for (const record of records) if (json.matches(record)) expect(term.matches(record)).toBe(true);
  });
});
