/**
 * The shared loopback capture's sorting (server/capture/loopback.ts): which session a frame goes
 * to, by its claims. Frames are real Ethernet/IPv4/TCP bytes (tests/helpers/frames.ts) handed in
 * where the packet socket would hand them; the socket itself is tested in
 * tests/integration/lab-packets.test.ts (one per server, two sessions isolated).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DecodedFrame } from '../../packets/index.ts';
import type { CapturedFrame, CaptureFilter, CaptureOptions } from '../../server/capture/index.ts';
import { framePorts, LoopbackCapture, MAX_EXTRA_PORTS, rawPorts, type LoopbackSink } from '../../server/capture/loopback.ts';
import { decodeFrame } from '../../packets/index.ts';
import { readPcapngFile } from '../helpers/pcapng.ts';
import path from 'node:path';
import { workerSlice } from '../../server/lab/port-picker.ts';
import { ACK, SYN, tcpFrame } from '../helpers/frames.ts';

const T = { timeout: 10_000 };

class Sink implements LoopbackSink {
  readonly got: Array<[number, number]> = [];
  deliver(_frame: CapturedFrame, decoded: DecodedFrame): void {
    const t = decoded.facts.tcp!;
    this.got.push([t.srcPort, t.dstPort]);
  }
}

/** The ports a 'ports' filter names. */
function portsOf(filter: CaptureFilter): readonly number[] {
  assert.equal(filter.match, 'ports');
  return filter.match === 'ports' ? filter.ports : [];
}

function harness(slice?: [number, number]) {
  let onFrame: CaptureOptions['onFrame'] = () => {};
  let opened = 0;
  let closed = 0;
  const filters: Array<readonly number[]> = [];
  const capture = new LoopbackCapture({
    ports: [41000, 41999],
    slice,
    open: (_ifname, options) => {
      opened++;
      onFrame = options.onFrame;
      filters.push(portsOf(options.filter));
      let isClosed = false;
      return {
        ok: true,
        capture: {
          close: () => {
            isClosed = true;
            closed++;
          },
          drainNow: () => {},
          setFilter: (filter) => filters.push(portsOf(filter)),
          get closed() {
            return isClosed;
          },
        },
      };
    },
  });
  const frame = (src: number, dst: number, flags = ACK) => {
    const data = tcpFrame({ src, dst, seq: 1, ack: 1, flags });
    onFrame({ link: 'lo', data, originalLength: data.length, timestampNs: 1n, direction: 'in' });
  };
  return { capture, frame, opened: () => opened, closed: () => closed, filter: () => filters.at(-1)!, filters };
}

describe('the shared loopback capture sorts frames by claims', () => {
  it('one socket for all sessions, opened by the first and closed after the last', T, () => {
    const h = harness();
    const a = new Sink();
    const b = new Sink();
    assert.equal(h.capture.subscribe(a), null);
    assert.equal(h.capture.subscribe(b), null);
    assert.equal(h.opened(), 1);
    h.capture.unsubscribe(a);
    assert.equal(h.closed(), 0);
    h.capture.unsubscribe(b);
    assert.equal(h.closed(), 1);
  });

  it('a pair goes to its owner only; a listener port to its owner; nobody else gets anything', T, () => {
    const h = harness();
    const a = new Sink();
    const b = new Sink();
    h.capture.subscribe(a);
    h.capture.subscribe(b);
    h.capture.claimPort(a, 41001); // a's listener
    h.capture.claimPair(a, 50000, 41001); // a's client, connected to it
    h.capture.claimPair(b, 50001, 41002); // b's connection
    h.frame(50000, 41001);
    h.frame(41002, 50001);
    h.frame(50002, 41003); // nobody's
    assert.deepEqual(a.got, [[50000, 41001]]);
    assert.deepEqual(b.got, [[41002, 50001]]);
  });

  it("a connect to another session's listener: the listener's session gets the SYN, the connecting one once it claims the pair", T, () => {
    const h = harness();
    const a = new Sink();
    const b = new Sink();
    h.capture.subscribe(a);
    h.capture.subscribe(b);
    h.capture.claimPort(a, 41001);
    h.frame(50000, 41001, SYN); // b's SYN, read before b knew its port
    assert.deepEqual(a.got, [[50000, 41001]]);
    assert.deepEqual(b.got, []);
    h.capture.claimPair(b, 50000, 41001);
    assert.deepEqual(b.got, [[50000, 41001]], 'the waiting SYN reaches the pair owner');
    h.frame(41001, 50000, SYN | ACK);
    assert.equal(a.got.length, 2);
    assert.equal(b.got.length, 2);
  });

  it("a single-port claim never takes a frame another session was given; the latest claim wins", T, () => {
    const h = harness();
    const a = new Sink();
    const b = new Sink();
    h.capture.subscribe(a);
    h.capture.subscribe(b);
    h.capture.claimPort(a, 41005);
    h.frame(50005, 41005);
    h.capture.claimPort(b, 41005); // b binds the port after a let it go
    assert.deepEqual(b.got, [], "a's earlier frame stays a's");
    h.frame(50006, 41005);
    assert.deepEqual(a.got, [[50005, 41005]]);
    assert.deepEqual(b.got, [[50006, 41005]]);
  });

  it('unsubscribing drops the claims: later frames on those ports reach nobody', T, () => {
    const h = harness();
    const a = new Sink();
    const b = new Sink();
    h.capture.subscribe(a);
    h.capture.subscribe(b);
    h.capture.claimPort(a, 41007);
    h.capture.unsubscribe(a);
    h.frame(50007, 41007);
    assert.deepEqual(a.got, []);
    assert.deepEqual(b.got, []);
  });
});

