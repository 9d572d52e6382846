/**
 * A normalized model of what a security-group CloudTrail event grants (or revokes).
 *
 * Shapes, as CloudTrail records them (EC2 query API, lowerCamelCase, lists as `{ items: [...] }`):
 *
 * - AuthorizeSecurityGroupIngress / AuthorizeSecurityGroupEgress / RevokeSecurityGroupIngress /
 *   RevokeSecurityGroupEgress:
 *   `requestParameters.groupId` (or `groupName` for default-VPC groups), and
 *   `requestParameters.ipPermissions.items[]`, each one IpPermission:
 *   `{ ipProtocol, fromPort, toPort, ipRanges: { items: [{ cidrIp, description }] },
 *      ipv6Ranges: { items: [{ cidrIpv6, description }] }, prefixListIds: { items: [{ prefixListId, description }] },
 *      groups: { items: [{ groupId, groupName, userId, vpcId, vpcPeeringConnectionId, description }] } }`
 *   where absent lists are recorded as `{}`. Legacy top-level form: `cidrIp`, `ipProtocol`,
 *   `fromPort`, `toPort`, `sourceSecurityGroupName`, `sourceSecurityGroupOwnerId` (with
 *   `ipPermissions: {}`); a source group without protocol grants full TCP, UDP and ICMP.
 *   Revocation by rule id: `SecurityGroupRuleIds` (query name `SecurityGroupRuleId.N`).
 *   Response of Authorize*: `responseElements.securityGroupRuleSet.items[]` with
 *   `securityGroupRuleId, groupId, groupOwnerId, isEgress, ipProtocol, fromPort, toPort, cidrIpv4,
 *    cidrIpv6, prefixListId, referencedGroupInfo, description` and `_return`.
 *   Response of Revoke*: `unknownIpPermissionSet` (rules that matched nothing, default VPC).
 * - ModifySecurityGroupRules: CloudTrail wraps the request (its members carry no query location
 *   names): `requestParameters.ModifySecurityGroupRulesRequest = { GroupId, SecurityGroupRule }`
 *   where `SecurityGroupRule` is one object, or an array when several rules are modified, each
 *   `{ SecurityGroupRuleId, SecurityGroupRule: { IpProtocol, FromPort, ToPort, CidrIpv4, CidrIpv6,
 *   PrefixListId, ReferencedGroupId, Description }, tag }`. The response is
 *   `responseElements.ModifySecurityGroupRulesResponse.return`. The request does not say whether a
 *   rule is ingress or egress: its direction is `unknown`.
 * - CreateSecurityGroup: `requestParameters.{ groupName, groupDescription, vpcId }`, response `groupId`.
 *
 * Nothing here throws: what is well-formed is returned, everything else is named in `problems`.
 */
import type { CloudTrailRecord } from './types.js';
import { describeType, parseCidr } from './cidr-coverage.js';

export type SecurityGroupDirection = 'ingress' | 'egress' | 'unknown';

export type SecurityGroupAction = 'authorize' | 'revoke' | 'modify' | 'create' | 'unsupported';

/** An IPv4 or IPv6 range of a permission, as recorded. */
export interface SecurityGroupIpRange {
  /** The CIDR string as recorded (trimmed); it parsed as a CIDR (malformed ones are problems instead). */
  cidr: string;
  description?: string;
}

export interface SecurityGroupPrefixListRef {
  prefixListId: string;
  description?: string;
}

/** A referenced security group (UserIdGroupPair). */
export interface SecurityGroupReference {
  groupId?: string;
  groupName?: string;
  /** The account that owns the referenced group. */
  userId?: string;
  vpcId?: string;
  vpcPeeringConnectionId?: string;
  peeringStatus?: string;
  description?: string;
}

/** Where a permission came from in the record. */
export type PermissionOrigin =
  | 'ipPermissions'
  | 'legacy'
  | 'modifySecurityGroupRule'
  | 'unknownIpPermissionSet';

/** One IpPermission item of the request, kept as one unit (ports and sources together). */
export interface SecurityGroupPermission {
  /** As recorded: "tcp", "udp", "icmp", "icmpv6", "-1", or a protocol number such as "6", "50". */
  protocol?: string;
  /** TCP/UDP: first port; ICMP/ICMPv6: the type (-1 = all). */
  fromPort?: number;
  /** TCP/UDP: last port; ICMP/ICMPv6: the code (-1 = all). */
  toPort?: number;
  ipv4Ranges: SecurityGroupIpRange[];
  ipv6Ranges: SecurityGroupIpRange[];
  prefixListIds: SecurityGroupPrefixListRef[];
  groups: SecurityGroupReference[];
  /** Rule ids this permission created (from the response) or, for ModifySecurityGroupRules, modified. */
  securityGroupRuleIds: string[];
  direction: SecurityGroupDirection;
  origin: PermissionOrigin;
  /** JSON path of the item in the record, e.g. `requestParameters.ipPermissions.items[0]`. */
  path: string;
}

