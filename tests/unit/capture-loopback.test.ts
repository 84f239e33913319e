/**
 * The shared loopback capture's sorting (server/capture/loopback.ts): which session a frame goes
 * to, by its claims. Frames are real Ethernet/IPv4/TCP bytes (tests/helpers/frames.ts) handed in
 * where the packet socket would hand them; the socket itself is tested in
 * tests/integration/lab-packets.test.ts (one per server, two sessions isolated).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DecodedFrame } from '../../packets/index.ts';
import type { CapturedFrame, CaptureOptions } from '../../server/capture/index.ts';
import { LoopbackCapture, type LoopbackSink } from '../../server/capture/loopback.ts';
import { ACK, SYN, tcpFrame } from '../helpers/frames.ts';

const T = { timeout: 10_000 };

class Sink implements LoopbackSink {
  readonly got: Array<[number, number]> = [];
  deliver(_frame: CapturedFrame, decoded: DecodedFrame): void {
    const t = decoded.facts.tcp!;
    this.got.push([t.srcPort, t.dstPort]);
  }
}

function harness() {
  let onFrame: CaptureOptions['onFrame'] = () => {};
  let opened = 0;
  let closed = 0;
  const capture = new LoopbackCapture({
    ports: [41000, 41999],
    open: (_ifname, options) => {
      opened++;
      onFrame = options.onFrame;
      let isClosed = false;
      return {
        ok: true,
        capture: {
          close: () => {
            isClosed = true;
            closed++;
          },
          drainNow: () => {},
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
  return { capture, frame, opened: () => opened, closed: () => closed };
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
