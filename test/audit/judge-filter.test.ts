/**
 * Filters are judged by what they match: equivalent texts get the same verdict whatever their spelling, and a text
 * that looks right but misses an event is caught with the event named.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildBattery } from '../../src/audit/controls/battery.js';
import { MONITORING_CONTROLS, type EventListSpec } from '../../src/audit/controls/catalog.js';
import { judgeFilter, listLabels, type FilterJudgement } from '../../src/audit/judge-filter.js';
import { GATEWAY_EVENTS, SEED_GATEWAY_FILTER, cisRules, control } from './support/fixtures.js';

function judged(ruleId: string, pattern: string): FilterJudgement {
  const result = judgeFilter(pattern, buildBattery(control(ruleId), cisRules()));
  if ('parseError' in result) throw new Error(`${pattern}: ${result.parseError}`);
  return result;
}
const missed = (j: FilterJudgement) => [...new Set(j.missed.map((c) => c.label))];
const unexpected = (j: FilterJudgement) => j.unexpected.map((c) => c.label);

describe('network gateway changes (seed 000, CIS 4.12 / CloudWatch.12)', () => {
  it('the seed text and its console paste pass', () => {
    expect(judged('network-gateway-changes', SEED_GATEWAY_FILTER).ok).toBe(true);
    const pasted = `{\n${GATEWAY_EVENTS.slice(0, 3).map((n) => `($.eventName = ${n})`).join(' || ')} ||\n${GATEWAY_EVENTS.slice(3).map((n) => `($.eventName = ${n})`).join(' || ')}\n}`;
    expect(judged('network-gateway-changes', pasted).ok).toBe(true);
  });

  it.each([
    ['reordered', `{ ${[...GATEWAY_EVENTS].reverse().map((n) => `($.eventName = ${n})`).join(' || ')} }`],
    ['without parentheses', `{ ${GATEWAY_EVENTS.map((n) => `$.eventName = ${n}`).join(' || ')} }`],
    ['extra parentheses', `{ ((($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway)) || (($.eventName = AttachInternetGateway) || ($.eventName = CreateInternetGateway)) || (($.eventName = DeleteInternetGateway) || ($.eventName = DetachInternetGateway))) }`],
    ['quoted values', `{ ${GATEWAY_EVENTS.map((n) => `($.eventName = "${n}")`).join(' || ')} }`],
    ['compact, no spaces', `{${GATEWAY_EVENTS.map((n) => `($.eventName=${n})`).join('||')}}`],
    ['pinned to ec2.amazonaws.com', `{ ($.eventSource = "ec2.amazonaws.com") && (${GATEWAY_EVENTS.map((n) => `($.eventName = ${n})`).join(' || ')}) }`],
    ['successful calls only (an extra exclusion that removes only what may be removed)', `{ (${GATEWAY_EVENTS.map((n) => `($.eventName = ${n})`).join(' || ')}) && ($.errorCode NOT EXISTS) }`],
    ['wildcards that cover exactly the names', '{ ($.eventName = "*CustomerGateway" && $.eventName != "Describe*") || ($.eventName = "*InternetGateway" && $.eventName != "Describe*" && $.eventName != "*EgressOnly*") }'],
    ['trailguard\'s wider list (VPN, NAT, egress-only gateways too)', `{ ${[...GATEWAY_EVENTS, 'CreateVpnGateway', 'DeleteVpnGateway', 'AttachVpnGateway', 'DetachVpnGateway', 'CreateNatGateway', 'DeleteNatGateway'].map((n) => `($.eventName = ${n})`).join(' || ')} }`],
  ])('%s: passes', (_name, pattern) => {
    const j = judged('network-gateway-changes', pattern);
    expect({ missed: missed(j), unexpected: unexpected(j) }).toEqual({ missed: [], unexpected: [] });
  });

  it('a filter missing DetachInternetGateway fails and names it (text-comparing scanners see five of six names and may pass it)', () => {
    const pattern = SEED_GATEWAY_FILTER.replace(' || ($.eventName = DetachInternetGateway)', '');
    const j = judged('network-gateway-changes', pattern);
    expect(j.ok).toBe(false);
    expect(missed(j)).toEqual(['DetachInternetGateway']);
  });

  it('a misspelled name is a missing event, not a near match', () => {
    const j = judged('network-gateway-changes', SEED_GATEWAY_FILTER.replace('DeleteInternetGateway)', 'DeleteInternetGateways)'));
    expect(missed(j)).toEqual(['DeleteInternetGateway']);
  });

  it('an exclusion that removes required events fails, naming every event it loses', () => {
    const j = judged('network-gateway-changes', `{ (${GATEWAY_EVENTS.map((n) => `($.eventName = ${n})`).join(' || ')}) && ($.userIdentity.type = "IAMUser") }`);
    expect(missed(j)).toEqual(expect.arrayContaining(GATEWAY_EVENTS));
  });

  it('an over-broad filter fails on the read-only and unrelated calls it would alarm on', () => {
    const j = judged('network-gateway-changes', '{ $.eventSource = "ec2.amazonaws.com" }');
    expect(missed(j)).toEqual([]);
    expect(unexpected(j)).toEqual(expect.arrayContaining(['DescribeInternetGateways (read-only)', 'RunInstances']));
    expect(judged('network-gateway-changes', '{ $.eventName = "*Gateway*" }').unexpected.map((c) => c.label)).toContain('DescribeInternetGateways (read-only)');
  });

  it('trailguard\'s extra events are advice: the CIS text passes and the missing ones are listed', () => {
    const j = judged('network-gateway-changes', SEED_GATEWAY_FILTER);
    expect(j.ok).toBe(true);
    expect(j.advisoryMissed.map((c) => c.record.eventName)).toEqual(expect.arrayContaining(['CreateNatGateway', 'AttachVpnGateway']));
  });

  it('an unparsable text is reported, not thrown', () => {
    const result = judgeFilter('{ ($.eventName = CreateCustomerGateway ', buildBattery(control('network-gateway-changes'), cisRules()));
    expect(result).toHaveProperty('parseError');
  });

  it('a non-JSON (terms) pattern is judged by what it matches too', () => {
    // A bare term matches any event whose JSON text contains it: here every gateway call, and the Describe call too.
    const j = judged('network-gateway-changes', '"Gateway"');
    expect(missed(j)).toEqual([]);
    expect(unexpected(j)).toContain('DescribeInternetGateways (read-only)');
  });
});

describe('unauthorized API calls (CIS 4.1, defective in its published v1.4.0+ text)', () => {
  const v12 = '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }';
  const v14 = control('unauthorized-api-calls').published.find((p) => p.defect)!.text;
  const grouped = control('unauthorized-api-calls').canonical;

  it('the v1.2.0 text, the literal v1.4.0 text and the grouped text all pass', () => {
    for (const text of [v12, v14, grouped]) expect(judged('unauthorized-api-calls', text).ok, text).toBe(true);
  });

  it('they differ only on the events accepted either way (log delivery service, HeadBucket)', () => {
    const counts = (text: string) => judged('unauthorized-api-calls', text).alsoCounts.map((c) => c.label).sort();
    expect(counts(v12)).toHaveLength(3);
    expect(counts(v14)).toEqual(['Client.UnauthorizedOperation by the log delivery service']);
    expect(counts(grouped)).toEqual([]);
  });

  it('reordered and quoted differently still passes', () => {
    expect(judged('unauthorized-api-calls', '{($.errorCode=AccessDenied*)||($.errorCode=*UnauthorizedOperation)}').ok).toBe(true);
  });

  it('AccessDenied* alone misses the EC2 refusal, naming it', () => {
    const j = judged('unauthorized-api-calls', '{ $.errorCode = "AccessDenied*" }');
    expect(missed(j)).toEqual(["EC2 Client.UnauthorizedOperation from an IAM user's key"]);
  });

  it('any error code at all counts throttling and DryRun: fails on them', () => {
    const j = judged('unauthorized-api-calls', '{ $.errorCode = "*" }');
    expect(unexpected(j)).toEqual(expect.arrayContaining(['A different error code: throttling is not an authorization failure', 'DryRun that would have succeeded (Client.DryRunOperation)']));
  });
});

describe('other controls', () => {
  it('root usage without the invokedBy exclusion counts AWS services acting for root', () => {
    const j = judged('root-account-usage', '{ $.userIdentity.type = "Root" && $.eventType != "AwsServiceEvent" }');
    expect(unexpected(j)).toEqual(["AWS service acting on root's behalf (invokedBy present)"]);
    expect(judged('root-account-usage', '{ ($.userIdentity.type=Root) && ($.userIdentity.invokedBy NOT EXISTS && $.eventType !=AwsServiceEvent) }').ok).toBe(true);
  });

  it('console sign-in without MFA: both published texts pass, a filter on every ConsoleLogin fails', () => {
    for (const p of control('console-signin-without-mfa').published) expect(judged('console-signin-without-mfa', p.text).ok, p.source).toBe(true);
    expect(unexpected(judged('console-signin-without-mfa', '{ $.eventName = "ConsoleLogin" }'))).toEqual(['IAM user signs in with MFA', 'Successful sign-in']);
  });

  it('route table changes: the defective 4.13 printing passes; missing DisassociateRouteTable fails', () => {
    const printing = control('route-table-changes').published.find((p) => p.defect)!.text;
    expect(judged('route-table-changes', printing).ok).toBe(true);
    const j = judged('route-table-changes', '{ ($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) }');
    expect(missed(j)).toEqual(['DisassociateRouteTable']);
  });

  it('VPC changes: leaving out the retired ClassicLink calls is accepted', () => {
    expect(judged('vpc-changes', '{ ($.eventName = CreateVpc) || ($.eventName = DeleteVpc) || ($.eventName = ModifyVpcAttribute) || ($.eventName = AcceptVpcPeeringConnection) || ($.eventName = CreateVpcPeeringConnection) || ($.eventName = DeleteVpcPeeringConnection) || ($.eventName = RejectVpcPeeringConnection) }').ok).toBe(true);
  });

  it('IAM policy changes: pinning iam.amazonaws.com (so Auto Scaling DeletePolicy no longer counts) is accepted', () => {
    const names = (control('iam-policy-changes').spec as EventListSpec).required;
    const j = judged('iam-policy-changes', `{ $.eventSource = iam.amazonaws.com && (${names.map((n) => `$.eventName = ${n}`).join(' || ')}) }`);
    expect(j.ok).toBe(true);
  });

  it('KMS: a filter without the eventSource condition passes; one without ScheduleKeyDeletion fails naming it', () => {
    expect(judged('kms-cmk-disabled-or-scheduled-deletion', '{ ($.eventName = DisableKey) || ($.eventName = ScheduleKeyDeletion) }').ok).toBe(true);
    expect(missed(judged('kms-cmk-disabled-or-scheduled-deletion', '{ ($.eventSource = kms.amazonaws.com) && ($.eventName = DisableKey) }'))).toEqual([
      'ScheduleKeyDeletion',
      'ScheduleKeyDeletion with the minimum 7-day window',
    ]);
  });
});

describe('every control', () => {
  it.each(MONITORING_CONTROLS.map((c) => [c.ruleId, c] as const))('%s: every published text, the canonical text and the Security Hub text pass its battery', (_id, c) => {
    for (const text of [...c.published.map((p) => p.text), c.canonical, ...(c.securityHub ? [c.securityHub] : [])]) {
      const j = judged(c.ruleId, text);
      expect({ text, missed: missed(j), unexpected: unexpected(j) }).toEqual({ text, missed: [], unexpected: [] });
    }
  });

  it.each(MONITORING_CONTROLS.map((c) => [c.ruleId, c] as const))('%s: its battery has events to catch and near misses, and lists every required name', (_id, c) => {
    const battery = buildBattery(c, cisRules());
    expect(battery.some((b) => b.expect === 'match')).toBe(true);
    expect(battery.some((b) => b.expect === 'no-match')).toBe(true);
    if (c.spec.kind === 'event-list') {
      for (const name of c.spec.required) expect(battery.some((b) => b.label === name && b.expect === 'match'), name).toBe(true);
    }
    for (const b of battery) {
      expect(b.record.eventSource).toBeTruthy();
      expect(b.record.eventName).toBeTruthy();
      if (b.expect !== 'match') expect(b.why, b.label).toBeTruthy();
    }
  });

  it.each(MONITORING_CONTROLS.map((c) => [c.ruleId, c] as const))('%s: a filter that counts nothing and one that counts everything both fail', (_id, c) => {
    expect(judged(c.ruleId, '{ $.eventName = "NoSuchEvent" }').missed.length).toBeGreaterThan(0);
    expect(judged(c.ruleId, '').unexpected.length).toBeGreaterThan(0);
  });
});

describe('property: event-list filters are judged by the names they list, whatever the spelling', () => {
  const lists = MONITORING_CONTROLS.filter((c) => c.spec.kind === 'event-list').map((c) => [c.ruleId, (c.spec as EventListSpec).required] as const);

  it('a random subset of the names, in random order, quoting and grouping, misses exactly the names left out', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...lists),
        fc.infiniteStream(fc.boolean()),
        fc.infiniteStream(fc.constantFrom('quoted', 'bare', 'compact')),
        fc.integer({ min: 0, max: 1000 }),
        ([ruleId, names], keep, style, seed) => {
          const kept = names.filter(() => keep.next().value);
          if (kept.length === 0) return;
          const shuffled = [...kept].sort((a, b) => ((a.length * 31 + seed) % 7) - ((b.length * 17 + seed) % 7) || a.localeCompare(b));
          const terms = shuffled.map((n) => {
            const s = style.next().value;
            return s === 'quoted' ? `($.eventName = "${n}")` : s === 'bare' ? `$.eventName = ${n}` : `($.eventName=${n})`;
          });
          // Group pairs in extra parentheses now and then.
          const grouped: string[] = [];
          for (let i = 0; i < terms.length; i += 2) grouped.push(i + 1 < terms.length && seed % 2 === 0 ? `(${terms[i]} || ${terms[i + 1]})` : terms.slice(i, i + 2).join(' || '));
          const j = judged(ruleId, `{ ${grouped.join(' || ')} }`);
          expect(new Set(j.missed.map((c) => c.record.eventName))).toEqual(new Set(names.filter((n) => !kept.includes(n))));
          expect(unexpected(j)).toEqual([]);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('listLabels', () => {
  it('names a few and counts the rest', () => {
    const cases = ['a', 'b', 'c', 'd'].map((label) => ({ label, record: { eventSource: 'x', eventName: label, eventTime: '' }, expect: 'match' as const }));
    expect(listLabels(cases.slice(0, 1))).toBe('a');
    expect(listLabels(cases.slice(0, 3))).toBe('a, b and c');
    expect(listLabels(cases, 2)).toBe('a, b and 2 more');
  });
});
