/** One actor's lab calls as a C99 + POSIX program (compile with `cc -o prog prog.c`). */
import { boundPort, isV6, optionCall, payloadBytes, pollCall, type ActorProgram, type ProgramStep } from './common';

export function cString(bytes: Uint8Array): string {
  let out = '"';
  for (const b of bytes) {
    if (b === 0x0a) out += '\\n';
    else if (b === 0x0d) out += '\\r';
    else if (b === 0x09) out += '\\t';
    else if (b === 0x22 || b === 0x5c) out += `\\${String.fromCharCode(b)}`;
    else if (b >= 0x20 && b < 0x7f && b !== 0x3f) out += String.fromCharCode(b); // no '?' (trigraphs)
    else out += `\\${b.toString(8).padStart(3, '0')}`;
  }
  return `${out}"`;
}

const INCLUDES = `#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/types.h>
#include <unistd.h>
`;

const MAKE_ADDR = `
/* Fills a socket address from text, IPv4 or IPv6. */
static socklen_t make_addr(struct sockaddr_storage *ss, const char *ip, int port) {
    memset(ss, 0, sizeof *ss);
    if (strchr(ip, ':')) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons((unsigned short)port);
        inet_pton(AF_INET6, ip, &a->sin6_addr);
        return sizeof *a;
    }
    struct sockaddr_in *a = (struct sockaddr_in *)ss;
    a->sin_family = AF_INET;
    a->sin_port = htons((unsigned short)port);
    inet_pton(AF_INET, ip, &a->sin_addr);
    return sizeof *a;
}
`;

const REPORT = `
/* Prints what a call returned, or the error the kernel gave, as the lab shows them. */
static long report(const char *call, long rc) {
    if (rc < 0) printf("%s -> error %d (%s)\\n", call, errno, strerror(errno));
    else printf("%s -> %ld\\n", call, rc);
    return rc;
}
`;

const SHOW = `
/* Prints received bytes, escaping what is not printable. */
static void show(const char *call, const char *buf, long n) {
    if (n < 0) { report(call, n); return; }
    if (n == 0) { printf("%s -> 0 bytes: EOF\\n", call); return; }
    printf("%s -> %ld bytes \\"", call, n);
    for (long i = 0; i < n; i++) {
        unsigned char c = (unsigned char)buf[i];
        if (c == '\\n') printf("\\\\n"); else if (c == '\\r') printf("\\\\r");
        else if (c >= 32 && c < 127) putchar(c); else printf("\\\\x%02x", c);
    }
    printf("\\"\\n");
}
`;

const SHOW_REVENTS = `
/* Prints one polled socket's revents by name, as the lab shows them. */
static void show_revents(const char *name, short re) {
    printf("  %s:%s%s%s%s%s\\n", name, (re & POLLIN) ? " in" : "", (re & POLLOUT) ? " out" : "",
           (re & POLLHUP) ? " hup" : "", (re & POLLERR) ? " err" : "", (re & POLLNVAL) ? " nval" : "");
}
`;

const POLL_BITS = { in: 'POLLIN', out: 'POLLOUT' } as const;

function pollLines(s: ProgramStep): string[] {
  const { socks, timeout } = pollCall(s.args);
  const fds = socks.map((p) => `{${p.sock}, ${p.events.map((e) => POLL_BITS[e]).join(' | ') || '0'}, 0}`).join(', ');
  const shows = socks.map((p, i) => `show_revents("${p.sock}", fds[${i}].revents);`).join(' ');
  return [`{`, `    struct pollfd fds[${socks.length}] = {${fds}};`, `    if (report("poll", poll(fds, ${socks.length}, ${timeout})) >= 0) { ${shows} }`, `}`];
}

