/**
 * The kinds of address the IP explorer knows (app/_lib/ip-explorer.ts does the analysis): for each
 * range, its name, where it is defined, its blocks as CIDR text and a plain-words explanation for a
 * learner. Keyed by ipaddr.js's range names, with finer ranges where those names are coarse, so this
 * is data for the analysis code rather than lesson text (docs/architecture.md says why it lives here).
 */
export type IpVersion = 4 | 6;

export type KindId =
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'uniqueLocal'
  | 'linkLocal'
  | 'carrierGradeNat'
  | 'multicast'
  | 'broadcast'
  | 'documentation'
  | 'benchmarking'
  | 'ipv4Mapped'
  | 'ipv4Compatible'
  | 'transition'
  | 'specialPurpose'
  | 'reserved'
  | 'public'
  /** A CIDR block that spans several of the kinds above. */
  | 'mixed';

export interface AddressKind {
  /** Coarse category, stable for tests and colours. */
  id: KindId;
  /** Short name shown as the answer, e.g. "Private (RFC 1918)". */
  label: string;
  /** One or two plain sentences for a learner. */
  explain: string;
  /** Where the range is defined. */
  rfc: string;
  /** The blocks this kind covers, as CIDR text. */
  ranges: readonly string[];
}

function kind(id: KindId, label: string, rfc: string, ranges: readonly string[], explain: string): AddressKind {
  return { id, label, rfc, ranges, explain };
}

/** What each ipaddr.js IPv4 range name means, in words. */
export const V4_BY_RANGE_NAME: Record<string, AddressKind> = {
  // ipaddr.js calls all of 0.0.0.0/8 "unspecified"; only 0.0.0.0 itself is (see V4_REFINEMENTS).
  unspecified: kind('reserved', '“This network” (reserved)', 'RFC 1122 §3.2.1.3', ['0.0.0.0/8'],
    'Addresses in 0.0.0.0/8 mean “this host on this network” before a machine knows its own address. They are never a valid destination.'),
  broadcast: kind('broadcast', 'Limited broadcast', 'RFC 919, RFC 922', ['255.255.255.255/32'],
    'Sent to every machine on the local network segment at once. Routers never forward it; a DHCP client uses it to find a server before it has an address.'),
  multicast: kind('multicast', 'Multicast', 'RFC 5771', ['224.0.0.0/4'],
    'A group address: one packet is delivered to every machine that joined the group. Only datagram (UDP) sockets can use it; TCP cannot.'),
  linkLocal: kind('linkLocal', 'Link-local', 'RFC 3927', ['169.254.0.0/16'],
    'A machine gives itself one of these when no DHCP server answers. It works only on the local link and routers never forward it, so seeing one usually means DHCP failed.'),
  loopback: kind('loopback', 'Loopback', 'RFC 1122 §3.2.1.3', ['127.0.0.0/8'],
    'Never leaves your machine: the kernel hands the packet straight back. The whole 127.0.0.0/8 block is loopback, not just 127.0.0.1, which makes it ideal for practising sockets.'),
  carrierGradeNat: kind('carrierGradeNat', 'Shared address space (carrier-grade NAT)', 'RFC 6598', ['100.64.0.0/10'],
    'Used by internet providers between their own NAT and your router, so your router may have one of these instead of a public address. Not routed on the internet and not meant for your own LAN.'),
  private: kind('private', 'Private', 'RFC 1918', ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'],
    'Anyone may use these inside a home, school or company network, so the same address exists in millions of places. The internet does not route them: to get out, a NAT router swaps in its public address.'),
  // ipaddr.js's "reserved" mixes documentation, benchmarking and future use; V4_REFINEMENTS splits it.
  reserved: kind('reserved', 'Reserved', 'RFC 6890', [],
    'Set aside by the IETF for a special purpose; not an ordinary address for a machine on the internet.'),
  as112: kind('public', 'Public: AS112 DNS service', 'RFC 7534, RFC 7535', ['192.175.48.0/24', '192.31.196.0/24'],
    'Public anycast addresses of the AS112 servers, which absorb stray reverse-DNS queries about private addresses.'),
  amt: kind('public', 'Public: AMT relay anycast', 'RFC 7450', ['192.52.193.0/24'],
    'Public anycast addresses used to tunnel multicast across parts of the internet that do not carry it.'),
  unicast: kind('public', 'Public (global unicast)', 'RFC 791; IANA IPv4 registry', [],
    'A public address: unique on the whole internet and routed to one network. Servers you reach on the internet have one, and so (usually) does the internet side of your home router.'),
};

