/**
 * Classic BPF programs for capture sockets, built here instead of by libpcap: the filters the lab
 * needs are few and small. A program runs in the kernel on every frame of the interface and
 * returns how many bytes to keep (0 drops the frame), so a session's capture socket is never even
 * handed another session's packets.
 *
 * Filters (Ethernet frames, which is what loopback and veth links carry):
 *   { match: 'ports', ports }  TCP or UDP over IPv4 or IPv6 with a source or destination port in
 *                              the set; also ICMP/ICMPv6 errors quoting such a packet (a port
 *                              unreachable answers a datagram to a closed port), unless icmpErrors: false.
 *                              Fragments after the first carry no ports and do not match.
 *   { match: 'arp' }           ARP.
 *   { match: 'icmp' }          every ICMP and ICMPv6 message (ping, neighbour discovery, errors).
 *   { match: 'all' }           everything.
 *   { match: 'not', filter }, { match: 'any-of', filters }, { match: 'all-of', filters }.
 */

export type CaptureFilter =
  | { match: 'ports'; ports: readonly number[]; icmpErrors?: boolean }
  | { match: 'arp' }
  | { match: 'icmp' }
  | { match: 'all' }
  | { match: 'not'; filter: CaptureFilter }
  | { match: 'any-of'; filters: readonly CaptureFilter[] }
  | { match: 'all-of'; filters: readonly CaptureFilter[] };

/** One instruction, as struct sock_filter: opcode, jump-if-true, jump-if-false, constant. */
export interface Instruction {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

export interface CompileOptions {
  /** Bytes kept of each accepted frame (the program's accept value). */
  snaplen: number;
  /**
   * Drop frames the kernel shows as sent by this host. Right for loopback, where each packet is
   * seen twice (once leaving, once arriving); wrong for a veth link, where leaving is half the story.
   */
  skipOutgoing?: boolean;
}

// Opcodes (linux/filter.h, linux/bpf_common.h).
const LD_W_ABS = 0x20;
const LD_H_ABS = 0x28;
const LD_B_ABS = 0x30;
const LD_H_IND = 0x48;
const LD_B_IND = 0x50;
const LDX_B_MSH = 0xb1;
const ALU_AND_K = 0x54;
const ALU_LSH_K = 0x64;
const ALU_ADD_X = 0x0c;
const MISC_TAX = 0x07;
const JA = 0x05;
const JEQ_K = 0x15;
const JGT_K = 0x25;
const JGE_K = 0x35;
const JSET_K = 0x45;
const RET_K = 0x06;

/** The kernel's "ancillary data" offsets: loads at SKF_AD_OFF + n read facts about the frame, not its bytes. */
const SKF_AD_PKTTYPE = 0xfffff000 + 4;
const PACKET_OUTGOING = 4;

/** The kernel refuses longer programs. */
export const MAX_INSTRUCTIONS = 4096;
/** Port ranges one filter may test (each costs 1-2 instructions, twice: source and destination). */
export const MAX_PORT_RANGES = 512;

/** A place in the program that jumps name before it is known; resolved by assemble(). */
type Label = { position: number };

interface Pending {
  code: number;
  k: number;
  jt?: Label;
  jf?: Label;
  /** For JA: where to go. */
  to?: Label;
}

class Assembler {
  readonly #code: Array<Pending | Label> = [];

  label(): Label {
    return { position: -1 };
  }

  place(label: Label): void {
    this.#code.push(label);
  }

  op(code: number, k = 0): void {
    this.#code.push({ code, k });
  }

  jump(code: number, k: number, jt: Label, jf: Label): void {
    this.#code.push({ code, k, jt, jf });
  }

  goto(to: Label): void {
    this.#code.push({ code: JA, k: 0, to });
  }

