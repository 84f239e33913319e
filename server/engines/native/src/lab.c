/*
 * The helpers every file of the addon shares (declared in lab.h): errno names and coded errors, the
 * set of fds the addon created (adopt, owns, get_fd), argument parsing and value building. They live
 * here, below the files that use them, so the arrows run one way: socketlab.c, netns.c, diag.c and
 * capture.c call into this file, and only socketlab.c calls theirs (their register_<name>()).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <sys/types.h>
#include <unistd.h>

#include <node_api.h>
#include <uv.h>

/* Longest address text accepted (an IPv6 address with an IPv4 tail is 45 characters). */
#define ADDR_MAX 64

#include "lab.h"

/* ------------------------------------------------------------------------------------------- */
/* Errors */

const char *errno_name(int e) {
  if (e == EWOULDBLOCK) e = EAGAIN; /* one name for the lab, whatever the platform calls it */
  switch (e) {
#define NAME(n) \
  case n:       \
    return #n;
    NAME(EACCES)
    NAME(EADDRINUSE)
    NAME(EADDRNOTAVAIL)
    NAME(EAFNOSUPPORT)
    NAME(EAGAIN)
    NAME(EALREADY)
    NAME(EBADF)
    NAME(ECONNABORTED)
    NAME(ECONNREFUSED)
    NAME(ECONNRESET)
    NAME(EDESTADDRREQ)
    NAME(EFAULT)
    NAME(EHOSTDOWN)
    NAME(EHOSTUNREACH)
    NAME(EINPROGRESS)
    NAME(EINTR)
    NAME(EINVAL)
    NAME(EIO)
    NAME(EISCONN)
    NAME(EMFILE)
    NAME(EMSGSIZE)
    NAME(ENETDOWN)
    NAME(ENETRESET)
    NAME(ENETUNREACH)
    NAME(ENFILE)
    NAME(ENOBUFS)
    NAME(ENOMEM)
    NAME(ENOPROTOOPT)
    NAME(ENOTCONN)
    NAME(ENOTSOCK)
    NAME(EOPNOTSUPP)
    NAME(EPERM)
    NAME(EPIPE)
    NAME(EPROTONOSUPPORT)
    NAME(EPROTOTYPE)
    NAME(ESHUTDOWN)
    NAME(ESOCKTNOSUPPORT)
    NAME(ETIMEDOUT)
#undef NAME
    default:
      return NULL;
  }
}

napi_value string_value(napi_env env, const char *text) {
  napi_value v = NULL;
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &v);
  return v;
}

napi_value throw_coded(napi_env env, const char *code, const char *message, const char *syscall) {
  napi_value err;
  if (napi_create_error(env, string_value(env, code), string_value(env, message), &err) != napi_ok) {
    napi_throw_error(env, code, message);
    return NULL;
  }
  if (syscall) napi_set_named_property(env, err, "syscall", string_value(env, syscall));
  napi_throw(env, err);
  return NULL;
}

napi_value throw_errno(napi_env env, int e, const char *syscall) {
  char fallback[16];
  const char *name = errno_name(e);
  if (!name) {
    snprintf(fallback, sizeof fallback, "E%d", e);
    name = fallback;
  }
  return throw_coded(env, name, strerror(e), syscall);
}

napi_value throw_uv(napi_env env, int uv_error, const char *what) {
  return throw_coded(env, uv_err_name(uv_error), uv_strerror(uv_error), what);
}

napi_value throw_type(napi_env env, const char *message) {
  napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", message);
  return NULL;
}

napi_value throw_range(napi_env env, const char *message) {
  napi_throw_range_error(env, "ERR_OUT_OF_RANGE", message);
  return NULL;
}

/* ------------------------------------------------------------------------------------------- */
/* The set of fds this addon created */

Lab *lab_of(napi_env env) {
  void *data = NULL;
  napi_get_instance_data(env, &data);
  return (Lab *)data;
}

bool owns(const Lab *lab, int fd) { return fd >= 0 && fd < lab->nslots && lab->slots[fd].owned; }

bool adopt(Lab *lab, int fd) {
  if (fd >= lab->nslots) {
    int n = lab->nslots ? lab->nslots : 64;
    while (n <= fd) n *= 2;
    Slot *grown = realloc(lab->slots, (size_t)n * sizeof *grown);
    if (!grown) return false;
    memset(grown + lab->nslots, 0, (size_t)(n - lab->nslots) * sizeof *grown);
    lab->slots = grown;
    lab->nslots = n;
  }
  lab->slots[fd].owned = true;
  lab->owned_count++;
  return true;
}


void close_quietly(int fd) {
  int saved = errno;
  close(fd);
  errno = saved;
}

/* ------------------------------------------------------------------------------------------- */
/* Arguments */

bool get_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return false;
  for (size_t i = argc; i < want; i++) napi_get_undefined(env, &argv[i]);
  return true;
}

bool get_integer(napi_env env, napi_value v, const char *what, double lo, double hi, int64_t *out) {
  char message[96];
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_number) {
    snprintf(message, sizeof message, "%s must be a number", what);
    throw_type(env, message);
    return false;
  }
  double d = 0;
  napi_get_value_double(env, v, &d);
  if (!(d >= lo && d <= hi) || (double)(int64_t)d != d) {
    snprintf(message, sizeof message, "%s must be an integer from %.0f to %.0f", what, lo, hi);
    throw_range(env, message);
    return false;
  }
  *out = (int64_t)d;
  return true;
}

