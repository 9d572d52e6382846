/**
 * Check `security-group-open-to-world`: the ingress an event grants admits the whole internet on
 * some port.
 *
 * Applies to successful ingress-granting events: AuthorizeSecurityGroupIngress, and
 * ModifySecurityGroupRules on rules whose direction is ingress or unknown. Failed calls (errorCode,
 * or `return: false`), egress items and other services' events never match.
 *
 * Semantics. For every protocol and port (ICMP/ICMPv6: every type and code; a port-less protocol
 * such as ESP: the protocol itself), the sources the event admits are the union of the ranges of
 * every ingress item whose protocol and port range include that port; items with protocol -1 (all
 * traffic) include every port of every protocol. The event opens the world when, for some port,
 * that union is all of IPv4 (0.0.0.0/0; 0.0.0.0/1 + 128.0.0.0/1; any x.x.x.x/0, since EC2 masks
 * host bits) or all of IPv6 (::/0, ...). So tcp/22 from 0.0.0.0/1 in one item plus tcp/22 from
 * 128.0.0.0/1 in another is the world on port 22, while tcp/22 from 0.0.0.0/1 plus tcp/80 from
 * 128.0.0.0/1 is not: a range only ever counts for the ports of the item it is written in. IPv4
 * and IPv6 are never combined; prefix lists and referenced groups are not ranges and never count.
 * An item whose protocol or TCP/UDP ports are not recorded is only combined with all-traffic items.
 *
 * Computation: per protocol the port axis (ICMP: type/code pairs laid end to end) is cut at the
 * items' bounds into elementary segments; for each segment the ranges of the covering items
 * (plus the all-traffic items) are united per family with `coverageOf`. Where the union is whole,
 * `wholeSpaceCovers` names minimal combinations of items that make it so, enough that every
 * exposed port is explained by one and that revoking every named item closes every exposed port;
 * each combination is one entry of `exposures` (see `analyzeWorldExposure`).
 *
 * Severity: `critical` when the EXPOSED ports (not merely the ports an exposing item lists)
 * include an administrative port from ADMIN_PORTS over TCP or UDP (CIS AWS Foundations "remote
 * server administration ports" counts TCP (6), UDP (17) and ALL (-1)), or every port: all traffic,
 * or every TCP port, or every UDP port (1-65535; port 0 is reserved).
 */
import type { CheckOutcome, RuleCheck, Severity } from '../types.js';
import type { CloudTrailRecord } from '../../cloudtrail/types.js';
import { coverageOf, FAMILY_BITS, parseCidr, wholeSpaceCovers, type IpFamily, type ParsedCidr } from '../../cloudtrail/cidr-coverage.js';
import {
  extractSecurityGroupChanges,
  formatPermission,
  formatPorts,
  permissionPorts,
  type PermissionPorts,
  type SecurityGroupChange,
  type SecurityGroupPermission,
} from '../../cloudtrail/security-group-permissions.js';

export interface AdminPort {
  port: number;
  service: string;
}

/**
 * Ports whose exposure to the internet is an incident in itself: remote administration (shell,
 * desktop, management APIs) and data stores that are routinely found unauthenticated or
 * brute-forced. 22 and 3389 are the CIS AWS Foundations "remote server administration ports";
 * the rest are the well-known defaults of the same class of service.
 */
export const ADMIN_PORTS: readonly AdminPort[] = [
  { port: 22, service: 'SSH' },
  { port: 23, service: 'Telnet' },
  { port: 135, service: 'MS-RPC' },
  { port: 445, service: 'SMB' },
  { port: 1433, service: 'SQL Server' },
  { port: 1521, service: 'Oracle' },
  { port: 2375, service: 'Docker API' },
  { port: 2376, service: 'Docker API (TLS)' },
  { port: 2379, service: 'etcd' },
  { port: 3306, service: 'MySQL' },
  { port: 3389, service: 'RDP' },
  { port: 5432, service: 'PostgreSQL' },
  { port: 5900, service: 'VNC' },
  { port: 5985, service: 'WinRM' },
  { port: 5986, service: 'WinRM (HTTPS)' },
  { port: 6379, service: 'Redis' },
  { port: 6443, service: 'Kubernetes API' },
  { port: 9200, service: 'Elasticsearch/OpenSearch' },
  { port: 10250, service: 'kubelet' },
  { port: 11211, service: 'Memcached' },
  { port: 27017, service: 'MongoDB' },
];

