/**
 * CIDR parsing and address-space coverage, on top of ipaddr.js.
 *
 * Security-group ranges are compared as integer intervals (bigint, so IPv6 is exact): a set of
 * ranges covers the whole IPv4 (or IPv6) space when the union of its intervals is [0, 2^bits).
 *
 * Host bits: EC2 accepts a CIDR whose address has host bits set and masks them (a rule created
 * from `10.0.0.1/8` is stored as `10.0.0.0/8`, ansible/ansible#25403); CloudTrail records the
 * string as the caller sent it (e.g. `208.236.235.254/0`). We therefore always reason about the
 * masked network: any `x.x.x.x/0` is the whole IPv4 space.
 *
 * `coverageOf` answers whether (and how much of) a family a set of ranges covers; `wholeSpaceCovers`
 * says which groups of ranges (one group per permission item) are needed to cover all of it.
 */
import ipaddr from 'ipaddr.js';

export type IpFamily = 'ipv4' | 'ipv6';

export const FAMILY_BITS: Readonly<Record<IpFamily, number>> = { ipv4: 32, ipv6: 128 };

export interface ParsedCidr {
  family: IpFamily;
  /** The string as recorded (trimmed). */
  input: string;
  prefix: number;
  /** First address of the (masked) network, as an integer. */
  start: bigint;
  /** Last address of the network, inclusive. */
  end: bigint;
  /** Canonical network in CIDR notation, host bits cleared, e.g. `0.0.0.0/0` for `10.1.2.3/0`. */
  network: string;
  /** The recorded address had bits set beyond the prefix (EC2 masks them). */
  hostBitsSet: boolean;
  /** Set when the address was not in standard notation and had to be interpreted (e.g. `10.1/8`). */
  note?: string;
}

export type CidrParseResult = { ok: true; cidr: ParsedCidr } | { ok: false; error: string };

function bytesToBigInt(bytes: number[]): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte & 0xff);
  return value;
}

function bigIntToBytes(value: bigint, length: number): number[] {
  const bytes: number[] = new Array<number>(length).fill(0);
  let v = value;
  for (let i = length - 1; i >= 0; i--) {
    bytes[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return bytes;
}

function render(value: bigint, family: IpFamily): string {
  const addr = ipaddr.fromByteArray(bigIntToBytes(value, family === 'ipv4' ? 4 : 16));
  return addr.kind() === 'ipv6' ? (addr as ipaddr.IPv6).toRFC5952String() : addr.toString();
}

/**
 * Parses one CIDR string (IPv4 or IPv6). Never throws: anything that is not a CIDR gives
 * `{ ok: false, error }` with a human-readable reason.
 */
export function parseCidr(value: unknown): CidrParseResult {
  if (typeof value !== 'string') return { ok: false, error: `expected a CIDR string, got ${describeType(value)}` };
  const input = value.trim();
  if (input === '') return { ok: false, error: 'empty CIDR' };
  const slash = input.lastIndexOf('/');
  if (slash < 0) return { ok: false, error: `"${input}" is not in CIDR notation (no /prefix)` };
  const addressText = input.slice(0, slash);
  const prefixText = input.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText)) return { ok: false, error: `"${input}" has an invalid prefix length` };
  const prefix = Number(prefixText);

  let family: IpFamily;
  let bytes: number[];
  let note: string | undefined;
  try {
    if (ipaddr.IPv4.isValidFourPartDecimal(addressText)) {
      family = 'ipv4';
      bytes = ipaddr.IPv4.parse(addressText).toByteArray();
    } else if (addressText.includes(':')) {
      if (addressText.includes('%')) return { ok: false, error: `"${input}" carries an IPv6 zone id` };
      if (!ipaddr.IPv6.isValid(addressText)) return { ok: false, error: `"${input}" is not a valid IPv6 CIDR` };
      family = 'ipv6';
      bytes = ipaddr.IPv6.parse(addressText).toByteArray();
    } else if (ipaddr.IPv4.isValid(addressText)) {
      // ipaddr.js accepts inet_aton-style forms (`10.1`, `0x0a.0.0.0`, octal); keep the
      // interpretation visible because the service may not read it the same way.
      family = 'ipv4';
      const parsed = ipaddr.IPv4.parse(addressText);
      bytes = parsed.toByteArray();
      note = `non-standard IPv4 notation "${addressText}" read as ${parsed.toString()}`;
    } else {
      return { ok: false, error: `"${input}" is not a valid IPv4 or IPv6 CIDR` };
    }
  } catch (err) {
    return { ok: false, error: `"${input}" is not a valid CIDR (${(err as Error).message})` };
  }

  const bits = FAMILY_BITS[family];
  if (prefix > bits) return { ok: false, error: `"${input}" has prefix /${prefix}, beyond /${bits}` };
  const hostBits = BigInt(bits - prefix);
  const value64 = bytesToBigInt(bytes);
  const size = 1n << hostBits;
  const start = (value64 >> hostBits) << hostBits;
  const end = start + size - 1n;
  const cidr: ParsedCidr = {
    family,
    input,
    prefix,
    start,
    end,
    network: `${render(start, family)}/${prefix}`,
    hostBitsSet: start !== value64,
  };
  if (note !== undefined) cidr.note = note;
  return { ok: true, cidr };
}

