/**
 * `trailguard remediate` as a command: --event dry run (the plan, nothing changed), --enforce against
 * moto_server (the rule really goes), --as-configured holding a plan for approval, approve / reject /
 * pending / log on the SQLite store, policy, and usage errors (exit 2).
 *
 * Runs in-process (remediateCommand with the AWS clients pointed at moto), because `remediate` is
 * registered in src/cli/main.ts by a separate change.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { AuthorizeSecurityGroupIngressCommand, CreateSecurityGroupCommand, CreateVpcCommand, DescribeSecurityGroupRulesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { Command, CommanderError } from 'commander';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/load.js';
import { remediateCommand, type RemediateCommandDeps } from '../../src/cli/remediate-command.js';
import { UsageError } from '../../src/cli/usage-error.js';
import { createRemediationClients } from '../../src/remediate/clients.js';
import { startMoto } from '../support/moto.js';
import { alice, apiCall, ipPermissionItem } from '../remediate/support/events.js';
import { makeTempDir, removeTempDirs } from './helpers.js';

const moto = await startMoto();
afterAll(async () => {
  await moto?.stop();
  removeTempDirs();
});
const withMoto = moto ? describe : describe.skip;

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

interface Result {
  status: number;
  stdout: string;
  stderr: string;
}

async function remediate(args: string[], cwd: string, deps: Partial<RemediateCommandDeps> = {}): Promise<Result> {
  const stdout = new Capture();
  const stderr = new Capture();
  const program = new Command('trailguard').exitOverride().configureOutput({ writeErr: (t) => void (stderr.text += t), writeOut: (t) => void (stdout.text += t) });
  const command = remediateCommand({
    clients: () => createRemediationClients({ configFor: (region) => (moto ? moto.clientConfig(region) : { region, credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, endpoint: 'http://127.0.0.1:9', maxAttempts: 1 }) }),
    stdout,
    stderr: stderr as unknown as NodeJS.WriteStream,
    now: () => new Date('2026-11-20T10:06:00Z'),
    cwd,
    ...deps,
  });
  const quiet = (c: Command): void => {
    c.exitOverride().configureOutput({ writeErr: (t) => void (stderr.text += t), writeOut: (t) => void (stdout.text += t) });
    for (const sub of c.commands) quiet(sub);
  };
  quiet(command);
  program.addCommand(command);
  const saved = process.exitCode;
  process.exitCode = undefined;
  try {
    await program.parseAsync(['node', 'trailguard', 'remediate', ...args]);
    return { status: typeof process.exitCode === 'number' ? process.exitCode : 0, stdout: stdout.text, stderr: stderr.text };
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError) return { status: 2, stdout: stdout.text, stderr: `${stderr.text}trailguard: ${error.message}\n` };
    if (error instanceof CommanderError) return { status: error.exitCode === 0 ? 0 : 2, stdout: stdout.text, stderr: stderr.text };
    throw error;
  } finally {
    process.exitCode = saved;
  }
}

const CONFIG = `
remediation:
  store: trailguard.db
  rules:
    security-group-ingress-open-to-world:
      action: revoke-security-group-ingress
      mode: approve
`;

async function groupWithSsh(): Promise<{ groupId: string; event: string }> {
  const ec2 = new EC2Client(moto!.clientConfig());
  const { Vpc } = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.30.0.0/16' }));
  const { GroupId } = await ec2.send(new CreateSecurityGroupCommand({ GroupName: `web-${Math.random()}`, Description: 'web', VpcId: Vpc!.VpcId! }));
  await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }, { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }));
  const record = apiCall('ec2.amazonaws.com', 'AuthorizeSecurityGroupIngress', { groupId: GroupId, ipPermissions: { items: [ipPermissionItem({ protocol: 'tcp', from: 22, to: 22, v4: ['0.0.0.0/0'] })] } }, { requestId: '1d5b0f8e-6a4d-4b55-9c0e-1d2a3b4c5d6e', _return: true }, { userIdentity: alice });
  // As EventBridge delivers it: the event file may be any envelope trailguard reads.
  const event = JSON.stringify({ version: '0', id: 'e1', 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.ec2', account: '123456789012', time: record.eventTime, region: 'us-east-1', resources: [], detail: record });
  return { groupId: GroupId!, event };
}

async function rules(groupId: string): Promise<string[]> {
  const ec2 = new EC2Client(moto!.clientConfig());
  const { SecurityGroupRules } = await ec2.send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [groupId] }] }));
  return (SecurityGroupRules ?? []).filter((r) => !r.IsEgress).map((r) => `${r.IpProtocol}/${r.FromPort} ${r.CidrIpv4}`).sort();
}

beforeEach(async () => {
  await moto?.reset();
});

withMoto('remediate --event against moto_server', () => {
  it('without --enforce: the plan with the exact call, and nothing changed', async () => {
    const dir = makeTempDir();
    writeFileSync(join(dir, 'trailguard.config.yaml'), CONFIG);
    const { groupId, event } = await groupWithSsh();
    writeFileSync(join(dir, 'event.json'), event);
    const r = await remediate(['--event', 'event.json'], dir);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`DRY-RUN: would remove ingress tcp/22 from 0.0.0.0/0 from ${groupId}`);
    expect(r.stdout).toContain('1. ec2 RevokeSecurityGroupIngress (123456789012/us-east-1)');
    expect(r.stdout).toContain('"CidrIp": "0.0.0.0/0"');
    expect(await rules(groupId)).toEqual(['tcp/22 0.0.0.0/0', 'tcp/443 0.0.0.0/0']);
  });

  it('--enforce: the rule is revoked, the decision is in the store\'s log; a second run is a duplicate', async () => {
    const dir = makeTempDir();
    writeFileSync(join(dir, 'trailguard.config.yaml'), CONFIG);
    const { groupId, event } = await groupWithSsh();
    writeFileSync(join(dir, 'event.json'), event);
    const r = await remediate(['--event', 'event.json', '--enforce', '--format', 'json'], dir);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { decisions: Array<{ status: string; message: string }> };
    expect(out.decisions.map((d) => d.status)).toEqual(['executed']);
    expect(out.decisions[0]?.message).toMatch(/^AUTO-MITIGATED: ingress tcp\/22 from 0\.0\.0\.0\/0 removed from sg-/);
    expect(await rules(groupId)).toEqual(['tcp/443 0.0.0.0/0']);
    const again = await remediate(['--event', 'event.json', '--enforce'], dir);
    expect(again.stdout).toContain('NOT REMEDIATED (duplicate-event)');
    const log = await remediate(["log", "--format", "json"], dir);
    expect((JSON.parse(log.stdout) as { decisions: Array<{ status: string }> }).decisions.map((d) => d.status)).toEqual(['skipped', 'executed']);
  });

  it('--as-configured with mode approve: the plan is held; pending lists it; approve makes the call', async () => {
    const dir = makeTempDir();
    writeFileSync(join(dir, 'trailguard.config.yaml'), CONFIG);
    const { groupId, event } = await groupWithSsh();
    writeFileSync(join(dir, 'event.json'), event);
    const held = await remediate(['--event', 'event.json', '--as-configured', '--format', 'json'], dir);
    const decision = (JSON.parse(held.stdout) as { decisions: Array<{ status: string; approvalId: string }> }).decisions[0]!;
    expect(decision.status).toBe('pending-approval');
    expect(await rules(groupId)).toHaveLength(2);
    const pending = await remediate(['pending'], dir);
    expect(pending.stdout).toContain(decision.approvalId);
    const approved = await remediate(['approve', decision.approvalId, '--by', 'carol'], dir);
    expect(approved.status, approved.stderr).toBe(0);
    expect(approved.stdout).toContain('AUTO-MITIGATED');
    expect(await rules(groupId)).toEqual(['tcp/443 0.0.0.0/0']);
    const twice = await remediate(['approve', decision.approvalId], dir);
    expect(twice.status).toBe(2);
    expect(twice.stderr).toContain('is approved (by carol');
  });

  it('reject: nothing is done and the rejection is logged', async () => {
    const dir = makeTempDir();
    writeFileSync(join(dir, 'trailguard.config.yaml'), CONFIG);
    const { groupId, event } = await groupWithSsh();
    writeFileSync(join(dir, 'event.json'), event);
    const held = await remediate(['--event', 'event.json', '--as-configured', '--format', 'json'], dir);
    const { approvalId } = (JSON.parse(held.stdout) as { decisions: Array<{ approvalId: string }> }).decisions[0]!;
    const rejected = await remediate(['reject', approvalId, '--by', 'carol', '--reason', 'planned maintenance'], dir);
    expect(rejected.stdout).toContain('NOT REMEDIATED (approval-rejected)');
    expect(rejected.stdout).toContain('planned maintenance');
    expect(await rules(groupId)).toHaveLength(2);
  });
});

describe('remediate without AWS', () => {
  it('--offline: the plan by value, no lookups, no call', async () => {
    const dir = makeTempDir();
    writeFileSync(join(dir, 'trailguard.config.yaml'), 'remediation:\n  rules:\n    security-group-ingress-open-to-world: { action: revoke-security-group-ingress, mode: enforce }\n');
    const record = apiCall('ec2.amazonaws.com', 'AuthorizeSecurityGroupIngress', { groupId: 'sg-0a1b2c3d4e5f60718', ipPermissions: { items: [ipPermissionItem({ protocol: 'tcp', from: 3389, to: 3389, v6: ['::/0'] })] } }, { _return: true });
    writeFileSync(join(dir, 'event.json'), JSON.stringify({ Records: [record] }));
    const r = await remediate(['--event', 'event.json', '--offline'], dir, { clients: () => { throw new Error('no clients offline'); } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('DRY-RUN: would remove ingress tcp/3389 from ::/0');
    expect(r.stdout).toContain('"CidrIpv6": "::/0"');
    expect(r.stdout).toContain('note: offline');
    expect(r.stderr).toContain('no store');
  });

  it('an event no rule (or no remediation) covers: said so, exit 0', async () => {
    const dir = makeTempDir();
    writeFileSync(join(dir, 'event.json'), JSON.stringify(apiCall('ec2.amazonaws.com', 'DescribeInstances', {}, null, { readOnly: true })));
    const r = await remediate(['--event', 'event.json', '--offline'], dir);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('nothing to remediate: DescribeInstances');
  });

  it('policy: the least-privilege policy of the configured actions, scoped to the configured accounts', async () => {
    const dir = makeTempDir();
    writeFileSync(
      join(dir, 'trailguard.config.yaml'),
      "remediation:\n  scope: { accounts: ['123456789012'] }\n  rules:\n    security-group-ingress-open-to-world: { action: revoke-security-group-ingress }\n    cloudtrail-disabled: { action: start-cloudtrail-logging }\n",
    );
    const r = await remediate(['policy'], dir);
    expect(r.status, r.stderr).toBe(0);
    const policy = JSON.parse(r.stdout) as { Statement: Array<{ Action: string[]; Resource: string[] }> };
    const actions = policy.Statement.flatMap((s) => s.Action).sort();
    expect(actions).toEqual(['cloudtrail:ListTags', 'cloudtrail:StartLogging', 'ec2:DescribeSecurityGroupRules', 'ec2:DescribeSecurityGroups', 'ec2:RevokeSecurityGroupIngress']);
    expect(policy.Statement.find((s) => s.Action.includes('ec2:RevokeSecurityGroupIngress'))?.Resource).toEqual(['arn:aws:ec2:*:123456789012:security-group/*']);
  });

  it('usage and configuration errors exit 2', async () => {
    const dir = makeTempDir();
    expect((await remediate([], dir)).status).toBe(2);
    expect((await remediate(['--event', 'missing.json'], dir)).status).toBe(2);
    expect((await remediate(['approve', 'x'], dir)).stderr).toContain('needs the store');
    expect((await remediate(['policy'], dir)).stderr).toContain('no remediation action is configured');
    writeFileSync(join(dir, 'trailguard.config.yaml'), 'remediation:\n  rules:\n    cloudtrail-disabled: { action: start-cloudtrail-logging, mode: sometimes }\n');
    const bad = await remediate(['policy'], dir);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/trailguard\.config\.yaml:3:\d+: remediation\.rules\.cloudtrail-disabled\.mode: Invalid option/);
  });
});
