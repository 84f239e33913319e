/*
 * diag: the kernel's socket table for one session, read with the socket-diagnostics netlink
 * interface (NETLINK_SOCK_DIAG, inet_diag: what `ss` uses) instead of /proc/net.
 *
 * /proc/net/tcp prints every socket on the machine, so reading it costs as much as the machine is
 * busy. Here the server asks the kernel about the session's own sockets only, so what it costs, and
 * what crosses into the server, is the session's few rows, whatever else the machine holds.
 *
 * Two kinds of question, both answered with records of DIAG_RECORD_BYTES each: the kernel's own
 * `struct inet_diag_msg` (72 bytes, as the kernel wrote it), then, for TCP, the kernel's
 * `struct tcp_info` for the socket (the INET_DIAG_INFO extension, asked for in the same lookup: the
 * struct getsockopt(TCP_INFO) fills), as a u32 length in the host's order (0: the kernel sent none,
 * as for TIME_WAIT, a handshake in progress or UDP) and DIAG_INFO_BYTES bytes, zero-padded.
 * server/kernel/sock-diag.ts and tcp-info.ts decode them:
 *  - sockDiagFind(fds, tuples): exact lookups, one record per lookup (its family byte 0 when the
 *    kernel has no such socket). The kernel finds each socket in its hash tables, so a lookup costs
 *    the same whether the machine holds ten sockets or a hundred thousand. An fd lookup takes the
 *    addresses from the lab's own fd (getsockname, and SO_PEERNAME, which unlike getpeername also
 *    answers while a connect is in progress); a tuple lookup names a connection that has no fd here
 *    (a TIME_WAIT after close, the other end of a connection).
 *  - sockDiag(protocol, family, ports): a dump filtered in the kernel by inet_diag bytecode to the
 *    sockets whose local or remote port is one of `ports`. The kernel still walks its whole table
 *    (about 1 ms on a machine with 262,144 hash buckets), so the reader asks for one only when the
 *    exact lookups cannot explain what it sees (a connection queued by a program it cannot name).
 *
 * Rules this file keeps:
 *  - The netlink socket is the server's own fd, like its listening socket: it never enters the set
 *    of fds the lab created (adopt()), so no lab command can name it. One per environment (the main
 *    thread and each worker have their own, with their own sequence numbers and buffer), opened on
 *    first use, closed by sockDiagClose() (the engine's closeAll) and at environment teardown.
 *  - The request never goes out unfiltered: an empty port list returns no rows without a system
 *    call, and port 0 is refused (`dport == 0` would match every listener on the machine).
 *  - A dump abandoned half-way (an error) would leave the kernel answering the old request, and
 *    the next one would get EBUSY, so on any error the socket is closed and reopened next time.
 *
 * Linux only: elsewhere nothing is registered and the lab reads its kernel view another way.
 */
#if defined(__linux__)

#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <unistd.h>

#include "lab.h"

/* Exact lookups one call may ask for, and how many go to the kernel in one sendmsg(). */
#define DIAG_MAX_LOOKUPS 4096
#define DIAG_BATCH 32
/* Ports one request may name: bounds the bytecode (12 bytes a condition, two conditions a port). */
#define DIAG_MAX_PORTS 1024
/* The kernel sizes each dump message to what recvmsg asked for, up to 32 KiB. */
#define DIAG_RECV_BYTES 32768
/* Every TCP state but TCP_BOUND_INACTIVE (13): /proc/net lists no bound-only socket either. */
#define DIAG_STATES (((1u << 13) - 1) & ~1u)

_Static_assert(sizeof(struct inet_diag_msg) == 72, "inet_diag_msg is 72 bytes in the kernel's ABI");

/*
 * Room for the kernel's struct tcp_info, which grows at its end with kernel versions (232 bytes in
 * these headers, 248 in Linux 6.18); whatever lies beyond this is cut off. The reader uses the
 * fields up to tcpi_bytes_retrans (offset 208, Linux 4.19).
 */
