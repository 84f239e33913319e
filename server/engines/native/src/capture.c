/*
 * Packet capture for the lab's "packets" view: AF_PACKET sockets bound to one interface, with a
 * classic BPF filter attached (so the kernel hands us only one session's traffic), read
 * non-blocking with kernel timestamps and original lengths. Linux only; elsewhere every function
 * throws ENOTSUP.
 *
 *   captureOpen(ifname, program, rcvbuf) -> fd
 *       socket(AF_PACKET, SOCK_RAW, 0) receives nothing until bound, so the filter is attached
 *       before bind(): not one unfiltered frame is ever queued. EPERM without CAP_NET_RAW.
 *   captureFromFd(fd, program, rcvbuf, ifindex) -> discarded
 *       The same for a packet socket made elsewhere (in a sandbox's network namespace) and
 *       received with SCM_RIGHTS; it must already be one of the addon's fds. With ifindex >= 0 it
 *       is bound here (an unbound socket has queued nothing); with -1 it was bound by its maker,
 *       so what was queued before our filter is read and thrown away (the count is returned).
 *   captureSetFilter(fd, program)   replaces the filter (SO_ATTACH_FILTER again)
 *   captureRead(fd, snaplen, max) -> Buffer | null
 *       Up to `max` frames (recvmmsg, in batches), or null when none is waiting. The Buffer holds
 *       records: a 28-byte header, little-endian {u32 caplen, u32 origlen, u32 sec_lo, u32 sec_hi,
 *       u32 nsec, u8 pkttype, u8[3] 0, u32 ifindex}, then caplen bytes, padded to 4.
 *   captureStats(fd) -> {packets, drops}   PACKET_STATISTICS since the last call
 *
 * `program` is an array of numbers, four per instruction: code, jt, jf, k (struct sock_filter).
 * Frames are cut to snaplen by the filter itself (its accept returns the snap length), and the
 * original length comes from PACKET_AUXDATA. The fds are adopt()ed, so libuv readiness
 * (pollStart) and close() work on them like on any lab socket; they are never in a session's
 * socket table, so no learner command can name them.
 */
#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE /* recvmmsg() */
#endif

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lab.h"

#ifdef __linux__
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sys/uio.h>
#endif

/* Longest program accepted: the kernel's own limit for classic BPF. */
#define MAX_INSNS 4096
/* Frames read per recvmmsg() call; the caller's max bounds a whole read. */
#define BATCH 32
#define RECORD_HEADER 28
#define MAX_SNAPLEN 262144
#define MAX_RCVBUF (64 * 1024 * 1024)

#ifdef __linux__

static napi_value throw_capture_errno(napi_env env, int e, const char *syscall) {
  switch (e) {
    case ENODEV:
      return throw_coded(env, "ENODEV", strerror(e), syscall);
    case ENXIO:
      return throw_coded(env, "ENXIO", strerror(e), syscall);
    case ENOTSUP:
      return throw_coded(env, "ENOTSUP", strerror(e), syscall);
    default:
      return throw_errno(env, e, syscall);
  }
}

static void put_u32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
  p[2] = (uint8_t)(v >> 16);
  p[3] = (uint8_t)(v >> 24);
}

/* Reads a BPF program given as [code, jt, jf, k, ...]; false with an exception pending. */
static bool get_program(napi_env env, napi_value v, struct sock_filter **out, unsigned short *len) {
  bool is_array = false;
  napi_is_array(env, v, &is_array);
  if (!is_array) {
    throw_type(env, "program must be an array of numbers, four per instruction");
    return false;
  }
  uint32_t n = 0;
  napi_get_array_length(env, v, &n);
  if (n == 0 || n % 4 != 0 || n / 4 > MAX_INSNS) {
    throw_range(env, "program must hold 1 to 4096 instructions of four numbers each");
    return false;
  }
  struct sock_filter *insns = calloc(n / 4, sizeof *insns);
  if (!insns) {
    throw_errno(env, ENOMEM, "captureSetFilter");
    return false;
  }
  for (uint32_t i = 0; i < n; i++) {
    napi_value item;
    int64_t x;
    napi_get_element(env, v, i, &item);
    double hi = i % 4 == 0 ? 65535 : i % 4 == 3 ? 4294967295.0 : 255;
    if (!get_integer(env, item, "program instruction", 0, hi, &x)) {
      free(insns);
      return false;
    }
    struct sock_filter *f = &insns[i / 4];
    switch (i % 4) {
      case 0: f->code = (uint16_t)x; break;
      case 1: f->jt = (uint8_t)x; break;
      case 2: f->jf = (uint8_t)x; break;
      default: f->k = (uint32_t)x; break;
    }
  }
  *out = insns;
  *len = (unsigned short)(n / 4);
  return true;
}

