/**
 * Undoing what a security-group event granted, shared by revoke-security-group-ingress and
 * revoke-security-group-egress.
 *
 * Unit of work: one SOURCE of one permission item (an "entry"). EC2 stores every source of an
 * IpPermission as its own rule (its own securityGroupRuleId), so `tcp/22 from [0.0.0.0/0,
 * 10.0.0.0/8]` is two rules, and policy may forbid one and allow the other.
 *
 * Which entries are forbidden (option `forbid`):
 * - `world`: the entries `analyzeWorldExposure` names (alone, or together with others, they admit
 *   all of IPv4 or IPv6 on some port; 10.0.0.0/8 next to 0.0.0.0/0 is not named), unless the
 *   group's allowlist allows them (sg-web may keep tcp/443 from 0.0.0.0/0).
 * - `unlisted`: every entry the group's allowlist does not allow. A group with no allowlist (and
 *   no `default` one) is not governed: nothing is revoked and the decision says why.
 *
 * How they are revoked:
 * - by rule id (`SecurityGroupRuleIds`), when the event's response lists the rules it created (or
 *   the event is a ModifySecurityGroupRules, which names its rule), and a DescribeSecurityGroupRules
 *   lookup confirms the rule still has the value the event gave it (a rule changed since is left
 *   alone; a rule already gone needs no call);
 * - otherwise by value (`IpPermissions` with exactly the event's protocol, ports and the forbidden
 *   sources). A value revoke only ever matches a rule with those exact values, so it cannot remove
 *   a rule changed since. Descriptions are not sent: EC2 does not need them to identify a rule and
 *   one edited since the event would make an exact revoke miss.
 * EC2 accepts either rule ids or rule properties in one request, so the two forms are two calls.
 * `InvalidPermission.NotFound` (non-default VPC), a response listing the permissions as unknown
 * (default VPC), `InvalidSecurityGroupRuleId.NotFound` and `InvalidGroup.NotFound` all mean the
 * rule is already gone and count as done.
 *
 * ModifySecurityGroupRules: the event carries the rule's NEW value only, not the old one. Undo here
 * means revoking the rewritten rule (by its id) when its new value is forbidden; restoring a previous
 * value would be a guess. The message says what the rule was set to so its owner can re-add the
 * narrower rule. The request does not say whether the rule is ingress or egress: the lookup does.
 */
import * as z from 'zod';
import type { CloudTrailRecord } from '../cloudtrail/types.js';
import { parseCidr } from '../cloudtrail/cidr-coverage.js';
import {
  canonicalProtocol,
  extractSecurityGroupChanges,
  formatPermission,
  protocolKind,
  type SecurityGroupChange,
  type SecurityGroupPermission,
  type SecurityGroupReference,
} from '../cloudtrail/security-group-permissions.js';
import { analyzeWorldExposure } from '../rules/checks/security-group-open-to-world.js';
import type { RemediationClients } from './clients.js';
import { errorCodeOf, errorMessageOf, executePlan } from './execute.js';
import type {
  CallOutcome,
  PlanContext,
  PlannedCall,
  PlanResult,
  RemediationAction,
  RemediationInput,
  RemediationPlan,
  ResourceRef,
  SecurityGroupAllowEntry,
  SecurityGroupAllowlist,
} from './types.js';

export type Direction = 'ingress' | 'egress';

export type EntrySource =
  | { kind: 'ipv4' | 'ipv6'; cidr: string; description?: string }
  | { kind: 'prefixList'; prefixListId: string; description?: string }
  | { kind: 'group'; ref: SecurityGroupReference };

/** One source of one permission item. */
export interface SecurityGroupEntry {
  permission: SecurityGroupPermission;
  source: EntrySource;
  /** The rule this entry is (from the response, or the rule a ModifySecurityGroupRules names). */
  ruleId?: string;
  /** `tcp/22 from 0.0.0.0/0`. */
  label: string;
}

export const securityGroupOptionsSchema = z.strictObject({
  /** world: revoke what opens the group to the whole internet; unlisted: revoke what the group's allowlist does not allow. */
  forbid: z.enum(['world', 'unlisted']).optional(),
});

/** The permission reduced to one source (for formatting and for the world analysis). */
function singleSource(p: SecurityGroupPermission, source: EntrySource): SecurityGroupPermission {
  return {
    ...p,
    ipv4Ranges: source.kind === 'ipv4' ? [{ cidr: source.cidr }] : [],
    ipv6Ranges: source.kind === 'ipv6' ? [{ cidr: source.cidr }] : [],
    prefixListIds: source.kind === 'prefixList' ? [{ prefixListId: source.prefixListId }] : [],
    groups: source.kind === 'group' ? [source.ref] : [],
  };
}