#define DIAG_INFO_BYTES 256
#define DIAG_RECORD_BYTES (sizeof(struct inet_diag_msg) + 4 + DIAG_INFO_BYTES)
/* What each TCP question asks for beside the record: tcp_info. UDP has no such extension. */
#define DIAG_TCP_EXT (1u << (INET_DIAG_INFO - 1))

/* Writes one record from a SOCK_DIAG_BY_FAMILY message: the inet_diag_msg and its tcp_info, if any. */
static void copy_record(char *dst, const struct nlmsghdr *h) {
  memset(dst, 0, DIAG_RECORD_BYTES);
  memcpy(dst, NLMSG_DATA(h), sizeof(struct inet_diag_msg));
  int left = (int)h->nlmsg_len - (int)NLMSG_LENGTH(NLA_ALIGN(sizeof(struct inet_diag_msg)));
  const struct nlattr *a = (const struct nlattr *)((const char *)NLMSG_DATA(h) + NLA_ALIGN(sizeof(struct inet_diag_msg)));
  while (left >= (int)sizeof *a && a->nla_len >= sizeof *a && a->nla_len <= left) {
    if ((a->nla_type & NLA_TYPE_MASK) == INET_DIAG_INFO) {
      uint32_t len = a->nla_len - NLA_HDRLEN;
      if (len > DIAG_INFO_BYTES) len = DIAG_INFO_BYTES;
      memcpy(dst + sizeof(struct inet_diag_msg), &len, 4);
      memcpy(dst + sizeof(struct inet_diag_msg) + 4, (const char *)a + NLA_HDRLEN, len);
      return;
    }
    left -= NLA_ALIGN(a->nla_len);
    a = (const struct nlattr *)((const char *)a + NLA_ALIGN(a->nla_len));
  }
}

typedef struct {
  int fd; /* -1 until first use */
  uint32_t seq;
  char *buf; /* DIAG_RECV_BYTES */
} Diag;

static void diag_close(Diag *d) {
  if (d->fd >= 0) close_quietly(d->fd);
  d->fd = -1;
}

static void diag_teardown(void *arg) {
  Diag *d = (Diag *)arg;
  diag_close(d);
  free(d->buf);
  free(d);
}

static int diag_open(Diag *d) {
  if (d->fd >= 0) return 0;
  int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (fd < 0) return -1;
  /*
   * The kernel answers a sock_diag request while sendmsg() runs and fills the next part of a dump
   * inside recvmsg(), so a read never waits on anything outside; the timeout only makes sure a
   * kernel that somehow stays silent cannot stall the thread that serves every session.
   */
  struct timeval limit = {.tv_sec = 1, .tv_usec = 0};
  if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit) < 0) {
    close_quietly(fd);
    return -1;
  }
  d->fd = fd;
  return 0;
}

/* ------------------------------------------------------------------------------------------- */
/* A dump filtered by port */

/* Appends one port condition: `code` true -> the JMP after it (accept); false -> the next condition. */
static size_t put_condition(struct inet_diag_bc_op *ops, size_t at, uint8_t code, uint16_t port, size_t total_ops) {
  size_t left = (total_ops - at) * sizeof *ops; /* bytes from this op to the end */
  bool last = at + 3 == total_ops;
  ops[at] = (struct inet_diag_bc_op){.code = code, .yes = 2 * sizeof *ops, .no = (uint16_t)(last ? left + 4 : 3 * sizeof *ops)};
  ops[at + 1] = (struct inet_diag_bc_op){.code = INET_DIAG_BC_NOP, .yes = 0, .no = port};
  /* A jump to exactly the end accepts the socket; a jump 4 bytes past it (the last `no`) rejects. */
  ops[at + 2] = (struct inet_diag_bc_op){.code = INET_DIAG_BC_JMP, .yes = sizeof *ops, .no = (uint16_t)(left - 2 * sizeof *ops)};
  return at + 3;
}

/* The request: header, inet_diag_req_v2, and the bytecode "sport or dport is one of ports". */
typedef struct {
  struct nlmsghdr nlh;
  struct inet_diag_req_v2 req;
  struct nlattr bc_attr;
} DiagRequestHead;