/** Event names whose permissions can grant ingress. */
const INGRESS_GRANTING = new Set(['AuthorizeSecurityGroupIngress', 'ModifySecurityGroupRules']);

/** Share of an address family from which an item is reported as "near-world" (facts only). */
const NEAR_WORLD_FRACTION = 0.5;

const FAMILIES: readonly IpFamily[] = ['ipv4', 'ipv6'];

const FAMILY_SIZE: Readonly<Record<IpFamily, bigint>> = { ipv4: 1n << BigInt(FAMILY_BITS.ipv4), ipv6: 1n << BigInt(FAMILY_BITS.ipv6) };

const PORT_MAX = 65535;

/** ICMP (type, code) pairs on one axis: type * ICMP_WIDTH + code (types and codes are read like ports, up to 65535). */
const ICMP_WIDTH = 65536;
const ICMP_MAX = ICMP_WIDTH * ICMP_WIDTH - 1;

type AxisKind = 'tcp' | 'udp' | 'icmp' | 'icmpv6';
const AXIS_KINDS: readonly AxisKind[] = ['tcp', 'udp', 'icmp', 'icmpv6'];

export interface PortExposure {
  /** Every port of every protocol, or every TCP port, or every UDP port. */
  allPorts: boolean;
  /** Administrative ports among the TCP/UDP ports (all of them for all traffic). */
  adminPorts: AdminPort[];
  /** The protocol/ports could not be read (missing protocol or ports). */
  unknown: boolean;
}

export interface IcmpTypeCode {
  type: number;
  code: number;
}

/**
 * A stretch of traffic: all traffic, an inclusive TCP/UDP port range, an inclusive range of ICMP
 * (type, code) pairs in lexicographic order, a port-less protocol (by number where known), or the
 * traffic of an item whose protocol or ports are not recorded. `label` is its human form:
 * `all traffic`, `tcp/22`, `udp/0-21`, `icmp type 8 code any`, `icmp all types`, `esp (protocol 50)`.
 */
export type ExposedPorts =
  | { kind: 'all'; label: string }
  | { kind: 'tcp' | 'udp'; from: number; to: number; label: string }
  | { kind: 'icmp' | 'icmpv6'; from: IcmpTypeCode; to: IcmpTypeCode; label: string }
  | { kind: 'other'; protocol: string; label: string }
  | { kind: 'unknown'; label: string };

export interface WorldExposure {
  /** The first of `permissions` (the only one when a single item admits the world by itself). */
  permission: SecurityGroupPermission;
  /**
   * The items that together admit the whole of `families` on `exposed`, in request order: a
   * minimal combination (leaving any one out no longer covers the family).
   */
  permissions: SecurityGroupPermission[];
  /** Families whose whole space this combination admits (and minimally so). */
  families: IpFamily[];
  /** The ranges of `permissions` in `families`, as recorded. */
  cidrs: string[];
  /** Where all of `permissions` apply: every port the combination exposes. */
  exposed: ExposedPorts;
  /** `exposed` judged against the admin-port list. */
  ports: PortExposure;
}

export interface WorldExposureAnalysis {
  change: SecurityGroupChange;
  /** Whether the event can grant ingress at all (successful, ingress-granting). */
  eligible: boolean;
  /**
   * Minimal combinations of items that admit a whole family on some port: every exposed port is
   * exposed by one of them, and revoking every item they name leaves no port exposed.
   */
  exposures: WorldExposure[];
  /** Every exposed port, merged per protocol (just `all traffic` when that is exposed). */
  exposed: ExposedPorts[];
  /** `exposed` judged against the admin-port list: what the severity is based on. */
  ports: PortExposure;
  /** Items admitting at least half of an address family without covering it, alone or in an exposure. */
  nearWorld: Array<{ permission: SecurityGroupPermission; family: IpFamily; fraction: number }>;
}

