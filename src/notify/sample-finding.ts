/**
 * The finding `trailguard notify test` sends: a realistic CloudTrail StopLogging by an assumed role,
 * built from the documented example account, so a channel can be checked end to end (layout,
 * colours, links, routing keys) without waiting for a real event. Its title says it is a test.
 */
import type { Finding } from '../findings/types.js';
import type { Notification } from './types.js';

export function sampleFinding(now = new Date()): Finding {
  const eventTime = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const eventId = '6e5e6c0a-6d4a-4f5b-9d0e-2f1e8b1c7a11';
  const trail = 'arn:aws:cloudtrail:us-east-1:123456789012:trail/management-events';
  return {
    id: `test-${now.getTime().toString(36)}`,
    ruleId: 'cloudtrail-disabled',
    title: 'CloudTrail logging stopped or trail deleted',
    severity: 'critical',
    eventId,
    eventTime,
    eventSource: 'cloudtrail.amazonaws.com',
    eventName: 'StopLogging',
    account: '123456789012',
    region: 'us-east-1',
    actor: {
      type: 'AssumedRole',
      name: 'Admin/alice',
      arn: 'arn:aws:sts::123456789012:assumed-role/Admin/alice',
      sessionIssuerArn: 'arn:aws:iam::123456789012:role/Admin',
      sessionIssuerName: 'Admin',
      sessionName: 'alice',
      accountId: '123456789012',
      accessKeyId: 'ASIAIOSFODNN7EXAMPLE',
      mfa: true,
    },
    sourceIp: '198.51.100.23',
    userAgent: 'aws-cli/2.17.0',
    resources: [trail],
    summary: `This is a test notification from trailguard: Admin/alice ran StopLogging on ${trail} in 123456789012/us-east-1`,
    compliance: {
      'cis-aws-foundations': { 'v1.4.0': ['4.5'], 'v3.0.0': ['4.5'] },
      'aws-security-hub': ['CloudWatch.5'],
      'nist-800-53-r5': ['AU-6', 'AU-9', 'SI-4'],
    },
    attack: ['T1562.008'],
    tags: ['defense-evasion', 'logging', 'test'],
    remediation: {
      summary: 'Restart logging on the trail, then find out who stopped it and what they did while logging was off.',
      console: ['Open the CloudTrail console, choose Trails, select the trail and choose "Start logging".'],
      cli: [`aws cloudtrail start-logging --name ${trail}`],
    },
    dedupeKey: `cloudtrail-disabled:test:${now.getTime()}`,
    facts: {},
    consoleUrl: `https://us-east-1.console.aws.amazon.com/cloudtrailv2/home?region=us-east-1#/events/${eventId}`,
    record: {
      eventVersion: '1.10',
      eventTime,
      eventSource: 'cloudtrail.amazonaws.com',
      eventName: 'StopLogging',
      awsRegion: 'us-east-1',
      sourceIPAddress: '198.51.100.23',
      eventID: eventId,
      requestParameters: { name: trail },
    } as Finding['record'],
  };
}

/** A one-off notification of the sample finding for `channel`; keys are unique per test so nothing is de-duplicated away. */
export function testNotification(channel: string, now = new Date()): Notification {
  const finding = sampleFinding(now);
  const nonce = `${now.getTime().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  return {
    id: 'test',
    channel,
    kind: 'test',
    idempotencyKey: `tg_test_${nonce}`,
    incidentKey: `trailguard:test:${nonce}`,
    count: 1,
    findings: [finding],
    findingIds: [finding.id],
    windowStart: now.getTime(),
    windowEnd: now.getTime(),
    attempt: 1,
  };
}
