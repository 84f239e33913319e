/**
 * Picks how the kernel view is read: through sock_diag when the engine can make those calls (the
 * native addon), else from /proc/net. `--kernel-view proc` forces the /proc reader, to compare.
 */
import { procNetReader } from './procnet.ts';
import type { KernelReader } from './reader.ts';
import { sockDiagReader, type SockDiagCalls } from './sock-diag.ts';

export type { KernelQuery, KernelReader, KernelViewSource, ConnectionTuple } from './reader.ts';
export type { RawKernelRow } from './rows.ts';
export type { SockDiagCalls, DiagTuple } from './sock-diag.ts';

export interface KernelReaderChoice {
  reader: KernelReader;
  /** Why /proc/net is read although netlink was possible or asked for. */
  fallbackReason?: string;
}

export function chooseKernelReader(preference: 'auto' | 'netlink' | 'proc', calls: SockDiagCalls | undefined): KernelReaderChoice {
  if (preference === 'proc') return { reader: procNetReader, fallbackReason: 'forced with --kernel-view proc' };
  let reason = 'the lab engine cannot make sock_diag calls (they come with the native addon on Linux)';
  if (calls) {
    try {
      // One lookup that finds nothing: it opens the netlink socket, so a kernel or sandbox that
      // refuses sock_diag is found now rather than on a learner's first click.
      calls.find([], [{ protocol: 'tcp', local: { address: '127.0.0.1', port: 1 }, remote: { address: '127.0.0.1', port: 1 } }]);
      return { reader: sockDiagReader(calls) };
    } catch (e) {
      const code = (e as { code?: unknown } | null)?.code;
      reason = `sock_diag is refused here (${typeof code === 'string' ? code : String(e)})`;
    }
  }
  if (preference === 'netlink') throw new Error(`The kernel view cannot be read through netlink: ${reason}.`);
  return { reader: procNetReader, fallbackReason: reason };
}
