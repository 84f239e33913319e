import type { Scenario } from '../scenario-schema';

const scenario: Scenario = {
  name: 'dead-peer',
  title: 'A peer that vanishes without a word',
  summary: 'In a sandbox network, a server drops off mid-conversation with no FIN and no RST; keepalive probes find out, and the blocked recv() fails with ETIMEDOUT.',
  steps: [
    {
      op: 'network',
      args: { action: 'create', topology: 'home' },
      expect: 'ok',
      explain: 'Builds your own small network in namespaces: a laptop at 192.168.1.10, a home router, and a server at 203.0.113.80. Nothing in it can reach your real network.',
    },
    { op: 'socket', args: { type: 'tcp', actor: 'server', host: 'server' }, save: { srv: 'sock' }, expect: 'ok', explain: 'A TCP socket on the server host.' },
    { op: 'bind', args: { sock: '$srv', address: '203.0.113.80', port: 41007 }, expect: 'ok', explain: 'The server binds its own address and port 41007.' },
    { op: 'listen', args: { sock: '$srv', backlog: 5 }, expect: 'ok', explain: 'It listens.' },
    { op: 'socket', args: { type: 'tcp', actor: 'laptop', host: 'laptop' }, save: { cli: 'sock' }, expect: 'ok', explain: 'A client on the laptop makes a TCP socket.' },
    { op: 'connect', args: { sock: '$cli', address: '203.0.113.80', port: 41007 }, expect: 'ok', explain: 'It connects through the router. Both ends are ESTABLISHED.' },
    { op: 'accept', args: { sock: '$srv' }, save: { conn: 'sock' }, expect: 'ok', explain: 'The server accepts the connection.' },
    { op: 'send', args: { sock: '$cli', data: 'are you there?\n' }, expect: 'ok', explain: 'The laptop sends a line; the server\'s kernel acknowledges it.' },
    { op: 'recv', args: { sock: '$conn', max: 100 }, expect: 'ok', explain: 'The server reads it. So far a normal conversation.' },
    {
      op: 'setsockopt',
      args: { sock: '$cli', option: 'SO_KEEPALIVE', value: 1 },
      expect: 'ok',
      explain: 'The laptop turns on keepalive: when the connection has been idle long enough, its kernel sends a probe, an empty segment the peer must acknowledge.',
    },
    {
      op: 'setsockopt',
      args: { sock: '$cli', option: 'TCP_KEEPIDLE', value: 2 },
      expect: 'ok',
      explain: 'The first probe after 2 idle seconds. The Linux default (net.ipv4.tcp_keepalive_time) is 7,200 s: two hours.',
    },
    {
      op: 'setsockopt',
      args: { sock: '$cli', option: 'TCP_KEEPINTVL', value: 1 },
      expect: 'ok',
      explain: 'Then one probe a second while none is answered (the default is 75 s).',
    },
    {
      op: 'setsockopt',
      args: { sock: '$cli', option: 'TCP_KEEPCNT', value: 3 },
      expect: 'ok',
      explain: 'After 3 unanswered probes the kernel gives up on the connection (the default is 9).',
    },
    {
      op: 'firewall',
      args: { host: 'server', action: 'add', rule: { chain: 'input', protocol: 'tcp', verdict: 'drop' } },
      expect: 'ok',
      explain: 'Now the server vanishes: its firewall drops every TCP packet that arrives, as if its power or its cable were gone. It sends no FIN and no RST, so the laptop is told nothing.',
    },
    {
      op: 'recv',
      args: { sock: '$cli', max: 100 },
      expect: 'ETIMEDOUT',
      explain: 'The laptop waits for an answer. Without keepalive this recv() would wait forever; here it fails after about 5 s (2 idle + 3 probes 1 s apart) with ETIMEDOUT, and the socket is dead.',
    },
    { op: 'close', args: { sock: '$cli' }, expect: 'ok', explain: 'The client closes its dead socket.' },
    {
      op: 'close',
      args: { sock: '$conn' },
      expect: 'ok',
      explain: 'The server\'s end still believes the connection is ESTABLISHED: nothing told it otherwise. Closing it tidies up.',
    },
    { op: 'close', args: { sock: '$srv' }, expect: 'ok', explain: 'The server stops listening.' },
    { op: 'network', args: { action: 'destroy' }, expect: 'ok', explain: 'The sandbox network is taken down, and every socket in it with it.' },
  ],
};

export default scenario;
