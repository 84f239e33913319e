/*
 * socketlab: Socket Lab's native engine. Each JavaScript call performs ONE real socket system call
 * and reports the kernel's answer: the result, or an Error whose `code` is the errno name.
 *
 * Rules this file keeps:
 *  - Every socket is non-blocking at the OS level. "Blocking" is the lab's idea, built in TypeScript
 *    on readiness events from libuv (one uv_poll_t per fd), so Node's event loop never stops.
 *  - The addon only touches fds it created itself (socket() and accept()). Any other fd, such as
 *    stdin or a net.Socket's fd, is refused with EBADF before any system call: learners must never
 *    be able to reach the server's own descriptors.
 *  - Bad argument types are TypeErrors/RangeErrors; nothing here aborts the process.
 *
 * Plain C on node_api.h (N-API 8). Linux is first-class; macOS builds with fcntl() instead of
 * SOCK_NONBLOCK/accept4() and SO_NOSIGPIPE instead of MSG_NOSIGNAL.
 */
#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE /* accept4() */
#endif

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <node_api.h>
#include <uv.h>

#if defined(__linux__) && defined(SOCK_NONBLOCK) && defined(SOCK_CLOEXEC)
#define HAVE_SOCK_FLAGS 1
#endif
#ifndef POLLRDHUP
#define POLLRDHUP 0
#endif

/* Upper bound for one recv buffer: the protocol allows 64 KiB, this only stops absurd allocations. */
#define MAX_IO (4 * 1024 * 1024)

#include "lab.h"

#ifndef HAVE_SOCK_FLAGS
/* Non-blocking, close-on-exec and (macOS) no SIGPIPE, for platforms without SOCK_NONBLOCK. */
static int prepare_fd(int fd) {
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) return -1;
  int fdfl = fcntl(fd, F_GETFD);
  if (fdfl < 0 || fcntl(fd, F_SETFD, fdfl | FD_CLOEXEC) < 0) return -1;
#ifdef SO_NOSIGPIPE
  int one = 1;
  if (setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one) < 0) return -1;
#endif
  return 0;
}
#endif

/* ------------------------------------------------------------------------------------------- */
/* Readiness through libuv */

static void lab_teardown_done(Lab *lab);

static void poll_closed(uv_handle_t *handle) {
  Poll *p = (Poll *)handle->data;
  Lab *lab = p->lab;
  free(p);
  lab->closing_polls--;
  if (lab->teardown && lab->closing_polls == 0) lab_teardown_done(lab);
}

static void poll_destroy_async(napi_env env, Poll *p) {
  if (p->async_context) {
    napi_async_destroy(env, p->async_context);
    p->async_context = NULL;
  }
}

/* Stops watching an fd. Must run before close(fd): uv_close removes the fd from epoll/kqueue. */
static void poll_release(napi_env env, Lab *lab, Poll *p) {
  lab->slots[p->fd].poll = NULL;
  p->released = true;
  /* No uv_poll_stop() first: uv_close() stops the handle itself, and each stop is an epoll_ctl(DEL). */
  if (p->callback) {
    napi_delete_reference(env, p->callback);
    p->callback = NULL;
  }
  /* Inside this poll's own callback the async context is still in use; on_poll destroys it after. */
  if (!p->in_callback) poll_destroy_async(env, p);
  lab->closing_polls++;
  uv_close((uv_handle_t *)&p->handle, poll_closed);
}

