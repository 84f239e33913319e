/*
 * setsockopt()/getsockopt() for the lab's named options (issue 19): the protocol names options, never
 * numbers, so the table below is the whole set the lab allows; any other name is refused here too.
 * SO_LINGER takes and gives {onoff, linger}; SO_RCVTIMEO is in milliseconds (a struct timeval in
 * the kernel); every other option is one int, shown exactly as the kernel reports it (SO_RCVBUF
 * and SO_SNDBUF come back doubled: that is the kernel's bookkeeping, and the lesson).
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/time.h>

#include "lab.h"

typedef enum { OPT_INT, OPT_LINGER, OPT_TIMEVAL_MS } OptKind;

typedef struct {
  const char *name;
  int level;
  int optname;
  OptKind kind;
} NamedOption;

static const NamedOption OPTIONS[] = {
    {"SO_REUSEADDR", SOL_SOCKET, SO_REUSEADDR, OPT_INT},
    {"SO_REUSEPORT", SOL_SOCKET, SO_REUSEPORT, OPT_INT},
    {"SO_KEEPALIVE", SOL_SOCKET, SO_KEEPALIVE, OPT_INT},
    {"TCP_KEEPIDLE", IPPROTO_TCP, TCP_KEEPIDLE, OPT_INT},
    {"TCP_KEEPINTVL", IPPROTO_TCP, TCP_KEEPINTVL, OPT_INT},
    {"TCP_KEEPCNT", IPPROTO_TCP, TCP_KEEPCNT, OPT_INT},
    {"TCP_NODELAY", IPPROTO_TCP, TCP_NODELAY, OPT_INT},
    {"SO_LINGER", SOL_SOCKET, SO_LINGER, OPT_LINGER},
    {"SO_RCVBUF", SOL_SOCKET, SO_RCVBUF, OPT_INT},
    {"SO_SNDBUF", SOL_SOCKET, SO_SNDBUF, OPT_INT},
    {"SO_RCVTIMEO", SOL_SOCKET, SO_RCVTIMEO, OPT_TIMEVAL_MS},
    {"IPV6_V6ONLY", IPPROTO_IPV6, IPV6_V6ONLY, OPT_INT},
    {"IP_TTL", IPPROTO_IP, IP_TTL, OPT_INT},
    {"SO_ERROR", SOL_SOCKET, SO_ERROR, OPT_INT},
};

static const NamedOption *option_named(napi_env env, napi_value v) {
  char name[32];
  size_t len;
  if (!get_short_string(env, v, "option", name, sizeof name, &len)) return NULL;
  for (size_t i = 0; i < sizeof OPTIONS / sizeof OPTIONS[0]; i++) {
    if (strcmp(OPTIONS[i].name, name) == 0) return &OPTIONS[i];
  }
  throw_range(env, "option is not one the lab allows");
  return NULL;
}

/* setsockoptNamed(fd, option, a, b): a is the int value, the milliseconds, or onoff; b is linger. */
static napi_value js_setsockopt_named(napi_env env, napi_callback_info info) {
  Lab *lab = lab_of(env);
  napi_value argv[4];
  int fd;
  int64_t a, b;
  if (!get_args(env, info, 4, argv) || !get_fd(env, lab, argv[0], &fd)) return NULL;
  const NamedOption *opt = option_named(env, argv[1]);
  if (!opt) return NULL;
  if (!get_integer(env, argv[2], "value", -2147483648.0, 2147483647.0, &a)) return NULL;
  if (!get_integer(env, argv[3], "linger", 0, 2147483647.0, &b)) return NULL;
  int r;
  if (opt->kind == OPT_LINGER) {
    struct linger l = {.l_onoff = (int)a, .l_linger = (int)b};
    r = setsockopt(fd, opt->level, opt->optname, &l, sizeof l);
  } else if (opt->kind == OPT_TIMEVAL_MS) {
    if (a < 0) return throw_range(env, "milliseconds must not be negative");
    struct timeval tv = {.tv_sec = (time_t)(a / 1000), .tv_usec = (suseconds_t)((a % 1000) * 1000)};
    r = setsockopt(fd, opt->level, opt->optname, &tv, sizeof tv);
  } else {
    int n = (int)a;
    r = setsockopt(fd, opt->level, opt->optname, &n, sizeof n);
  }
  if (r < 0) return throw_errno(env, errno, "setsockopt");
  return undefined_value(env);
}

