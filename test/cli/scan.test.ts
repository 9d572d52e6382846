/**
 * `trailguard scan` end to end: the built binary (dist/cli/main.js) run as a child process on files, directories
 * and stdin, with its options, config file and exit codes. Requires `npm run build` (npm test builds first).
 */
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/findings/types.js';
import type { ScanSummary } from '../../src/pipeline/scan.js';
import {
  BUILTIN_RULES,
  SAMPLES,
  countBy,
  describeInstances,
  makeTempDir,
  parseJsonl,
  recordsLine,
  removeTempDirs,
  requireBuiltCli,
  ROOT,
  ruleIds,
  run,
  startLogging,
  stopLogging,
  type RunResult,
  catalogSize,
} from './helpers.js';

interface Scenario {
  scenario: string;
  eventName: string;
  eventSource: string;
  eventID: string;
  eventTime: string;
  expectedRules: string[];
  notExpectedRules?: string[];
}

const scenarios = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'sample-scenarios.json'), 'utf8')) as Scenario[];
const SEVERITY_ORDER = ['critical', 'high', 'medium', 'low', 'info'];

/** Every record of the committed sample set, read independently of trailguard's decoder. */
function sampleEventTimes(): string[] {
  const times: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.json.gz') && !p.includes('CloudTrail-Digest')) {
        const doc = JSON.parse(gunzipSync(readFileSync(p)).toString('utf8')) as { Records?: { eventTime: string }[] };
        for (const r of doc.Records ?? []) times.push(r.eventTime);
      }
    }
  };
  walk(SAMPLES);
  return times;
}

let tmp: string;
let samplesRun: RunResult;
let sampleFindings: Finding[];
let stopFile: string;
let startFile: string;
let quietFile: string;

beforeAll(() => {
  requireBuiltCli();
  tmp = makeTempDir();
  stopFile = join(tmp, 'stop.json');
  startFile = join(tmp, 'start.json');
  quietFile = join(tmp, 'describe.json');
  writeFileSync(stopFile, JSON.stringify({ Records: [stopLogging()] }));
  writeFileSync(startFile, JSON.stringify({ Records: [startLogging()] }));
  writeFileSync(quietFile, JSON.stringify({ Records: [describeInstances()] }));
  samplesRun = run(['scan', SAMPLES, '--format', 'jsonl']);
  sampleFindings = parseJsonl(samplesRun.stdout);
});
afterAll(() => removeTempDirs());

