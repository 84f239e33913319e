/**
 * The logic behind <IpExplorer>: parse what a learner typed, classify it, and lay out its bits.
 * All parsing, range names and CIDR matching come from ipaddr.js; this module only adds
 * strictness (plain dotted decimal), plain-words explanations, and finer ranges where ipaddr.js
 * is coarse. No React and no zod here: it ships to the browser with every lesson that uses it.
 * The tables of address kinds (names, RFCs, ranges, explanations) are in ip-explorer/address-kinds.ts.
 *
 * Decisions (also shown to learners by the widget):
 * - IPv4 must be plain dotted decimal. `010.0.0.1`, `0x7f.1`, `10.1` or `3232235777` parse in
 *   ipaddr.js (as inet_aton() would read them) but are refused with an explanation, because
 *   programs disagree about them (octal vs decimal) and that disagreement has caused real bugs.
 * - An IPv6 zone (`fe80::1%eth0`) is accepted on a single address, not on a CIDR block. It names
 *   the interface (RFC 4007), is not part of the 128 bits, and only matters for link-scoped
 *   addresses. Zone names may use letters, digits, `.`, `_` and `-` (Linux interface names).
 * - `::1.2.3.4` is the deprecated IPv4-compatible form (RFC 4291 2.5.5.1); ipaddr.js reads it as
 *   IPv4-mapped, so it is rewritten to `::0:1.2.3.4` before parsing to keep the bits right.
 */
import ipaddr from 'ipaddr.js';
import {
  mixedKind,
  V4_BY_RANGE_NAME,
  V4_REFINEMENTS,
  V6_BY_RANGE_NAME,
  V6_MULTICAST_SCOPES,
  V6_REFINEMENTS,
  WELL_KNOWN_GROUPS,
  type AddressKind,
  type IpVersion,
  type Refinement,
} from './ip-explorer/address-kinds';

export type { AddressKind, IpVersion, KindId } from './ip-explorer/address-kinds';

type Addr = ipaddr.IPv4 | ipaddr.IPv6;

/** Longer than any address a person would type (45 + a zone + /128), short enough to stay cheap. */
export const MAX_INPUT_LENGTH = 80;

// ---------------------------------------------------------------------------------------------
// Kinds of address (the tables: ip-explorer/address-kinds.ts)
// ---------------------------------------------------------------------------------------------

type ParsedRange = [Addr, number];
const parsedRangeCache = new Map<string, ParsedRange>();
function parsedRange(cidr: string): ParsedRange {
  let r = parsedRangeCache.get(cidr);
  if (!r) {
    r = ipaddr.parseCIDR(cidr) as ParsedRange;
    parsedRangeCache.set(cidr, r);
  }
  return r;
}

function inRange(addr: Addr, cidr: string): boolean {
  const [net, bits] = parsedRange(cidr);
  return addr.kind() === net.kind() && addr.match(net, bits);
}

/** The kind of one address: ipaddr.js's range name, refined where that name is coarse. */
export function classify(addr: Addr): AddressKind {
  const name = addr.range();
  const refinements = addr.kind() === 'ipv4' ? V4_REFINEMENTS : V6_REFINEMENTS;
  const refined = refinements.find((r) => r.refines === name && r.kind.ranges.some((c) => inRange(addr, c)));
  if (refined) return refined.kind;
  const table = addr.kind() === 'ipv4' ? V4_BY_RANGE_NAME : V6_BY_RANGE_NAME;
  const base = table[name] ?? (addr.kind() === 'ipv4' ? V4_BY_RANGE_NAME.reserved : V6_BY_RANGE_NAME.unicast);
  if (base.id === 'multicast') return withMulticastDetail(addr, base);
  return base;
}

function withMulticastDetail(addr: Addr, base: AddressKind): AddressKind {
  const group = WELL_KNOWN_GROUPS[addr.toString()];
  let extra = group ? ` This one is the group “${group}”.` : '';
  if (addr.kind() === 'ipv6') {
    const scope = V6_MULTICAST_SCOPES[(addr as ipaddr.IPv6).parts[0] & 0xf];
    extra = (scope ? ` Scope: ${scope}.` : ' Scope: reserved or unassigned.') + extra;
  }
  return extra ? { ...base, explain: base.explain + extra } : base;
}

