/**
 * One sandbox network, as the lab sees it: the calls a session makes on its network. Every input
 * is validated here first (E_BAD_REQUEST before anything runs); the helper validates again.
 *
 * Sockets on a sandbox host are real kernel sockets created inside that host's namespace and
 * adopted by the native addon, wrapped in the engine's own NativeSocket: bind, listen, accept,
 * connect, send, recv... run unchanged on them, with the kernel's real results and errnos. The
 * network owns them: destroy() closes every one (a socket keeps its namespace alive).
 */
import { captureFromFd, type CaptureOptions, type CaptureResult, type PacketCapture } from '../capture/capture.ts';
import type { NativeAddon } from '../engines/native/addon.ts';
import { NativeSocket } from '../engines/native/socket.ts';
import type { EngineSocket, Family, SocketType } from '../engines/types.ts';
import { parseProcNet, type RawKernelRow } from '../kernel/procnet.ts';
import { firstIssue, SandboxError } from './errors.ts';
import type { FirewallResult, ForwardResult, ShellEntry } from './helper-protocol.ts';
import type { HelperClient } from './helper-client.ts';
import { PingPacer, runPing } from './ping.ts';
import type { ShellDoor, ShellTicket } from './shell.ts';
import {
  canonicalAddress,
  FamilySchema,
  FirewallCommandSchema,
  ForwardCommandSchema,
  HostNameSchema,
  PingOptionsSchema,
  SocketKindSchema,
  type Echo,
  type FirewallCommand,
  type ForwardCommand,
  type HostName,
  type NetworkView,
  type PingOptions,
  type PingResult,
  type Topology,
} from './schema.ts';

export interface NetworkContext {
  client: HelperClient;
  addon: NativeAddon;
  pingsPerSecond: number;
  /** Called once when the network ends (destroyed, or its helper gone), to free its slot. */
  release: (network: SandboxNetwork) => void;
  /** Where lab shells are handed out, or why this server does not (sandbox.ts, shellAccess). */
  shells: ShellDoor | (() => SandboxError);
}

export class SandboxNetwork {
  readonly id: number;
  readonly topology: Topology;
  readonly hosts: readonly HostName[];
  /** The network as the kernel showed it right after it was built. */
  readonly created: NetworkView;
  readonly #context: NetworkContext;
  readonly #sockets = new Set<NativeSocket>();
  readonly #stops = new Set<() => void>();
  readonly #endListeners = new Set<(reason: string) => void>();
  readonly #pacer: PingPacer;
  readonly #shellHosts = new Set<HostName>();
  readonly #captures = new Set<PacketCapture>();
  #ended: string | null = null;

  constructor(id: number, view: NetworkView, context: NetworkContext) {
    this.id = id;
    this.topology = view.topology;
    this.hosts = view.hosts.map((h) => h.name);
    this.created = view;
    this.#context = context;
    this.#pacer = new PingPacer(context.pingsPerSecond);
  }

  /** Why the network ended, or null while it lives. */
  get ended(): string | null {
    return this.#ended;
  }

  /** Sockets the network has handed out that are still open. */
  get openSockets(): number {
    return this.#sockets.size;
  }

  /** Called once when the network ends for a reason other than destroy() (its helper died). */
  onEnd(listener: (reason: string) => void): () => void {
    this.#endListeners.add(listener);
    return () => this.#endListeners.delete(listener);
  }

  /** The whole network, live from the kernel. */
  async show(): Promise<NetworkView> {
    return this.#live(() => this.#context.client.request('show', { network: this.id }));
  }

