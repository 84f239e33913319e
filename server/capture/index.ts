/**
 * Packet capture for the lab: capture sources (capture.ts), their kernel filters (bpf.ts), and the
 * reasons capture may be unavailable (unavailable.ts). Decoding and pcapng are in packets/, which
 * the browser shares.
 */
export { captureFromFd, DEFAULT_SNAPLEN, FrameBudget, openCapture, PacketCapture, probeCapture, type CapturedFrame, type CaptureOptions, type CaptureResult, type CaptureStats } from './capture.ts';
export { compileFilter, portRanges, programArray, type CaptureFilter, type Instruction } from './bpf.ts';
export { PacketLog, type PacketEntry } from './packet-log.ts';
export { describeUnavailable, type CaptureUnavailable } from './unavailable.ts';
export { framePorts, LoopbackCapture, type LoopbackCaptureOptions, type LoopbackSink } from './loopback.ts';
