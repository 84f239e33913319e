/**
 * A classic BPF interpreter for tests: runs a capture filter on a frame the way the kernel's
 * interpreter does (loads past the frame's end drop it), so filters can be checked on real frames
 * without a socket. Only what server/capture/bpf.ts emits, plus a few neighbours, is supported;
 * anything else throws.
 */
import type { Instruction } from '../../server/capture/bpf.ts';

const SKF_AD_OFF = 0xfffff000;
const SKF_AD_PKTTYPE = 4;

export interface RunContext {
  /** The frame's packet type (0 to this host, 4 sent by this host). */
  pktType?: number;
}

/** The number of bytes the filter keeps (0 = dropped). */
export function runFilter(program: readonly Instruction[], frame: Uint8Array, ctx: RunContext = {}): number {
  let a = 0;
  let x = 0;
  const load = (at: number, size: 1 | 2 | 4): number | null => {
    if (at < 0 || at + size > frame.length) return null;
    let v = 0;
    for (let i = 0; i < size; i++) v = v * 256 + frame[at + i];
    return v;
  };
  for (let pc = 0, steps = 0; pc < program.length; pc++, steps++) {
    if (steps > 100_000) throw new Error('filter does not end');
    const { code, jt, jf, k } = program[pc];
    const cls = code & 0x07;
    const sizeBits = code & 0x18;
    const size: 1 | 2 | 4 = sizeBits === 0x10 ? 1 : sizeBits === 0x08 ? 2 : 4;
    const mode = code & 0xe0;
    switch (cls) {
      case 0x00: {
        // LD
        if (mode === 0x20 && k >= SKF_AD_OFF) {
          if (k - SKF_AD_OFF !== SKF_AD_PKTTYPE) throw new Error(`ancillary load ${k - SKF_AD_OFF} not supported`);
          a = ctx.pktType ?? 0;
          break;
        }
        const at = mode === 0x20 ? k : mode === 0x40 ? x + k : NaN;
        if (Number.isNaN(at)) {
          if (mode === 0x00) { a = k; break; }
          if (mode === 0x80) { a = frame.length; break; }
          throw new Error(`LD mode 0x${mode.toString(16)} not supported`);
        }
        const v = load(at, size);
        if (v === null) return 0;
        a = v;
        break;
      }
      case 0x01: {
        // LDX
        if (code === 0xb1) {
          const v = load(k, 1);
          if (v === null) return 0;
          x = (v & 0x0f) * 4;
        } else if (code === 0x01) x = k;
        else throw new Error(`LDX 0x${code.toString(16)} not supported`);
        break;
      }
      case 0x04: {
        // ALU
        const operand = code & 0x08 ? x : k;
        const op = code & 0xf0;
        if (op === 0x00) a = (a + operand) >>> 0;
        else if (op === 0x10) a = (a - operand) >>> 0;
        else if (op === 0x50) a = (a & operand) >>> 0;
        else if (op === 0x40) a = (a | operand) >>> 0;
        else if (op === 0x60) a = (a << operand) >>> 0;
        else if (op === 0x70) a = a >>> operand;
        else throw new Error(`ALU 0x${code.toString(16)} not supported`);
        break;
      }
      case 0x05: {
        // JMP
        const op = code & 0xf0;
        if (op === 0x00) {
          pc += k;
          break;
        }
        const operand = code & 0x08 ? x : k;
        const taken = op === 0x10 ? a === operand : op === 0x20 ? a > operand : op === 0x30 ? a >= operand : op === 0x40 ? (a & operand) !== 0 : null;
        if (taken === null) throw new Error(`JMP 0x${code.toString(16)} not supported`);
        pc += taken ? jt : jf;
        break;
      }
      case 0x06:
        return code & 0x10 ? a : k;
      case 0x07:
        if (code === 0x07) x = a;
        else if (code === 0x87) a = x;
        else throw new Error(`MISC 0x${code.toString(16)} not supported`);
        break;
      default:
        throw new Error(`class 0x${cls.toString(16)} not supported`);
    }
  }
  throw new Error('the filter ran off its end');
}
