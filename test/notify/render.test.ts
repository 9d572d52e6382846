import './support/loopback-only.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { complianceLines, ContentRenderer, describeActor, truncate } from '../../src/notify/render/content.js';
import { compileNotifyTemplate, NotifyTemplateError } from '../../src/notify/render/template.js';
import { escapeHtml, renderHtml, renderText } from '../../src/notify/render/text.js';
import { buildOpsGenieAlert } from '../../src/notify/sinks/opsgenie.js';
import { buildPagerDutyEvent } from '../../src/notify/sinks/pagerduty.js';
import { buildSlackMessage } from '../../src/notify/sinks/slack.js';
import { buildSnsMessage, snsSubject } from '../../src/notify/sinks/sns.js';
import { buildTeamsMessage } from '../../src/notify/sinks/teams.js';
import { makeFinding, realFindings } from './support/findings.js';
import { notificationOf } from './support/sinks.js';

describe('templates', () => {
  it('renders finding paths, count, channel and severity, with alternatives and literals', () => {
    const t = compileNotifyTemplate('[{{severity}}] {{ finding.actor.name }} ran {{finding.eventName}} x{{count}} on {{channel}}: {{finding.facts.groupId || finding.resources || "n/a"}}');
    const finding = makeFinding(1);
    expect(t.render({ finding, count: 3, channel: 'slack', severity: 'CRITICAL' })).toBe(`[CRITICAL] Admin/alice ran StopLogging x3 on slack: ${finding.resources.join(', ')}`);
    expect(compileNotifyTemplate('{{finding.nope || "n/a"}}').render({ finding, count: 1, channel: 'c', severity: 'LOW' })).toBe('n/a');
  });

  it('refuses unknown roots and broken placeholders with the offset', () => {
    expect(() => compileNotifyTemplate('{{detail.eventName}}')).toThrow(NotifyTemplateError);
    expect(() => compileNotifyTemplate('{{detail.eventName}}')).toThrow(/unknown placeholder root "detail" at offset 2/);
    expect(() => compileNotifyTemplate('x {{finding.title')).toThrow(/unclosed "\{\{" at offset 2/);
    expect(() => compileNotifyTemplate('{{ finding..x }}')).toThrow(/invalid placeholder/);
  });

  it('overrides the title and summary per channel', () => {
    const renderer = new ContentRenderer({ templates: { title: '{{severity}} in {{finding.account}}: {{finding.title}}', summary: '{{finding.actor.name}} did it' } });
    const content = renderer.render(notificationOf([makeFinding(1)]));
    expect(content.title).toBe('CRITICAL in 123456789012: CloudTrail logging stopped or trail deleted');
    expect(content.summary).toBe('Admin/alice did it');
  });
});

