import { invalidPattern } from '../syntax/invalid-pattern.js';
import { type IpFamily, ipShape, parseIpAddress, parseIpInto } from './ip-address.js';

/**
 * `{"cidr": "10.0.0.0/24"}`, validated and matched as Ruler does it (aws/event-ruler CIDR.java):
 *  - exactly one '/', an integer mask (Java Integer.parseInt: an optional sign, decimal digits);
 *  - IPv4 masks must be < 32 and IPv6 masks < 128 ("/32" and "/128" are refused — use an exact string instead);
 *  - host bits after the mask are ignored: "10.0.0.7/24" is the block 10.0.0.0/24 (CIDRTest.TestCorrectRanges);
 *  - only strings that parse as addresses of the same family match; anything else (numbers, hostnames) does not.
 */
export interface CidrBlock {
  readonly text: string;
  readonly family: IpFamily;
  /** The block's first address, as eight 16-bit groups. */
  readonly network: Uint16Array;
  /** Per group, the bits that must equal `network`. */
  readonly groupMasks: Uint16Array;
}

export function parseCidr(text: string, keyPath: string): CidrBlock {
  const parts = javaSplit(text, '/');
  if (parts.length !== 2) throw invalidPattern(keyPath, text, "malformed CIDR, exactly one '/' is required");
  const [addressText, maskText] = parts as [string, string];
  const maskBits = parseJavaInt(maskText);
  if (maskBits === null) throw invalidPattern(keyPath, text, 'malformed CIDR, the mask bits must be an integer');
  if (maskBits < 0) throw invalidPattern(keyPath, text, 'malformed CIDR, the mask bits must not be negative');
  if (ipShape(addressText) === null) throw invalidPattern(keyPath, text, `nonstandard IP address "${addressText}"`);
  const address = parseIpAddress(addressText);
  if (address === null) throw invalidPattern(keyPath, text, `invalid IP address "${addressText}"`);
  if (address.family === 4 && maskBits > 31) throw invalidPattern(keyPath, text, 'IPv4 mask bits must be < 32');
  if (address.family === 6 && maskBits > 127) throw invalidPattern(keyPath, text, 'IPv6 mask bits must be < 128');

  const prefixBits = address.family === 4 ? 96 + maskBits : maskBits;
  const groupMasks = new Uint16Array(8);
  const network = new Uint16Array(8);
  for (let i = 0; i < 8; i++) {
    const bitsInGroup = Math.max(0, Math.min(16, prefixBits - i * 16));
    groupMasks[i] = bitsInGroup === 0 ? 0 : (0xffff << (16 - bitsInGroup)) & 0xffff;
    network[i] = address.groups[i]! & groupMasks[i]!;
  }
  return { text, family: address.family, network, groupMasks };
}

const eventScratch = new Uint16Array(8);

export function cidrContains(block: CidrBlock, value: string): boolean {
  if (parseIpInto(value, eventScratch) !== block.family) return false;
  for (let i = 0; i < 8; i++) {
    if (((eventScratch[i]! ^ block.network[i]!) & block.groupMasks[i]!) !== 0) return false;
  }
  return true;
}

/** String.split as Java does it: trailing empty strings are dropped, so "10.0.0.0/" has one part, not two. */
function javaSplit(text: string, separator: string): string[] {
  const parts = text.split(separator);
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** Integer.parseInt: optional sign, decimal digits, within 32 bits; anything else is not an integer. */
function parseJavaInt(text: string): number | null {
  if (!/^[+-]?[0-9]+$/.test(text)) return null;
  const value = Number(text);
  return value >= -2147483648 && value <= 2147483647 ? value : null;
}
