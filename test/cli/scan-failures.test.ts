/**
 * `trailguard scan` when things go wrong, end to end on the built binary: outputs that cannot be written (a full
 * disk: /dev/full), inputs that are not there or hold nothing, a reader that closes the pipe early, rules that throw or
 * do not load under --strict; and the options that used to trip users: --rules before the paths, upper-case values,
 * the same events delivered twice.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/findings/types.js';
import type { ScanSummary } from '../../src/pipeline/scan.js';
import { ruleText } from '../support/rule-text.js';
import { CLI, makeTempDir, parseJsonl, recordsLine, removeTempDirs, requireBuiltCli, ROOT, ruleIds, run, SAMPLES, startLogging, stopLogging } from './helpers.js';

const NO_STACK = /\n\s+at /;
const hasDevFull = existsSync('/dev/full');

let tmp: string;
let stopFile: string;
let startFile: string;

beforeAll(() => {
  requireBuiltCli();
  tmp = makeTempDir('trailguard-scan-failures-');
  stopFile = join(tmp, 'stop.json');
  startFile = join(tmp, 'start.json');
  writeFileSync(stopFile, JSON.stringify({ Records: [stopLogging()] }));
  writeFileSync(startFile, JSON.stringify({ Records: [startLogging()] }));
});
afterAll(removeTempDirs);

describe.skipIf(!hasDevFull)('an output that cannot be written (a full disk: /dev/full) fails the run: exit 2, one line naming the file, no summary', () => {
  it.each([
    ['table', ['--output', '/dev/full'], '--output: writing /dev/full failed: no space left on device (ENOSPC)'],
    ['json', ['--format', 'json', '--output', '/dev/full'], '--output: writing /dev/full failed: no space left on device (ENOSPC)'],
    ['jsonl', ['--format', 'jsonl', '--output', '/dev/full'], '--output: writing /dev/full failed: no space left on device (ENOSPC)'],
    ['--rejects', ['--rejects', '/dev/full'], '--rejects: writing /dev/full failed: no space left on device (ENOSPC)'],
  ])('%s', (_name, options, message) => {
    const r = run(['scan', SAMPLES, ...options]);
    expect(r.status).toBe(2);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`trailguard: ${message}`);
    expect(r.stderr).not.toContain('Findings:');
    expect(r.stderr).not.toMatch(NO_STACK);
    // A failed --rejects stops the run before the findings are printed.
    expect(r.stdout).toBe('');
  });

  it('stdout redirected to a full disk: exit 2 with one line', () => {
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${CLI}" scan "${SAMPLES}" --format jsonl > /dev/full`], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(r.status).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toEqual(['trailguard: stdout: write failed: no space left on device (ENOSPC)']);
  });
});

describe('--output FILE is replaced whole: written beside the target and renamed once complete', () => {
  it('an existing file gets the new document, and no temporary file is left', () => {
    const dir = makeTempDir('trailguard-scan-output-');
    const out = join(dir, 'findings.json');
    writeFileSync(out, 'previous run\n');
    const r = run(['scan', stopFile, '--format', 'json', '--output', out]);
    expect(r.status).toBe(0);
    expect(ruleIds((JSON.parse(readFileSync(out, 'utf8')) as { findings: Finding[] }).findings)).toEqual(['cloudtrail-config-changes', 'cloudtrail-disabled']);
    expect(readdirSync(dir)).toEqual(['findings.json']);
  });
});

describe('inputs that are not there, or hold nothing', () => {
  it('an S3 URL that is not one: a usage error before anything is read (exit 2)', () => {
    const r = run(['scan', 's3://Not_A_Bucket/AWSLogs/']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('trailguard: s3://Not_A_Bucket/AWSLogs/: not an S3 URL: expected s3://bucket/prefix with a valid bucket name\n');
  });

  it('S3 options without an s3:// input: a usage error (exit 2)', () => {
    const r = run(['scan', SAMPLES, '--accounts', '123456789012', '--s3-concurrency', '4']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('trailguard: --accounts, --s3-concurrency only apply to s3:// inputs, and none was given\n');
  });

  it('a path that does not exist (exit 2, no "No findings.")', () => {
    const r = run(['scan', '/nope/x']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('trailguard: input not found: /nope/x\n');
  });

  it('a directory with no log files: a warning, exit 0; with --fail-on a failed check (exit 2) unless --allow-empty', () => {
    const empty = makeTempDir('trailguard-empty-');
    mkdirSync(join(empty, 'AWSLogs'));
    const plain = run(['scan', empty]);
    expect(plain.status).toBe(0);
    expect(plain.stderr).toContain(`warning: no log files under ${empty}: nothing was scanned\n`);

    const check = run(['scan', empty, '--fail-on', 'high']);
    expect(check.status).toBe(2);
    expect(check.stderr).toContain(`warning: no log files under ${empty}: nothing was scanned\n`);
    expect(check.stderr.trimEnd().split('\n').at(-1)).toBe('trailguard: nothing was scanned, so --fail-on high cannot pass (give --allow-empty when empty input is expected)');
    expect(check.stderr).not.toMatch(NO_STACK);

    expect(run(['scan', empty, '--fail-on', 'high', '--allow-empty']).status).toBe(0);
    expect(run(['scan', empty, '--strict']).status).toBe(2);
  });

  it('files that hold no CloudTrail record count as empty too (stdin with nothing on it)', () => {
    const r = run(['scan', '-', '--fail-on', 'low'], { input: '' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('warning: no CloudTrail records in the file read from -: nothing was scanned\n');
  });
});

/** Runs `trailguard ARGS | head -n 1` through a real pipe; returns trailguard's exit status, head's output and trailguard's stderr. */
function pipedToHead(args: string[]): { status: number; head: string; stderr: string } {
  const quoted = [process.execPath, CLI, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  const errFile = join(tmp, `stderr-${Math.random().toString(36).slice(2)}.txt`);
  const r = spawnSync('bash', ['-c', `${quoted} 2>'${errFile}' | head -n 1; echo "status=\${PIPESTATUS[0]}" >&2`], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 });
  const status = Number(/status=(\d+)/.exec(r.stderr)?.[1]);
  return { status, head: r.stdout, stderr: readFileSync(errFile, 'utf8') };
}

