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
    expect(r.stderr).toBe('trailguard: no rule no-such-rule (trailguard rules list shows the ids)\n');
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

describe('rule ids named anywhere must be rules: a typo is a usage error (exit 2) with the closest id', () => {
  const stopFile = () => {
    const file = join(tmp, 'stop.json');
    writeFileSync(file, JSON.stringify(stopLogging()));
    return file;
  };

  it.each([
    ['rules test with an unknown id', ['rules', 'test', 'nope'], 'trailguard: no rule nope (trailguard rules list shows the ids)\n'],
    ['rules test with a misspelled id', ['rules', 'test', 'root-console-logn'], 'trailguard: no rule root-console-logn (did you mean root-console-login?)\n'],
    ['rules show with a misspelled id', ['rules', 'show', 'root-console-logn'], 'trailguard: no rule root-console-logn (did you mean root-console-login?)\n'],
  ])('%s', (_name, args, stderr) => {
    const r = run(args);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(stderr);
    expect(r.status).toBe(2);
  });

  it.each([
    ['--only', ['--only', 'root-console-logn'], '--only: no rule root-console-logn (did you mean root-console-login?)'],
    ['--exclude', ['--exclude', 'cloudtrail-disabled,cloudtrail-disabld'], '--exclude: no rule cloudtrail-disabld (did you mean cloudtrail-disabled?)'],
  ])('scan %s', (_flag, args, message) => {
    const r = run(['scan', ...args, stopFile()]);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`trailguard: ${message}`);
    expect(r.status).toBe(2);
  });

  it("the config's rules.only, rules.exclude and rules.severity, naming the file", () => {
    const dir = join(tmp, 'config-ids');
    mkdirSync(dir);
    const config = join(dir, 'trailguard.config.yaml');
    writeFileSync(config, 'rules:\n  exclude: [route-table-change]\n  severity:\n    root-console-logn: low\n');
    const r = run(['rules', 'list', '-c', config]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      `trailguard: ${config}: rules.exclude: no rule route-table-change (did you mean route-table-changes?); ${config}: rules.severity: no rule root-console-logn (did you mean root-console-login?)\n`,
    );
    const scan = run(['scan', '-c', config, stopFile()]);
    expect(scan.status).toBe(2);
    // A built-in id is known even when the run leaves the catalog out.
    writeFileSync(config, 'rules:\n  exclude: [route-table-changes]\n');
    const user = join(dir, 'rules');
    mkdirSync(user);
    writeFileSync(join(user, 'mine.yaml'), readFileSync(join(BUILTIN_RULES, 'security-services', 'cloudtrail-disabled.yaml'), 'utf8').replace('id: cloudtrail-disabled', 'id: mine'));
    expect(run(['rules', 'list', '-c', config, '--no-builtin', '--rules', user]).status).toBe(0);
  });
});

describe('user rules: tests optional unless --strict; every problem of a file reported at once', () => {
  it('a user rule without tests loads with a warning; rules test passes it, --strict fails it', () => {
    const dir = join(tmp, 'untested');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'ad-hoc.yaml'),
      ['id: ad-hoc', 'title: Trail stopped (ad hoc)', 'severity: high', 'description: For one investigation.', 'match:', '  detail:', '    eventSource: [cloudtrail.amazonaws.com]', '    eventName: [StopLogging]', ''].join('\n'),
    );
    const lenient = run(['rules', 'test', 'ad-hoc', '--rules', dir]);
    expect(lenient.status).toBe(0);
    expect(lenient.stderr).toMatch(/^warning: .*ad-hoc\.yaml:1:1: rule ad-hoc: tests: no tests: add an event that must match \(tests\.match\)/);
    expect(lenient.stdout).toBe('1 rules, 0 passed, 0 failed, 0 load errors, 1 warnings\n');
    const strict = run(['rules', 'test', 'ad-hoc', '--rules', dir, '--strict']);
    expect(strict.status).toBe(1);
    expect(strict.stdout).toBe(
      [
        'FAIL ad-hoc match "(none)": --strict: the rule has no event that must match (tests.match)',
        'FAIL ad-hoc noMatch "(none)": --strict: the rule has no near-miss that must not match (tests.noMatch)',
        '1 rules, 0 passed, 2 failed, 0 load errors, 1 warnings',
        '',
      ].join('\n'),
    );
    // The built-in catalog passes --strict: every built-in rule has both kinds of test.
    const catalog = run(['rules', 'test', '--strict']);
    expect(catalog.status).toBe(0);
    expect(catalog.stdout).toMatch(/^\d+ rules, \d+ passed, 0 failed\n$/);
  });

  it('a rule file with several mistakes: each reported on its own line, at the key, with the closest key suggested', () => {
    const dir = join(tmp, 'broken');
    mkdirSync(dir);
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, ['id: broken', 'title: Broken', 'severity: extreme', 'description: Two mistakes.', 'match:', '  detail:', '    eventName: [StopLogging]', 'tgas: [x]', ''].join('\n'));
    const r = run(['rules', 'list', '--no-builtin', '--rules', dir]);
    expect(r.stderr).toBe(
      [
        `error: ${file}:3:11: rule broken: severity: Invalid option: expected one of "info"|"low"|"medium"|"high"|"critical" (got "extreme")`,
        `error: ${file}:8:1: rule broken: unknown key "tgas" (did you mean "tags"?)`,
        '',
      ].join('\n'),
    );
  });

  it('a config file with several mistakes: exit 2, one located line each', () => {
    const dir = join(tmp, 'bad-config');
    mkdirSync(dir);
    const config = join(dir, 'trailguard.config.yaml');
    writeFileSync(config, 'rules:\n  builtin: true\n  exlude: [x]\nscan:\n  failOn: severe\n');
    const r = run(['rules', 'list', '-c', config]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      `trailguard: ${config}:3:3: rules: unknown key "exlude" (did you mean "exclude"?)\n${config}:5:11: scan.failOn: Invalid option: expected one of "info"|"low"|"medium"|"high"|"critical" (got "severe")\n`,
    );
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