describe('trailguard scan samples/', () => {
  it('finds every scenario of test/fixtures/sample-scenarios.json and nothing on background records', () => {
    expect(samplesRun.stderr).not.toMatch(/^(error|warning):/m);
    expect(samplesRun.status).toBe(0);
    const byEvent = new Map<string, string[]>();
    for (const f of sampleFindings) byEvent.set(f.eventId, [...(byEvent.get(f.eventId) ?? []), f.ruleId]);
    for (const s of scenarios) {
      const got = (byEvent.get(s.eventID) ?? []).sort();
      expect(got, `${s.scenario}: ${s.eventName} ${s.eventID}`).toEqual([...s.expectedRules].sort());
      for (const not of s.notExpectedRules ?? []) expect(got, `${s.scenario}: ${s.eventName} must not raise ${not}`).not.toContain(not);
    }
    // Background records (every event that is not a scenario event) raise nothing.
    const scenarioIds = new Set(scenarios.map((s) => s.eventID));
    expect(sampleFindings.filter((f) => !scenarioIds.has(f.eventId)).map((f) => `${f.ruleId} ${f.eventName} ${f.eventId}`)).toEqual([]);
    expect(sampleFindings).toHaveLength(scenarios.reduce((n, s) => n + s.expectedRules.length, 0));
  });

  it('--format jsonl: one JSON finding per line and nothing else on stdout; the summary is on stderr', () => {
    const lines = samplesRun.stdout.split('\n');
    expect(lines.at(-1)).toBe('');
    expect(lines.slice(0, -1)).toHaveLength(sampleFindings.length);
    for (const line of lines.slice(0, -1)) {
      expect(line.startsWith('{') && line.endsWith('}')).toBe(true);
      const f = JSON.parse(line) as Finding;
      expect(f.id).toMatch(/^[0-9a-f]{32}$/);
      expect(typeof f.ruleId).toBe('string');
      expect(f.record.eventID).toBe(f.eventId);
    }
    // Ids are unique (one finding per rule and event).
    expect(new Set(sampleFindings.map((f) => f.id)).size).toBe(sampleFindings.length);
    expect(recordsLine(samplesRun.stderr)).toBe('Records: 3,000 read, 3,000 evaluated, 0 rejected, 1 skipped');
    expect(samplesRun.stderr).toMatch(new RegExp(`^Scanned 510 files \\(\\d+\\.\\d MiB\\) with ${catalogSize()} rules in \\d+\\.\\d\\d s`, 'm'));
    expect(samplesRun.stderr).toContain('Rejected/skipped: digest-file 1\n');
    const sev = countBy(sampleFindings, (f) => f.severity);
    const bySeverity = SEVERITY_ORDER.filter((s) => sev[s]).map((s) => `${sev[s]} ${s}`);
    expect(samplesRun.stderr).toContain(`Findings: ${sampleFindings.length} (${bySeverity.join(', ')})\n`);
    for (const [id, n] of Object.entries(countBy(sampleFindings, (f) => f.ruleId))) {
      expect(samplesRun.stderr).toMatch(new RegExp(`^  ${id} +${n}$`, 'm'));
    }
  });

  it('--format json --output FILE: one JSON document {findings, summary} in the file, nothing on stdout', () => {
    const out = join(tmp, 'samples.json');
    const r = run(['scan', SAMPLES, '--format', 'json', '--output', out]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    const doc = JSON.parse(readFileSync(out, 'utf8')) as { findings: Finding[]; summary: ScanSummary };
    expect(Object.keys(doc).sort()).toEqual(['findings', 'summary']);
    expect(doc.findings.map((f) => f.id).sort()).toEqual(sampleFindings.map((f) => f.id).sort());
    expect(doc.summary).toMatchObject({
      files: 510,
      records: 3000,
      evaluated: 3000,
      outsideWindow: 0,
      undatable: 0,
      rejects: 1,
      skipped: 1,
      rejectsByKind: { 'digest-file': 1 },
      findings: sampleFindings.length,
      findingsByRule: countBy(sampleFindings, (f) => f.ruleId),
      findingsBySeverity: countBy(sampleFindings, (f) => f.severity),
    });
    expect(r.stderr).toContain(`Findings: ${sampleFindings.length} (`);
  });

  it('--format table with --min-severity high: a header, then one row per high/critical finding, most severe first', () => {
    const r = run(['scan', SAMPLES, '--format', 'table', '--min-severity', 'high']);
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines.at(-1)).toBe('');
    expect(lines[0]!.split(/ {2,}/)).toEqual(['SEVERITY', 'TIME', 'RULE', 'ACCOUNT/REGION', 'ACTOR', 'SUMMARY']);
    const rows = lines.slice(1, -1).map((line) => {
      const m = /^(\S+) +(\S+) +(\S+) +(\S+) +/.exec(line);
      if (!m) throw new Error(`not a table row: ${line}`);
      return { severity: m[1]!, time: m[2]!, rule: m[3]!, where: m[4]! };
    });
    const expected = sampleFindings.filter((f) => f.severity === 'high' || f.severity === 'critical');
    expect(expected.length).toBeGreaterThan(0);
    expect(rows.map((x) => `${x.severity}|${x.time}|${x.rule}|${x.where}`).sort()).toEqual(
      expected.map((f) => `${f.severity.toUpperCase()}|${f.eventTime}|${f.ruleId}|${f.account}/${f.region}`).sort(),
    );
    const ranks = rows.map((x) => SEVERITY_ORDER.indexOf(x.severity.toLowerCase()));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(rows[0]!.severity).toBe('CRITICAL');
    // The summary counts only what was reported.
    expect(r.stderr).toContain(`Findings: ${expected.length} (`);
  });

  it('--only and --exclude take comma-separated lists and can be repeated', () => {
    const r = run([
      'scan', SAMPLES, '--format', 'jsonl',
      '--only', 'cloudtrail-disabled,guardduty-disabled,root-account-usage', '--only', 'security-group-changes,unauthorized-api-calls',
      '--exclude', 'root-account-usage,unauthorized-api-calls', '--exclude', 'security-group-changes',
    ]);
    expect(r.status).toBe(0);
    const keep = new Set(['cloudtrail-disabled', 'guardduty-disabled']);
    // Each of these rules has findings in the sample set, so their absence shows the selection worked.
    for (const id of ['cloudtrail-disabled', 'guardduty-disabled', 'root-account-usage', 'security-group-changes', 'unauthorized-api-calls']) {
      expect(sampleFindings.some((f) => f.ruleId === id), id).toBe(true);
    }
    expect(ruleIds(parseJsonl(r.stdout))).toEqual(ruleIds(sampleFindings.filter((f) => keep.has(f.ruleId))));
    expect(r.stderr).toMatch(/ with 2 rules in /);
  });

  it('--since/--until with ISO times: records outside the window are counted in the summary, not evaluated', () => {
    const since = '2026-11-16T12:00:00Z';
    const until = '2026-11-17T00:00:00Z';
    const r = run(['scan', SAMPLES, '--format', 'json', '--since', since, '--until', until]);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout) as { findings: Finding[]; summary: ScanSummary };
    const times = sampleEventTimes();
    expect(times).toHaveLength(3000);
    const inside = times.filter((t) => Date.parse(t) >= Date.parse(since) && Date.parse(t) < Date.parse(until)).length;
    expect(inside).toBeGreaterThan(0);
    expect(inside).toBeLessThan(3000);
    expect(doc.summary).toMatchObject({ records: 3000, evaluated: inside, outsideWindow: 3000 - inside, undatable: 0 });
    const expected = sampleFindings.filter((f) => f.eventTime >= since && f.eventTime < until);
    expect(expected.length).toBeGreaterThan(0);
    expect(doc.findings.map((f) => f.id).sort()).toEqual(expected.map((f) => f.id).sort());
    expect(recordsLine(r.stderr)).toBe(`Records: 3,000 read, ${inside.toLocaleString('en-US')} evaluated, ${(3000 - inside).toLocaleString('en-US')} outside --since/--until, 0 rejected, 1 skipped`);
  });

  it('--since/--until with durations ago (24h, 7d)', () => {
    const ago = (ms: number) => new Date(Date.now() - ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const hour = 3_600_000;
    const recent = stopLogging({ eventID: '00000000-0000-4000-8000-000000000002', eventTime: ago(2 * hour) });
    const yesterday = stopLogging({ eventID: '00000000-0000-4000-8000-000000000030', eventTime: ago(30 * hour) });
    const old = stopLogging({ eventID: '00000000-0000-4000-8000-000000000240', eventTime: ago(240 * hour) });
    const file = join(tmp, 'relative.jsonl');
    writeFileSync(file, [recent, yesterday, old].map((x) => JSON.stringify(x)).join('\n') + '\n');

    const last24h = run(['scan', file, '--format', 'json', '--since', '24h']);
    expect(last24h.status).toBe(0);
    const a = JSON.parse(last24h.stdout) as { findings: Finding[]; summary: ScanSummary };
    expect(a.summary).toMatchObject({ records: 3, evaluated: 1, outsideWindow: 2 });
    expect([...new Set(a.findings.map((f) => f.eventId))]).toEqual([recent.eventID]);

    const window = run(['scan', file, '--format', 'json', '--since', '7d', '--until', '24h']);
    expect(window.status).toBe(0);
    const b = JSON.parse(window.stdout) as { findings: Finding[]; summary: ScanSummary };
    expect(b.summary).toMatchObject({ records: 3, evaluated: 1, outsideWindow: 2 });
    expect([...new Set(b.findings.map((f) => f.eventId))]).toEqual([yesterday.eventID]);
    expect(recordsLine(window.stderr)).toBe('Records: 3 read, 1 evaluated, 2 outside --since/--until, 0 rejected');
  });

  it('--fail-on: exit 1 when a finding at or above the severity exists, 0 when not', () => {
    const critical = run(['scan', stopFile, '--format', 'jsonl', '--fail-on', 'high']);
    expect(critical.status).toBe(1);
    expect(ruleIds(parseJsonl(critical.stdout))).toEqual(['cloudtrail-config-changes', 'cloudtrail-disabled']);

    const medium = run(['scan', startFile, '--format', 'jsonl', '--fail-on', 'high']);
    expect(medium.status).toBe(0);
    expect(parseJsonl(medium.stdout).map((f) => `${f.ruleId}:${f.severity}`)).toEqual(['cloudtrail-config-changes:medium']);

    const atThreshold = run(['scan', startFile, '--format', 'jsonl', '--fail-on', 'medium']);
    expect(atThreshold.status).toBe(1);

  });
});