/** Every range this module knows about, for spotting CIDR blocks that mix kinds. */
function allKnownRanges(version: IpVersion): { cidr: string; kind: AddressKind }[] {
  const tables = version === 4 ? [V4_BY_RANGE_NAME, V4_REFINEMENTS] : [V6_BY_RANGE_NAME, V6_REFINEMENTS];
  const out: { cidr: string; kind: AddressKind }[] = [];
  for (const k of Object.values(tables[0] as Record<string, AddressKind>)) for (const c of k.ranges) out.push({ cidr: c, kind: k });
  for (const r of tables[1] as Refinement[]) for (const c of r.kind.ranges) out.push({ cidr: c, kind: r.kind });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Parsing what the learner typed
// ---------------------------------------------------------------------------------------------

export interface ParsedInput {
  addr: Addr;
  version: IpVersion;
  /** null for a single address. */
  prefix: number | null;
  zone: string | null;
  /** Things worth saying about how it was written. */
  notes: string[];
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

const ZONE_RE = /^[A-Za-z0-9._-]{1,15}$/;
const DOTTED_DIGITS_RE = /^\d+(\.\d+)*$/;
const IPV4_COMPATIBLE_RE = /^::(\d{1,3}(?:\.\d{1,3}){3})$/;

/** Parse an address or CIDR block; never throws. */
export function parseIpInput(raw: unknown): Parsed<ParsedInput> {
  if (typeof raw !== 'string') return fail('Type an address, like 192.168.1.10 or 2001:db8::1.');
  const text = raw.trim();
  if (text === '') return fail('Type an address, like 192.168.1.10, or a network, like 10.0.0.0/8.');
  if (text.length > MAX_INPUT_LENGTH) {
    return fail(`That is ${text.length} characters; even the longest IPv6 address with a prefix is under 60. Check for pasted extra text.`);
  }
  if (/\s/.test(text)) return fail('Remove the space: an address is written without spaces.');
  if (text.startsWith('[')) {
    return fail('Square brackets are how URLs write an IPv6 address (http://[::1]:8080/). Type just the address inside them, e.g. ::1.');
  }
  if (/^\d{1,3}(\.\d{1,3}){3}:\d+$/.test(text)) {
    return fail('That looks like address:port. The port is not part of the address: type only the address, e.g. 192.168.1.10.');
  }

  const slash = text.indexOf('/');
  let addrText = slash === -1 ? text : text.slice(0, slash);
  const prefixText = slash === -1 ? null : text.slice(slash + 1);
  if (prefixText !== null && !/^(0|[1-9]\d{0,2})$/.test(prefixText)) {
    return fail(`After “/” comes the prefix length: a whole number of bits, like /24 or /64 (not “${prefixText}”).`);
  }

  let zone: string | null = null;
  const percent = addrText.indexOf('%');
  if (percent !== -1) {
    zone = addrText.slice(percent + 1);
    addrText = addrText.slice(0, percent);
    if (!addrText.includes(':')) return fail('A zone (the part after %) exists only for IPv6 addresses, as in fe80::1%eth0.');
    if (!ZONE_RE.test(zone)) return fail('The zone after % should be an interface name or number, like eth0 or 2 (letters, digits, . _ -; at most 15).');
    if (prefixText !== null) return fail('A zone (%eth0) belongs to one address, not to a network: drop either the zone or the /prefix.');
  }

  const notes: string[] = [];
  let addr: Addr;
  if (addrText.includes(':')) {
    const compat = IPV4_COMPATIBLE_RE.exec(addrText);
    if (compat) {
      // ipaddr.js reads ::a.b.c.d as IPv4-mapped; the deprecated IPv4-compatible form has no ffff.
      addrText = `::0:${compat[1]}`;
      notes.push('Written in the deprecated IPv4-compatible form (::a.b.c.d, without ffff).');
    }
    if (!ipaddr.IPv6.isValid(addrText)) return fail(explainBadIpv6(addrText));
    addr = ipaddr.IPv6.parse(addrText);
  } else {
    if (!ipaddr.IPv4.isValidFourPartDecimal(addrText)) return fail(explainBadIpv4(addrText));
    addr = ipaddr.IPv4.parse(addrText);
  }
  const version: IpVersion = addr.kind() === 'ipv4' ? 4 : 6;

  let prefix: number | null = null;
  if (prefixText !== null) {
    const max = version === 4 ? 32 : 128;
    prefix = Number(prefixText);
    if (prefix > max) return fail(`An IPv${version} prefix length is 0 to ${max}; /${prefix} is too long.`);
    // Parse the block through ipaddr.js as well, so both halves are its verdict.
    const [net] = version === 4 ? ipaddr.IPv4.parseCIDR(`${addrText}/${prefix}`) : ipaddr.IPv6.parseCIDR(`${addrText}/${prefix}`);
    addr = net;
  }
  return { ok: true, value: { addr, version, prefix, zone, notes } };
}

function explainBadIpv4(s: string): string {
  if (ipaddr.IPv4.isValid(s)) {
    const legacy = ipaddr.IPv4.parse(s).toString();
    return `“${s}” is not plain dotted decimal. Old C functions such as inet_aton() would read it as ${legacy} (a leading 0 means octal, 0x means hex, missing parts are filled in), while most modern tools refuse it. Write four numbers from 0 to 255, without leading zeros.`;
  }
  if (DOTTED_DIGITS_RE.test(s)) {
    const parts = s.split('.');
    if (parts.length !== 4) return `An IPv4 address has exactly four numbers separated by dots; “${s}” has ${parts.length}.`;
    const big = parts.find((p) => Number(p) > 255);
    if (big !== undefined) return `Each of the four numbers is one byte, 0 to 255; ${big} is too big.`;
    return `“${s}” has a number with a leading zero. Write four numbers from 0 to 255, without leading zeros.`;
  }
  return 'Not an IPv4 or IPv6 address. Examples: 192.168.1.10, 10.0.0.0/8, ::1, 2001:db8::/32.';
}

function explainBadIpv6(s: string): string {
  if (/[^0-9a-fA-F:.]/.test(s)) return 'An IPv6 address uses only the digits 0-9, the letters a-f, and colons.';
  if (s.split('::').length > 2) return '“::” (a run of zero groups) may appear only once in an IPv6 address.';
  if (s.split(':').some((g) => g.length > 4 && !g.includes('.'))) return 'Each IPv6 group between colons is at most 4 hex digits.';
  if (!s.includes('::') && s.split(':').length !== 8 && !s.includes('.')) {
    return `A full IPv6 address has 8 groups; this one has ${s.split(':').length}. Use “::” to stand for a run of zero groups.`;
  }
  if (s.split(':').length > 8) return 'An IPv6 address has at most 8 groups of 4 hex digits.';
  return `“${s}” is not a valid IPv6 address. Examples: ::1, fe80::1, 2001:db8::42.`;
}

function fail(error: string): { ok: false; error: string } {
  return { ok: false, error };
}

// ---------------------------------------------------------------------------------------------
// Bits, bytes and arithmetic
// ---------------------------------------------------------------------------------------------

export interface BitGroup {
  /** '0'/'1' characters: 8 per IPv4 octet, 16 per IPv6 group. */
  bits: string;
  /** How many leading bits of this group belong to the network prefix (0 when there is none). */
  prefixBits: number;
}

export function binaryGroups(addr: Addr, prefix: number | null): BitGroup[] {
  const size = addr.kind() === 'ipv4' ? 8 : 16;
  const values = addr.kind() === 'ipv4' ? (addr as ipaddr.IPv4).octets : (addr as ipaddr.IPv6).parts;
  return values.map((v, i) => ({
    bits: v.toString(2).padStart(size, '0'),
    prefixBits: prefix === null ? 0 : Math.max(0, Math.min(size, prefix - i * size)),
  }));
}

function toBigInt(addr: Addr): bigint {
  return addr.toByteArray().reduce((n, b) => (n << 8n) | BigInt(b), 0n);
}

function fromBigInt(n: bigint, version: IpVersion): Addr {
  const len = version === 4 ? 4 : 16;
  const bytes: number[] = [];
  for (let i = 0; i < len; i++) {
    bytes.unshift(Number(n & 0xffn));
    n >>= 8n;
  }
  return ipaddr.fromByteArray(bytes);
}

/** Text form: dotted decimal, or RFC 5952 with IPv4-mapped written in dotted form (RFC 5952 §5). */
export function addressText(addr: Addr): string {
  if (addr.kind() === 'ipv6') {
    const v6 = addr as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) return `::ffff:${v6.toIPv4Address().toString()}`;
    return v6.toRFC5952String();
  }
  return addr.toString();
}

export function hexText(addr: Addr): string {
  if (addr.kind() === 'ipv4') {
    return `0x${(addr as ipaddr.IPv4).octets.map((o) => o.toString(16).padStart(2, '0')).join('').toUpperCase()}`;
  }
  return (addr as ipaddr.IPv6).parts.map((p) => p.toString(16).padStart(4, '0')).join(':');
}

// ---------------------------------------------------------------------------------------------
// The whole analysis
// ---------------------------------------------------------------------------------------------

export interface NetworkFacts {
  cidr: string;
  network: string;
  /** IPv4 only. */
  broadcast: string | null;
  firstHost: string;
  lastHost: string;
  size: bigint;
  /** e.g. "256" or "2^64 = 18,446,744,073,709,551,616". */
  sizeText: string;
  /** Usable host addresses, when that differs from the size. */
  usableText: string | null;
  netmask: string;
  /** IPv4 only: the inverse mask used by some router configurations. */
  wildcard: string | null;
  hostNote: string;
  /** Set when the block contains more than one kind of address. */
  mixedNote: string | null;
}

export interface IpAnalysis {
  input: string;
  version: IpVersion;
  /** The address (network address for a block) in its standard short form. */
  address: string;
  zone: string | null;
  prefix: number | null;
  kind: AddressKind;
  /** For IPv4-mapped and IPv4-compatible addresses: the IPv4 address inside and its kind. */
  embeddedV4: { address: string; kind: AddressKind } | null;
  notes: string[];
  binary: BitGroup[];
  hex: string;
  /** IPv4 only: the address as one 32-bit number. */
  decimal: string | null;
  network: NetworkFacts | null;
}

export function analyze(raw: unknown): Parsed<IpAnalysis> {
  const parsed = parseIpInput(raw);
  if (!parsed.ok) return parsed;
  const { addr, version, prefix, zone } = parsed.value;
  const notes = [...parsed.value.notes];
  const bits = version === 4 ? 32 : 128;

  const shown = prefix === null ? addr : networkAddress(addr, prefix);
  if (prefix !== null && toBigInt(shown) !== toBigInt(addr)) {
    notes.push(
      `${addressText(addr)}/${prefix} has host bits set: it reads as the address ${addressText(addr)} on the network ${addressText(shown)}/${prefix} (the way “ip addr” shows an interface). Below: facts about that address, then about the network.`,
    );
  }
  const input = typeof raw === 'string' ? raw.trim() : '';
  const canonical = addressText(addr) + (zone ? `%${zone}` : '') + (prefix === null ? '' : `/${prefix}`);
  if (version === 6 && canonical.toLowerCase() !== input.toLowerCase() && !notes.some((n) => n.startsWith('Written in the deprecated'))) {
    notes.push(`The standard short form (RFC 5952) is ${canonical}: lowercase, no leading zeros in a group, “::” for the longest run of zero groups.`);
  }

  const network = prefix === null ? null : networkFacts(addr, prefix, bits);
  const hostBitsSet = prefix !== null && toBigInt(shown) !== toBigInt(addr);
  const k = network?.mixedNote && !hostBitsSet ? mixedKind(version, prefix!, network.mixedNote) : classify(addr);
  if (zone) {
    notes.push(
      k.id === 'linkLocal' || (k.id === 'multicast' && ((addr as ipaddr.IPv6).parts[0] & 0xf) <= 2)
        ? `The zone %${zone} is not part of the address: it tells the operating system which interface (link) to use, because a link-local address is only unique on one link.`
        : `The zone %${zone} is not part of the address, and it only matters for link-local addresses; for this one the system ignores or rejects it.`,
    );
  }

  let embeddedV4: IpAnalysis['embeddedV4'] = null;
  if (version === 6 && (k.id === 'ipv4Mapped' || k.id === 'ipv4Compatible')) {
    const v4 = ipaddr.fromByteArray(addr.toByteArray().slice(12));
    embeddedV4 = { address: v4.toString(), kind: classify(v4) };
  }

  return {
    ok: true,
    value: {
      input,
      version,
      address: addressText(addr),
      zone,
      prefix,
      kind: k,
      embeddedV4,
      notes,
      binary: binaryGroups(addr, prefix),
      hex: hexText(addr),
      decimal: version === 4 ? toBigInt(addr).toString() : null,
      network,
    },
  };
}

function networkAddress(addr: Addr, prefix: number): Addr {
  const version: IpVersion = addr.kind() === 'ipv4' ? 4 : 6;
  const text = `${addr.toString()}/${prefix}`;
  return version === 4 ? ipaddr.IPv4.networkAddressFromCIDR(text) : ipaddr.IPv6.networkAddressFromCIDR(text);
}

const NUMBER = new Intl.NumberFormat('en-US');

function networkFacts(addr: Addr, prefix: number, bits: number): NetworkFacts {
  const version: IpVersion = bits === 32 ? 4 : 6;
  const net = networkAddress(addr, prefix);
  const hostBits = bits - prefix;
  const size = 1n << BigInt(hostBits);
  const first = toBigInt(net);
  const last = first + size - 1n;
  const cidr = `${addressText(net)}/${prefix}`;

  let firstHost = first;
  let lastHost = last;
  let usable: bigint | null = null;
  let hostNote: string;
  if (version === 4) {
    if (prefix === 32) hostNote = 'A /32 is a single address (a “host route”).';
    else if (prefix === 31) hostNote = 'A /31 has no network or broadcast address: both addresses are usable on a point-to-point link (RFC 3021).';
    else {
      firstHost = first + 1n;
      lastHost = last - 1n;
      usable = size - 2n;
      hostNote = 'The first address names the network and the last is its broadcast address, so machines get the ones in between.';
    }
  } else if (prefix === 128) {
    hostNote = 'A /128 is a single address.';
  } else if (prefix === 127) {
    hostNote = 'A /127 is used for point-to-point links; both addresses are usable (RFC 6164).';
  } else {
    firstHost = first + 1n;
    hostNote =
      'IPv6 has no broadcast address, so the last address is usable. The all-zeros address is the Subnet-Router anycast address (RFC 4291 §2.6.1), so hosts start at …1.' +
      (prefix === 64 ? ' A /64 is the normal size of one IPv6 LAN.' : '');
  }

  const mask = version === 4 ? ipaddr.IPv4.subnetMaskFromPrefixLength(prefix) : ipaddr.IPv6.subnetMaskFromPrefixLength(prefix);
  const wildcard = version === 4 ? fromBigInt(~toBigInt(mask) & 0xffffffffn, 4).toString() : null;

  return {
    cidr,
    network: addressText(net),
    broadcast: version === 4 && prefix <= 30 ? addressText(fromBigInt(last, 4)) : null,
    firstHost: addressText(fromBigInt(firstHost, version)),
    lastHost: addressText(fromBigInt(lastHost, version)),
    size,
    sizeText: hostBits > 20 ? `2^${hostBits} = ${NUMBER.format(size)}` : NUMBER.format(size),
    usableText: usable === null ? null : NUMBER.format(usable),
    netmask: version === 4 ? mask.toString() : `${addressText(mask)} (/${prefix})`,
    wildcard,
    hostNote,
    mixedNote: mixedKinds(net, prefix, version),
  };
}

/** Says which kinds a block spans when it is bigger than, or contains, a known range of another kind. */
function mixedKinds(net: Addr, prefix: number, version: IpVersion): string | null {
  const own = classify(net);
  const bits = version === 4 ? 32 : 128;
  const lastAddr = fromBigInt(toBigInt(net) + (1n << BigInt(bits - prefix)) - 1n, version);
  const labels = new Set<string>([own.label, classify(lastAddr).label]);
  for (const { cidr, kind: k } of allKnownRanges(version)) {
    const [rnet, rbits] = parsedRange(cidr);
    if (rbits > prefix && rnet.match(net, prefix)) labels.add(k.label);
  }
  if (labels.size <= 1) return null;
  const list = [...labels];
  const shown = list.length > 6 ? `${list.slice(0, 6).join('; ')} and ${list.length - 6} more` : list.join('; ');
  return `This block is large enough to hold several kinds of address: ${shown}. The kind above is that of its first address.`;
}

// ---------------------------------------------------------------------------------------------
// "Is it in network …?"
// ---------------------------------------------------------------------------------------------

export interface Membership {
  inside: boolean;
  /** Why, in a sentence or two; it does not repeat the yes or no. */
  why: string;
}

/** Parses the network box: a CIDR block is required. */
export function parseNetwork(raw: unknown): Parsed<ParsedInput & { prefix: number }> {
  const parsed = parseIpInput(raw);
  if (!parsed.ok) return parsed;
  if (parsed.value.prefix === null) {
    return fail('A network needs a prefix length after a slash, like 192.168.1.0/24 or 2001:db8::/32.');
  }
  return { ok: true, value: { ...parsed.value, prefix: parsed.value.prefix } };
}

function prefixBitsText(addr: Addr, prefix: number): string {
  const size = addr.kind() === 'ipv4' ? 8 : 16;
  const groups = binaryGroups(addr, prefix).filter((g) => g.prefixBits > 0);
  const text = groups.map((g) => g.bits.slice(0, g.prefixBits)).join(size === 8 ? '.' : ':');
  return text === '' ? '(none)' : text;
}

function firstDifferingBit(a: Addr, b: Addr): number {
  const x = toBigInt(a) ^ toBigInt(b);
  const bits = a.kind() === 'ipv4' ? 32 : 128;
  return bits - x.toString(2).length + 1;
}

/** Whether an address (or every address of a block) lies inside a network, and why. */
export function membership(subjectRaw: unknown, networkRaw: unknown): Parsed<Membership> {
  const subject = parseIpInput(subjectRaw);
  if (!subject.ok) return fail('Fix the address above first: it is not a valid address yet.');
  const network = parseNetwork(networkRaw);
  if (!network.ok) return network;
  const { prefix: np } = network.value;
  const net = networkAddress(network.value.addr, np);
  const netText = `${addressText(net)}/${np}`;
  let addr = subject.value.addr;
  const sp = subject.value.prefix;
  const subjectText = `${addressText(addr)}${sp === null ? '' : `/${sp}`}`;
  let via = '';

  if (addr.kind() !== net.kind()) {
    const mapped = addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress();
    if (mapped && sp === null) {
      addr = (addr as ipaddr.IPv6).toIPv4Address();
      via = `${subjectText} is the IPv4 address ${addr.toString()} written as IPv6, so it is compared as IPv4. `;
    } else if (addr.kind() === 'ipv4' && sp === null && inRange((addr as ipaddr.IPv4).toIPv4MappedAddress(), netText)) {
      return ok(true, `In its IPv4-mapped form ::ffff:${addr.toString()} it is: ${netText} contains that.`);
    } else {
      const fam = (a: Addr) => (a.kind() === 'ipv4' ? 'IPv4' : 'IPv6');
      return ok(false, `${subjectText} is ${fam(addr)} and ${netText} is an ${fam(net)} network. The two families are separate address spaces and never overlap.`);
    }
  }

  if (sp !== null && sp < np) {
    return ok(false, `${subjectText} is a bigger block (/${sp}) than ${netText} (/${np}), so it cannot fit inside it${addr.match(net, sp) ? ', though it contains that network' : ''}.`);
  }

  const what = sp === null ? 'address' : 'block';
  const subjectNet = sp === null ? addr : networkAddress(addr, sp);
  if (subjectNet.match(net, np)) {
    const bitsText = np === 0 ? 'A /0 network has no fixed bits, so it contains every address.' : `The first ${np} bits of the ${what} (${prefixBitsText(subjectNet, np)}) are the same as the network’s.`;
    const named = via ? addr.toString() : subjectText;
    return ok(true, `${via}${named} is inside ${netText}. ${bitsText}`);
  }
  const bit = firstDifferingBit(subjectNet, net);
  return ok(
    false,
    `${via}To be inside ${netText}, the first ${np} bits must match the network’s (${prefixBitsText(net, np)}), but this ${what}’s are ${prefixBitsText(subjectNet, np)}; they first differ at bit ${bit}.`,
  );
}

function ok(inside: boolean, why: string): { ok: true; value: Membership } {
  return { ok: true, value: { inside, why } };
}
