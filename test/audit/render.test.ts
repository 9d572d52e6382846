import { describe, expect, it } from 'vitest';
import { evaluateAccount } from '../../src/audit/evaluate.js';
import { failingControls, renderAuditJson, renderAuditTable, renderComplianceSummary } from '../../src/audit/render.js';
import { NOW, SEED_GATEWAY_FILTER, alarm, cisRules, filter, snapshot } from './support/fixtures.js';

const report = () =>
  evaluateAccount(snapshot({ filters: [filter('gw', SEED_GATEWAY_FILTER.replace(' || ($.eventName = DetachInternetGateway)', ''), 'Gw')], alarms: [alarm('gw', 'Gw')] }), {
    rules: cisRules(),
    now: NOW,
    only: ['network-gateway-changes', 'cloudtrail-multi-region'],
  });

describe('render', () => {
  it('table: one row per control, the reasons under it', () => {
    const text = renderAuditTable(report());
    expect(text.split('\n').slice(0, 5)).toEqual([
      'trailguard audit: account 123456789012, region us-east-1, 1 trail',
      'RESULT  CIS                  SECURITY HUB   CONTROL                  TITLE',
      'FAIL    4.12 (v1.2.0: 3.12)  CloudWatch.12  network-gateway-changes  Network gateway changes',
      '      - metric filter gw (CISBenchmark/Gw on log group aws-cloudtrail-logs (us-east-1)) misses DetachInternetGateway',
      'PASS    3.1 (v1.2.0: 2.1)    CloudTrail.1   cloudtrail-multi-region  Multi-region trail logging all management events',
    ]);
    expect(renderAuditTable(report(), { verbose: true })).toContain('· met by trail management-events (home region us-east-1)');
  });

  it('wraps reasons to the terminal width', () => {
    const lines = renderAuditTable(report(), { width: 60 }).split('\n').filter((l) => l.startsWith('      '));
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(60);
  });

  it('compliance summary by framework and version', () => {
    const text = renderComplianceSummary(report());
    expect(text).toContain('Controls: 1 pass, 1 fail, 0 error (of 2)');
    expect(text).toContain('CIS AWS Foundations v1.2.0  1/2 pass; FAIL 3.12');
    expect(text).toContain('AWS Security Hub            1/2 pass; FAIL CloudWatch.12');
  });

  it('JSON carries the report and the summary', () => {
    const json = JSON.parse(renderAuditJson(report()));
    expect(json.counts).toEqual({ PASS: 1, FAIL: 1, ERROR: 0 });
    expect(json.controls[0]).toMatchObject({ id: 'network-gateway-changes', verdict: 'FAIL', reasons: [expect.stringContaining('misses DetachInternetGateway')] });
    expect(json.compliance.find((c: { name: string }) => c.name === 'AWS Security Hub').counts).toEqual({ PASS: 1, FAIL: 1, ERROR: 0 });
  });

  it('--fail-on picks the verdicts that fail the run', () => {
    expect(failingControls(report(), ['FAIL', 'ERROR']).map((c) => c.id)).toEqual(['network-gateway-changes']);
    expect(failingControls(report(), ['ERROR'])).toEqual([]);
  });
});
