/**
 * Helpers for the CLI end-to-end tests: run the built `trailguard` binary the way a user does (a child
 * process, arguments, stdin, working directory) and build the CloudTrail records fed to it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Finding } from '../../src/findings/types.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = join(ROOT, 'dist', 'cli', 'main.js');
export const SAMPLES = join(ROOT, 'samples');
export const BUILTIN_RULES = join(ROOT, 'rules');

/** How many rule files the built-in catalog holds (one rule per file), so tests follow the catalog as it grows. */
export function catalogSize(dir = BUILTIN_RULES): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((n, e) => n + (e.isDirectory() ? catalogSize(join(dir, e.name)) : /\.ya?ml$/.test(e.name) ? 1 : 0), 0);
}

/** Fails with a clear message when the binary has not been built (`npm test` builds it first). */
export function requireBuiltCli(): void {
  if (!existsSync(CLI)) {
    throw new Error(`${CLI} does not exist: the CLI tests run the built binary; run "npm run build" first (npm test does it for you)`);
  }
  const newest = (dir: string): number =>
    readdirSync(dir, { withFileTypes: true }).reduce((max, e) => Math.max(max, e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs), 0);
  if (newest(join(ROOT, 'src')) > statSync(CLI).mtimeMs + 1000) {
    console.warn(`warning: ${CLI} is older than src/: the CLI tests may be running stale code (run "npm run build")`);
  }
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  input?: string | Buffer;
  /** Working directory; default a fresh empty directory, so no stray trailguard.config.yaml is picked up. */
  cwd?: string;
  /** Added to the environment (e.g. AWS_ENDPOINT_URL pointing the SDK at moto_server). */
  env?: NodeJS.ProcessEnv;
}

let emptyCwd: string | undefined;

/** Runs `node dist/cli/main.js ...args` and returns exit status, stdout and stderr. */
export function run(args: string[], options: RunOptions = {}): RunResult {
  // Made again when a test file's clean-up removed it (files share this module when the worker does not isolate them).
  if (emptyCwd === undefined || !existsSync(emptyCwd)) emptyCwd = makeTempDir('trailguard-cli-cwd-');
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...options.env };
  delete env.FORCE_COLOR;
  const r = spawnSync(process.execPath, [CLI, ...args], {
    input: options.input,
    encoding: 'utf8',
    cwd: options.cwd ?? emptyCwd,
    env,
    maxBuffer: 256 * 1024 * 1024,
    timeout: 60_000,
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * `run`, without blocking this process while the CLI runs: needed when the CLI talks to a server this process hosts or
 * drains — moto_server's request log goes to a pipe read here, and a spawnSync'd scan making hundreds of requests
 * would fill it and stall moto.
 */
export function runAsync(args: string[], options: RunOptions & { onStarted?(child: ChildProcess): void } = {}): Promise<RunResult> {
  if (emptyCwd === undefined || !existsSync(emptyCwd)) emptyCwd = makeTempDir('trailguard-cli-cwd-');
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...options.env };
  delete env.FORCE_COLOR;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd ?? emptyCwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
    child.stdin.end(options.input);
    options.onStarted?.(child);
  });
}

const tempDirs: string[] = [];

/** A new temporary directory (real path, so it compares equal to the child's process.cwd()). */
export function makeTempDir(prefix = 'trailguard-cli-'): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  tempDirs.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Parses JSON Lines output; every line must be one JSON finding (throws otherwise). */
export function parseJsonl(text: string): Finding[] {
  if (text === '') return [];
  if (!text.endsWith('\n')) throw new Error(`JSON Lines output does not end with a newline: ${JSON.stringify(text.slice(-80))}`);
  return text
    .slice(0, -1)
    .split('\n')
    .map((line, i) => {
      try {
        return JSON.parse(line) as Finding;
      } catch {
        throw new Error(`stdout line ${i + 1} is not JSON: ${JSON.stringify(line.slice(0, 200))}`);
      }
    });
}

export const ruleIds = (findings: readonly Finding[]): string[] => findings.map((f) => f.ruleId).sort();

export function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + 1;
  return out;
}

const ACCOUNT = '123456789012';

/** A complete CloudTrail management-event record (AwsApiCall); fields can be overridden or removed (undefined). */
export function apiCall(overrides: Record<string, unknown>): Record<string, unknown> {
  const base: Record<string, unknown> = {
    eventVersion: '1.10',
    userIdentity: {
      type: 'IAMUser',
      principalId: 'AIDAEXAMPLEUSERID001',
      arn: `arn:aws:iam::${ACCOUNT}:user/bob`,
      accountId: ACCOUNT,
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      userName: 'bob',
    },
    eventTime: '2026-11-20T10:05:00Z',
    eventSource: 'cloudtrail.amazonaws.com',
    eventName: 'StartLogging',
    awsRegion: 'us-east-1',
    sourceIPAddress: '198.51.100.23',
    userAgent: 'aws-cli/2.17.0 md/awscrt#0.20.11 ua/2.0 os/linux#6.1 md/arch#x86_64 lang/python#3.11.8 command/cloudtrail',
    requestParameters: { name: 'management-events' },
    responseElements: null,
    requestID: 'cf9c38ab-616a-56e8-9c80-1ea4b7c98f04',
    eventID: '06217bf6-bfad-5a7b-a31a-71a736a7c203',
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Management',
  };
  const out = { ...base, ...overrides };
  for (const [k, v] of Object.entries(out)) if (v === undefined) delete out[k];
  return out;
}

/** StopLogging by an assumed role: cloudtrail-disabled (critical) and cloudtrail-config-changes (medium). */
export function stopLogging(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return apiCall({
    userIdentity: {
      type: 'AssumedRole',
      principalId: 'AROAEXAMPLEROLEID01:alice',
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Admin/alice`,
      accountId: ACCOUNT,
      accessKeyId: 'ASIAEXAMPLEKEY123456',
      sessionContext: {
        sessionIssuer: { type: 'Role', principalId: 'AROAEXAMPLEROLEID01', arn: `arn:aws:iam::${ACCOUNT}:role/Admin`, accountId: ACCOUNT, userName: 'Admin' },
        attributes: { creationDate: '2026-11-20T09:58:00Z', mfaAuthenticated: 'true' },
      },
    },
    eventTime: '2026-11-20T10:01:02Z',
    eventName: 'StopLogging',
    requestParameters: { name: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/management-events` },
    requestID: '0ce10ff4-6631-58e1-a481-862f45506582',
    eventID: 'be68461e-96e3-5795-8cb7-6c8c49465fd4',
    ...overrides,
  });
}

/** StartLogging by an IAM user: cloudtrail-config-changes (medium) only. */
export function startLogging(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return apiCall(overrides);
}

/** A read-only call no rule reports. */
export function describeInstances(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return apiCall({ eventSource: 'ec2.amazonaws.com', eventName: 'DescribeInstances', readOnly: true, requestParameters: { instancesSet: {}, filterSet: {} }, ...overrides });
}

/** The summary line "Records: ..." of stderr, e.g. "Records: 3 read, 1 evaluated, 2 outside --since/--until, 0 rejected". */
export function recordsLine(stderr: string): string | undefined {
  return stderr.split('\n').find((l) => l.startsWith('Records: '));
}