/** A security group rule as the Authorize* response describes it (`securityGroupRuleSet.items[]`). */
export interface SecurityGroupRuleInfo {
  securityGroupRuleId?: string;
  groupId?: string;
  groupOwnerId?: string;
  isEgress?: boolean;
  ipProtocol?: string;
  fromPort?: number;
  toPort?: number;
  cidrIpv4?: string;
  cidrIpv6?: string;
  prefixListId?: string;
  referencedGroupInfo?: {
    groupId?: string;
    userId?: string;
    vpcId?: string;
    vpcPeeringConnectionId?: string;
    peeringStatus?: string;
  };
  description?: string;
}

export interface SecurityGroupChange {
  eventName: string;
  action: SecurityGroupAction;
  /** Direction of the event as a whole; `unknown` for ModifySecurityGroupRules and CreateSecurityGroup. */
  direction: SecurityGroupDirection;
  groupIds: string[];
  /** Group names, for default-VPC calls that name the group instead of giving its id. */
  groupNames: string[];
  permissions: SecurityGroupPermission[];
  /** Rules the response describes (`responseElements.securityGroupRuleSet.items`). */
  rules: SecurityGroupRuleInfo[];
  /** Rule ids named by a Revoke* request (`SecurityGroupRuleIds`). */
  revokedRuleIds: string[];
  /** Revoke* response: permissions that matched no existing rule and were not revoked. */
  unknownPermissions: SecurityGroupPermission[];
  /** No errorCode and no explicit `return: false` in the response. */
  succeeded: boolean;
  errorCode?: string;
  problems: string[];
}

const EVENTS: Record<string, { action: SecurityGroupAction; direction: SecurityGroupDirection }> = {
  AuthorizeSecurityGroupIngress: { action: 'authorize', direction: 'ingress' },
  AuthorizeSecurityGroupEgress: { action: 'authorize', direction: 'egress' },
  RevokeSecurityGroupIngress: { action: 'revoke', direction: 'ingress' },
  RevokeSecurityGroupEgress: { action: 'revoke', direction: 'egress' },
  ModifySecurityGroupRules: { action: 'modify', direction: 'unknown' },
  CreateSecurityGroup: { action: 'create', direction: 'unknown' },
};

/** The event names this module understands. */
export const SECURITY_GROUP_EVENT_NAMES: readonly string[] = Object.keys(EVENTS);

// ---------------------------------------------------------------------------------------------
// Small readers: each takes `unknown`, returns a typed value or undefined, and names problems.

type Problems = string[];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isAbsent(value: unknown): boolean {
  return value === undefined || value === null;
}

function readString(value: unknown, path: string, problems: Problems): string | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  problems.push(`${path}: expected a string, got ${describeType(value)}`);
  return undefined;
}

/** A port (or ICMP type/code): an integer from -1 to 65535, possibly recorded as a numeric string. */
function readPort(value: unknown, path: string, problems: Problems): number | undefined {
  if (isAbsent(value)) return undefined;
  let n: number | undefined;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value)) n = Number(value);
  if (n === undefined || !Number.isInteger(n)) {
    problems.push(`${path}: expected an integer port, got ${JSON.stringify(value) ?? describeType(value)}`);
    return undefined;
  }
  if (n < -1 || n > 65535) {
    problems.push(`${path}: port ${n} is out of range (-1..65535)`);
    return undefined;
  }
  return n;
}

function readBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return undefined;
}

/**
 * The elements of a recorded list: `{ items: [...] }` (CloudTrail), `{}` (empty), a bare array,
 * or `{ item: [...] }` (raw EC2 XML converted to JSON). A lone object under `items` is one element.
 */
function listItems(value: unknown, path: string, problems: Problems): Array<{ value: unknown; path: string }> {
  if (isAbsent(value)) return [];
  if (Array.isArray(value)) return value.map((v, i) => ({ value: v, path: `${path}[${i}]` }));
  if (!isRecord(value)) {
    problems.push(`${path}: expected a list ({ items: [...] }), got ${describeType(value)}`);
    return [];
  }
  const key = 'items' in value ? 'items' : 'item' in value ? 'item' : undefined;
  if (key === undefined) {
    if (Object.keys(value).length > 0) {
      problems.push(`${path}: expected { items: [...] }, got an object with keys ${Object.keys(value).join(', ')}`);
    }
    return [];
  }
  const items = value[key];
  if (isAbsent(items)) return [];
  if (Array.isArray(items)) return items.map((v, i) => ({ value: v, path: `${path}.${key}[${i}]` }));
  if (isRecord(items)) return [{ value: items, path: `${path}.${key}` }];
  problems.push(`${path}.${key}: expected an array, got ${describeType(items)}`);
  return [];
}

function readCidr(value: unknown, path: string, problems: Problems): string | undefined {
  if (isAbsent(value)) {
    problems.push(`${path}: missing CIDR`);
    return undefined;
  }
  const parsed = parseCidr(value);
  if (!parsed.ok) {
    problems.push(`${path}: malformed CIDR: ${parsed.error}`);
    return undefined;
  }
  if (parsed.cidr.note !== undefined) problems.push(`${path}: ${parsed.cidr.note}`);
  return parsed.cidr.input;
}