static void on_poll(uv_poll_t *handle, int status, int events) {
  Poll *p = (Poll *)handle->data;
  if (p->released || !p->callback) return;
  napi_env env = p->lab->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;

  /*
   * libuv turns POLLERR into status UV_EBADF (and stops the handle) without saying what else is
   * ready, so ask poll(2) directly: it reads the socket's condition without consuming anything.
   */
  struct pollfd pfd = {.fd = p->fd, .events = POLLIN | POLLOUT | POLLRDHUP, .revents = 0};
  if (poll(&pfd, 1, 0) < 0) pfd.revents = 0;
  bool error = status < 0 || (pfd.revents & POLLERR);

  napi_value argv[2];
  if (status < 0) {
    argv[0] = string_value(env, uv_err_name(status));
  } else {
    napi_get_null(env, &argv[0]);
  }
  napi_create_object(env, &argv[1]);
  set_bool(env, argv[1], "readable", (events & UV_READABLE) || (pfd.revents & POLLIN));
  set_bool(env, argv[1], "writable", (events & UV_WRITABLE) || (pfd.revents & POLLOUT));
  set_bool(env, argv[1], "disconnect", (events & UV_DISCONNECT) || (POLLRDHUP && (pfd.revents & POLLRDHUP)));
  set_bool(env, argv[1], "hangup", pfd.revents & POLLHUP);
  set_bool(env, argv[1], "error", error);

  napi_value callback, recv;
  napi_get_reference_value(env, p->callback, &callback);
  napi_get_global(env, &recv); /* napi_make_callback needs an object as `this` */
  p->in_callback = true;
  napi_status called = napi_make_callback(env, p->async_context, recv, callback, 2, argv, NULL);
  p->in_callback = false;
  if (called == napi_pending_exception) {
    napi_value exception;
    if (napi_get_and_clear_last_exception(env, &exception) == napi_ok) napi_fatal_exception(env, exception);
  }
  if (p->released) poll_destroy_async(env, p);
  napi_close_handle_scope(env, scope);
}

/* ------------------------------------------------------------------------------------------- */
/* The calls */

