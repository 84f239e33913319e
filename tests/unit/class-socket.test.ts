/**
 * The check of every message from the /class server (app/_lib/class/class-socket.ts).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CLASS_PROTOCOL } from '../../server/protocol/class.ts';
import { parseServerMessage } from '../../app/_lib/class/class-socket.ts';
import { publicInfo } from '../helpers/class-server.ts';

describe('class-socket', () => {
  test('only messages that match the protocol get through', () => {
    const hello = { type: 'hello', protocol: CLASS_PROTOCOL, class: publicInfo() };
    assert.deepEqual(parseServerMessage(JSON.stringify(hello)), hello);
    assert.equal(parseServerMessage('not json'), null);
    assert.equal(parseServerMessage(JSON.stringify({ ...hello, protocol: 'socketlab-class/0' })), null);
    assert.equal(parseServerMessage(JSON.stringify({ type: 'joined', token: 'x' })), null);
    assert.equal(parseServerMessage(Buffer.from(JSON.stringify(hello))), null);
  });
});