static int diag_dump(Diag *d, uint8_t protocol, uint8_t family, const uint16_t *ports, size_t nports, char **out, size_t *out_len) {
  size_t nops = nports * 2 * 3;
  size_t bc_bytes = nops * sizeof(struct inet_diag_bc_op);
  struct inet_diag_bc_op *ops = malloc(bc_bytes);
  if (!ops) return ENOMEM;
  size_t at = 0;
  for (size_t i = 0; i < nports; i++) {
    at = put_condition(ops, at, INET_DIAG_BC_S_EQ, ports[i], nops);
    at = put_condition(ops, at, INET_DIAG_BC_D_EQ, ports[i], nops);
  }

  DiagRequestHead head;
  memset(&head, 0, sizeof head);
  head.nlh.nlmsg_len = (uint32_t)(sizeof head + bc_bytes);
  head.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  head.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  head.nlh.nlmsg_seq = ++d->seq;
  head.req.sdiag_family = family;
  head.req.sdiag_protocol = protocol;
  head.req.idiag_states = DIAG_STATES;
  head.req.idiag_ext = protocol == IPPROTO_TCP ? DIAG_TCP_EXT : 0;
  head.bc_attr.nla_len = (uint16_t)(sizeof head.bc_attr + bc_bytes);
  head.bc_attr.nla_type = INET_DIAG_REQ_BYTECODE;

  struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
  struct iovec iov[2] = {{.iov_base = &head, .iov_len = sizeof head}, {.iov_base = ops, .iov_len = bc_bytes}};
  struct msghdr msg = {.msg_name = &kernel, .msg_namelen = sizeof kernel, .msg_iov = iov, .msg_iovlen = 2};
  ssize_t sent;
  do {
    sent = sendmsg(d->fd, &msg, 0);
  } while (sent < 0 && errno == EINTR);
  int err = sent < 0 ? errno : 0;
  free(ops);
  if (err) return err;

  char *rows = NULL;
  size_t nrows = 0, cap = 0;
  for (;;) {
    ssize_t n;
    do {
      n = recv(d->fd, d->buf, DIAG_RECV_BYTES, 0);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
      err = errno == EAGAIN ? ETIMEDOUT : errno;
      break;
    }
    bool done = false;
    int len = (int)n;
    for (struct nlmsghdr *h = (struct nlmsghdr *)d->buf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
      if (h->nlmsg_seq != d->seq) continue; /* a leftover of an earlier request */
      if (h->nlmsg_type == NLMSG_DONE) {
        done = true;
        break;
      }
      if (h->nlmsg_type == NLMSG_ERROR) {
        const struct nlmsgerr *e = NLMSG_DATA(h);
        err = h->nlmsg_len >= NLMSG_LENGTH(sizeof *e) && e->error < 0 ? -e->error : EPROTO;
        done = true;
        break;
      }
      if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY || h->nlmsg_len < NLMSG_LENGTH(sizeof(struct inet_diag_msg))) continue;
      if (nrows == cap) {
        size_t grown_cap = cap ? cap * 2 : 16;
        char *grown = realloc(rows, grown_cap * DIAG_RECORD_BYTES);
        if (!grown) {
          err = ENOMEM;
          done = true;
          break;
        }
        rows = grown;
        cap = grown_cap;
      }
      copy_record(rows + nrows * DIAG_RECORD_BYTES, h);
      nrows++;
    }
    if (done || err) break;
  }
  if (err) {
    free(rows);
    return err;
  }
  *out = rows;
  *out_len = nrows * DIAG_RECORD_BYTES;
  return 0;
}

static bool get_ports(napi_env env, napi_value v, uint16_t *ports, size_t *n) {
  bool is_array = false;
  napi_is_array(env, v, &is_array);
  if (!is_array) {
    throw_type(env, "ports must be an array of port numbers");
    return false;
  }
  uint32_t len = 0;
  napi_get_array_length(env, v, &len);
  if (len > DIAG_MAX_PORTS) {
    throw_range(env, "ports may list at most 1024 ports");
    return false;
  }
  for (uint32_t i = 0; i < len; i++) {
    napi_value item;
    int64_t port;
    if (napi_get_element(env, v, i, &item) != napi_ok) return false;
    if (!get_integer(env, item, "port", 1, 65535, &port)) return false;
    ports[i] = (uint16_t)port;
  }
  *n = len;
  return true;
}

