/**
 * tshark as the oracle for the packet decoder (tests only, never the product): run it on a pcapng
 * file, read its PDML (every field with its name, byte position, size and shown value) and compare
 * with what packets/ decoded from the same frames.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import type { DecodedFrame, Field, TcpRelative } from '../../packets/index.ts';

export interface PdmlField {
  name: string;
  pos: number;
  size: number;
  show: string;
  value: string;
  /** The protocol element the field is inside (eth, ip, tcp, ...). */
  proto: string;
}

export interface PdmlPacket {
  protos: Array<{ name: string; pos: number; size: number }>;
  fields: PdmlField[];
}

const ENTITIES: Record<string, string> = { quot: '"', amp: '&', lt: '<', gt: '>', apos: "'" };
const unescape = (s: string) =>
  s.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (m, e: string) =>
    e[0] === '#' ? String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)) : (ENTITIES[e] ?? m));

function attributes(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/([\w.-]+)="([^"]*)"/g)) out[m[1]] = unescape(m[2]);
  return out;
}

export function parsePdml(xml: string): PdmlPacket[] {
  const packets: PdmlPacket[] = [];
  let current: PdmlPacket | null = null;
  const protoStack: string[] = [];
  for (const m of xml.matchAll(/<(\/?)(packet|proto|field)\b([^>]*?)(\/?)>/g)) {
    const [, closing, tag, attrText, selfClosing] = m;
    if (tag === 'packet') {
      if (closing) {
        if (current) packets.push(current);
        current = null;
      } else {
        current = { protos: [], fields: [] };
      }
      continue;
    }
    if (!current) continue;
    if (tag === 'proto') {
      if (closing) protoStack.pop();
      else {
        const a = attributes(attrText);
        current.protos.push({ name: a.name, pos: Number(a.pos), size: Number(a.size) });
        // Some Wireshark names are protocols in PDML (ipv6.hopopts, ipv6.fraghdr): list them as fields too.
        current.fields.push({ name: a.name, pos: Number(a.pos), size: Number(a.size), show: '', value: '', proto: protoStack.at(-1) ?? '' });
        if (!selfClosing) protoStack.push(a.name);
      }
      continue;
    }
    if (closing) continue;
    const a = attributes(attrText);
    current.fields.push({ name: a.name, pos: Number(a.pos), size: Number(a.size), show: a.show ?? '', value: a.value ?? '', proto: protoStack.at(-1) ?? '' });
  }
  return packets;
}

/** tshark's decoding of every packet in a capture file. */
export function tsharkPdml(file: string, extraArgs: string[] = []): PdmlPacket[] {
  // Frame by frame, as packets/ decodes: no reassembly of IP fragments or TCP segments.
  const frameByFrame = ['-o', 'ip.defragment:FALSE', '-o', 'ipv6.defragment:FALSE', '-o', 'tcp.desegment_tcp_streams:FALSE'];
  const r = spawnSync('tshark', ['-r', file, '-T', 'pdml', ...frameByFrame, ...extraArgs], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: 60_000 });
  if (r.status !== 0) throw new Error(`tshark -r ${file} failed (${r.status}): ${r.stderr}`);
  return parsePdml(r.stdout);
}