function call(s: ProgramStep, fresh: Set<string>): string[] {
  const a = s.args;
  const sock = String(s.sock ?? '');
  const decl = (name: string) => {
    if (fresh.has(name)) return name;
    fresh.add(name);
    return `int ${name}`;
  };
  switch (s.op) {
    case 'socket': {
      const name = String(s.result?.sock ?? 'sock');
      return [`${decl(name)} = (int)report("socket", socket(${a.family === 6 ? 'AF_INET6' : 'AF_INET'}, ${a.type === 'udp' ? 'SOCK_DGRAM' : 'SOCK_STREAM'}, 0));`];
    }
    case 'bind':
      return [`len = make_addr(&addr, ${JSON.stringify(String(a.address))}, ${boundPort(s)});`, `report("bind", bind(${sock}, (struct sockaddr *)&addr, len));`];
    case 'listen':
      return [`report("listen", listen(${sock}, ${a.backlog ?? 5}));`];
    case 'accept': {
      const name = String(s.result?.sock ?? 'conn');
      return [`${decl(name)} = (int)report("accept", accept(${sock}, NULL, NULL));`];
    }
    case 'connect':
      return [`len = make_addr(&addr, ${JSON.stringify(String(a.address))}, ${Number(a.port)});`, `report("connect", connect(${sock}, (struct sockaddr *)&addr, len));`];
    case 'send': {
      const bytes = payloadBytes(s);
      return [`report("send", (long)send(${sock}, ${cString(bytes)}, ${bytes.length}, 0));`];
    }
    case 'sendto': {
      const bytes = payloadBytes(s);
      return [
        `len = make_addr(&addr, ${JSON.stringify(String(a.address))}, ${Number(a.port)});`,
        `report("sendto", (long)sendto(${sock}, ${cString(bytes)}, ${bytes.length}, 0, (struct sockaddr *)&addr, len));`,
      ];
    }
    case 'recv':
      return [`n = recv(${sock}, buf, ${Math.min(Number(a.max ?? 4096), 65536)}, 0);`, 'show("recv", buf, n);'];
    case 'recvfrom':
      return [`n = recvfrom(${sock}, buf, ${Math.min(Number(a.max ?? 4096), 65536)}, 0, NULL, NULL);`, 'show("recvfrom", buf, n);'];
    case 'shutdown':
      return [`report("shutdown", shutdown(${sock}, ${a.how === 'read' ? 'SHUT_RD' : a.how === 'write' ? 'SHUT_WR' : 'SHUT_RDWR'}));`];
    case 'setblocking':
      return [
        `report("fcntl", fcntl(${sock}, F_SETFL, ${a.blocking ? `fcntl(${sock}, F_GETFL) & ~O_NONBLOCK` : `fcntl(${sock}, F_GETFL) | O_NONBLOCK`}));`,
      ];
    case 'getsockname':
    case 'getpeername':
      // sin_port and sin6_port sit at the same offset, so one line prints either family's port.
      return [
        'len = sizeof addr;',
        `if (report("${s.op}", ${s.op}(${sock}, (struct sockaddr *)&addr, &len)) == 0) printf("  port %d\\n", ntohs(((struct sockaddr_in *)&addr)->sin_port));`,
      ];
    case 'setsockopt': {
      const o = optionCall(a);
      if (!o || o.value === undefined) return [];
      const set = (decl: string, v: string) => `{ ${decl}; report("setsockopt", setsockopt(${sock}, ${o.level}, ${o.option}, &${v}, sizeof ${v})); }`;
      if (typeof o.value !== 'number') return [set(`struct linger l = {${o.value.onoff ? 1 : 0}, ${o.value.linger}}`, 'l')];
      if (o.option === 'SO_RCVTIMEO') return [set(`struct timeval tv = {${Math.floor(o.value / 1000)}, ${(o.value % 1000) * 1000}}`, 'tv')];
      return [set(`int v = ${o.value}`, 'v')];
    }
    case 'getsockopt': {
      const o = optionCall(a);
      if (!o) return [];
      const get = (decl: string, v: string, print: string) =>
        `{ ${decl}; socklen_t vl = sizeof ${v}; if (report("getsockopt", getsockopt(${sock}, ${o.level}, ${o.option}, &${v}, &vl)) == 0) ${print}; }`;
      if (o.option === 'SO_LINGER') return [get('struct linger l = {0, 0}', 'l', `printf("  ${o.option} = {onoff %d, linger %d}\\n", l.l_onoff, l.l_linger)`)];
      if (o.option === 'SO_RCVTIMEO') return [get('struct timeval tv = {0, 0}', 'tv', `printf("  ${o.option} = %ld ms\\n", (long)tv.tv_sec * 1000 + (long)tv.tv_usec / 1000)`)];
      return [get('int v = 0', 'v', `printf("  ${o.option} = %d\\n", v)`)];
    }
    case 'poll':
      return pollLines(s);
    case 'close':
      return [`report("close", close(${sock}));`];
    default:
      return [];
  }
}

export function cProgram(p: ActorProgram): string {
  const body: string[] = [];
  const declared = new Set<string>();
  for (const s of p.steps) {
    const lines = call(s, declared);
    if (!lines.length) continue;
    body.push(`    /* ${s.op}${s.errno ? `: the lab got ${s.errno}` : ''} */`, ...lines.map((l) => `    ${l}`), '');
  }
  const usesV6 = p.steps.some((s) => isV6(s.args.address));
  const uses = (ops: string[]) => p.steps.some((s) => ops.includes(s.op));
  // Only the helpers this program calls: unused static functions are warnings (errors with -Werror).
  const helpers = [uses(['bind', 'connect', 'sendto']) ? MAKE_ADDR : '', REPORT, uses(['recv', 'recvfrom']) ? SHOW : '', uses(['poll']) ? SHOW_REVENTS : ''].join('');
  return `/* The "${p.actor}" program from a Socket Lab session: the same calls, in the same order.
 * Build and run: cc -o prog prog.c && ./prog   (start the program that listens first)${usesV6 ? '\n * It uses IPv6 loopback (::1).' : ''}
 */
${INCLUDES}${helpers}
int main(void) {
    struct sockaddr_storage addr;
    socklen_t len;
    char buf[65536];
    long n;
    (void)addr; (void)len; (void)buf; (void)n;

${body.join('\n').trimEnd()}
    return 0;
}
`;
}