function withDescription<T extends object>(target: T, raw: Record<string, unknown>, key: string, path: string, problems: Problems): T {
  const description = readString(raw[key], `${path}.${key}`, problems);
  return description === undefined ? target : { ...target, description };
}

function readIpRanges(value: unknown, path: string, cidrKey: string, problems: Problems): SecurityGroupIpRange[] {
  const out: SecurityGroupIpRange[] = [];
  for (const item of listItems(value, path, problems)) {
    if (typeof item.value === 'string') {
      // A bare CIDR string instead of { cidrIp }: keep it, it is unambiguous.
      const cidr = readCidr(item.value, item.path, problems);
      if (cidr !== undefined) out.push({ cidr });
      continue;
    }
    if (!isRecord(item.value)) {
      problems.push(`${item.path}: expected an object, got ${describeType(item.value)}`);
      continue;
    }
    const cidr = readCidr(item.value[cidrKey], `${item.path}.${cidrKey}`, problems);
    if (cidr !== undefined) out.push(withDescription({ cidr }, item.value, 'description', item.path, problems));
  }
  return out;
}

function readPrefixLists(value: unknown, path: string, problems: Problems): SecurityGroupPrefixListRef[] {
  const out: SecurityGroupPrefixListRef[] = [];
  for (const item of listItems(value, path, problems)) {
    if (!isRecord(item.value)) {
      problems.push(`${item.path}: expected an object, got ${describeType(item.value)}`);
      continue;
    }
    const prefixListId = readString(item.value.prefixListId, `${item.path}.prefixListId`, problems);
    if (prefixListId === undefined || prefixListId === '') {
      problems.push(`${item.path}: missing prefixListId`);
      continue;
    }
    out.push(withDescription({ prefixListId }, item.value, 'description', item.path, problems));
  }
  return out;
}

const GROUP_FIELDS = ['groupId', 'groupName', 'userId', 'vpcId', 'vpcPeeringConnectionId', 'peeringStatus', 'description'] as const;

function readGroupReference(raw: Record<string, unknown>, path: string, problems: Problems): SecurityGroupReference | undefined {
  const ref: SecurityGroupReference = {};
  for (const field of GROUP_FIELDS) {
    const v = readString(raw[field], `${path}.${field}`, problems);
    if (v !== undefined && v !== '') ref[field] = v;
  }
  if (ref.groupId === undefined && ref.groupName === undefined) {
    problems.push(`${path}: referenced group has neither groupId nor groupName`);
    return undefined;
  }
  return ref;
}

function readGroups(value: unknown, path: string, problems: Problems): SecurityGroupReference[] {
  const out: SecurityGroupReference[] = [];
  for (const item of listItems(value, path, problems)) {
    if (!isRecord(item.value)) {
      problems.push(`${item.path}: expected an object, got ${describeType(item.value)}`);
      continue;
    }
    const ref = readGroupReference(item.value, item.path, problems);
    if (ref !== undefined) out.push(ref);
  }
  return out;
}

function hasSource(p: SecurityGroupPermission): boolean {
  return p.ipv4Ranges.length + p.ipv6Ranges.length + p.prefixListIds.length + p.groups.length > 0;
}

function readIpPermission(
  raw: unknown,
  path: string,
  direction: SecurityGroupDirection,
  origin: PermissionOrigin,
  problems: Problems,
): SecurityGroupPermission | undefined {
  if (!isRecord(raw)) {
    problems.push(`${path}: expected an IpPermission object, got ${describeType(raw)}`);
    return undefined;
  }
  const permission: SecurityGroupPermission = {
    ipv4Ranges: readIpRanges(raw.ipRanges, `${path}.ipRanges`, 'cidrIp', problems),
    ipv6Ranges: readIpRanges(raw.ipv6Ranges, `${path}.ipv6Ranges`, 'cidrIpv6', problems),
    prefixListIds: readPrefixLists(raw.prefixListIds, `${path}.prefixListIds`, problems),
    groups: readGroups(raw.groups, `${path}.groups`, problems),
    securityGroupRuleIds: [],
    direction,
    origin,
    path,
  };
  const protocol = readString(raw.ipProtocol, `${path}.ipProtocol`, problems);
  if (protocol !== undefined) permission.protocol = protocol;
  else if (isAbsent(raw.ipProtocol)) problems.push(`${path}: missing ipProtocol`);
  const fromPort = readPort(raw.fromPort, `${path}.fromPort`, problems);
  if (fromPort !== undefined) permission.fromPort = fromPort;
  const toPort = readPort(raw.toPort, `${path}.toPort`, problems);
  if (toPort !== undefined) permission.toPort = toPort;
  if (!hasSource(permission)) problems.push(`${path}: permission has no well-formed source (range, prefix list or group)`);
  return permission;
}

function readIpPermissions(
  value: unknown,
  path: string,
  direction: SecurityGroupDirection,
  origin: PermissionOrigin,
  problems: Problems,
): SecurityGroupPermission[] {
  const out: SecurityGroupPermission[] = [];
  for (const item of listItems(value, path, problems)) {
    const p = readIpPermission(item.value, item.path, direction, origin, problems);
    if (p !== undefined) out.push(p);
  }
  return out;
}

