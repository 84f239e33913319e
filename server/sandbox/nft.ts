/**
 * nftables for the sandbox: the tables each host gets, rules as argument lists built only from
 * validated structures (schema.ts), the same rules as the command line a learner could type, and
 * the counters read back from `nft --json`.
 *
 * Every token here is a keyword, a number, or an address ipaddr.js printed: nft joins its
 * arguments and parses them, so nothing a learner wrote ever reaches that parser as text.
 */
import { z } from 'zod';
import { familyOf, type Chain, type FirewallRule, type ForwardSpec } from './schema.ts';

/** The learner's filter table on every host, created when its first rule arrives. */
export const FILTER_TABLE = ['inet', 'lab'] as const;
/** The router's NAT table. */
export const NAT_TABLE = ['ip', 'nat'] as const;

export const FILTER_CHAINS: readonly Chain[] = ['input', 'forward', 'output'];

export function filterTableScript(): string {
  const chains = FILTER_CHAINS.map(
    (c) => `  chain ${c} {\n    type filter hook ${c} priority filter; policy accept;\n  }\n`,
  ).join('');
  return `table ${FILTER_TABLE.join(' ')} {\n${chains}}\n`;
}

/** The router's NAT table: masquerade from the LAN out of the WAN, and an empty prerouting chain for forwards. */
export function natTableScript(gateway: { wan: string; lanPrefix: string }): string {
  return (
    `table ${NAT_TABLE.join(' ')} {\n` +
    `  chain prerouting {\n    type nat hook prerouting priority dstnat; policy accept;\n  }\n` +
    `  chain postrouting {\n    type nat hook postrouting priority srcnat; policy accept;\n` +
    `    ${masqueradeTokens(gateway).join(' ')}\n  }\n}\n`
  );
}

export function masqueradeTokens(gateway: { wan: string; lanPrefix: string }): string[] {
  return ['oifname', quoted(gateway.wan), 'ip', 'saddr', gateway.lanPrefix, 'counter', 'masquerade'];
}

/** Interface names come from the topology, never from a learner; nft wants them quoted. */
function quoted(name: string): string {
  if (!/^[a-z][a-z0-9-]{0,14}$/.test(name)) throw new Error(`not an interface name: ${name}`);
  return `"${name}"`;
}

function addressMatch(side: 'saddr' | 'daddr', value: string): string[] {
  return [familyOf(value) === 4 ? 'ip' : 'ip6', side, value];
}

/** The match and verdict of a rule, e.g. ['tcp', 'dport', '80', 'counter', 'drop']. */
export function ruleTokens(rule: FirewallRule): string[] {
  const tokens: string[] = [];
  if (rule.source) tokens.push(...addressMatch('saddr', rule.source));
  if (rule.destination) tokens.push(...addressMatch('daddr', rule.destination));
  const family = rule.source ? familyOf(rule.source) : rule.destination ? familyOf(rule.destination) : null;

  if (rule.protocol === 'tcp' || rule.protocol === 'udp') {
    if (rule.sourcePort !== undefined) tokens.push(rule.protocol, 'sport', String(rule.sourcePort));
    if (rule.destinationPort !== undefined) tokens.push(rule.protocol, 'dport', String(rule.destinationPort));
    if (rule.sourcePort === undefined && rule.destinationPort === undefined) tokens.push('meta', 'l4proto', rule.protocol);
  } else if (rule.protocol === 'icmp') {
    if (family === 4) tokens.push('meta', 'l4proto', 'icmp');
    else if (family === 6) tokens.push('meta', 'l4proto', 'ipv6-icmp');
    else tokens.push('meta', 'l4proto', '{', 'icmp,', 'ipv6-icmp', '}');
  }
  if (rule.state) tokens.push('ct', 'state', rule.state.join(','));
  tokens.push('counter');

  if (rule.verdict !== 'reject') {
    tokens.push(rule.verdict);
  } else {
    const how = rule.rejectWith ?? (rule.protocol === 'tcp' ? 'tcp-reset' : 'port-unreachable');
    if (how === 'tcp-reset') tokens.push('reject', 'with', 'tcp', 'reset');
    else tokens.push('reject', 'with', 'icmpx', 'type', how);
  }
  return tokens;
}

/** `nft` arguments that add (or insert) a rule and print it back with its handle. */
export function addRuleArgs(table: readonly string[], chain: string, tokens: string[], position: 'first' | 'last' = 'last'): string[] {
  return ['--echo', '--handle', '--json', position === 'first' ? 'insert' : 'add', 'rule', ...table, chain, ...tokens];
}

export function deleteRuleArgs(table: readonly string[], chain: string, handle: number): string[] {
  return ['delete', 'rule', ...table, chain, 'handle', String(handle)];
}

/** What a learner could type to make the same rule. */
export function commandLine(table: readonly string[], chain: string, tokens: string[], position: 'first' | 'last' = 'last'): string {
  return ['nft', position === 'first' ? 'insert' : 'add', 'rule', ...table, chain, ...tokens].join(' ');
}

export function forwardDnatTokens(gateway: { wan: string }, forward: ForwardSpec): string[] {
  return ['iifname', quoted(gateway.wan), forward.protocol, 'dport', String(forward.wanPort), 'counter', 'dnat', 'to', `${forward.lanAddress}:${forward.lanPort}`];
}

/** Lets the forwarded connection through the router's forward chain, ahead of the learner's rules. */
export function forwardAcceptTokens(gateway: { wan: string }, forward: ForwardSpec): string[] {
  return ['iifname', quoted(gateway.wan), 'ip', 'daddr', forward.lanAddress, forward.protocol, 'dport', String(forward.lanPort), 'ct', 'status', 'dnat', 'counter', 'accept'];
}

// ---------------------------------------------------------------------------------------------
// Reading nft's JSON

const NftRuleSchema = z.object({
  family: z.string(),
  table: z.string(),
  chain: z.string(),
  handle: z.number().int(),
  expr: z.array(z.record(z.string(), z.unknown())).default([]),
});

const NftOutputSchema = z.object({ nftables: z.array(z.record(z.string(), z.unknown())) });

export interface NftRule {
  family: string;
  table: string;
  chain: string;
  handle: number;
  packets: number;
  bytes: number;
}

const CounterSchema = z.object({ packets: z.number().int(), bytes: z.number().int() });

function toRule(value: unknown): NftRule | null {
  const parsed = NftRuleSchema.safeParse(value);
  if (!parsed.success) return null;
  let packets = 0;
  let bytes = 0;
  for (const e of parsed.data.expr) {
    const counter = CounterSchema.safeParse(e.counter);
    if (counter.success) ({ packets, bytes } = counter.data);
  }
  const { family, table, chain, handle } = parsed.data;
  return { family, table, chain, handle, packets, bytes };
}

/** Rules in the order nft printed them (chain order), from `nft -j list ...` output. */
export function parseRuleList(json: string): NftRule[] {
  const out = NftOutputSchema.parse(JSON.parse(json));
  return out.nftables.flatMap((item) => {
    const rule = toRule(item.rule);
    return rule ? [rule] : [];
  });
}

/** The handles of rules an `nft --echo --handle --json` command added or inserted, in order. */
export function parseEchoedHandles(json: string): NftRule[] {
  const out = NftOutputSchema.parse(JSON.parse(json));
  return out.nftables.flatMap((item) => {
    for (const verb of ['add', 'insert'] as const) {
      const inner = z.object({ rule: z.unknown() }).safeParse(item[verb]);
      const rule = inner.success ? toRule(inner.data.rule) : null;
      if (rule) return [rule];
    }
    return [];
  });
}
