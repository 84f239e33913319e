/**
 * Bounded fuzzing of the frame decoder: random bytes and mutated real frames, on every link type.
 * The decoder must never throw, never report a field or layer outside the frame, never hit its own
 * "decoder failed" fallback (a bug), and summaries and the TCP tracker must cope with whatever it
 * returns. The seed is printed so a failure can be replayed (FUZZ_SEED=...).
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decodeFrame, fieldAt, summarize, TcpTracker, type DecodedFrame, type LinkType } from '../../packets/index.ts';
import { readPcapngFile } from '../helpers/pcapng.ts';
import { flatten } from '../helpers/tshark.ts';

const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures', 'packets');
const REAL = ['loopback', 'veth', 'sack', 'any-sll2', 'any-sll'].flatMap((n) => readPcapngFile(path.join(FIXTURES, `${n}.pcapng`)));
const LINKS: LinkType[] = ['ethernet', 'linux-sll', 'linux-sll2', 'raw'];

function check(bytes: Uint8Array, link: LinkType, tracker: TcpTracker, originalLength?: number): void {
  let d: DecodedFrame;
  try {
    d = decodeFrame(bytes, link, { originalLength });
  } catch (e) {
    assert.fail(`decodeFrame threw on ${Buffer.from(bytes).toString('hex')} (${link}): ${String(e)}`);
  }
  assert.equal(d.length, bytes.length);
  for (const layer of d.layers) {
    assert.ok(layer.offset >= 0 && layer.length >= 0 && layer.offset + layer.length <= bytes.length, `layer ${layer.protocol} inside the frame`);
    assert.ok(!layer.problem?.message.startsWith('The decoder failed'), `${layer.problem?.message} on ${Buffer.from(bytes).toString('hex')} (${link})`);
    for (const f of flatten(layer.fields)) {
      assert.ok(Number.isInteger(f.offset) && Number.isInteger(f.length) && f.offset >= 0 && f.length >= 0 && f.offset + f.length <= bytes.length, `${f.key} inside the frame`);
      if (f.bits) assert.ok(f.bits.offset >= 0 && f.bits.offset + f.bits.length <= f.length * 8, `${f.key} bits inside its bytes`);
    }
  }
  for (const at of [0, bytes.length >> 1, bytes.length - 1]) {
    const found = fieldAt(d, at);
    if (found) for (const f of [...found.fields, ...found.sharing]) assert.ok(f.offset <= at && at < f.offset + f.length, `fieldAt(${at}) holds the byte`);
  }
  const lean = decodeFrame(bytes, link, { detail: false, originalLength });
  assert.deepEqual(lean.facts, d.facts, 'the facts do not depend on the detail');
  assert.equal(typeof summarize(d, tracker.track(d.facts)), 'string');
}

/** A real frame with some bytes changed, cut short, or grown. */
const mutated = fc
  .record({
    index: fc.nat({ max: REAL.length - 1 }),
    flips: fc.array(fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }), { maxLength: 6 }),
    cut: fc.option(fc.nat(), { nil: undefined }),
    grow: fc.uint8Array({ maxLength: 16 }),
  })
  .map(({ index, flips, cut, grow }) => {
    const real = REAL[index];
    const bytes = new Uint8Array([...real.data, ...grow]);
    for (const { at, value } of flips) if (bytes.length) bytes[at % bytes.length] = value;
    const length = cut === undefined ? bytes.length : cut % (bytes.length + 1);
    return { bytes: bytes.slice(0, length), link: real.link, originalLength: real.originalLength };
  });

describe('packet decoder fuzz', () => {
  it(`survives random bytes on every link type (seed ${SEED})`, () => {
    const tracker = new TcpTracker(64);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.constantFrom(...LINKS), (bytes, link) => check(bytes, link, tracker)),
      { seed: SEED, numRuns: 20_000 },
    );
  });

  it(`survives random bytes behind real headers (seed ${SEED})`, () => {
    const tracker = new TcpTracker(64);
    // Keep a real frame's first n bytes (Ethernet, IP, maybe TCP) and randomise the rest.
    fc.assert(
      fc.property(fc.nat({ max: REAL.length - 1 }), fc.nat({ max: 80 }), fc.uint8Array({ maxLength: 120 }), (index, keep, tail) => {
        const real = REAL[index];
        check(new Uint8Array([...real.data.subarray(0, keep), ...tail]), real.link, tracker);
      }),
      { seed: SEED, numRuns: 20_000 },
    );
  });

  it(`survives mutated real frames (seed ${SEED})`, () => {
    const tracker = new TcpTracker(64);
    fc.assert(
      fc.property(mutated, ({ bytes, link, originalLength }) => check(bytes, link, tracker, Math.max(originalLength, bytes.length))),
      { seed: SEED, numRuns: 20_000 },
    );
  });
});
