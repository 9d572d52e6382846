import { describe, expect, it } from 'vitest';
import { expectPatternError } from '../support/expect-pattern-error.js';
import { accepts } from '../support/match-helpers.js';

const cidr = (block: string): unknown[] => [{ cidr: block }];

describe('cidr matching', () => {
  // "sourceIPAddress": [{"cidr": "10.0.0.0/24"}] and IPv6 support
  // (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html;
  // AWS-recorded: localstack/localstack tests/aws/services/events/event_pattern_templates/content_ip_address.json5,
  // content_ip_address_NEG.json5, content_ip_address_v6.json5, content_ip_address_v6_NEG.json5).
  it('matches IPv4 addresses inside the block', () => {
    expect(accepts(cidr('10.0.0.0/24'), '10.0.0.0')).toBe(true);
    expect(accepts(cidr('10.0.0.0/24'), '10.0.0.255')).toBe(true);
    expect(accepts(cidr('10.0.0.0/24'), '10.0.1.0')).toBe(false);
    expect(accepts(cidr('10.0.0.0/24'), '9.255.255.255')).toBe(false);
    expect(accepts(cidr('0.0.0.0/0'), '203.0.113.9')).toBe(true);
    expect(accepts(cidr('192.168.1.128/31'), '192.168.1.129')).toBe(true);
    expect(accepts(cidr('192.168.1.128/31'), '192.168.1.130')).toBe(false);
    expect(accepts(cidr('13.32.0.0/15'), '13.33.255.1')).toBe(true);
  });

  it('matches IPv6 addresses inside the block, in any spelling', () => {
    expect(accepts(cidr('2001:db8:1234:1a00::/64'), '2001:0db8:1234:1a00:0000:0000:0000:0000')).toBe(true);
    expect(accepts(cidr('2001:db8:1234:1a00::/64'), '2001:DB8:1234:1A00:FFFF::1')).toBe(true);
    expect(accepts(cidr('2001:db8:1234:1a00::/64'), '2001:db8:1234:1a01::')).toBe(false);
    expect(accepts(cidr('2600:1f14::/35'), '2600:1f14:1fff:ffff::1')).toBe(true);
    expect(accepts(cidr('2600:1f14::/35'), '2600:1f14:2000::1')).toBe(false);
  });

  // Families never mix: Ruler compares 8 hex digits for IPv4 and 32 for IPv6 (aws/event-ruler CIDR.java), and
  // java.net.InetAddress reads IPv4-mapped IPv6 ("::ffff:a00:1") as IPv4.
  it('keeps IPv4 and IPv6 apart, reading IPv4-mapped addresses as IPv4', () => {
    expect(accepts(cidr('::/0'), '10.0.0.1')).toBe(false);
    expect(accepts(cidr('10.0.0.0/8'), '::a00:1')).toBe(false);
    expect(accepts(cidr('10.0.0.0/8'), '::ffff:a00:1')).toBe(true);
  });

  // A network address with host bits set is the block it falls in: "54.240.196.171/24" covers 54.240.196.0-255
  // (aws/event-ruler src/test/software/amazon/event/ruler/CIDRTest.java TestCorrectRanges).
  it('ignores host bits in the block address', () => {
    expect(accepts(cidr('54.240.196.171/24'), '54.240.196.1')).toBe(true);
    expect(accepts(cidr('54.240.196.171/24'), '54.240.197.1')).toBe(false);
    expect(accepts(cidr('2001:db8::ff00:42:8329/24'), '2001:d00::1')).toBe(true);
  });

  // AWS-recorded: content_ip_address_bad_type_NEG.json5 (the number 123). Hostnames and malformed addresses are
  // not addresses, so they are outside every block.
  it('never matches non-addresses', () => {
    for (const value of [123, 167772161, null, true, 'ec2.amazonaws.com', '10.0.0', '10.0.0.256', '10.0.0.1 ', '', '::ffff:10.0.0.1']) {
      expect(accepts(cidr('0.0.0.0/0'), value)).toBe(false);
    }
    expect(accepts(cidr('::/0'), 'fe80::1%eth0')).toBe(false);
    expect(accepts(cidr('::/0'), '1:2:3:4:5:6:7:8:9')).toBe(false);
  });

  it('accepts decimal octets with leading zeros, as Ruler reads them', () => {
    expect(accepts(cidr('10.0.0.0/8'), '010.001.002.003')).toBe(true);
    expect(accepts(cidr('0177.0.0.0/8'), '177.1.2.3')).toBe(true);
  });
});

describe('cidr validation', () => {
  // Messages recorded from EventBridge: "Malformed CIDR, one '/' required", "Malformed CIDR, mask bits must be an
  // integer", "Nonstandard IP address: xx.11.xx", "Nonstandard IP address: xxxx:db8:1234:1a00::" (AWS-recorded:
  // content_ip_address_EXC, content_ip_address_bad_mask_EXC, content_ip_address_bad_ip_EXC,
  // content_ip_address_v6_bad_ip_EXC). The mask limits are Ruler's: "IPv4 mask bits must be < 32", "IPv6 mask bits
  // must be < 128" (aws/event-ruler CIDR.java; CIDRTest.SpotMalformedCIDRs).
  it.each([
    ['10.0.0.0', /exactly one '\/'/],
    ['10.0.0.0/8/8', /exactly one '\/'/],
    ['10.0.0.0/', /exactly one '\/'/],
    ['10.0.0.0/xx', /mask bits must be an integer/],
    ['10.0.0.0/2.5', /mask bits must be an integer/],
    ['10.0.0.0/ 8', /mask bits must be an integer/],
    ['10.0.0.0/-1', /must not be negative/],
    ['xx.11.xx/24', /nonstandard IP address "xx.11.xx"/],
    ['xxxx:db8:1234:1a00::/64', /nonstandard IP address "xxxx:db8:1234:1a00::"/],
    ['/24', /nonstandard IP address ""/],
    ['10.10.10.10.10/3', /nonstandard IP address/],
    ['700.168.0.1/8', /invalid IP address "700.168.0.1"/],
    ['2400:6500:3:3:3:3:3:3:3:3FF00::36FB:1F80/122', /invalid IP address/],
    ['10.0.0.1/32', /IPv4 mask bits must be < 32/],
    ['192.168.0.1/33', /IPv4 mask bits must be < 32/],
    ['2001:db8::1/128', /IPv6 mask bits must be < 128/],
    ['2400:6500:FF00::36FB:1F80/222', /IPv6 mask bits must be < 128/],
    ['::ffff:a00:0/104', /IPv4 mask bits must be < 32/],
  ])('refuses %j', (block, reason) => {
    expectPatternError({ detail: { sourceIPAddress: cidr(block) } }, { key: 'detail.sourceIPAddress', shows: JSON.stringify(block), reason });
  });

  it('accepts a signed mask, as Integer.parseInt does', () => {
    expect(accepts(cidr('10.0.0.0/+8'), '10.1.2.3')).toBe(true);
  });
});
