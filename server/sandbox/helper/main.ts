/**
 * The sandbox helper: one process per server, started as `unshare -Urn -- node main.ts SETTINGS`,
 * so it is root in a user namespace of its own and sits in an empty network namespace. It holds
 * every sandbox network's namespaces and answers the server's requests (helper-protocol.ts):
 * one JSON line in on stdin, one JSON line out on stdout, and each socket it creates sent over
 * fd 3 (a SOCK_SEQPACKET channel) before the reply that announces it.
 *
 * It never outlives the server: the kernel kills it when the server's thread that started it
 * exits (PR_SET_PDEATHSIG), and it exits by itself when its stdin closes.
 */
import { createInterface } from 'node:readline';
import { SandboxError } from '../errors.ts';
import { HelperRequestSchema, HelperSettingsSchema, type HelperReply, type ParsedHelperRequest } from '../helper-protocol.ts';
import { loadSandboxAddon, type SandboxAddon } from '../netns-addon.ts';
import { CommandRunner } from './commands.ts';
import { HelperNetwork, type NetworkDeps } from './network.ts';

const CHANNEL_FD = 3;

function fail(message: string, code: number): never {
  process.stderr.write(`sandbox helper: ${message}\n`);
  process.exit(code);
}

const loaded = loadSandboxAddon();
if (!loaded.addon) fail(loaded.reason, 69);
const addon: SandboxAddon = loaded.addon;

const parsedSettings = HelperSettingsSchema.safeParse(JSON.parse(process.argv[2] ?? 'null'));
if (!parsedSettings.success) fail(`bad settings: ${parsedSettings.error.message}`, 64);
const settings = parsedSettings.data;

// First of all: die with the server. If it already died, our parent is someone else: leave now.
if (addon.dieWithParent() !== settings.serverPid) fail('the server is gone', 0);
addon.channelAttach(CHANNEL_FD);

const deps: NetworkDeps = {
  addon,
  runner: new CommandRunner(addon, { concurrency: settings.commandConcurrency, timeoutMs: settings.commandTimeoutMs }),
  settings,
};
const networks = new Map<number, HelperNetwork>();
/** Networks being built: a destroy that arrives meanwhile waits for the build to finish. */
const building = new Map<number, Promise<HelperNetwork | null>>();

function reply(message: HelperReply): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

function errorOf(e: unknown): { code: string; message: string } {
  if (e instanceof SandboxError) return { code: e.code, message: e.message.slice(0, 2000) };
  const code = (e as { code?: unknown } | null)?.code;
  const message = (e instanceof Error ? e.message : String(e)).slice(0, 2000);
  return typeof code === 'string' && /^E[A-Z0-9_]{1,31}$/.test(code) ? { code, message } : { code: 'E_INTERNAL', message };
}

function network(id: number): HelperNetwork {
  const found = networks.get(id);
  if (!found || found.closed) throw new SandboxError('E_NO_NETWORK', `There is no sandbox network ${id}.`);
  return found;
}

async function handle(request: ParsedHelperRequest): Promise<unknown> {
  switch (request.op) {
    case 'create': {
      if (networks.has(request.network) || building.has(request.network)) {
        throw new SandboxError('E_BAD_REQUEST', `Network ${request.network} exists already.`);
      }
      const made = HelperNetwork.create(request.network, request.topology, deps);
      building.set(request.network, made.then((m) => m.network).catch(() => null));
      try {
        const { network: net, view } = await made;
        networks.set(request.network, net);
        return view;
      } finally {
        building.delete(request.network);
      }
    }
    case 'destroy': {
      await building.get(request.network);
      const net = networks.get(request.network);
      networks.delete(request.network); // new requests find no network from here on
      // Operations already queued finish first: a namespace fd number closed under a running
      // command could be reused by another network's namespace.
      await net?.closeAfterPending();
      return null;
    }
    case 'socket': {
      // Synchronous from request to reply, so the socket is on the channel before its reply.
      const net = network(request.network);
      addon.sendSocket(CHANNEL_FD, request.id, net.nsfd(request.host), request.family, request.kind);
      reply({ id: request.id, ok: true, value: null, fd: true });
      return undefined;
    }
    case 'capture': {
      // As for a socket: the fd is on the channel before the reply that announces it.
      const net = network(request.network);
      const ifindex = net.ifindex(request.host, request.interface);
      addon.sendSocket(CHANNEL_FD, request.id, net.nsfd(request.host), 4, 'packet');
      reply({ id: request.id, ok: true, value: { ifindex }, fd: true });
      return undefined;
    }
    case 'show': {
      const net = network(request.network);
      return net.serial(() => net.show());
    }
    case 'firewall': {
      const net = network(request.network);
      return net.serial(() => net.firewall(request.host, request.command));
    }
    case 'forward': {
      const net = network(request.network);
      return net.serial(() => net.forward(request.command));
    }
    case 'procnet':
      return network(request.network).procNet(request.host);
    case 'entry':
      return network(request.network).entry(request.host);
    case 'stats':
      return {
        networks: networks.size,
        namespaces: [...networks.values()].reduce((n, net) => n + net.namespaceCount(), 0),
      };
  }
}

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
lines.on('line', (line) => {
  let id = 0;
  let request: ParsedHelperRequest;
  try {
    const raw: unknown = JSON.parse(line);
    const rawId = typeof raw === 'object' && raw !== null && 'id' in raw ? raw.id : undefined;
    if (typeof rawId === 'number' && Number.isInteger(rawId) && rawId >= 1) id = rawId;
    request = HelperRequestSchema.parse(raw);
  } catch (e) {
    if (id) reply({ id, ok: false, error: { code: 'E_BAD_REQUEST', message: `bad request: ${errorOf(e).message}` } });
    else process.stderr.write('sandbox helper: ignored a request without an id\n');
    return;
  }
  handle(request).then(
    (value) => {
      if (value !== undefined) reply({ id: request.id, ok: true, value });
    },
    (e: unknown) => reply({ id: request.id, ok: false, error: errorOf(e) }),
  );
});
// The server closed our stdin (it stopped the sandbox, or exited): close everything and go.
lines.on('close', () => {
  for (const net of networks.values()) net.close();
  process.exit(0);
});

process.stdout.write(`${JSON.stringify({ event: 'ready', pid: process.pid })}\n`);
