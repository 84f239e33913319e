/**
 * A saved lab session: its calls with their real results, and the kernel views recorded after
 * them, as a versioned JSON file or a link (the same JSON, compressed into the URL fragment, which
 * browsers never send to a server). Whatever is opened is untrusted: it is size-capped, parsed in a
 * try, checked against these schemas (each call's arguments and result against the protocol's own
 * schemas), and shown as text only.
 */
import * as z from 'zod/mini';
import { ErrorSchema, KernelRowSchema, StepSchema, type KernelRow } from '@/server/protocol';
import { kernelAt, MAX_STEPS, type KernelSnapshot, type StepView } from './state';

export const SESSION_FORMAT = 'socketlab-session';
export const SESSION_VERSION = 1;
/** Largest file (or unpacked link) opened: a long session with its kernel views fits easily. */
export const MAX_SESSION_BYTES = 4 * 1024 * 1024;
/** Longest link made or opened (the part after #session=). */
export const MAX_LINK_CHARS = 32 * 1024;
export const LINK_PREFIX = '#session=';

/**
 * One recorded call: the protocol's step event (its schema checks each op's arguments and result),
 * and whether it was reported blocked first.
 */
const SavedStepSchema = z.intersection(StepSchema, z.object({ wasBlocked: z.optional(z.boolean()) })).check(
  z.refine((step) => step.status !== 'error' || ErrorSchema.safeParse(step.error).success, { message: 'an error step needs its error', path: ['error'] }),
);

const KernelSnapshotSchema = z.object({
  afterSeq: z.int().check(z.minimum(0)),
  rows: z.array(KernelRowSchema).check(z.maxLength(2000)),
});

/**
 * Packets captured during the session: the slot is here so files stay one format when the lab
 * records packets; today the lab saves none.
 */
export const SavedPacketSchema = z.object({
  /** The step the packet followed. */
  afterSeq: z.int().check(z.minimum(0)),
  /** Milliseconds since the epoch. */
  at: z.number(),
  /** The host (network namespace) it was captured on, for the sandbox network. */
  host: z.optional(z.string().check(z.maxLength(64))),
  /** The frame's bytes, base64. */
  base64: z.string().check(z.maxLength(96 * 1024)),
});
export type SavedPacket = z.infer<typeof SavedPacketSchema>;

export const SessionFileSchema = z.object({
  format: z.literal(SESSION_FORMAT),
  version: z.literal(SESSION_VERSION),
  savedAt: z.string().check(z.maxLength(40)),
  title: z.string().check(z.maxLength(200)),
  engine: z.enum(['native', 'node']),
  steps: z.array(SavedStepSchema).check(z.maxLength(MAX_STEPS)),
  kernel: z.array(KernelSnapshotSchema).check(z.maxLength(MAX_STEPS)),
  packets: z._default(z.array(SavedPacketSchema).check(z.maxLength(10_000)), []),
});
export type SessionFile = z.infer<typeof SessionFileSchema>;
export type SavedStep = SessionFile['steps'][number];

export type OpenError = { code: 'E_TOO_BIG' | 'E_NOT_JSON' | 'E_NOT_A_SESSION' | 'E_NEWER' | 'E_INVALID'; message: string };
export type Opened = { ok: true; session: SessionFile } | { ok: false; error: OpenError };

const kb = (n: number) => `${Math.ceil(n / 1024)} KB`;

export function makeSessionFile(args: { title: string; engine: 'native' | 'node'; steps: readonly StepView[]; kernelLog: readonly KernelSnapshot[]; savedAt?: Date }): SessionFile {
  return {
    format: SESSION_FORMAT,
    version: SESSION_VERSION,
    savedAt: (args.savedAt ?? new Date()).toISOString(),
    title: args.title.slice(0, 200),
    engine: args.engine,
    // The step events as the server sent them: the kernel views go once, in `kernel`.
    steps: args.steps.map(({ kernelBefore: _b, kernelAfter: _a, ...step }) => step),
    kernel: args.kernelLog.map((k) => ({ afterSeq: k.afterSeq, rows: k.rows })),
    packets: [],
  };
}

