/**
 * `trailguard notify ...` and `scan --notify`, run as a user runs them (the built binary, in a fresh
 * working directory), against a local webhook receiver.
 */
import '../notify/support/loopback-only.js';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../notify/support/http-server.js';
import { blockedConnections } from '../notify/support/loopback-only.js';
import { apiCall, makeTempDir, removeTempDirs, requireBuiltCli, run, runAsync, startLogging, stopLogging, type RunResult } from './helpers.js';

// `notify` exists once src/cli/main.ts registers notifyCommand() and the binary is rebuilt.
const wired = (() => {
  requireBuiltCli();
  return /^\s+notify\b/m.test(run(['--help']).stdout);
})();
if (!wired) {
  const reason = 'the built trailguard has no "notify" command yet (register notifyCommand() in src/cli/main.ts and rebuild)';
  if (process.env.CI === 'true') throw new Error(`${reason} — CI must run these tests`);
  console.warn(`skipping the notify CLI tests: ${reason}`);
}

let server: TestServer;
beforeAll(async () => {
  server = await startServer(() => ({ status: 200 }));
});
beforeEach(() => {
  server.requests.length = 0;
  server.respond(() => ({ status: 200 }));
});
afterAll(async () => {
  await server.close();
  removeTempDirs();
  expect(blockedConnections).toEqual([]);
});

function workspace(channelExtra = '', notifyExtra = ''): string {
  const cwd = makeTempDir('trailguard-notify-cli-');
  writeFileSync(
    path.join(cwd, 'trailguard.config.yaml'),
    `notifications:
  dedupe: { windowSeconds: 0 }
  delivery: { initialBackoffSeconds: 0.05, maxBackoffSeconds: 0.2, timeoutSeconds: 5 }
${notifyExtra}  channels:
    hook:
      type: webhook
      url: "${server.url}/hook"
      signingSecret: "\${env:TG_TEST_HOOK_SECRET}"
${channelExtra}`,
  );
  writeFileSync(path.join(cwd, 'trail.json'), JSON.stringify({ Records: [stopLogging(), startLogging()] }));
  return cwd;
}

const env = { TG_TEST_HOOK_SECRET: 'cli-signing-secret-0123456789' };

/** Runs the binary without blocking this process: the receiver answering it lives here. */
function tg(args: string[], cwd: string, extraEnv: Record<string, string> = {}): Promise<RunResult> {
  return runAsync(args, { cwd, env: { ...env, ...extraEnv } });
}

/** Findings the two records raise (cloudtrail-disabled, cloudtrail-config-changes twice). */
const FINDINGS = 3;