interface Item {
  /** Position among the event's ingress items. */
  index: number;
  permission: SecurityGroupPermission;
  ports: PermissionPorts;
  ranges: Record<IpFamily, ParsedCidr[]>;
  /** How many addresses of each family the item's own ranges cover. */
  size: Record<IpFamily, bigint>;
}

function rangesByFamily(p: SecurityGroupPermission): Record<IpFamily, ParsedCidr[]> {
  const out: Record<IpFamily, ParsedCidr[]> = { ipv4: [], ipv6: [] };
  for (const r of [...p.ipv4Ranges, ...p.ipv6Ranges]) {
    const parsed = parseCidr(r.cidr);
    if (parsed.ok) out[parsed.cidr.family].push(parsed.cidr);
  }
  return out;
}

/** An item's extent on its protocol's axis (TCP/UDP ports, or ICMP type/code pairs). */
function axisInterval(ports: PermissionPorts): [number, number] | undefined {
  switch (ports.kind) {
    case 'tcp':
    case 'udp':
      return [ports.from, ports.to];
    case 'icmp':
    case 'icmpv6': {
      if (ports.type === undefined) return [0, ICMP_MAX];
      const base = ports.type * ICMP_WIDTH;
      return ports.code === undefined ? [base, base + ICMP_WIDTH - 1] : [base + ports.code, base + ports.code];
    }
    default:
      return undefined;
  }
}

const ALL_TRAFFIC: ExposedPorts = { kind: 'all', label: 'all traffic' };

function icmpLabel(kind: 'icmp' | 'icmpv6', lo: number, hi: number): string {
  if (lo === 0 && hi === ICMP_MAX) return `${kind} all types`;
  const t1 = Math.floor(lo / ICMP_WIDTH);
  const c1 = lo % ICMP_WIDTH;
  const t2 = Math.floor(hi / ICMP_WIDTH);
  const c2 = hi % ICMP_WIDTH;
  if (c1 === 0 && c2 === ICMP_WIDTH - 1) return t1 === t2 ? `${kind} type ${t1} code any` : `${kind} types ${t1}-${t2}`;
  if (t1 === t2) return c1 === c2 ? `${kind} type ${t1} code ${c1}` : `${kind} type ${t1} codes ${c1}-${c2}`;
  return `${kind} type ${t1} code ${c1} to type ${t2} code ${c2}`;
}

function axisPorts(kind: AxisKind, lo: number, hi: number): ExposedPorts {
  if (kind === 'tcp' || kind === 'udp') return { kind, from: lo, to: hi, label: lo === hi ? `${kind}/${lo}` : `${kind}/${lo}-${hi}` };
  const pair = (v: number): IcmpTypeCode => ({ type: Math.floor(v / ICMP_WIDTH), code: v % ICMP_WIDTH });
  return { kind, from: pair(lo), to: pair(hi), label: icmpLabel(kind, lo, hi) };
}

function axisOf(e: ExposedPorts): [number, number] | undefined {
  if (e.kind === 'tcp' || e.kind === 'udp') return [e.from, e.to];
  if (e.kind === 'icmp' || e.kind === 'icmpv6') return [e.from.type * ICMP_WIDTH + e.from.code, e.to.type * ICMP_WIDTH + e.to.code];
  return undefined;
}

