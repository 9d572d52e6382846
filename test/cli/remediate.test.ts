/**
 * `trailguard remediate` as a command: --event dry run (the plan, nothing changed), --enforce against
 * moto_server (the rule really goes), --as-configured holding a plan for approval, approve / reject /
 * pending / log on the shared store, policy, and usage errors (exit 2); decisions delivered through
 * the notification channels (a local webhook), the store of the first release adopted.
 *
 * Runs in-process (remediateCommand with the AWS clients pointed at moto), because `remediate` is
 * registered in src/cli/main.ts by a separate change.
 */
import '../notify/support/loopback-only.js';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { AuthorizeSecurityGroupIngressCommand, CreateSecurityGroupCommand, CreateVpcCommand, DescribeSecurityGroupRulesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { Command, CommanderError } from 'commander';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/load.js';
import { remediateCommand, type RemediateCommandDeps } from '../../src/cli/remediate-command.js';
import { UsageError } from '../../src/cli/usage-error.js';
import { runNotifyStatus } from '../../src/cli/notify-run.js';
import { createRemediationClients, type RemediationClients } from '../../src/remediate/clients.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { stderrReporter } from '../../src/cli/reporter.js';
import { startServer, type TestServer } from '../notify/support/http-server.js';
import { blockedConnections } from '../notify/support/loopback-only.js';
import { startMoto } from '../support/moto.js';
import { alice, apiCall, ipPermissionItem, stopLogging } from '../remediate/support/events.js';
import { writeLegacyRemediationFile } from '../remediate/support/legacy.js';
import { makeApproval, makeDecision } from '../store/support.js';
import { makeTempDir, removeTempDirs } from './helpers.js';

const moto = await startMoto();
const hook: TestServer = await startServer(() => ({ status: 200 }));
afterAll(async () => {
  await moto?.stop();
  await hook.close();
  removeTempDirs();
  expect(blockedConnections).toEqual([]);
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
store:
  path: trailguard.db
remediation:
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
  /** A workspace whose SSH-opening event was held for approval (mode approve, --as-configured). */
  async function heldApproval(): Promise<{ dir: string; groupId: string; decision: { status: string; approvalId: string } }> {
    const dir = makeTempDir();
    writeFileSync(join(dir, 'trailguard.config.yaml'), CONFIG);
    const { groupId, event } = await groupWithSsh();
    writeFileSync(join(dir, 'event.json'), event);
    const held = await remediate(['--event', 'event.json', '--as-configured', '--format', 'json'], dir);
    return { dir, groupId, decision: (JSON.parse(held.stdout) as { decisions: Array<{ status: string; approvalId: string }> }).decisions[0]! };
  }

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
    expect(again.stdout).toMatch(/^SKIPPED: revoke-security-group-ingress on AuthorizeSecurityGroupIngress .* \(duplicate-event\)$/m);
    const log = await remediate(["log", "--format", "json"], dir);
    expect((JSON.parse(log.stdout) as { decisions: Array<{ status: string }> }).decisions.map((d) => d.status)).toEqual(['skipped', 'executed']);
  });

  it('--as-configured with mode approve: the plan is held; pending lists it; approve makes the call', async () => {
    const { dir, groupId, decision } = await heldApproval();
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

  it('retry: an approved plan whose run failed runs again as a new decision; approve says to retry it', async () => {
    const { dir, groupId, decision: { approvalId } } = await heldApproval();
    const denied: RemediationClients = {
      send: () => Promise.reject(Object.assign(new Error('You are not authorized to perform this operation.'), { name: 'UnauthorizedOperation' })),
      forAccount: () => denied,
    };
    const failed = await remediate(['approve', approvalId, '--by', 'carol'], dir, { clients: () => denied });
    expect(failed.status, failed.stderr).toBe(1);
    expect(failed.stdout).toMatch(/^REMEDIATION FAILED: .*UnauthorizedOperation/m);
    expect(await rules(groupId)).toHaveLength(2);
    const approveAgain = await remediate(['approve', approvalId], dir);
    expect(approveAgain.status).toBe(2);
    expect(approveAgain.stderr).toContain(`run it again with \`trailguard remediate retry ${approvalId}\``);

    const retried = await remediate(['retry', approvalId, '--by', 'dave', '--format', 'json'], dir);
    expect(retried.status, retried.stderr).toBe(0);
    expect((JSON.parse(retried.stdout) as { decisions: Array<{ status: string; retryOf: string }> }).decisions).toMatchObject([{ status: 'executed', retryOf: approvalId }]);
    expect(await rules(groupId)).toEqual(['tcp/443 0.0.0.0/0']);
    const twice = await remediate(['retry', approvalId], dir);
    expect(twice.status).toBe(2);
    expect(twice.stderr).toContain('was run and executed');
    const unknown = await remediate(['retry', 'no-such-id'], dir);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('no approval or decision no-such-id');
    const log = await remediate(['log', '--format', 'json'], dir);
    expect((JSON.parse(log.stdout) as { decisions: Array<{ status: string }> }).decisions.map((d) => d.status)).toEqual(['executed', 'failed', 'pending-approval']);
  });

  it('reject: nothing is done and the rejection is logged', async () => {
    const { dir, groupId, decision: { approvalId } } = await heldApproval();
    const rejected = await remediate(['reject', approvalId, '--by', 'carol', '--reason', 'planned maintenance'], dir);
    expect(rejected.stdout).toMatch(/^SKIPPED: .*rejected by carol: planned maintenance \(approval-rejected\)$/m);
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
    // A quick look at a plan leaves nothing behind.
    expect(existsSync(join(dir, '.trailguard'))).toBe(false);
  });

  it('--event DIR: every log file under it, read as scan reads a directory (no EISDIR)', async () => {
    const dir = makeTempDir();
    writeFileSync(join(dir, 'trailguard.config.yaml'), 'remediation:\n  rules:\n    security-group-ingress-open-to-world: { action: revoke-security-group-ingress, mode: enforce }\n');
    const open = (port: number) => apiCall('ec2.amazonaws.com', 'AuthorizeSecurityGroupIngress', { groupId: 'sg-0a1b2c3d4e5f60718', ipPermissions: { items: [ipPermissionItem({ protocol: 'tcp', from: port, to: port, v4: ['0.0.0.0/0'] })] } }, { _return: true });
    mkdirSync(join(dir, 'events', 'nested'), { recursive: true });
    writeFileSync(join(dir, 'events', 'a.json'), JSON.stringify({ Records: [open(22)] }));
    writeFileSync(join(dir, 'events', 'nested', 'b.json'), JSON.stringify({ Records: [open(3389)] }));
    const r = await remediate(['--event', 'events', '--offline'], dir);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('EISDIR');
    expect(r.stdout).toContain('would remove ingress tcp/22 from 0.0.0.0/0');
    expect(r.stdout).toContain('would remove ingress tcp/3389 from 0.0.0.0/0');
    mkdirSync(join(dir, 'empty'));
    const empty = await remediate(['--event', 'empty', '--offline'], dir);
    expect([empty.status, empty.stderr]).toEqual([2, 'trailguard: --event empty: no file to read\n']);
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
    expect((await remediate(['approve', 'x'], dir)).stderr).toContain(`approve needs the store, and there is none at ${join(dir, '.trailguard', 'trailguard.db')}`);
    expect((await remediate(['log'], dir)).stderr).toContain('log needs the store');
    expect((await remediate(['policy'], dir)).stderr).toContain('no remediation action is configured');
    const account = await remediate(['policy', '--all', '--accounts', '123456789012,abc'], dir);
    expect([account.status, account.stdout, account.stderr]).toEqual([2, '', 'trailguard: --accounts abc: not a 12-digit AWS account id\n']);
    expect((await remediate(['policy', '--all', '--regions', 'bogus-9'], dir)).stderr).toBe('trailguard: --regions bogus-9: not an AWS region name (like us-east-1)\n');
    writeFileSync(join(dir, 'trailguard.config.yaml'), 'remediation:\n  rules:\n    cloudtrail-disabled: { action: start-cloudtrail-logging, mode: sometimes }\n');
    const bad = await remediate(['policy'], dir);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/trailguard\.config\.yaml:3:\d+: remediation\.rules\.cloudtrail-disabled\.mode: Invalid option/);
  });
});