static int attach_program(int fd, struct sock_filter *insns, unsigned short len) {
  struct sock_fprog prog = {.len = len, .filter = insns};
  return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog);
}

/* Kernel timestamps, original lengths, a bounded receive buffer, non-blocking. */
static int prepare_capture(int fd, int rcvbuf) {
  int one = 1;
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) return -1;
  int fdfl = fcntl(fd, F_GETFD);
  if (fdfl < 0 || fcntl(fd, F_SETFD, fdfl | FD_CLOEXEC) < 0) return -1;
  if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one) < 0) return -1;
  if (setsockopt(fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof one) < 0) return -1;
  if (rcvbuf > 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf) < 0) return -1;
  return 0;
}

static int bind_to(int fd, int ifindex) {
  struct sockaddr_ll sll;
  memset(&sll, 0, sizeof sll);
  sll.sll_family = AF_PACKET;
  sll.sll_protocol = htons(ETH_P_ALL);
  sll.sll_ifindex = ifindex;
  return bind(fd, (struct sockaddr *)&sll, sizeof sll);
}

/* True when fd is an AF_PACKET raw socket; sets errno (ENOTSOCK / EPROTOTYPE) when not. */
static bool is_packet_socket(int fd) {
  int domain = 0, type = 0;
  socklen_t len = sizeof domain;
  if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0) return false;
  len = sizeof type;
  if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0) return false;
  if (domain != AF_PACKET || type != SOCK_RAW) {
    errno = EPROTOTYPE;
    return false;
  }
  return true;
}

/* The owned capture fd argument; EBADF for fds the addon did not create, EPROTOTYPE for non-capture sockets. */
static bool get_capture_fd(napi_env env, Lab *lab, napi_value v, int *fd) {
  if (!get_fd(env, lab, v, fd)) return false;
  if (!is_packet_socket(*fd)) {
    throw_capture_errno(env, errno, "getsockopt");
    return false;
  }
  return true;
}

static bool get_rcvbuf(napi_env env, napi_value v, int *out) {
  int64_t n;
  if (!get_integer(env, v, "rcvbuf", 0, MAX_RCVBUF, &n)) return false;
  *out = (int)n;
  return true;
}

/* captureOpen(ifname, program, rcvbuf) -> fd */
static napi_value js_capture_open(napi_env env, napi_callback_info info) {
  Lab *lab = lab_of(env);
  napi_value argv[3];
  char name[IF_NAMESIZE];
  size_t n = 0;
  int rcvbuf;
  if (!get_args(env, info, 3, argv)) return NULL;
  if (!get_short_string(env, argv[0], "ifname", name, sizeof name, &n)) return NULL;
  if (n == 0 || n >= sizeof name) return throw_range(env, "ifname must be 1 to 15 characters");
  if (!get_rcvbuf(env, argv[2], &rcvbuf)) return NULL;
  struct sock_filter *insns;
  unsigned short len;
  if (!get_program(env, argv[1], &insns, &len)) return NULL;

  /* Protocol 0: nothing is queued until bind() names one, by which time the filter is on. */
  int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    int e = errno;
    free(insns);
    return throw_capture_errno(env, e, "socket");
  }
  const char *step = "setsockopt";
  unsigned ifindex = 0;
  int failed = attach_program(fd, insns, len) < 0 || prepare_capture(fd, rcvbuf) < 0;
  if (!failed) {
    step = "if_nametoindex";
    ifindex = if_nametoindex(name);
    failed = ifindex == 0;
  }
  if (!failed) {
    step = "bind";
    failed = bind_to(fd, (int)ifindex) < 0;
  }
  free(insns);
  if (failed) {
    int e = errno;
    close_quietly(fd);
    return throw_capture_errno(env, e, step);
  }
  if (!adopt(lab, fd)) {
    close_quietly(fd);
    return throw_errno(env, ENOMEM, "captureOpen");
  }
  return int_value(env, fd);
}

