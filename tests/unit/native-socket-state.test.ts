/**
 * A native lab socket's life as one field (server/engines/native/socket-state.ts): each event moves
 * it as the kernel's socket moved, and an event that does not apply leaves it where it is.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { nextState, type SocketEvent, type SocketState } from '../../server/engines/native/socket-state.ts';

const run = (events: SocketEvent[], from: SocketState = 'created'): SocketState => events.reduce(nextState, from);

describe('nextState', () => {
  test('a server socket listens, then closes', () => {
    assert.equal(run(['listened']), 'listening');
    assert.equal(run(['listened', 'closed']), 'closed');
  });

  test('a client connects at once, or after a connect in progress', () => {
    assert.equal(run(['connected']), 'connected');
    assert.equal(run(['connect-pending']), 'connecting');
    assert.equal(run(['connect-pending', 'connect-pending']), 'connecting', 'EALREADY keeps waiting');
    assert.equal(run(['connect-pending', 'connected']), 'connected');
  });

  test('a failed connect makes the socket unconnected again; elsewhere a failure changes nothing', () => {
    assert.equal(run(['connect-pending', 'connect-failed']), 'created');
    assert.equal(run(['connect-failed']), 'created');
    assert.equal(run(['connected', 'connect-failed']), 'connected', 'a UDP socket connected again to a bad address keeps its peer');
  });

  test('the end of reads: only a connected socket has reads to end', () => {
    assert.equal(run(['connected', 'reads-ended']), 'reads-ended');
    assert.equal(run(['reads-ended']), 'created');
    assert.equal(run(['listened', 'reads-ended']), 'listening');
    assert.equal(run(['connected', 'reads-ended', 'connected']), 'reads-ended', 'EISCONN does not reopen reads');
  });

  test('EISCONN on a listening socket leaves it listening', () => {
    assert.equal(run(['listened', 'connected']), 'listening');
  });

  test('closed is final', () => {
    for (const e of ['listened', 'connect-pending', 'connected', 'connect-failed', 'reads-ended', 'closed'] as const) {
      assert.equal(nextState('closed', e), 'closed', e);
    }
  });
});
