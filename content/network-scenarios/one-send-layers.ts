import type { NetworkScenario } from '../network-scenario-schema';

const scenario: NetworkScenario = {
  name: 'one-send-layers',
  title: 'One send(), counted by the kernel: your bytes and the headers',
  summary: 'The same 9 bytes from laptop to server over TCP and then over UDP, with firewall counters on server that count every packet and every byte of header the kernel put around them.',
  steps: [
    {
      op: 'network',
      args: { action: 'create', topology: 'home' },
      expect: 'ok',
      explain: 'Builds your network: laptop at home, a router, and a server at 203.0.113.80.',
      teaches: 'Every packet between laptop and server crosses two links and the router: a real path, not loopback.',
    },
    {
      op: 'firewall',
      args: { host: 'server', action: 'add', rule: { chain: 'input', protocol: 'tcp', destinationPort: 41003, verdict: 'accept' } },
      expect: 'ok',
      explain: 'An accept rule on server that lets everything through but counts the TCP packets to port 41003, and their bytes, headers included.',
      look: [{ view: 'rules', host: 'server' }],
      teaches: 'A rule that matches nothing yet: 0 packets, 0 bytes. The kernel counts each IP packet whole, IP header and all.',
    },
    { op: 'socket', args: { type: 'tcp', actor: 'server', host: 'server' }, save: { srv: 'sock' }, expect: 'ok', explain: 'A TCP socket on server.', teaches: 'The program chose TCP; every header from here down is the kernel\'s work.' },
    { op: 'bind', args: { sock: '$srv', address: '203.0.113.80', port: 41003 }, expect: 'ok', explain: 'It binds the server\'s address and port 41003.', teaches: 'That port goes in the TCP header of every segment sent to this socket.' },
    { op: 'listen', args: { sock: '$srv', backlog: 5 }, expect: 'ok', explain: 'It listens.', teaches: 'The kernel will now answer handshakes on 41003.' },
    { op: 'socket', args: { type: 'tcp', actor: 'laptop', host: 'laptop' }, save: { cli: 'sock' }, expect: 'ok', explain: 'A TCP socket on laptop.', teaches: 'No address yet: connect() will pick one.' },
    {
      op: 'connect',
      args: { sock: '$cli', address: '203.0.113.80', port: 41003 },
      expect: 'ok',
      explain: 'laptop connects across the router. Before any of your bytes move, the kernels exchange SYN, SYN-ACK and ACK.',
      look: [{ view: 'rules', host: 'server' }],
      teaches: 'The counter already moved: packets reached server with no data of yours in them at all, only IP and TCP headers (about 60 bytes each).',
    },
    { op: 'accept', args: { sock: '$srv' }, save: { conn: 'sock' }, expect: 'ok', explain: 'server takes the connection.', teaches: 'accept() sends nothing: the handshake was over already.' },
    {
      op: 'send',
      args: { sock: '$cli', data: 'hi server' },
      expect: 'ok',
      explain: 'laptop sends 9 bytes. The kernel puts a TCP header (20 bytes, 32 with the timestamp option) and an IP header (20 bytes) in front, and Ethernet adds 14 more on each link.',
      look: [{ view: 'rules', host: 'server' }],
      teaches: 'One more packet, and the byte count grew by about 61 for 9 bytes of yours: the rest is headers. Small messages are mostly header.',
    },
    { op: 'recv', args: { sock: '$conn', max: 100 }, expect: 'ok', explain: 'server reads.', teaches: 'Exactly the 9 bytes arrive: every header came off in server\'s kernel.' },
    {
      op: 'firewall',
      args: { host: 'server', action: 'add', rule: { chain: 'input', protocol: 'udp', destinationPort: 41003, verdict: 'accept' } },
      expect: 'ok',
      explain: 'A second counting rule, for UDP to port 41003 (UDP ports are a separate space from TCP\'s).',
      look: [{ view: 'rules', host: 'server' }],
      teaches: 'Nothing counted yet for UDP.',
    },
    { op: 'socket', args: { type: 'udp', actor: 'server', host: 'server' }, save: { usrv: 'sock' }, expect: 'ok', explain: 'A UDP socket on server.', teaches: 'No listen(), no accept(): UDP has no connections.' },
    { op: 'bind', args: { sock: '$usrv', address: '203.0.113.80', port: 41003 }, expect: 'ok', explain: 'It binds the same port number, 41003, for UDP.', teaches: 'No EADDRINUSE: the TCP listener on 41003 is in another protocol\'s table.' },
    { op: 'socket', args: { type: 'udp', actor: 'laptop', host: 'laptop' }, save: { ucli: 'sock' }, expect: 'ok', explain: 'A UDP socket on laptop.', teaches: 'Ready to send at once.' },
    {
      op: 'sendto',
      args: { sock: '$ucli', data: 'hi server', address: '203.0.113.80', port: 41003 },
      expect: 'ok',
      explain: 'The same 9 bytes as one UDP datagram: no handshake first.',
      look: [{ view: 'rules', host: 'server' }],
      teaches: 'The UDP rule counts one packet of 37 bytes: 20 of IP header, 8 of UDP header, 9 of yours. UDP\'s header is small and it sends no handshake.',
    },
    {
      op: 'recvfrom',
      args: { sock: '$usrv', max: 100 },
      expect: 'ok',
      explain: 'server reads the datagram and who sent it.',
      teaches: 'The same 9 bytes, headers removed; the sender is 203.0.113.1, the router, because laptop\'s address was rewritten on the way (lesson 5).',
    },
  ],
};

export default scenario;