  /** Resolves labels into offsets; a conditional jump too far for its 8-bit offset goes through a JA. */
  assemble(): Instruction[] {
    const items = [...this.#code];
    for (let rounds = 0; ; rounds++) {
      if (rounds > MAX_INSTRUCTIONS) throw new Error('BPF assembly did not settle');
      let pc = 0;
      for (const item of items) {
        if ('position' in item) item.position = pc;
        else pc++;
      }
      // Find one far conditional jump, give it a trampoline, and lay out again.
      let far = -1;
      let farBranch: 'jt' | 'jf' = 'jt';
      pc = 0;
      for (let i = 0; i < items.length && far < 0; i++) {
        const item = items[i];
        if ('position' in item) continue;
        for (const branch of ['jt', 'jf'] as const) {
          const t = item[branch];
          if (t && t.position - (pc + 1) > 255) {
            far = i;
            farBranch = branch;
            break;
          }
        }
        pc++;
      }
      if (far < 0) break;
      const jumpItem = items[far];
      if ('position' in jumpItem) break;
      // The trampoline sits right after the jump. Every label placed after the jump still comes
      // after the trampoline, so the other branch keeps its meaning.
      const hop = this.label();
      const target = jumpItem[farBranch]!;
      jumpItem[farBranch] = hop;
      items.splice(far + 1, 0, hop, { code: JA, k: 0, to: target });
    }
    const out: Instruction[] = [];
    for (const item of items) {
      if ('position' in item) continue;
      const pc = out.length;
      if (item.to) {
        out.push({ code: JA, jt: 0, jf: 0, k: item.to.position - (pc + 1) });
      } else if (item.jt && item.jf) {
        out.push({ code: item.code, jt: item.jt.position - (pc + 1), jf: item.jf.position - (pc + 1), k: item.k >>> 0 });
      } else {
        out.push({ code: item.code, jt: 0, jf: 0, k: item.k >>> 0 });
      }
    }
    for (const [pc, insn] of out.entries()) {
      if (insn.jt < 0 || insn.jf < 0 || insn.jt > 255 || insn.jf > 255 || (insn.code === JA && insn.k < 0)) {
        throw new Error(`BPF jump out of range at instruction ${pc}`);
      }
    }
    if (out.length > MAX_INSTRUCTIONS) throw new RangeError(`the filter needs ${out.length} instructions; the kernel allows ${MAX_INSTRUCTIONS}`);
    return out;
  }
}

/** Sorted, merged [low, high] ranges of a port set. */
export function portRanges(ports: readonly number[]): Array<[number, number]> {
  const sorted = [...new Set(ports)].sort((a, b) => a - b);
  for (const p of sorted) if (!Number.isInteger(p) || p < 0 || p > 65535) throw new RangeError(`not a port: ${p}`);
  const ranges: Array<[number, number]> = [];
  for (const p of sorted) {
    const last = ranges.at(-1);
    if (last && p === last[1] + 1) last[1] = p;
    else ranges.push([p, p]);
  }
  if (ranges.length > MAX_PORT_RANGES) throw new RangeError(`too many port ranges (${ranges.length}; at most ${MAX_PORT_RANGES})`);
  return ranges;
}

class Compiler {
  readonly asm = new Assembler();

  /** Jumps to `yes` if the 16-bit value in A is in the ranges, else to `no`. A is left as it was. */
  inRanges(ranges: Array<[number, number]>, yes: Label, no: Label): void {
    const { asm } = this;
    if (ranges.length === 0) {
      asm.goto(no);
      return;
    }
    for (const [i, [lo, hi]] of ranges.entries()) {
      const next = i === ranges.length - 1 ? no : asm.label();
      if (lo === hi) {
        asm.jump(JEQ_K, lo, yes, next);
      } else {
        const upper = asm.label();
        asm.jump(JGE_K, lo, upper, next);
        asm.place(upper);
        asm.jump(JGT_K, hi, next, yes);
      }
      if (next !== no) asm.place(next);
    }
  }