/** tshark's one-line summaries (`-T fields`), e.g. to prove a file opens. */
export function tsharkFields(file: string, fields: string[]): string[][] {
  const r = spawnSync('tshark', ['-r', file, '-T', 'fields', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`tshark -r ${file} failed (${r.status}): ${r.stderr}`);
  return r.stdout.trimEnd().split('\n').filter(Boolean).map((l) => l.split('\t'));
}

export function flatten(fields: Field[], out: Field[] = []): Field[] {
  for (const f of fields) {
    out.push(f);
    if (f.children) flatten(f.children, out);
  }
  return out;
}

/** Keys whose tshark value is not our raw value as is. */
const SHOWN_AS: Record<string, (raw: number) => number> = {
  'ip.hdr_len': (n) => n * 4,
  'tcp.hdr_len': (n) => n * 4,
};

/** Fields compared elsewhere (relative numbers) or shown by tshark in another form. */
const NOT_COMPARED_BY_VALUE = new Set(['tcp.options.sack_le', 'tcp.options.sack_re']);

function tsharkNumber(show: string): number | null {
  if (/^0x[0-9a-f]+$/i.test(show)) return parseInt(show, 16);
  if (/^-?\d+$/.test(show)) return Number(show);
  return null;
}

export interface Comparison {
  /** Fields of ours that tshark also shows, compared for position and value. */
  compared: number;
  /** Our keys tshark did not show for this packet. */
  unmatched: string[];
}

/**
 * Asserts that every field we decoded that tshark also shows (same Wireshark name, in order of
 * appearance) sits at the same bytes and has the same value; relative TCP numbers too.
 */
export function compareWithTshark(label: string, ours: DecodedFrame, theirs: PdmlPacket, rel: TcpRelative | null): Comparison {
  const byName = new Map<string, PdmlField[]>();
  for (const f of theirs.fields) {
    const list = byName.get(f.name);
    if (list) list.push(f);
    else byName.set(f.name, [f]);
  }
  const used = new Map<string, number>();
  const unmatched: string[] = [];
  let compared = 0;
  for (const layer of ours.layers) {
    for (const f of flatten(layer.fields)) {
      const list = byName.get(f.key);
      const k = used.get(f.key) ?? 0;
      const t = list?.[k];
      if (!t) {
        unmatched.push(f.key);
        continue;
      }
      used.set(f.key, k + 1);
      const where = `${label}: ${f.key} (ours at ${f.offset}+${f.length}${f.bits ? ` bits ${f.bits.offset}+${f.bits.length}` : ''}, tshark at ${t.pos}+${t.size})`;
      if (f.bits) {
        assert.ok(t.pos <= f.offset && f.offset + f.length <= t.pos + Math.max(t.size, 1), `${where}: bit field outside tshark's bytes`);
      } else {
        assert.equal(f.offset, t.pos, `${where}: offset`);
        assert.equal(f.length, t.size, `${where}: length`);
      }
      if (NOT_COMPARED_BY_VALUE.has(f.key)) {
        compared++;
        continue;
      }
      if (typeof f.raw === 'number') {
        const expected = tsharkNumber(t.show);
        if (expected !== null) {
          assert.equal((SHOWN_AS[f.key] ?? ((n: number) => n))(f.raw), expected, `${where}: value (tshark shows ${t.show})`);
        }
      } else if (t.value) {
        assert.equal(f.raw, t.value.toLowerCase(), `${where}: bytes`);
      }
      if (/(\.src|\.dst|_address|hw_mac|proto_ipv4|linkaddr)$/.test(f.key) && typeof f.raw === 'string' && !/^[0-9a-f]+$/.test(t.show)) {
        assert.equal(f.value, t.show, `${where}: shown address`);
      }
      compared++;
    }
  }
  if (rel && ours.facts.tcp) {
    const one = (name: string) => byName.get(name)?.[0]?.show;
    assert.equal(String(rel.seq), one('tcp.seq'), `${label}: relative seq`);
    if (rel.ack !== null) assert.equal(String(rel.ack), one('tcp.ack'), `${label}: relative ack`);
    assert.equal(String(rel.stream), one('tcp.stream'), `${label}: stream index`);
    assert.equal(String(rel.window), one('tcp.window_size'), `${label}: calculated window`);
    if (one('tcp.nxtseq') !== undefined) assert.equal(String(rel.nextSeq), one('tcp.nxtseq'), `${label}: next seq`);
    if (rel.sack) {
      const le = (byName.get('tcp.options.sack_le') ?? []).map((f) => Number(f.show));
      const re = (byName.get('tcp.options.sack_re') ?? []).map((f) => Number(f.show));
      assert.deepEqual(rel.sack, le.map((l, i) => [l, re[i]]), `${label}: relative SACK blocks`);
    }
    compared += 4;
  }
  return { compared, unmatched };
}
