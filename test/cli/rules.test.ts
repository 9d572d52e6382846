/**
 * `trailguard rules list|show|test` end to end, through the built binary (run `npm run build` first; npm test does).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_RULES, makeTempDir, removeTempDirs, requireBuiltCli, run, startLogging, stopLogging, catalogSize } from './helpers.js';

/** The catalog ids the product promises (CIS monitoring controls and the security-service tamper rules). */
const REQUIRED_IDS = [
  'unauthorized-api-calls',
  'console-signin-without-mfa',
  'root-account-usage',
  'iam-policy-changes',
  'cloudtrail-config-changes',
  'console-auth-failures',
  'kms-cmk-disabled-or-scheduled-deletion',
  's3-bucket-policy-changes',
  'aws-config-changes',
  'security-group-changes',
  'nacl-changes',
  'network-gateway-changes',
  'route-table-changes',
  'vpc-changes',
  'organizations-changes',
  'security-group-ingress-open-to-world',
  'customer-gateway-deleted',
  'root-console-login',
  'guardduty-disabled',
  'securityhub-disabled',
  'inspector-disabled',
  'config-disabled',
  'cloudtrail-disabled',
  'macie-disabled',
  'access-analyzer-deleted',
];

interface ListedRule {
  id: string;
  title: string;
  severity: string;
  tags: string[];
  compliance: Record<string, unknown>;
  attack: string[];
  origin: string;
  file: string;
}

let listed: ListedRule[];
let tmp: string;

beforeAll(() => {
  requireBuiltCli();
  tmp = makeTempDir('trailguard-rules-');
  const r = run(['rules', 'list', '--format', 'json']);
  expect(r.status).toBe(0);
  expect(r.stderr).toBe('');
  listed = JSON.parse(r.stdout) as ListedRule[];
});
afterAll(() => removeTempDirs());

describe('trailguard rules list', () => {
  it('--format json: every built-in rule, every required catalog id among them', () => {
    expect(listed).toHaveLength(catalogSize());
    const ids = listed.map((r) => r.id);
    expect(new Set(ids).size).toBe(catalogSize());
    for (const id of REQUIRED_IDS) expect(ids, id).toContain(id);
    for (const r of listed) {
      expect(r.origin, r.id).toBe('builtin');
      expect(r.file.startsWith(BUILTIN_RULES), r.file).toBe(true);
      expect(r.file.endsWith(`/${r.id}.yaml`), `${r.file} is named after its id`).toBe(true);
      expect(['info', 'low', 'medium', 'high', 'critical']).toContain(r.severity);
      expect(r.title.length).toBeGreaterThan(5);
    }
    expect(listed.find((r) => r.id === 'cloudtrail-disabled')).toMatchObject({ severity: 'critical', attack: ['T1562.008'], compliance: { 'aws-security-hub': ['CloudWatch.5'] } });
  });

  it('table: a header, one row per rule (the same ids as --format json), and the count', () => {
    const r = run(['rules', 'list']);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.split('\n');
    expect(lines.at(-1)).toBe('');
    expect(lines[0]!.split(/ {2,}/)).toEqual(['ID', 'SEVERITY', 'TITLE', 'COMPLIANCE']);
    expect(lines.at(-2)).toBe(`${catalogSize()} rules`);
    const rows = lines.slice(1, -2);
    expect(rows).toHaveLength(catalogSize());
    expect(rows.map((row) => row.split(/ +/)[0]).sort()).toEqual(listed.map((x) => x.id).sort());
    const stop = rows.find((row) => row.startsWith('cloudtrail-disabled '));
    expect(stop?.split(/ {2,}/)).toEqual(['cloudtrail-disabled', 'critical', 'CloudTrail logging stopped or trail deleted', 'CIS v3.0.0 4.5; CloudWatch.5']);
  });
});

