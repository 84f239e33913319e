/**
 * The course's challenges: each ends a lesson with something to make true in the sandbox network
 * or in your own terminal, which the lab then checks against the kernel (docs/authoring.md,
 * "Challenges"). Validated by content/challenge-schema.ts at build time.
 */
import type { ChallengeId } from '../server/protocol/challenges.ts';
import type { Challenge } from './challenge-schema.ts';

export const CHALLENGES: readonly Challenge[] = [
  {
    id: 'public-address-listener',
    lesson: 'ip-addresses',
    title: 'Listen where the internet sees you',
    task: 'Open a TCP socket on router that listens on the address server sees your laptop as: not 0.0.0.0, not the LAN address, but that one address itself.',
    checks: [
      "laptop connects to server, and server's accept() names the address it came from",
      "the router's socket table has a TCP listener bound to exactly that address",
      'server connects to that listener',
    ],
    where: 'the sandbox network above (sockets on router)',
  },
  {
    id: 'forward-to-laptop',
    lesson: 'ports-and-forwarding',
    title: 'Let server reach your laptop',
    task: 'Make server able to open a TCP connection to a listener on laptop: a listening socket on laptop, and a port forward on the router that leads to it.',
    checks: [
      "the router's nat table has a TCP forward to laptop (192.168.1.10)",
      'server connects to the router\'s public address 203.0.113.1 on the forwarded port',
      "laptop's socket table shows that very connection arriving, from server's address",
    ],
    where: 'the sandbox network above (a socket on laptop, a port forward)',
  },
  {
    id: 'block-phone',
    lesson: 'firewalls',
    title: 'Keep phone away from server',
    task: 'Add firewall rules so that phone cannot open a TCP connection to server port 80, while laptop still can. Think about where the two are still told apart.',
    checks: [
      'something listens on server port 80 (your listener, or one the check opens)',
      'laptop connects to 203.0.113.80:80: it must succeed',
      'phone connects to 203.0.113.80:80 at the same time: it must fail (refused, unreachable or no answer)',
    ],
    where: 'the sandbox network above (firewall rules)',
  },
  {
    id: 'echo-41234',
    lesson: 'server-side',
    title: 'An echo server of your own',
    task: 'In your own terminal, run a server (in Python or any language) that listens on 127.0.0.1 port 41234, reads one line and sends that same line back.',
    checks: [
      'the lab connects to 127.0.0.1:41234 on the machine running this site',
      'it sends one line with a fresh random word in it',
      'it reads one line back, which must be the same line',
    ],
    where: 'your terminal, on the machine that runs this site',
  },
  {
    id: 'phone-next-hop',
    lesson: 'networks',
    title: "Teach phone the way out",
    task: "Make phone's kernel know the MAC address it needs to send anything to server. Think about whose address that is: server is on another network.",
    checks: [
      "phone's routing table names the next hop for 203.0.113.80",
      "phone's neighbour table holds that next hop's MAC address (not INCOMPLETE or FAILED)",
      'that MAC address is the one of the interface that owns the next hop',
    ],
    where: 'the sandbox network above (anything phone sends)',
  },
  {
    id: 'bytes-left-on-server',
    lesson: 'protocols',
    title: 'Nine bytes waiting, two ways',
    task: 'Send exactly 9 bytes of payload from laptop to server over TCP, and a datagram from laptop to server over UDP, and leave both unread on server.',
    checks: [
      "server's kernel holds exactly 9 unread bytes on a TCP connection from 203.0.113.1",
      "the router's conntrack says that connection comes from laptop",
      'a UDP socket on server has a datagram waiting, unread',
    ],
    where: 'the sandbox network above (sockets on server and laptop)',
  },
  {
    id: 'serve-http-200',
    lesson: 'how-the-web-works',
    title: 'Be the web server',
    task: 'Serve HTTP on server port 80 so that a GET / from laptop gets the status 200. Any server will do: a program in a lab shell, or one you make with lab calls (press Check, answer the request that arrives, then press Check again).',
    checks: [
      'laptop connects to 203.0.113.80:80 through the router',
      'it sends "GET / HTTP/1.1" and reads the first line of the answer',
      'that line is an HTTP status line with the status 200',
    ],
    where: 'the sandbox network above (a listener on server port 80)',
  },
];

export function challengeById(id: ChallengeId): Challenge | undefined {
  return CHALLENGES.find((c) => c.id === id);
}
