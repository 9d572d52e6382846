import { describe, expect, it } from 'vitest';
import { loadRules } from '../../src/rules/load.js';
import { runRuleTests } from '../../src/rules/test-runner.js';

/** Every built-in rule's own must-match and near-miss events, one test each (what `trailguard rules test` runs). */
const { rules, errors } = loadRules();
const results = runRuleTests(rules);

describe('built-in catalog', () => {
  it('loads without errors', () => {
    expect(errors.map((e) => e.message)).toEqual([]);
  });

  it('has the ids users and later features depend on', () => {
    const ids = new Set(rules.map((r) => r.id));
    for (const id of [
      'unauthorized-api-calls', 'console-signin-without-mfa', 'root-account-usage', 'iam-policy-changes', 'cloudtrail-config-changes',
      'console-auth-failures', 'kms-cmk-disabled-or-scheduled-deletion', 's3-bucket-policy-changes', 'aws-config-changes',
      'security-group-changes', 'nacl-changes', 'network-gateway-changes', 'route-table-changes', 'vpc-changes', 'organizations-changes',
      'security-group-ingress-open-to-world', 'customer-gateway-deleted', 'root-console-login', 'guardduty-disabled', 'securityhub-disabled',
      'inspector-disabled', 'config-disabled', 'cloudtrail-disabled', 'macie-disabled', 'access-analyzer-deleted', 'vpc-flow-logs-deleted',
    ]) {
      expect(ids.has(id), id).toBe(true);
    }
  });

  // CIS AWS Foundations monitoring section: 3.x in v1.2.0, 4.x from v1.3.0 on (4.15 Organizations from v1.4.0);
  // Security Hub's CloudWatch.1-14 follow the v1.2.0 order, with root usage first.
  const CIS_MONITORING: Array<[string, number, string | undefined]> = [
    ['unauthorized-api-calls', 1, 'CloudWatch.2'],
    ['console-signin-without-mfa', 2, 'CloudWatch.3'],
    ['root-account-usage', 3, 'CloudWatch.1'],
    ['iam-policy-changes', 4, 'CloudWatch.4'],
    ['cloudtrail-config-changes', 5, 'CloudWatch.5'],
    ['console-auth-failures', 6, 'CloudWatch.6'],
    ['kms-cmk-disabled-or-scheduled-deletion', 7, 'CloudWatch.7'],
    ['s3-bucket-policy-changes', 8, 'CloudWatch.8'],
    ['aws-config-changes', 9, 'CloudWatch.9'],
    ['security-group-changes', 10, 'CloudWatch.10'],
    ['nacl-changes', 11, 'CloudWatch.11'],
    ['network-gateway-changes', 12, 'CloudWatch.12'],
    ['route-table-changes', 13, 'CloudWatch.13'],
    ['vpc-changes', 14, 'CloudWatch.14'],
    ['organizations-changes', 15, undefined],
  ];
  it.each(CIS_MONITORING)('%s carries CIS monitoring control %i and its Security Hub control', (id, n, securityHub) => {
    const rule = rules.find((r) => r.id === id)!;
    const cis = rule.compliance?.['cis-aws-foundations'] ?? {};
    for (const version of ['v1.4.0', 'v1.5.0', 'v2.0.0', 'v3.0.0']) expect(cis[version], version).toContain(`4.${n}`);
    if (n <= 14) expect(cis['v1.2.0']).toContain(`3.${n}`);
    if (securityHub) expect(rule.compliance?.['aws-security-hub']).toContain(securityHub);
  });

  for (const result of results) {
    it(`${result.ruleId} ${result.kind === 'match' ? 'matches' : 'does not match'}: ${result.name}`, () => {
      expect(result.problem ?? 'passed').toBe('passed');
    });
  }
});