/* sockDiag(protocol 'tcp'|'udp', family 4|6, ports) -> Buffer of DIAG_RECORD_BYTES records */
static napi_value js_sock_diag(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  size_t argc = 3;
  void *data = NULL;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, &data) != napi_ok) return NULL;
  for (size_t i = argc; i < 3; i++) napi_get_undefined(env, &argv[i]);
  Diag *d = (Diag *)data;

  char proto_text[8];
  size_t n = 0;
  int64_t family;
  if (!get_short_string(env, argv[0], "protocol", proto_text, sizeof proto_text, &n)) return NULL;
  uint8_t protocol;
  if (strcmp(proto_text, "tcp") == 0) {
    protocol = IPPROTO_TCP;
  } else if (strcmp(proto_text, "udp") == 0) {
    protocol = IPPROTO_UDP;
  } else {
    return throw_type(env, "protocol must be 'tcp' or 'udp'");
  }
  if (!get_integer(env, argv[1], "family", 4, 6, &family)) return NULL;
  if (family == 5) return throw_range(env, "family must be 4 or 6");
  uint16_t ports[DIAG_MAX_PORTS];
  size_t nports = 0;
  if (!get_ports(env, argv[2], ports, &nports)) return NULL;

  napi_value result;
  if (nports == 0) {
    napi_create_buffer(env, 0, NULL, &result);
    return result;
  }
  if (diag_open(d) < 0) return throw_errno(env, errno, "socket(NETLINK_SOCK_DIAG)");
  char *rows = NULL;
  size_t len = 0;
  int err = diag_dump(d, protocol, family == 4 ? AF_INET : AF_INET6, ports, nports, &rows, &len);
  if (err) {
    diag_close(d);
    return throw_errno(env, err, "sock_diag");
  }
  napi_status s = napi_create_buffer_copy(env, len, len ? rows : "", NULL, &result);
  free(rows);
  if (s != napi_ok) return throw_errno(env, ENOMEM, "sock_diag");
  return result;
}

/* ------------------------------------------------------------------------------------------- */
/* Exact lookups */

typedef struct {
  struct nlmsghdr nlh;
  struct inet_diag_req_v2 req;
} DiagLookup;

_Static_assert(sizeof(DiagLookup) == NLMSG_ALIGN(sizeof(DiagLookup)), "requests pack back to back");