/* getsockoptNamed(fd, option) -> number (int options, milliseconds) | {onoff, linger} */
static napi_value js_getsockopt_named(napi_env env, napi_callback_info info) {
  Lab *lab = lab_of(env);
  napi_value argv[2];
  int fd;
  if (!get_args(env, info, 2, argv) || !get_fd(env, lab, argv[0], &fd)) return NULL;
  const NamedOption *opt = option_named(env, argv[1]);
  if (!opt) return NULL;
  if (opt->kind == OPT_LINGER) {
    struct linger l;
    socklen_t len = sizeof l;
    memset(&l, 0, sizeof l);
    if (getsockopt(fd, opt->level, opt->optname, &l, &len) < 0) return throw_errno(env, errno, "getsockopt");
    napi_value obj;
    napi_create_object(env, &obj);
    napi_set_named_property(env, obj, "onoff", int_value(env, l.l_onoff != 0));
    napi_set_named_property(env, obj, "linger", int_value(env, l.l_linger));
    return obj;
  }
  if (opt->kind == OPT_TIMEVAL_MS) {
    struct timeval tv;
    socklen_t len = sizeof tv;
    memset(&tv, 0, sizeof tv);
    if (getsockopt(fd, opt->level, opt->optname, &tv, &len) < 0) return throw_errno(env, errno, "getsockopt");
    return int_value(env, (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000);
  }
  int n = 0;
  socklen_t len = sizeof n;
  if (getsockopt(fd, opt->level, opt->optname, &n, &len) < 0) return throw_errno(env, errno, "getsockopt");
  return int_value(env, n);
}

#ifndef IP_LOCAL_PORT_RANGE
#define IP_LOCAL_PORT_RANGE 51 /* Linux 6.3; older headers lack it */
#endif

/*
 * setEphemeralRange(fd, lo, hi) -> 1 or 0: the ports the kernel may choose for this socket's implicit
 * bind (a TCP connect), narrowed to lo-hi (IP_LOCAL_PORT_RANGE, intersected with the system's range).
 * The lab uses it to keep the kernel's own choices out of the lab's range: a client's port left in
 * TIME_WAIT there would make a later bind() inside the range fail with EADDRINUSE. 0 when the
 * kernel is older than 6.3 and does not know the option (nothing else changes).
 */
static napi_value js_set_ephemeral_range(napi_env env, napi_callback_info info) {
  Lab *lab = lab_of(env);
  napi_value argv[3];
  int fd;
  int64_t lo, hi;
  if (!get_args(env, info, 3, argv) || !get_fd(env, lab, argv[0], &fd)) return NULL;
  if (!get_integer(env, argv[1], "lo", 1, 65535, &lo) || !get_integer(env, argv[2], "hi", 1, 65535, &hi)) return NULL;
  if (lo > hi) return throw_range(env, "lo must not be above hi");
  uint32_t range = (uint32_t)lo | ((uint32_t)hi << 16);
  if (setsockopt(fd, IPPROTO_IP, IP_LOCAL_PORT_RANGE, &range, sizeof range) < 0) {
    if (errno == ENOPROTOOPT) return int_value(env, 0);
    return throw_errno(env, errno, "setsockopt");
  }
  return int_value(env, 1);
}

void register_sockopt(napi_env env, napi_value exports) {
  napi_property_descriptor functions[] = {
      {"setsockoptNamed", NULL, js_setsockopt_named, NULL, NULL, NULL, napi_enumerable, NULL},
      {"getsockoptNamed", NULL, js_getsockopt_named, NULL, NULL, NULL, napi_enumerable, NULL},
      {"setEphemeralRange", NULL, js_set_ephemeral_range, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof functions / sizeof functions[0], functions);
}
