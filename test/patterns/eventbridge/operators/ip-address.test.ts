import { describe, expect, it } from 'vitest';
import { ipShape, parseIpAddress } from '../../../../src/patterns/eventbridge/operators/ip-address.js';

const groups = (text: string): number[] | null => {
  const address = parseIpAddress(text);
  return address === null ? null : [address.family, ...address.groups];
};

// Expected values follow aws/event-ruler src/test/software/amazon/event/ruler/CIDRTest.java (TestToString,
// testToStringFailures) and java.net.InetAddress, which Ruler calls after its own shape test (CIDR.isIPv4OrIPv6).
describe('IP address literals', () => {
  it('parse IPv4 into the last two groups', () => {
    expect(groups('54.240.196.171')).toEqual([4, 0, 0, 0, 0, 0, 0, 0x36f0, 0xc4ab]);
    expect(groups('0.0.0.0')).toEqual([4, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(groups('255.255.255.255')).toEqual([4, 0, 0, 0, 0, 0, 0, 0xffff, 0xffff]);
    expect(groups('010.0.0.1')).toEqual(groups('10.0.0.1'));
  });

  it('parse IPv6, with or without "::"', () => {
    expect(groups('0011:2233:4455:6677:8899:aabb:ccdd:eeff')).toEqual([6, 0x11, 0x2233, 0x4455, 0x6677, 0x8899, 0xaabb, 0xccdd, 0xeeff]);
    expect(groups('2001:db8::ff00:42:8329')).toEqual([6, 0x2001, 0xdb8, 0, 0, 0, 0xff00, 0x42, 0x8329]);
    expect(groups('::1')).toEqual([6, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(groups('::')).toEqual([6, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(groups('2600:9000::')).toEqual([6, 0x2600, 0x9000, 0, 0, 0, 0, 0, 0]);
    expect(groups('1:2:3:4:5:6:7::')).toEqual([6, 1, 2, 3, 4, 5, 6, 7, 0]);
  });

  it('read IPv4-mapped IPv6 addresses as IPv4', () => {
    expect(groups('::ffff:a00:1')).toEqual(groups('10.0.0.1'));
    expect(groups('::a00:1')?.[0]).toBe(6);
  });

  it.each([
    '700.168.0.1',
    'foo',
    '192.-3.0.1',
    '10.10.10.10.10',
    '2.1.0.-1',
    '2400:6500:3:3:-5:3:3:3:3:3FF00::36FB:1F80',
    '0000000000010.0.0.1',
    '1.2.3',
    '1..2.3',
    ':1',
    '1:',
    '1::2::3',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7:8::',
    '12345::',
    '::ffff:1.2.3.4',
    'fe80::1%eth0',
    '',
  ])('refuse %j', (text) => {
    expect(parseIpAddress(text)).toBeNull();
  });

  it('report the shape Ruler uses to choose its error message', () => {
    expect(ipShape('999.1.1.1')).toBe(4);
    expect(ipShape('08:23')).toBe(6);
    expect(ipShape('xx.11.xx')).toBeNull();
    expect(ipShape('host.example')).toBeNull();
  });
});
