import ipaddr from 'ipaddr.js';

/**
 * Which addresses an outbound connection (a connector, an LLM provider: any URL a workspace admin
 * or an operator can type) may reach. Only public unicast addresses pass by default; every other
 * kind is refused unless the operator's allowlist names it. Pure: no DNS, no sockets (those are
 * in outbound-guard.ts), so the table of addresses is unit-tested exhaustively.
 */
export type AddressCategory =
  | 'public'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'carrier-grade-nat'
  | 'unspecified'
  | 'multicast'
  | 'broadcast'
  | 'reserved'
  | 'metadata';

/** Cloud instance metadata endpoints: never reachable, whatever the allowlist says (they hand out credentials). */
const METADATA_ADDRESSES = new Set(['169.254.169.254', '169.254.170.2', '169.254.169.253', '100.100.100.200', 'fd00:ec2::254', 'fd00:ec2::23']);
const METADATA_HOSTS = new Set(['metadata.google.internal', 'metadata.goog', 'metadata', 'instance-data', 'instance-data.ec2.internal', 'metadata.azure.internal']);

const NAT64_WELL_KNOWN = ipaddr.IPv6.parseCIDR('64:ff9b::/96');
const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parseCIDR('2000::/3');
const IPV4_COMPATIBLE_V6 = ipaddr.IPv6.parseCIDR('::/96');

const V4_CATEGORY: Partial<Record<string, AddressCategory>> = {
  unicast: 'public',
  loopback: 'loopback',
  private: 'private',
  linkLocal: 'link-local',
  carrierGradeNat: 'carrier-grade-nat',
  unspecified: 'unspecified',
  multicast: 'multicast',
  broadcast: 'broadcast',
};

const V6_CATEGORY: Partial<Record<string, AddressCategory>> = {
  loopback: 'loopback',
  uniqueLocal: 'private',
  linkLocal: 'link-local',
  unspecified: 'unspecified',
  multicast: 'multicast',
};

/** A v4 address from two 16-bit groups (NAT64 and 6to4 embed one that way). */
const v4FromGroups = (hi: number, lo: number) => new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);

function categoryOf(addr: ipaddr.IPv4 | ipaddr.IPv6): AddressCategory {
  if (METADATA_ADDRESSES.has(addr.toString())) return 'metadata';
  if (addr.kind() === 'ipv4') return V4_CATEGORY[addr.range()] ?? 'reserved';
  const v6 = addr as ipaddr.IPv6;
  // Forms that carry an IPv4 address reach that address: judge the embedded one.
  if (v6.isIPv4MappedAddress()) return categoryOf(v6.toIPv4Address());
  if (v6.match(NAT64_WELL_KNOWN)) return categoryOf(v4FromGroups(v6.parts[6], v6.parts[7]));
  const range = v6.range();
  if (range === '6to4') return categoryOf(v4FromGroups(v6.parts[1], v6.parts[2]));
  if (V6_CATEGORY[range]) return V6_CATEGORY[range]!;
  // Global unicast is 2000::/3; anything else (IPv4-compatible ::a.b.c.d, site-local fec0::/10, teredo,
  // local-use NAT64 64:ff9b:1::/48, documentation, discard...) is not a place a provider lives.
  if (range === 'unicast' && v6.match(GLOBAL_UNICAST_V6) && !v6.match(IPV4_COMPATIBLE_V6)) return 'public';
  return 'reserved';
}

/**
 * The host as a connection would use it: lower case, no brackets, no trailing dot, and IPv4
 * literals in any form inet_aton accepts (decimal 2130706433, octal 0177.0.0.1, hex 0x7f.1, short
 * 127.1) written as the dotted quad they mean; IPv6 in its canonical form.
 */
export function canonicalHost(host: string): string {
  const h = host.trim().replace(/^\[(.*)\]$/, '$1').replace(/\.+$/, '').toLowerCase();
  const zoneless = h.replace(/%.*$/, '');
  if (ipaddr.isValid(zoneless)) return ipaddr.parse(zoneless).toString();
  return h;
}

/** Whether the host (after canonicalHost) is an IP address literal. */
export function isIpLiteral(host: string): boolean {
  return ipaddr.isValid(canonicalHost(host));
}

/** The category of an IP address (any literal form); null when it is not an IP address. */
export function classifyAddress(address: string): AddressCategory | null {
  const canonical = canonicalHost(address);
  if (!ipaddr.isValid(canonical)) return null;
  return categoryOf(ipaddr.parse(canonical));
}