/** What each ipaddr.js IPv6 range name means, in words. */
export const V6_BY_RANGE_NAME: Record<string, AddressKind> = {
  unspecified: kind('unspecified', 'Unspecified', 'RFC 4291 §2.5.2', ['::/128'],
    'All zeros: “no address”. A server that binds :: listens on every interface (and, unless the IPV6_V6ONLY option is set, accepts IPv4 clients too). Never a destination.'),
  loopback: kind('loopback', 'Loopback', 'RFC 4291 §2.5.3', ['::1/128'],
    'This machine, over IPv6. Packets to ::1 never leave it. Unlike IPv4’s whole 127.0.0.0/8, IPv6 has exactly one loopback address.'),
  linkLocal: kind('linkLocal', 'Link-local', 'RFC 4291 §2.5.6', ['fe80::/10'],
    'Every IPv6 interface makes one for itself. It is valid only on one link, so the same address can exist on two interfaces; that is why it is often written with a zone, like fe80::1%eth0.'),
  multicast: kind('multicast', 'Multicast', 'RFC 4291 §2.7', ['ff00::/8'],
    'A group address: one packet reaches every machine that joined the group. IPv6 has no broadcast; multicast (for example ff02::1, all nodes on the link) does that job.'),
  uniqueLocal: kind('uniqueLocal', 'Unique local (IPv6 private)', 'RFC 4193', ['fc00::/7'],
    'IPv6’s private addresses: for use inside a site, not routed on the internet.'),
  ipv4Mapped: kind('ipv4Mapped', 'IPv4-mapped', 'RFC 4291 §2.5.5.2', ['::ffff:0:0/96'],
    'An IPv4 address written as IPv6. You meet these when an IPv6 socket accepts an IPv4 client: the kernel reports 192.0.2.1 as ::ffff:192.0.2.1. They never appear on the wire.'),
  deprecatedSiteLocal: kind('reserved', 'Site-local (deprecated)', 'RFC 3879', ['fec0::/10'],
    'The first attempt at private IPv6 addresses, abandoned in 2004 in favour of unique local addresses (fc00::/7).'),
  discard: kind('specialPurpose', 'Discard-only', 'RFC 6666', ['100::/64'],
    'Traffic sent here is thrown away on purpose; operators route attack traffic to it.'),
  rfc6145: kind('transition', 'IPv4-translated (SIIT)', 'RFC 6145', ['::ffff:0:0:0/96'],
    'Used by stateless IPv4/IPv6 translators to stand for an IPv4 host.'),
  rfc6052: kind('transition', 'NAT64 prefix', 'RFC 6052, RFC 8215', ['64:ff9b::/96', '64:ff9b:1::/48'],
    'An IPv6-only machine reaches an IPv4 server through a NAT64 gateway by writing the IPv4 address in the last 32 bits, e.g. 64:ff9b::c000:201 for 192.0.2.1.'),
  '6to4': kind('transition', '6to4 (transition)', 'RFC 3056', ['2002::/16'],
    'An old way of carrying IPv6 inside IPv4: the next 32 bits are the IPv4 address of the tunnel end.'),
  teredo: kind('transition', 'Teredo (transition)', 'RFC 4380', ['2001::/32'],
    'An old way of tunnelling IPv6 through IPv4 NATs over UDP.'),
  benchmarking: kind('benchmarking', 'Benchmarking', 'RFC 5180', ['2001:2::/48'],
    'Reserved for testing network equipment in a lab; not routed on the internet.'),
  amt: kind('public', 'Public: AMT relay anycast', 'RFC 7450', ['2001:3::/32'],
    'Public anycast addresses used to tunnel multicast across networks that do not carry it.'),
  as112v6: kind('public', 'Public: AS112 DNS service', 'RFC 7534, RFC 7535', ['2001:4:112::/48', '2620:4f:8000::/48'],
    'Public anycast addresses of the AS112 servers, which absorb stray reverse-DNS queries.'),
  deprecatedOrchid: kind('specialPurpose', 'ORCHID (deprecated)', 'RFC 4843', ['2001:10::/28'],
    'Cryptographic identifiers that look like addresses; not routable. Replaced by ORCHIDv2.'),
  orchid2: kind('specialPurpose', 'ORCHIDv2', 'RFC 7343', ['2001:20::/28'],
    'Cryptographic identifiers that look like addresses (used by the Host Identity Protocol); not routable.'),
  droneRemoteIdProtocolEntityTags: kind('specialPurpose', 'Drone Remote ID tags', 'RFC 9374', ['2001:30::/28'],
    'Identifiers for unmanned aircraft; they look like addresses but are not routed.'),
  segmentRouting: kind('specialPurpose', 'Segment routing (SRv6) SIDs', 'RFC 9602', ['5f00::/16'],
    'Identifiers used inside an operator’s network for segment routing, not ordinary host addresses.'),
  reserved: kind('specialPurpose', 'IETF special purpose', 'RFC 2928', ['2001::/23'],
    'Set aside by the IETF for protocol assignments; not an ordinary host address.'),
  // Outside 2000::/3 ipaddr.js still says "unicast"; V6_REFINEMENTS narrows it.
  unicast: kind('reserved', 'Reserved (not allocated)', 'RFC 4291 §2.4; IANA IPv6 address space', [],
    'IANA has not handed out this part of the IPv6 space yet; today’s public addresses all start with 2 or 3 (2000::/3).'),
};