/** AWS clients that answer every call: tags none, changes accepted. */
function fakeClients(): RemediationClients {
  const clients: RemediationClients = { send: async (call) => (call.operation === 'ListTags' ? { ResourceTagList: [{ TagsList: [] }] } : {}), forAccount: () => clients };
  return clients;
}

const OPEN_SSH = () => apiCall('ec2.amazonaws.com', 'AuthorizeSecurityGroupIngress', { groupId: 'sg-0a1b2c3d4e5f60718', ipPermissions: { items: [ipPermissionItem({ protocol: 'tcp', from: 22, to: 22, v4: ['0.0.0.0/0'] })] } }, { _return: true });

function notifyWorkspace(extra = '', channel = `url: "${hook.url}/hook"`): string {
  const dir = makeTempDir();
  writeFileSync(
    join(dir, 'trailguard.config.yaml'),
    `notifications:
  channels:
    hook: { type: webhook, ${channel}, delivery: { maxAttempts: 2, initialBackoffSeconds: 0.02, maxBackoffSeconds: 0.05, timeoutSeconds: 2 } }
remediation:
  rules:
    security-group-ingress-open-to-world: { action: revoke-security-group-ingress, mode: enforce }
    cloudtrail-disabled: { action: start-cloudtrail-logging, mode: approve }
${extra}`,
  );
  writeFileSync(join(dir, 'ssh.json'), JSON.stringify({ Records: [OPEN_SSH()] }));
  writeFileSync(join(dir, 'stop.json'), JSON.stringify({ Records: [stopLogging()] }));
  return dir;
}