const LEGACY_KEYS = ['cidrIp', 'ipProtocol', 'fromPort', 'toPort', 'sourceSecurityGroupName', 'sourceSecurityGroupOwnerId'] as const;

/** The legacy top-level form (`cidrIp`, `ipProtocol`, ports, `sourceSecurityGroupName/OwnerId`). */
function readLegacyPermissions(
  params: Record<string, unknown>,
  direction: SecurityGroupDirection,
  problems: Problems,
): SecurityGroupPermission[] {
  if (!LEGACY_KEYS.some((k) => !isAbsent(params[k]))) return [];
  const path = 'requestParameters';
  const base = (): SecurityGroupPermission => ({
    ipv4Ranges: [],
    ipv6Ranges: [],
    prefixListIds: [],
    groups: [],
    securityGroupRuleIds: [],
    direction,
    origin: 'legacy',
    path,
  });
  const permission = base();
  if (!isAbsent(params.cidrIp)) {
    const cidr = readCidr(params.cidrIp, `${path}.cidrIp`, problems);
    if (cidr !== undefined) permission.ipv4Ranges.push({ cidr });
  }
  const sourceName = readString(params.sourceSecurityGroupName, `${path}.sourceSecurityGroupName`, problems);
  const sourceOwner = readString(params.sourceSecurityGroupOwnerId, `${path}.sourceSecurityGroupOwnerId`, problems);
  if (sourceName !== undefined || sourceOwner !== undefined) {
    const ref: SecurityGroupReference = {};
    if (sourceName !== undefined) {
      if (/^sg-[0-9a-f]+$/i.test(sourceName)) ref.groupId = sourceName;
      else ref.groupName = sourceName;
    }
    if (sourceOwner !== undefined) ref.userId = sourceOwner;
    permission.groups.push(ref);
  }
  const protocol = readString(params.ipProtocol, `${path}.ipProtocol`, problems);
  const fromPort = readPort(params.fromPort, `${path}.fromPort`, problems);
  const toPort = readPort(params.toPort, `${path}.toPort`, problems);
  if (protocol !== undefined) permission.protocol = protocol;
  if (fromPort !== undefined) permission.fromPort = fromPort;
  if (toPort !== undefined) permission.toPort = toPort;

  if (!hasSource(permission)) {
    problems.push(`${path}: legacy permission has no well-formed source (cidrIp or sourceSecurityGroupName)`);
    return [permission];
  }
  if (protocol === undefined && permission.groups.length > 0 && permission.ipv4Ranges.length === 0) {
    // A source group without protocol/ports grants full TCP, UDP and ICMP access (API reference).
    const groups = permission.groups;
    return [
      { ...base(), protocol: 'tcp', fromPort: 0, toPort: 65535, groups },
      { ...base(), protocol: 'udp', fromPort: 0, toPort: 65535, groups },
      { ...base(), protocol: 'icmp', fromPort: -1, toPort: -1, groups },
    ];
  }
  if (protocol === undefined) problems.push(`${path}: legacy permission without ipProtocol`);
  return [permission];
}

const MODIFY_RULE_FIELDS = ['IpProtocol', 'FromPort', 'ToPort', 'CidrIpv4', 'CidrIpv6', 'PrefixListId', 'ReferencedGroupId', 'Description'] as const;

/** One `SecurityGroupRuleUpdate` of a ModifySecurityGroupRules request. */
function readModifyRule(raw: unknown, path: string, problems: Problems): SecurityGroupPermission | undefined {
  if (!isRecord(raw)) {
    problems.push(`${path}: expected a SecurityGroupRuleUpdate object, got ${describeType(raw)}`);
    return undefined;
  }
  const ruleId = readString(raw.SecurityGroupRuleId, `${path}.SecurityGroupRuleId`, problems);
  if (ruleId === undefined) problems.push(`${path}: missing SecurityGroupRuleId`);
  const rulePath = `${path}.SecurityGroupRule`;
  let rule = raw.SecurityGroupRule;
  if (isAbsent(rule) && MODIFY_RULE_FIELDS.some((k) => k in raw)) {
    // Tolerate a flattened update ({ SecurityGroupRuleId, IpProtocol, CidrIpv4, ... }).
    rule = raw;
  }
  if (!isRecord(rule)) {
    problems.push(`${rulePath}: expected an object, got ${describeType(rule)}`);
    return undefined;
  }
  const isEgress = readBoolean(rule.IsEgress ?? raw.IsEgress);
  const permission: SecurityGroupPermission = {
    ipv4Ranges: [],
    ipv6Ranges: [],
    prefixListIds: [],
    groups: [],
    securityGroupRuleIds: ruleId !== undefined && ruleId !== '' ? [ruleId] : [],
    direction: isEgress === undefined ? 'unknown' : isEgress ? 'egress' : 'ingress',
    origin: 'modifySecurityGroupRule',
    path: rulePath,
  };
  const protocol = readString(rule.IpProtocol, `${rulePath}.IpProtocol`, problems);
  if (protocol !== undefined) permission.protocol = protocol;
  const fromPort = readPort(rule.FromPort, `${rulePath}.FromPort`, problems);
  if (fromPort !== undefined) permission.fromPort = fromPort;
  const toPort = readPort(rule.ToPort, `${rulePath}.ToPort`, problems);
  if (toPort !== undefined) permission.toPort = toPort;
  const description = readString(rule.Description, `${rulePath}.Description`, problems);
  const described = <T extends object>(t: T): T => (description === undefined ? t : { ...t, description });
  if (!isAbsent(rule.CidrIpv4)) {
    const cidr = readCidr(rule.CidrIpv4, `${rulePath}.CidrIpv4`, problems);
    if (cidr !== undefined) permission.ipv4Ranges.push(described({ cidr }));
  }
  if (!isAbsent(rule.CidrIpv6)) {
    const cidr = readCidr(rule.CidrIpv6, `${rulePath}.CidrIpv6`, problems);
    if (cidr !== undefined) permission.ipv6Ranges.push(described({ cidr }));
  }
  const prefixListId = readString(rule.PrefixListId, `${rulePath}.PrefixListId`, problems);
  if (prefixListId !== undefined && prefixListId !== '') permission.prefixListIds.push(described({ prefixListId }));
  const referenced = readString(rule.ReferencedGroupId, `${rulePath}.ReferencedGroupId`, problems);
  if (referenced !== undefined && referenced !== '') permission.groups.push(described({ groupId: referenced }));
  if (!hasSource(permission)) problems.push(`${rulePath}: rule has no well-formed source (CidrIpv4, CidrIpv6, PrefixListId or ReferencedGroupId)`);
  return permission;
}

