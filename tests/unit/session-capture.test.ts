/**
 * What a session's hello says about capture (server/lab/session-capture.ts) where this server
 * cannot capture on loopback (no root, no CAP_NET_RAW): the sandbox links still can, or nothing can.
 * The capture itself is tested over the lab in tests/integration/lab-packets*.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { unavailableFrom } from '../../server/capture/unavailable.ts';
import { SessionCapture, type CaptureSupport } from '../../server/lab/session-capture.ts';

const T = { timeout: 10_000 };
const EPERM = unavailableFrom('EPERM', 'Operation not permitted', 'lo');
const support = (sandbox: boolean): CaptureSupport => ({ loopback: null, loopbackUnavailable: EPERM, sandbox, cap: { frames: 100, bytes: 1 << 20 }, snaplen: 2048 });

describe("the hello's capture, where loopback capture cannot run", () => {
  it('with sandbox networks: off, on lan and wan, with why lo is missing and what would enable it', T, () => {
    const state = SessionCapture.describe(support(true));
    assert.equal(state.state, 'off');
    assert.deepEqual(state.links, ['lan', 'wan']);
    assert.equal(state.code, 'EPERM');
    assert.match(state.reason ?? '', /CAP_NET_RAW/);
    assert.match(state.enable ?? '', /setcap cap_net_raw\+ep/);
    assert.equal(state.cap, 100);
  });

  it('without them: unavailable, and start says so without opening anything', T, async () => {
    assert.equal(SessionCapture.describe(support(false)).state, 'unavailable');
    const events: unknown[] = [];
    const capture = new SessionCapture(support(false), (e) => events.push(e), () => []);
    const started = await capture.start(null);
    assert.equal(started.state, 'unavailable');
    assert.equal(capture.on, false);
    assert.deepEqual(events, []);
  });
});
