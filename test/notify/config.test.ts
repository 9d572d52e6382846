import './support/loopback-only.js';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { notificationsConfigSchema } from '../../src/notify/config.js';
import { channelPolicy, windowPolicy } from '../../src/notify/notifier.js';
import { createRouter } from '../../src/notify/router.js';
import { makeFinding } from './support/findings.js';

const EXAMPLE = fileURLToPath(new URL('./fixtures/example.config.yaml', import.meta.url));

function write(text: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'tg-notify-config-'));
  const file = path.join(dir, 'trailguard.config.yaml');
  writeFileSync(file, text);
  return file;
}

describe('notifications config', () => {
  it('reads the documented example and resolves paths against the config file', () => {
    const { config: loaded, file } = loadConfig(EXAMPLE);
    const dir = path.dirname(EXAMPLE);
    expect(file).toBe(EXAMPLE);
    expect(Object.keys(loaded.notifications!.channels)).toEqual(['slack-secops', 'teams-soc', 'pagerduty', 'opsgenie-eu', 'sns-alerts', 'ses-email', 'smtp-email', 'siem', 'console', 'archive']);
    expect(loaded.store!.path).toBe(path.join(dir, 'state/trailguard.db'));
    expect(loaded.notifications!.channels.archive).toMatchObject({ type: 'jsonl', path: path.join(dir, 'state/notifications.jsonl') });
    expect(loaded.notifications!.remediation).toEqual({ channels: 'inherit', statuses: ['executed', 'failed', 'pending-approval', 'skipped'], skipReasons: ['loop-guard', 'tagged', 'allowlisted-principal', 'approval-expired', 'approval-rejected'] });
  });

  it('the remediation section documented in config.ts parses', () => {
    const text = readFileSync(new URL('../../src/notify/config.ts', import.meta.url), 'utf8');
    const yaml = /```yaml\n([\s\S]*?)```/.exec(text)![1]!.replace(/^ \* ?/gm, '');
    const section = (parse(yaml) as { notifications: { remediation: unknown } }).notifications.remediation;
    expect(notificationsConfigSchema.parse({ channels: { 'slack-secops': { type: 'stdout' } }, remediation: section }).remediation).toMatchObject({ channels: 'inherit' });
  });

  it('routes by severity, rule (with wildcards), tag and account, to the union of matching routes', () => {
    const router = createRouter(loadConfig(EXAMPLE).config.notifications!);
    expect(router.route(makeFinding(1, { severity: 'critical' }))).toEqual(['pagerduty', 'opsgenie-eu', 'slack-secops', 'sns-alerts', 'siem', 'archive']);
    expect(router.route(makeFinding(1, { severity: 'medium', ruleId: 'iam-policy-changes' }))).toEqual(['teams-soc', 'slack-secops', 'sns-alerts', 'siem', 'archive']);
    expect(router.route(makeFinding(1, { severity: 'medium', ruleId: 'iam-policy-changes', account: '444455556666' }))).toEqual(['slack-secops', 'sns-alerts', 'siem', 'archive']);
    expect(router.route(makeFinding(1, { severity: 'high', ruleId: 'route-table-changes' }))).toEqual([]);
    expect(router.route(makeFinding(1, { severity: 'low' }))).toEqual([]);
  });

  it('a final route stops the search; disabled channels get nothing; no routes means every channel', () => {
    const config = notificationsConfigSchema.parse({
      channels: { a: { type: 'stdout' }, b: { type: 'stdout' }, off: { type: 'stdout', enabled: false } },
      routes: [{ match: { tags: ['logging'] }, channels: ['a', 'off'], final: true }, { channels: ['b'] }],
    });
    const router = createRouter(config);
    expect(router.route(makeFinding(1))).toEqual(['a']);
    expect(router.route(makeFinding(1, { tags: [] }))).toEqual(['b']);
    expect(createRouter({ channels: config.channels }).route(makeFinding(1))).toEqual(['a', 'b']);
  });

  it('merges delivery, dedupe and storm settings: defaults < notifications < channel', () => {
    const config = notificationsConfigSchema.parse({
      delivery: { maxAttempts: 4, timeoutSeconds: 5 },
      storm: { threshold: 50 },
      channels: { s: { type: 'slack', webhookUrl: 'https://hooks.slack.com/services/T/B/x', delivery: { maxAttempts: 2 }, dedupe: { windowSeconds: 0 } }, w: { type: 'webhook', url: 'https://x.example/h', rateLimit: { perSecond: 5 } } },
    });
    expect(channelPolicy(config, config.channels.s!)).toMatchObject({ maxAttempts: 2, timeoutMs: 5000, initialBackoffMs: 2000, maxBackoffMs: 300_000, rateLimit: { perSecond: 1, burst: 10 } });
    expect(channelPolicy(config, config.channels.w!)).toMatchObject({ maxAttempts: 4, rateLimit: { perSecond: 5, burst: 5 } });
    expect(windowPolicy(config, config.channels.s!)).toEqual({ dedupeWindowMs: 0, stormThreshold: 50, stormWindowMs: 60_000, maxAttempts: 2 });
  });

  it.each([
    ['notifications:\n  channels:\n    x: { type: carrier-pigeon }\n', /:3:16: notifications\.channels\.x\.type: Invalid discriminator value\. Expected 'slack' \| 'teams'/],
    ['notifications:\n  channels:\n    x: { type: slack }\n', /notifications\.channels\.x\.webhookUrl: is required/],
    ['notifications:\n  channels:\n    x: { type: slack, webhookUrl: "hooks.slack.com/x" }\n', /webhookUrl: must be an http\(s\) URL or a \$\{env:\.\.\.\}/],
    ['notifications:\n  channels:\n    x: { type: stdout, colour: red }\n', /unknown key "colour"/],
    ['notifications:\n  channels: { x: { type: stdout } }\n  routes:\n    - channels: [x, y]\n', /:4:21: notifications\.routes\[0\]\.channels\[1\]: no channel named "y" \(channels: x\)/],
    ['notifications:\n  channels: { x: { type: stdout } }\n  templates: { title: "{{ rule.id }}" }\n', /templates\.title: unknown placeholder root "rule"/],
    ['notifications:\n  channels: { x: { type: sns, topicArn: "arn:aws:sqs:us-east-1:123456789012:q" } }\n', /must be an SNS topic ARN/],
    ['notifications:\n  channels: { "bad name": { type: stdout } }\n', /must be a channel name/],
    ['store: { path: 3 }\n', /store\.path: Invalid input: expected string/],
  ])('reports %j with file, line and key', (text, message) => {
    expect(() => loadConfig(write(text))).toThrow(ConfigError);
    expect(() => loadConfig(write(text))).toThrow(message);
  });

  it('is absent without a file, or without a notifications section', () => {
    expect(loadConfig(undefined, mkdtempSync(path.join(tmpdir(), 'tg-none-')))).toEqual({ config: {} });
    expect(loadConfig(write('scan: { failOn: high }\n')).config.notifications).toBeUndefined();
  });
});