function readRuleInfo(raw: unknown, path: string, problems: Problems): SecurityGroupRuleInfo | undefined {
  if (!isRecord(raw)) {
    problems.push(`${path}: expected a security group rule object, got ${describeType(raw)}`);
    return undefined;
  }
  const info: SecurityGroupRuleInfo = {};
  for (const key of ['securityGroupRuleId', 'groupId', 'groupOwnerId', 'ipProtocol', 'prefixListId', 'description'] as const) {
    const v = readString(raw[key], `${path}.${key}`, problems);
    if (v !== undefined) info[key] = v;
  }
  for (const key of ['cidrIpv4', 'cidrIpv6'] as const) {
    if (!isAbsent(raw[key])) {
      const cidr = readCidr(raw[key], `${path}.${key}`, problems);
      if (cidr !== undefined) info[key] = cidr;
    }
  }
  const isEgress = readBoolean(raw.isEgress);
  if (isEgress !== undefined) info.isEgress = isEgress;
  const fromPort = readPort(raw.fromPort, `${path}.fromPort`, problems);
  if (fromPort !== undefined) info.fromPort = fromPort;
  const toPort = readPort(raw.toPort, `${path}.toPort`, problems);
  if (toPort !== undefined) info.toPort = toPort;
  if (isRecord(raw.referencedGroupInfo)) {
    const ref: NonNullable<SecurityGroupRuleInfo['referencedGroupInfo']> = {};
    for (const key of ['groupId', 'userId', 'vpcId', 'vpcPeeringConnectionId', 'peeringStatus'] as const) {
      const v = readString(raw.referencedGroupInfo[key], `${path}.referencedGroupInfo.${key}`, problems);
      if (v !== undefined) ref[key] = v;
    }
    info.referencedGroupInfo = ref;
  } else if (!isAbsent(raw.referencedGroupInfo)) {
    problems.push(`${path}.referencedGroupInfo: expected an object, got ${describeType(raw.referencedGroupInfo)}`);
  }
  return info;
}