/* Reads an fd argument and refuses, with EBADF, any fd this addon did not create. */
bool get_fd(napi_env env, Lab *lab, napi_value v, int *out) {
  int64_t fd;
  if (!get_integer(env, v, "fd", -2147483648.0, 2147483647.0, &fd)) return false;
  if (!owns(lab, (int)fd)) {
    throw_coded(env, "EBADF", "Bad file descriptor (not a socket created by the lab)", NULL);
    return false;
  }
  *out = (int)fd;
  return true;
}

/* Copies a short string argument; false (with a TypeError thrown) when it is not a string. */
bool get_short_string(napi_env env, napi_value v, const char *what, char *buf, size_t cap, size_t *len) {
  char message[96];
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_string) {
    snprintf(message, sizeof message, "%s must be a string", what);
    throw_type(env, message);
    return false;
  }
  size_t full = 0;
  napi_get_value_string_utf8(env, v, NULL, 0, &full);
  if (full >= cap) {
    *len = full; /* too long: caller decides */
    buf[0] = '\0';
    return true;
  }
  napi_get_value_string_utf8(env, v, buf, cap, len);
  return true;
}

bool get_bool(napi_env env, napi_value v) {
  napi_value coerced;
  bool b = false;
  if (napi_coerce_to_bool(env, v, &coerced) == napi_ok) napi_get_value_bool(env, coerced, &b);
  return b;
}

bool get_buffer(napi_env env, napi_value v, void **data, size_t *len) {
  bool is_buffer = false;
  napi_is_buffer(env, v, &is_buffer);
  if (!is_buffer) {
    throw_type(env, "data must be a Buffer");
    return false;
  }
  napi_get_buffer_info(env, v, data, len);
  return true;
}

/*
 * Parses "127.0.0.1" or "::1" into a sockaddr of THAT address's family. The socket's own family is
 * deliberately not checked here: an IPv6 address on an IPv4 socket goes to the kernel, which gives
 * its own answer (EAFNOSUPPORT / EINVAL), and that answer is what a learner should see.
 */
bool get_sockaddr(napi_env env, napi_value addr_v, napi_value port_v, struct sockaddr_storage *ss,
                         socklen_t *len) {
  char text[ADDR_MAX];
  size_t n = 0;
  int64_t port;
  if (!get_short_string(env, addr_v, "address", text, sizeof text, &n)) return false;
  if (!get_integer(env, port_v, "port", 0, 65535, &port)) return false;
  memset(ss, 0, sizeof *ss);
  struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
  struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
  if (n < sizeof text && inet_pton(AF_INET, text, &s4->sin_addr) == 1) {
    s4->sin_family = AF_INET;
    s4->sin_port = htons((uint16_t)port);
#ifdef __APPLE__
    s4->sin_len = sizeof *s4;
#endif
    *len = sizeof *s4;
    return true;
  }
  if (n < sizeof text && inet_pton(AF_INET6, text, &s6->sin6_addr) == 1) {
    s6->sin6_family = AF_INET6;
    s6->sin6_port = htons((uint16_t)port);
#ifdef __APPLE__
    s6->sin6_len = sizeof *s6;
#endif
    *len = sizeof *s6;
    return true;
  }
  /* No system call happened: the lab reports a malformed request, not a kernel errno. */
  throw_coded(env, "E_BAD_REQUEST", "not a numeric IPv4 or IPv6 address", NULL);
  return false;
}

/* {address, port}, or null for an address family the lab does not use. */
napi_value endpoint_value(napi_env env, const struct sockaddr_storage *ss) {
  char text[INET6_ADDRSTRLEN];
  int port;
  if (ss->ss_family == AF_INET) {
    const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
    if (!inet_ntop(AF_INET, &s4->sin_addr, text, sizeof text)) text[0] = '\0';
    port = ntohs(s4->sin_port);
  } else if (ss->ss_family == AF_INET6) {
    const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
    if (!inet_ntop(AF_INET6, &s6->sin6_addr, text, sizeof text)) text[0] = '\0';
    port = ntohs(s6->sin6_port);
  } else {
    napi_value null_v;
    napi_get_null(env, &null_v);
    return null_v;
  }
  napi_value obj, port_v;
  napi_create_object(env, &obj);
  napi_set_named_property(env, obj, "address", string_value(env, text));
  napi_create_int32(env, port, &port_v);
  napi_set_named_property(env, obj, "port", port_v);
  return obj;
}

napi_value undefined_value(napi_env env) {
  napi_value v;
  napi_get_undefined(env, &v);
  return v;
}

napi_value int_value(napi_env env, int64_t n) {
  napi_value v;
  napi_create_int64(env, n, &v);
  return v;
}

void set_bool(napi_env env, napi_value obj, const char *key, bool b) {
  napi_value v;
  napi_get_boolean(env, b, &v);
  napi_set_named_property(env, obj, key, v);
}

uint64_t lab_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
