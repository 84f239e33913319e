/**
 * The sandbox: every sandbox network of one server, and the one helper process that holds them.
 * The helper starts with the first network and is replaced if it ever dies (its networks end,
 * and say so through SandboxNetwork.onEnd). close() ends them all and stops the helper.
 */
import { z } from 'zod';
import { firstIssue, SandboxError, SandboxUnsupportedError } from './errors.ts';
import { HelperClient } from './helper-client.ts';
import type { HelperStats } from './helper-protocol.ts';
import { loadSandboxAddon } from './netns-addon.ts';
import { SandboxNetwork } from './network.ts';
import { ShellDoor } from './shell.ts';
import { TopologySchema, type Topology } from './schema.ts';
import { detectSandboxSupport, findTool, toolPath, type Env, type SandboxSupport } from './support.ts';

/** Where an instructor names a dedicated unshare (see docs/hosting.md, AppArmor). */
export const UNSHARE_ENV = 'SOCKETLAB_SANDBOX_UNSHARE';

export const SandboxOptionsSchema = z.strictObject({
  /** Networks alive at once on this server; one more gets E_LIMIT. */
  maxNetworks: z.number().int().min(1).max(10_000).default(300),
  /** Firewall rules a learner may add per host. */
  rulesPerHost: z.number().int().min(1).max(1000).default(32),
  forwardsPerNetwork: z.number().int().min(1).max(1000).default(16),
  /** ICMP echo requests per second per network; faster pings wait their turn. */
  pingsPerSecond: z.number().min(0.1).max(100).default(5),
  /** net.ipv4.tcp_syn_retries in every host: 2 gives up on a dropped SYN after about 7 s. */
  synRetries: z.number().int().min(1).max(6).default(2),
  /**
   * The unshare executable (a dedicated copy may carry its own AppArmor profile, docs/hosting.md).
   * Default: $SOCKETLAB_SANDBOX_UNSHARE, else `unshare` from PATH.
   */
  unshare: z.string().min(1).optional(),
  /**
   * Whether learners may open a terminal inside their own network (`npm run lab-shell`, shell.ts);
   * when not, `shellRefusal` says why to whoever asks.
   */
  shells: z.boolean().default(true),
  shellRefusal: z.string().min(1).max(500).default('This server does not hand out lab shells.'),
  /** How long a lab-shell command works once the page has shown it. */
  shellTokenSeconds: z.number().min(0.1).max(3600).default(300),
  /** The folder of the shell door's socket (default /tmp/socketlab-UID; tests give their own). */
  shellDir: z.string().min(1).optional(),
  commandConcurrency: z.number().int().min(1).max(64).default(6),
  commandTimeoutMs: z.number().int().min(100).max(120_000).default(10_000),
  requestTimeoutMs: z.number().int().min(100).max(300_000).default(30_000),
  helperStartTimeoutMs: z.number().int().min(100).max(120_000).default(20_000),
  /** The environment detection reads (PATH, the test switch). */
  env: z.record(z.string(), z.string().optional()).optional(),
});
export type SandboxOptions = z.input<typeof SandboxOptionsSchema>;
type Settings = z.output<typeof SandboxOptionsSchema>;

export class Sandbox {
  readonly settings: Settings;
  readonly #networks = new Set<SandboxNetwork>();
  #creating = 0;
  #nextId = 1;
  #support: Promise<SandboxSupport> | null = null;
  #helper: Promise<HelperClient> | null = null;
  #door: ShellDoor | null = null;
  #closed = false;

  constructor(options: SandboxOptions = {}) {
    const parsed = SandboxOptionsSchema.safeParse(options);
    if (!parsed.success) throw new SandboxError('E_BAD_REQUEST', `Bad sandbox options: ${firstIssue(parsed.error)}`);
    this.settings = parsed.data;
  }

  /** Whether this machine can have sandbox networks (probed once, then remembered). */
  support(): Promise<SandboxSupport> {
    this.#support ??= detectSandboxSupport({ env: this.#env(), unshare: this.#unshare() });
    return this.#support;
  }