/**
 * Finer ranges where an ipaddr.js range name is coarse. Each entry refines one ipaddr.js name and is
 * matched with ipaddr.js; the first match wins.
 */
export interface Refinement {
  refines: string;
  kind: AddressKind;
}

const TEST_NET_EXPLAIN =
  'Reserved for examples in books and documentation, so an example can never reach a real machine by accident. Never assigned to anyone.';

export const V4_REFINEMENTS: Refinement[] = [
  { refines: 'unspecified', kind: kind('unspecified', 'Unspecified', 'RFC 1122 §3.2.1.3', ['0.0.0.0/32'],
    'Means “no particular address”. A server that binds 0.0.0.0 accepts connections on every interface of the machine; as a destination it is not valid.') },
  // RFC 5737: TEST-NET-1, -2 and -3.
  { refines: 'reserved', kind: kind('documentation', 'Documentation (TEST-NET-1)', 'RFC 5737', ['192.0.2.0/24'], TEST_NET_EXPLAIN) },
  { refines: 'reserved', kind: kind('documentation', 'Documentation (TEST-NET-2)', 'RFC 5737', ['198.51.100.0/24'], TEST_NET_EXPLAIN) },
  { refines: 'reserved', kind: kind('documentation', 'Documentation (TEST-NET-3)', 'RFC 5737', ['203.0.113.0/24'], TEST_NET_EXPLAIN) },
  // RFC 2544 (appendix C.2.2, corrected by errata): network device benchmarking.
  { refines: 'reserved', kind: kind('benchmarking', 'Benchmarking', 'RFC 2544', ['198.18.0.0/15'],
    'Reserved for testing network equipment in a lab; not routed on the internet.') },
  // RFC 6890 §2.2.2: IETF protocol assignments.
  { refines: 'reserved', kind: kind('specialPurpose', 'IETF protocol assignments', 'RFC 6890', ['192.0.0.0/24'],
    'Special-purpose addresses handed to particular protocols (for example 192.0.0.8, the dummy address of RFC 7600), not to ordinary machines.') },
  // RFC 7526 deprecated the 6to4 relay anycast prefix of RFC 3068.
  { refines: 'reserved', kind: kind('reserved', '6to4 relay anycast (deprecated)', 'RFC 7526', ['192.88.99.0/24'],
    'Once the anycast address of 6to4 relays that carried IPv6 over IPv4; deprecated since 2015.') },
  // RFC 1112 §4: the former "class E", reserved for future use.
  { refines: 'reserved', kind: kind('reserved', 'Reserved for future use (former class E)', 'RFC 1112 §4', ['240.0.0.0/4'],
    'Held back since 1989 “for future use”. Most operating systems and routers refuse to send to or from it.') },
  // RFC 5771 §4: Local Network Control Block, never forwarded by routers.
  { refines: 'multicast', kind: kind('multicast', 'Multicast, local network control', 'RFC 5771 §4', ['224.0.0.0/24'],
    'Multicast that stays on the local link, never forwarded by routers: 224.0.0.1 is all hosts, 224.0.0.251 is mDNS (how “printer.local” is found).') },
];