describe.skipIf(!wired)('trailguard notify', () => {
  it('notify test sends a sample finding marked as a test', async () => {
    const cwd = workspace();
    const r = await tg(['notify', 'test', '--channel', 'hook'], cwd);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^sent a test notification to hook \(webhook\): 200/m);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]!.json).toMatchObject({ type: 'trailguard.test', data: { title: '[TEST] CRITICAL: CloudTrail logging stopped or trail deleted' } });
    expect(server.requests[0]!.headers['webhook-signature']).toMatch(/^v1,/);
    // notify test keeps nothing.
    expect(existsSync(path.join(cwd, '.trailguard'))).toBe(false);
  });

  it('notify test: an unknown channel is a usage error; a failing one exits 1 without printing secrets', async () => {
    const cwd = workspace();
    const unknown = await tg(['notify', 'test', '--channel', 'nope'], cwd);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('no channel named "nope" (channels: hook)');
    server.respond((req) => ({ status: 401, body: `signature ${String(req.headers['webhook-signature'])} rejected for key cli-signing-secret-0123456789` }));
    const failing = await tg(['notify', 'test', '--channel', 'hook'], cwd);
    expect(failing.status).toBe(1);
    expect(failing.stderr).toContain('test notification to hook (webhook) failed: webhook channel "hook": HTTP 401');
    expect(failing.stderr).not.toContain(env.TG_TEST_HOOK_SECRET);
  });

  it('scan --notify saves the findings, delivers them, and a re-run notifies nothing twice', async () => {
    const cwd = workspace();
    const first = await tg(['scan', 'trail.json', '--notify', '--no-progress', '--format', 'jsonl'], cwd);
    expect(first.status, first.stderr).toBe(0);
    const findings = first.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { id: string });
    expect(findings).toHaveLength(FINDINGS);
    expect(first.stderr).toMatch(new RegExp(`Notifying: ${findings.length} findings saved to .*\\.trailguard/trailguard\\.db`));
    expect(first.stderr).toMatch(new RegExp(`Notifications: ${findings.length} delivered, 0 failed`));
    const delivered = server.requests.map((r) => (r.json as { data: { findings: { id: string }[] } }).data.findings[0]!.id);
    expect(delivered.sort()).toEqual(findings.map((f) => f.id).sort());

    const again = await tg(['scan', 'trail.json', '--notify', '--no-progress', '-q'], cwd);
    expect(again.status, again.stderr).toBe(0);
    expect(server.requests).toHaveLength(findings.length);
  });

  it('failed deliveries show in notify status with their last error, and notify retry re-drives them', async () => {
    const cwd = workspace('      delivery: { maxAttempts: 2 }\n');
    server.respond(() => ({ status: 503, body: 'maintenance' }));
    const scan = await tg(['scan', 'trail.json', '--notify', '--no-progress', '-q', '-o', 'findings.txt'], cwd);
    expect(scan.status, scan.stderr).toBe(0);
    expect(scan.stderr).toMatch(new RegExp(`Notifications: 0 delivered, ${FINDINGS} failed`));

    const status = await tg(['notify', 'status'], cwd);
    expect(status.status).toBe(0);
    expect(status.stdout).toMatch(new RegExp(`^hook\\s+0\\s+0\\s+0\\s+${FINDINGS}\\s+-$`, 'm'));
    expect(status.stdout).toContain('webhook channel "hook": HTTP 503: maintenance (gave up after 2 attempts)');
    expect(status.stdout).toContain('trailguard notify retry');
    const json = JSON.parse((await tg(['notify', 'status', '--format', 'json'], cwd)).stdout) as { channels: { failed: number }[]; deliveries: { state: string; attempts: number; lastStatus: number }[] };
    expect(json.channels[0]!.failed).toBe(FINDINGS);
    expect(json.deliveries.every((d) => d.state === 'failed' && d.attempts === 2 && d.lastStatus === 503)).toBe(true);

    server.respond(() => ({ status: 200 }));
    const retry = await tg(['notify', 'retry'], cwd);
    expect(retry.status, retry.stderr).toBe(0);
    expect(retry.stderr).toContain(`re-queued ${FINDINGS} failed deliveries`);
    expect(retry.stderr).toMatch(new RegExp(`Notifications: ${FINDINGS} delivered, 0 failed`));
    expect((await tg(['notify', 'status'], cwd)).stdout).toMatch(new RegExp(`^hook\\s+0\\s+0\\s+${FINDINGS}\\s+0\\s+-$`, 'm'));
  });

  it('notify retry --id re-drives only the deliveries named, by the id notify status shows', async () => {
    const cwd = workspace('      delivery: { maxAttempts: 1 }\n');
    server.respond(() => ({ status: 503, body: 'maintenance' }));
    const scan = await tg(['scan', 'trail.json', '--notify', '--no-progress', '-q', '-o', 'findings.txt'], cwd);
    expect(scan.status, scan.stderr).toBe(0);
    type Listed = { deliveries: { id: string; state: string }[] };
    const failed = (JSON.parse((await tg(['notify', 'status', '--format', 'json'], cwd)).stdout) as Listed).deliveries;
    expect(failed.map((d) => d.state)).toEqual(Array.from({ length: FINDINGS }, () => 'failed'));
    // Ids are strings (SQLite's are its row ids in decimal; a deployed store's are keys).
    for (const d of failed) expect(d.id).toMatch(/^[1-9]\d*$/);
    const [first, second, third] = failed.map((d) => d.id);

    server.respond(() => ({ status: 200 }));
    server.requests.length = 0;
    const one = await tg(['notify', 'retry', '--id', first!], cwd);
    expect(one.status, one.stderr).toBe(0);
    expect(one.stderr).toContain('re-queued 1 failed delivery');
    expect(one.stderr).toMatch(/Notifications: 1 delivered, 0 failed/);
    expect(server.requests).toHaveLength(1);
    const states = async () =>
      Object.fromEntries((JSON.parse((await tg(['notify', 'status', '--format', 'json', '--state', 'delivered,failed'], cwd)).stdout) as Listed).deliveries.map((d) => [d.id, d.state]));
    expect(await states()).toEqual({ [first!]: 'delivered', [second!]: 'failed', [third!]: 'failed' });

    // Ids that name no delivery (another store's key, a typo): a usage error naming them, nothing re-queued.
    for (const id of ['tg_0123456789abcdef0123456789abcdef', '999']) {
      const none = await tg(['notify', 'retry', '--id', id], cwd);
      expect(none.status, none.stderr).toBe(2);
      expect(none.stderr).toMatch(new RegExp(`no delivery with id ${id} in .*trailguard\\.db \\(see trailguard notify status\\)`));
      expect(none.stderr).not.toContain('re-queued');
    }
    // One that is not failed: said so; nothing to do is not an error.
    const delivered = await tg(['notify', 'retry', '--id', first!], cwd);
    expect(delivered.status, delivered.stderr).toBe(0);
    expect(delivered.stderr).toContain(`delivery ${first!} is delivered, not failed: nothing to retry`);
    expect(delivered.stderr).toContain('re-queued 0 failed deliveries');
    // On another channel than --channel: said so, left alone.
    const elsewhere = await tg(['notify', 'retry', '--id', second!, '--channel', 'other'], cwd);
    expect(elsewhere.status, elsewhere.stderr).toBe(0);
    expect(elsewhere.stderr).toContain(`delivery ${second!} is on channel hook, not other: left as it is`);
    const spaced = await tg(['notify', 'retry', '--id', 'a b'], cwd);
    expect(spaced.status).toBe(2);
    expect(spaced.stderr).toContain('--id "a b" is not a delivery id (see trailguard notify status)');

    // Some ids known, some not: the unknown ones are named, the others re-driven.
    const both = await tg(['notify', 'retry', '--id', `${second!},999,${third!}`], cwd);
    expect(both.status, both.stderr).toBe(0);
    expect(both.stderr).toContain('no delivery with id 999');
    expect(both.stderr).toContain('re-queued 2 failed deliveries');
    expect(await states()).toEqual({ [first!]: 'delivered', [second!]: 'delivered', [third!]: 'delivered' });
    expect(server.requests).toHaveLength(FINDINGS);
  });

  it('a secret in a webhook URL\'s path stays secret when the receiver echoes the path: stderr, notify status, notify retry, the store', async () => {
    const token = 'T0K3N-9f8e7d6c5b4a39281706';
    const cwd = makeTempDir('trailguard-notify-cli-');
    writeFileSync(
      path.join(cwd, 'trailguard.config.yaml'),
      `notifications:
  delivery: { maxAttempts: 1, timeoutSeconds: 5 }
  channels:
    hook: { type: webhook, url: "${server.url}/hooks/\${env:TG_TEST_HOOK_TOKEN}" }
`,
    );
    writeFileSync(path.join(cwd, 'trail.json'), JSON.stringify({ Records: [stopLogging()] }));
    // An Express-like 404 that echoes what was asked.
    server.respond((req) => ({ status: 404, body: `<!DOCTYPE html><html><body><pre>Cannot POST ${req.path}</pre></body></html>` }));
    const withToken = (args: string[]) => tg(args, cwd, { TG_TEST_HOOK_TOKEN: token });
    const scan = await withToken(['scan', 'trail.json', '--notify', '--no-progress', '-o', 'f.txt']);
    expect(scan.status, scan.stderr).toBe(0);
    expect(server.requests[0]!.path).toBe(`/hooks/${token}`);
    expect(scan.stderr).toContain('HTTP 404: <!DOCTYPE html><html><body><pre>Cannot POST [REDACTED]</pre></body></html>');
    const status = await withToken(['notify', 'status']);
    const json = await withToken(['notify', 'status', '--format', 'json']);
    const retry = await withToken(['notify', 'retry', '-v']);
    expect(retry.status).toBe(1);
    expect(status.stdout).toContain('Cannot POST [REDACTED]');
    const store = readdirSync(path.join(cwd, '.trailguard')).map((f) => readFileSync(path.join(cwd, '.trailguard', f)).toString('latin1')).join('\n');
    for (const [what, text] of Object.entries({ scan: scan.stderr + scan.stdout, status: status.stdout, json: json.stdout, retry: retry.stderr + retry.stdout, store })) {
      expect(text, what).not.toContain(token);
      expect(text, what).not.toContain(encodeURIComponent(token));
      expect(text, what).not.toContain('/hooks/T0K3N');
    }
  });

  it('scan --notify measures storms on event time: days of events are not a storm, a burst is; a critical finding is never summarised', async () => {
    const cwd = makeTempDir('trailguard-notify-cli-');
    writeFileSync(path.join(cwd, 'trailguard.config.yaml'), `notifications:\n  dedupe: { windowSeconds: 0 }\n  channels:\n    hook: { type: webhook, url: "${server.url}/hook" }\n`);
    const root = { type: 'Root', principalId: '123456789012', arn: 'arn:aws:iam::123456789012:root', accountId: '123456789012' };
    const day0 = Date.UTC(2021, 6, 25);
    const iso = (t: number) => new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
    const records: Record<string, unknown>[] = [];
    // Forty root calls, one every three hours over five days.
    for (let i = 0; i < 40; i++) records.push(apiCall({ userIdentity: root, eventSource: 'ec2.amazonaws.com', eventName: `DescribeSpread${i}`, eventTime: iso(day0 + i * 3 * 3_600_000), eventID: id(i) }));
    // A burst of thirty within thirty seconds (between two of those), with a StopLogging in it.
    const burst = day0 + 25 * 3_600_000 + 30 * 60_000;
    for (let i = 0; i < 30; i++) records.push(apiCall({ userIdentity: root, eventSource: 'ec2.amazonaws.com', eventName: `DescribeBurst${i}`, eventTime: iso(burst + i * 1000), eventID: id(100 + i) }));
    records.push(stopLogging({ eventTime: iso(burst + 25_500), eventID: id(200) }));
    writeFileSync(path.join(cwd, 'trail.json'), JSON.stringify({ Records: records }));
    const scan = await tg(['scan', 'trail.json', '--notify', '--no-progress', '-q', '-o', 'f.txt'], cwd);
    expect(scan.status, scan.stderr).toBe(0);
    type Sent = { type: string; data: { count: number; severity: string; findings: { ruleId: string; severity: string }[]; stats?: { bySeverity: Record<string, number>; byRule: Record<string, number> } } };
    const sent = server.requests.map((r) => r.json as Sent);
    const storms = sent.filter((n) => n.type === 'trailguard.storm');
    // One storm: the burst past its twentieth alert (ten root calls, and the medium config change made within it).
    expect(storms).toHaveLength(1);
    expect(storms[0]!.data.count).toBe(11);
    expect(storms[0]!.data.stats).toMatchObject({ bySeverity: { high: 10, medium: 1 }, byRule: { 'root-account-usage': 10, 'cloudtrail-config-changes': 1 } });
    // Everything else on its own: forty spread calls, twenty of the burst, and the critical StopLogging.
    const alone = sent.filter((n) => n.type === 'trailguard.finding');
    expect(alone).toHaveLength(61);
    expect(alone.filter((n) => n.data.findings[0]!.ruleId === 'cloudtrail-disabled').map((n) => n.data.severity)).toEqual(['critical']);
  });

  it('what a scan leaves pending is delivered by notify run', async () => {
    const cwd = workspace();
    const scan = await tg(['scan', 'trail.json', '--notify', '--notify-timeout', '0s', '--no-progress', '-q', '-o', 'f.txt'], cwd);
    expect(scan.status, scan.stderr).toBe(0);
    expect(scan.stderr).toContain(`${FINDINGS} still pending in 0.0 s (see trailguard notify status)`);
    expect(server.requests).toHaveLength(0);
    const r = await tg(['notify', 'run'], cwd);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`Notifications: ${FINDINGS} delivered, 0 failed`));
    expect(server.requests).toHaveLength(FINDINGS);
  });

  it('configuration mistakes are usage errors with their location', async () => {
    const cwd = workspace('', '  routes:\n    - channels: [hook, pager]\n');
    const r = await tg(['notify', 'status'], cwd);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/trailguard\.config\.yaml:\d+:\d+: notifications\.routes\[0\]\.channels\[1\]: no channel named "pager"/);
    const bare = makeTempDir('trailguard-notify-cli-');
    writeFileSync(path.join(bare, 'trail.json'), JSON.stringify({ Records: [stopLogging()] }));
    const scan = await tg(['scan', 'trail.json', '--notify'], bare);
    expect(scan.status).toBe(2);
    expect(scan.stderr).toContain('no notifications are configured');
  });
});