/* socket(family 4|6, type 'tcp'|'udp') -> fd */
static napi_value js_socket(napi_env env, napi_callback_info info) {
  Lab *lab = lab_of(env);
  napi_value argv[2];
  int64_t family;
  char type[8];
  size_t n = 0;
  if (!get_args(env, info, 2, argv)) return NULL;
  if (!get_integer(env, argv[0], "family", 4, 6, &family)) return NULL;
  if (family == 5) return throw_range(env, "family must be 4 or 6");
  if (!get_short_string(env, argv[1], "type", type, sizeof type, &n)) return NULL;
  int stype;
  if (strcmp(type, "tcp") == 0) {
    stype = SOCK_STREAM;
  } else if (strcmp(type, "udp") == 0) {
    stype = SOCK_DGRAM;
  } else {
    return throw_type(env, "type must be 'tcp' or 'udp'");
  }
  int domain = family == 4 ? AF_INET : AF_INET6;
#ifdef HAVE_SOCK_FLAGS
  int fd = TIMED(lab, socket(domain, stype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (fd < 0) return throw_errno(env, errno, "socket");
#else
  int fd = TIMED(lab, socket(domain, stype, 0));
  if (fd < 0) return throw_errno(env, errno, "socket");
  if (prepare_fd(fd) < 0) {
    int e = errno;
    close_quietly(fd);
    return throw_errno(env, e, "fcntl");
  }
#endif
  if (!adopt(lab, fd)) {
    close_quietly(fd);
    return throw_errno(env, ENOMEM, "socket");
  }
  return int_value(env, fd);
}

/* bind(fd, address, port) */
static napi_value js_bind(napi_env env, napi_callback_info info) {
  Lab *lab = lab_of(env);
  napi_value argv[3];
  int fd;
  struct sockaddr_storage ss;
  socklen_t len;
  if (!get_args(env, info, 3, argv) || !get_fd(env, lab, argv[0], &fd)) return NULL;
  if (!get_sockaddr(env, argv[1], argv[2], &ss, &len)) return NULL;
  if (TIMED(lab, bind(fd, (struct sockaddr *)&ss, len)) < 0) return throw_errno(env, errno, "bind");
  return undefined_value(env);
}

/* listen(fd, backlog) */
static napi_value js_listen(napi_env env, napi_callback_info info) {
  Lab *lab = lab_of(env);
  napi_value argv[2];
  int fd;
  int64_t backlog;
  if (!get_args(env, info, 2, argv) || !get_fd(env, lab, argv[0], &fd)) return NULL;
  if (!get_integer(env, argv[1], "backlog", 0, 65535, &backlog)) return NULL;
  if (TIMED(lab, listen(fd, (int)backlog)) < 0) return throw_errno(env, errno, "listen");
  return undefined_value(env);
}

/* accept(fd) -> {fd, address, port} */
static napi_value js_accept(napi_env env, napi_callback_info info) {
  Lab *lab = lab_of(env);
  napi_value argv[1];
  int fd;
  if (!get_args(env, info, 1, argv) || !get_fd(env, lab, argv[0], &fd)) return NULL;
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  memset(&ss, 0, sizeof ss);
  int conn;
#ifdef HAVE_SOCK_FLAGS
  do {
    conn = TIMED(lab, accept4(fd, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC));
  } while (conn < 0 && errno == EINTR);
  if (conn < 0) return throw_errno(env, errno, "accept");
#else
  do {
    conn = TIMED(lab, accept(fd, (struct sockaddr *)&ss, &len));
  } while (conn < 0 && errno == EINTR);
  if (conn < 0) return throw_errno(env, errno, "accept");
  if (prepare_fd(conn) < 0) {
    int e = errno;
    close_quietly(conn);
    return throw_errno(env, e, "fcntl");
  }
#endif
  if (!adopt(lab, conn)) {
    close_quietly(conn);
    return throw_errno(env, ENOMEM, "accept");
  }
  napi_value result = endpoint_value(env, &ss);
  napi_valuetype t;
  napi_typeof(env, result, &t);
  if (t != napi_object) napi_create_object(env, &result);
  napi_set_named_property(env, result, "fd", int_value(env, conn));
  return result;
}

/* connect(fd, address, port); a non-blocking connect in progress throws EINPROGRESS */
static napi_value js_connect(napi_env env, napi_callback_info info) {
  Lab *lab = lab_of(env);
  napi_value argv[3];
  int fd;
  struct sockaddr_storage ss;
  socklen_t len;
  if (!get_args(env, info, 3, argv) || !get_fd(env, lab, argv[0], &fd)) return NULL;
  if (!get_sockaddr(env, argv[1], argv[2], &ss, &len)) return NULL;
  if (TIMED(lab, connect(fd, (struct sockaddr *)&ss, len)) < 0) return throw_errno(env, errno, "connect");
  return undefined_value(env);
}

/* soError(fd) -> errno name | null: the outcome of a finished non-blocking connect (and clears it) */
static napi_value js_so_error(napi_env env, napi_callback_info info) {
  Lab *lab = lab_of(env);
  napi_value argv[1];
  int fd;
  if (!get_args(env, info, 1, argv) || !get_fd(env, lab, argv[0], &fd)) return NULL;
  int err = 0;
  socklen_t len = sizeof err;
  if (TIMED(lab, getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len)) < 0) return throw_errno(env, errno, "getsockopt");
  if (err == 0) {
    napi_value null_v;
    napi_get_null(env, &null_v);
    return null_v;
  }
  char fallback[16];
  const char *name = errno_name(err);
  if (!name) {
    snprintf(fallback, sizeof fallback, "E%d", err);
    name = fallback;
  }
  return string_value(env, name);
}

/* send(fd, Buffer) -> bytes */
static napi_value js_send(napi_env env, napi_callback_info info) {
  Lab *lab = lab_of(env);
  napi_value argv[2];
  int fd;
  void *data;
  size_t len;
  if (!get_args(env, info, 2, argv) || !get_fd(env, lab, argv[0], &fd)) return NULL;
  if (!get_buffer(env, argv[1], &data, &len)) return NULL;
  ssize_t n;
  do {
    n = TIMED(lab, send(fd, data, len, MSG_NOSIGNAL));
  } while (n < 0 && errno == EINTR);
  if (n < 0) return throw_errno(env, errno, "send");
  return int_value(env, n);
}

static bool get_max(napi_env env, napi_value v, size_t *max) {
  int64_t m;
  if (!get_integer(env, v, "max", 1, MAX_IO, &m)) return false;
  *max = (size_t)m;
  return true;
}

/* recv(fd, max, peek?) -> Buffer (empty at end of stream) */
static napi_value js_recv(napi_env env, napi_callback_info info) {
  Lab *lab = lab_of(env);
  napi_value argv[3];
  int fd;
  size_t max;
  if (!get_args(env, info, 3, argv) || !get_fd(env, lab, argv[0], &fd)) return NULL;
  if (!get_max(env, argv[1], &max)) return NULL;
  int flags = get_bool(env, argv[2]) ? MSG_PEEK : 0;
  char *tmp = malloc(max);
  if (!tmp) return throw_errno(env, ENOMEM, "recv");
  ssize_t n;
  do {
    n = TIMED(lab, recv(fd, tmp, max, flags));
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    int e = errno;
    free(tmp);
    return throw_errno(env, e, "recv");
  }
  napi_value out = NULL;
  napi_status s = napi_create_buffer_copy(env, (size_t)n, tmp, NULL, &out);
  free(tmp);
  if (s != napi_ok) return throw_errno(env, ENOMEM, "recv");
  return out;
}

/* sendto(fd, Buffer, address, port) -> bytes */
static napi_value js_sendto(napi_env env, napi_callback_info info) {
  Lab *lab = lab_of(env);
  napi_value argv[4];
  int fd;
  void *data;
  size_t len;
  struct sockaddr_storage ss;
  socklen_t sslen;
  if (!get_args(env, info, 4, argv) || !get_fd(env, lab, argv[0], &fd)) return NULL;
  if (!get_buffer(env, argv[1], &data, &len)) return NULL;
  if (!get_sockaddr(env, argv[2], argv[3], &ss, &sslen)) return NULL;
  ssize_t n;
  do {
    n = TIMED(lab, sendto(fd, data, len, MSG_NOSIGNAL, (struct sockaddr *)&ss, sslen));
  } while (n < 0 && errno == EINTR);
  if (n < 0) return throw_errno(env, errno, "sendto");
  return int_value(env, n);
}

/* recvfrom(fd, max) -> {data, address, port}; address and port are null when the kernel gives none */
static napi_value js_recvfrom(napi_env env, napi_callback_info info) {
  Lab *lab = lab_of(env);
  napi_value argv[2];
  int fd;
  size_t max;
  if (!get_args(env, info, 2, argv) || !get_fd(env, lab, argv[0], &fd)) return NULL;
  if (!get_max(env, argv[1], &max)) return NULL;
  char *tmp = malloc(max);
  if (!tmp) return throw_errno(env, ENOMEM, "recvfrom");
  struct sockaddr_storage ss;
  socklen_t len;
  ssize_t n;
  do {
    len = sizeof ss;
    memset(&ss, 0, sizeof ss);
    n = TIMED(lab, recvfrom(fd, tmp, max, 0, (struct sockaddr *)&ss, &len));
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    int e = errno;
    free(tmp);
    return throw_errno(env, e, "recvfrom");
  }
  napi_value data = NULL;
  napi_status s = napi_create_buffer_copy(env, (size_t)n, tmp, NULL, &data);
  free(tmp);
  if (s != napi_ok) return throw_errno(env, ENOMEM, "recvfrom");
  napi_value result, null_v;
  napi_get_null(env, &null_v);
  napi_create_object(env, &result);
  napi_set_named_property(env, result, "data", data);
  napi_value from = len > 0 ? endpoint_value(env, &ss) : null_v;
  napi_valuetype t;
  napi_typeof(env, from, &t);
  if (t == napi_object) {
    napi_value address, port;
    napi_get_named_property(env, from, "address", &address);
    napi_get_named_property(env, from, "port", &port);
    napi_set_named_property(env, result, "address", address);
    napi_set_named_property(env, result, "port", port);
  } else {
    napi_set_named_property(env, result, "address", null_v);
    napi_set_named_property(env, result, "port", null_v);
  }
  return result;
}

/* shutdown(fd, 'read'|'write'|'both') */
static napi_value js_shutdown(napi_env env, napi_callback_info info) {
  Lab *lab = lab_of(env);
  napi_value argv[2];
  int fd;
  char how_text[8];
  size_t n = 0;
  if (!get_args(env, info, 2, argv) || !get_fd(env, lab, argv[0], &fd)) return NULL;
  if (!get_short_string(env, argv[1], "how", how_text, sizeof how_text, &n)) return NULL;
  int how;
  if (strcmp(how_text, "read") == 0) {
    how = SHUT_RD;
  } else if (strcmp(how_text, "write") == 0) {
    how = SHUT_WR;
  } else if (strcmp(how_text, "both") == 0) {
    how = SHUT_RDWR;
  } else {
    return throw_type(env, "how must be 'read', 'write' or 'both'");
  }
  if (TIMED(lab, shutdown(fd, how)) < 0) return throw_errno(env, errno, "shutdown");
  return undefined_value(env);
}

/* close(fd): stops any readiness watch first, then forgets the fd and closes it. */
static napi_value js_close(napi_env env, napi_callback_info info) {
  Lab *lab = lab_of(env);
  napi_value argv[1];
  int fd;
  if (!get_args(env, info, 1, argv) || !get_fd(env, lab, argv[0], &fd)) return NULL;
  if (lab->slots[fd].poll) poll_release(env, lab, lab->slots[fd].poll);
  lab->slots[fd].owned = false;
  lab->owned_count--;
  /* On Linux the fd is released even when close() reports EINTR, so it is never retried. */
  if (TIMED(lab, close(fd)) < 0 && errno != EINTR) return throw_errno(env, errno, "close");
  return undefined_value(env);
}

static napi_value name_of(napi_env env, napi_callback_info info, bool peer) {
  Lab *lab = lab_of(env);
  napi_value argv[1];
  int fd;
  if (!get_args(env, info, 1, argv) || !get_fd(env, lab, argv[0], &fd)) return NULL;
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  memset(&ss, 0, sizeof ss);
  int r = TIMED(lab, peer ? getpeername(fd, (struct sockaddr *)&ss, &len) : getsockname(fd, (struct sockaddr *)&ss, &len));
  if (r < 0) {
    napi_value null_v;
    napi_get_null(env, &null_v);
    return null_v;
  }
  return endpoint_value(env, &ss);
}

/* getsockname(fd) / getpeername(fd) -> {address, port} | null */
static napi_value js_getsockname(napi_env env, napi_callback_info info) { return name_of(env, info, false); }
static napi_value js_getpeername(napi_env env, napi_callback_info info) { return name_of(env, info, true); }

/* inode(fd): the socket's inode, the number /proc/net/tcp and friends list */
static napi_value js_inode(napi_env env, napi_callback_info info) {
  Lab *lab = lab_of(env);
  napi_value argv[1];
  int fd;
  if (!get_args(env, info, 1, argv) || !get_fd(env, lab, argv[0], &fd)) return NULL;
  struct stat st;
  if (fstat(fd, &st) < 0) return throw_errno(env, errno, "fstat");
  napi_value v;
  napi_create_double(env, (double)st.st_ino, &v);
  return v;
}

/* readable(fd): bytes waiting (for UDP, the size of the next datagram) */
static napi_value js_readable(napi_env env, napi_callback_info info) {
  Lab *lab = lab_of(env);
  napi_value argv[1];
  int fd;
  if (!get_args(env, info, 1, argv) || !get_fd(env, lab, argv[0], &fd)) return NULL;
  int n = 0;
  if (ioctl(fd, FIONREAD, &n) < 0) return throw_errno(env, errno, "ioctl");
  return int_value(env, n);
}

static bool get_event_mask(napi_env env, napi_value v, int *mask) {
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_object) {
    throw_type(env, "events must be an object like {readable, writable, disconnect}");
    return false;
  }
  napi_value field;
  *mask = 0;
  napi_get_named_property(env, v, "readable", &field);
  if (get_bool(env, field)) *mask |= UV_READABLE;
  napi_get_named_property(env, v, "writable", &field);
  if (get_bool(env, field)) *mask |= UV_WRITABLE;
  napi_get_named_property(env, v, "disconnect", &field);
  if (get_bool(env, field)) *mask |= UV_DISCONNECT;
  return true;
}

