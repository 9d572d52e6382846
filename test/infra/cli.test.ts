/**
 * `trailguard synth | deploy | destroy`. synth runs as the built binary, as a user runs it, with no network and no
 * credentials (AWS endpoints pointed at a closed port): it writes the cloud assembly and exits 0, and refuses what
 * cannot work deployed with exit 2 and the key or rule named. deploy and destroy run in-process with the CDK CLI
 * replaced, to check what they hand it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { Command, CommanderError } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { deployCommand, destroyCommand, synthCommand, type DeployCommandDeps } from '../../src/cli/deploy-command.js';
import { UsageError } from '../../src/cli/usage-error.js';
import { CLI, makeTempDir, removeTempDirs, requireBuiltCli } from '../cli/helpers.js';
import { FIXTURE_HANDLER, FIXTURE_HANDLER_DIR } from './support.js';

afterAll(() => removeTempDirs());

/** No network, no credentials: any AWS call would fail fast (and none is made). */
const OFFLINE_ENV = {
  AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_ACCESS_KEY_ID: '',
  AWS_SECRET_ACCESS_KEY: '',
  AWS_PROFILE: 'trailguard-no-such-profile',
  HTTPS_PROXY: 'http://127.0.0.1:9',
  CDK_VALIDATION: 'false',
  NO_COLOR: '1',
  TRAILGUARD_HANDLER_DIR: FIXTURE_HANDLER_DIR,
};

function runCli(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, ...OFFLINE_ENV }, timeout: 120_000 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A CloudTrail record as one line of YAML (flow style). */
const record = (eventName: string) =>
  JSON.stringify({ eventVersion: '1.10', eventSource: 'ec2.amazonaws.com', eventName, eventTime: '2026-01-01T00:00:00Z', awsRegion: 'eu-west-1', eventID: `e-${eventName}`, eventType: 'AwsApiCall', sourceIPAddress: '198.51.100.1', userIdentity: { type: 'Root', arn: 'arn:aws:iam::123456789012:root', accountId: '123456789012' } });

function project(config: string, files: Record<string, string> = {}): string {
  const dir = makeTempDir('trailguard-synth-');
  writeFileSync(path.join(dir, 'trailguard.config.yaml'), config);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

describe('trailguard synth (the built binary)', () => {
  requireBuiltCli();

  it('writes the templates and the bundled code into --out, without network, and exits 0', () => {
    const dir = project('deploy:\n  region: eu-west-1\n  account: "123456789012"\n  regions: [us-east-1]\n');
    const r = runCli(['synth', '--out', 'assembly', '--no-nag'], dir);
    expect(r.status, r.stderr).toBe(0);
    const out = path.join(dir, 'assembly');
    expect(readdirSync(out)).toEqual(expect.arrayContaining(['manifest.json', 'trailguard.template.json', 'trailguard-us-east-1.template.json']));
    expect(readdirSync(out).filter((f) => f.startsWith('asset.')).length).toBeGreaterThanOrEqual(1);
    const template = JSON.parse(readFileSync(path.join(out, 'trailguard.template.json'), 'utf8')) as { Resources: Record<string, { Type: string }> };
    expect(Object.values(template.Resources).filter((r) => r.Type === 'AWS::Events::Rule').length).toBe(45);
    expect(r.stderr).toContain('Synthesized 2 stacks into');
    expect(r.stderr).toMatch(/EventBridge rules: 44/);
    expect(r.stderr).toMatch(/cdk bootstrap/);
    expect(r.stdout).toBe('');
  });

  it('refuses ${env:...} secrets with exit 2, naming the key', () => {
    const dir = project('deploy:\n  region: eu-west-1\nnotifications:\n  channels:\n    slack: { type: slack, webhookUrl: "${env:SLACK_WEBHOOK}" }\n');
    const r = runCli(['synth', '--out', 'assembly'], dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^trailguard: notifications\.channels\.slack\.webhookUrl: \$\{env:SLACK_WEBHOOK\} cannot be resolved deployed/m);
    expect(existsSync(path.join(dir, 'assembly', 'manifest.json'))).toBe(false);
  });

  it('refuses a rule whose pattern is over EventBridge\'s size limit with exit 2, naming the rule', () => {
    const names = Array.from({ length: 120 }, (_, i) => `SomeQuiteLongApiOperationName${i}`);
    const rule = `id: too-big\ntitle: Too big\nseverity: low\ndescription: Too big a pattern.\nmatch:\n  detail:\n    eventName: ${JSON.stringify(names)}\ntests:\n  match:\n    - name: one\n      record: ${record(names[0]!)}\n  noMatch:\n    - name: other\n      record: ${record('RunInstances')}\n`;
    const dir = project('rules:\n  paths: [too-big.yaml]\ndeploy:\n  region: eu-west-1\n', { 'too-big.yaml': rule });
    const r = runCli(['synth', '--out', 'assembly'], dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/trailguard: rule too-big: .*EventBridge accepts at most 2048/);
  });

  it('usage errors exit 2', () => {
    const dir = project('deploy:\n  region: eu-west-1\n');
    expect(runCli(['synth', '--no-such-option'], dir).status).toBe(2);
    const badKey = runCli(['synth'], project('deploy:\n  regoin: eu-west-1\n'));
    expect(badKey.status).toBe(2);
    expect(badKey.stderr).toMatch(/deploy: .*regoin/);
  });
});

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

/** Runs a deploy-command subcommand in-process the way main.ts does; returns the exit code and the CDK CLI calls. */
async function inProcess(make: (deps: DeployCommandDeps) => Command, args: string[], cwd: string) {
  const calls: Array<{ args: string[]; env: NodeJS.ProcessEnv }> = [];
  const stderr = new Capture();
  const deps: DeployCommandDeps = {
    handlerEntry: () => FIXTURE_HANDLER,
    runCdk: async (a, env) => {
      calls.push({ args: a, env });
      return 0;
    },
    stderr: stderr as unknown as NodeJS.WriteStream,
    cwd: () => cwd,
  };
  const program = new Command('trailguard').exitOverride().configureOutput({ writeErr: (t) => void (stderr.text += t) });
  program.addCommand(make(deps).exitOverride());
  process.exitCode = undefined;
  let code: number;
  try {
    await program.parseAsync(['node', 'trailguard', ...args]);
    code = typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof UsageError || error instanceof CommanderError) code = 2;
    else throw error;
  } finally {
    process.exitCode = undefined;
  }
  return { code, calls, stderr: stderr.text };
}

