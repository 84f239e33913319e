import type { Scenario } from '../scenario-schema';

const scenario: Scenario = {
  name: 'same-bytes',
  title: 'The same bytes over TCP and over UDP',
  summary: 'One short message sent over each transport: the headers go on and come off in the kernels, and the other program gets exactly your bytes.',
  steps: [
    {
      op: 'socket',
      args: { type: 'tcp', actor: 'server' },
      save: { srv: 'sock' },
      expect: 'ok',
      explain: 'A program picks its transport protocol when it creates the socket: this server asks for TCP. Everything below the socket, headers included, is now the kernel\'s job.',
    },
    {
      op: 'bind',
      args: { sock: '$srv', address: '127.0.0.1', port: 0 },
      save: { port: 'port' },
      expect: 'ok',
      explain: 'The server takes the address 127.0.0.1 (this machine) and a port from the lab\'s range. That port will be the destination port in the TCP header of every segment sent to it.',
    },
    { op: 'listen', args: { sock: '$srv', backlog: 5 }, expect: 'ok', explain: 'It starts listening. The kernel will now answer TCP handshakes on this port.' },
    { op: 'socket', args: { type: 'tcp', actor: 'client' }, save: { cli: 'sock' }, expect: 'ok', explain: 'The client asks for a TCP socket too: both ends must speak the same transport protocol.' },
    {
      op: 'connect',
      args: { sock: '$cli', address: '127.0.0.1', port: '$port' },
      expect: 'ok',
      explain: 'TCP\'s rules say: agree first, then talk. Before a single byte of yours moves, the two kernels exchange three packets (SYN, SYN-ACK, ACK), each a TCP header inside an IP header with nothing else.',
    },
    { op: 'accept', args: { sock: '$srv' }, save: { conn: 'sock' }, expect: 'ok', explain: 'The server takes the new connection. It gets a socket of its own for this client.' },
    {
      op: 'send',
      args: { sock: '$cli', data: 'HELLO 1\r\n' },
      expect: 'ok',
      explain: 'The client sends 9 bytes of a made-up text protocol: the 7 characters HELLO 1, then \\r\\n. On the way down its kernel puts a TCP header in front of them, then an IP header in front of that.',
    },
    {
      op: 'recv',
      args: { sock: '$conn', max: 100 },
      expect: 'ok',
      explain: 'The server gets exactly those 9 bytes: the receiving kernel read each header, used it and removed it. Open the step to see every byte, \\r (0d) and \\n (0a) included.',
    },
    { op: 'socket', args: { type: 'udp', actor: 'udp receiver' }, save: { rx: 'sock' }, expect: 'ok', explain: 'Now the other transport: a UDP socket for a receiver. UDP has no listen() and no accept().' },
    { op: 'bind', args: { sock: '$rx', address: '127.0.0.1', port: 0 }, save: { uport: 'port' }, expect: 'ok', explain: 'The receiver binds an address and port so that datagrams can reach it.' },
    { op: 'socket', args: { type: 'udp', actor: 'udp sender' }, save: { tx: 'sock' }, expect: 'ok', explain: 'A UDP socket for the sender.' },
    {
      op: 'bind',
      args: { sock: '$tx', address: '127.0.0.1', port: 0 },
      expect: 'ok',
      explain: 'The sender binds too, so its datagrams carry a return address of its choosing. Without bind(), the first sendto() would make the kernel bind one for it: the wildcard address and an ephemeral port.',
    },
    {
      op: 'sendto',
      args: { sock: '$tx', data: 'HELLO 1\r\n', address: '127.0.0.1', port: '$uport' },
      expect: 'ok',
      explain: 'The same 9 bytes over UDP: no handshake, so this one call makes the first and only packet. Its kernel puts an 8-byte UDP header and an IP header in front, nothing more.',
    },
    {
      op: 'recvfrom',
      args: { sock: '$rx', max: 100 },
      expect: 'ok',
      explain: 'The receiver gets the same 9 bytes, and the sender\'s address and port, which its kernel read from the IP and UDP headers. Same bytes, two transports: they differ in what they promise, not in what your program receives.',
    },
    { op: 'close', args: { sock: '$cli' }, expect: 'ok', explain: 'Tidy up: the TCP client hangs up.' },
    { op: 'close', args: { sock: '$conn' }, expect: 'ok', explain: 'Tidy up: the server closes its end.' },
    { op: 'close', args: { sock: '$srv' }, expect: 'ok', explain: 'Tidy up: the server stops listening.' },
    { op: 'close', args: { sock: '$rx' }, expect: 'ok', explain: 'Tidy up: the UDP receiver.' },
    { op: 'close', args: { sock: '$tx' }, expect: 'ok', explain: 'Tidy up: the UDP sender.' },
  ],
};

export default scenario;
