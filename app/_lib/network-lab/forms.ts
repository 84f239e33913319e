/**
 * The firewall and port-forward forms' fields, turned into the protocol's structures. Empty fields
 * mean "any" and are left out; numbers are parsed here, and whatever is still wrong is refused by the
 * op's schema (checkedCommand) or by the sandbox, which says why in the step.
 */
import type { ProtocolFirewallRule } from '@/server/protocol';

export type RuleState = 'new' | 'established' | 'related';

export interface RuleFields {
  chain: ProtocolFirewallRule['chain'];
  protocol: 'any' | 'tcp' | 'udp' | 'icmp';
  source: string;
  destination: string;
  sourcePort: string;
  destinationPort: string;
  states: RuleState[];
  verdict: ProtocolFirewallRule['verdict'];
  /** '' lets the sandbox choose (a TCP reset for TCP, port unreachable otherwise). */
  rejectWith: '' | NonNullable<ProtocolFirewallRule['rejectWith']>;
}

export const EMPTY_RULE: RuleFields = {
  chain: 'input',
  protocol: 'tcp',
  source: '',
  destination: '',
  sourcePort: '',
  destinationPort: '',
  states: [],
  verdict: 'drop',
  rejectWith: '',
};

function portOf(text: string): number | undefined {
  const t = text.trim();
  return t === '' ? undefined : Number(t);
}

function textOf(text: string): string | undefined {
  const t = text.trim();
  return t === '' ? undefined : t;
}

export function ruleFromFields(f: RuleFields): ProtocolFirewallRule {
  const rule: ProtocolFirewallRule = { chain: f.chain, verdict: f.verdict };
  if (f.protocol !== 'any') rule.protocol = f.protocol;
  const source = textOf(f.source);
  const destination = textOf(f.destination);
  if (source) rule.source = source;
  if (destination) rule.destination = destination;
  // Ports belong to TCP and UDP only: a port left in a hidden field must not travel with ICMP.
  if (f.protocol === 'tcp' || f.protocol === 'udp') {
    const sp = portOf(f.sourcePort);
    const dp = portOf(f.destinationPort);
    if (sp !== undefined) rule.sourcePort = sp;
    if (dp !== undefined) rule.destinationPort = dp;
  }
  if (f.states.length) rule.state = f.states;
  if (f.verdict === 'reject' && f.rejectWith) rule.rejectWith = f.rejectWith;
  return rule;
}

export interface ForwardFields {
  protocol: 'tcp' | 'udp';
  wanPort: string;
  lanAddress: string;
  lanPort: string;
}

export const EMPTY_FORWARD: ForwardFields = { protocol: 'tcp', wanPort: '8080', lanAddress: '192.168.1.10', lanPort: '80' };

export function forwardFromFields(f: ForwardFields): { protocol: 'tcp' | 'udp'; wanPort: number; lanAddress: string; lanPort: number } {
  return { protocol: f.protocol, wanPort: Number(f.wanPort.trim()), lanAddress: f.lanAddress.trim(), lanPort: Number(f.lanPort.trim()) };
}