static void copy_address(__be32 dst[4], const struct sockaddr_storage *ss) {
  memset(dst, 0, 16);
  if (ss->ss_family == AF_INET) {
    memcpy(dst, &((const struct sockaddr_in *)ss)->sin_addr, 4);
  } else {
    memcpy(dst, &((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
  }
}

static uint16_t port_of(const struct sockaddr_storage *ss) {
  return ss->ss_family == AF_INET ? ((const struct sockaddr_in *)ss)->sin_port : ((const struct sockaddr_in6 *)ss)->sin6_port;
}

/*
 * The request for the socket with this local and remote end. TCP names the local end as the
 * source; UDP's lookup is a receive ("which socket gets a packet from remote to local"), so the
 * kernel reads it the other way round ("src and dst are swapped for historical reasons", udp_diag.c).
 */
static void fill_lookup(DiagLookup *l, uint8_t protocol, const struct sockaddr_storage *local, const struct sockaddr_storage *remote) {
  memset(l, 0, sizeof *l);
  l->nlh.nlmsg_len = sizeof *l;
  l->nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  l->nlh.nlmsg_flags = NLM_F_REQUEST; /* no NLM_F_DUMP: an exact lookup */
  l->req.sdiag_family = (uint8_t)local->ss_family;
  l->req.sdiag_protocol = protocol;
  l->req.idiag_states = DIAG_STATES;
  l->req.idiag_ext = protocol == IPPROTO_TCP ? DIAG_TCP_EXT : 0;
  const struct sockaddr_storage *src = protocol == IPPROTO_UDP ? remote : local;
  const struct sockaddr_storage *dst = protocol == IPPROTO_UDP ? local : remote;
  l->req.id.idiag_sport = port_of(src);
  l->req.id.idiag_dport = port_of(dst);
  copy_address(l->req.id.idiag_src, src);
  copy_address(l->req.id.idiag_dst, dst);
  l->req.id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
  l->req.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
}

/* Sends `n` lookups in one sendmsg() and writes the answer to each into out[i] (zeros: none). */
static int diag_find_batch(Diag *d, DiagLookup *lookups, const bool *wanted, size_t n, char *out) {
  uint32_t base = d->seq + 1;
  size_t asked = 0;
  DiagLookup packed[DIAG_BATCH];
  size_t index_of[DIAG_BATCH];
  for (size_t i = 0; i < n; i++) {
    memset(out + i * DIAG_RECORD_BYTES, 0, DIAG_RECORD_BYTES);
    if (!wanted[i]) continue;
    packed[asked] = lookups[i];
    packed[asked].nlh.nlmsg_seq = base + (uint32_t)asked;
    index_of[asked] = i;
    asked++;
  }
  if (asked == 0) return 0;
  d->seq += (uint32_t)asked;

  struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
  struct iovec iov = {.iov_base = packed, .iov_len = asked * sizeof packed[0]};
  struct msghdr msg = {.msg_name = &kernel, .msg_namelen = sizeof kernel, .msg_iov = &iov, .msg_iovlen = 1};
  ssize_t sent;
  do {
    sent = sendmsg(d->fd, &msg, 0);
  } while (sent < 0 && errno == EINTR);
  if (sent < 0) return errno;

  /* Each lookup gets exactly one message back: the socket's record, or an error (ENOENT: none). */
  size_t answered = 0;
  while (answered < asked) {
    ssize_t got;
    do {
      got = recv(d->fd, d->buf, DIAG_RECV_BYTES, 0);
    } while (got < 0 && errno == EINTR);
    if (got < 0) return errno == EAGAIN ? ETIMEDOUT : errno;
    int len = (int)got;
    for (struct nlmsghdr *h = (struct nlmsghdr *)d->buf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
      if (h->nlmsg_seq < base || h->nlmsg_seq >= base + asked) continue; /* a leftover of an earlier request */
      size_t at = index_of[h->nlmsg_seq - base];
      if (h->nlmsg_type == NLMSG_ERROR) {
        const struct nlmsgerr *e = NLMSG_DATA(h);
        if (h->nlmsg_len < NLMSG_LENGTH(sizeof *e)) return EPROTO;
        if (e->error == 0) continue; /* an acknowledgement; none was asked for */
        if (e->error != -ENOENT && e->error != -ESTALE) return -e->error;
      } else if (h->nlmsg_type == SOCK_DIAG_BY_FAMILY && h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct inet_diag_msg))) {
        copy_record(out + at * DIAG_RECORD_BYTES, h);
      } else {
        continue;
      }
      answered++;
    }
  }
  return 0;
}

/* The lookup for one of the lab's own fds; false (nothing to ask) for a socket with no port yet. */
static bool lookup_from_fd(int fd, DiagLookup *l, int *err) {
  struct sockaddr_storage local, remote;
  socklen_t len = sizeof local;
  memset(&local, 0, sizeof local);
  memset(&remote, 0, sizeof remote);
  *err = 0;
  if (getsockname(fd, (struct sockaddr *)&local, &len) < 0) {
    *err = errno;
    return false;
  }
  if ((local.ss_family != AF_INET && local.ss_family != AF_INET6) || port_of(&local) == 0) return false;
  int protocol = 0;
  len = sizeof protocol;
  if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &protocol, &len) < 0) {
    *err = errno;
    return false;
  }
  if (protocol != IPPROTO_TCP && protocol != IPPROTO_UDP) return false;
  /*
   * SO_PEERNAME, unlike getpeername(), also names the peer of a connect still in progress. It
   * refuses (EINVAL) a buffer longer than the address, so ask for exactly the family's size.
   */
  len = local.ss_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
  if (getsockopt(fd, SOL_SOCKET, SO_PEERNAME, &remote, &len) < 0) {
    if (errno != ENOTCONN) {
      *err = errno;
      return false;
    }
    memset(&remote, 0, sizeof remote);
    remote.ss_family = local.ss_family;
  }
  fill_lookup(l, (uint8_t)protocol, &local, &remote);
  return true;
}