describe('trailguard deploy / destroy (the CDK CLI replaced)', () => {
  process.env.CDK_VALIDATION = 'false';
  const config = 'deploy:\n  region: eu-west-1\n  account: "123456789012"\n  organization: { id: o-a1b2c3d4e5 }\n  regions: [us-east-1]\n';

  it('deploy synthesizes, then runs `cdk deploy` on the assembly with notices and telemetry off', async () => {
    const dir = project(config);
    const r = await inProcess(deployCommand, ['deploy', '--out', 'assembly', '--profile', 'secops', '--require-approval', 'never', '--no-nag'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.calls).toHaveLength(1);
    expect(r.calls[0]!.args).toEqual(['deploy', 'trailguard', 'trailguard-us-east-1', '--app', path.join(dir, 'assembly'), '--no-notices', '--require-approval', 'never', '--profile', 'secops']);
    expect(r.calls[0]!.env.CDK_DISABLE_CLI_TELEMETRY).toBe('true');
    // The member template goes out as a StackSet, not through cdk deploy.
    expect(r.stderr).toMatch(/deploy .*trailguard-member\.template\.json as a CloudFormation StackSet/);
    expect(r.stderr).toContain('aws cloudformation create-stack-set --stack-set-name trailguard-member');
  });

  it('destroy runs `cdk destroy` on the same stacks, dependants first', async () => {
    const dir = project(config);
    const r = await inProcess(destroyCommand, ['destroy', '--out', 'assembly', '--force'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.calls[0]!.args).toEqual(['destroy', 'trailguard-us-east-1', 'trailguard', '--app', path.join(dir, 'assembly'), '--no-notices', '--force']);
  });

  it('a refused config never reaches the CDK CLI', async () => {
    const dir = project('deploy:\n  region: eu-west-1\nnotifications:\n  channels:\n    log: { type: jsonl, path: out.jsonl }\n');
    const r = await inProcess(deployCommand, ['deploy', '--out', 'assembly'], dir);
    expect(r.code).toBe(2);
    expect(r.calls).toEqual([]);
  });

  it('synth says which rules got no EventBridge rule and why (with -q too)', async () => {
    const rule = [
      'id: filter-only-rule',
      'title: Filter pattern only',
      'severity: low',
      'description: A rule written as a CloudWatch Logs filter pattern only.',
      'filterPattern: \'{ $.eventName = "RunInstances" }\'',
      'tests:',
      '  match:',
      '    - name: run',
      `      record: ${record('RunInstances')}`,
      '  noMatch:',
      '    - name: other',
      `      record: ${record('StopInstances')}`,
    ].join('\n');
    const dir = project('rules:\n  paths: [filter-only.yaml]\n  only: [filter-only-rule, cloudtrail-disabled]\ndeploy:\n  region: eu-west-1\n', { 'filter-only.yaml': rule });
    const r = await inProcess(synthCommand, ['synth', '--out', 'assembly', '--no-nag', '-q'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('warning: no EventBridge rule for filter-only-rule: it has only a CloudWatch Logs filter pattern');
    expect(existsSync(path.join(dir, 'assembly', 'trailguard.template.json'))).toBe(true);
  });
});
