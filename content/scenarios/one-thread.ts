import type { Scenario } from '../scenario-schema';
import { clientSocket, serverSetup } from '../scenario-steps';

const scenario: Scenario = {
  name: 'one-thread',
  title: 'Two clients, one blocking server',
  summary: 'A server that waits in recv() for one client cannot notice another, whose bytes sit in the kernel; a non-blocking socket answers EAGAIN instead of waiting.',
  steps: [
    ...serverSetup(),
    clientSocket('alice', 'client A'),
    { op: 'connect', args: { sock: '$alice', address: '127.0.0.1', port: '$port' }, expect: 'ok', explain: 'Client A connects. The kernel completes the handshake and queues the connection.' },
    clientSocket('bob', 'client B'),
    { op: 'connect', args: { sock: '$bob', address: '127.0.0.1', port: '$port' }, expect: 'ok', explain: 'Client B connects too: two connections now wait in the accept queue (the listener\'s Recv-Q is 2).' },
    {
      op: 'accept',
      args: { sock: '$srv' },
      save: { connA: 'sock' },
      expect: 'ok',
      explain: 'The server\'s one thread accepts the oldest connection, client A\'s.',
    },
    {
      op: 'recv',
      args: { sock: '$connA', max: 100 },
      background: true,
      expect: 'blocked',
      explain: 'It waits for A to speak: recv() blocks. A one-thread program is now asleep inside this call and can do nothing else. (The lab lets you go on playing the clients.)',
    },
    {
      op: 'send',
      args: { sock: '$bob', data: 'hello from B\n' },
      expect: 'ok',
      explain: 'Client B sends a line. Its kernel delivers it at once: the 13 bytes wait in B\'s receive buffer on the server side, still in the accept queue, but the server is stuck waiting for A and never sees them.',
    },
    {
      op: 'send',
      args: { sock: '$alice', data: 'A here\n' },
      expect: 'ok',
      explain: 'Only when A finally sends does the blocked recv() return (look at the step above), and the server\'s thread wakes up.',
    },
    { op: 'accept', args: { sock: '$srv' }, save: { connB: 'sock' }, expect: 'ok', explain: 'Now the server gets round to B.' },
    {
      op: 'recv',
      args: { sock: '$connB', max: 100 },
      expect: 'ok',
      explain: 'B\'s line had been waiting all along. A slow client A made B wait: one thread, one blocking call at a time.',
    },
    {
      op: 'setblocking',
      args: { sock: '$connA', blocking: false },
      expect: 'ok',
      explain: 'The other way: make A\'s socket non-blocking (O_NONBLOCK). Calls on it never wait.',
    },
    {
      op: 'recv',
      args: { sock: '$connA', max: 100 },
      expect: 'EAGAIN',
      explain: 'Nothing is waiting, so recv() returns at once with EAGAIN ("try again"). A loop asking each socket in turn would never block, and would burn a whole CPU asking; poll() waits for all of them at once instead.',
    },
    { op: 'close', args: { sock: '$connA' }, expect: 'ok', explain: 'Tidy up: the server\'s end of A.' },
    { op: 'close', args: { sock: '$connB' }, expect: 'ok', explain: 'Tidy up: the server\'s end of B.' },
    { op: 'close', args: { sock: '$alice' }, expect: 'ok', explain: 'Tidy up: client A.' },
    { op: 'close', args: { sock: '$bob' }, expect: 'ok', explain: 'Tidy up: client B.' },
    { op: 'close', args: { sock: '$srv' }, expect: 'ok', explain: 'Tidy up: the listening socket.' },
  ],
};

export default scenario;