static bool get_endpoint(napi_env env, napi_value obj, const char *key, struct sockaddr_storage *ss) {
  napi_value ep, address, port;
  napi_valuetype t;
  char message[64];
  if (napi_get_named_property(env, obj, key, &ep) != napi_ok || napi_typeof(env, ep, &t) != napi_ok || t != napi_object) {
    snprintf(message, sizeof message, "%s must be an {address, port} object", key);
    throw_type(env, message);
    return false;
  }
  socklen_t len;
  if (napi_get_named_property(env, ep, "address", &address) != napi_ok || napi_get_named_property(env, ep, "port", &port) != napi_ok) return false;
  return get_sockaddr(env, address, port, ss, &len);
}

static bool lookup_from_tuple(napi_env env, napi_value tuple, DiagLookup *l) {
  napi_valuetype t;
  if (napi_typeof(env, tuple, &t) != napi_ok || t != napi_object) {
    throw_type(env, "each tuple must be an object like {protocol, local, remote}");
    return false;
  }
  napi_value proto_v;
  char proto_text[8];
  size_t n = 0;
  if (napi_get_named_property(env, tuple, "protocol", &proto_v) != napi_ok) return false;
  if (!get_short_string(env, proto_v, "protocol", proto_text, sizeof proto_text, &n)) return false;
  uint8_t protocol;
  if (strcmp(proto_text, "tcp") == 0) {
    protocol = IPPROTO_TCP;
  } else if (strcmp(proto_text, "udp") == 0) {
    protocol = IPPROTO_UDP;
  } else {
    throw_type(env, "protocol must be 'tcp' or 'udp'");
    return false;
  }
  struct sockaddr_storage local, remote;
  if (!get_endpoint(env, tuple, "local", &local) || !get_endpoint(env, tuple, "remote", &remote)) return false;
  if (local.ss_family != remote.ss_family) {
    throw_coded(env, "E_BAD_REQUEST", "a tuple's local and remote addresses must be of one family", NULL);
    return false;
  }
  fill_lookup(l, protocol, &local, &remote);
  return true;
}

/* sockDiagFind(fds, tuples) -> Buffer of (fds.length + tuples.length) DIAG_RECORD_BYTES records */
static napi_value js_sock_diag_find(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  size_t argc = 2;
  void *data = NULL;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, &data) != napi_ok) return NULL;
  for (size_t i = argc; i < 2; i++) napi_get_undefined(env, &argv[i]);
  Diag *d = (Diag *)data;
  Lab *lab = lab_of(env);

  uint32_t nfds = 0, ntuples = 0;
  bool is_array = false;
  napi_is_array(env, argv[0], &is_array);
  if (!is_array) return throw_type(env, "fds must be an array of the lab's fds");
  napi_get_array_length(env, argv[0], &nfds);
  napi_is_array(env, argv[1], &is_array);
  if (!is_array) return throw_type(env, "tuples must be an array of {protocol, local, remote}");
  napi_get_array_length(env, argv[1], &ntuples);
  size_t total = (size_t)nfds + ntuples;
  if (total > DIAG_MAX_LOOKUPS) return throw_range(env, "at most 4096 lookups in one call");

  DiagLookup *lookups = calloc(total ? total : 1, sizeof *lookups);
  bool *wanted = calloc(total ? total : 1, sizeof *wanted);
  char *out = calloc(total ? total : 1, DIAG_RECORD_BYTES);
  napi_value result = NULL;
  if (!lookups || !wanted || !out) {
    throw_errno(env, ENOMEM, "sockDiagFind");
    goto done;
  }
  for (uint32_t i = 0; i < nfds; i++) {
    napi_value item;
    int fd, err;
    /* Only fds the lab created: get_fd refuses the rest (EBADF), this module's own netlink fd included. */
    if (napi_get_element(env, argv[0], i, &item) != napi_ok || !get_fd(env, lab, item, &fd)) goto done;
    wanted[i] = lookup_from_fd(fd, &lookups[i], &err);
    if (err) {
      throw_errno(env, err, "getsockname");
      goto done;
    }
  }
  for (uint32_t i = 0; i < ntuples; i++) {
    napi_value item;
    if (napi_get_element(env, argv[1], i, &item) != napi_ok || !lookup_from_tuple(env, item, &lookups[nfds + i])) goto done;
    wanted[nfds + i] = true;
  }

  if (total > 0) {
    if (diag_open(d) < 0) {
      throw_errno(env, errno, "socket(NETLINK_SOCK_DIAG)");
      goto done;
    }
    for (size_t at = 0; at < total; at += DIAG_BATCH) {
      size_t n = total - at < DIAG_BATCH ? total - at : DIAG_BATCH;
      int err = diag_find_batch(d, lookups + at, wanted + at, n, out + at * DIAG_RECORD_BYTES);
      if (err) {
        diag_close(d);
        throw_errno(env, err, "sock_diag");
        goto done;
      }
    }
  }
  if (napi_create_buffer_copy(env, total * DIAG_RECORD_BYTES, out, NULL, &result) != napi_ok) {
    result = NULL;
    throw_errno(env, ENOMEM, "sockDiagFind");
  }
