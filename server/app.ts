/**
 * The one process: the Next.js site, the /lab WebSocket and (with --class) the /class one on the
 * same port. This file only assembles the parts, in the order they need each other:
 * the class store (before anything listens), the lab (start/lab.ts), the site (front/site.ts),
 * the routes and their admission check (front/), listening (start/listen.ts), then the class,
 * whose links carry the address the server got (start/classroom.ts).
 */
import type http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from './config.ts';
import type { Engine } from './engines/types.ts';
import type { KernelViewSource } from './kernel/index.ts';
import { OriginCheck } from './front/origin.ts';
import { Readiness } from './front/readiness.ts';
import { TrustedProxies } from './front/client-address.ts';
import { createFrontServer } from './front/routes.ts';
import { createSite } from './front/site.ts';
import { UpgradeGuard } from './front/upgrade-guard.ts';
import type { FdBudget } from './lab/fd-budget.ts';
import type { LabHub } from './lab/hub.ts';
import type { LabPolicy } from './lab/policy.ts';
import type { CaptureSupport } from './lab/session-capture.ts';
import type { SandboxSupport } from './sandbox/index.ts';
import type { PoolSandbox, WorkerPool } from './lab/worker-pool.ts';
import { classAddress } from './start/addresses.ts';
import { createClassroom, openClassStore, type Classroom } from './start/classroom.ts';
import { createLab, type Lab } from './start/lab.ts';
import { listen, siteUrl } from './start/listen.ts';

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
  /** Lab worker threads sessions run on (--workers). */
  workers: number;
  /** The workers themselves (tests: where a session lives, a worker's crash). */
  pool: WorkerPool;
  /** Class hosting, when started with --class. */
  classroom?: Classroom;
  policy: LabPolicy;
  /** The workers' sandbox networks (null when switched off), and whether this machine can have them. */
  sandbox: PoolSandbox | null;
  sandboxSupport: SandboxSupport;
  /** Lab sockets the whole server may hold, and the open-file limit it comes from. */
  fdBudget: FdBudget;
  /** Packet capture: the main thread's shared loopback capture (null where it cannot run; each worker has its own) and the per-session cap. */
  capture?: CaptureSupport;
  server: http.Server;
  /** Whether every endpoint is up (GET /readyz says the same). */
  readiness: Readiness;
  close(): Promise<void>;
}

export async function startServer(config: Config): Promise<RunningServer> {
  const lan = classAddress(config);
  // Opened before anything listens: without better-sqlite3, or with a PostgreSQL that cannot be
  // reached or refuses the credentials, a class cannot start (SqliteUnavailableError, StoreStartError).
  const classStore = await openClassStore(config, ROOT);
  const readiness = new Readiness(classStore ? ['site', 'lab', 'class'] : ['site', 'lab']);
  let classroom: Classroom | undefined;
  const lab = await createLab(
    config,
    lan,
    (session, url) => classroom?.hub.labelLabSession(session, url),
    (token) => classroom?.hub.remoteSession(token),
  );
  const site = await createSite(config, ROOT);
  const { policy, engine } = lab;
  const guard = new UpgradeGuard(
    new OriginCheck({ port: () => policy.sitePort ?? config.port, host: config.host, lanAddress: lan, allowedOrigins: config.allowedOrigins }),
    // The class chat's sockets are the main thread's; every session's are on a worker.
    (from, to) => engine.isConnection(from, to) || lab.pool.isConnection(from, to),
    (address) => policy.allows(address),
  );
  const proxies = new TrustedProxies(config.trustProxy);
  const server = createFrontServer({ site, guard, lab: lab.hub, classroom: () => classroom?.hub ?? null, dev: config.dev, readiness, proxies });
  readiness.up('site');
  readiness.up('lab');

  const port = await listen(server, config.port, config.host);
  policy.sitePort = port;
  lab.pool.setSitePort(port);
  const url = siteUrl(config.host, port, lan);
  if (classStore) {
    try {
      classroom = await createClassroom(classStore, config, { root: ROOT, url, lan, lab });
      await classroom.hub.start();
    } catch (e) {
      await stop(server, lab, classroom, readiness);
      await classStore.close().catch(() => {});
      throw e;
    }
    readiness.up('class');
  }

  return {
    url,
    port,
    host: config.host,
    engine,
    fallbackReason: lab.fallbackReason,
    kernelView: lab.kernelView,
    hub: lab.hub,
    workers: lab.pool.size,
    pool: lab.pool,
    classroom,
    policy,
    sandbox: lab.sandbox,
    sandboxSupport: lab.sandboxSupport,
    fdBudget: lab.fdBudget,
    capture: lab.capture,
    server,
    readiness,
    close: () => stop(server, lab, classroom, readiness),
  };
}

/** Shutdown: the class first (it saves what is pending), then the lab's workers and sockets, then HTTP. */
async function stop(server: http.Server, lab: Lab, classroom: Classroom | undefined, readiness: Readiness): Promise<void> {
  readiness.stop();
  await classroom?.hub.close();
  // Each worker ends its sessions, closes their sockets, captures and networks and stops its sandbox helper.
  await lab.hub.close();
  lab.engine.closeAll();
  lab.fdCount.close();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
