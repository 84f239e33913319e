import type { Scenario, ScenarioStep } from '../scenario-schema';
import { serverSetup } from '../scenario-steps';

/** The three sockets the one-thread server watches, once both clients are accepted. */
const allThree = [
  { sock: '$srv', events: ['in'] },
  { sock: '$c1', events: ['in'] },
  { sock: '$c2', events: ['in'] },
] satisfies Extract<ScenarioStep, { op: 'poll' }>['args']['socks'];

const scenario: Scenario = {
  name: 'one-thread-server',
  title: 'One thread, many clients: poll()',
  summary: 'A server with one thread serves two clients: poll() says which socket is ready, so accept() and recv() never wait.',
  steps: [
    ...serverSetup(),
    {
      op: 'socket',
      args: { type: 'tcp', actor: 'ana' },
      save: { ana: 'sock' },
      expect: 'ok',
      explain: 'Ana, the first client, makes a TCP socket.',
    },
    {
      op: 'connect',
      args: { sock: '$ana', address: '127.0.0.1', port: '$port' },
      expect: 'ok',
      explain: "Ana connects. The kernels finish the handshake by themselves; the connection waits in the server's accept queue.",
    },
    {
      op: 'socket',
      args: { type: 'tcp', actor: 'ben' },
      save: { ben: 'sock' },
      expect: 'ok',
      explain: 'Ben, the second client, makes his own socket.',
    },
    {
      op: 'connect',
      args: { sock: '$ben', address: '127.0.0.1', port: '$port' },
      expect: 'ok',
      explain: 'Ben connects too. Two connections now wait in the queue: the LISTEN row shows Recv-Q 2.',
    },
    {
      op: 'poll',
      args: { socks: [{ sock: '$srv', events: ['in'] }], timeout: -1 },
      expect: 'ok',
      explain: 'The server asks poll() which of its sockets is ready. The listener answers "in": a connection waits, so accept() will not block.',
    },
    {
      op: 'accept',
      args: { sock: '$srv' },
      save: { c1: 'sock' },
      expect: 'ok',
      explain: "accept() returns at once with Ana's connection (the queue is first come, first served). poll() only looked: the connection was still there.",
    },
    {
      op: 'poll',
      args: { socks: [{ sock: '$srv', events: ['in'] }, { sock: '$c1', events: ['in'] }], timeout: -1 },
      expect: 'ok',
      explain: "Now poll() watches the listener and Ana's connection. Only the listener is ready: Ben still waits to be accepted, and Ana has sent nothing.",
    },
    {
      op: 'accept',
      args: { sock: '$srv' },
      save: { c2: 'sock' },
      expect: 'ok',
      explain: "accept() takes Ben's connection. The server now holds three sockets and still has one thread.",
    },
    {
      op: 'poll',
      args: { socks: allThree, timeout: -1 },
      background: true,
      expect: 'blocked',
      explain: 'poll() watches all three, and none is ready: no one is connecting and no one has sent. The one thread sleeps in poll(), using no CPU.',
    },
    {
      op: 'send',
      args: { sock: '$ben', data: 'hi from ben\n' },
      expect: 'ok',
      explain: "Ben sends a line. The bytes reach the server's kernel, and poll() wakes with one socket ready: Ben's connection, \"in\". Look at the timeline.",
    },
    {
      op: 'recv',
      args: { sock: '$c2' },
      expect: 'ok',
      explain: "The server reads from the socket poll() named. recv() returns at once; a blocking recv() on Ana's socket would have waited for her instead.",
    },
    {
      op: 'send',
      args: { sock: '$ana', data: 'hello from ana\n' },
      expect: 'ok',
      explain: 'Now Ana sends a line.',
    },
    {
      op: 'poll',
      args: { socks: allThree, timeout: -1 },
      expect: 'ok',
      explain: "poll() returns at once: Ana's connection is \"in\", the other two have nothing. Ben's line was already read, so his socket is not ready again.",
    },
    {
      op: 'recv',
      args: { sock: '$c1' },
      expect: 'ok',
      explain: "The server reads Ana's line. That is the whole loop of a one-thread server: poll(), then accept() or recv() on whatever is ready, and poll() again.",
    },
  ],
};

export default scenario;