done:
  free(lookups);
  free(wanted);
  free(out);
  return result;
}

/*
 * tcpInfo(fd) -> Buffer: getsockopt(TCP_INFO) on one of the lab's TCP fds, the same struct the
 * lookups' INET_DIAG_INFO carries (up to DIAG_INFO_BYTES of it). For the sockets a lookup cannot
 * reach: those made in a sandbox host's network namespace, which this process's netlink socket
 * does not see, while their fds answer getsockopt() from any namespace.
 */
static napi_value js_tcp_info(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!get_args(env, info, 1, argv)) return NULL;
  int fd;
  /* Only fds the lab created: get_fd refuses the rest (EBADF). */
  if (!get_fd(env, lab_of(env), argv[0], &fd)) return NULL;
  char buf[DIAG_INFO_BYTES];
  memset(buf, 0, sizeof buf);
  socklen_t len = sizeof buf;
  if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, buf, &len) < 0) return throw_errno(env, errno, "getsockopt(TCP_INFO)");
  napi_value result;
  if (napi_create_buffer_copy(env, len, buf, NULL, &result) != napi_ok) return throw_errno(env, ENOMEM, "tcpInfo");
  return result;
}

/* sockDiagClose(): closes the netlink socket now (the server is stopping); the next call reopens it. */
static napi_value js_sock_diag_close(napi_env env, napi_callback_info info) {
  void *data = NULL;
  if (napi_get_cb_info(env, info, NULL, NULL, NULL, &data) != napi_ok) return NULL;
  diag_close((Diag *)data);
  return undefined_value(env);
}

void register_diag(napi_env env, napi_value exports) {
  Diag *d = calloc(1, sizeof *d);
  char *buf = malloc(DIAG_RECV_BYTES);
  if (!d || !buf || napi_add_env_cleanup_hook(env, diag_teardown, d) != napi_ok) {
    /* Without it the lab reads /proc/net instead: not worth failing the whole addon for. */
    free(d);
    free(buf);
    return;
  }
  d->fd = -1;
  d->buf = buf;
  napi_property_descriptor functions[] = {
      {"sockDiag", NULL, js_sock_diag, NULL, NULL, NULL, napi_enumerable, d},
      {"sockDiagFind", NULL, js_sock_diag_find, NULL, NULL, NULL, napi_enumerable, d},
      {"sockDiagClose", NULL, js_sock_diag_close, NULL, NULL, NULL, napi_enumerable, d},
      {"tcpInfo", NULL, js_tcp_info, NULL, NULL, NULL, napi_enumerable, d},
  };
  napi_define_properties(env, exports, sizeof functions / sizeof functions[0], functions);
}

#else

#include "lab.h"

void register_diag(napi_env env, napi_value exports) {}

#endif
