/**
 * The one process: HTTP for the Next.js site and the /lab WebSocket on the same port.
 * Next's own upgrade handling is given a server that never listens (see DESIGN.md, stack facts), so
 * /lab upgrades reach the lab and everything else (dev hot reload) reaches Next.
 */
import http from 'node:http';
import { networkInterfaces } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ipaddr from 'ipaddr.js';
import type { Config } from './config.ts';
import { selectEngine } from './engines/select.ts';
import type { Engine } from './engines/types.ts';
import { chooseKernelReader, type KernelViewSource } from './kernel/index.ts';
import { ClassHub, openClass } from './class/class-hub.ts';
import { newJoinCode } from './class/class-codes.ts';
import { ClassStore } from './class/class-store.ts';
import { OriginCheck } from './front/origin.ts';
import { UpgradeGuard } from './front/upgrade-guard.ts';
import { LabHub } from './lab/hub.ts';
import { labFdBudget, type FdBudget } from './lab/fd-budget.ts';
import { LabPolicy } from './lab/policy.ts';
import { PortPicker } from './lab/port-picker.ts';
import { sharedProcRead } from './lab/shared-read.ts';
import { labPrograms } from './programs.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface RunningServer {
  url: string;
  port: number;
  host: string;
  engine: Engine;
  fallbackReason?: string;
  /** How the kernel view is read, and why not through netlink when it is not. */
  kernelView: { source: KernelViewSource; fallbackReason?: string };
  hub: LabHub;
  /** Class hosting, when started with --class. */
  classroom?: { hub: ClassHub; resumed: boolean; instructorUrl: string; studentUrl: string; dataFile: string };
  policy: LabPolicy;
  /** Lab sockets the whole server may hold, and the open-file limit it comes from. */
  fdBudget: FdBudget;
  server: http.Server;
  close(): Promise<void>;
}

/** A specific, non-loopback listen address is this machine's own: lab sockets may use it too. */
function ownAddress(host: string): string[] {
  if (!ipaddr.isValid(host)) return [];
  const range = ipaddr.process(host).range();
  return range === 'loopback' || range === 'unspecified' ? [] : [host];
}

/** This machine's first LAN IPv4 address, for a class hosted on every interface (--host 0.0.0.0). */
export function lanAddress(): string | null {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return null;
}

/** The address students' programs use to reach lab sockets (and the class chat) on this machine. */
function classAddress(config: Config): string | null {
  if (!config.class) return null;
  const own = ownAddress(config.host)[0];
  if (own) return own;
  return config.host === '0.0.0.0' ? lanAddress() : null;
}

export async function startServer(config: Config): Promise<RunningServer> {
  const fdBudget = labFdBudget(config.labFdBudget);
  const { engine, fallbackReason } = await selectEngine(config.engine, { maxFds: fdBudget.sockets });
  const kernel = chooseKernelReader(config.kernelView, engine.sockDiag);
  const lan = classAddress(config);
  const policy = new LabPolicy({
    ports: config.labPorts,
    extraAddresses: [...config.labAddresses, ...ownAddress(config.host), ...(lan ? [lan] : [])],
    sitePort: null,
    limits: {
      sockets: config.maxSockets,
      sendBytes: config.maxSendBytes,
      commandsPerSecond: config.commandsPerSecond,
      idleSeconds: config.idleSeconds,
    },
  });
  let classHub: ClassHub | null = null;
  // Opened before anything listens: without better-sqlite3 a class cannot start (SqliteUnavailableError).
  const classStore = config.class ? await ClassStore.open(path.resolve(ROOT, config.classData)) : null;
  const sessionDeps = {
    engine,
    policy,
    ports: new PortPicker(config.labPorts),
    // /proc/net is the whole machine's table whatever the query, so sessions asking at once share
    // one read; sock_diag lookups are each session's own and cheap, so they are not shared.
    readKernel: kernel.reader.source === 'proc' ? sharedProcRead(kernel.reader) : kernel.reader.read,
    programs: labPrograms(config),
    fdBudget: fdBudget.sockets,
  };
  const hub = new LabHub({
    ...sessionDeps,
    engineComposite: engine.composite,
    onSessionOpen: (session, url) => classHub?.labelLabSession(session, url),
    sessionsPerAddress: config.sessionsPerAddress,
    idleSeconds: config.idleSeconds,
    heartbeatSeconds: config.heartbeatSeconds,
  });

  let handle: (req: http.IncomingMessage, res: http.ServerResponse) => void = (_req, res) => {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('Socket Lab is running with --lab-only: only /lab is served.\n');
  };
  // Next attaches its upgrade listener (dev hot reload) to this server, which never listens.
  const nextUpgrades = http.createServer();
  if (!config.labOnly) {
    const { default: next } = await import('next');
    const app = next({
      dev: config.dev,
      dir: ROOT,
      hostname: config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host,
      port: config.port,
      httpServer: nextUpgrades,
      quiet: config.quiet,
    });
    await app.prepare();
    const nextHandler = app.getRequestHandler();
    handle = (req, res) => void nextHandler(req, res);
  }

  const server = http.createServer((req, res) => {
    if (classHub?.handleHttp(req, res)) return;
    handle(req, res);
  });
  // One admission check for /lab and /class: this server's own hosts and origins, not a lab socket.
  const guard = new UpgradeGuard(
    new OriginCheck({ port: () => policy.sitePort ?? config.port, host: config.host, lanAddress: lan, allowedOrigins: config.allowedOrigins }),
    engine,
    (address) => policy.allows(address),
  );
  server.on('upgrade', (req, socket, head) => {
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    if ((pathname === '/lab' || (pathname === '/class' && classHub)) && !guard.admit(req, socket)) return;
    if (pathname === '/lab') hub.handleUpgrade(req, socket, head);
    else if (pathname === '/class' && classHub) classHub.handleUpgrade(req, socket, head);
    else if (config.dev) nextUpgrades.emit('upgrade', req, socket, head);
    else socket.destroy();
  });
  server.on('clientError', (_err, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as { port: number }).port;
  policy.sitePort = port;
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? (lan ?? 'localhost') : config.host;
  const shown = shownHost.includes(':') ? `[${shownHost}]` : shownHost;
  const url = `http://${shown}:${port}`;

  let classroom: RunningServer['classroom'];
  if (classStore) {
    const dataFile = path.resolve(ROOT, config.classData);
    const store = classStore;
    const resumed = openClass(store, { title: config.classTitle, code: newJoinCode(), instructorKey: config.instructorKey ?? null, fresh: config.newClass }) === 'resumed';
    const settings = store.settings()!;
    const studentUrl = `${url}/class?code=${settings.code}`;
    const chatAddress = lan ?? '127.0.0.1';
    classHub = new ClassHub({
      store,
      lab: hub,
      sessionDeps,
      studentUrl,
      chatAddress,
      chatPort: config.classChatPort ?? config.labPorts[0],
      allowedOrigins: config.allowedOrigins,
      studentsPerAddress: config.classStudentsPerAddress,
    });
    await classHub.start();
    classroom = { hub: classHub, resumed, instructorUrl: `${url}/class/instructor#key=${settings.instructorKey}`, studentUrl, dataFile };
  }

  return {
    url,
    port,
    host: config.host,
    engine,
    fallbackReason,
    kernelView: { source: kernel.reader.source, fallbackReason: kernel.fallbackReason },
    hub,
    classroom,
    policy,
    fdBudget,
    server,
    async close() {
      classHub?.close();
      hub.close();
      engine.closeAll();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
