/**
 * IP address literals read the way Ruler reads them (aws/event-ruler CIDR.java): a string is an address only if it
 * passes Ruler's shape test (IPv4: four dot-separated runs of decimal digits; IPv6: hex digits and colons only) and
 * then parses as java.net.InetAddress would parse it. Consequences worth knowing:
 *  - IPv4 octets are decimal even with leading zeros ("010.0.0.1" is 10.0.0.1), and the text is at most 15 chars;
 *  - no embedded-IPv4 IPv6 forms ("::ffff:1.2.3.4"), no zone ids, no brackets;
 *  - an IPv4-mapped IPv6 address ("::ffff:a00:1") is an IPv4 address, as InetAddress converts it.
 *
 * Addresses are eight 16-bit groups; IPv4 occupies the last two. Parsing writes into a caller's buffer so that the
 * per-event path allocates nothing.
 */

export type IpFamily = 4 | 6;

export interface IpAddress {
  readonly family: IpFamily;
  /** Eight 16-bit groups, most significant first. */
  readonly groups: Uint16Array;
}

/** What Ruler's shape test says the text is meant to be, before parsing it. */
export function ipShape(text: string): IpFamily | null {
  if (looksLikeIpv4(text)) return 4;
  if (looksLikeIpv6(text)) return 6;
  return null;
}

/** Parses `text` into `groups` (length 8). Returns the family, or 0 when the text is not an address. */
export function parseIpInto(text: string, groups: Uint16Array): IpFamily | 0 {
  if (looksLikeIpv4(text)) return parseIpv4Into(text, groups) ? 4 : 0;
  if (looksLikeIpv6(text) && parseIpv6Into(text, groups)) return isIpv4Mapped(groups) ? unmapIpv4(groups) : 6;
  return 0;
}

/** Allocating form of parseIpInto, for compiling patterns. */
export function parseIpAddress(text: string): IpAddress | null {
  const groups = new Uint16Array(8);
  const family = parseIpInto(text, groups);
  return family === 0 ? null : { family, groups };
}

const eventScratch = new Uint16Array(8);

/** Whether the event string is the same address as `address`, in any spelling Ruler accepts. */
export function isSameIpAddress(address: IpAddress, text: string): boolean {
  if (parseIpInto(text, eventScratch) !== address.family) return false;
  for (let i = 0; i < 8; i++) if (eventScratch[i] !== address.groups[i]) return false;
  return true;
}

function looksLikeIpv4(text: string): boolean {
  // Ruler: [0-9]+\.[0-9]+\.[0-9]+\.[0-9]+ (whole string)
  let dots = 0;
  let digitsInRun = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x30 && code <= 0x39) {
      digitsInRun++;
    } else if (code === 0x2e && digitsInRun > 0 && dots < 3) {
      dots++;
      digitsInRun = 0;
    } else {
      return false;
    }
  }
  return dots === 3 && digitsInRun > 0;
}

function looksLikeIpv6(text: string): boolean {
  // Ruler: [0-9a-fA-F:]*:[0-9a-fA-F:]* (whole string)
  let colons = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x3a) colons++;
    else if (hexValue(code) < 0) return false;
  }
  return colons > 0;
}

/** java.net's IPv4 parser gives up on literals longer than "255.255.255.255". */
const MAX_IPV4_LITERAL_LENGTH = 15;

function parseIpv4Into(text: string, groups: Uint16Array): boolean {
  if (text.length > MAX_IPV4_LITERAL_LENGTH) return false;
  let high = 0;
  let octet = 0;
  let octetIndex = 0;
  for (let i = 0; i <= text.length; i++) {
    const code = i < text.length ? text.charCodeAt(i) : 0x2e;
    if (code !== 0x2e) {
      octet = octet * 10 + (code - 0x30);
      if (octet > 255) return false;
      continue;
    }
    if (octetIndex === 0 || octetIndex === 2) {
      high = octet;
    } else {
      groups[octetIndex === 1 ? 6 : 7] = (high << 8) | octet;
    }
    octetIndex++;
    octet = 0;
  }
  groups.fill(0, 0, 6);
  return true;
}

const ipv6Scratch = new Uint16Array(8);

function parseIpv6Into(text: string, groups: Uint16Array): boolean {
  const length = text.length;
  if (length < 2) return false;
  let position = 0;
  let groupCount = 0;
  let compressedAt = -1;
  if (text.charCodeAt(0) === 0x3a) {
    if (text.charCodeAt(1) !== 0x3a) return false;
    compressedAt = 0;
    position = 2;
  }
  while (position < length) {
    if (groupCount === 8) return false;
    let value = 0;
    let digits = 0;
    for (; position < length; position++) {
      const digit = hexValue(text.charCodeAt(position));
      if (digit < 0) break;
      if (++digits > 4) return false;
      value = value * 16 + digit;
    }
    if (digits === 0) return false;
    ipv6Scratch[groupCount++] = value;
    if (position === length) break;
    position++; // the ':' that ended the group
    if (text.charCodeAt(position) === 0x3a) {
      if (compressedAt >= 0) return false;
      compressedAt = groupCount;
      position++;
    } else if (position === length) {
      return false; // a single trailing ':'
    }
  }
  if (compressedAt < 0) {
    if (groupCount !== 8) return false;
    groups.set(ipv6Scratch);
    return true;
  }
  if (groupCount > 7) return false;
  const tailLength = groupCount - compressedAt;
  groups.fill(0);
  for (let i = 0; i < compressedAt; i++) groups[i] = ipv6Scratch[i]!;
  for (let i = 0; i < tailLength; i++) groups[8 - tailLength + i] = ipv6Scratch[compressedAt + i]!;
  return true;
}

function isIpv4Mapped(groups: Uint16Array): boolean {
  return groups[0] === 0 && groups[1] === 0 && groups[2] === 0 && groups[3] === 0 && groups[4] === 0 && groups[5] === 0xffff;
}

function unmapIpv4(groups: Uint16Array): 4 {
  groups[5] = 0;
  return 4;
}

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  if (code >= 0x41 && code <= 0x46) return code - 0x37;
  return -1;
}