describe('message content', () => {
  it('says who, what, where and when for a real finding, with compliance newest CIS version first', () => {
    const finding = realFindings().find((f) => f.ruleId === 'cloudtrail-disabled')!;
    const content = new ContentRenderer().render(notificationOf([finding]));
    expect(content.facts).toEqual([
      { label: 'Who', value: 'Admin/alice (AssumedRole, MFA)' },
      { label: 'Principal', value: 'arn:aws:sts::123456789012:assumed-role/Admin/alice' },
      { label: 'What', value: 'StopLogging (cloudtrail.amazonaws.com)' },
      { label: 'Where', value: 'account 123456789012, us-east-1' },
      { label: 'When', value: '2026-11-20 10:01:02 UTC' },
      { label: 'Source IP', value: '198.51.100.23' },
      { label: 'Rule', value: 'cloudtrail-disabled' },
    ]);
    expect(content.compliance[0]).toBe('CIS AWS Foundations: v3.0.0 4.5; v2.0.0 4.5; v1.5.0 4.5; v1.4.0 4.5; v1.2.0 3.5');
    expect(content.remediation!.cli).toContain('aws cloudtrail start-logging --name <trail-name-or-arn>');
    expect(content.consoleUrl).toBe(`https://us-east-1.console.aws.amazon.com/cloudtrailv2/home?region=us-east-1#/events/${finding.eventId}`);
  });

  it('describes failed calls, services acting for a principal, and sign-ins without MFA', () => {
    expect(describeActor({ type: 'Root', name: 'root', mfa: false })).toBe('root (Root, no MFA)');
    expect(describeActor({ type: 'AssumedRole', name: 'session', sessionIssuerName: 'Deploy', invokedBy: 'cloudformation.amazonaws.com' })).toBe('session (role Deploy, AssumedRole, via cloudformation.amazonaws.com)');
    const content = new ContentRenderer().render(notificationOf([makeFinding(1, { errorCode: 'AccessDenied' })]));
    expect(content.facts.find((f) => f.label === 'What')!.value).toBe('StopLogging (cloudtrail.amazonaws.com) — failed: AccessDenied');
    expect(complianceLines({ 'pci-dss-v4.0': ['10.2.1'], soc2: [] })).toEqual(['PCI DSS v4.0: 10.2.1']);
  });

  it('counts joined findings and repeats', () => {
    const r = new ContentRenderer();
    expect(r.render(notificationOf([makeFinding(1), makeFinding(2)])).countLine).toBe('Seen 2 times (same dedupe key); the first is shown.');
    expect(r.render(notificationOf([makeFinding(2)], { kind: 'repeat', count: 37 })).countLine).toBe('37 more occurrences since the first alert (2026-11-20 10:00:00 UTC); the latest is shown.');
  });

  it('summarises a storm by severity, rule and account', () => {
    const n = notificationOf([makeFinding(1), makeFinding(2, { severity: 'high' })], {
      kind: 'storm',
      count: 1200,
      stats: {
        total: 1200,
        bySeverity: { critical: 3, high: 200, medium: 997 },
        byRule: { 'security-group-changes': 900, 'cloudtrail-disabled': 3, 'nacl-changes': 297 },
        byRuleSeverity: { 'security-group-changes': { medium: 700, high: 200 }, 'cloudtrail-disabled': { critical: 3 }, 'nacl-changes': { medium: 297 } },
        byAccount: { '123456789012': 1200 },
      },
    });
    const content = new ContentRenderer().render(n);
    expect(content.title).toBe('CRITICAL: alert storm on test-channel — 1,200 findings summarised');
    expect(content.storm!.severityLine).toBe('critical 3 · high 200 · medium 997');
    // Most severe first (a rare critical rule is never cut off by frequent routine ones), then by count.
    expect(content.storm!.rules).toEqual([
      { ruleId: 'cloudtrail-disabled', severity: 'critical', count: 3 },
      { ruleId: 'security-group-changes', severity: 'high', count: 900, severities: 'high 200 · medium 700' },
      { ruleId: 'nacl-changes', severity: 'medium', count: 297 },
    ]);
    const text = renderText(content);
    expect(text).toContain('Rules:\n  - CRITICAL cloudtrail-disabled: 3\n  - HIGH security-group-changes: 900 (high 200 · medium 700)\n  - MEDIUM nacl-changes: 297');
    expect(text).toContain('Most severe:\n  - [CRITICAL]');
  });

  it('every channel shows a storm\'s rules with their severities and counts, and its severities by count', () => {
    // 25 rules: 24 frequent low ones and one rare high one, which the list must not cut off.
    const byRule: Record<string, number> = { 'iam-user-self-issued-credentials-via-access-key': 1 };
    const byRuleSeverity: Record<string, Record<string, number>> = { 'iam-user-self-issued-credentials-via-access-key': { high: 1 } };
    for (let i = 0; i < 24; i++) {
      byRule[`routine-rule-${i}`] = 100 + i;
      byRuleSeverity[`routine-rule-${i}`] = { low: 100 + i };
    }
    const total = Object.values(byRule).reduce((a, b) => a + b, 0);
    const n = notificationOf([makeFinding(1, { severity: 'high', ruleId: 'iam-user-self-issued-credentials-via-access-key' })], {
      kind: 'storm',
      count: total,
      stats: { total, bySeverity: { high: 1, low: total - 1 }, byRule, byRuleSeverity, byAccount: { '123456789012': total }, firstEventTime: '2021-07-29T00:07:58Z', lastEventTime: '2021-07-29T00:08:40Z' },
    });
    const content = new ContentRenderer().render(n);
    expect(content.storm!.rules[0]).toEqual({ ruleId: 'iam-user-self-issued-credentials-via-access-key', severity: 'high', count: 1 });
    expect(content.storm!.rules).toHaveLength(20);
    expect(content.storm!.moreRules).toEqual({ rules: 5, findings: 100 + 101 + 102 + 103 + 104 });
    expect(content.facts).toContainEqual({ label: 'Events', value: '2021-07-29 00:07:58 UTC – 2021-07-29 00:08:40 UTC' });
    const first = 'HIGH iam-user-self-issued-credentials-via-access-key: 1';
    const severities = `high 1 · low ${(total - 1).toLocaleString('en-US')}`;
    const renderings: Record<string, string> = {
      text: renderText(content),
      html: renderHtml(content),
      slack: JSON.stringify(buildSlackMessage(content)),
      teams: JSON.stringify(buildTeamsMessage(content)),
      pagerduty: JSON.stringify(buildPagerDutyEvent(content, n, 'key')),
      opsgenie: JSON.stringify(buildOpsGenieAlert(content, n)),
    };
    for (const [channel, rendered] of Object.entries(renderings)) {
      expect(rendered, channel).toContain(first);
      expect(rendered, channel).toContain('LOW routine-rule-23: 123');
      expect(rendered, channel).toContain('… 5 more rules (510 findings)');
      expect(rendered, channel).toContain(severities);
    }
  });

  it('marks a test notification as a test', () => {
    const content = new ContentRenderer().render(notificationOf([makeFinding(1)], { kind: 'test' }));
    expect(content.title.startsWith('[TEST] ')).toBe(true);
    expect(content.footer).toContain('test message');
  });
});