describe("a worker's capture reads its own slice of the range, and the ports outside it that its sessions claim", () => {
  const range = (lo: number, hi: number) => Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);

  it('splits the range between workers without gaps or overlaps', T, () => {
    assert.deepEqual(workerSlice([41000, 41999], 0, 2), [41000, 41499]);
    assert.deepEqual(workerSlice([41000, 41999], 1, 2), [41500, 41999]);
    assert.deepEqual(workerSlice([41000, 41999], 2, 3), [41666, 41999]);
    assert.equal(workerSlice([41000, 41999], 0, 1), null, 'one worker: the whole range');
    assert.equal(workerSlice([41000, 41019], 0, 3), null, 'parts under 10 ports: the whole range');
  });

  it('without a slice the filter is the whole range, as before', T, () => {
    const h = harness();
    h.capture.subscribe(new Sink());
    assert.deepEqual(h.filter(), range(41000, 41999));
  });

  it('opens on the slice; a claim outside it adds its port, and dropping the claim takes it away', T, () => {
    const h = harness([41000, 41499]);
    const a = new Sink();
    h.capture.subscribe(a);
    assert.deepEqual(h.filter(), range(41000, 41499));
    h.capture.claimPort(a, 41200); // inside: nothing to change
    h.capture.claimPair(a, 50000, 41200); // a connect to its own listener
    assert.equal(h.filters.length, 1, 'no new filter for ports the slice has');
    h.capture.claimPort(a, 41700); // a bind by number, in the other worker's slice
    assert.deepEqual(h.filter(), [...range(41000, 41499), 41700]);
    h.capture.claimPair(a, 50001, 41800); // a connect to another worker's listener
    assert.deepEqual(h.filter(), [...range(41000, 41499), 41700, 41800]);
    h.frame(50001, 41800);
    assert.deepEqual(a.got.at(-1), [50001, 41800], 'its frames are sorted to it like any other');
    h.capture.releasePort(a, 41700);
    assert.deepEqual(h.filter(), [...range(41000, 41499), 41800]);
    const b = new Sink();
    h.capture.subscribe(b);
    h.capture.unsubscribe(a);
    assert.deepEqual(h.filter(), range(41000, 41499), "a's claims went with it");
  });

  it("a port claimed twice stays in the filter until the last claim goes (a refused connect's destination)", T, () => {
    const h = harness([41000, 41499]);
    const a = new Sink();
    h.capture.subscribe(a);
    h.capture.claimPort(a, 41900); // the connect's destination, while the call runs
    h.capture.claimPair(a, 50002, 41900); // it connected
    h.capture.releasePort(a, 41900); // the call returned
    assert.deepEqual(h.filter(), [...range(41000, 41499), 41900]);
  });

  it(`past ${MAX_EXTRA_PORTS} ports outside its slice it reads the whole range`, T, () => {
    const h = harness([41000, 41499]);
    const a = new Sink();
    h.capture.subscribe(a);
    for (let p = 41500; p <= 41500 + MAX_EXTRA_PORTS; p++) h.capture.claimPort(a, p);
    assert.deepEqual(h.filter(), range(41000, 41999));
  });
});

describe('the ports read straight from the bytes (the sort decodes only what a session gets)', () => {
  it("agree with the decoder's on every real TCP and UDP frame of the fixtures, and leave the rest to it", T, () => {
    let fast = 0;
    let left = 0;
    for (const name of ['loopback', 'veth', 'sack']) {
      for (const f of readPcapngFile(path.join(import.meta.dirname, '..', 'fixtures', 'packets', `${name}.pcapng`))) {
        if (f.link !== 'ethernet') continue;
        const decoded = decodeFrame(f.data, 'ethernet', { detail: false, originalLength: f.originalLength });
        const raw = rawPorts(f.data);
        if (raw) {
          fast++;
          assert.deepEqual(raw, framePorts(decoded), `${name}: ${decoded.facts.tcp ? 'TCP' : 'UDP'} frame`);
        } else {
          // ICMP, ARP, IPv6 extension headers (a fragment header): #sort decodes these to find ports.
          left++;
          if (decoded.facts.tcp || decoded.facts.udp) assert.notEqual(f.data[20], 6, 'plain IPv6 TCP is read fast');
        }
      }
    }
    assert.ok(fast > 10 && left > 0, `${fast} read fast, ${left} left to the decoder`);
    assert.deepEqual(rawPorts(tcpFrame({ src: 50000, dst: 41001, seq: 1, flags: SYN })), [50000, 41001]);
    assert.equal(rawPorts(new Uint8Array(20)), null, 'too short, no IP');
  });

  it('a frame nobody claims is never decoded; one a session gets is decoded once', T, () => {
    const h = harness();
    const a = new Sink();
    h.capture.subscribe(a);
    h.capture.claimPort(a, 41001);
    let decoded = 0;
    const original = a.deliver.bind(a);
    a.deliver = (frame, d) => {
      decoded++;
      original(frame, d);
    };
    h.frame(50000, 41001);
    h.frame(50001, 41002); // nobody's: kept a moment, undecoded
    assert.equal(decoded, 1);
    h.capture.claimPair(a, 50001, 41002);
    assert.deepEqual(a.got.at(-1), [50001, 41002], 'decoded when its claim came');
  });
});