describe('trailguard rules show', () => {
  it('yaml (default): the rule file exactly as written, after a comment naming it', () => {
    const file = join(BUILTIN_RULES, 'security-services', 'cloudtrail-disabled.yaml');
    const r = run(['rules', 'show', 'cloudtrail-disabled']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`# ${file}\n${readFileSync(file, 'utf8')}`);
  });

  it('--format json: the rule definition (no compiled internals)', () => {
    const file = join(BUILTIN_RULES, 'security-services', 'cloudtrail-disabled.yaml');
    const r = run(['rules', 'show', 'cloudtrail-disabled', '--format', 'json']);
    expect(r.status).toBe(0);
    const shown = JSON.parse(r.stdout) as Record<string, unknown>;
    const written = parseYaml(readFileSync(file, 'utf8')) as Record<string, unknown>;
    expect(shown).toEqual({ ...written, file, origin: 'builtin' });
    for (const internal of ['pattern', 'compiledChecks', 'templates']) expect(shown).not.toHaveProperty(internal);
  });

  it('an unknown id: exit 2 and a hint on stderr', () => {
    const r = run(['rules', 'show', 'no-such-rule']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('trailguard: no rule "no-such-rule"; run "trailguard rules list" to see the ids\n');
  });
});

describe('trailguard rules test', () => {
  it('the built-in catalog: exit 0, only the closing line "N rules, N passed, 0 failed"', () => {
    const r = run(['rules', 'test']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const cases = listed.reduce((n, rule) => {
      const doc = parseYaml(readFileSync(rule.file, 'utf8')) as { tests: { match: unknown[]; noMatch: unknown[] } };
      return n + doc.tests.match.length + doc.tests.noMatch.length;
    }, 0);
    expect(r.stdout).toBe(`${catalogSize()} rules, ${cases} passed, 0 failed\n`);
  });

  it('a user rule whose must-match case fails: exit 1, the case named', () => {
    const dir = join(tmp, 'failing');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'house-trail-deleted.yaml'),
      [
        'id: house-trail-deleted',
        'title: Trail deleted (house rule)',
        'severity: high',
        'description: Only DeleteTrail, so the StopLogging case below is wrong on purpose.',
        'match:',
        '  source: [aws.cloudtrail]',
        '  detail:',
        '    eventSource: [cloudtrail.amazonaws.com]',
        '    eventName: [DeleteTrail]',
        'tests:',
        '  match:',
        `    - {name: trail stopped, record: ${JSON.stringify(stopLogging())}}`,
        `    - {name: trail deleted, record: ${JSON.stringify(stopLogging({ eventName: 'DeleteTrail', eventID: 'de1e7e00-0000-4000-8000-000000000001' }))}}`,
        '  noMatch:',
        `    - {name: logging started, record: ${JSON.stringify(startLogging())}}`,
        '',
      ].join('\n'),
    );
    const r = run(['rules', 'test', 'house-trail-deleted', '--rules', dir]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('FAIL house-trail-deleted match "trail stopped": did not match\n1 rules, 2 passed, 1 failed\n');

    const all = run(['rules', 'test', '--rules', dir]);
    expect(all.status).toBe(1);
    expect(all.stdout).toContain('FAIL house-trail-deleted match "trail stopped": did not match\n');
    expect(all.stdout).toMatch(new RegExp(`^${catalogSize() + 1} rules, \\d+ passed, 1 failed\\n$`, "m"));
  });
});

describe('trailguard rules: usage errors exit 2 like every other command', () => {
  it.each([
    ['rules list with a bad --format', ['rules', 'list', '--format', 'xml'], "error: option '--format <format>' argument 'xml' is invalid. Allowed choices are table, json."],
    ['rules show with an unknown option', ['rules', 'show', 'cloudtrail-disabled', '--bogus'], "error: unknown option '--bogus'"],
    ['rules test with an unknown option', ['rules', 'test', '--bogus'], "error: unknown option '--bogus'"],
  ])('%s', (_name, args, message) => {
    const r = run(args);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(message);
    expect(r.status).toBe(2);
  });
});
