/**
 * Check `security-group-open-to-world`: an ingress permission item admits the whole internet.
 *
 * Matched when ONE permission item of an ingress-granting event (AuthorizeSecurityGroupIngress, or
 * ModifySecurityGroupRules on a rule whose direction is ingress or unknown) has IPv4 ranges whose
 * union is all of IPv4 (0.0.0.0/0; 0.0.0.0/1 + 128.0.0.0/1; any x.x.x.x/0, since EC2 masks host
 * bits) or IPv6 ranges whose union is all of IPv6 (::/0, ...). Ranges of different items are never
 * combined: the same item must carry both the ports and the ranges. Prefix lists and referenced
 * groups are not ranges and never match. Failed calls (errorCode, or `return: false`) and egress
 * never match.
 *
 * Severity: `critical` when an exposed item reaches every port (all traffic, or TCP/UDP over the
 * whole port range) or contains an administrative port from ADMIN_PORTS (TCP or UDP, as CIS AWS
 * Foundations "remote server administration ports" counts TCP (6), UDP (17) and ALL (-1)).
 */
import type { CheckOutcome, RuleCheck, Severity } from '../types.js';
import type { CloudTrailRecord } from '../../cloudtrail/types.js';
import { coverageOf, parseCidr, type IpFamily, type ParsedCidr } from '../../cloudtrail/cidr-coverage.js';
import {
  extractSecurityGroupChanges,
  formatPermission,
  formatPorts,
  protocolKind,
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

export interface PortExposure {
  /** Every port of every protocol, or every TCP/UDP port. */
  allPorts: boolean;
  /** Administrative ports inside the item's TCP/UDP port range (all of them for all traffic). */
  adminPorts: AdminPort[];
  /** The protocol/ports could not be read (missing protocol or ports). */
  unknown: boolean;
}

/** Which ports a permission item opens, judged against an admin-port list. */
export function portExposure(p: SecurityGroupPermission, adminPorts: readonly AdminPort[] = ADMIN_PORTS): PortExposure {
  const kind = protocolKind(p.protocol);
  if (kind === 'all') return { allPorts: true, adminPorts: [...adminPorts], unknown: false };
  if (kind === 'tcp' || kind === 'udp') {
    const { fromPort, toPort } = p;
    if (fromPort === undefined && toPort === undefined) return { allPorts: false, adminPorts: [], unknown: true };
    let from: number;
    let to: number;
    if (fromPort === -1 || toPort === -1) {
      from = 0;
      to = 65535;
    } else {
      const a = fromPort ?? toPort ?? 0;
      const b = toPort ?? fromPort ?? 0;
      from = Math.min(a, b);
      to = Math.max(a, b);
    }
    return {
      // Port 0 is reserved and never reachable: 1-65535 is every port.
      allPorts: from <= 1 && to >= 65535,
      adminPorts: adminPorts.filter((a) => a.port >= from && a.port <= to),
      unknown: false,
    };
  }
  return { allPorts: false, adminPorts: [], unknown: kind === 'unknown' };
}

export interface WorldExposure {
  permission: SecurityGroupPermission;
  /** Families whose whole space the item admits. */
  families: IpFamily[];
  /** The item's ranges that together cover the whole space (as recorded). */
  cidrs: string[];
  ports: PortExposure;
}

export interface WorldExposureAnalysis {
  change: SecurityGroupChange;
  /** Whether the event can grant ingress at all (successful, ingress-granting). */
  eligible: boolean;
  exposures: WorldExposure[];
  /** Items admitting at least half of an address family without covering all of it. */
  nearWorld: Array<{ permission: SecurityGroupPermission; family: IpFamily; fraction: number }>;
}

function parsedRanges(p: SecurityGroupPermission): ParsedCidr[] {
  const out: ParsedCidr[] = [];
  for (const r of [...p.ipv4Ranges, ...p.ipv6Ranges]) {
    const parsed = parseCidr(r.cidr);
    if (parsed.ok) out.push(parsed.cidr);
  }
  return out;
}

/** The analysis behind the check, exposed for remediation and tests. Never throws. */
export function analyzeWorldExposure(record: CloudTrailRecord, adminPorts: readonly AdminPort[] = ADMIN_PORTS): WorldExposureAnalysis {
  const change = extractSecurityGroupChanges(record);
  const analysis: WorldExposureAnalysis = { change, eligible: false, exposures: [], nearWorld: [] };
  const source = (record as { eventSource?: unknown } | null | undefined)?.eventSource;
  if (!INGRESS_GRANTING.has(change.eventName) || !change.succeeded) return analysis;
  if (source !== undefined && source !== 'ec2.amazonaws.com') return analysis;
  analysis.eligible = true;
  for (const permission of change.permissions) {
    if (permission.direction === 'egress') continue;
    const ranges = parsedRanges(permission);
    const families: IpFamily[] = [];
    const cidrs: string[] = [];
    for (const family of ['ipv4', 'ipv6'] as const) {
      const coverage = coverageOf(ranges, family);
      if (coverage.whole) {
        families.push(family);
        cidrs.push(...ranges.filter((r) => r.family === family).map((r) => r.input));
      } else if (coverage.fraction >= NEAR_WORLD_FRACTION) {
        analysis.nearWorld.push({ permission, family, fraction: coverage.fraction });
      }
    }
    if (families.length > 0) analysis.exposures.push({ permission, families, cidrs, ports: portExposure(permission, adminPorts) });
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
      'One ingress permission item of a successful AuthorizeSecurityGroupIngress / ModifySecurityGroupRules admits the whole ' +
      'IPv4 or IPv6 internet (0.0.0.0/0, ::/0, or ranges of the same item that together cover the address space); ' +
      'critical when it reaches an administrative port or every port.',
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

      const admin = unique(exposures.flatMap((e) => e.ports.adminPorts)).sort((a, b) => a.port - b.port);
      const allPorts = exposures.some((e) => e.ports.allPorts);
      facts.permissions = exposures.map((e) => formatPermission(e.permission, { direction: 'ingress' }));
      facts.ports = unique(exposures.map((e) => formatPorts(e.permission)));
      facts.cidrs = unique(exposures.flatMap((e) => e.cidrs));
      facts.adminPorts = unique(admin.map((a) => String(a.port)));
      facts.adminServices = unique(admin.map((a) => a.service));
      facts.allPorts = allPorts;
      facts.portsUnknown = exposures.some((e) => e.ports.unknown);
      const ruleIds = unique(exposures.flatMap((e) => e.permission.securityGroupRuleIds));
      if (ruleIds.length > 0) facts.ruleIds = ruleIds;
      const outcome: CheckOutcome = { matched: true, facts };
      if (allPorts || admin.length > 0) outcome.severity = adminSeverity;
      return outcome;
    },
  };
}

export const securityGroupOpenToWorld: RuleCheck = createSecurityGroupOpenToWorldCheck();

export default securityGroupOpenToWorld;