export function entriesOf(permissions: readonly SecurityGroupPermission[], direction: Direction): SecurityGroupEntry[] {
  const out: SecurityGroupEntry[] = [];
  for (const p of permissions) {
    const sources: EntrySource[] = [
      ...p.ipv4Ranges.map((r): EntrySource => ({ kind: 'ipv4', cidr: r.cidr, ...(r.description !== undefined ? { description: r.description } : {}) })),
      ...p.ipv6Ranges.map((r): EntrySource => ({ kind: 'ipv6', cidr: r.cidr, ...(r.description !== undefined ? { description: r.description } : {}) })),
      ...p.prefixListIds.map((r): EntrySource => ({ kind: 'prefixList', prefixListId: r.prefixListId, ...(r.description !== undefined ? { description: r.description } : {}) })),
      ...p.groups.map((ref): EntrySource => ({ kind: 'group', ref })),
    ];
    for (const source of sources) {
      const entry: SecurityGroupEntry = { permission: p, source, label: formatPermission(singleSource(p, source), { direction }) };
      if (p.origin === 'modifySecurityGroupRule' && p.securityGroupRuleIds[0] !== undefined) entry.ruleId = p.securityGroupRuleIds[0];
      out.push(entry);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Comparing values

function sameNetwork(a: string, b: string): boolean {
  if (a === b) return true;
  const pa = parseCidr(a);
  const pb = parseCidr(b);
  return pa.ok && pb.ok && pa.cidr.family === pb.cidr.family && pa.cidr.network === pb.cidr.network;
}

function portsMatter(protocol: string | undefined): boolean {
  const kind = protocolKind(protocol);
  return kind === 'tcp' || kind === 'udp' || kind === 'icmp' || kind === 'icmpv6';
}

/** A rule as EC2 describes it (DescribeSecurityGroupRules) or as an Authorize response lists it. */
export interface RuleValue {
  id?: string;
  isEgress?: boolean;
  protocol?: string;
  fromPort?: number;
  toPort?: number;
  cidrIpv4?: string;
  cidrIpv6?: string;
  prefixListId?: string;
  referencedGroupId?: string;
}

/** Whether a rule has exactly the entry's protocol, ports and source. */
export function ruleMatchesEntry(rule: RuleValue, entry: SecurityGroupEntry): boolean {
  const p = entry.permission;
  if (canonicalProtocol(rule.protocol) !== canonicalProtocol(p.protocol)) return false;
  if (portsMatter(p.protocol) && ((rule.fromPort ?? -1) !== (p.fromPort ?? -1) || (rule.toPort ?? -1) !== (p.toPort ?? -1))) return false;
  const s = entry.source;
  switch (s.kind) {
    case 'ipv4':
      return rule.cidrIpv4 !== undefined && sameNetwork(rule.cidrIpv4, s.cidr);
    case 'ipv6':
      return rule.cidrIpv6 !== undefined && sameNetwork(rule.cidrIpv6, s.cidr);
    case 'prefixList':
      return rule.prefixListId === s.prefixListId;
    case 'group':
      return rule.referencedGroupId !== undefined && rule.referencedGroupId === s.ref.groupId;
  }
}

function describeRule(rule: RuleValue, direction: Direction): string {
  const p: SecurityGroupPermission = {
    ...(rule.protocol !== undefined ? { protocol: rule.protocol } : {}),
    ...(rule.fromPort !== undefined ? { fromPort: rule.fromPort } : {}),
    ...(rule.toPort !== undefined ? { toPort: rule.toPort } : {}),
    ipv4Ranges: rule.cidrIpv4 ? [{ cidr: rule.cidrIpv4 }] : [],
    ipv6Ranges: rule.cidrIpv6 ? [{ cidr: rule.cidrIpv6 }] : [],
    prefixListIds: rule.prefixListId ? [{ prefixListId: rule.prefixListId }] : [],
    groups: rule.referencedGroupId ? [{ groupId: rule.referencedGroupId }] : [],
    securityGroupRuleIds: [],
    direction,
    origin: 'ipPermissions',
    path: '',
  };
  return formatPermission(p);
}

/** Gives each entry the rule id the Authorize response lists for it. */
export function attachResponseRuleIds(entries: SecurityGroupEntry[], change: SecurityGroupChange, direction: Direction): void {
  for (const rule of change.rules) {
    if (rule.securityGroupRuleId === undefined) continue;
    if (rule.isEgress !== undefined && rule.isEgress !== (direction === 'egress')) continue;
    const value: RuleValue = {
      protocol: rule.ipProtocol,
      ...(rule.fromPort !== undefined ? { fromPort: rule.fromPort } : {}),
      ...(rule.toPort !== undefined ? { toPort: rule.toPort } : {}),
      ...(rule.cidrIpv4 !== undefined ? { cidrIpv4: rule.cidrIpv4 } : {}),
      ...(rule.cidrIpv6 !== undefined ? { cidrIpv6: rule.cidrIpv6 } : {}),
      ...(rule.prefixListId !== undefined ? { prefixListId: rule.prefixListId } : {}),
      ...(rule.referencedGroupInfo?.groupId !== undefined ? { referencedGroupId: rule.referencedGroupInfo.groupId } : {}),
    };
    const entry = entries.find((e) => e.ruleId === undefined && ruleMatchesEntry(value, e));
    if (entry) entry.ruleId = rule.securityGroupRuleId;
  }
}

// ---------------------------------------------------------------------------------------------
// Policy: allowed and forbidden entries

/** `443`, `80-443`, `all`, or a number: an inclusive range, or undefined for every port. */
export function parsePortSpec(spec: string | number | undefined): [number, number] | undefined {
  if (spec === undefined) return undefined;
  if (typeof spec === 'number') return [spec, spec];
  const s = spec.trim().toLowerCase();
  if (s === 'all' || s === '*' || s === '-1') return undefined;
  const m = /^(\d{1,5})(?:\s*-\s*(\d{1,5}))?$/.exec(s);
  if (!m) throw new Error(`"${spec}" is not a port, a port range (80-443) or "all"`);
  const a = Number(m[1]);
  const b = m[2] !== undefined ? Number(m[2]) : a;
  if (a > 65535 || b > 65535 || b < a) throw new Error(`"${spec}" is not a valid port range`);
  return [a, b];
}

/** Whether the CIDR `inner` lies inside `outer` (same family). */
function cidrWithin(inner: string, outer: string): boolean {
  const i = parseCidr(inner);
  const o = parseCidr(outer);
  return i.ok && o.ok && i.cidr.family === o.cidr.family && i.cidr.start >= o.cidr.start && i.cidr.end <= o.cidr.end;
}

/** Whether an allowlist entry allows an event entry: same source (a range inside the allowed range), protocol and ports within. */
export function allows(allow: SecurityGroupAllowEntry, entry: SecurityGroupEntry): boolean {
  const s = entry.source;
  if (allow.cidr !== undefined) {
    if ((s.kind !== 'ipv4' && s.kind !== 'ipv6') || !cidrWithin(s.cidr, allow.cidr)) return false;
  } else if (allow.prefixList !== undefined) {
    if (s.kind !== 'prefixList' || s.prefixListId !== allow.prefixList) return false;
  } else if (allow.group !== undefined) {
    if (s.kind !== 'group' || s.ref.groupId !== allow.group) return false;
  } else return false;

  const p = entry.permission;
  const allowedProtocol = allow.protocol === undefined ? undefined : canonicalProtocol(allow.protocol);
  const kind = protocolKind(p.protocol);
  if (allowedProtocol !== undefined && allowedProtocol !== '-1' && allowedProtocol !== canonicalProtocol(p.protocol)) return false;
  let range: [number, number] | undefined;
  try {
    range = parsePortSpec(allow.ports);
  } catch {
    return false;
  }
  if (range === undefined) return true;
  // A port range only allows TCP/UDP ports (or ICMP types) inside it; all traffic is never inside one.
  if (kind === 'tcp' || kind === 'udp') {
    if (p.fromPort === undefined || p.toPort === undefined || p.fromPort === -1 || p.toPort === -1) return range[0] <= 0 && range[1] >= 65535;
    return p.fromPort >= range[0] && p.toPort <= range[1];
  }
  if (kind === 'icmp' || kind === 'icmpv6') return p.fromPort !== undefined && p.fromPort !== -1 && p.fromPort >= range[0] && p.fromPort <= range[1];
  return false;
}

export function allowlistFor(groups: Record<string, SecurityGroupAllowlist>, groupId: string | undefined): { list: SecurityGroupAllowlist; name: string } | undefined {
  if (groupId !== undefined && groups[groupId]) return { list: groups[groupId] as SecurityGroupAllowlist, name: groupId };
  if (groups.default) return { list: groups.default, name: 'default' };
  return undefined;
}

/** A synthetic AuthorizeSecurityGroupIngress holding one item per entry, so the check's world analysis judges entries. */
function entriesAsRecord(entries: readonly SecurityGroupEntry[]): CloudTrailRecord {
  const list = (items: unknown[]) => ({ items });
  return {
    eventTime: '1970-01-01T00:00:00Z',
    eventSource: 'ec2.amazonaws.com',
    eventName: 'AuthorizeSecurityGroupIngress',
    requestParameters: {
      groupId: 'sg-00000000',
      ipPermissions: list(
        entries.map((e) => {
          const p = e.permission;
          const s = e.source;
          return {
            ...(p.protocol !== undefined ? { ipProtocol: p.protocol } : {}),
            ...(p.fromPort !== undefined ? { fromPort: p.fromPort } : {}),
            ...(p.toPort !== undefined ? { toPort: p.toPort } : {}),
            ipRanges: s.kind === 'ipv4' ? list([{ cidrIp: s.cidr }]) : {},
            ipv6Ranges: s.kind === 'ipv6' ? list([{ cidrIpv6: s.cidr }]) : {},
            prefixListIds: s.kind === 'prefixList' ? list([{ prefixListId: s.prefixListId }]) : {},
            groups: s.kind === 'group' ? list([{ groupId: s.ref.groupId ?? 'sg-00000001' }]) : {},
          };
        }),
      ),
    },
  };
}

/** The entries that together admit the whole internet on some port (none is needless; revoking all of them closes every such port). */
export function worldEntries(entries: readonly SecurityGroupEntry[]): Set<SecurityGroupEntry> {
  const analysis = analyzeWorldExposure(entriesAsRecord(entries));
  const out = new Set<SecurityGroupEntry>();
  for (const exposure of analysis.exposures) {
    for (const p of exposure.permissions) {
      const m = /items\[(\d+)\]$/.exec(p.path);
      const entry = m ? entries[Number(m[1])] : undefined;
      if (entry) out.add(entry);
    }
  }
  return out;
}

export interface Judgement {
  forbidden: SecurityGroupEntry[];
  kept: string[];
  /** Why nothing is forbidden when that is because the group is not governed. */
  ungoverned?: string;
}

export function judgeEntries(
  entries: readonly SecurityGroupEntry[],
  direction: Direction,
  forbid: 'world' | 'unlisted',
  groups: Record<string, SecurityGroupAllowlist>,
  groupId: string | undefined,
): Judgement {
  const allowlist = allowlistFor(groups, groupId);
  const allowEntries = allowlist?.list[direction] ?? [];
  const allowedBy = (e: SecurityGroupEntry) => allowEntries.find((a) => allows(a, e));
  const kept: string[] = [];
  const forbidden: SecurityGroupEntry[] = [];
  if (forbid === 'unlisted' && allowlist === undefined) {
    return { forbidden, kept: entries.map((e) => `${e.label}: ${groupId ?? 'the group'} has no allowlist`), ungoverned: `${groupId ?? 'the group'} has no ${direction} allowlist (securityGroups.${groupId ?? '<id>'} or securityGroups.default)` };
  }
  const world = forbid === 'world' ? worldEntries(entries) : undefined;
  for (const e of entries) {
    const allowed = allowedBy(e);
    if (allowed) {
      kept.push(`${e.label}: allowed for ${allowlist?.name === 'default' ? 'every group (default allowlist)' : (allowlist?.name ?? '')}`);
      continue;
    }
    if (world && !world.has(e)) {
      kept.push(`${e.label}: does not open the group to the internet`);
      continue;
    }
    forbidden.push(e);
  }
  return { forbidden, kept };
}

// ---------------------------------------------------------------------------------------------
// Requests

interface IpPermissionInput {
  IpProtocol?: string;
  FromPort?: number;
  ToPort?: number;
  IpRanges?: Array<{ CidrIp: string }>;
  Ipv6Ranges?: Array<{ CidrIpv6: string }>;
  PrefixListIds?: Array<{ PrefixListId: string }>;
  UserIdGroupPairs?: Array<{ GroupId?: string; GroupName?: string; UserId?: string; VpcId?: string; VpcPeeringConnectionId?: string }>;
}

/** The CIDR to send: the recorded one, or its network when the caller set host bits (EC2 stored the masked network). */
function cidrToSend(cidr: string): string {
  const parsed = parseCidr(cidr);
  return parsed.ok && parsed.cidr.hostBitsSet ? parsed.cidr.network : cidr;
}

/** IpPermissions for the entries, one item per permission item of the event (its protocol and ports as recorded). */
export function ipPermissionsFor(entries: readonly SecurityGroupEntry[]): IpPermissionInput[] {
  const byPermission = new Map<SecurityGroupPermission, SecurityGroupEntry[]>();
  for (const e of entries) byPermission.set(e.permission, [...(byPermission.get(e.permission) ?? []), e]);
  const out: IpPermissionInput[] = [];
  for (const [p, list] of byPermission) {
    const item: IpPermissionInput = {};
    if (p.protocol !== undefined) item.IpProtocol = p.protocol;
    if (p.fromPort !== undefined) item.FromPort = p.fromPort;
    if (p.toPort !== undefined) item.ToPort = p.toPort;
    const v4 = list.flatMap((e) => (e.source.kind === 'ipv4' ? [{ CidrIp: cidrToSend(e.source.cidr) }] : []));
    const v6 = list.flatMap((e) => (e.source.kind === 'ipv6' ? [{ CidrIpv6: cidrToSend(e.source.cidr) }] : []));
    const pl = list.flatMap((e) => (e.source.kind === 'prefixList' ? [{ PrefixListId: e.source.prefixListId }] : []));
    const groups = list.flatMap((e) => {
      if (e.source.kind !== 'group') return [];
      const r = e.source.ref;
      return [
        {
          ...(r.groupId !== undefined ? { GroupId: r.groupId } : {}),
          ...(r.groupId === undefined && r.groupName !== undefined ? { GroupName: r.groupName } : {}),
          ...(r.userId !== undefined ? { UserId: r.userId } : {}),
          ...(r.vpcId !== undefined ? { VpcId: r.vpcId } : {}),
          ...(r.vpcPeeringConnectionId !== undefined ? { VpcPeeringConnectionId: r.vpcPeeringConnectionId } : {}),
        },
      ];
    });
    if (v4.length > 0) item.IpRanges = v4;
    if (v6.length > 0) item.Ipv6Ranges = v6;
    if (pl.length > 0) item.PrefixListIds = pl;
    if (groups.length > 0) item.UserIdGroupPairs = groups;
    out.push(item);
  }
  return out;
}

const ALREADY_GONE = ['InvalidPermission.NotFound', 'InvalidGroup.NotFound', 'InvalidSecurityGroupRuleId.NotFound'];

/** The group's current rules (DescribeSecurityGroupRules, every page). */
export async function currentRules(clients: RemediationClients, region: string, groupId: string): Promise<RuleValue[]> {
  const out: RuleValue[] = [];
  let token: string | undefined;
  for (let page = 0; page < 50; page++) {
    const response = (await clients.send({
      service: 'ec2',
      operation: 'DescribeSecurityGroupRules',
      region,
      input: { Filters: [{ Name: 'group-id', Values: [groupId] }], MaxResults: 1000, ...(token ? { NextToken: token } : {}) },
    })) as { SecurityGroupRules?: Array<Record<string, unknown>>; NextToken?: string };
    for (const r of response.SecurityGroupRules ?? []) {
      const ref = r.ReferencedGroupInfo as { GroupId?: string } | undefined;
      const value: RuleValue = {};
      if (typeof r.SecurityGroupRuleId === 'string') value.id = r.SecurityGroupRuleId;
      if (typeof r.IsEgress === 'boolean') value.isEgress = r.IsEgress;
      if (typeof r.IpProtocol === 'string') value.protocol = r.IpProtocol;
      if (typeof r.FromPort === 'number') value.fromPort = r.FromPort;
      if (typeof r.ToPort === 'number') value.toPort = r.ToPort;
      if (typeof r.CidrIpv4 === 'string') value.cidrIpv4 = r.CidrIpv4;
      if (typeof r.CidrIpv6 === 'string') value.cidrIpv6 = r.CidrIpv6;
      if (typeof r.PrefixListId === 'string') value.prefixListId = r.PrefixListId;
      if (ref?.GroupId) value.referencedGroupId = ref.GroupId;
      out.push(value);
    }
    token = response.NextToken;
    if (!token) break;
  }
  return out;
}

function actorText(input: RemediationInput): string {
  return input.actor.arn ?? input.actor.name;
}

/** Plans the undo of a security-group event for one direction. */
export async function planSecurityGroupUndo(actionId: string, direction: Direction, input: RemediationInput, context: PlanContext): Promise<PlanResult> {
  const { record } = input;
  const change = extractSecurityGroupChanges(record);
  const eventName = change.eventName;
  const handles = eventName === 'ModifySecurityGroupRules' || eventName === (direction === 'ingress' ? 'AuthorizeSecurityGroupIngress' : 'AuthorizeSecurityGroupEgress');
  if (!handles || record.eventSource !== 'ec2.amazonaws.com') {
    return { kind: 'skip', reason: 'not-applicable', detail: `${actionId} undoes ${direction === 'ingress' ? 'AuthorizeSecurityGroupIngress' : 'AuthorizeSecurityGroupEgress'} and ModifySecurityGroupRules, not ${record.eventSource}:${eventName}` };
  }
  if (!change.succeeded) return { kind: 'skip', reason: 'event-failed', detail: `the call failed (${change.errorCode ?? 'return false'}): nothing was granted` };
  const groupId = change.groupIds[0];
  const groupName = change.groupNames[0];
  if (groupId === undefined && groupName === undefined) return { kind: 'skip', reason: 'unsupported', detail: 'the event names no security group', notes: change.problems.slice(0, 10) };
  if (direction === 'egress' && groupId === undefined) return { kind: 'skip', reason: 'unsupported', detail: 'egress rules are revoked by group id and the event names none' };
  const groupLabel = groupId ?? `group "${groupName}"`;
  const resource: ResourceRef = { type: 'security-group', id: groupId ?? (groupName as string), region: input.region, account: input.account };
  const notes = change.problems.length > 0 ? [`the event is partly malformed; what could be read is judged: ${change.problems.slice(0, 5).join('; ')}`] : [];

  const isModify = eventName === 'ModifySecurityGroupRules';
  // ModifySecurityGroupRules permissions may be either direction; Authorize* ones are this direction.
  const permissions = change.permissions.filter((p) => (isModify ? p.direction === 'unknown' || p.direction === direction : true));
  const entries = entriesOf(permissions, direction);
  if (!isModify) attachResponseRuleIds(entries, change, direction);
  if (entries.length === 0) return { kind: 'skip', reason: 'nothing-to-undo', detail: `the event granted no ${direction} rule that could be read`, notes, resources: [resource] };

  const forbid = (context.options.forbid as 'world' | 'unlisted' | undefined) ?? (direction === 'ingress' ? 'world' : 'unlisted');
  // Lookups: the group's rules now, to revoke by id what is still as the event left it, and to learn a modified rule's direction.
  let rules: RuleValue[] | undefined;
  if (context.lookups && groupId !== undefined && (isModify || entries.some((e) => e.ruleId !== undefined))) {
    try {
      rules = await currentRules(context.clients, input.region, groupId);
    } catch (error) {
      notes.push(`DescribeSecurityGroupRules failed (${errorCodeOf(error)}: ${errorMessageOf(error)}): revoking by value, which only matches rules still exactly as the event left them`);
    }
  } else if (!context.lookups) {
    notes.push('offline: current rules not read; revoking by value');
  }

  let candidates = entries;
  const gone: string[] = [];
  const changed: string[] = [];
  const otherDirection: string[] = [];
  if (isModify && rules !== undefined) {
    candidates = entries.filter((e) => {
      const now = rules?.find((r) => r.id === e.ruleId);
      if (!now) {
        gone.push(`${e.label} (${e.ruleId ?? 'no rule id'}): the rule no longer exists`);
        return false;
      }
      if (now.isEgress !== undefined && now.isEgress !== (direction === 'egress')) {
        otherDirection.push(e.label);
        return false;
      }
      if (!ruleMatchesEntry(now, e)) {
        changed.push(`${e.label} (${e.ruleId}): changed since the event, now ${describeRule(now, direction)}; left alone`);
        return false;
      }
      return true;
    });
    if (candidates.length === 0 && otherDirection.length === entries.length) {
      return { kind: 'skip', reason: 'not-applicable', detail: `the modified rule${entries.length === 1 ? ' is' : 's are'} ${direction === 'ingress' ? 'egress' : 'ingress'}`, notes, resources: [resource] };
    }
  } else if (isModify) {
    notes.push(`ModifySecurityGroupRules does not say whether a rule is ingress or egress and the rules could not be read: assuming ${direction}`);
  }

  const judgement = judgeEntries(candidates, direction, forbid, context.securityGroups, groupId);
  const kept = [...judgement.kept, ...changed];
  if (judgement.forbidden.length === 0) {
    if (gone.length > 0 && candidates.length === 0) return { kind: 'skip', reason: 'already-remediated', detail: gone.join('; '), notes, resources: [resource] };
    const why = judgement.ungoverned ?? (forbid === 'world' ? `nothing the event granted opens ${groupLabel} to the internet or everything that does is allowed` : `everything the event granted is allowed for ${groupLabel}`);
    return { kind: 'skip', reason: 'nothing-to-undo', detail: why, notes: [...notes, ...kept], resources: [resource] };
  }

  // By id where the rule is known and (when it could be checked) still exactly as the event left it.
  const byId: SecurityGroupEntry[] = [];
  const byValue: SecurityGroupEntry[] = [];
  for (const e of judgement.forbidden) {
    if (e.ruleId === undefined || groupId === undefined) {
      byValue.push(e);
      continue;
    }
    if (rules === undefined) {
      if (isModify) {
        // Without the rules, a modified rule can only be revoked by its id (its value may have been anything before).
        byId.push(e);
        notes.push(`${e.ruleId}: not verified against the current rules`);
      } else byValue.push(e);
      continue;
    }
    const now = rules.find((r) => r.id === e.ruleId);
    if (!now) gone.push(`${e.label} (${e.ruleId}): already gone`);
    else if (!ruleMatchesEntry(now, e)) changed.push(`${e.label} (${e.ruleId}): changed since the event, now ${describeRule(now, direction)}; left alone`);
    else byId.push(e);
  }
  if (rules !== undefined && !isModify) {
    // Value revokes of rules that are not there any more need no call.
    for (const e of [...byValue]) {
      if (!rules.some((r) => (r.isEgress === undefined || r.isEgress === (direction === 'egress')) && ruleMatchesEntry(r, e))) {
        byValue.splice(byValue.indexOf(e), 1);
        gone.push(`${e.label}: already gone`);
      }
    }
  }
  if (byId.length === 0 && byValue.length === 0) {
    return { kind: 'skip', reason: 'already-remediated', detail: [...gone, ...changed].join('; '), notes, resources: [resource] };
  }

  const operation = direction === 'ingress' ? 'RevokeSecurityGroupIngress' : 'RevokeSecurityGroupEgress';
  const target = groupId !== undefined ? { GroupId: groupId } : { GroupName: groupName as string };
  const calls: PlannedCall[] = [];
  if (byId.length > 0) {
    calls.push({
      service: 'ec2',
      operation,
      region: input.region,
      account: input.account,
      input: { GroupId: groupId as string, SecurityGroupRuleIds: byId.map((e) => e.ruleId as string) },
      description: `revoke ${direction} ${byId.map((e) => `${e.label} (${e.ruleId})`).join(', ')} on ${groupLabel}`,
      alreadyDoneCodes: ALREADY_GONE.filter((c) => c !== 'InvalidSecurityGroupRuleId.NotFound'),
    });
  }
  if (byValue.length > 0) {
    calls.push({
      service: 'ec2',
      operation,
      region: input.region,
      account: input.account,
      input: { ...target, IpPermissions: ipPermissionsFor(byValue) },
      description: `revoke ${direction} ${byValue.map((e) => e.label).join(', ')} on ${groupLabel}`,
      alreadyDoneCodes: ALREADY_GONE,
    });
  }
  if (byValue.some((e) => (e.source.kind === 'ipv4' || e.source.kind === 'ipv6') && cidrToSend(e.source.cidr) !== e.source.cidr)) {
    notes.push('a range was recorded with host bits set; EC2 stored (and is sent) its network');
  }
  const revoked = [...byId, ...byValue].map((e) => e.label).join(', ');
  const how = isModify ? 'rewritten to that by' : 'added by';
  const plan: RemediationPlan = {
    actionId,
    calls,
    effect: {
      done: `${direction} ${revoked} removed from ${groupLabel} that was ${how} ${actorText(input)} (${eventName})`,
      todo: `remove ${direction} ${revoked} from ${groupLabel} (${how} ${actorText(input)} with ${eventName})`,
    },
    kept: [...kept, ...gone],
    notes: isModify
      ? [...notes, 'ModifySecurityGroupRules records only the new value: the rule is revoked, not restored; re-add the narrower rule it replaced if it is needed']
      : notes,
    resources: [resource],
  };
  return { kind: 'plan', plan };
}

/** Revoke by ids fails whole when one id is unknown: then each id alone, an unknown one counting as already gone. */
async function perIdFallback(call: PlannedCall, error: unknown, clients: RemediationClients): Promise<CallOutcome | undefined> {
  const ids = call.input.SecurityGroupRuleIds;
  if (errorCodeOf(error) !== 'InvalidSecurityGroupRuleId.NotFound' || !Array.isArray(ids)) return undefined;
  const done: string[] = [];
  const missing: string[] = [];
  for (const id of ids as string[]) {
    try {
      await clients.send({ ...call, input: { ...call.input, SecurityGroupRuleIds: [id] } });
      done.push(id);
    } catch (inner) {
      const code = errorCodeOf(inner);
      if (code === 'InvalidSecurityGroupRuleId.NotFound' || code === 'InvalidGroup.NotFound') missing.push(id);
      else return { call, status: 'failed', error: { code, message: errorMessageOf(inner) }, detail: done.length > 0 ? `revoked ${done.join(', ')} before the failure` : undefined } as CallOutcome;
    }
  }
  const detail = [done.length > 0 ? `revoked ${done.join(', ')}` : '', missing.length > 0 ? `${missing.join(', ')} already gone` : ''].filter(Boolean).join('; ');
  return { call, status: done.length > 0 ? 'succeeded' : 'already-done', detail };
}

export async function executeSecurityGroupPlan(plan: RemediationPlan, clients: RemediationClients): Promise<CallOutcome[]> {
  return executePlan(plan, clients, perIdFallback);
}

export async function readSecurityGroupTags(resource: ResourceRef, clients: RemediationClients): Promise<Record<string, string>> {
  const byId = /^sg-[0-9a-f]+$/i.test(resource.id);
  try {
    const response = (await clients.send({
      service: 'ec2',
      operation: 'DescribeSecurityGroups',
      region: resource.region,
      input: byId ? { GroupIds: [resource.id] } : { GroupNames: [resource.id] },
    })) as { SecurityGroups?: Array<{ Tags?: Array<{ Key?: string; Value?: string }> }> };
    const tags: Record<string, string> = {};
    for (const t of response.SecurityGroups?.[0]?.Tags ?? []) if (t.Key !== undefined) tags[t.Key] = t.Value ?? '';
    return tags;
  } catch (error) {
    if (errorCodeOf(error) === 'InvalidGroup.NotFound') return {};
    throw error;
  }
}

export function securityGroupAction(direction: Direction): RemediationAction {
  const id = direction === 'ingress' ? 'revoke-security-group-ingress' : 'revoke-security-group-egress';
  const operation = direction === 'ingress' ? 'RevokeSecurityGroupIngress' : 'RevokeSecurityGroupEgress';
  return {
    id,
    title: `Revoke the ${direction} rules a security-group event granted that policy forbids`,
    description:
      `Undoes Authorize${direction === 'ingress' ? 'SecurityGroupIngress' : 'SecurityGroupEgress'} (and rules rewritten by ModifySecurityGroupRules): ` +
      `revokes exactly the forbidden sources the event granted (IPv4/IPv6 ranges, prefix lists, referenced groups; any protocol, ICMP type/code), ` +
      `by rule id when the event lists the rules it created, leaving the allowed ones in place. Option forbid: world (default for ingress) or unlisted (default for egress).`,
    triggers: {
      rules: direction === 'ingress' ? ['security-group-ingress-open-to-world', 'security-group-changes'] : ['security-group-changes'],
      events: [`ec2.amazonaws.com:Authorize${direction === 'ingress' ? 'SecurityGroupIngress' : 'SecurityGroupEgress'}`, 'ec2.amazonaws.com:ModifySecurityGroupRules'],
    },
    permissions: [
      { actions: [`ec2:${operation}`], resource: 'arn:${Partition}:ec2:${Region}:${Account}:security-group/*', purpose: 'remediate' },
      {
        actions: ['ec2:DescribeSecurityGroupRules', 'ec2:DescribeSecurityGroups'],
        resource: '*',
        purpose: 'lookup',
        note: 'current rules (revoke by id only what is still as the event left it; direction of a modified rule) and group tags (scope); Describe* cannot be scoped to a resource',
      },
    ],
    optionsSchema: securityGroupOptionsSchema,
    plan: (input, context) => planSecurityGroupUndo(id, direction, input, context),
    execute: executeSecurityGroupPlan,
    readTags: readSecurityGroupTags,
  };
}
