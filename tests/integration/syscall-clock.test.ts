/**
 * The addon's syscall clock (bench/lab-load.ts prints a call's server CPU beside it): it counts each
 * lab system call once, adds real time for each, and leaves alone the calls it does not time.
 * Real sockets on loopback, port 0.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadNativeAddon } from '../../server/engines/native/addon.ts';
import { createNativeEngine } from '../../server/engines/native/index.ts';

const addon = loadNativeAddon();

describe('the syscall clock', { skip: addon ? false : 'the native addon is not built' }, () => {
  test('counts each timed system call once, failed ones too, with time > 0', () => {
    const a = addon!;
    const [ns0, n0] = a.syscallClock();
    const fd = a.socket(4, 'tcp'); // socket()
    a.bind(fd, '127.0.0.1', 0); // bind()
    const port = a.getsockname(fd)!.port; // getsockname()
    const other = a.socket(4, 'tcp'); // socket()
    assert.throws(() => a.bind(other, '127.0.0.1', port), (e: NodeJS.ErrnoException) => e.code === 'EADDRINUSE'); // bind(), refused
    a.close(fd); // close()
    a.close(other); // close()
    const [ns1, n1] = a.syscallClock();
    assert.equal(n1 - n0, 7);
    assert.ok(ns1 > ns0, 'the calls took some time');
  });

  test('the engine reports the same clock', () => {
    const engine = createNativeEngine();
    const before = engine.syscallClock!();
    const s = engine.socket('udp', 4);
    s.close();
    const after = engine.syscallClock!();
    assert.equal(after.calls - before.calls, 2);
    assert.ok(after.ns > before.ns);
  });
});