/** Opens a session from text (a file's contents or an unpacked link), checking everything. */
export function openSessionText(text: string): Opened {
  if (text.length > MAX_SESSION_BYTES) {
    return { ok: false, error: { code: 'E_TOO_BIG', message: `This file is ${kb(text.length)}; a saved session is at most ${kb(MAX_SESSION_BYTES)}.` } };
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { ok: false, error: { code: 'E_NOT_JSON', message: 'This is not a saved session: it is not JSON.' } };
  }
  const head = z.object({ format: z.literal(SESSION_FORMAT), version: z.number() }).safeParse(data);
  if (!head.success) return { ok: false, error: { code: 'E_NOT_A_SESSION', message: 'This JSON is not a Socket Lab session file.' } };
  if (head.data.version > SESSION_VERSION) {
    return { ok: false, error: { code: 'E_NEWER', message: `This session was saved by a newer Socket Lab (format ${head.data.version}); this one reads format ${SESSION_VERSION}.` } };
  }
  const parsed = SessionFileSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, error: { code: 'E_INVALID', message: `This session file is damaged: ${issue.path.join('.') || 'the file'}: ${issue.message}.` } };
  }
  return { ok: true, session: parsed.data };
}

/** The steps of an opened session, each with the kernel views before and after it, for the step detail. */
export function hydrateSteps(session: SessionFile): StepView[] {
  const steps = [...session.steps].sort((a, b) => a.seq - b.seq);
  return steps.map((s, i): StepView => ({
    ...s,
    kernelBefore: i > 0 ? (kernelAt(session.kernel, steps[i - 1].seq)?.rows as KernelRow[] | undefined) : [],
    kernelAfter: s.status === 'blocked' ? undefined : (kernelAt(session.kernel, s.seq)?.rows as KernelRow[] | undefined),
  }));
}

// ---------------------------------------------------------------------------------------------
// Links: deflate-raw, then base64url, after #session=

function toBase64Url(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  try {
    const bin = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4));
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

async function pipe(bytes: Uint8Array<ArrayBuffer>, stream: CompressionStream | DecompressionStream, limit: number): Promise<Uint8Array<ArrayBuffer> | null> {
  const writer = stream.writable.getWriter();
  void writer.write(bytes).catch(() => {});
  void writer.close().catch(() => {});
  const reader = stream.readable.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      // Stop unpacking past the limit: a small link must not unpack into gigabytes.
      if (size > limit) {
        await reader.cancel();
        return null;
      }
      chunks.push(value);
    }
  } catch {
    return null;
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

export type Linked = { ok: true; fragment: string } | { ok: false; message: string };

/** The link's fragment for a session, or why it cannot be a link. */
export async function sessionLinkFragment(session: SessionFile): Promise<Linked> {
  const packed = await pipe(new TextEncoder().encode(JSON.stringify(session)), new CompressionStream('deflate-raw'), Number.POSITIVE_INFINITY);
  const encoded = packed ? toBase64Url(packed) : '';
  if (!packed || encoded.length > MAX_LINK_CHARS) {
    return {
      ok: false,
      message: `This session is too big for a link (${kb(encoded.length)} packed; a link holds at most ${kb(MAX_LINK_CHARS)}). Save it as a file instead: a file has room for it.`,
    };
  }
  return { ok: true, fragment: `${LINK_PREFIX}${encoded}` };
}

/** Opens a session from a link's fragment (with or without the leading #session=). */
export async function openSessionLink(fragment: string): Promise<Opened> {
  const encoded = fragment.startsWith(LINK_PREFIX) ? fragment.slice(LINK_PREFIX.length) : fragment;
  if (encoded.length > MAX_LINK_CHARS) {
    return { ok: false, error: { code: 'E_TOO_BIG', message: `This link is too long (${kb(encoded.length)}); a session link holds at most ${kb(MAX_LINK_CHARS)}.` } };
  }
  const bytes = fromBase64Url(encoded);
  const unpacked = bytes ? await pipe(bytes, new DecompressionStream('deflate-raw'), MAX_SESSION_BYTES) : null;
  if (!unpacked) return { ok: false, error: { code: 'E_NOT_A_SESSION', message: 'This link does not hold a saved session: it may have been cut short when it was copied.' } };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(unpacked);
  } catch {
    return { ok: false, error: { code: 'E_NOT_A_SESSION', message: 'This link does not hold a saved session.' } };
  }
  return openSessionText(text);
}
