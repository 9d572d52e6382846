/**
 * The BUILT package's entry points, each imported by the package's own name in a fresh `node` (a package can
 * import itself through its "exports" from within its directory): the root is the engine only and loads no
 * AWS SDK, SQLite, HTTP or mail client, and no build-time-only package; every subpath export resolves.
 *
 * What a child loaded is recorded two ways, since neither sees everything: a module resolve hook (every ESM
 * `import`, which is how the ESM builds of @aws-sdk/* are loaded — they never reach require.cache) and the
 * CommonJS module cache after the import (what CommonJS packages `require` inside themselves, which the
 * hook does not see).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ruleText } from '../support/rule-text.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const dist = (file: string): string => path.join(ROOT, 'dist', file);

/** Packages the root entry must not load: each costs cold-start time and memory a rule engine does not need. */
const HEAVY = [/^better-sqlite3$/, /^@aws-sdk\//, /^@smithy\//, /^nodemailer$/, /^undici$/];
/** Build-time (dev) dependencies: no entry point may load them, an installed trailguard does not have them. */
const BUILD_TIME_ONLY = [/^aws-sdk$/, /^@cloud-copilot\/iam-data$/];

/** The child: records what it resolves and which files under node_modules it reads, imports, reports JSON on stdout. */
const PROBE = String.raw`
import { appendFileSync } from 'node:fs';
import fs from 'node:fs';
import { createRequire, register, syncBuiltinESMExports } from 'node:module';
const log = process.env.PROBE_LOG;
register('data:text/javascript,' + encodeURIComponent(
  'import { appendFileSync } from "node:fs";' +
  'export async function resolve(specifier, context, next) {' +
  '  const result = await next(specifier, context);' +
  '  appendFileSync(' + JSON.stringify(log) + ', result.url + "\\n");' +
  '  return result;' +
  '}'));
const touched = new Set();
for (const name of ['readFileSync', 'openSync', 'readdirSync', 'existsSync', 'statSync']) {
  const original = fs[name];
  fs[name] = function (file, ...rest) {
    if (/node_modules[\\/](aws-sdk|@cloud-copilot)[\\/]/.test(String(file))) touched.add(String(file));
    return original.call(this, file, ...rest);
  };
}
syncBuiltinESMExports();
const entry = process.env.PROBE_ENTRY;
const ns = await import(entry);
const out = { exports: Object.keys(ns).sort() };
if (process.env.PROBE_RULE) {
  out.warnings = ns.compileRuleText(process.env.PROBE_RULE, 'r.yaml').warnings.map((w) => w.message);
}
out.cjs = Object.keys(createRequire(import.meta.url).cache);
out.touched = [...touched];
process.stdout.write(JSON.stringify(out));
`;

interface Probe {
  exports: string[];
  /** Packages loaded (by name), from both the resolve hook and the CommonJS cache. */
  packages: string[];
  warnings?: string[];
  /** Files of the build-time packages read (e.g. API models). */
  touched: string[];
}

let scratch: string;
let runs = 0;

function probe(entry: string, rule?: string): Probe {
  const log = path.join(scratch, `resolved-${++runs}.txt`);
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', PROBE], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, PROBE_ENTRY: entry, PROBE_LOG: log, ...(rule ? { PROBE_RULE: rule } : {}) },
    timeout: 60_000,
  });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`node exited with ${r.status} importing ${entry}:\n${r.stderr}`);
  const out = JSON.parse(r.stdout) as { exports: string[]; cjs: string[]; warnings?: string[]; touched: string[] };
  const files = [...readFileSync(log, 'utf8').split('\n').filter(Boolean).map((url) => (url.startsWith('file:') ? fileURLToPath(url) : url)), ...out.cjs];
  return { exports: out.exports, packages: packagesIn(files), warnings: out.warnings, touched: out.touched };
}

/** Package names (as imported) of the files under node_modules, nested ones included. */
function packagesIn(files: readonly string[]): string[] {
  const names = new Set<string>();
  for (const file of files) {
    for (const m of file.replace(/\\/g, '/').matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)/g)) names.add(m[1]!);
  }
  return [...names].sort();
}

