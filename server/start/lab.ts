/**
 * The lab as the server runs it: the engine (native, or the fallback), the kernel view's reader,
 * the policy every call is checked against, and the /lab hub that gives each browser a session.
 */
import type { Config } from '../config.ts';
import { selectEngine } from '../engines/select.ts';
import type { Engine } from '../engines/types.ts';
import { chooseKernelReader, type KernelViewSource } from '../kernel/index.ts';
import { labFdBudget, type FdBudget } from '../lab/fd-budget.ts';
import { LabHub, type HubOptions } from '../lab/hub.ts';
import { LabPolicy } from '../lab/policy.ts';
import { PortPicker } from '../lab/port-picker.ts';
import type { SessionDeps } from '../lab/session.ts';
import { sharedProcRead } from '../lab/shared-read.ts';
import { labPrograms } from '../programs.ts';
import { ownAddress } from './addresses.ts';

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
}

/** `lan`: the class's LAN address, which lab sockets may use too. */
export async function createLab(config: Config, lan: string | null, onSessionOpen: HubOptions['onSessionOpen']): Promise<Lab> {
  const fdBudget = labFdBudget(config.labFdBudget);
  const { engine, fallbackReason } = await selectEngine(config.engine, { maxFds: fdBudget.sockets });
  const kernel = chooseKernelReader(config.kernelView, engine.sockDiag);
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
  const sessionDeps: SessionDeps = {
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
    kernelView: kernel.reader.source,
    onSessionOpen,
    sessionsPerAddress: config.sessionsPerAddress,
    idleSeconds: config.idleSeconds,
    heartbeatSeconds: config.heartbeatSeconds,
  });
  return {
    engine,
    fallbackReason,
    kernelView: { source: kernel.reader.source, fallbackReason: kernel.fallbackReason },
    policy,
    fdBudget,
    sessionDeps,
    hub,
  };
}
