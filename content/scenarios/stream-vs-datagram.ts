import type { Scenario } from '../scenario-schema';
import { clientSocket, serverSetup } from '../scenario-steps';

const scenario: Scenario = {
  name: 'stream-vs-datagram',
  title: 'Stream vs datagram',
  summary: 'Two TCP sends arrive as one stream of bytes; two UDP datagrams stay two messages.',
  steps: [
    ...serverSetup(),
    clientSocket(),
    { op: 'connect', args: { sock: '$cli', address: '127.0.0.1', port: '$port' }, expect: 'ok', explain: 'A TCP connection is set up.' },
    { op: 'accept', args: { sock: '$srv' }, save: { conn: 'sock' }, expect: 'ok', explain: 'The server accepts it.' },
    { op: 'send', args: { sock: '$cli', data: 'one,' }, expect: 'ok', explain: 'The client sends "one," with one send().' },
    { op: 'send', args: { sock: '$cli', data: 'two' }, expect: 'ok', explain: 'And "two" with a second send(). Look at the server socket\'s Recv-Q: 7 bytes, not two messages.' },
    {
      op: 'recv',
      args: { sock: '$conn', max: 100 },
      expect: 'ok',
      explain: 'One recv() returns "one,two": TCP is a byte stream with no message boundaries. Programs must mark where messages end themselves.',
    },
    {
      op: 'socket',
      args: { type: 'udp', actor: 'udp receiver' },
      save: { u1: 'sock' },
      expect: 'ok',
      explain: 'Now UDP: a datagram socket for the receiver.',
    },
    { op: 'bind', args: { sock: '$u1', address: '127.0.0.1', port: 0 }, save: { uport: 'port' }, expect: 'ok', explain: 'The receiver binds an address so senders can reach it. There is no listen() or accept() in UDP.' },
    { op: 'socket', args: { type: 'udp', actor: 'udp sender' }, save: { u2: 'sock' }, expect: 'ok', explain: 'A second UDP socket for the sender.' },
    { op: 'sendto', args: { sock: '$u2', data: 'one,', address: '127.0.0.1', port: '$uport' }, expect: 'ok', explain: 'sendto() sends one datagram, "one,", with the address on every call: no connection.' },
    { op: 'sendto', args: { sock: '$u2', data: 'two', address: '127.0.0.1', port: '$uport' }, expect: 'ok', explain: 'A second datagram, "two".' },
    { op: 'recvfrom', args: { sock: '$u1', max: 100 }, expect: 'ok', explain: 'recvfrom() returns exactly one datagram, "one,", and who sent it.' },
    { op: 'recvfrom', args: { sock: '$u1', max: 100 }, expect: 'ok', explain: 'The next call returns "two": UDP keeps message boundaries.' },
    { op: 'close', args: { sock: '$u1' }, expect: 'ok', explain: 'Tidy up.' },
    { op: 'close', args: { sock: '$u2' }, expect: 'ok', explain: 'Tidy up.' },
    { op: 'close', args: { sock: '$cli' }, expect: 'ok', explain: 'Tidy up.' },
    { op: 'close', args: { sock: '$conn' }, expect: 'ok', explain: 'Tidy up.' },
    { op: 'close', args: { sock: '$srv' }, expect: 'ok', explain: 'Tidy up.' },
  ],
};

export default scenario;