/*
 * pollStart(fd, {readable, writable, disconnect}, callback(errorName|null, events)): starts, or
 * changes, the one libuv watch of this fd. An empty set of events pauses it.
 */
static napi_value js_poll_start(napi_env env, napi_callback_info info) {
  Lab *lab = lab_of(env);
  napi_value argv[3];
  int fd, mask;
  if (!get_args(env, info, 3, argv) || !get_fd(env, lab, argv[0], &fd)) return NULL;
  if (!get_event_mask(env, argv[1], &mask)) return NULL;
  napi_valuetype t;
  if (napi_typeof(env, argv[2], &t) != napi_ok || t != napi_function) return throw_type(env, "callback must be a function");

  Poll *p = lab->slots[fd].poll;
  if (!p) {
    p = calloc(1, sizeof *p);
    if (!p) return throw_errno(env, ENOMEM, "pollStart");
    int r = uv_poll_init(lab->loop, &p->handle, fd);
    if (r < 0) {
      free(p);
      return throw_uv(env, r, "uv_poll_init");
    }
    p->handle.data = p;
    p->lab = lab;
    p->fd = fd;
    lab->slots[fd].poll = p;
    if (napi_async_init(env, NULL, string_value(env, "SocketLabPoll"), &p->async_context) != napi_ok) {
      poll_release(env, lab, p);
      return throw_errno(env, ENOMEM, "pollStart");
    }
  }
  bool same = false;
  if (p->callback) {
    napi_value current;
    napi_get_reference_value(env, p->callback, &current);
    napi_strict_equals(env, current, argv[2], &same);
    if (!same) {
      napi_delete_reference(env, p->callback);
      p->callback = NULL;
    }
  }
  if (!same && napi_create_reference(env, argv[2], 1, &p->callback) != napi_ok) {
    poll_release(env, lab, p);
    return throw_errno(env, ENOMEM, "pollStart");
  }
  /* Pausing a watch that is not running would cost an epoll_ctl(DEL) that the kernel refuses (ENOENT). */
  int r = mask ? uv_poll_start(&p->handle, mask, on_poll) : (uv_is_active((uv_handle_t *)&p->handle) ? uv_poll_stop(&p->handle) : 0);
  if (r < 0) return throw_uv(env, r, "uv_poll_start");
  return undefined_value(env);
}