describe('text, HTML and SNS renderings', () => {
  it('escapes everything from the event in HTML', () => {
    const hostile = makeFinding(1, { summary: '<img src=x onerror=alert(1)> & "quotes"', resources: ['<script>'] });
    const html = renderHtml(new ContentRenderer().render(notificationOf([hostile])));
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<script>');
    expect(html).toContain(escapeHtml('<img src=x onerror=alert(1)> & "quotes"'));
  });

  it('SNS subjects are printable ASCII, start with a letter, digit or punctuation, under 100 characters', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400, unit: 'binary' }), (title) => {
        const subject = snsSubject(title);
        expect(subject.length).toBeGreaterThan(0);
        expect(subject.length).toBeLessThan(100);
        expect(subject).toMatch(/^[\x21-\x7E][\x20-\x7E]*$/);
        expect(subject).not.toMatch(/[\r\n]/);
      }),
    );
    expect(snsSubject('\n\t  🚨 CRITICAL: café — “x”…')).toBe('CRITICAL: cafe - "x"...');
  });

  it('truncation never splits a character', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), fc.integer({ min: 2, max: 200 }), (text, max) => {
        const out = truncate(text, max);
        expect(out.length).toBeLessThanOrEqual(Math.max(max, 0));
        // No lone surrogate: a split character would leave one.
        expect(out).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
      }),
    );
  });

  it('SNS message JSON always has a default key and string values', () => {
    const message = buildSnsMessage(new ContentRenderer().render(notificationOf([makeFinding(1)])), notificationOf([makeFinding(1)]), 0);
    const parsed = JSON.parse(message.Message) as Record<string, unknown>;
    expect(typeof parsed.default).toBe('string');
    expect(Object.values(parsed).every((v) => typeof v === 'string')).toBe(true);
    expect(message.MessageStructure).toBe('json');
  });
});