describe('a reader that closes the pipe early (| head): the run stops quietly with 141, no stack trace, no message', () => {
  it.each([
    ['--format jsonl (a line per finding)', ['--format', 'jsonl']],
    ['--format json (one document larger than the pipe)', ['--format', 'json']],
  ])('scan %s', (_name, options) => {
    const r = pipedToHead(['scan', SAMPLES, '-q', ...options]);
    expect(r.head.split('\n')).toHaveLength(2);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(141);
  });
});

describe('rule errors: counted and shown; --strict fails the run', () => {
  let inject: string;
  let rulesDir: string;
  beforeAll(() => {
    // Fault injection into the built CLI: the named check `targets-own-iam-user` throws on every call, and a user
    // rule runs it on every record.
    inject = join(tmp, 'throwing-check.mjs');
    writeFileSync(
      inject,
      `import { findCheck } from ${JSON.stringify(pathToFileURL(join(ROOT, 'dist', 'rules', 'checks', 'index.js')).href)};\n` +
        "findCheck('targets-own-iam-user').run = () => { throw new Error('injected fault'); };\n",
    );
    rulesDir = join(tmp, 'throwing-rules');
    mkdirSync(rulesDir);
    writeFileSync(join(rulesDir, 'always-throws.yaml'), ruleText({ id: 'always-throws', match: '  detail:\n    eventTime: [{exists: true}]', extra: 'checks: [targets-own-iam-user]' }));
  });
  const withFault = () => ({ env: { NODE_OPTIONS: `--import=${pathToFileURL(inject).href}` } });

  it('without --strict: the first 10 shown, the rest counted, the summary and the JSON summary say how many; the exit code is unchanged', () => {
    const r = run(['scan', SAMPLES, '--rules', rulesDir, '--format', 'json'], withFault());
    expect(r.status).toBe(0);
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('error: '));
    expect(errors).toHaveLength(11);
    expect(errors[0]).toMatch(/^error: rule always-throws failed on event [0-9a-f-]{36}: injected fault$/);
    expect(errors[10]).toBe('error: 2,990 more rule errors not shown (counted in the summary)');
    expect(r.stderr).toContain('Rule errors: 3,000 (always-throws 3,000): those rules were not evaluated on those events\n');
    const doc = JSON.parse(r.stdout) as { summary: ScanSummary };
    expect(doc.summary).toMatchObject({ ruleErrors: 3000, ruleErrorsByRule: { 'always-throws': 3000 } });
  });

  it('--strict: exit 2 (the findings are incomplete), even when --fail-on is met', () => {
    const r = run(['scan', stopFile, startFile, '--rules', rulesDir, '--strict', '--fail-on', 'critical', '--format', 'jsonl'], withFault());
    expect(r.status).toBe(2);
    expect(ruleIds(parseJsonl(r.stdout))).toEqual(['cloudtrail-config-changes', 'cloudtrail-config-changes', 'cloudtrail-disabled']);
    expect(r.stderr.trimEnd().split('\n').at(-1)).toBe('trailguard: --strict: 2 rule errors: the findings are incomplete');
    expect(r.stderr).not.toMatch(NO_STACK);
  });
});

