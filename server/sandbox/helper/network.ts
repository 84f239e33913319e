/**
 * One sandbox network inside the helper: a network namespace per host (held by an fd), the links
 * and addresses `ip` made from the topology, the router's NAT, and the firewall rules and port
 * forwards it was asked for, each remembered by the kernel's own handle.
 *
 * The kernel is the source of truth: lists and counters are read back from nft every time; what
 * is remembered here is only how each handle was asked for (the structured rule and its nft line).
 */
import { fstatSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import ipaddr from 'ipaddr.js';
import { SandboxError } from '../errors.ts';
import type { FirewallResult, ForwardResult, HelperSettings, ProcNetTexts, ShellEntry } from '../helper-protocol.ts';
import { parseConntrack, parseIpBatch, SHOW_BATCH } from '../kernel-view.ts';
import type { NetnsFunctions } from '../netns-addon.ts';
import {
  addRuleArgs,
  commandLine,
  deleteRuleArgs,
  FILTER_TABLE,
  filterTableScript,
  forwardAcceptTokens,
  forwardDnatTokens,
  masqueradeTokens,
  NAT_TABLE,
  natTableScript,
  parseEchoedHandles,
  parseRuleList,
  ruleTokens,
  type NftRule,
} from '../nft.ts';
import type {
  Chain,
  ConntrackEntry,
  FirewallRule,
  FirewallRuleView,
  ForwardSpec,
  ForwardView,
  HostName,
  HostView,
  NatRuleView,
  NetworkView,
  ParsedFirewallCommand,
  ParsedForwardCommand,
  Topology,
} from '../schema.ts';
import { hostSysctls, setupScripts, topology, type HostSpec, type TopologySpec } from '../topology.ts';
import type { CommandRunner } from './commands.ts';

interface RuleRecord {
  id: number;
  chain: Chain;
  rule: FirewallRule | null;
  nft: string;
  origin: 'firewall' | 'forward';
}

interface NatRecord {
  id: number;
  kind: 'masquerade' | 'forward';
  nft: string;
}

interface ForwardRecord {
  id: number;
  acceptId: number;
  spec: ForwardSpec;
  nft: string[];
}

interface HostState {
  spec: HostSpec;
  nsfd: number;
  /** Whether `table inet lab` exists yet (it is made with the host's first rule or forward). */
  filterTable: boolean;
  rules: Map<number, RuleRecord>;
  nat: Map<number, NatRecord>;
}

export interface NetworkDeps {
  addon: NetnsFunctions;
  runner: CommandRunner;
  settings: HelperSettings;
}

const PROC_NET_FILES = ['tcp', 'tcp6', 'udp', 'udp6'] as const;

export class HelperNetwork {
  readonly id: number;
  readonly #spec: TopologySpec;
  readonly #deps: NetworkDeps;
  readonly #hosts: Map<HostName, HostState>;
  readonly #forwards = new Map<number, ForwardRecord>();
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;

  private constructor(id: number, spec: TopologySpec, deps: NetworkDeps, hosts: Map<HostName, HostState>) {
    this.id = id;
    this.#spec = spec;
    this.#deps = deps;
    this.#hosts = hosts;
  }

  /**
   * Builds the network and reads it back from the kernel; on any failure closes what it made and
   * rethrows. Three rounds of child processes: the router makes the links; then each other host
   * configures its end and prints its view in the same `ip` run, while nft sets up the router's
   * NAT; then the router prints its own view, now that every link is up.
   */
  static async create(id: number, name: Topology, deps: NetworkDeps): Promise<{ network: HelperNetwork; view: NetworkView }> {
    const { addon, runner, settings } = deps;
    const spec = topology(name);
    const hosts = new Map<HostName, HostState>();
    try {
      for (const host of spec.hosts) {
        hosts.set(host.name, { spec: host, nsfd: addon.netnsCreate(), filterTable: false, rules: new Map(), nat: new Map() });
      }
      // The helper is gid 0 in its user namespace; the server's calls never create sockets.
      const pingGroup = `${process.getgid?.() ?? 0} ${process.getgid?.() ?? 0}`;
      for (const host of hosts.values()) {
        addon.inNetns(host.nsfd, () => {
          for (const [key, value, optional] of hostSysctls(host.spec, { synRetries: settings.synRetries, pingGroup }, spec)) {
            try {
              writeFileSync(`/proc/sys/${key}`, value);
            } catch (e) {
              if (!optional || (e as { code?: unknown }).code !== 'ENOENT') throw e;
            }
          }
        });
      }
      const nsfd = (h: HostName) => hosts.get(h)!.nsfd;
      const { creators, others } = setupScripts(spec, (h) => `/proc/${process.pid}/fd/${nsfd(h)}`);
      const ip = (host: HostName, lines: string[]) => runner.run(nsfd(host), 'ip', ['-json', '-details', '-batch', '-'], `${lines.join('\n')}\n`);
      await Promise.all(creators.map((step) => ip(step.host, step.lines)));
      const network = new HelperNetwork(id, spec, deps, hosts);
      const ipOut = new Map<HostName, string>();
      const [, gatewayRules] = await Promise.all([
        Promise.all(others.map(async (step) => ipOut.set(step.host, await ip(step.host, [...step.lines, ...SHOW_BATCH])))),
        network.#setUpGateway(),
      ]);
      await Promise.all(creators.map(async (step) => ipOut.set(step.host, await ip(step.host, SHOW_BATCH))));
      const nftRules = new Map([[spec.gateway.host, gatewayRules]]);
      const shown = [...hosts.values()].map((h) => network.#hostView(h, ipOut.get(h.spec.name)!, nftRules.get(h.spec.name) ?? []));
      return { network, view: network.#networkView(shown) };
    } catch (e) {
      for (const host of hosts.values()) addon.netnsClose(host.nsfd);
      throw e;
    }
  }

  /**
   * The router's NAT table, with its masquerade rule; returns its rules. Its filter table comes
   * with the first rule or forward, like every host's: an empty base chain still costs each packet.
   */
  async #setUpGateway(): Promise<NftRule[]> {
    const gw = this.#spec.gateway;
    const router = this.#host(gw.host);
    const out = await this.#deps.runner.run(router.nsfd, 'nft', ['--echo', '--handle', '--json', natTableScript(gw)]);
    const rules = parseEchoedHandles(out);
    for (const rule of rules) {
      if (rule.table === NAT_TABLE[1] && rule.chain === 'postrouting') {
        router.nat.set(rule.handle, { id: rule.handle, kind: 'masquerade', nft: commandLine(NAT_TABLE, 'postrouting', masqueradeTokens(gw)) });
      }
    }
    return rules;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Runs one operation at a time per network, in arrival order. */
  serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(() => {
      if (this.#closed) throw new SandboxError('E_NO_NETWORK', 'The sandbox network was destroyed.');
      return op();
    });
    this.#queue = run.catch(() => {});
    return run;
  }

  nsfd(host: HostName): number {
    return this.#host(host).nsfd;
  }

  namespaceCount(): number {
    return this.#closed ? 0 : this.#hosts.size;
  }

  /** close(), once the operations already queued have finished. */
  closeAfterPending(): Promise<void> {
    const done = this.#queue.then(() => this.close());
    this.#queue = done;
    return done;
  }

  /** Closes every namespace fd; a namespace ends when the last socket made in it is closed too. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const host of this.#hosts.values()) this.#deps.addon.netnsClose(host.nsfd);
  }

  #host(name: HostName): HostState {
    const host = this.#hosts.get(name);
    if (!host) throw new SandboxError('E_BAD_REQUEST', `There is no host ${name} in this network.`);
    return host;
  }

  // ------------------------------------------------------------------------------------ show

  async show(): Promise<NetworkView> {
    const shown = await Promise.all(
      [...this.#hosts.values()].map(async (host) => {
        const [ipOut, nftRules] = await Promise.all([
          this.#deps.runner.run(host.nsfd, 'ip', ['-json', '-details', '-batch', '-'], `${SHOW_BATCH.join('\n')}\n`),
          this.#listNft(host),
        ]);
        return this.#hostView(host, ipOut, nftRules);
      }),
    );
    return this.#networkView(shown);
  }

  #networkView(shown: Array<{ view: HostView; nftRules: NftRule[] }>): NetworkView {
    const router = shown.find((s) => s.view.name === this.#spec.gateway.host);
    return {
      topology: this.#spec.name,
      hosts: shown.map((s) => s.view),
      links: this.#spec.links.map((l) => ({ segment: l.segment, a: { host: l.a.host, interface: l.a.interface }, b: l.b })),
      segments: this.#spec.segments.map((s) => ({ ...s, prefixes: [...s.prefixes] })),
      forwards: this.#forwardViews(router?.nftRules ?? []),
    };
  }

  /** A host's view from what `ip` printed and nft listed, with its conntrack table read now. */
  #hostView(host: HostState, ipOut: string, nftRules: NftRule[]): { view: HostView; nftRules: NftRule[] } {
    const { conntrack, forwarding } = this.#deps.addon.inNetns(host.nsfd, () => ({
      conntrack: readConntrack(),
      forwarding: readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim() === '1',
    }));
    const view: HostView = {
      name: host.spec.name,
      role: host.spec.role,
      ...parseIpBatch(ipOut),
      forwarding,
      firewall: this.#ruleViews(host, nftRules),
      nat: this.#natViews(host, nftRules),
      conntrack,
    };
    return { view, nftRules };
  }

  /** Every rule of the host's tables with its counters, or none before the host has a table. */
  async #listNft(host: HostState): Promise<NftRule[]> {
    if (!host.filterTable && host.nat.size === 0) return [];
    return parseRuleList(await this.#deps.runner.run(host.nsfd, 'nft', ['--json', 'list', 'ruleset']));
  }

  #ruleViews(host: HostState, nftRules: NftRule[]): FirewallRuleView[] {
    return nftRules.flatMap((r) => {
      if (r.family !== FILTER_TABLE[0] || r.table !== FILTER_TABLE[1]) return [];
      const record = host.rules.get(r.handle);
      return record ? [{ ...record, packets: r.packets, bytes: r.bytes }] : [];
    });
  }

  #natViews(host: HostState, nftRules: NftRule[]): NatRuleView[] {
    return nftRules.flatMap((r) => {
      if (r.family !== NAT_TABLE[0] || r.table !== NAT_TABLE[1]) return [];
      const record = host.nat.get(r.handle);
      return record ? [{ ...record, packets: r.packets, bytes: r.bytes }] : [];
    });
  }

  #forwardViews(routerRules: NftRule[]): ForwardView[] {
    const counters = new Map(routerRules.filter((r) => r.table === NAT_TABLE[1]).map((r) => [r.handle, r]));
    return [...this.#forwards.values()].map((f) => ({
      id: f.id,
      forward: f.spec,
      nft: f.nft,
      packets: counters.get(f.id)?.packets ?? 0,
      bytes: counters.get(f.id)?.bytes ?? 0,
    }));
  }

  /** The host's socket tables, as the kernel prints them in its namespace. */
  procNet(name: HostName): ProcNetTexts {
    const host = this.#host(name);
    return this.#deps.addon.inNetns(host.nsfd, () => {
      const read = (file: string) => {
        try {
          return readFileSync(`/proc/thread-self/net/${file}`, 'utf8');
        } catch {
          return ''; // e.g. no tcp6 on a kernel without IPv6
        }
      };
      const [tcp, tcp6, udp, udp6] = PROC_NET_FILES.map(read);
      return { tcp: tcp!, tcp6: tcp6!, udp: udp!, udp6: udp6! };
    });
  }

  /**
   * The index of `ifname` in the host's namespace, for binding a capture socket there (issue 17).
   * Read from the namespace's /proc/net/dev_mcast (every Ethernet-like link with multicast joined,
   * which is every link of the sandbox) and if_inet6, so no `ip` process is started for it.
   */
  ifindex(name: HostName, ifname: string): number {
    const host = this.#host(name);
    return this.#deps.addon.inNetns(host.nsfd, () => {
      for (const file of ['dev_mcast', 'if_inet6']) {
        let text = '';
        try {
          text = readFileSync(`/proc/thread-self/net/${file}`, 'utf8');
        } catch {
          continue;
        }
        for (const line of text.split('\n')) {
          const cols = line.trim().split(/\s+/);
          // dev_mcast: "index name users global address"; if_inet6: "address index(hex) prefix scope flags name".
          if (file === 'dev_mcast' && cols[1] === ifname) return Number(cols[0]);
          if (file === 'if_inet6' && cols[5] === ifname) return parseInt(cols[1] ?? '', 16);
        }
      }
      throw new SandboxError('E_BAD_REQUEST', `Host ${name} has no link named ${ifname}.`);
    });
  }

  /** Where a lab shell joins the host: this process's pid, the namespace's fd and both namespaces' inodes. */
  entry(name: HostName): ShellEntry {
    const host = this.#host(name);
    return {
      pid: process.pid,
      netFd: host.nsfd,
      netInode: fstatSync(host.nsfd).ino,
      userInode: statSync('/proc/self/ns/user').ino,
    };
  }

  // ------------------------------------------------------------------------------------ firewall

  async firewall(name: HostName, command: ParsedFirewallCommand): Promise<FirewallResult> {
    const host = this.#host(name);
    const { runner, settings } = this.#deps;
    switch (command.action) {
      case 'list':
        return { host: name, rule: null, rules: this.#ruleViews(host, await this.#listNft(host)) };
      case 'add': {
        const own = [...host.rules.values()].filter((r) => r.origin === 'firewall').length;
        if (own >= settings.rulesPerHost) {
          throw new SandboxError('E_LIMIT', `A host has at most ${settings.rulesPerHost} firewall rules; delete one first.`);
        }
        await this.#ensureFilterTable(host);
        const { rule, position } = command;
        const tokens = ruleTokens(rule);
        const [added] = parseEchoedHandles(await runner.run(host.nsfd, 'nft', addRuleArgs(FILTER_TABLE, rule.chain, tokens, position)));
        if (!added) throw new SandboxError('E_INTERNAL', 'nft added the rule but did not say its handle.');
        const record: RuleRecord = { id: added.handle, chain: rule.chain, rule, nft: commandLine(FILTER_TABLE, rule.chain, tokens, position), origin: 'firewall' };
        host.rules.set(record.id, record);
        const rules = this.#ruleViews(host, await this.#listNft(host));
        return { host: name, rule: rules.find((r) => r.id === record.id) ?? { ...record, packets: 0, bytes: 0 }, rules };
      }
      case 'delete': {
        const record = this.#findRule(host, name, command);
        const before = this.#ruleViews(host, await this.#listNft(host));
        await runner.run(host.nsfd, 'nft', deleteRuleArgs(FILTER_TABLE, record.chain, record.id));
        host.rules.delete(record.id);
        return {
          host: name,
          rule: before.find((r) => r.id === record.id) ?? { ...record, packets: 0, bytes: 0 },
          rules: before.filter((r) => r.id !== record.id),
        };
      }
      case 'flush': {
        const own = [...host.rules.values()].filter((r) => r.origin === 'firewall');
        if (own.length > 0) {
          const script = own.map((r) => `${deleteRuleArgs(FILTER_TABLE, r.chain, r.id).join(' ')}\n`).join('');
          await runner.run(host.nsfd, 'nft', [script]);
          for (const r of own) host.rules.delete(r.id);
        }
        return { host: name, rule: null, rules: this.#ruleViews(host, await this.#listNft(host)) };
      }
    }
  }

  #findRule(host: HostState, name: HostName, command: Extract<ParsedFirewallCommand, { action: 'delete' }>): RuleRecord {
    if (command.id !== undefined) {
      const record = host.rules.get(command.id);
      if (!record) throw new SandboxError('E_BAD_REQUEST', `There is no firewall rule ${command.id} on ${name}.`);
      if (record.origin !== 'firewall') {
        throw new SandboxError('E_BAD_REQUEST', `Rule ${command.id} on ${name} belongs to a port forward: delete the forward instead.`);
      }
      return record;
    }
    const want = command.rule ? ruleKey(command.rule) : '';
    const record = [...host.rules.values()].find((r) => r.origin === 'firewall' && r.rule && ruleKey(r.rule) === want);
    if (!record) throw new SandboxError('E_BAD_REQUEST', `There is no such firewall rule on ${name}.`);
    return record;
  }

  async #ensureFilterTable(host: HostState): Promise<void> {
    if (host.filterTable) return;
    await this.#deps.runner.run(host.nsfd, 'nft', [filterTableScript()]);
    host.filterTable = true;
  }

  // ------------------------------------------------------------------------------------ forwards

  async forward(command: ParsedForwardCommand): Promise<ForwardResult> {
    const gw = this.#spec.gateway;
    const router = this.#host(gw.host);
    const { runner, settings } = this.#deps;
    switch (command.action) {
      case 'list':
        return { forward: null, forwards: this.#forwardViews(await this.#listNft(router)) };
      case 'add': {
        const spec = command.forward;
        if (this.#forwards.size >= settings.forwardsPerNetwork) {
          throw new SandboxError('E_LIMIT', `The router has at most ${settings.forwardsPerNetwork} port forwards; delete one first.`);
        }
        this.#checkLanAddress(spec.lanAddress);
        const clash = [...this.#forwards.values()].find((f) => f.spec.protocol === spec.protocol && f.spec.wanPort === spec.wanPort);
        if (clash) {
          throw new SandboxError('E_BAD_REQUEST', `${spec.protocol} port ${spec.wanPort} is already forwarded (forward ${clash.id}).`);
        }
        await this.#ensureFilterTable(router);
        const dnat = forwardDnatTokens(gw, spec);
        const accept = forwardAcceptTokens(gw, spec);
        const script = `add rule ${NAT_TABLE.join(' ')} prerouting ${dnat.join(' ')}\ninsert rule ${FILTER_TABLE.join(' ')} forward ${accept.join(' ')}\n`;
        const echoed = parseEchoedHandles(await runner.run(router.nsfd, 'nft', ['--echo', '--handle', '--json', script]));
        const dnatRule = echoed.find((r) => r.table === NAT_TABLE[1]);
        const acceptRule = echoed.find((r) => r.table === FILTER_TABLE[1]);
        if (!dnatRule || !acceptRule) throw new SandboxError('E_INTERNAL', 'nft added the forward but did not say its handles.');
        const lines = [commandLine(NAT_TABLE, 'prerouting', dnat), commandLine(FILTER_TABLE, 'forward', accept, 'first')];
        const record: ForwardRecord = { id: dnatRule.handle, acceptId: acceptRule.handle, spec, nft: lines };
        this.#forwards.set(record.id, record);
        router.nat.set(record.id, { id: record.id, kind: 'forward', nft: lines[0]! });
        router.rules.set(record.acceptId, { id: record.acceptId, chain: 'forward', rule: null, nft: lines[1]!, origin: 'forward' });
        const forwards = this.#forwardViews(await this.#listNft(router));
        return { forward: forwards.find((f) => f.id === record.id) ?? null, forwards };
      }
      case 'delete': {
        const record =
          command.id !== undefined
            ? this.#forwards.get(command.id)
            : [...this.#forwards.values()].find((f) => command.forward && forwardKey(f.spec) === forwardKey(command.forward));
        if (!record) throw new SandboxError('E_BAD_REQUEST', command.id !== undefined ? `There is no port forward ${command.id}.` : 'There is no such port forward.');
        const before = this.#forwardViews(await this.#listNft(router));
        await this.#deleteForwards(router, [record]);
        return { forward: before.find((f) => f.id === record.id) ?? null, forwards: before.filter((f) => f.id !== record.id) };
      }
      case 'flush': {
        await this.#deleteForwards(router, [...this.#forwards.values()]);
        return { forward: null, forwards: [] };
      }
    }
  }

  async #deleteForwards(router: HostState, records: ForwardRecord[]): Promise<void> {
    if (records.length === 0) return;
    const script = records
      .map(
        (f) =>
          `${deleteRuleArgs(NAT_TABLE, 'prerouting', f.id).join(' ')}\n${deleteRuleArgs(FILTER_TABLE, 'forward', f.acceptId).join(' ')}\n`,
      )
      .join('');
    await this.#deps.runner.run(router.nsfd, 'nft', [script]);
    for (const f of records) {
      this.#forwards.delete(f.id);
      router.nat.delete(f.id);
      router.rules.delete(f.acceptId);
    }
  }

  /** A forward goes to a device on the LAN: inside its prefix, not the router, not network or broadcast. */
  #checkLanAddress(address: string): void {
    const gw = this.#spec.gateway;
    const [prefix, bits] = ipaddr.IPv4.parseCIDR(gw.lanPrefix);
    const parsed = ipaddr.IPv4.isValidFourPartDecimal(address) ? ipaddr.IPv4.parse(address) : null;
    const router = this.#host(gw.host).spec.interfaces.find((i) => i.name === gw.lan)?.addresses.find((a) => !a.includes(':'))?.split('/')[0];
    const network = ipaddr.IPv4.networkAddressFromCIDR(gw.lanPrefix).toString();
    const broadcast = ipaddr.IPv4.broadcastAddressFromCIDR(gw.lanPrefix).toString();
    if (!parsed || !parsed.match(prefix, bits) || address === router || address === network || address === broadcast) {
      throw new SandboxError('E_BAD_REQUEST', `A port forward goes to a device on the LAN (${gw.lanPrefix}, not the router ${router}): ${address} is not one.`);
    }
  }
}

function ruleKey(r: FirewallRule): string {
  return JSON.stringify([r.chain, r.protocol, r.source ?? null, r.destination ?? null, r.sourcePort ?? null, r.destinationPort ?? null, r.state ? [...r.state].sort() : null, r.verdict, r.rejectWith ?? null]);
}

function forwardKey(f: ForwardSpec): string {
  return JSON.stringify([f.protocol, f.wanPort, f.lanAddress, f.lanPort]);
}

/** The namespace's conntrack table, or null where the kernel has no /proc view of it. */
function readConntrack(): ConntrackEntry[] | null {
  try {
    return parseConntrack(readFileSync('/proc/thread-self/net/nf_conntrack', 'utf8'));
  } catch {
    return null;
  }
}