  /** Loads a 16-bit port at X + offset (or at a fixed offset) and tests it, then the other port. */
  portsAt(srcOffset: number, indexed: boolean, ranges: Array<[number, number]>, yes: Label, no: Label): void {
    const { asm } = this;
    const dst = asm.label();
    asm.op(indexed ? LD_H_IND : LD_H_ABS, srcOffset);
    this.inRanges(ranges, yes, dst);
    asm.place(dst);
    asm.op(indexed ? LD_H_IND : LD_H_ABS, srcOffset + 2);
    this.inRanges(ranges, yes, no);
  }

  /** Jumps to `yes` when A equals one of `values`, else to `no`. */
  oneOf(values: number[], yes: Label | Label[], no: Label): void {
    const { asm } = this;
    for (const [i, v] of values.entries()) {
      const next = i === values.length - 1 ? no : asm.label();
      asm.jump(JEQ_K, v, Array.isArray(yes) ? yes[i] : yes, next);
      if (next !== no) asm.place(next);
    }
  }

  emit(f: CaptureFilter, yes: Label, no: Label): void {
    const { asm } = this;
    switch (f.match) {
      case 'all':
        asm.goto(yes);
        return;
      case 'not':
        this.emit(f.filter, no, yes);
        return;
      case 'any-of':
      case 'all-of': {
        if (f.filters.length === 0) {
          asm.goto(f.match === 'any-of' ? no : yes);
          return;
        }
        for (const [i, child] of f.filters.entries()) {
          if (i === f.filters.length - 1) {
            this.emit(child, yes, no);
          } else {
            const next = asm.label();
            if (f.match === 'any-of') this.emit(child, yes, next);
            else this.emit(child, next, no);
            asm.place(next);
          }
        }
        return;
      }
      case 'arp':
        asm.op(LD_H_ABS, 12);
        asm.jump(JEQ_K, 0x0806, yes, no);
        return;
      case 'icmp': {
        const v4 = asm.label();
        const v6 = asm.label();
        const hop = asm.label();
        asm.op(LD_H_ABS, 12);
        asm.jump(JEQ_K, 0x0800, v4, v6);
        asm.place(v4);
        asm.op(LD_B_ABS, 23);
        asm.jump(JEQ_K, 1, yes, no);
        asm.place(v6);
        const v6check = asm.label();
        asm.jump(JEQ_K, 0x86dd, v6check, no);
        asm.place(v6check);
        asm.op(LD_B_ABS, 20);
        this.oneOf([58, 0], [yes, hop], no);
        asm.place(hop); // a hop-by-hop header first (MLD reports): its next header is at 54
        asm.op(LD_B_ABS, 54);
        asm.jump(JEQ_K, 58, yes, no);
        return;
      }
      case 'ports':
        this.ports(portRanges(f.ports), f.icmpErrors ?? true, yes, no);
        return;
    }
  }