/** Where every one of `members` applies. Members that co-cover a port always share a protocol (or are all traffic). */
function commonPorts(members: ReadonlyArray<Pick<Item, 'permission' | 'ports'>>): ExposedPorts {
  const specific = members.filter((m) => m.ports.kind !== 'all');
  const first = specific[0];
  if (first === undefined) return ALL_TRAFFIC;
  const kind = first.ports.kind;
  switch (kind) {
    case 'tcp':
    case 'udp':
    case 'icmp':
    case 'icmpv6': {
      let lo = 0;
      let hi = Number.MAX_SAFE_INTEGER;
      for (const m of specific) {
        const interval = axisInterval(m.ports);
        if (interval === undefined) continue;
        lo = Math.max(lo, interval[0]);
        hi = Math.min(hi, interval[1]);
      }
      return axisPorts(kind, lo, hi);
    }
    case 'other':
      return { kind, protocol: first.ports.protocol, label: formatPorts({ ...first.permission, protocol: first.ports.protocol }) };
    default:
      return { kind: 'unknown', label: formatPorts(first.permission) };
  }
}

/** A list of exposed stretches merged per protocol, in a stable order; all traffic absorbs everything else. */
function mergePorts(list: readonly ExposedPorts[]): ExposedPorts[] {
  if (list.some((e) => e.kind === 'all')) return [ALL_TRAFFIC];
  const out: ExposedPorts[] = [];
  for (const kind of AXIS_KINDS) {
    const intervals = list
      .filter((e) => e.kind === kind)
      .map((e) => axisOf(e) as [number, number])
      .sort((a, b) => a[0] - b[0]);
    let current: [number, number] | undefined;
    for (const [lo, hi] of intervals) {
      if (current !== undefined && lo <= current[1] + 1) current[1] = Math.max(current[1], hi);
      else {
        if (current !== undefined) out.push(axisPorts(kind, current[0], current[1]));
        current = [lo, hi];
      }
    }
    if (current !== undefined) out.push(axisPorts(kind, current[0], current[1]));
  }
  const others = new Map<string, ExposedPorts>();
  for (const e of list) if (e.kind === 'other' && !others.has(e.protocol)) others.set(e.protocol, e);
  const numeric = (p: string): number => (/^\d+$/.test(p) ? Number(p) : Number.MAX_SAFE_INTEGER);
  out.push(...[...others.entries()].sort(([a], [b]) => numeric(a) - numeric(b) || a.localeCompare(b)).map(([, e]) => e));
  const unknown = new Map<string, ExposedPorts>();
  for (const e of list) if (e.kind === 'unknown' && !unknown.has(e.label)) unknown.set(e.label, e);
  out.push(...unknown.values());
  return out;
}

/** Exposed stretches judged against an admin-port list. */
function judgePorts(list: readonly ExposedPorts[], adminPorts: readonly AdminPort[]): PortExposure {
  const unknown = list.some((e) => e.kind === 'unknown');
  if (list.some((e) => e.kind === 'all')) return { allPorts: true, adminPorts: [...adminPorts], unknown };
  const ranges = mergePorts(list).flatMap((e) => (e.kind === 'tcp' || e.kind === 'udp' ? [e] : []));
  return {
    // Port 0 is reserved and never reachable: 1-65535 is every port.
    allPorts: ranges.some((r) => r.from <= 1 && r.to >= PORT_MAX),
    adminPorts: adminPorts.filter((a) => ranges.some((r) => a.port >= r.from && a.port <= r.to)),
    unknown,
  };
}

/** Which ports a single permission item opens, judged against an admin-port list. */
export function portExposure(p: SecurityGroupPermission, adminPorts: readonly AdminPort[] = ADMIN_PORTS): PortExposure {
  return judgePorts([commonPorts([{ permission: p, ports: permissionPorts(p) }])], adminPorts);
}

/**
 * Every combination of items the exposures name: minimal sets of items that admit a whole family
 * on some port. Ports are visited per protocol as elementary segments; a segment is judged on the
 * union (`coverageOf`) of its covering items' ranges plus the all-traffic items' ranges. For each
 * segment and family that is whole:
 *
 * 1. it is explained: a combination found earlier whose items all include the segment, or else a
 *    new one drawn from all the items there;
 * 2. it is closed: combinations are drawn from the items that no combination names yet until
 *    those no longer cover the family, so revoking every named item closes the segment.
 *
 * Step 2 names every item at most once for the whole event, which keeps the work near
 * segments x items even when many overlapping items split the world between them.
 */