describe('--strict and rules that do not load as written', () => {
  let dir: string;
  beforeAll(() => {
    dir = join(tmp, 'strict-rules');
    mkdirSync(join(dir, 'misspelled'), { recursive: true });
    mkdirSync(join(dir, 'broken'), { recursive: true });
    mkdirSync(join(dir, 'override'), { recursive: true });
    writeFileSync(join(dir, 'misspelled', 'rule.yaml'), ruleText({ id: 'misspelled', match: '  detail:\n    eventSource: [cloudtrail.amazonaws.com]\n    eventName: [StopLoging]' }));
    writeFileSync(join(dir, 'broken', 'rule.yaml'), ruleText({ id: 'broken', severity: 'extreme' }));
    writeFileSync(join(dir, 'override', 'rule.yaml'), ruleText({ id: 'cloudtrail-disabled' }));
  });

  it('an eventName its eventSource does not have: a warning, and with --strict exit 2 before anything is scanned', () => {
    const warned = run(['scan', '--rules', join(dir, 'misspelled'), stopFile, '--format', 'jsonl']);
    expect(warned.status).toBe(0);
    expect(warned.stderr).toMatch(/^warning: .*rule misspelled: .*"StopLoging" is not an operation of cloudtrail\.amazonaws\.com/m);
    const strict = run(['scan', '--rules', join(dir, 'misspelled'), stopFile, '--format', 'jsonl', '--strict']);
    expect(strict.status).toBe(2);
    expect(strict.stdout).toBe('');
    expect(strict.stderr.trimEnd().split('\n').at(-1)).toBe('trailguard: --strict: 1 rule warning (shown above); fix them or run without --strict');
  });

  it('a rule that fails to load: an error and the run goes on; with --strict exit 2', () => {
    expect(run(['scan', '--rules', join(dir, 'broken'), stopFile]).status).toBe(0);
    const strict = run(['scan', '--rules', join(dir, 'broken'), stopFile, '--strict']);
    expect(strict.status).toBe(2);
    expect(strict.stderr).toMatch(/^error: .*broken.*severity/m);
    expect(strict.stderr.trimEnd().split('\n').at(-1)).toBe('trailguard: --strict: 1 rule file failed to load (shown above); fix them or run without --strict');
  });

  it('overriding a built-in rule by id is deliberate: not a --strict failure', () => {
    const r = run(['scan', '--rules', join(dir, 'override'), stopFile, '--strict', '--format', 'jsonl']);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^warning: .*overrides the rule of the same id/m);
  });
});

describe('the same events delivered twice are reported once', () => {
  it('the same file scanned twice (and a copy of it): one finding per rule and event, the duplicates counted', () => {
    const dir = makeTempDir('trailguard-dupes-');
    copyFileSync(stopFile, join(dir, 'a.json'));
    copyFileSync(stopFile, join(dir, 'b.json'));
    const r = run(['scan', dir, stopFile, '--format', 'json']);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout) as { findings: Finding[]; summary: ScanSummary };
    expect(ruleIds(doc.findings)).toEqual(['cloudtrail-config-changes', 'cloudtrail-disabled']);
    expect(doc.summary).toMatchObject({ files: 3, records: 3, evaluated: 1, duplicates: 2, uncheckedForDuplicates: 0, findings: 2 });
    expect(recordsLine(r.stderr)).toBe('Records: 3 read, 1 evaluated, 2 duplicates skipped (eventID already evaluated), 0 rejected');
  });
});

describe('option spelling', () => {
  it('--rules takes one path and can be repeated: the paths after it stay paths', () => {
    const one = join(tmp, 'rules-one');
    const two = join(tmp, 'rules-two');
    mkdirSync(one);
    mkdirSync(two);
    writeFileSync(join(one, 'a.yaml'), ruleText({ id: 'house-stop-a' }));
    writeFileSync(join(two, 'b.yaml'), ruleText({ id: 'house-stop-b' }));
    const r = run(['scan', '--rules', one, '--rules', two, stopFile, '--only', 'house-stop-a,house-stop-b', '--format', 'jsonl']);
    expect(r.stderr).not.toContain("missing required argument 'paths'");
    expect(r.status).toBe(0);
    expect(ruleIds(parseJsonl(r.stdout))).toEqual(['house-stop-a', 'house-stop-b']);
  });

  it('--fail-on, --min-severity and --format in any case', () => {
    const r = run(['scan', stopFile, '--fail-on', 'HIGH', '--min-severity', 'High', '--format', 'JSONL']);
    expect(r.status).toBe(1);
    expect(ruleIds(parseJsonl(r.stdout))).toEqual(['cloudtrail-disabled']);
    const json = run(['scan', startFile, '--format', 'Json', '--fail-on', 'CRITICAL']);
    expect(json.status).toBe(0);
    expect((JSON.parse(json.stdout) as { findings: Finding[] }).findings).toHaveLength(1);
    const bad = run(['scan', stopFile, '--fail-on', 'HUGE']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("error: option '--fail-on <severity>' argument 'HUGE' is invalid. Allowed choices are info, low, medium, high, critical.");
  });
});