/* captureFromFd(fd, program, rcvbuf, ifindex) -> frames discarded */
static napi_value js_capture_from_fd(napi_env env, napi_callback_info info) {
  Lab *lab = lab_of(env);
  napi_value argv[4];
  int fd, rcvbuf;
  int64_t ifindex;
  if (!get_args(env, info, 4, argv) || !get_capture_fd(env, lab, argv[0], &fd)) return NULL;
  if (!get_rcvbuf(env, argv[2], &rcvbuf)) return NULL;
  if (!get_integer(env, argv[3], "ifindex", -1, 2147483647.0, &ifindex)) return NULL;
  struct sock_filter *insns;
  unsigned short len;
  if (!get_program(env, argv[1], &insns, &len)) return NULL;
  int r = attach_program(fd, insns, len);
  free(insns);
  if (r < 0) return throw_capture_errno(env, errno, "setsockopt");
  if (prepare_capture(fd, rcvbuf) < 0) return throw_capture_errno(env, errno, "setsockopt");
  int64_t discarded = 0;
  if (ifindex >= 0) {
    if (bind_to(fd, (int)ifindex) < 0) return throw_capture_errno(env, errno, "bind");
  } else {
    /* Frames queued before our filter may be anyone's: drop them unread. */
    char scrap[1];
    while (discarded < 1000000 && recv(fd, scrap, sizeof scrap, MSG_DONTWAIT | MSG_TRUNC) >= 0) discarded++;
  }
  return int_value(env, discarded);
}

/* captureSetFilter(fd, program) */
static napi_value js_capture_set_filter(napi_env env, napi_callback_info info) {
  Lab *lab = lab_of(env);
  napi_value argv[2];
  int fd;
  if (!get_args(env, info, 2, argv) || !get_capture_fd(env, lab, argv[0], &fd)) return NULL;
  struct sock_filter *insns;
  unsigned short len;
  if (!get_program(env, argv[1], &insns, &len)) return NULL;
  int r = attach_program(fd, insns, len);
  free(insns);
  if (r < 0) return throw_capture_errno(env, errno, "setsockopt");
  return undefined_value(env);
}

