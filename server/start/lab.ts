/**
 * The lab as the server runs it: the engine (native, or the fallback), the kernel view's reader,
 * the policy every call is checked against, and the /lab hub that gives each browser a session.
 * `createLabParts` builds what one thread runs sessions on; every lab worker builds its own
 * (server/lab/worker-main.ts), and the main thread one without a sandbox, for the class chat's
 * session and the upgrade guard. `createLab` adds the hub and its workers (server/lab/worker-pool.ts).
 */
import ipaddr from 'ipaddr.js';
import type { Config } from '../config.ts';
import { ephemeralRangeAvoiding, systemEphemeralRange } from '../engines/ephemeral-range.ts';
import { selectEngine } from '../engines/select.ts';
import type { Engine } from '../engines/types.ts';
import { chooseKernelReader, type KernelViewSource } from '../kernel/index.ts';
import { labFdBudget, type FdBudget } from '../lab/fd-budget.ts';
import { SharedFdCount } from '../lab/fd-count.ts';
import { LabHub, type HubOptions } from '../lab/hub.ts';
import { WorkerPool, type PoolSandbox } from '../lab/worker-pool.ts';
import type { FdShare } from '../lab/worker-messages.ts';
import { LabPolicy } from '../lab/policy.ts';
import { PortPicker, workerSlice } from '../lab/port-picker.ts';
import type { SessionDeps } from '../lab/session.ts';
import { sharedProcRead } from '../lab/shared-read.ts';
import { labPrograms } from '../programs.ts';
import { PROTOCOL, type NetworkSupport } from '../protocol/index.ts';
import { createSandbox, SandboxUnsupportedError, type Sandbox, type SandboxSupport } from '../sandbox/index.ts';
import { DEFAULT_SNAPLEN, LoopbackCapture, probeCapture } from '../capture/index.ts';
import { SessionCapture, type CaptureSupport } from '../lab/session-capture.ts';
import { ownAddress } from './addresses.ts';
import { installBenchProbe } from './bench-probe.ts';

export interface Lab {
  engine: Engine;
  fallbackReason?: string;
  /** How the kernel view is read, and why not through netlink when it is not. */
  kernelView: { source: KernelViewSource; fallbackReason?: string };
  policy: LabPolicy;
  /** Lab sockets the whole server may hold, and the open-file limit it comes from. */
  fdBudget: FdBudget;
  /** What every lab session runs on (the class chat's session too). */
  sessionDeps: SessionDeps;
  hub: LabHub;
  /** The workers' sandbox networks (one helper per worker), or null when the host switched them off. */
  sandbox: PoolSandbox | null;
  /** The threads sessions run on. */
  pool: WorkerPool;
  /** The main thread's part of the process-wide count of lab sockets. */
  fdCount: SharedFdCount;
  /** Whether sessions can have a sandbox network here, and why not (the start line says it). */
  sandboxSupport: SandboxSupport;
  /**
   * Packet capture as the sessions get it: its `loopback` is the main thread's (the class chat's
   * session); each worker holds its own shared `lo` capture for its sessions (pool.loopbackCaptures()).
   */
  capture?: CaptureSupport;
}

const SWITCHED_OFF: SandboxSupport = {
  supported: false,
  reason: 'the host switched it off (--sandbox-networks 0)',
  remedy: 'Start the server without --sandbox-networks 0 (or SOCKETLAB_SANDBOX_NETWORKS=0) to have it.',
};

/** The sandbox as the config asks for it, and whether this machine can have it (probed once, at start). */
async function startSandbox(config: Config): Promise<{ sandbox: Sandbox | null; support: SandboxSupport }> {
  if (config.sandboxNetworks === 0) return { sandbox: null, support: SWITCHED_OFF };
  const sandbox = createSandbox({
    maxNetworks: config.sandboxNetworks,
    rulesPerHost: config.sandboxRulesPerHost,
    forwardsPerNetwork: config.sandboxForwards,
    pingsPerSecond: config.sandboxPingsPerSecond,
    ...labShells(config),
  });
  return { sandbox, support: await sandbox.support() };
}

/**
 * Lab shells (server/sandbox/shell.ts) are for the user at this machine's keyboard: on by default
 * for one learner on loopback, off for a class or a server others reach, unless the host says so.
 */
function labShells(config: Config): { shells: boolean; shellRefusal: string } {
  const range = ipaddr.isValid(config.host) ? ipaddr.process(config.host).range() : config.host === 'localhost' ? 'loopback' : 'unicast';
  const shells = config.labShell === 'on' || (config.labShell === 'auto' && !config.class && range === 'loopback');
  const why = config.labShell === 'off' ? 'the host switched them off (--lab-shell off)' : config.class ? 'this server hosts a class' : 'this server listens beyond loopback';
  return { shells, shellRefusal: `Lab shells are off on this server: ${why}. The host can allow them with --lab-shell on (docs/hosting.md).` };
}

/** What one thread runs lab sessions on. */
export interface LabParts {
  /** This thread's part of the process-wide count of lab sockets. */
  fdCount: SharedFdCount;
  engine: Engine;
  fallbackReason?: string;
  kernelView: { source: KernelViewSource; fallbackReason?: string };
  policy: LabPolicy;
  sessionDeps: SessionDeps;
  networkSupport: NetworkSupport;
  sandbox: Sandbox | null;
  sandboxSupport: SandboxSupport;
}

/** The bytes of a session's kept packets (beside --capture-packets frames); then it counts only. */
const CAPTURE_BYTES = 8 * 1024 * 1024;

/**
 * Packet capture (issue 17), probed once at start by each thread: the thread's one shared `lo`
 * capture (opened when its first session starts capturing) where this process may open packet
 * sockets (root or CAP_NET_RAW), and the sandbox links wherever sandbox networks run (no privilege
 * needed inside them). Each lab worker has its own: its sessions' claims are in that thread.
 */