function findCombinations(items: readonly Item[]): Array<{ members: Item[]; families: Set<IpFamily> }> {
  const allTraffic = items.filter((i) => i.ports.kind === 'all');
  // Each family's ranges in address order, so uniting a segment's ranges needs no real sort.
  const sorted: Record<IpFamily, Array<{ item: number; cidr: ParsedCidr }>> = { ipv4: [], ipv6: [] };
  for (const family of FAMILIES) {
    sorted[family] = items
      .flatMap((item) => item.ranges[family].map((cidr) => ({ item: item.index, cidr })))
      .sort((a, b) => (a.cidr.start < b.cidr.start ? -1 : a.cidr.start > b.cidr.start ? 1 : 0));
  }
  const found = new Map<string, { members: Item[]; families: Set<IpFamily> }>();
  // The combinations found for a family, by member: where to look for one that explains a segment.
  const foundFor: Record<IpFamily, Map<number, Item[][]>> = { ipv4: new Map(), ipv6: new Map() };
  const named = new Set<number>();
  const draw = (candidates: readonly Item[], family: IpFamily, limit?: number): void => {
    const covers = wholeSpaceCovers(
      candidates.map((i) => i.ranges[family]),
      family,
      limit,
    );
    for (const cover of covers) {
      const members = cover.map((k) => candidates[k] as Item);
      const key = members.map((m) => m.index).join(',');
      const kept = found.get(key) ?? { members, families: new Set<IpFamily>() };
      kept.families.add(family);
      found.set(key, kept);
      for (const m of members) {
        named.add(m.index);
        const list = foundFor[family].get(m.index) ?? [];
        if (!list.includes(kept.members)) list.push(kept.members);
        foundFor[family].set(m.index, list);
      }
    }
  };
  const consider = (specific: readonly Item[]): void => {
    const covering = [...allTraffic, ...specific].sort((a, b) => a.index - b.index);
    const here = new Set(covering.map((i) => i.index));
    for (const family of FAMILIES) {
      // Without a range of this family among the specific items the union is the all-traffic one, judged once.
      if (specific.length > 0 && specific.every((i) => i.ranges[family].length === 0)) continue;
      // Cheap and exact necessary condition: the items' own unions must add up to the whole space.
      if (covering.reduce((sum, i) => sum + i.size[family], 0n) < FAMILY_SIZE[family]) continue;
      const ranges: ParsedCidr[] = [];
      for (const r of sorted[family]) if (here.has(r.item)) ranges.push(r.cidr);
      if (!coverageOf(ranges, family).whole) continue;
      const explained = covering.some((i) => foundFor[family].get(i.index)?.some((members) => members.every((m) => here.has(m.index))));
      if (!explained) draw(covering, family, 1);
      const rest = covering.filter((i) => !named.has(i.index));
      if (rest.some((i) => i.ranges[family].length > 0)) draw(rest, family);
    }
  };

  // Every protocol and port that no specific item names: all-traffic items only.
  if (allTraffic.length > 0) consider([]);
  for (const kind of AXIS_KINDS) {
    const onAxis = items.flatMap((item) => {
      const interval = item.ports.kind === kind ? axisInterval(item.ports) : undefined;
      return interval === undefined ? [] : [{ item, lo: interval[0], hi: interval[1] }];
    });
    // Elementary segments start at the items' bounds and end before the next one; no item bound
    // falls inside a segment, so the items covering its first key cover all of it.
    const cuts = [...new Set(onAxis.flatMap((a) => [a.lo, a.hi + 1]))].sort((a, b) => a - b);
    for (const start of cuts) {
      const specific = onAxis.filter((a) => a.lo <= start && start <= a.hi).map((a) => a.item);
      if (specific.length > 0) consider(specific);
    }
  }
  const byProtocol = new Map<string, Item[]>();
  for (const item of items) {
    if (item.ports.kind !== 'other') continue;
    const group = byProtocol.get(item.ports.protocol) ?? [];
    group.push(item);
    byProtocol.set(item.ports.protocol, group);
  }
  for (const group of byProtocol.values()) consider(group);
  // What an item without a readable protocol or ports opens is its own: only all traffic shares it.
  for (const item of items) if (item.ports.kind === 'unknown') consider([item]);

  const compare = ({ members: a }: { members: Item[] }, { members: b }: { members: Item[] }): number => {
    for (let k = 0; k < Math.min(a.length, b.length); k++) {
      const d = (a[k] as Item).index - (b[k] as Item).index;
      if (d !== 0) return d;
    }
    return a.length - b.length;
  };
  return [...found.values()].sort(compare);
}