export interface Coverage {
  family: IpFamily;
  /** Number of distinct addresses covered by the union of the ranges. */
  covered: bigint;
  /** Size of the family's address space (2^32 or 2^128). */
  total: bigint;
  /** The union is the whole address space. */
  whole: boolean;
  /** covered / total, rounded down to 1e-6. */
  fraction: number;
}

/** The union of the given ranges of one family (ranges of the other family are ignored). */
export function coverageOf(cidrs: readonly ParsedCidr[], family: IpFamily): Coverage {
  const total = 1n << BigInt(FAMILY_BITS[family]);
  const intervals = cidrs
    .filter((c) => c.family === family)
    .map((c) => [c.start, c.end] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  let covered = 0n;
  let curStart: bigint | undefined;
  let curEnd = -1n;
  for (const [s, e] of intervals) {
    if (curStart === undefined) {
      curStart = s;
      curEnd = e;
    } else if (s <= curEnd + 1n) {
      if (e > curEnd) curEnd = e;
    } else {
      covered += curEnd - curStart + 1n;
      curStart = s;
      curEnd = e;
    }
  }
  if (curStart !== undefined) covered += curEnd - curStart + 1n;
  return {
    family,
    covered,
    total,
    whole: covered === total,
    fraction: Number((covered * 1_000_000n) / total) / 1_000_000,
  };
}

/** The union of one family's ranges as sorted, disjoint, non-adjacent inclusive intervals. */
function mergedIntervals(cidrs: readonly ParsedCidr[], family: IpFamily): Array<[bigint, bigint]> {
  const sorted = cidrs
    .filter((c) => c.family === family)
    .map((c): [bigint, bigint] => [c.start, c.end])
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: Array<[bigint, bigint]> = [];
  for (const [s, e] of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && s <= last[1] + 1n) {
      if (e > last[1]) last[1] = e;
    } else out.push([s, e]);
  }
  return out;
}

/**
 * Which groups of ranges (e.g. the ranges of each permission item that opens one port) make up
 * the whole `family` address space, as a list of covers: each cover is a set of group indices
 * (ascending) whose union is the whole space and from which no group can be left out (a minimal
 * cover; a group that covers the space alone is a cover of its own). Covers are disjoint and are
 * extracted until the groups that are left no longer cover the space, so taking away every group
 * named by a cover always leaves the space uncovered (unless `limit` stops the extraction first).
 * Returns [] when all groups together do not cover it. Groups without a range of `family` are
 * never named.
 *
 * Deterministic: within a cover, groups are left out smallest first (by the number of addresses
 * they cover; among equals, the later group first), so a lone 0.0.0.0/0 wins over pieces, and
 * redundant small ranges (10.0.0.0/8 next to 0.0.0.0/1 + 128.0.0.0/1) are never named.
 *
 * Cost: the space is cut at the groups' range boundaries into elementary intervals and coverage is
 * counted per interval, so one cover costs one pass over the groups' interval lists (no bigint
 * arithmetic after the cut).
 */
export function wholeSpaceCovers(groups: ReadonlyArray<readonly ParsedCidr[]>, family: IpFamily, limit = Number.POSITIVE_INFINITY): number[][] {
  const total = 1n << BigInt(FAMILY_BITS[family]);
  const merged = groups.map((g) => mergedIntervals(g, family));
  const cutSet = new Set<bigint>([0n, total]);
  for (const intervals of merged) {
    for (const [s, e] of intervals) {
      cutSet.add(s);
      cutSet.add(e + 1n);
    }
  }
  const cuts = [...cutSet].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const position = (value: bigint): number => {
    let lo = 0;
    let hi = cuts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cuts[mid] as bigint) < value) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  // The elementary intervals [cuts[k], cuts[k + 1]) each group covers.
  const cells = merged.map((intervals) => {
    const out: number[] = [];
    for (const [s, e] of intervals) for (let k = position(s), end = position(e + 1n); k < end; k++) out.push(k);
    return out;
  });
  const size = merged.map((intervals) => intervals.reduce((sum, [s, e]) => sum + (e - s + 1n), 0n));
  let available = groups
    .map((_, i) => i)
    .filter((i) => (cells[i] as number[]).length > 0)
    .sort((a, b) => {
      const sa = size[a] as bigint;
      const sb = size[b] as bigint;
      return sa < sb ? -1 : sa > sb ? 1 : b - a;
    });
  const count = new Int32Array(cuts.length - 1);
  const covers: number[][] = [];
  while (available.length > 0 && covers.length < limit) {
    count.fill(0);
    for (const i of available) for (const k of cells[i] as number[]) count[k] = (count[k] as number) + 1;
    if (count.some((c) => c === 0)) break;
    const kept: number[] = [];
    for (const i of available) {
      const own = cells[i] as number[];
      if (own.every((k) => (count[k] as number) >= 2)) {
        for (const k of own) count[k] = (count[k] as number) - 1;
      } else kept.push(i);
    }
    covers.push([...kept].sort((a, b) => a - b));
    const taken = new Set(kept);
    available = available.filter((i) => !taken.has(i));
  }
  return covers;
}

export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}
