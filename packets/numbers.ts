/** The numbers headers use to say what comes next: EtherTypes and IP protocol numbers, with their names. */
export const ETHER_TYPES: Record<number, string> = {
  0x0800: 'IPv4',
  0x0806: 'ARP',
  0x86dd: 'IPv6',
  0x8100: '802.1Q VLAN',
  0x88a8: '802.1ad VLAN',
  0x88cc: 'LLDP',
};

export const IP_PROTOCOLS: Record<number, string> = {
  0: 'IPv6 hop-by-hop options',
  1: 'ICMP',
  2: 'IGMP',
  6: 'TCP',
  17: 'UDP',
  41: 'IPv6',
  43: 'IPv6 routing',
  44: 'IPv6 fragment',
  47: 'GRE',
  50: 'ESP',
  51: 'AH',
  58: 'ICMPv6',
  59: 'no next header',
  60: 'IPv6 destination options',
  132: 'SCTP',
};

export const protocolName = (p: number): string => IP_PROTOCOLS[p] ?? 'unknown';