  /**
   * Starts the helper ahead of the first network (it takes about half a second), when the
   * sandbox is supported here. Optional: create() starts it anyway.
   */
  async start(): Promise<SandboxSupport> {
    const support = await this.support();
    if (support.supported && !this.#closed) await this.#client();
    return support;
  }

  /** Networks alive now (and being built). */
  get networkCount(): number {
    return this.#networks.size + this.#creating;
  }

  /**
   * A new network of the topology. Throws SandboxUnsupportedError (E_UNSUPPORTED) when this
   * machine cannot, E_LIMIT beyond maxNetworks, E_BAD_REQUEST for an unknown topology.
   */
  async create(topology: Topology = 'home'): Promise<SandboxNetwork> {
    const parsed = TopologySchema.safeParse(topology);
    if (!parsed.success) throw new SandboxError('E_BAD_REQUEST', `There is no topology ${JSON.stringify(String(topology).slice(0, 32))} (try "home").`);
    if (this.#closed) throw new SandboxError('E_NO_NETWORK', 'The sandbox is shut down.');
    const support = await this.support();
    if (!support.supported) throw new SandboxUnsupportedError(support.reason, support.remedy);
    if (this.networkCount >= this.settings.maxNetworks) {
      throw new SandboxError('E_LIMIT', `This server already runs ${this.settings.maxNetworks} sandbox networks, its limit; try again when one ends.`);
    }
    this.#creating++;
    try {
      const client = await this.#client();
      const id = this.#nextId++;
      const view = await client.request('create', { network: id, topology: parsed.data });
      const network = new SandboxNetwork(id, view, {
        client,
        addon: this.#addon(),
        pingsPerSecond: this.settings.pingsPerSecond,
        release: (n) => this.#networks.delete(n),
        shells: this.#shellAccess(),
      });
      if (this.#closed || !client.alive) {
        await network.destroy();
        throw new SandboxError('E_NO_NETWORK', 'The sandbox shut down while the network was being built.');
      }
      this.#networks.add(network);
      return network;
    } finally {
      this.#creating--;
    }
  }

  /** The helper's pid, or null when none runs (for tests and diagnostics). */
  async helperPid(): Promise<number | null> {
    if (!this.#helper) return null;
    try {
      const client = await this.#helper;
      return client.alive ? client.pid : null;
    } catch {
      return null;
    }
  }

  /** What the helper holds: networks and namespace fds (for leak checks). */
  async stats(): Promise<HelperStats> {
    if (!this.#helper) return { networks: 0, namespaces: 0 };
    const client = await this.#helper;
    return client.request('stats', {});
  }

  /** Kills the helper outright, as a crash would (for tests: networks must end and say so). */
  async killHelper(): Promise<void> {
    if (this.#helper) (await this.#helper).kill();
  }

  /** Lab shells connected now (for tests and leak checks). */
  get openShells(): number {
    return this.#door?.openShells ?? 0;
  }

  /**
   * Whether lab shells can be had here, and why not: the host's setting first, then nsenter
   * (util-linux), which the terminal's script runs. One door serves every network of the server.
   */
  shellSupport(): { available: true } | { available: false; reason: string } {
    if (!this.settings.shells) return { available: false, reason: this.settings.shellRefusal };
    if (process.platform !== 'linux') return { available: false, reason: 'Lab shells need Linux (nsenter into the sandbox\'s namespaces).' };
    if (!findTool('nsenter', toolPath(this.#env()))) {
      return { available: false, reason: 'Lab shells need nsenter, which is not installed here: `sudo apt-get install -y util-linux`.' };
    }
    return { available: true };
  }

  #shellAccess(): ShellDoor | (() => SandboxError) {
    const support = this.shellSupport();
    if (!support.available) {
      const code = this.settings.shells ? 'E_UNSUPPORTED' : 'E_POLICY';
      return () => new SandboxError(code, support.reason);
    }
    this.#door ??= new ShellDoor({
      ttlMs: this.settings.shellTokenSeconds * 1000,
      ...(this.settings.shellDir ? { dir: this.settings.shellDir } : {}),
    });
    return this.#door;
  }

  /** Ends every network and stops the helper; later create() calls get E_NO_NETWORK. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const network of [...this.#networks]) network.helperEnded('the sandbox shut down');
    await this.#door?.close();
    const helper = this.#helper;
    this.#helper = null;
    if (helper) {
      try {
        await (await helper).stop();
      } catch {
        // it never started
      }
    }
  }

  #env(): Env {
    return this.settings.env ?? process.env;
  }

  #unshare(): string {
    return this.settings.unshare ?? (this.#env()[UNSHARE_ENV] || 'unshare');
  }

  #addon() {
    const loaded = loadSandboxAddon();
    if (!loaded.addon) throw new SandboxUnsupportedError(loaded.reason, 'Run `node scripts/build-addon.mjs`.');
    return loaded.addon;
  }

  #client(): Promise<HelperClient> {
    this.#helper ??= this.#startHelper();
    return this.#helper;
  }

  #startHelper(): Promise<HelperClient> {
    const path = toolPath(this.#env());
    const started = HelperClient.start({
      addon: this.#addon(),
      unshare: findTool(this.#unshare(), path) ?? this.#unshare(),
      path,
      settings: {
        synRetries: this.settings.synRetries,
        rulesPerHost: this.settings.rulesPerHost,
        forwardsPerNetwork: this.settings.forwardsPerNetwork,
        commandConcurrency: this.settings.commandConcurrency,
        commandTimeoutMs: this.settings.commandTimeoutMs,
      },
      startTimeoutMs: this.settings.helperStartTimeoutMs,
      requestTimeoutMs: this.settings.requestTimeoutMs,
      onExit: (reason) => {
        if (this.#helper === started) this.#helper = null; // the next create starts a new one
        for (const network of [...this.#networks]) network.helperEnded(reason);
      },
    });
    started.catch(() => {
      if (this.#helper === started) this.#helper = null;
    });
    return started;
  }
}

export function createSandbox(options: SandboxOptions = {}): Sandbox {
  return new Sandbox(options);
}