/* pollStop(fd): ends the watch of this fd (a no-op when there is none) */
static napi_value js_poll_stop(napi_env env, napi_callback_info info) {
  Lab *lab = lab_of(env);
  napi_value argv[1];
  int fd;
  if (!get_args(env, info, 1, argv) || !get_fd(env, lab, argv[0], &fd)) return NULL;
  if (lab->slots[fd].poll) poll_release(env, lab, lab->slots[fd].poll);
  return undefined_value(env);
}

/* syscallClock() -> [nanoseconds, calls]: the lab calls' own time in the kernel so far (TIMED, lab.h) */
static napi_value js_syscall_clock(napi_env env, napi_callback_info info) {
  (void)info;
  Lab *lab = lab_of(env);
  napi_value result, ns, count;
  napi_create_array_with_length(env, 2, &result);
  napi_create_double(env, (double)lab->syscall_ns, &ns);
  napi_create_double(env, (double)lab->syscall_count, &count);
  napi_set_element(env, result, 0, ns);
  napi_set_element(env, result, 1, count);
  return result;
}

/* ownedCount(): how many fds the addon holds open, for leak checks */
static napi_value js_owned_count(napi_env env, napi_callback_info info) {
  return int_value(env, lab_of(env)->owned_count);
}

/* ------------------------------------------------------------------------------------------- */
/* Life cycle */