function captureSupport(config: Config, sandbox: boolean, slice: readonly [number, number] | null): CaptureSupport | undefined {
  if (config.capturePackets === 0) return undefined;
  const unavailable = probeCapture('lo');
  return {
    loopback: unavailable ? null : new LoopbackCapture({ ports: config.labPorts, slice, snaplen: DEFAULT_SNAPLEN }),
    loopbackUnavailable: unavailable,
    sandbox,
    cap: { frames: config.capturePackets, bytes: CAPTURE_BYTES },
    snaplen: DEFAULT_SNAPLEN,
  };
}

/** `lan`: the class's LAN address, which lab sockets may use too. */
export async function createLabParts(config: Config, lan: string | null, fd: FdShare): Promise<LabParts> {
  const { engine, fallbackReason } = await selectEngine(config.engine, {
    maxFds: fd.budget,
    ephemeralPorts: ephemeralRangeAvoiding(config.labPorts, systemEphemeralRange()),
  });
  const fdCount = new SharedFdCount(fd.buffer, fd.slot, () => engine.openFds());
  const kernel = chooseKernelReader(config.kernelView, engine.sockDiag);
  const { sandbox, support: sandboxSupport } = await startSandbox(config);
  const shell = sandbox && sandboxSupport.supported ? sandbox.shellSupport() : null;
  const networkSupport: NetworkSupport = sandboxSupport.supported
    ? { available: true, maxNetworks: config.sandboxNetworks, ...(shell ? { shell } : {}) }
    : { available: false, reason: `${sandboxSupport.reason}. ${sandboxSupport.remedy}`, maxNetworks: config.sandboxNetworks };
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
  // A worker's own part of the port range (slot 2 is worker 0); the main thread keeps the whole range.
  const slice = fd.slot >= 2 ? workerSlice(config.labPorts, fd.slot - 2, config.workers) : null;
  const capture = captureSupport(config, sandboxSupport.supported, slice);
  const sessionDeps: SessionDeps = {
    engine,
    policy,
    ports: new PortPicker(config.labPorts, fd.portCursor, slice),
    // /proc/net is the whole machine's table whatever the query, so sessions asking at once share
    // one read; sock_diag lookups are each session's own and cheap, so they are not shared.
    readKernel: kernel.reader.source === 'proc' ? sharedProcRead(kernel.reader) : kernel.reader.read,
    readTcpInfo: kernel.reader.tcpInfo,
    programs: labPrograms(config),
    fdBudget: fd.budget,
    fdCount: () => fdCount.reserve(fd.budget),
    // Where the sandbox is off, `network` says why, as the start line does.
    sandbox:
      sandbox && sandboxSupport.supported
        ? sandbox
        : {
            create: () => Promise.reject(new SandboxUnsupportedError(sandboxSupport.supported ? '' : sandboxSupport.reason, sandboxSupport.supported ? '' : sandboxSupport.remedy)),
          },
    capture,
  };
  return {
    fdCount,
    engine,
    fallbackReason,
    kernelView: { source: kernel.reader.source, fallbackReason: kernel.fallbackReason },
    policy,
    sessionDeps,
    networkSupport,
    sandbox,
    sandboxSupport,
  };
}

/** The main thread's parts (no sandbox: sessions that have one live on workers), the workers, the hub. */
export async function createLab(config: Config, lan: string | null, onSessionOpen: HubOptions['onSessionOpen'], remoteSession?: HubOptions['remoteSession']): Promise<Lab> {
  const fdBudget = labFdBudget(config.labFdBudget);
  const buffer = SharedFdCount.buffer(config.workers);
  const portCursor = PortPicker.sharedCursor();
  const pool = await WorkerPool.start({ config, lan, fdBudget: fdBudget.sockets, fdBuffer: buffer, portCursor });
  const parts = await createLabParts({ ...config, sandboxNetworks: 0 }, lan, { budget: fdBudget.sockets, buffer, slot: 1, portCursor });
  installBenchProbe(() => pool.syscallClock());
  const capture = parts.sessionDeps.capture && { ...parts.sessionDeps.capture, sandbox: pool.sandboxSupport.supported };
  const network: NetworkSupport = pool.sandboxSupport.supported
    ? { available: true, maxNetworks: config.sandboxNetworks }
    : { available: false, reason: `${pool.sandboxSupport.reason}. ${pool.sandboxSupport.remedy}`, maxNetworks: config.sandboxNetworks };
  const hub = new LabHub({
    pool,
    policy: parts.policy,
    onSessionOpen,
    remoteSession,
    // A viewer's hello for another instance's session: what the workers' hello says (the same engine and config).
    remoteHello: (session) => ({
      event: 'hello',
      protocol: PROTOCOL,
      session: session.id,
      engine: parts.engine.name,
      policy: parts.policy.describe(),
      role: 'viewer',
      composite: parts.engine.composite,
      kernelView: pool.kernelView,
      network,
      ...(capture ? { capture: session.capture?.status() ?? SessionCapture.describe(capture) } : {}),
    }),
    sessionsPerAddress: config.sessionsPerAddress,
    heartbeatSeconds: config.heartbeatSeconds,
  });
  return {
    engine: parts.engine,
    fallbackReason: parts.fallbackReason,
    kernelView: parts.kernelView,
    policy: parts.policy,
    fdBudget,
    sessionDeps: parts.sessionDeps,
    hub,
    pool,
    fdCount: parts.fdCount,
    sandbox: pool.sandbox,
    sandboxSupport: pool.sandboxSupport,
    // The main thread has no sandbox; the workers' sessions capture on their links where they have one.
    capture,
  };
}