/**
 * Hosts and CIDRs the operator lets outbound connections reach although they are not public
 * (CONNECTOR_ALLOWED_HOSTS, e.g. `127.0.0.1,localhost,10.0.0.0/8`). A host name entry trusts
 * whatever that exact name resolves to; an address or CIDR entry matches the address connected to.
 */
export class OutboundAllowList {
  private constructor(
    private readonly hosts: ReadonlySet<string>,
    private readonly ranges: readonly [ipaddr.IPv4 | ipaddr.IPv6, number][],
  ) {}

  static readonly none = new OutboundAllowList(new Set(), []);

  /** Comma- or space-separated entries; throws on an entry that is neither a host name, an address nor a CIDR. */
  static parse(spec: string | readonly string[] | undefined | null): OutboundAllowList {
    const entries = (typeof spec === 'string' ? spec.split(/[\s,]+/) : (spec ?? [])).map((e) => e.trim()).filter(Boolean);
    const hosts = new Set<string>();
    const ranges: [ipaddr.IPv4 | ipaddr.IPv6, number][] = [];
    for (const entry of entries) {
      if (entry.includes('/')) {
        if (!ipaddr.isValidCIDR(entry)) throw new Error(`"${entry}" is not a host name, an IP address or a CIDR range`);
        const [addr, bits] = ipaddr.parseCIDR(entry);
        ranges.push(addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress() ? [(addr as ipaddr.IPv6).toIPv4Address(), Math.max(0, bits - 96)] : [addr, bits]);
        continue;
      }
      const host = canonicalHost(entry);
      if (ipaddr.isValid(host)) {
        const addr = ipaddr.parse(host);
        ranges.push([addr, addr.kind() === 'ipv4' ? 32 : 128]);
      } else if (/^[a-z0-9_]([a-z0-9_-]{0,62})(\.[a-z0-9_]([a-z0-9_-]{0,62}))*$/.test(host)) {
        hosts.add(host);
      } else {
        throw new Error(`"${entry}" is not a host name, an IP address or a CIDR range`);
      }
    }
    return new OutboundAllowList(hosts, ranges);
  }

  get isEmpty(): boolean {
    return this.hosts.size === 0 && this.ranges.length === 0;
  }

  allowsHost(host: string): boolean {
    return this.hosts.has(canonicalHost(host));
  }

  allowsAddress(address: string): boolean {
    const canonical = canonicalHost(address);
    if (!ipaddr.isValid(canonical)) return false;
    let addr = ipaddr.parse(canonical);
    if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress()) addr = (addr as ipaddr.IPv6).toIPv4Address();
    return this.ranges.some(([net, bits]) => net.kind() === addr.kind() && addr.match(net, bits));
  }
}

export interface OutboundRefusal {
  /** The host name the URL named (canonical). */
  host: string;
  /** The address that was refused (null when the name itself is refused). */
  address: string | null;
  category: AddressCategory;
}

/** A description of a refusal that is safe to store and show (names the host, never the address a name resolved to). */
export function describeRefusal(r: OutboundRefusal): string {
  const what = r.category === 'metadata' ? 'a cloud metadata endpoint' : `a ${r.category.replace(/-/g, ' ')} address`;
  return `connecting to ${r.host} was refused: it is ${what}, which outbound connections may not reach (see CONNECTOR_ALLOWED_HOSTS)`;
}

/**
 * The check of one address a connection is about to use. `host` is the name the URL gave (for
 * the allowlist's host entries). Metadata endpoints are refused even when allowlisted.
 */
export function checkAddress(host: string, address: string, allow: OutboundAllowList): OutboundRefusal | null {
  const category = classifyAddress(address);
  const refusal: OutboundRefusal = { host: canonicalHost(host), address: canonicalHost(address), category: category ?? 'reserved' };
  if (category === 'public') return null;
  if (category === 'metadata' || category === null) return refusal;
  return allow.allowsHost(host) || allow.allowsAddress(address) ? null : refusal;
}

/**
 * What can be judged from the name alone, before any DNS (a source's base URL when it is saved,
 * for an early 4xx): IP literals in any form, `localhost` names and metadata names. A name that
 * passes here is still checked at connect time, on the addresses it resolves to.
 */
export function checkHostName(host: string, allow: OutboundAllowList): OutboundRefusal | null {
  const h = canonicalHost(host);
  if (METADATA_HOSTS.has(h)) return { host: h, address: null, category: 'metadata' };
  if (ipaddr.isValid(h)) return checkAddress(h, h, allow);
  if (h === 'localhost' || h.endsWith('.localhost')) return allow.allowsHost(h) ? null : { host: h, address: null, category: 'loopback' };
  return null;
}