export const V6_REFINEMENTS: Refinement[] = [
  // RFC 3849 and RFC 9637: documentation prefixes.
  { refines: 'reserved', kind: kind('documentation', 'Documentation', 'RFC 3849', ['2001:db8::/32'], TEST_NET_EXPLAIN) },
  { refines: 'reserved', kind: kind('documentation', 'Documentation', 'RFC 9637', ['3fff::/20'], TEST_NET_EXPLAIN) },
  // RFC 4291 §2.4 / §2.5.4: global unicast is 2000::/3 today.
  { refines: 'unicast', kind: kind('public', 'Public (global unicast)', 'RFC 4291 §2.5.4', ['2000::/3'],
    'A public IPv6 address: unique on the whole internet and routed to one network. With IPv6 every device can have one, so no NAT is needed; a firewall still decides what may come in.') },
  // RFC 4291 §2.5.5.1: IPv4-compatible addresses, deprecated.
  { refines: 'unicast', kind: kind('ipv4Compatible', 'IPv4-compatible (deprecated)', 'RFC 4291 §2.5.5.1', ['::/96'],
    'An old way of writing an IPv4 address inside IPv6 (::192.0.2.1), deprecated in 2006. Today IPv4 inside IPv6 is written IPv4-mapped: ::ffff:192.0.2.1.') },
  // RFC 4193 §3.1: the L bit. fd00::/8 is locally assigned; fc00::/8 is left undefined.
  { refines: 'uniqueLocal', kind: kind('uniqueLocal', 'Unique local (IPv6 private)', 'RFC 4193', ['fd00::/8'],
    'IPv6’s private addresses: used inside a site, not routed on the internet. After fd come 40 random bits, so two networks that merge rarely clash (unlike two 192.168.1.0/24 LANs).') },
  { refines: 'uniqueLocal', kind: kind('uniqueLocal', 'Unique local, fc00::/8 half (not yet defined)', 'RFC 4193 §3.2', ['fc00::/8'],
    'Part of the unique local block, but RFC 4193 only defines the fd00::/8 half; fc00::/8 is kept for a future way of assigning them. Use fd00::/8 addresses.') },
];

/** IPv6 multicast scope, from the 4 bits after ff (RFC 4291 §2.7, RFC 7346). */
export const V6_MULTICAST_SCOPES: Record<number, string> = {
  0x1: 'interface-local (this machine only)',
  0x2: 'link-local (this network segment)',
  0x3: 'realm-local',
  0x4: 'admin-local',
  0x5: 'site-local',
  0x8: 'organization-local',
  0xe: 'global',
};

export const WELL_KNOWN_GROUPS: Record<string, string> = {
  'ff02::1': 'all nodes on this link',
  'ff02::2': 'all routers on this link',
  'ff02::fb': 'mDNS',
  'ff02::1:2': 'all DHCPv6 servers and relays',
  '224.0.0.1': 'all hosts on this network',
  '224.0.0.2': 'all routers on this network',
  '224.0.0.251': 'mDNS',
};

/** A CIDR block that spans several kinds; a /0 is every address, the default route. */
export function mixedKind(version: IpVersion, prefix: number, note: string): AddressKind {
  if (prefix === 0) {
    return kind('mixed', 'Every address (the default route)', version === 4 ? 'RFC 4632' : 'RFC 4291', [version === 4 ? '0.0.0.0/0' : '::/0'],
      `A /0 fixes no bits at all, so it holds every IPv${version} address. Routing tables use it as the default route: “anything not matched by a longer prefix goes this way”.`);
  }
  return kind('mixed', 'A block of several kinds', 'RFC 6890', [], note);
}
