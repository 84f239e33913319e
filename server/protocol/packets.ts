/**
 * Packets beside the calls (issue 17): what the lab captured of a session's own traffic, as it
 * crosses the /lab WebSocket. The server captures; the browser decodes the frame bytes itself with
 * packets/ (the same decoder the server's summaries come from), so an event carries the raw frame
 * and a one-line summary, never a decoded tree.
 */
import * as z from 'zod/mini';

/** Where a packet was seen: the loopback lab, or one link of the session's sandbox network. */
export const CAPTURE_LINKS = ['lo', 'lan', 'wan'] as const;
export const CaptureLinkSchema = z.enum(CAPTURE_LINKS);
export type CaptureLink = z.infer<typeof CaptureLinkSchema>;

/** One captured frame, sent as it is read (after the step that caused it, when a step did). */
export const PacketEventSchema = z.object({
  event: z.literal('packet'),
  /** 1, 2, 3... per session, in capture order (the pcapng file's order). */
  n: z.int().check(z.gte(1)),
  link: CaptureLinkSchema,
  /** The kernel's timestamp, milliseconds since the epoch with sub-millisecond digits. */
  time: z.number(),
  /** The frame's first bytes (up to the snap length), from its Ethernet header, base64. */
  frame: z.string(),
  /** Its length on the wire (more than the decoded frame when the snap length cut it). */
  length: z.int().check(z.gte(0)),
  /** Sent by the host on that link, or arriving at it. */
  direction: z.enum(['in', 'out']),
  /** The decoded headline, e.g. `192.168.1.10:51234 → 203.0.113.80:80 [SYN] seq=0 win=64240`. */
  summary: z.string(),
  /** The `id` of the step whose call sent it, where one did. */
  cause: z.optional(z.union([z.number(), z.string()])),
  /** The sandbox host whose link this is, where the link is a sandbox link. */
  host: z.optional(z.string()),
});
export type PacketEvent = z.infer<typeof PacketEventSchema>;

/** Why a session has no packets (or no more), in one line, and what would change it. */
export const CaptureStateSchema = z.object({
  /** 'on': packets are sent; 'capped': the per-session cap was reached, counted only; 'off': not asked for; 'unavailable': cannot run here. */
  state: z.enum(['on', 'capped', 'off', 'unavailable']),
  links: z.array(CaptureLinkSchema),
  packets: z.int().check(z.gte(0)),
  /** Frames seen after the cap, counted only. */
  countedOnly: z.int().check(z.gte(0)),
  cap: z.int().check(z.gte(0)),
  /** For 'unavailable' (or a link that could not be captured): a stable code, why, and what would enable it. */
  code: z.optional(z.string()),
  reason: z.optional(z.string()),
  enable: z.optional(z.string()),
});
export type CaptureState = z.infer<typeof CaptureStateSchema>;

/** Sent when the capture's state changes (started, capped, a link unavailable, stopped). */
export const CaptureEventSchema = z.object({
  event: z.literal('capture'),
  ...CaptureStateSchema.shape,
  at: z.number(),
});
export type CaptureEvent = z.infer<typeof CaptureEventSchema>;

/** op `capture`: start or stop capturing this session's packets (off until asked for). */
export const CaptureArgsSchema = z.strictObject({ action: z.enum(['start', 'stop', 'status']) });
export const CaptureResultSchema = z.object({ capture: CaptureStateSchema });

/** op `pcap`: the session's capture as a pcapng file (one interface block per link), base64. */
export const PcapArgsSchema = z.strictObject({});
export const PcapResultSchema = z.object({
  /** A suggested file name, e.g. `socket-lab-<session>.pcapng`. */
  name: z.string(),
  packets: z.int().check(z.gte(0)),
  file: z.string(),
});