const hookTitles = () => hook.requests.map((r) => (r.json as { type: string; data: { title: string } }).data.title);

describe('remediate decisions through the notification channels', () => {
  beforeEach(() => {
    hook.requests.length = 0;
    hook.respond(() => ({ status: 200 }));
  });

  it('each decision is logged and delivered from the one store notifications use; --no-notify sends nothing', async () => {
    const dir = notifyWorkspace();
    const r = await remediate(['--event', 'ssh.json', '--offline'], dir);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^DRY-RUN: would remove ingress tcp\/22 from 0\.0\.0\.0\/0 from sg-0a1b2c3d4e5f60718/m);
    expect(r.stderr).toContain('Remediation notices: 1 delivered, 0 failed');
    expect(hook.requests.map((q) => (q.json as { type: string }).type)).toEqual(['trailguard.remediation']);
    expect(hookTitles()[0]).toMatch(/^DRY-RUN: would remove ingress tcp\/22 from 0\.0\.0\.0\/0 from sg-0a1b2c3d4e5f60718/);

    const quiet = await remediate(['--event', 'ssh.json', '--offline', '--no-notify'], dir);
    expect(quiet.status, quiet.stderr).toBe(0);
    expect(quiet.stderr).not.toContain('Remediation notices');
    expect(hook.requests).toHaveLength(1);

    const store = openSqliteStore(join(dir, '.trailguard', 'trailguard.db'));
    expect(store.sqlite.versions()).toEqual({ findings: 1, outbox: 3, remediation: 3, watch: 1 });
    expect((await store.remediation.listDecisions()).map((d) => d.status)).toEqual(['dry-run', 'dry-run']);
    expect((await store.outbox.list()).map((o) => [o.channel, o.kind, o.state])).toEqual([['hook', 'remediation', 'delivered']]);
    await store.close();
  });

  it('approve mode: APPROVAL NEEDED with the command and expiry, then AUTO-MITIGATED when approved', async () => {
    const dir = notifyWorkspace();
    const deps = { clients: () => fakeClients() };
    const held = await remediate(['--event', 'stop.json', '--as-configured', '--format', 'json'], dir, deps);
    expect(held.status, held.stderr).toBe(0);
    const { approvalId } = (JSON.parse(held.stdout) as { decisions: Array<{ approvalId: string }> }).decisions[0]!;
    expect(hookTitles()).toEqual([
      `APPROVAL NEEDED: start logging on trail management-events (stopped by arn:aws:sts::123456789012:assumed-role/Admin/alice) (approve with \`trailguard remediate approve ${approvalId}\`, expires 2026-11-21T10:06:00.000Z)`,
    ]);
    const approved = await remediate(['approve', approvalId, '--by', 'carol'], dir, deps);
    expect(approved.status, approved.stderr).toBe(0);
    expect(approved.stderr).toContain('Remediation notices: 1 delivered, 0 failed');
    expect(hookTitles()[1]).toBe('AUTO-MITIGATED: logging restarted on trail management-events that was stopped by arn:aws:sts::123456789012:assumed-role/Admin/alice');
    // Both notices carry the finding's incident key: one problem, one incident.
    const keys = hook.requests.map((q) => (q.json as { data: { incidentKey: string } }).data.incidentKey);
    expect(keys[0]).toMatch(/^trailguard:cloudtrail-disabled:/);
    expect(keys[1]).toBe(keys[0]);
  });

  it('a failing channel: the failure on stderr (secrets redacted), the exit code unchanged, the notice in notify status', async () => {
    const token = 'hook-token-5f0e2a9c41d7';
    process.env.TG_REMEDIATE_HOOK_TOKEN = token;
    try {
      const dir = notifyWorkspace('', `url: "${hook.url}/hook/\${env:TG_REMEDIATE_HOOK_TOKEN}"`);
      hook.respond((q) => ({ status: 500, body: `no route for ${q.path}` }));
      const r = await remediate(['--event', 'ssh.json', '--offline'], dir);
      expect(r.status, r.stderr).toBe(0);
      expect(hook.requests[0]!.path).toBe(`/hook/${token}`);
      expect(r.stderr).toMatch(/warning: remediation notice 1 \(dry-run [0-9a-f-]+\) to hook failed: webhook channel "hook": HTTP 500: no route for \[REDACTED\] \(gave up after 2 attempts\) — re-drive with: trailguard notify retry --id 1/);
      expect(r.stderr).toContain('Remediation notices: 0 delivered, 1 failed');
      expect(r.stdout + r.stderr).not.toContain(token);

      let out = '';
      const io = { stdout: { write: (t: string) => ((out += t), true) } as unknown as NodeJS.WritableStream, reporter: stderrReporter(process.stderr, true), cwd: dir };
      expect(await runNotifyStatus({}, io)).toBe(0);
      expect(out).toMatch(/^hook\s+0\s+0\s+0\s+1\s+-$/m);
      expect(out).toMatch(/^1\s+hook\s+remediation\s+failed\s+1\s+dry-run revoke-security-group-ingress \(security-group-ingress-open-to-world\)\s+2\/2/m);
      expect(out).not.toContain(token);
    } finally {
      delete process.env.TG_REMEDIATE_HOOK_TOKEN;
    }
  });

  it('remediation.store is retired with a precise error saying what to write instead', async () => {
    const dir = makeTempDir();
    writeFileSync(join(dir, 'trailguard.config.yaml'), 'remediation:\n  mode: dry-run\n  store: old.db\n');
    writeFileSync(join(dir, 'ssh.json'), JSON.stringify(OPEN_SSH()));
    const r = await remediate(['--event', 'ssh.json', '--offline'], dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/trailguard\.config\.yaml:3:\d+: remediation\.store: retired: the remediation log and approvals now live in the shared store/);
    expect(r.stderr).toContain('To keep using old.db, make it the top-level store path — store: { path: "old.db" } — relative to the config file (its log and approvals are kept and read as they are); or delete this key to use .trailguard/trailguard.db');
  });

  it('the file the first release wrote, named as store.path: its approvals and log are there, and approving works', async () => {
    const dir = notifyWorkspace('store:\n  path: old-remediation.db\n');
    const old = makeDecision(1, { id: 'd-old', createdAt: '2026-11-20T09:00:00.000Z', status: 'pending-approval', approvalId: 'a-old', eventId: 'e-old' });
    writeLegacyRemediationFile(join(dir, 'old-remediation.db'), { decisions: [old], approvals: [makeApproval(old, 'a-old', 86_400_000)] });

    const pending = await remediate(['pending'], dir);
    expect(pending.status, pending.stderr).toBe(0);
    expect(pending.stdout).toContain('a-old  expires 2026-11-21T09:00:00.000Z  start-cloudtrail-logging: start logging on trail management-events');
    const approved = await remediate(['approve', 'a-old', '--by', 'carol'], dir, { clients: () => fakeClients() });
    expect(approved.status, approved.stderr).toBe(0);
    expect(hookTitles()).toEqual(['AUTO-MITIGATED: logging restarted on trail management-events']);
    const log = await remediate(['log', '--format', 'json'], dir);
    expect((JSON.parse(log.stdout) as { decisions: Array<{ id: string; status: string }> }).decisions.map((d) => d.status)).toEqual(['executed', 'pending-approval']);
    expect(existsSync(join(dir, '.trailguard'))).toBe(false);
  });
});