/**
 * The analysis behind the check, exposed for remediation and tests. Never throws.
 *
 * `exposures` lists minimal combinations of ingress items that admit all of IPv4 or all of IPv6
 * on some port: `permissions` (with `permission`, the first of them), the `families` it covers,
 * the ranges involved (`cidrs`), the ports where all its items apply (`exposed`) and their
 * judgement (`ports`). An item that admits the world alone is a combination of one; several items
 * are named together only when each of them is needed. The list is built so that:
 *
 * - every exposed port lies in the `exposed` of some entry (the union of the entries' `exposed`
 *   is the analysis' `exposed`), and
 * - revoking every item named by any entry leaves no port exposed. This is what remediation
 *   relies on; an item that is never needed (10.0.0.0/8 next to 0.0.0.0/0 on the same port) is
 *   not named and not revoked.
 *
 * When several combinations could explain the same port, the one found first (by protocol, then
 * port, then item order; a single world-open item before pieces) is the one listed, so the list is
 * not every possible combination. Entries are ordered by their items' positions.
 *
 * `exposed` and `ports` describe the union of the exposed ports; the check's severity and facts
 * come from them.
 */
export function analyzeWorldExposure(record: CloudTrailRecord, adminPorts: readonly AdminPort[] = ADMIN_PORTS): WorldExposureAnalysis {
  const change = extractSecurityGroupChanges(record);
  const analysis: WorldExposureAnalysis = {
    change,
    eligible: false,
    exposures: [],
    exposed: [],
    ports: { allPorts: false, adminPorts: [], unknown: false },
    nearWorld: [],
  };
  const source = (record as { eventSource?: unknown } | null | undefined)?.eventSource;
  if (!INGRESS_GRANTING.has(change.eventName) || !change.succeeded) return analysis;
  if (source !== undefined && source !== 'ec2.amazonaws.com') return analysis;
  analysis.eligible = true;

  const items: Item[] = change.permissions
    .filter((permission) => permission.direction !== 'egress')
    .map((permission, index) => {
      const ranges = rangesByFamily(permission);
      const size = { ipv4: coverageOf(ranges.ipv4, 'ipv4').covered, ipv6: coverageOf(ranges.ipv6, 'ipv6').covered };
      return { index, permission, ports: permissionPorts(permission), ranges, size };
    });

  for (const { members, families: foundFor } of findCombinations(items)) {
    const families = FAMILIES.filter((family) => {
      if (foundFor.has(family)) return true;
      // Minimal for the family too: all members together cover it and none of them can be left out.
      if (members.some((m) => m.ranges[family].length === 0)) return false;
      const covers = wholeSpaceCovers(
        members.map((m) => m.ranges[family]),
        family,
      );
      return covers[0]?.length === members.length;
    });
    const exposed = commonPorts(members);
    analysis.exposures.push({
      permission: (members[0] as Item).permission,
      permissions: members.map((m) => m.permission),
      families,
      cidrs: families.flatMap((family) => members.flatMap((m) => m.ranges[family].map((r) => r.input))),
      exposed,
      ports: judgePorts([exposed], adminPorts),
    });
  }
  analysis.exposed = mergePorts(analysis.exposures.map((e) => e.exposed));
  analysis.ports = judgePorts(analysis.exposed, adminPorts);

  const exposing: Record<IpFamily, Set<SecurityGroupPermission>> = { ipv4: new Set(), ipv6: new Set() };
  for (const e of analysis.exposures) for (const family of e.families) for (const p of e.permissions) exposing[family].add(p);
  for (const item of items) {
    for (const family of FAMILIES) {
      if (item.ranges[family].length === 0) continue;
      const coverage = coverageOf(item.ranges[family], family);
      if (coverage.whole || coverage.fraction < NEAR_WORLD_FRACTION) continue;
      if (exposing[family].has(item.permission)) continue;
      analysis.nearWorld.push({ permission: item.permission, family, fraction: coverage.fraction });
    }
  }
  return analysis;
}

