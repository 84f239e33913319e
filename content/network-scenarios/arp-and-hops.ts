import type { NetworkScenario } from '../network-scenario-schema';

const scenario: NetworkScenario = {
  name: 'arp-and-hops',
  title: 'First contact: ARP, then a hop through the router',
  summary: 'laptop pings phone on its own LAN (ARP fills the neighbour table), then the server across the router: one hop, and only the router\'s MAC address is ever needed.',
  steps: [
    {
      op: 'network',
      args: { action: 'create', topology: 'home' },
      expect: 'ok',
      explain: 'Builds your network: laptop (192.168.1.10) and phone (192.168.1.11) on a home LAN, a router, and a server (203.0.113.80) on the other side.',
      look: [{ view: 'neighbours', host: 'laptop' }],
      teaches: 'A fresh host knows the addresses of its LAN but not one MAC address: its neighbour table is empty until it first needs to send to someone.',
    },
    {
      op: 'ping',
      args: { host: 'laptop', address: '192.168.1.11', count: 1 },
      expect: 'ok',
      explain: 'laptop pings phone, on the same LAN. Before the first echo request can leave, laptop\'s kernel broadcasts an ARP request: who has 192.168.1.11?',
      look: [{ view: 'neighbours', host: 'laptop' }, { view: 'neighbours', host: 'phone' }],
      teaches: 'phone answered the ARP request with its MAC address, and now each knows the other: the kernel filled in both neighbour tables for one ping. The next packets go straight to that MAC.',
    },
    {
      op: 'ping',
      args: { host: 'laptop', address: '203.0.113.80', count: 1 },
      expect: 'ok',
      explain: 'laptop pings the server, on another network. Its routing table says: not on my LAN, so hand it to the gateway 192.168.1.1.',
      look: [{ view: 'routes', host: 'laptop' }, { view: 'neighbours', host: 'laptop' }],
      teaches: 'laptop\'s new neighbour is the router (192.168.1.1), not the server: a packet for another network goes to the gateway\'s MAC address with the server\'s IP address on it. That hand-over is one hop.',
    },
    {
      op: 'ping',
      args: { host: 'server', address: '203.0.113.1', count: 1 },
      expect: 'ok',
      explain: 'Now look from the other side: the server pings the router\'s outside address, its only neighbour on the way to your home.',
      look: [{ view: 'neighbours', host: 'server' }, { view: 'neighbours', host: 'router' }],
      teaches: 'The server\'s neighbour table holds the router, never laptop: MAC addresses only matter on one link. The router holds neighbours on both of its networks, because it is the hop between them.',
    },
  ],
};

export default scenario;