/* captureRead(fd, snaplen, max) -> Buffer of records | null */
static napi_value js_capture_read(napi_env env, napi_callback_info info) {
  Lab *lab = lab_of(env);
  napi_value argv[3];
  int fd;
  int64_t snaplen, max;
  if (!get_args(env, info, 3, argv) || !get_capture_fd(env, lab, argv[0], &fd)) return NULL;
  if (!get_integer(env, argv[1], "snaplen", 1, MAX_SNAPLEN, &snaplen)) return NULL;
  if (!get_integer(env, argv[2], "max", 1, 65536, &max)) return NULL;

  size_t slot = (size_t)snaplen;
  uint8_t *frames = malloc(BATCH * slot);
  size_t out_cap = 4096, out_len = 0;
  uint8_t *out = malloc(out_cap);
  if (!frames || !out) {
    free(frames);
    free(out);
    return throw_errno(env, ENOMEM, "captureRead");
  }
  struct mmsghdr msgs[BATCH];
  struct iovec iov[BATCH];
  struct sockaddr_ll from[BATCH];
  union {
    char buf[CMSG_SPACE(sizeof(struct timespec)) + CMSG_SPACE(sizeof(struct tpacket_auxdata))];
    struct cmsghdr align;
  } control[BATCH];

  int64_t total = 0;
  int error = 0;
  while (total < max) {
    unsigned want = (unsigned)(max - total < BATCH ? max - total : BATCH);
    memset(msgs, 0, sizeof msgs[0] * want);
    for (unsigned i = 0; i < want; i++) {
      iov[i].iov_base = frames + i * slot;
      iov[i].iov_len = slot;
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
      msgs[i].msg_hdr.msg_name = &from[i];
      msgs[i].msg_hdr.msg_namelen = sizeof from[i];
      msgs[i].msg_hdr.msg_control = control[i].buf;
      msgs[i].msg_hdr.msg_controllen = sizeof control[i].buf;
    }
    int got = recvmmsg(fd, msgs, want, MSG_DONTWAIT, NULL);
    if (got < 0) {
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) error = errno;
      break;
    }
    for (int i = 0; i < got; i++) {
      struct msghdr *h = &msgs[i].msg_hdr;
      uint32_t caplen = msgs[i].msg_len < slot ? msgs[i].msg_len : (uint32_t)slot;
      uint32_t origlen = caplen;
      struct timespec ts = {0, 0};
      bool have_ts = false;
      for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c; c = CMSG_NXTHDR(h, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
          memcpy(&ts, CMSG_DATA(c), sizeof ts);
          have_ts = true;
        } else if (c->cmsg_level == SOL_PACKET && c->cmsg_type == PACKET_AUXDATA) {
          struct tpacket_auxdata aux;
          memcpy(&aux, CMSG_DATA(c), sizeof aux);
          if (aux.tp_len > origlen) origlen = aux.tp_len;
        }
      }
      if (!have_ts) clock_gettime(CLOCK_REALTIME, &ts);
      size_t need = RECORD_HEADER + ((caplen + 3) & ~3u);
      if (out_len + need > out_cap) {
        size_t grown = out_cap * 2;
        while (grown < out_len + need) grown *= 2;
        uint8_t *bigger = realloc(out, grown);
        if (!bigger) {
          error = ENOMEM;
          break;
        }
        out = bigger;
        out_cap = grown;
      }
      uint8_t *rec = out + out_len;
      memset(rec, 0, need);
      uint64_t sec = (uint64_t)ts.tv_sec;
      put_u32(rec, caplen);
      put_u32(rec + 4, origlen);
      put_u32(rec + 8, (uint32_t)sec);
      put_u32(rec + 12, (uint32_t)(sec >> 32));
      put_u32(rec + 16, (uint32_t)ts.tv_nsec);
      rec[20] = from[i].sll_pkttype;
      put_u32(rec + 24, (uint32_t)from[i].sll_ifindex);
      memcpy(rec + RECORD_HEADER, frames + i * slot, caplen);
      out_len += need;
      total++;
    }
    if (error || (unsigned)got < want) break;
  }
  free(frames);
  if (error && total == 0) {
    free(out);
    return throw_capture_errno(env, error, "recvmmsg");
  }
  napi_value result;
  if (total == 0) {
    napi_get_null(env, &result);
  } else if (napi_create_buffer_copy(env, out_len, out, NULL, &result) != napi_ok) {
    free(out);
    return throw_errno(env, ENOMEM, "captureRead");
  }
  free(out);
  return result;
}

/* captureStats(fd) -> {packets, drops} since the last call (the kernel resets them on read) */
static napi_value js_capture_stats(napi_env env, napi_callback_info info) {
  Lab *lab = lab_of(env);
  napi_value argv[1];
  int fd;
  if (!get_args(env, info, 1, argv) || !get_capture_fd(env, lab, argv[0], &fd)) return NULL;
  struct tpacket_stats st;
  socklen_t len = sizeof st;
  if (getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &st, &len) < 0) return throw_capture_errno(env, errno, "getsockopt");
  napi_value obj;
  napi_create_object(env, &obj);
  napi_set_named_property(env, obj, "packets", int_value(env, st.tp_packets));
  napi_set_named_property(env, obj, "drops", int_value(env, st.tp_drops));
  return obj;
}

#else /* not Linux */

static napi_value not_here(napi_env env, napi_callback_info info) {
  return throw_coded(env, "ENOTSUP", "packet capture uses Linux AF_PACKET sockets", NULL);
}
#define js_capture_open not_here
#define js_capture_from_fd not_here
#define js_capture_set_filter not_here
#define js_capture_read not_here
#define js_capture_stats not_here

#endif

void register_capture(napi_env env, napi_value exports) {
  napi_property_descriptor functions[] = {
      {"captureOpen", NULL, js_capture_open, NULL, NULL, NULL, napi_enumerable, NULL},
      {"captureFromFd", NULL, js_capture_from_fd, NULL, NULL, NULL, napi_enumerable, NULL},
      {"captureSetFilter", NULL, js_capture_set_filter, NULL, NULL, NULL, napi_enumerable, NULL},
      {"captureRead", NULL, js_capture_read, NULL, NULL, NULL, napi_enumerable, NULL},
      {"captureStats", NULL, js_capture_stats, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof functions / sizeof functions[0], functions);
}