function unique<T>(values: Iterable<T>): T[] {
  return [...new Set(values)];
}

export interface SecurityGroupOpenToWorldOptions {
  /** Replaces ADMIN_PORTS. */
  adminPorts?: readonly AdminPort[];
  /** Severity for an admin port or all ports; default `critical`. */
  adminSeverity?: Severity;
}

export function createSecurityGroupOpenToWorldCheck(options: SecurityGroupOpenToWorldOptions = {}): RuleCheck {
  const adminList = options.adminPorts ?? ADMIN_PORTS;
  const adminSeverity = options.adminSeverity ?? 'critical';
  return {
    name: 'security-group-open-to-world',
    description:
      'A successful AuthorizeSecurityGroupIngress / ModifySecurityGroupRules admits the whole IPv4 or IPv6 internet on some ' +
      'port: the ranges of the ingress items that include the port (all-traffic items include every port) together cover ' +
      '0.0.0.0/0 or ::/0; critical when the exposed ports include an administrative port or every port.',
    run({ record }): CheckOutcome {
      const analysis = analyzeWorldExposure(record, adminList);
      const { change, exposures } = analysis;
      const facts: NonNullable<CheckOutcome['facts']> = {};
      const groupId = change.groupIds.join(', ');
      if (groupId !== '') facts.groupId = groupId;
      if (change.groupNames.length > 0) facts.groupName = change.groupNames.join(', ');
      facts.direction = change.direction;
      if (analysis.nearWorld.length > 0) {
        facts.nearWorld = analysis.nearWorld.map(
          (n) => `${formatPermission(n.permission, { direction: 'ingress' })} (${Math.round(n.fraction * 100)}% of ${n.family === 'ipv4' ? 'IPv4' : 'IPv6'})`,
        );
      }
      if (change.problems.length > 0) facts.problems = change.problems.slice(0, 20);
      if (exposures.length === 0) return { matched: false, facts };

      const admin = [...analysis.ports.adminPorts].sort((a, b) => a.port - b.port);
      facts.permissions = exposures.map((e) => e.permissions.map((p) => formatPermission(p, { direction: 'ingress' })).join(' + '));
      facts.ports = unique(analysis.exposed.map((e) => e.label));
      facts.cidrs = unique(exposures.flatMap((e) => e.cidrs));
      facts.adminPorts = unique(admin.map((a) => String(a.port)));
      facts.adminServices = unique(admin.map((a) => a.service));
      facts.allPorts = analysis.ports.allPorts;
      facts.portsUnknown = analysis.ports.unknown;
      const ruleIds = unique(exposures.flatMap((e) => e.permissions.flatMap((p) => p.securityGroupRuleIds)));
      if (ruleIds.length > 0) facts.ruleIds = ruleIds;
      const outcome: CheckOutcome = { matched: true, facts };
      if (analysis.ports.allPorts || admin.length > 0) outcome.severity = adminSeverity;
      return outcome;
    },
  };
}

export const securityGroupOpenToWorld: RuleCheck = createSecurityGroupOpenToWorldCheck();

export default securityGroupOpenToWorld;
