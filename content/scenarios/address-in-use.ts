import type { Scenario } from '../scenario-schema';
import { serverSetup } from '../scenario-steps';

const scenario: Scenario = {
  name: 'address-in-use',
  title: 'Address already in use',
  summary: 'Two sockets try to bind the same port.',
  steps: [
    ...serverSetup(),
    {
      op: 'socket',
      args: { type: 'tcp', actor: 'second server' },
      save: { two: 'sock' },
      expect: 'ok',
      explain: 'A second server program starts and asks for a socket of its own.',
    },
    {
      op: 'bind',
      args: { sock: '$two', address: '127.0.0.1', port: '$port' },
      expect: 'EADDRINUSE',
      explain: 'It tries to bind the same address and port, and the kernel refuses with EADDRINUSE before this socket could ever listen. Two plain bind() calls to one address and port always conflict: the first socket has held them since its own bind(), listening or not.',
    },
    {
      op: 'close',
      args: { sock: '$srv' },
      expect: 'ok',
      explain: 'The first server closes its listening socket. It never had a connection, so nothing lingers in TIME_WAIT.',
    },
    {
      op: 'bind',
      args: { sock: '$two', address: '127.0.0.1', port: '$port' },
      expect: 'ok',
      explain: 'The same bind() now succeeds. (A port held by a connection in TIME_WAIT is why restarting a server often fails; servers set SO_REUSEADDR to avoid that.)',
    },
    { op: 'close', args: { sock: '$two' }, expect: 'ok', explain: 'The second server exits.' },
  ],
};

export default scenario;
