import type { Scenario } from '../scenario-schema';

const scenario: Scenario = {
  name: 'two-loopbacks',
  title: 'Two loopback addresses',
  summary: 'A server bound to ::1 cannot be reached at 127.0.0.1: the address a client names must be the address the server bound, even on one machine.',
  steps: [
    {
      op: 'socket',
      args: { type: 'tcp', family: 6, actor: 'IPv6 server' },
      save: { srv6: 'sock' },
      expect: 'ok',
      explain: 'This server asks for an IPv6 socket (family 6, AF_INET6 in C). It will take IPv6 addresses only.',
    },
    {
      op: 'bind',
      args: { sock: '$srv6', address: '::1', port: 0 },
      save: { port: 'port' },
      expect: 'ok',
      explain: 'It binds ::1, the IPv6 loopback address, and a port from the lab\'s range. In the kernel panel its row is tcp6.',
    },
    { op: 'listen', args: { sock: '$srv6', backlog: 5 }, expect: 'ok', explain: 'It listens on [::1] and that port.' },
    { op: 'socket', args: { type: 'tcp', family: 4, actor: 'IPv4 client' }, save: { c4: 'sock' }, expect: 'ok', explain: 'A client makes an IPv4 socket.' },
    {
      op: 'connect',
      args: { sock: '$c4', address: '127.0.0.1', port: '$port' },
      expect: 'ECONNREFUSED',
      explain: 'It connects to 127.0.0.1 at the same port and is refused. 127.0.0.1 and ::1 both mean this machine, but they are different addresses, and nothing listens on 127.0.0.1 at that port.',
    },
    { op: 'socket', args: { type: 'tcp', family: 6, actor: 'IPv6 client' }, save: { c6: 'sock' }, expect: 'ok', explain: 'A second client makes an IPv6 socket.' },
    {
      op: 'connect',
      args: { sock: '$c6', address: '::1', port: '$port' },
      expect: 'ok',
      explain: 'Connecting to ::1 works: the address the client names matches the address the server bound. Both ends show up in the kernel panel as [::1].',
    },
    { op: 'socket', args: { type: 'tcp', family: 4, actor: 'IPv4 server' }, save: { srv4: 'sock' }, expect: 'ok', explain: 'Another server program makes an IPv4 socket.' },
    {
      op: 'bind',
      args: { sock: '$srv4', address: '127.0.0.1', port: '$port' },
      expect: 'ok',
      explain: 'It binds 127.0.0.1 with the very same port number, and the kernel agrees. Only the same address and port conflict; ::1 and 127.0.0.1 are two addresses.',
    },
    { op: 'listen', args: { sock: '$srv4', backlog: 5 }, expect: 'ok', explain: 'It listens: one port number, two addresses, two listening sockets.' },
    { op: 'socket', args: { type: 'tcp', family: 4, actor: 'IPv4 client' }, save: { c4b: 'sock' }, expect: 'ok', explain: 'The IPv4 client tries again with a fresh socket (a refused socket cannot connect twice).' },
    {
      op: 'connect',
      args: { sock: '$c4b', address: '127.0.0.1', port: '$port' },
      expect: 'ok',
      explain: 'Now 127.0.0.1 answers, from the IPv4 server. Which program a client reaches depends on the address it names as well as the port.',
    },
    { op: 'close', args: { sock: '$c4' }, expect: 'ok', explain: 'Tidy up: the refused socket.' },
    { op: 'close', args: { sock: '$c6' }, expect: 'ok', explain: 'Tidy up: the IPv6 client.' },
    { op: 'close', args: { sock: '$c4b' }, expect: 'ok', explain: 'Tidy up: the IPv4 client.' },
    { op: 'close', args: { sock: '$srv6' }, expect: 'ok', explain: 'Tidy up: the IPv6 server, with the connection still waiting in its accept queue.' },
    { op: 'close', args: { sock: '$srv4' }, expect: 'ok', explain: 'Tidy up: the IPv4 server.' },
  ],
};

export default scenario;
