/**
 * The addon's sandbox functions (src/netns.c) with their types. They live in the same addon as the
 * socket calls, so a received socket is adopted into the set every socket call accepts.
 */
import { loadNativeAddon, addonLoadFailure, type NativeAddon } from '../engines/native/addon.ts';

/** `packet`: an AF_PACKET capture socket, unbound (issue 17). */
export type SocketKind = 'tcp' | 'udp' | 'icmp' | 'packet';

export interface NetnsFunctions {
  /** [server end, helper end] of a SOCK_SEQPACKET pair; both close-on-exec. */
  channelPair(): [number, number];
  /** The helper registers the channel end it inherited (checked to be a SOCK_SEQPACKET socket). */
  channelAttach(fd: number): void;
  channelClose(fd: number): void;
  /** Takes the next message, which must carry request `id` and one socket; returns it adopted. */
  receiveFd(channel: number, id: number): number;
  /** A new network namespace, held by the returned fd. */
  netnsCreate(): number;
  netnsClose(nsfd: number): void;
  /** Runs `callback` on this thread inside the namespace, then returns to the helper's own. */
  inNetns<T>(nsfd: number, callback: () => T): T;
  /** Creates a socket inside the namespace and sends it over the channel tagged with `id`. */
  sendSocket(channel: number, id: number, nsfd: number, family: 4 | 6, kind: SocketKind): void;
  /** PR_SET_PDEATHSIG(SIGKILL); returns the parent's pid. */
  dieWithParent(): number;
}

export type SandboxAddon = NativeAddon & NetnsFunctions;

const NAMES: ReadonlyArray<keyof NetnsFunctions> = [
  'channelPair',
  'channelAttach',
  'channelClose',
  'receiveFd',
  'netnsCreate',
  'netnsClose',
  'inNetns',
  'sendSocket',
  'dieWithParent',
];

function hasNetns(addon: NativeAddon): addon is SandboxAddon {
  const record: Partial<Record<string, unknown>> = { ...addon };
  return NAMES.every((name) => typeof record[name] === 'function');
}

/** The addon with its sandbox functions, or a reason why not. */
export function loadSandboxAddon(): { addon: SandboxAddon } | { addon: null; reason: string } {
  const addon = loadNativeAddon();
  if (!addon) return { addon: null, reason: addonLoadFailure() ?? 'the native addon did not load' };
  if (!hasNetns(addon)) return { addon: null, reason: 'the native addon was built without its sandbox functions (src/netns.c)' };
  return { addon };
}
