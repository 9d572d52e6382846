/**
 * A user rule as YAML text, for tests of loading rule files: a StopLogging rule with its own must-match and
 * near-miss records; each part can be replaced.
 */
const record = `
        eventVersion: "1.09"
        eventTime: "2026-11-20T10:01:02Z"
        eventSource: cloudtrail.amazonaws.com
        eventName: StopLogging
        awsRegion: us-east-1
        eventID: 3f2e4a8c-1b7d-4c9e-8f6a-2d5b7c9e1a34
        eventType: AwsApiCall
        recipientAccountId: "123456789012"
        userIdentity: { type: IAMUser, userName: bob, arn: "arn:aws:iam::123456789012:user/bob", accountId: "123456789012" }
        requestParameters: { name: trail-a }`;

export function ruleText(overrides: { id?: string; severity?: string; match?: string; extra?: string; summary?: string } = {}): string {
  return `id: ${overrides.id ?? 'my-rule'}
title: My rule
severity: ${overrides.severity ?? 'high'}
description: Something worth knowing.
match:
${overrides.match ?? '  detail:\n    eventSource: [cloudtrail.amazonaws.com]\n    eventName: [StopLogging]'}
${overrides.summary ?? 'summary: "{{actor.name}} stopped {{detail.requestParameters.name}}"'}
${overrides.extra ?? ''}
tests:
  match:
    - name: stop
      record:${record}
  noMatch:
    - name: other
      record:${record.replace('eventName: StopLogging', 'eventName: StartLogging')}
`;
}
