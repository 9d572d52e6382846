/**
 * The findings table on a terminal: every line fits the width given (the terminal's), cut cells end in an ellipsis,
 * severity and time keep their width as long as anything else can give; without a width nothing is cut.
 */
import { describe, expect, it } from 'vitest';
import { fitWidths, renderFindingsTable } from '../../src/findings/render-table.js';
import type { Finding } from '../../src/findings/types.js';

const finding = (overrides: Partial<Finding> & { actorName?: string }): Finding =>
  ({
    id: 'x',
    ruleId: overrides.ruleId ?? 'security-group-ingress-open-to-world',
    title: 't',
    severity: overrides.severity ?? 'critical',
    eventId: 'e',
    eventTime: overrides.eventTime ?? '2026-11-16T08:42:32Z',
    eventSource: 'ec2.amazonaws.com',
    eventName: 'AuthorizeSecurityGroupIngress',
    account: '123456789012',
    region: 'us-east-1',
    actor: { type: 'AssumedRole', name: overrides.actorName ?? 'contractor.kim@example.net (SSO PowerUserAccess)' },
    resources: [],
    summary: overrides.summary ?? 'contractor.kim@example.net (SSO PowerUserAccess) opened tcp/3389 from ::/0 on sg-04e85b4c045f2c0f9 in 111122223333/eu-west-1',
    compliance: {},
    attack: [],
    tags: [],
    dedupeKey: 'k',
    facts: {},
    record: {} as Finding['record'],
  }) as Finding;

const findings = [
  finding({}),
  finding({ severity: 'low', ruleId: 'unauthorized-api-calls', actorName: 'svc-reporting', summary: 'svc-reporting (IAMUser) was refused iam.amazonaws.com:ListUsers (AccessDenied) from 203.0.113.77' }),
];

describe('renderFindingsTable with a terminal width', () => {
  it('without a width (not a terminal): nothing is cut', () => {
    const text = renderFindingsTable(findings);
    expect(text).not.toContain('…');
    expect(text).toContain(findings[0]!.summary);
  });

  it.each([200, 160, 120, 100, 80])('every line fits %i columns; cut cells end in "…"; severity and time are whole', (width) => {
    const lines = renderFindingsTable(findings, { width }).trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(width);
    expect(lines[0]).toMatch(/^SEVERITY {2}TIME {18}/);
    expect(lines[1]).toMatch(/^CRITICAL {2}2026-11-16T08:42:32Z {2}/);
    expect(lines[2]).toMatch(/^LOW {7}2026-11-16T08:42:32Z {2}/);
    if (width < 200) expect(lines[1]).toContain('…');
  });

  it('the summary gives first; the other columns only once it is as narrow as they are', () => {
    const natural = renderFindingsTable(findings).trimEnd().split('\n')[1]!;
    // 20 columns narrower: only the summary is cut.
    const lines = renderFindingsTable(findings, { width: natural.length - 20 }).trimEnd().split('\n');
    expect(lines[1]).toContain('contractor.kim@example.net (SSO PowerUserAccess)  contractor.kim');
    expect(lines[1]!.endsWith('…')).toBe(true);
    expect(lines[1]!.length).toBe(natural.length - 20);
  });

  it('narrower than the narrowest columns: the line itself is cut', () => {
    for (const line of renderFindingsTable(findings, { width: 40 }).trimEnd().split('\n')) {
      expect(line.length).toBeLessThanOrEqual(40);
    }
  });

  it('fitWidths narrows the widest column that can give, down to the minimums', () => {
    expect(fitWidths([8, 20, 36, 22, 48, 120], undefined)).toEqual([8, 20, 36, 22, 48, 120]);
    expect(fitWidths([8, 20, 36, 22, 48, 120], 200)).toEqual([8, 20, 36, 22, 48, 56]);
    const tight = fitWidths([8, 20, 36, 22, 48, 120], 100);
    expect(tight.reduce((a, b) => a + b, 0) + 10).toBe(100);
    expect(tight.slice(0, 2)).toEqual([8, 20]);
  });
});
