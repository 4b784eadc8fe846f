import { AddressCategory, canonicalHost, checkAddress, checkHostName, classifyAddress, OutboundAllowList } from './address-policy';

describe('outbound address policy', () => {
  // Every form an attacker could write an inward address in, and what it is.
  const table: [string, AddressCategory][] = [
    // IPv4 loopback, also in the odd literal forms inet_aton (and so getaddrinfo) accepts
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['2130706433', 'loopback'],
    ['0177.0.0.1', 'loopback'],
    ['0x7f.1', 'loopback'],
    ['0x7f000001', 'loopback'],
    ['127.1', 'loopback'],
    // private (RFC 1918), CGNAT, link-local, unspecified, broadcast, multicast, reserved
    ['10.0.0.1', 'private'],
    ['012.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['0xc0.0xa8.1.1', 'private'],
    ['3232235777', 'private'],
    ['100.64.0.1', 'carrier-grade-nat'],
    ['100.127.255.254', 'carrier-grade-nat'],
    ['169.254.1.1', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['0', 'unspecified'],
    ['255.255.255.255', 'broadcast'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['192.0.2.10', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['240.0.0.1', 'reserved'],
    // metadata endpoints
    ['169.254.169.254', 'metadata'],
    ['0xa9fea9fe', 'metadata'],
    ['2852039166', 'metadata'],
    ['fd00:ec2::254', 'metadata'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['64:ff9b::a9fe:a9fe', 'metadata'],
    // IPv6 loopback, unspecified, ULA (fc00::/7), link-local (fe80::/10), multicast
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['::', 'unspecified'],
    ['fc00::1', 'private'],
    ['fd12:3456::1', 'private'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['febf::1', 'link-local'],
    ['ff02::1', 'multicast'],
    // IPv4 inside IPv6: mapped, NAT64 (64:ff9b::/96), 6to4, IPv4-compatible
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['[::ffff:10.0.0.1]', 'private'],
    ['0:0:0:0:0:ffff:192.168.0.1', 'private'],
    ['64:ff9b::127.0.0.1', 'loopback'],
    ['64:ff9b::7f00:1', 'loopback'],
    ['64:ff9b::a00:1', 'private'],
    ['2002:7f00:1::1', 'loopback'],
    ['2002:c0a8:101::1', 'private'],
    // (ipaddr.js reads ::a.b.c.d as the mapped form; refused either way)
    ['::127.0.0.1', 'loopback'],
    ['::7f00:1', 'reserved'],
    ['64:ff9b:1::a00:1', 'reserved'],
    ['fec0::1', 'reserved'],
    ['2001:db8::1', 'reserved'],
    ['2001::1', 'reserved'],
    ['100::1', 'reserved'],
    // public
    ['8.8.8.8', 'public'],
    ['93.184.215.14', 'public'],
    ['::ffff:8.8.8.8', 'public'],
    ['64:ff9b::808:808', 'public'],
    ['2606:4700:4700::1111', 'public'],
    ['2a00:1450:4007:80e::200e', 'public'],
  ];

  it.each(table)('%s is %s', (address, category) => {
    expect(classifyAddress(address)).toBe(category);
  });

  it('says null for what is not an IP address', () => {
    expect(classifyAddress('chatwoot.example.com')).toBeNull();
    expect(classifyAddress('localhost')).toBeNull();
  });

  it('writes hosts the way a connection uses them', () => {
    expect(canonicalHost('LOCALHOST.')).toBe('localhost');
    expect(canonicalHost('0x7f.1')).toBe('127.0.0.1');
    expect(canonicalHost('[0:0:0:0:0:ffff:127.0.0.1]')).toBe('::ffff:7f00:1');
    expect(canonicalHost('Api.Example.COM')).toBe('api.example.com');
  });

  describe('checkAddress (at connect time)', () => {
    it('lets public addresses through and refuses every other kind without an allowlist', () => {
      const none = OutboundAllowList.none;
      for (const [address, category] of table) {
        const refusal = checkAddress('provider.example', address, none);
        if (category === 'public') expect(refusal).toBeNull();
        else expect(refusal).toMatchObject({ host: 'provider.example', category });
      }
    });

    it('lets the allowlist open host names, addresses and CIDRs, but never a metadata endpoint', () => {
      const allow = OutboundAllowList.parse('127.0.0.1, localhost 10.0.0.0/8,fd00:1234::/32');
      expect(checkAddress('whatever.example', '127.0.0.1', allow)).toBeNull();
      expect(checkAddress('whatever.example', '::ffff:127.0.0.1', allow)).toBeNull();
      expect(checkAddress('whatever.example', '127.0.0.2', allow)).toMatchObject({ category: 'loopback' });
      expect(checkAddress('localhost', '::1', allow)).toBeNull();
      expect(checkAddress('LOCALHOST.', '127.0.0.5', allow)).toBeNull();
      expect(checkAddress('whatever.example', '10.20.30.40', allow)).toBeNull();
      expect(checkAddress('whatever.example', '012.1.2.3', allow)).toBeNull();
      expect(checkAddress('whatever.example', '11.0.0.1', allow)).toBeNull();
      expect(checkAddress('whatever.example', '192.168.0.1', allow)).toMatchObject({ category: 'private' });
      expect(checkAddress('whatever.example', 'fd00:1234::5', allow)).toBeNull();
      expect(checkAddress('whatever.example', 'fd00:1235::5', allow)).toMatchObject({ category: 'private' });
      const broad = OutboundAllowList.parse('169.254.0.0/16,metadata.google.internal');
      expect(checkAddress('metadata.google.internal', '169.254.169.254', broad)).toMatchObject({ category: 'metadata' });
      expect(checkAddress('x.example', '169.254.1.1', broad)).toBeNull();
    });

    it('refuses an allowlist entry that is none of host, address or CIDR', () => {
      expect(() => OutboundAllowList.parse('10.0.0.0/33')).toThrow(/not a host name, an IP address or a CIDR range/);
      expect(() => OutboundAllowList.parse('http://x')).toThrow(/not a host name/);
      expect(OutboundAllowList.parse('').isEmpty).toBe(true);
    });
  });

  describe('checkHostName (before DNS, when a URL is saved)', () => {
    it('refuses literal inward addresses in any form, localhost names and metadata names; leaves other names to connect time', () => {
      const none = OutboundAllowList.none;
      for (const host of ['127.0.0.1', '2130706433', '0177.0.0.1', '0x7f.1', '[::1]', '[::ffff:127.0.0.1]', 'localhost', 'LocalHost.', 'api.localhost', '169.254.169.254', 'metadata.google.internal', 'METADATA.GOOGLE.INTERNAL.']) {
        expect({ host, refused: checkHostName(host, none) !== null }).toEqual({ host, refused: true });
      }
      expect(checkHostName('chatwoot.example.com', none)).toBeNull();
      expect(checkHostName('8.8.8.8', none)).toBeNull();
      const allow = OutboundAllowList.parse('127.0.0.1,localhost');
      expect(checkHostName('127.0.0.1', allow)).toBeNull();
      expect(checkHostName('0x7f.0.0.1', allow)).toBeNull();
      expect(checkHostName('localhost', allow)).toBeNull();
      expect(checkHostName('metadata.google.internal', OutboundAllowList.parse('metadata.google.internal'))).toMatchObject({ category: 'metadata' });
    });
  });
});