  ports(ranges: Array<[number, number]>, icmpErrors: boolean, yes: Label, no: Label): void {
    const { asm } = this;
    const v4 = asm.label();
    const v4ports = asm.label();
    const v4icmp = asm.label();
    const v4quote = asm.label();
    const v4quotePorts = asm.label();
    const v6 = asm.label();
    const v6check = asm.label();
    const v6ports = asm.label();
    const v6frag = asm.label();
    const v6fragFirst = asm.label();
    const v6fragPorts = asm.label();
    const v6icmp = asm.label();
    const v6quote = asm.label();
    const v6quotePorts = asm.label();

    asm.op(LD_H_ABS, 12);
    asm.jump(JEQ_K, 0x0800, v4, v6);

    // IPv4: TCP or UDP, not a later fragment; ports after the variable-length header.
    asm.place(v4);
    asm.op(LD_B_ABS, 23);
    if (icmpErrors) this.oneOf([6, 17, 1], [v4ports, v4ports, v4icmp], no);
    else this.oneOf([6, 17], v4ports, no);
    asm.place(v4ports);
    const v4first = asm.label();
    asm.op(LD_H_ABS, 20);
    asm.jump(JSET_K, 0x1fff, no, v4first);
    asm.place(v4first);
    asm.op(LDX_B_MSH, 14);
    this.portsAt(14, true, ranges, yes, no);

    if (icmpErrors) {
      // An ICMP error quotes the offending packet's IP header and first 8 bytes: test its ports.
      asm.place(v4icmp);
      const v4icmpFirst = asm.label();
      asm.op(LD_H_ABS, 20);
      asm.jump(JSET_K, 0x1fff, no, v4icmpFirst);
      asm.place(v4icmpFirst);
      asm.op(LDX_B_MSH, 14);
      asm.op(LD_B_IND, 14); // ICMP type
      this.oneOf([3, 4, 5, 11, 12], v4quote, no);
      asm.place(v4quote);
      asm.op(LD_B_IND, 14 + 8 + 9); // the quoted packet's protocol
      this.oneOf([6, 17], v4quotePorts, no);
      asm.place(v4quotePorts);
      asm.op(LD_B_IND, 14 + 8); // the quoted version and header length
      asm.op(ALU_AND_K, 0x0f);
      asm.op(ALU_LSH_K, 2);
      asm.op(ALU_ADD_X);
      asm.op(MISC_TAX); // X = outer header + quoted header
      this.portsAt(14 + 8, true, ranges, yes, no);
    }

    // IPv6: ports right after the fixed header, or after a first fragment's header.
    asm.place(v6);
    asm.jump(JEQ_K, 0x86dd, v6check, no);
    asm.place(v6check);
    asm.op(LD_B_ABS, 20);
    if (icmpErrors) this.oneOf([6, 17, 44, 58], [v6ports, v6ports, v6frag, v6icmp], no);
    else this.oneOf([6, 17, 44], [v6ports, v6ports, v6frag], no);
    asm.place(v6ports);
    this.portsAt(54, false, ranges, yes, no);
    asm.place(v6frag);
    asm.op(LD_H_ABS, 56);
    asm.jump(JSET_K, 0xfff8, no, v6fragFirst);
    asm.place(v6fragFirst);
    asm.op(LD_B_ABS, 54);
    this.oneOf([6, 17], v6fragPorts, no);
    asm.place(v6fragPorts);
    this.portsAt(62, false, ranges, yes, no);
    if (icmpErrors) {
      asm.place(v6icmp);
      asm.op(LD_B_ABS, 54); // ICMPv6 type: 1-4 are errors that quote
      this.oneOf([1, 2, 3, 4], v6quote, no);
      asm.place(v6quote);
      asm.op(LD_B_ABS, 62 + 6); // the quoted packet's next header
      this.oneOf([6, 17], v6quotePorts, no);
      asm.place(v6quotePorts);
      this.portsAt(62 + 40, false, ranges, yes, no);
    }
  }
}

/** The program for a filter: accepted frames keep `snaplen` bytes, the rest are dropped. */
export function compileFilter(filter: CaptureFilter, options: CompileOptions): Instruction[] {
  if (!Number.isInteger(options.snaplen) || options.snaplen < 1 || options.snaplen > 262144) throw new RangeError('snaplen must be 1 to 262144');
  const c = new Compiler();
  const accept = c.asm.label();
  const reject = c.asm.label();
  if (options.skipOutgoing) {
    const start = c.asm.label();
    c.asm.op(LD_W_ABS, SKF_AD_PKTTYPE);
    c.asm.jump(JEQ_K, PACKET_OUTGOING, reject, start);
    c.asm.place(start);
  }
  c.emit(filter, accept, reject);
  c.asm.place(accept);
  c.asm.op(RET_K, options.snaplen);
  c.asm.place(reject);
  c.asm.op(RET_K, 0);
  return c.asm.assemble();
}

/** The program as the addon takes it: four numbers per instruction. */
export function programArray(program: readonly Instruction[]): number[] {
  return program.flatMap((i) => [i.code, i.jt, i.jf, i.k]);
}