  /**
   * A socket on `host`: created in that host's namespace, adopted by the native addon. Every
   * later call on it is the engine's ordinary call.
   */
  async socket(host: HostName, type: SocketType, family: Family): Promise<EngineSocket> {
    const h = this.#host(host);
    const kind = SocketKindSchema.safeParse(type);
    const fam = FamilySchema.safeParse(family);
    if (!kind.success || !fam.success) throw new SandboxError('E_BAD_REQUEST', 'A sandbox socket is tcp or udp, family 4 or 6.');
    const fd = await this.#live(() => this.#context.client.requestSocket({ network: this.id, host: h, family: fam.data, kind: kind.data }));
    if (this.#ended) {
      this.#context.addon.close(fd);
      throw this.#endedError();
    }
    return new NativeSocket(this.#context.addon, fd, kind.data, fam.data, this.#sockets);
  }

  async firewall(host: HostName, command: FirewallCommand): Promise<FirewallResult> {
    const h = this.#host(host);
    const parsed = FirewallCommandSchema.safeParse(command);
    if (!parsed.success) throw new SandboxError('E_BAD_REQUEST', `Bad firewall command: ${firstIssue(parsed.error)}`);
    return this.#live(() => this.#context.client.request('firewall', { network: this.id, host: h, command: parsed.data }));
  }

  async forward(command: ForwardCommand): Promise<ForwardResult> {
    const parsed = ForwardCommandSchema.safeParse(command);
    if (!parsed.success) throw new SandboxError('E_BAD_REQUEST', `Bad port forward: ${firstIssue(parsed.error)}`);
    return this.#live(() => this.#context.client.request('forward', { network: this.id, command: parsed.data }));
  }

  /** Real ICMP echo from `host`; `onEcho` hears each reply, timeout or error as it happens. */
  async ping(host: HostName, address: string, options: PingOptions = {}, onEcho?: (echo: Echo) => void): Promise<PingResult> {
    const h = this.#host(host);
    const target = typeof address === 'string' ? canonicalAddress(address.trim()) : null;
    if (!target) throw new SandboxError('E_BAD_REQUEST', `ping takes an IPv4 or IPv6 address, not ${JSON.stringify(String(address).slice(0, 64))}.`);
    const parsed = PingOptionsSchema.safeParse(options);
    if (!parsed.success) throw new SandboxError('E_BAD_REQUEST', `Bad ping options: ${firstIssue(parsed.error)}`);
    const { addon } = this.#context;
    const fd = await this.#live(() => this.#context.client.requestSocket({ network: this.id, host: h, family: target.family, kind: 'icmp' }));
    let stopped = this.#ended !== null;
    const listeners = new Set<() => void>();
    const stop = () => {
      stopped = true;
      for (const l of [...listeners]) l();
    };
    this.#stops.add(stop);
    try {
      const echoes = await runPing({ addon, fd, family: target.family, address: target.address }, parsed.data, {
        pace: () => this.#pacer.take(),
        onEcho,
        stopped: () => stopped,
        onStop: (listener) => {
          listeners.add(listener);
          return () => listeners.delete(listener);
        },
      });
      if (this.#ended) throw this.#endedError();
      return { host: h, address: target.address, sent: echoes.filter((e) => e.status !== 'error').length, received: echoes.filter((e) => e.status === 'reply').length, echoes };
    } finally {
      this.#stops.delete(stop);
      addon.close(fd);
    }
  }

  /**
   * Captures the link `ifname` of `host` (issue 17): the helper makes a packet socket inside the
   * host's namespace, where it needs no privilege, and passes it over; here the filter is attached
   * and only then is it bound to the link. The capture is closed when the network ends.
   */
  async capture(host: HostName, ifname: string, options: CaptureOptions): Promise<CaptureResult> {
    const h = this.#host(host);
    const { fd, ifindex } = await this.#live(() => this.#context.client.requestCapture({ network: this.id, host: h, interface: ifname }));
    if (this.#ended) {
      this.#context.addon.close(fd);
      throw this.#endedError();
    }
    const result = captureFromFd(fd, { ...options, ifindex });
    if (!result.ok) {
      this.#context.addon.close(fd);
      return result;
    }
    for (const c of this.#captures) if (c.closed) this.#captures.delete(c);
    this.#captures.add(result.capture);
    return result;
  }

  /** The host's own socket tables (/proc/net/{tcp,tcp6,udp,udp6} in its namespace). */
  async kernelTable(host: HostName): Promise<RawKernelRow[]> {
    const h = this.#host(host);
    const texts = await this.#live(() => this.#context.client.request('procnet', { network: this.id, host: h }));
    return [...parseProcNet(texts.tcp, 'tcp'), ...parseProcNet(texts.tcp6, 'tcp6'), ...parseProcNet(texts.udp, 'udp'), ...parseProcNet(texts.udp6, 'udp6')];
  }

  /**
   * A one-time command that opens a terminal inside `host` (server/sandbox/shell.ts). From then on
   * the host's kernel view shows every program's sockets there, not only the lab's (shellHosts).
   */
  async shell(host: HostName): Promise<ShellTicket> {
    const h = this.#host(host);
    const { shells } = this.#context;
    if (typeof shells === 'function') throw shells();
    if (this.#ended) throw this.#endedError();
    const ticket = await shells.issue(this, h);
    this.#shellHosts.add(h);
    return ticket;
  }

  /** Hosts a lab shell was handed out for: their other programs' sockets belong to the learner too. */
  get shellHosts(): ReadonlySet<HostName> {
    return this.#shellHosts;
  }

  /** Where the helper holds `host`'s namespaces (for the shell door). */
  async entry(host: HostName): Promise<ShellEntry> {
    const h = this.#host(host);
    return this.#live(() => this.#context.client.request('entry', { network: this.id, host: h }));
  }

  /** Closes the network's sockets and its namespaces. Idempotent; never throws. */
  async destroy(): Promise<void> {
    if (this.#ended) return;
    this.#end('the network was destroyed');
    try {
      await this.#context.client.request('destroy', { network: this.id });
    } catch {
      // The helper is gone: so is everything it held.
    }
  }

  /** The helper ended: everything of this network is gone with it. */
  helperEnded(reason: string): void {
    if (this.#ended) return;
    this.#end(reason);
    for (const listener of [...this.#endListeners]) listener(reason);
  }

  #end(reason: string): void {
    this.#ended = reason;
    for (const socket of [...this.#sockets]) socket.close();
    for (const stop of [...this.#stops]) stop();
    for (const capture of this.#captures) capture.close();
    this.#captures.clear();
    const { shells } = this.#context;
    if (typeof shells !== 'function') shells.networkEnded(this, reason);
    this.#context.release(this);
  }

  #host(host: HostName): HostName {
    const parsed = HostNameSchema.safeParse(host);
    if (!parsed.success || !this.hosts.includes(parsed.data)) {
      throw new SandboxError('E_BAD_REQUEST', `There is no host ${JSON.stringify(String(host).slice(0, 32))} in this network (${this.hosts.join(', ')}).`);
    }
    return parsed.data;
  }

  #endedError(): SandboxError {
    return new SandboxError('E_NO_NETWORK', `This sandbox network has ended: ${this.#ended}.`);
  }

  async #live<T>(run: () => Promise<T>): Promise<T> {
    if (this.#ended) throw this.#endedError();
    return run();
  }
}
