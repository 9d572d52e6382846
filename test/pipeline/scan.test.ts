/**
 * scanInputs: records CloudTrail delivered more than once are evaluated once per (account, eventID) across the whole
 * scan and counted; records without an eventID are always evaluated; rule errors are counted in the summary.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { createDetector } from '../../src/detect/detector.js';
import type { Finding } from '../../src/findings/types.js';
import { scanInputs } from '../../src/pipeline/scan.js';
import { loadRules } from '../../src/rules/load.js';
import type { Rule, RuleCheck } from '../../src/rules/types.js';
import { makeTempDir, removeTempDirs, startLogging, stopLogging } from '../cli/helpers.js';

const { rules } = loadRules();
afterAll(removeTempDirs);

async function scan(paths: string[], detector = createDetector(rules), options: { dedupe?: boolean } = {}) {
  const findings: Finding[] = [];
  const summary = await scanInputs(paths, detector, { ...options, onFinding: (f) => void findings.push(f) });
  return { summary, findings };
}

describe('scanInputs: duplicate records', () => {
  const dir = makeTempDir('trailguard-dedupe-');
  const stop = stopLogging();
  const start = startLogging();
  // The same log file delivered by two trails, a third file repeating one of its events in another account.
  mkdirSync(join(dir, 'trail-a'));
  mkdirSync(join(dir, 'trail-b'));
  writeFileSync(join(dir, 'trail-a', 'log.json.gz'), gzipSync(JSON.stringify({ Records: [stop, start] })));
  writeFileSync(join(dir, 'trail-b', 'log.json.gz'), gzipSync(JSON.stringify({ Records: [stop, start] })));
  writeFileSync(join(dir, 'other-account.json'), JSON.stringify({ Records: [{ ...stop, recipientAccountId: '111122223333' }] }));

  it('evaluates each (account, eventID) once across files and says how many it skipped', async () => {
    const { summary, findings } = await scan([dir]);
    expect(summary).toMatchObject({ files: 3, records: 5, evaluated: 3, duplicates: 2, uncheckedForDuplicates: 0 });
    expect(findings.map((f) => `${f.account} ${f.eventName} ${f.ruleId}`).sort()).toEqual([
      '111122223333 StopLogging cloudtrail-config-changes',
      '111122223333 StopLogging cloudtrail-disabled',
      '123456789012 StartLogging cloudtrail-config-changes',
      '123456789012 StopLogging cloudtrail-config-changes',
      '123456789012 StopLogging cloudtrail-disabled',
    ]);
    expect(new Set(findings.map((f) => f.id)).size).toBe(findings.length);
    expect(summary.findings).toBe(5);
  });

  it('the same path given twice: every record of the second pass is a duplicate', async () => {
    const file = join(dir, 'trail-a', 'log.json.gz');
    const { summary, findings } = await scan([file, file]);
    expect(summary).toMatchObject({ files: 2, records: 4, evaluated: 2, duplicates: 2 });
    expect(findings).toHaveLength(3);
  });

  it('records without an eventID are never taken for duplicates', async () => {
    const noId = join(makeTempDir('trailguard-no-id-'), 'no-id.jsonl');
    const record = { ...stopLogging(), eventID: undefined };
    writeFileSync(noId, `${JSON.stringify(record)}\n${JSON.stringify(record)}\n`);
    const { summary, findings } = await scan([noId]);
    expect(summary).toMatchObject({ records: 2, evaluated: 2, duplicates: 0 });
    expect(findings).toHaveLength(4);
  });

  it('dedupe: false evaluates every record as delivered', async () => {
    const { summary, findings } = await scan([dir], createDetector(rules), { dedupe: false });
    expect(summary).toMatchObject({ records: 5, evaluated: 5, duplicates: 0 });
    expect(findings).toHaveLength(8);
  });
});

describe('scanInputs: rule errors', () => {
  it('counts every error of the scan, per rule, in the summary', async () => {
    const boom: RuleCheck = {
      name: 'boom',
      description: 'always throws',
      run: () => {
        throw new Error('boom on purpose');
      },
    };
    const base = rules.find((r) => r.id === 'cloudtrail-config-changes')!;
    const throwing: Rule = { ...base, id: 'throws-on-trail-calls', compiledChecks: [boom] };
    const seen: string[] = [];
    const detector = createDetector([throwing, ...rules], { onRuleError: (rule) => seen.push(rule.id) });
    const dir = makeTempDir('trailguard-rule-errors-');
    writeFileSync(join(dir, 'log.json'), JSON.stringify({ Records: [stopLogging(), startLogging()] }));
    const first = await scan([dir], detector);
    expect(first.summary).toMatchObject({ evaluated: 2, ruleErrors: 2, ruleErrorsByRule: { 'throws-on-trail-calls': 2 } });
    expect(first.findings.map((f) => f.ruleId).sort()).toEqual(['cloudtrail-config-changes', 'cloudtrail-config-changes', 'cloudtrail-disabled']);
    // A detector used for a second scan: that scan's own errors only.
    const second = await scan([join(dir, 'log.json')], detector);
    expect(second.summary).toMatchObject({ ruleErrors: 2, ruleErrorsByRule: { 'throws-on-trail-calls': 2 } });
    expect(seen).toHaveLength(4);
  });
});
