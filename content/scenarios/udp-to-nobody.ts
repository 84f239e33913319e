import type { Scenario } from '../scenario-schema';

const scenario: Scenario = {
  name: 'udp-to-nobody',
  title: 'UDP sent to nobody',
  summary: 'sendto() to a port where nobody listens "succeeds"; a connected UDP socket learns the truth.',
  steps: [
    { op: 'socket', args: { type: 'udp', actor: 'finder' }, save: { probe: 'sock' }, expect: 'ok', explain: 'To find a port where nobody listens, the lab binds a UDP socket to a free port...' },
    { op: 'bind', args: { sock: '$probe', address: '127.0.0.1', port: 0 }, save: { port: 'port' }, expect: 'ok', explain: '...notes the port...' },
    { op: 'close', args: { sock: '$probe' }, expect: 'ok', explain: '...and closes it. Now nobody listens on that port.' },
    { op: 'socket', args: { type: 'udp', actor: 'sender' }, save: { u: 'sock' }, expect: 'ok', explain: 'The sender makes a UDP socket.' },
    {
      op: 'sendto',
      args: { sock: '$u', data: 'is anyone there?', address: '127.0.0.1', port: '$port' },
      expect: 'ok',
      explain: 'sendto() returns 16 bytes sent: UDP has no handshake, so the sender cannot know nobody is there. The receiving kernel drops the datagram and answers with an ICMP "port unreachable", which this unconnected socket, by default, never hears about.',
    },
    {
      op: 'connect',
      args: { sock: '$u', address: '127.0.0.1', port: '$port' },
      expect: 'ok',
      explain: 'connect() on a UDP socket sends nothing: it only fixes the destination, and lets the kernel report errors for it.',
    },
    { op: 'send', args: { sock: '$u', data: 'hello?' }, expect: 'ok', explain: 'send() succeeds too; the kernel on the other side answers with an ICMP "port unreachable".' },
    {
      op: 'recv',
      args: { sock: '$u' },
      expect: 'ECONNREFUSED',
      explain: 'The next call on the connected socket reports that ICMP message as ECONNREFUSED. By default an unconnected socket never hears about it (the IP_RECVERR option asks for such reports).',
    },
    { op: 'close', args: { sock: '$u' }, expect: 'ok', explain: 'Done.' },
  ],
};

export default scenario;
