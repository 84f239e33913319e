import type { Scenario } from '../scenario-schema';

const scenario: Scenario = {
  name: 'dual-stack',
  title: 'One IPv6 socket, IPv4 clients',
  summary: 'An IPv6 socket bound to ::ffff:127.0.0.1 takes IPv4 clients, blocks an IPv4 bind of its port, and IPV6_V6ONLY turns both off.',
  steps: [
    {
      op: 'socket',
      args: { type: 'tcp', family: 6, actor: 'dual-stack server' },
      save: { srv: 'sock' },
      expect: 'ok',
      explain: 'The server asks for an IPv6 socket (AF_INET6). On Linux its IPV6_V6ONLY option starts at 0 (net.ipv6.bindv6only is 0), so it may also speak IPv4.',
    },
    {
      op: 'getsockopt',
      args: { sock: '$srv', option: 'IPV6_V6ONLY' },
      expect: 'ok',
      explain: 'getsockopt() asks the kernel; open the step to see what it returned: IPV6_V6ONLY is 0, so this IPv6 socket is not limited to IPv6.',
    },
    {
      op: 'bind',
      args: { sock: '$srv', address: '::ffff:127.0.0.1', port: 0 },
      save: { port: 'port' },
      expect: 'ok',
      explain: 'It binds ::ffff:127.0.0.1, the IPv4 loopback address written as an IPv4-mapped IPv6 address. A server bound to :: gets every IPv4 address this way; the lab allows only loopback.',
    },
    {
      op: 'listen',
      args: { sock: '$srv', backlog: 5 },
      expect: 'ok',
      explain: 'It listens. In the kernel panel the row is an IPv6 (tcp6) socket, yet its port is an IPv4 port too.',
    },
    { op: 'socket', args: { type: 'tcp', family: 4, actor: 'IPv4 client' }, save: { c4: 'sock' }, expect: 'ok', explain: 'A plain IPv4 client makes an AF_INET socket. It knows nothing about IPv6.' },
    {
      op: 'connect',
      args: { sock: '$c4', address: '127.0.0.1', port: '$port' },
      expect: 'ok',
      explain: 'It connects to 127.0.0.1, an ordinary IPv4 address, and the IPv6 socket answers. On the wire these are IPv4 packets.',
    },
    {
      op: 'accept',
      args: { sock: '$srv' },
      save: { conn: 'sock' },
      expect: 'ok',
      explain: 'The server accepts. Its program is told the client is ::ffff:127.0.0.1: the kernel hands IPv4 addresses to an IPv6 socket in the IPv4-mapped form (RFC 4291 §2.5.5.2).',
    },
    {
      op: 'getsockname',
      args: { sock: '$conn' },
      expect: 'ok',
      explain: 'Its own end of the connection is mapped too (open the step): ::ffff:127.0.0.1 and the port.',
    },
    { op: 'socket', args: { type: 'tcp', family: 4, actor: 'IPv4 server' }, save: { srv4: 'sock' }, expect: 'ok', explain: 'A second program wants the same port for IPv4 and makes an AF_INET socket.' },
    {
      op: 'bind',
      args: { sock: '$srv4', address: '127.0.0.1', port: '$port' },
      expect: 'EADDRINUSE',
      explain: 'bind() fails with EADDRINUSE: the IPv6 socket already holds 127.0.0.1 and this port. A server bound to :: blocks a later 0.0.0.0 bind the same way.',
    },
    { op: 'socket', args: { type: 'tcp', family: 6, actor: 'IPv6-only socket' }, save: { only6: 'sock' }, expect: 'ok', explain: 'Now a socket that will refuse IPv4: another AF_INET6 socket.' },
    {
      op: 'setsockopt',
      args: { sock: '$only6', option: 'IPV6_V6ONLY', value: 1 },
      expect: 'ok',
      explain: 'IPV6_V6ONLY = 1, set before bind(): this socket takes IPv6 only.',
    },
    {
      op: 'bind',
      args: { sock: '$only6', address: '::ffff:127.0.0.1', port: 0 },
      expect: 'EINVAL',
      explain: 'Binding an IPv4-mapped address now fails with EINVAL: an IPv6-only socket has no IPv4 side. Bound to :: it would take IPv6 clients only, and leave 0.0.0.0 free for an IPv4 socket.',
    },
    { op: 'socket', args: { type: 'tcp', family: 6, actor: 'IPv6 client' }, save: { c6: 'sock' }, expect: 'ok', explain: 'The same works for clients: an AF_INET6 client socket, IPV6_V6ONLY still 0.' },
    {
      op: 'connect',
      args: { sock: '$c6', address: '::ffff:127.0.0.1', port: '$port' },
      expect: 'ok',
      explain: 'Connecting to ::ffff:127.0.0.1 reaches the IPv4 address 127.0.0.1: one IPv6 socket, IPv4 packets. This is how one program can serve both kinds of client.',
    },
    { op: 'socket', args: { type: 'tcp', family: 6, actor: 'IPv6-only client' }, save: { c6only: 'sock' }, expect: 'ok', explain: 'One more IPv6 client socket.' },
    { op: 'setsockopt', args: { sock: '$c6only', option: 'IPV6_V6ONLY', value: 1 }, expect: 'ok', explain: 'This one is IPv6-only.' },
    {
      op: 'connect',
      args: { sock: '$c6only', address: '::ffff:127.0.0.1', port: '$port' },
      expect: 'ENETUNREACH',
      explain: 'ENETUNREACH: an IPv6-only socket cannot send IPv4 packets, and ::ffff:0:0/96 is not a real IPv6 network.',
    },
    { op: 'close', args: { sock: '$c4' }, expect: 'ok', explain: 'Tidy up: the IPv4 client.' },
    { op: 'close', args: { sock: '$conn' }, expect: 'ok', explain: 'Tidy up: the accepted connection.' },
    { op: 'close', args: { sock: '$c6' }, expect: 'ok', explain: 'Tidy up: the IPv6 client, still waiting in the accept queue.' },
    { op: 'close', args: { sock: '$c6only' }, expect: 'ok', explain: 'Tidy up: the IPv6-only client.' },
    { op: 'close', args: { sock: '$only6' }, expect: 'ok', explain: 'Tidy up: the IPv6-only socket that never bound.' },
    { op: 'close', args: { sock: '$srv4' }, expect: 'ok', explain: 'Tidy up: the IPv4 socket that never bound.' },
    { op: 'close', args: { sock: '$srv' }, expect: 'ok', explain: 'Tidy up: the dual-stack server.' },
  ],
};

export default scenario;
