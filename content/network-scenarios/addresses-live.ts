import type { NetworkScenario } from '../network-scenario-schema';

const scenario: NetworkScenario = {
  name: 'addresses-live',
  title: 'Addresses read from the kernel: private inside, public outside',
  summary: 'Each host\'s interfaces, addresses and routes as its kernel holds them; server sees the router\'s public address, never laptop\'s private one; binding an address a host lacks fails.',
  steps: [
    {
      op: 'network',
      args: { action: 'create', topology: 'home' },
      expect: 'ok',
      explain: 'Builds your network and reads every host\'s interfaces back from its kernel.',
      look: [{ view: 'addresses', host: 'laptop' }, { view: 'addresses', host: 'router' }, { view: 'addresses', host: 'server' }],
      teaches: 'laptop has a private address (192.168.1.10, reserved for home and office networks) and loopback 127.0.0.1; the router has one address on each side, 192.168.1.1 inside and the public 203.0.113.1 outside.',
    },
    {
      op: 'ping',
      args: { host: 'laptop', address: '203.0.113.80', count: 1 },
      expect: 'ok',
      explain: 'laptop reaches the server. Its routing table sends anything outside 192.168.1.0/24 to the default gateway.',
      look: [{ view: 'routes', host: 'laptop' }, { view: 'routes', host: 'router' }],
      teaches: 'laptop\'s table has one route for its own LAN and a default route via 192.168.1.1; the router has a route for each of its two networks.',
    },
    { op: 'socket', args: { type: 'tcp', actor: 'server', host: 'server' }, save: { srv: 'sock' }, expect: 'ok', explain: 'A TCP socket on server.', teaches: 'server is on the public side.' },
    { op: 'bind', args: { sock: '$srv', address: '203.0.113.80', port: 41004 }, expect: 'ok', explain: 'server binds its own public address, port 41004.', teaches: 'A host can bind any address it has.' },
    { op: 'listen', args: { sock: '$srv', backlog: 5 }, expect: 'ok', explain: 'It listens.', teaches: 'Ready for clients.' },
    { op: 'socket', args: { type: 'tcp', actor: 'laptop', host: 'laptop' }, save: { cli: 'sock' }, expect: 'ok', explain: 'A TCP socket on laptop.', teaches: 'A client usually leaves the choice of its address to the kernel.' },
    {
      op: 'connect',
      args: { sock: '$cli', address: '203.0.113.80', port: 41004 },
      expect: 'ok',
      explain: 'laptop connects to the server. Look at the address laptop\'s kernel gave its end.',
      teaches: 'laptop\'s end is 192.168.1.10: from its own point of view, it is connected from its private address.',
    },
    {
      op: 'accept',
      args: { sock: '$srv' },
      save: { conn: 'sock' },
      expect: 'ok',
      explain: 'server accepts and sees who called.',
      teaches: 'server sees 203.0.113.1, the router\'s public address, never 192.168.1.10: the router rewrote the source on the way out. A private address never appears on the internet.',
    },
    { op: 'socket', args: { type: 'tcp', actor: 'laptop', host: 'laptop' }, save: { own: 'sock' }, expect: 'ok', explain: 'One more socket on laptop.', teaches: 'Its own loopback is next.' },
    {
      op: 'connect',
      args: { sock: '$own', address: '127.0.0.1', port: 41004 },
      expect: 'ECONNREFUSED',
      explain: 'laptop connects to 127.0.0.1 on the port the server listens on.',
      teaches: 'Refused: 127.0.0.1 is laptop itself, and nobody listens on laptop. Every host has its own loopback; it never leads to another machine.',
    },
    { op: 'socket', args: { type: 'tcp', actor: 'laptop', host: 'laptop' }, save: { wrong: 'sock' }, expect: 'ok', explain: 'A last socket on laptop.', teaches: 'Now bind an address laptop does not have.' },
    {
      op: 'bind',
      args: { sock: '$wrong', address: '203.0.113.80', port: 41004 },
      expect: 'EADDRNOTAVAIL',
      explain: 'laptop tries to bind the server\'s address.',
      teaches: 'EADDRNOTAVAIL: a socket can only be bound to an address of one of its own host\'s interfaces. Naming someone else\'s address does not make you them.',
    },
  ],
};

export default scenario;
