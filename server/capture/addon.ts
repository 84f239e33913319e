/**
 * The capture functions of the native addon (server/engines/native/src/capture.c), typed. They
 * live in the same addon as the socket calls, so capture fds share its libuv readiness watch
 * (pollStart/pollStop) and its rule that only fds it created can be named.
 */
import { addonLoadFailure, loadNativeAddon, type NativeAddon } from '../engines/native/addon.ts';

export interface CaptureAddon extends NativeAddon {
  /** A packet socket on `ifname` with `program` attached before it is bound; returns its fd. */
  captureOpen(ifname: string, program: number[], rcvbuf: number): number;
  /**
   * Makes an addon fd that is a packet socket (received from a sandbox) ready to read: attaches
   * `program`, then binds it to `ifindex`, or with -1 (already bound) drops what was queued before
   * the filter and returns how many frames that was.
   */
  captureFromFd(fd: number, program: number[], rcvbuf: number, ifindex: number): number;
  captureSetFilter(fd: number, program: number[]): void;
  /** Up to `max` waiting frames as records (see capture.c), or null when none is waiting. */
  captureRead(fd: number, snaplen: number, max: number): Buffer | null;
  /** Frames the kernel passed the filter, and dropped for want of buffer space, since the last call. */
  captureStats(fd: number): { packets: number; drops: number };
}

function hasCapture(addon: NativeAddon): addon is CaptureAddon {
  const candidate: Partial<CaptureAddon> = addon;
  return typeof candidate.captureOpen === 'function' && typeof candidate.captureRead === 'function';
}

/** The addon with its capture functions, or a reason it is not available. */
export function loadCaptureAddon(): { addon: CaptureAddon } | { failure: string } {
  const addon = loadNativeAddon();
  if (!addon) return { failure: addonLoadFailure() ?? 'the native addon is not available' };
  if (!hasCapture(addon)) return { failure: 'the native addon was built without packet capture (rebuild it: node scripts/build-addon.mjs)' };
  return { addon };
}