describe('trailguard scan: usage errors exit 2 with a message on stderr and nothing on stdout', () => {
  it.each([
    ['an unknown option', ['scan', '--bogus', 'x'], ["error: unknown option '--bogus'"]],
    ['a bad --min-severity', ['scan', '--min-severity', 'extreme', 'x'], ["error: option '--min-severity <severity>' argument 'extreme' is invalid. Allowed choices are info, low, medium, high, critical."]],
    ['a bad --fail-on', ['scan', '--fail-on', 'huge', 'x'], ["error: option '--fail-on <severity>' argument 'huge' is invalid."]],
    ['a bad --format', ['scan', '--format', 'xml', 'x'], ["error: option '--format <format>' argument 'xml' is invalid. Allowed choices are table, json, jsonl."]],
    ['a bad --since', ['scan', '--since', 'yesterday', 'x'], ['trailguard: --since "yesterday" is neither an ISO 8601 time (2026-11-20T10:00:00Z) nor a duration ago (30m, 24h, 7d)']],
    ['a bad --until', ['scan', '--until', '2026-11-20Tnoon', 'x'], ['trailguard: --until "2026-11-20Tnoon" is neither an ISO 8601 time']],
    ['--since not before --until', ['scan', '--since', '2026-11-17', '--until', '2026-11-16', 'x'], ['trailguard: --since must be before --until']],
    ['no paths', ['scan'], ["error: missing required argument 'paths'"]],
    [
      '--only naming no rule',
      ['scan', '--only', 'no-such-rule', 'x'],
      ['trailguard: --only: no rule no-such-rule (trailguard rules list shows the ids)\n'],
    ],
    ['--only with a typo', ['scan', '--only', 'root-console-logn', 'x'], ['trailguard: --only: no rule root-console-logn (did you mean root-console-login?)\n']],
  ])('%s', (_name, args, messages) => {
    const r = run(args);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    for (const message of messages) expect(r.stderr).toContain(message);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('a --config file that does not exist (named as resolved against the working directory)', () => {
    const cwd = makeTempDir('trailguard-no-config-');
    const r = run(['scan', '--config', 'no-such-config.yaml', 'x'], { cwd });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`trailguard: ${join(cwd, 'no-such-config.yaml')}: cannot read config:`);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('an impossible calendar date in --since is rejected, not rolled over (2026-02-30 is not 2026-03-02)', () => {
    const r = run(['scan', '--since', '2026-02-30', stopFile]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--since "2026-02-30"');
  });

  it('a --rules path that does not exist is a usage error, like a missing --config file', () => {
    const missing = join(tmp, 'no-such-rules-dir');
    const r = run(['scan', stopFile, '--rules', missing, '--format', 'jsonl']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(missing);
  });

  it.each(['--output', '--rejects'])('an %s file that cannot be created is reported with a message, not a stack trace (exit 2)', (option) => {
    const target = join(tmp, 'no-such-dir', `${option.slice(2)}.txt`);
    const r = run(['scan', stopFile, '--format', 'jsonl', option, target]);
    expect(r.stderr).not.toContain("Unhandled 'error' event");
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stderr).toContain(target);
    expect(r.status).toBe(2);
  });
});

describe('trailguard scan: inputs', () => {
  it('stdin (-) holding a gzipped CloudTrail log file', () => {
    const gz = gzipSync(JSON.stringify({ Records: [stopLogging(), startLogging()] }));
    const r = run(['scan', '-', '--format', 'jsonl'], { input: gz });
    expect(r.status).toBe(0);
    const findings = parseJsonl(r.stdout);
    expect(findings.map((f) => `${f.eventName}:${f.ruleId}`).sort()).toEqual(['StartLogging:cloudtrail-config-changes', 'StopLogging:cloudtrail-config-changes', 'StopLogging:cloudtrail-disabled']);
    expect(recordsLine(r.stderr)).toBe('Records: 2 read, 2 evaluated, 0 rejected');
  });

  it('stdin (-) holding JSON Lines', () => {
    const lines = [stopLogging(), startLogging({ eventID: '9c7e59c2-0b8e-4f5e-9d0c-1d2b3a4c5e6f' }), describeInstances({ eventID: 'aa7e59c2-0b8e-4f5e-9d0c-1d2b3a4c5e6f' })];
    const r = run(['scan', '-', '--format', 'jsonl'], { input: lines.map((x) => JSON.stringify(x)).join('\n') + '\n' });
    expect(r.status).toBe(0);
    expect(parseJsonl(r.stdout).map((f) => `${f.eventId}:${f.ruleId}`).sort()).toEqual([
      '9c7e59c2-0b8e-4f5e-9d0c-1d2b3a4c5e6f:cloudtrail-config-changes',
      'be68461e-96e3-5795-8cb7-6c8c49465fd4:cloudtrail-config-changes',
      'be68461e-96e3-5795-8cb7-6c8c49465fd4:cloudtrail-disabled',
    ]);
    expect(recordsLine(r.stderr)).toBe('Records: 3 read, 3 evaluated, 0 rejected');
  });

  it('stdin (-) holding one EventBridge event', () => {
    const event = {
      version: '0',
      id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
      'detail-type': 'AWS API Call via CloudTrail',
      source: 'aws.cloudtrail',
      account: '123456789012',
      time: '2026-11-20T10:01:02Z',
      region: 'us-east-1',
      resources: [],
      detail: stopLogging(),
    };
    const r = run(['scan', '-', '--format', 'jsonl'], { input: JSON.stringify(event) });
    expect(r.status).toBe(0);
    const findings = parseJsonl(r.stdout);
    expect(ruleIds(findings)).toEqual(['cloudtrail-config-changes', 'cloudtrail-disabled']);
    for (const f of findings) expect([f.account, f.region, f.eventId]).toEqual(['123456789012', 'us-east-1', 'be68461e-96e3-5795-8cb7-6c8c49465fd4']);
    expect(recordsLine(r.stderr)).toBe('Records: 1 read, 1 evaluated, 0 rejected');
  });

  it('a directory with a truncated .json.gz, an invalid JSON file and a good file: findings of the good file, bad files named and counted, exit 0; --rejects FILE gets every reject', () => {
    const dir = join(tmp, 'damaged');
    mkdirSync(dir);
    // Records no rule reports, so every finding must come from good.json.gz.
    const many = Array.from({ length: 40 }, (_, i) => describeInstances({ eventID: `c0ffee00-0000-4000-8000-${String(i).padStart(12, '0')}`, requestID: `req-${i}-${'x'.repeat(i)}` }));
    const whole = gzipSync(JSON.stringify({ Records: many }), { level: 9 });
    writeFileSync(join(dir, 'a-truncated.json.gz'), whole.subarray(0, Math.floor(whole.length * 0.6)));
    writeFileSync(join(dir, 'b-invalid.json'), '{"Records": [ {"eventName": ');
    writeFileSync(join(dir, 'c-good.json.gz'), gzipSync(JSON.stringify({ Records: [stopLogging()] })));
    const rejectsFile = join(tmp, 'rejects.jsonl');

    const r = run(['scan', dir, '--format', 'json', '--rejects', rejectsFile]);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout) as { findings: Finding[]; summary: ScanSummary };
    expect(doc.findings.map((f) => `${f.eventId}:${f.ruleId}`).sort()).toEqual(['be68461e-96e3-5795-8cb7-6c8c49465fd4:cloudtrail-config-changes', 'be68461e-96e3-5795-8cb7-6c8c49465fd4:cloudtrail-disabled']);

    const truncated = join(dir, 'a-truncated.json.gz');
    const invalid = join(dir, 'b-invalid.json');
    expect(r.stderr).toMatch(new RegExp(`^warning: ${escape(truncated)}@\\d+: invalid-gzip: gzip data is damaged at compressed byte \\d+ of \\d+: the gzip stream ends early \\(truncated\\)`, 'm'));
    expect(r.stderr).toMatch(new RegExp(`^warning: ${escape(invalid)}:1: invalid-json: invalid JSON at line 1, column 29 \\(byte 28\\): unexpected end of input`, 'm'));

    const s = doc.summary;
    expect(s.files).toBe(3);
    expect(s.rejectsByKind['invalid-gzip']).toBe(1);
    expect(s.rejectsByKind['invalid-json']).toBeGreaterThanOrEqual(1);
    expect(s.rejects).toBe(Object.values(s.rejectsByKind).reduce((a, b) => a + b, 0));
    expect(s.skipped).toBe(0);
    // The records recovered from the front of the truncated file were evaluated (and raised nothing).
    expect(s.records).toBeGreaterThanOrEqual(1);
    expect(s.records).toBeLessThan(1 + many.length);
    expect(s.evaluated).toBe(s.records);
    expect(recordsLine(r.stderr)).toBe(`Records: ${s.records} read, ${s.evaluated} evaluated, ${s.rejects} rejected`);

    const rejects = readFileSync(rejectsFile, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as { kind: string; reason: string; location: { source: string } });
    expect(rejects).toHaveLength(s.rejects);
    expect([...new Set(rejects.map((x) => x.location.source))].sort()).toEqual([truncated, invalid]);
    for (const x of rejects) {
      expect(['invalid-gzip', 'invalid-json']).toContain(x.kind);
      expect(x.reason.length).toBeGreaterThan(20);
    }
    expect(countBy(rejects, (x) => x.kind)).toEqual(s.rejectsByKind);
  });

  it('a digest file is a counted skip, not a warning; --rejects FILE gets it', () => {
    const dir = join(tmp, 'with-digest', 'AWSLogs', '123456789012', 'CloudTrail-Digest', 'us-east-1', '2026', '11', '20');
    mkdirSync(dir, { recursive: true });
    const digest = join(dir, '123456789012_CloudTrail-Digest_us-east-1_management-events_us-east-1_20261120T100000Z.json.gz');
    writeFileSync(
      digest,
      gzipSync(JSON.stringify({ awsAccountId: '123456789012', digestStartTime: '2026-11-20T09:00:00Z', digestEndTime: '2026-11-20T10:00:00Z', digestS3Bucket: 'trail-bucket', digestS3Object: 'x', logFiles: [] })),
    );
    const rejectsFile = join(tmp, 'skips.jsonl');
    const r = run(['scan', join(tmp, 'with-digest'), quietFile, '--fail-on', 'info', '--rejects', rejectsFile]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('No findings.\n');
    expect(r.stderr.split('\n').filter((l) => l.startsWith('warning:'))).toEqual([]);
    expect(recordsLine(r.stderr)).toBe('Records: 1 read, 1 evaluated, 0 rejected, 1 skipped');
    expect(r.stderr).toContain('Findings: none');
    const rejects = readFileSync(rejectsFile, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as { kind: string; skipped?: boolean; location: { source: string } });
    expect(rejects).toEqual([expect.objectContaining({ kind: 'digest-file', skipped: true, location: expect.objectContaining({ source: digest }) })]);
  });

  it('a named input that does not exist is a usage error (exit 2) before anything is read, naming every missing path', () => {
    const missing = join(tmp, 'no-such-file.json.gz');
    const alsoMissing = join(tmp, 'no-such-dir', 'x.json');
    const r = run(['scan', missing, quietFile, alsoMissing, '--format', 'jsonl']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`trailguard: input not found: ${missing}, ${alsoMissing}\n`);
  });
});

describe('trailguard scan: rules and configuration', () => {
  it('--rules DIR: a user rule overriding a built-in id (warning) and a malformed rule (error with file, line, rule id, key); the run goes on', () => {
    const dir = join(tmp, 'user-rules');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'override.yaml'),
      [
        'id: cloudtrail-disabled',
        'title: Trail stopped (house rule)',
        'severity: high',
        'description: House version of the built-in rule.',
        'match:',
        '  source: [aws.cloudtrail]',
        '  detail:',
        '    eventSource: [cloudtrail.amazonaws.com]',
        '    eventName: [StopLogging]',
        'tests:',
        '  match:',
        `    - {name: stop, record: ${JSON.stringify(stopLogging())}}`,
        '  noMatch:',
        `    - {name: start, record: ${JSON.stringify(startLogging())}}`,
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'broken.yaml'),
      [
        'id: broken-rule',
        'title: Broken',
        'severity: extreme',
        'description: A severity that does not exist.',
        'match:',
        '  detail:',
        '    eventName: [StopLogging]',
        'tests:',
        '  match:',
        `    - {name: stop, record: ${JSON.stringify(stopLogging())}}`,
        '  noMatch:',
        `    - {name: start, record: ${JSON.stringify(startLogging())}}`,
        '',
      ].join('\n'),
    );
    const r = run(['scan', stopFile, '--rules', dir, '--format', 'jsonl']);
    expect(r.status).toBe(0);
    const findings = parseJsonl(r.stdout);
    expect(findings.map((f) => `${f.ruleId}:${f.severity}:${f.title}`).sort()).toEqual([
      'cloudtrail-config-changes:medium:CloudTrail trail configuration changed',
      'cloudtrail-disabled:high:Trail stopped (house rule)',
    ]);
    expect(r.stderr).toContain(
      `warning: ${join(dir, 'override.yaml')}:1:5: rule cloudtrail-disabled: id: overrides the rule of the same id from ${join(BUILTIN_RULES, 'security-services', 'cloudtrail-disabled.yaml')}\n`,
    );
    const error = r.stderr.split('\n').find((l) => l.startsWith('error: '));
    expect(error).toMatch(new RegExp(`^error: ${escape(join(dir, 'broken.yaml'))}:3:11: rule broken-rule: severity: .*"extreme"`));
    expect(r.stderr).toMatch(new RegExp(` with ${catalogSize()} rules in `));
  });

  it('trailguard.config.yaml in the working directory: rules.exclude, scan.failOn and scan.format apply', () => {
    const cwd = makeTempDir('trailguard-config-');
    writeFileSync(join(cwd, 'trailguard.config.yaml'), 'rules:\n  exclude: [cloudtrail-config-changes]\nscan:\n  failOn: high\n  format: jsonl\n');
    const stop = run(['scan', stopFile], { cwd });
    expect(stop.status).toBe(1);
    expect(ruleIds(parseJsonl(stop.stdout))).toEqual(['cloudtrail-disabled']);
    expect(stop.stderr).toMatch(new RegExp(` with ${catalogSize() - 1} rules in `));
    // The only rule StartLogging raises is excluded: nothing found, exit 0.
    const start = run(['scan', startFile], { cwd });
    expect(start.status).toBe(0);
    expect(start.stdout).toBe('');
    // Command-line options win over the config file.
    const override = run(['scan', stopFile, '--fail-on', 'critical', '--format', 'json'], { cwd });
    expect(override.status).toBe(1);
    expect((JSON.parse(override.stdout) as { findings: Finding[] }).findings.map((f) => f.ruleId)).toEqual(['cloudtrail-disabled']);
  });

  it.each([
    ['a bad value', 'rules:\n  exclude: [cloudtrail-config-changes]\nscan:\n  failOn: severe\n', ':4:11: scan.failOn: ', 'severe'],
    ['an unknown key', 'rules:\n  excluded: [cloudtrail-config-changes]\n', ':2:3: rules: unknown key "excluded"', 'excluded'],
    ['a bad rule id', 'rules:\n  only:\n    - CloudTrail_Disabled\n', ':3:7: rules.only[0]: must be a rule id (lower-case words joined by hyphens) (got "CloudTrail_Disabled")', 'rules.only'],
    ['invalid YAML', 'rules: [\n', ':2:1: invalid YAML', 'YAML'],
  ])('an invalid trailguard.config.yaml (%s): exit 2 naming file:line:col and key', (_name, text, where, word) => {
    const cwd = makeTempDir('trailguard-bad-config-');
    writeFileSync(join(cwd, 'trailguard.config.yaml'), text);
    const r = run(['scan', stopFile], { cwd });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`trailguard: ${join(cwd, 'trailguard.config.yaml')}${where}`);
    expect(r.stderr).toContain(word);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
