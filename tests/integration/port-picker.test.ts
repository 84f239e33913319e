/**
 * The lab's port picker (server/lab/port-picker.ts) against real binds: a run of held ports in its
 * way (a class's listeners left open, handed out in sweep order, or another program's block) must
 * not make `bind` port 0 fail while free ports remain. Sweeping one port at a time, 64 held ports
 * in a row ended in EADDRINUSE (issue 17, Bench: 566 `bind: EADDRINUSE` at 300 sessions).
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createNativeEngine } from '../../server/engines/native/index.ts';
import { loadNativeAddon } from '../../server/engines/native/addon.ts';
import { EngineError, type EngineSocket } from '../../server/engines/types.ts';
import { PortPicker, workerSlice } from '../../server/lab/port-picker.ts';

const T = { timeout: 30_000 };
const RANGE: [number, number] = [45200, 45599];
const HELD = 200;

describe('the port picker past a run of held ports', { skip: loadNativeAddon() ? false : 'the native addon is not built here (node scripts/build-addon.mjs)' }, () => {
  const engine = loadNativeAddon() ? createNativeEngine() : null;
  after(() => engine?.closeAll());

  /** Holds RANGE[0]..RANGE[0]+HELD-1 with real bound sockets (a port someone else holds is held too). */
  async function holdBlock(): Promise<EngineSocket[]> {
    const held: EngineSocket[] = [];
    for (let port = RANGE[0]; port < RANGE[0] + HELD; port++) {
      const s = engine!.socket('tcp', 4);
      try {
        await s.bind('127.0.0.1', port);
        held.push(s);
      } catch (e) {
        s.close();
        if (!(e instanceof EngineError && e.code === 'EADDRINUSE')) throw e;
      }
    }
    return held;
  }

  it('finds a free port in a few binds when the cursor stands at the start of the run', T, async () => {
    const held = await holdBlock();
    try {
      const cursor = new SharedArrayBuffer(4); // 0: the run's first port
      const picker = new PortPicker(RANGE, cursor);
      const s = engine!.socket('tcp', 4);
      const bound = await picker.bindFree(s, '127.0.0.1');
      assert.ok(bound.port >= RANGE[0] + HELD && bound.port <= RANGE[1], `a port past the run (${bound.port})`);
      assert.ok(bound.attempts <= 12, `${bound.attempts} binds`);
      s.close();
    } finally {
      for (const s of held) s.close();
    }
  });

  it("a worker whose own slice is held takes a port elsewhere in the range", T, async () => {
    const held = await holdBlock();
    try {
      const slice = workerSlice(RANGE, 0, 2)!; // 45200-45399: all held
      assert.equal(slice[1] - slice[0] + 1, HELD);
      const picker = new PortPicker(RANGE, new SharedArrayBuffer(4), slice);
      const s = engine!.socket('tcp', 4);
      const bound = await picker.bindFree(s, '127.0.0.1');
      assert.ok(bound.port > slice[1] && bound.port <= RANGE[1], `outside the held slice (${bound.port})`);
      s.close();
    } finally {
      for (const s of held) s.close();
    }
  });
});