/*
 * At environment teardown (process exit, worker end): stop every watch and close every socket.
 * This is an ASYNC cleanup hook on purpose: Node keeps running the loop until it is removed, so the
 * uv_close() callbacks run while this library is still loaded (a worker's addons are unloaded
 * right after its cleanup, and a callback into unloaded code would crash the process).
 */
static void lab_teardown_done(Lab *lab) {
  napi_remove_async_cleanup_hook(lab->teardown);
  free(lab->slots);
  free(lab);
}

static void lab_teardown(napi_async_cleanup_hook_handle handle, void *arg) {
  Lab *lab = (Lab *)arg;
  lab->teardown = handle;
  for (int fd = 0; fd < lab->nslots; fd++) {
    if (lab->slots[fd].poll) poll_release(lab->env, lab, lab->slots[fd].poll);
    if (lab->slots[fd].owned) {
      lab->slots[fd].owned = false;
      close(fd);
    }
  }
  lab->owned_count = 0;
  if (lab->closing_polls == 0) lab_teardown_done(lab);
}

NAPI_MODULE_INIT() {
  Lab *lab = calloc(1, sizeof *lab);
  if (!lab) {
    napi_throw_error(env, "ENOMEM", "socketlab: out of memory");
    return NULL;
  }
  lab->env = env;
  if (napi_get_uv_event_loop(env, &lab->loop) != napi_ok ||
      napi_set_instance_data(env, lab, NULL, NULL) != napi_ok) {
    free(lab);
    napi_throw_error(env, "E_INTERNAL", "socketlab: cannot reach the event loop");
    return NULL;
  }
  if (napi_add_async_cleanup_hook(env, lab_teardown, lab, NULL) != napi_ok) {
    napi_set_instance_data(env, NULL, NULL, NULL);
    free(lab);
    napi_throw_error(env, "E_INTERNAL", "socketlab: cannot register the teardown hook");
    return NULL;
  }

  napi_property_descriptor functions[] = {
      {"socket", NULL, js_socket, NULL, NULL, NULL, napi_enumerable, NULL},
      {"bind", NULL, js_bind, NULL, NULL, NULL, napi_enumerable, NULL},
      {"listen", NULL, js_listen, NULL, NULL, NULL, napi_enumerable, NULL},
      {"accept", NULL, js_accept, NULL, NULL, NULL, napi_enumerable, NULL},
      {"connect", NULL, js_connect, NULL, NULL, NULL, napi_enumerable, NULL},
      {"soError", NULL, js_so_error, NULL, NULL, NULL, napi_enumerable, NULL},
      {"send", NULL, js_send, NULL, NULL, NULL, napi_enumerable, NULL},
      {"recv", NULL, js_recv, NULL, NULL, NULL, napi_enumerable, NULL},
      {"sendto", NULL, js_sendto, NULL, NULL, NULL, napi_enumerable, NULL},
      {"recvfrom", NULL, js_recvfrom, NULL, NULL, NULL, napi_enumerable, NULL},
      {"shutdown", NULL, js_shutdown, NULL, NULL, NULL, napi_enumerable, NULL},
      {"close", NULL, js_close, NULL, NULL, NULL, napi_enumerable, NULL},
      {"getsockname", NULL, js_getsockname, NULL, NULL, NULL, napi_enumerable, NULL},
      {"getpeername", NULL, js_getpeername, NULL, NULL, NULL, napi_enumerable, NULL},
      {"inode", NULL, js_inode, NULL, NULL, NULL, napi_enumerable, NULL},
      {"readable", NULL, js_readable, NULL, NULL, NULL, napi_enumerable, NULL},
      {"pollStart", NULL, js_poll_start, NULL, NULL, NULL, napi_enumerable, NULL},
      {"pollStop", NULL, js_poll_stop, NULL, NULL, NULL, napi_enumerable, NULL},
      {"ownedCount", NULL, js_owned_count, NULL, NULL, NULL, napi_enumerable, NULL},
      {"syscallClock", NULL, js_syscall_clock, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof functions / sizeof functions[0], functions);
  register_netns(env, exports);
  register_diag(env, exports);
  register_capture(env, exports);
  register_sockopt(env, exports);
  register_pollset(env, exports);
  return exports;
}