const matching = (packages: readonly string[], patterns: readonly RegExp[]): string[] => packages.filter((p) => patterns.some((re) => re.test(p)));

/** A user rule whose eventName is misspelled next to the real one (the eventName check warns about it). */
const MISSPELLED_RULE = ruleText({ match: '  detail:\n    eventSource: [cloudtrail.amazonaws.com]\n    eventName: [StopLoging, StopLogging]', summary: 'summary: "{{actor.name}} stopped logging"' });

beforeAll(() => {
  if (!existsSync(dist('index.js'))) {
    throw new Error(`${dist('index.js')} does not exist: these tests import the built package; run "npm run build" first (npm test does it for you)`);
  }
  scratch = mkdtempSync(path.join(tmpdir(), 'tg-entry-points-'));
});

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('the package root (import "trailguard")', () => {
  it('is the engine only: no AWS SDK, SQLite, HTTP or mail client, no build-time package', () => {
    const root = probe('trailguard');
    expect(matching(root.packages, [...HEAVY, ...BUILD_TIME_ONLY])).toEqual([]);
    for (const name of ['compileEventPattern', 'compileFilterPattern', 'PatternError', 'decodeRecords', 'normalizeActor', 'toEventBridgeEnvelope', 'loadRules', 'compileRuleText', 'BUILTIN_RULES_DIR', 'RuleLoadError', 'runRuleTests', 'selectRules', 'SEVERITIES', 'severityRank', 'createDetector', 'loadConfig', 'ConfigError']) {
      expect(root.exports).toContain(name);
    }
    for (const name of ['readAccount', 'evaluateAccount', 'openStore', 'createNotifier', 'createRemediationRunner']) expect(root.exports).not.toContain(name);
  });

  it('checks a rule eventName against its service from the compact build-time file, not the packages it was extracted from', () => {
    expect(existsSync(dist('rules/api-operations.json'))).toBe(true);
    const root = probe('trailguard', MISSPELLED_RULE);
    expect(root.warnings).toEqual([
      expect.stringMatching(/^r\.yaml:\d+:\d+: rule my-rule: match\.detail\.eventName: "StopLoging" is not an operation of cloudtrail\.amazonaws\.com \(API model cloudtrail-2013-11-01\.min\.json\); a misspelled eventName never matches$/),
    ]);
    expect(root.touched).toEqual([]);
    expect(matching(root.packages, [...HEAVY, ...BUILD_TIME_ONLY])).toEqual([]);
  });
});

/** Subpath exports, with names each must export (none asserted where the module is still being written). */
const SUBPATHS: Array<[subpath: string, exports: string[]]> = [
  ['audit', ['readAccount', 'evaluateAccount', 'judgeFilter', 'planFixes', 'applyPlan', 'renderAuditCloudFormation', 'MONITORING_CONTROLS']],
  ['notify', ['createNotifier']],
  ['remediate', ['createRemediationRunner', 'buildIamPolicy', 'ACTION_IDS']],
  ['store', []],
  ['lambda', []],
  ['app', []],
];

describe('subpath exports', () => {
  const map = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, { types: string; import: string } | string> }).exports;

  for (const [subpath, names] of SUBPATHS) {
    const built = existsSync(dist(`${subpath}/index.js`));
    if (!built) console.warn(`entry-points: skipping trailguard/${subpath}: dist/${subpath}/index.js has not been built (src/${subpath}/index.ts does not exist yet)`);

    it(`"./${subpath}" is in the export map with its types`, () => {
      expect(map[`./${subpath}`]).toEqual({ types: `./dist/${subpath}/index.d.ts`, import: `./dist/${subpath}/index.js` });
    });

    it.skipIf(!built)(`import "trailguard/${subpath}" resolves${built ? '' : ` (skipped: dist/${subpath}/index.js not built yet)`}`, () => {
      expect(existsSync(dist(`${subpath}/index.d.ts`))).toBe(true);
      const sub = probe(`trailguard/${subpath}`);
      expect(sub.exports.length).toBeGreaterThan(0);
      for (const name of names) expect(sub.exports).toContain(name);
      expect(matching(sub.packages, BUILD_TIME_ONLY)).toEqual([]);
    });
  }
});