/** `SecurityGroupRuleIds` of a Revoke* request, in whichever of the plausible recorded forms. */
function readRuleIds(params: Record<string, unknown>, problems: Problems): string[] {
  const out: string[] = [];
  for (const key of ['securityGroupRuleIds', 'SecurityGroupRuleIds', 'securityGroupRuleId', 'SecurityGroupRuleId']) {
    const value = params[key];
    if (isAbsent(value)) continue;
    const path = `requestParameters.${key}`;
    if (typeof value === 'string') {
      out.push(value);
      continue;
    }
    for (const item of listItems(value, path, problems)) {
      if (typeof item.value === 'string') out.push(item.value);
      else if (isRecord(item.value)) {
        const id = readString(item.value.securityGroupRuleId ?? item.value.SecurityGroupRuleId, item.path, problems);
        if (id !== undefined) out.push(id);
        else problems.push(`${item.path}: missing securityGroupRuleId`);
      } else problems.push(`${item.path}: expected a rule id, got ${describeType(item.value)}`);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Protocols

export type ProtocolKind = 'all' | 'tcp' | 'udp' | 'icmp' | 'icmpv6' | 'other' | 'unknown';

const PROTOCOL_NAMES: Record<string, string> = {
  '1': 'icmp',
  '2': 'igmp',
  '4': 'ipip',
  '6': 'tcp',
  '17': 'udp',
  '41': 'ipv6',
  '47': 'gre',
  '50': 'esp',
  '51': 'ah',
  '58': 'icmpv6',
  '89': 'ospf',
  '132': 'sctp',
};

const PROTOCOL_NUMBERS: Record<string, string> = Object.fromEntries(
  Object.entries(PROTOCOL_NAMES).map(([number, name]) => [name, number]),
);

/** A comparable form of a recorded protocol: "-1" for all, otherwise the protocol number when known. */
export function canonicalProtocol(protocol: string | undefined): string | undefined {
  if (protocol === undefined) return undefined;
  const p = protocol.trim().toLowerCase();
  if (p === '-1' || p === 'all') return '-1';
  return PROTOCOL_NUMBERS[p] ?? p;
}

/** What a recorded protocol means: "6" and "TCP" are tcp, "-1" and "all" are all traffic. */
export function protocolKind(protocol: string | undefined): ProtocolKind {
  if (protocol === undefined) return 'unknown';
  const p = protocol.trim().toLowerCase();
  if (p === '-1' || p === 'all') return 'all';
  const name = PROTOCOL_NAMES[p] ?? p;
  if (name === 'tcp' || name === 'udp' || name === 'icmp' || name === 'icmpv6') return name;
  if (p === '') return 'unknown';
  return 'other';
}

/**
 * The traffic one permission item admits, as EC2 reads `ipProtocol`, `fromPort` and `toPort`:
 *
 * - `all`: protocol -1 / "all": every port of every protocol.
 * - `tcp` / `udp`: the inclusive port range; -1 in either bound is every port (0-65535), a missing
 *   bound is the other one, reversed bounds are swapped.
 * - `icmp` / `icmpv6`: `type` (fromPort) and `code` (toPort), each absent when -1 or not given,
 *   meaning every type / every code. A missing type means every type and every code (EC2 requires
 *   code -1 with type -1).
 * - `other`: another protocol, by number where known (`esp` and `50` are both `'50'`); EC2 ignores
 *   ports for these.
 * - `unknown`: no protocol, or TCP/UDP without any port: what it opens cannot be told.
 */
export type PermissionPorts =
  | { kind: 'all' }
  | { kind: 'tcp' | 'udp'; from: number; to: number }
  | { kind: 'icmp' | 'icmpv6'; type?: number; code?: number }
  | { kind: 'other'; protocol: string }
  | { kind: 'unknown' };

export function permissionPorts(p: SecurityGroupPermission): PermissionPorts {
  const kind = protocolKind(p.protocol);
  switch (kind) {
    case 'all':
      return { kind };
    case 'tcp':
    case 'udp': {
      const { fromPort, toPort } = p;
      if (fromPort === undefined && toPort === undefined) return { kind: 'unknown' };
      if (fromPort === -1 || toPort === -1) return { kind, from: 0, to: 65535 };
      const a = fromPort ?? toPort ?? 0;
      const b = toPort ?? fromPort ?? 0;
      return { kind, from: Math.min(a, b), to: Math.max(a, b) };
    }
    case 'icmp':
    case 'icmpv6': {
      const type = p.fromPort;
      const code = p.toPort;
      if (type === undefined || type === -1) return { kind };
      return code === undefined || code === -1 ? { kind, type } : { kind, type, code };
    }
    case 'other':
      return { kind, protocol: canonicalProtocol(p.protocol) ?? '' };
    default:
      return { kind: 'unknown' };
  }
}

// ---------------------------------------------------------------------------------------------
// Extraction

function uniquePush(list: string[], value: string | undefined): void {
  if (value !== undefined && value !== '' && !list.includes(value)) list.push(value);
}

function sameCidr(a: string, b: string): boolean {
  if (a === b) return true;
  const pa = parseCidr(a);
  const pb = parseCidr(b);
  return pa.ok && pb.ok && pa.cidr.network === pb.cidr.network;
}

function samePorts(p: SecurityGroupPermission, r: SecurityGroupRuleInfo): boolean {
  const kind = protocolKind(p.protocol);
  if (kind === 'all' || kind === 'other') return true;
  return (p.fromPort ?? -1) === (r.fromPort ?? -1) && (p.toPort ?? -1) === (r.toPort ?? -1);
}

/** Attaches each rule of the response to the request permission it came from. */
function attachRuleIds(permissions: SecurityGroupPermission[], rules: SecurityGroupRuleInfo[]): void {
  for (const rule of rules) {
    if (rule.securityGroupRuleId === undefined) continue;
    const id = rule.securityGroupRuleId;
    const owner = permissions.find((p) => {
      if (canonicalProtocol(p.protocol) !== canonicalProtocol(rule.ipProtocol)) return false;
      if (!samePorts(p, rule)) return false;
      if (rule.isEgress !== undefined && p.direction !== 'unknown' && rule.isEgress !== (p.direction === 'egress')) return false;
      if (rule.cidrIpv4 !== undefined) return p.ipv4Ranges.some((r) => sameCidr(r.cidr, rule.cidrIpv4 as string));
      if (rule.cidrIpv6 !== undefined) return p.ipv6Ranges.some((r) => sameCidr(r.cidr, rule.cidrIpv6 as string));
      if (rule.prefixListId !== undefined) return p.prefixListIds.some((r) => r.prefixListId === rule.prefixListId);
      const ref = rule.referencedGroupInfo?.groupId;
      if (ref !== undefined) return p.groups.some((g) => g.groupId === ref || (g.groupId === undefined && g.groupName !== undefined));
      return false;
    });
    if (owner !== undefined && !owner.securityGroupRuleIds.includes(id)) owner.securityGroupRuleIds.push(id);
  }
}

function returnFlag(response: Record<string, unknown> | undefined): boolean | undefined {
  if (response === undefined) return undefined;
  for (const holder of [response, response.ModifySecurityGroupRulesResponse]) {
    if (!isRecord(holder)) continue;
    const flag = readBoolean(holder._return ?? holder.return ?? holder.Return);
    if (flag !== undefined) return flag;
  }
  return undefined;
}

/**
 * Reads what a security-group CloudTrail record grants or revokes. Never throws; whatever is not
 * well-formed is left out and described in `problems`.
 */
export function extractSecurityGroupChanges(record: CloudTrailRecord): SecurityGroupChange {
  const problems: Problems = [];
  const rec: Record<string, unknown> = isRecord(record) ? record : {};
  if (!isRecord(record)) problems.push(`record: expected an object, got ${describeType(record)}`);
  const eventName = typeof rec.eventName === 'string' ? rec.eventName : '';
  const known = EVENTS[eventName];
  const change: SecurityGroupChange = {
    eventName,
    action: known?.action ?? 'unsupported',
    direction: known?.direction ?? 'unknown',
    groupIds: [],
    groupNames: [],
    permissions: [],
    rules: [],
    revokedRuleIds: [],
    unknownPermissions: [],
    succeeded: true,
    problems,
  };
  if (!isAbsent(rec.errorCode)) {
    change.errorCode = typeof rec.errorCode === 'string' ? rec.errorCode : JSON.stringify(rec.errorCode) ?? 'unknown';
    change.succeeded = false;
  }
  if (!isAbsent(rec.eventSource) && rec.eventSource !== 'ec2.amazonaws.com') {
    problems.push(`eventSource: expected ec2.amazonaws.com, got ${JSON.stringify(rec.eventSource)}`);
  }
  if (known === undefined) {
    problems.push(`eventName: ${JSON.stringify(rec.eventName)} is not a security-group rule event`);
    return change;
  }

  const response = isRecord(rec.responseElements) ? rec.responseElements : undefined;
  if (!isAbsent(rec.responseElements) && response === undefined) {
    problems.push(`responseElements: expected an object, got ${describeType(rec.responseElements)}`);
  }
  if (returnFlag(response) === false) change.succeeded = false;

  const params = isRecord(rec.requestParameters) ? rec.requestParameters : undefined;
  if (params === undefined) {
    problems.push(
      isAbsent(rec.requestParameters)
        ? 'requestParameters: missing'
        : `requestParameters: expected an object, got ${describeType(rec.requestParameters)}`,
    );
  }

  if (known.action === 'create') {
    if (params !== undefined) uniquePush(change.groupNames, readString(params.groupName, 'requestParameters.groupName', problems));
    if (response !== undefined) uniquePush(change.groupIds, readString(response.groupId, 'responseElements.groupId', problems));
    return change;
  }

  if (known.action === 'modify') {
    const wrapped = params?.ModifySecurityGroupRulesRequest;
    let request: Record<string, unknown> | undefined;
    if (isRecord(wrapped)) request = wrapped;
    else if (params !== undefined && isAbsent(wrapped) && ('GroupId' in params || 'SecurityGroupRule' in params)) request = params;
    else if (params !== undefined) {
      problems.push(
        isAbsent(wrapped)
          ? 'requestParameters.ModifySecurityGroupRulesRequest: missing'
          : `requestParameters.ModifySecurityGroupRulesRequest: expected an object, got ${describeType(wrapped)}`,
      );
    }
    if (request !== undefined) {
      const base = request === params ? 'requestParameters' : 'requestParameters.ModifySecurityGroupRulesRequest';
      const groupId = readString(request.GroupId ?? request.groupId, `${base}.GroupId`, problems);
      uniquePush(change.groupIds, groupId);
      if (groupId === undefined) problems.push(`${base}.GroupId: missing`);
      const rulesKey = 'SecurityGroupRule' in request ? 'SecurityGroupRule' : 'SecurityGroupRules';
      const rules = request[rulesKey];
      const rulesPath = `${base}.${rulesKey}`;
      let entries: Array<{ value: unknown; path: string }>;
      if (isAbsent(rules)) {
        problems.push(`${rulesPath}: missing`);
        entries = [];
      } else if (Array.isArray(rules)) entries = rules.map((v, i) => ({ value: v, path: `${rulesPath}[${i}]` }));
      else if (isRecord(rules) && ('items' in rules || 'item' in rules)) entries = listItems(rules, rulesPath, problems);
      else entries = [{ value: rules, path: rulesPath }];
      for (const entry of entries) {
        const p = readModifyRule(entry.value, entry.path, problems);
        if (p !== undefined) change.permissions.push(p);
      }
    }
    const directions = new Set(change.permissions.map((p) => p.direction));
    const [only] = [...directions];
    if (directions.size === 1 && only !== undefined) change.direction = only;
    return change;
  }

  // Authorize* / Revoke*
  if (params !== undefined) {
    uniquePush(change.groupIds, readString(params.groupId, 'requestParameters.groupId', problems));
    uniquePush(change.groupNames, readString(params.groupName, 'requestParameters.groupName', problems));
    change.permissions.push(
      ...readIpPermissions(params.ipPermissions, 'requestParameters.ipPermissions', known.direction, 'ipPermissions', problems),
    );
    change.permissions.push(...readLegacyPermissions(params, known.direction, problems));
    if (known.action === 'revoke') change.revokedRuleIds = readRuleIds(params, problems);
    if (change.groupIds.length === 0 && change.groupNames.length === 0) {
      problems.push('requestParameters: neither groupId nor groupName');
    }
    if (change.permissions.length === 0 && change.revokedRuleIds.length === 0) {
      problems.push('requestParameters: no permissions (ipPermissions, legacy cidrIp/sourceSecurityGroupName, or rule ids)');
    }
  }
  if (response !== undefined) {
    if (!isAbsent(response.securityGroupRuleSet)) {
      for (const item of listItems(response.securityGroupRuleSet, 'responseElements.securityGroupRuleSet', problems)) {
        const info = readRuleInfo(item.value, item.path, problems);
        if (info !== undefined) {
          change.rules.push(info);
          uniquePush(change.groupIds, info.groupId);
        }
      }
      attachRuleIds(change.permissions, change.rules);
    }
    if (!isAbsent(response.unknownIpPermissionSet)) {
      change.unknownPermissions = readIpPermissions(
        response.unknownIpPermissionSet,
        'responseElements.unknownIpPermissionSet',
        known.direction,
        'unknownIpPermissionSet',
        problems,
      );
    }
  }
  return change;
}

// ---------------------------------------------------------------------------------------------
// Rendering

function portLabel(p: SecurityGroupPermission): string {
  const kind = protocolKind(p.protocol);
  const given = p.protocol?.trim().toLowerCase();
  switch (kind) {
    case 'all':
      return 'all traffic';
    case 'tcp':
    case 'udp': {
      const from = p.fromPort;
      const to = p.toPort;
      if (from === undefined && to === undefined) return `${kind} (ports not given)`;
      if (from === -1 || to === -1) return `${kind}/all ports`;
      if (from === undefined || to === undefined) return `${kind}/${from ?? to}`;
      return from === to ? `${kind}/${from}` : `${kind}/${from}-${to}`;
    }
    case 'icmp':
    case 'icmpv6': {
      const type = p.fromPort;
      const code = p.toPort;
      if (type === undefined || type === -1) return `${kind} all types`;
      return `${kind} type ${type} code ${code === undefined || code === -1 ? 'any' : code}`;
    }
    case 'other': {
      const name = given !== undefined ? PROTOCOL_NAMES[given] : undefined;
      return name !== undefined ? `${name} (protocol ${given})` : `protocol ${p.protocol?.trim()}`;
    }
    default:
      return 'unknown protocol';
  }
}

/** The port part alone: `tcp/22`, `all traffic`, `icmp type 8 code any`. */
export function formatPorts(p: SecurityGroupPermission): string {
  return portLabel(p);
}

function formatGroup(g: SecurityGroupReference): string {
  const name = g.groupId ?? `group "${g.groupName ?? '?'}"`;
  const details: string[] = [];
  if (g.userId !== undefined) details.push(`account ${g.userId}`);
  if (g.vpcId !== undefined) details.push(g.vpcId);
  if (g.vpcPeeringConnectionId !== undefined) details.push(`via ${g.vpcPeeringConnectionId}`);
  return details.length > 0 ? `${name} (${details.join(', ')})` : name;
}

export interface FormatOptions {
  /** Overrides the permission's own direction ("from" for ingress/unknown, "to" for egress). */
  direction?: SecurityGroupDirection;
}

/**
 * One permission as a human string: `tcp/22 from 0.0.0.0/0`, `tcp/1024-2048 from 10.0.0.0/8`,
 * `all traffic from ::/0`, `icmp type 8 code any from 0.0.0.0/0`, `tcp/443 from pl-12345678`,
 * `tcp/5432 from sg-0abc (account 123456789012)`. Egress reads `to` instead of `from`.
 */
export function formatPermission(p: SecurityGroupPermission, options: FormatOptions = {}): string {
  const direction = options.direction ?? p.direction;
  const sources = [
    ...p.ipv4Ranges.map((r) => r.cidr),
    ...p.ipv6Ranges.map((r) => r.cidr),
    ...p.prefixListIds.map((r) => r.prefixListId),
    ...p.groups.map(formatGroup),
  ];
  const preposition = direction === 'egress' ? 'to' : 'from';
  return `${portLabel(p)} ${preposition} ${sources.length > 0 ? sources.join(', ') : '(no source)'}`;
}

/** Several permissions, `; `-separated. */
export function formatPermissions(list: readonly SecurityGroupPermission[], options: FormatOptions = {}): string {
  return list.map((p) => formatPermission(p, options)).join('; ');
}
