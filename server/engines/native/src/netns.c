/*
 * netns: the native half of the sandbox network (server/sandbox/). Two sides use it:
 *
 *  - The sandbox HELPER (a Node process started by `unshare -Urn`, so it is root in a user
 *    namespace of its own) holds one network namespace per sandbox host, as an fd. It creates a
 *    socket inside a host's namespace with setns() on its main thread and hands the fd to the
 *    server over a SOCK_SEQPACKET Unix socket with SCM_RIGHTS. It also runs `ip` and `nft`
 *    inside a host: inNetns() switches the main thread's namespace around a synchronous callback,
 *    and a child spawned inside that callback starts in the host's namespace.
 *  - The SERVER receives each fd (receiveFd) and adopts it into the addon's owned set, so the
 *    lab's socket calls work on it unchanged. A socket keeps the namespace it was created in, so
 *    the server never enters a namespace itself (an unprivileged process could not).
 *
 * The same rule as the rest of the addon holds: no function here accepts an fd it did not create
 * or register itself. Channels, namespace fds and sockets each have their own registry.
 */
#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE /* setns(), unshare() */
#endif

#include "lab.h"

#ifdef __linux__

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

/* What an fd registered here is: nothing, a channel end, or a network namespace. */
enum { KIND_NONE = 0, KIND_CHANNEL = 1, KIND_NETNS = 2 };

/*
 * One registry per process, shared by every environment that loads the addon (workers too),
 * hence the lock. fds are small integers, so a byte per fd is enough.
 */
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned char *kinds;
static int nkinds;
/* The helper's own namespace (from `unshare -n`: empty), where its main thread returns to. */
static int base_netns = -1;
/* inNetns() is not nested: the inner call would return to the base, not to the outer host. */
static bool inside_netns;

static bool mark(int fd, unsigned char kind) {
  pthread_mutex_lock(&registry_lock);
  if (fd >= nkinds) {
    int n = nkinds ? nkinds : 64;
    while (n <= fd) n *= 2;
    unsigned char *grown = realloc(kinds, (size_t)n);
    if (!grown) {
      pthread_mutex_unlock(&registry_lock);
      return false;
    }
    memset(grown + nkinds, 0, (size_t)(n - nkinds));
    kinds = grown;
    nkinds = n;
  }
  kinds[fd] = kind;
  pthread_mutex_unlock(&registry_lock);
  return true;
}

static bool is_kind(int fd, unsigned char kind) {
  pthread_mutex_lock(&registry_lock);
  bool yes = fd >= 0 && fd < nkinds && kinds[fd] == kind;
  pthread_mutex_unlock(&registry_lock);
  return yes;
}

/* Reads an fd argument of the given kind; EBADF (before any system call) for anything else. */
static bool get_registered(napi_env env, napi_value v, unsigned char kind, int *out) {
  int64_t fd;
  if (!get_integer(env, v, "fd", -2147483648.0, 2147483647.0, &fd)) return false;
  if (!is_kind((int)fd, kind)) {
    throw_coded(env, "EBADF",
                kind == KIND_CHANNEL ? "Bad file descriptor (not a sandbox channel)"
                                     : "Bad file descriptor (not a sandbox namespace)",
                NULL);
    return false;
  }
  *out = (int)fd;
  return true;
}

static napi_value forget_and_close(napi_env env, napi_callback_info info, unsigned char kind) {
  napi_value argv[1];
  int fd;
  if (!get_args(env, info, 1, argv) || !get_registered(env, argv[0], kind, &fd)) return NULL;
  mark(fd, KIND_NONE);
  close(fd); /* Linux releases the fd even when close() reports EINTR */
  return undefined_value(env);
}

/* ------------------------------------------------------------------------------------------- */
/* Channels: a SOCK_SEQPACKET pair, one message per handed-over socket */

/* channelPair() -> [serverEnd, helperEnd]; both close-on-exec, the server's end non-blocking. */
static napi_value js_channel_pair(napi_env env, napi_callback_info info) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) return throw_errno(env, errno, "socketpair");
  int fl = fcntl(sv[0], F_GETFL);
  if (fl < 0 || fcntl(sv[0], F_SETFL, fl | O_NONBLOCK) < 0 || !mark(sv[0], KIND_CHANNEL) || !mark(sv[1], KIND_CHANNEL)) {
    int e = errno ? errno : ENOMEM;
    mark(sv[0], KIND_NONE);
    mark(sv[1], KIND_NONE);
    close_quietly(sv[0]);
    close_quietly(sv[1]);
    return throw_errno(env, e, "socketpair");
  }
  napi_value pair;
  napi_create_array_with_length(env, 2, &pair);
  napi_set_element(env, pair, 0, int_value(env, sv[0]));
  napi_set_element(env, pair, 1, int_value(env, sv[1]));
  return pair;
}

/* channelAttach(fd): the helper registers the channel end it inherited (checked to be one). */
static napi_value js_channel_attach(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int64_t fd;
  if (!get_args(env, info, 1, argv) || !get_integer(env, argv[0], "fd", 0, 1023, &fd)) return NULL;
  int domain = 0, type = 0;
  socklen_t len = sizeof domain;
  if (getsockopt((int)fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0) return throw_errno(env, errno, "getsockopt");
  len = sizeof type;
  if (getsockopt((int)fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0) return throw_errno(env, errno, "getsockopt");
  if (domain != AF_UNIX || type != SOCK_SEQPACKET) {
    return throw_coded(env, "EBADF", "Bad file descriptor (not a Unix SOCK_SEQPACKET channel)", NULL);
  }
  if (fcntl((int)fd, F_SETFD, FD_CLOEXEC) < 0) return throw_errno(env, errno, "fcntl");
  if (!mark((int)fd, KIND_CHANNEL)) return throw_errno(env, ENOMEM, "channelAttach");
  return undefined_value(env);
}

static napi_value js_channel_close(napi_env env, napi_callback_info info) {
  return forget_and_close(env, info, KIND_CHANNEL);
}

/*
 * receiveFd(channel, id) -> fd: takes the next message of the channel, which must carry request
 * `id` and exactly one socket. The socket is made non-blocking (close-on-exec came with
 * MSG_CMSG_CLOEXEC) and adopted, so every socket call of the addon accepts it from now on.
 */
static napi_value js_receive_fd(napi_env env, napi_callback_info info) {
  Lab *lab = lab_of(env);
  napi_value argv[2];
  int channel;
  int64_t want;
  if (!get_args(env, info, 2, argv) || !get_registered(env, argv[0], KIND_CHANNEL, &channel)) return NULL;
  if (!get_integer(env, argv[1], "id", 0, 4294967295.0, &want)) return NULL;

  uint32_t id = 0;
  struct iovec iov = {.iov_base = &id, .iov_len = sizeof id};
  union {
    struct cmsghdr align;
    char buf[CMSG_SPACE(sizeof(int) * 4)];
  } control;
  struct msghdr msg = {0};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.buf;
  msg.msg_controllen = sizeof control.buf;
  ssize_t n;
  do {
    n = recvmsg(channel, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return throw_errno(env, errno, "recvmsg");

  /* Every fd that arrived is ours to close unless it is the one socket we adopt. */
  int got[4];
  int ngot = 0;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < count && ngot < 4; i++) memcpy(&got[ngot++], CMSG_DATA(c) + i * sizeof(int), sizeof(int));
  }
  const char *problem = NULL;
  struct stat st;
  if (n != (ssize_t)sizeof id || (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
    problem = "a malformed message on the sandbox channel";
  } else if (id != (uint32_t)want) {
    problem = "the sandbox channel is out of step (another request's socket arrived)";
  } else if (ngot != 1) {
    problem = "the sandbox helper did not send exactly one socket";
  } else if (fstat(got[0], &st) < 0 || !S_ISSOCK(st.st_mode)) {
    problem = "the sandbox helper sent something that is not a socket";
  }
  if (!problem) {
    int fl = fcntl(got[0], F_GETFL);
    if (fl < 0 || fcntl(got[0], F_SETFL, fl | O_NONBLOCK) < 0) problem = "cannot make the socket non-blocking";
  }
  if (problem || !adopt(lab, got[0])) {
    for (int i = 0; i < ngot; i++) close_quietly(got[i]);
    return throw_coded(env, "E_INTERNAL", problem ? problem : "out of memory adopting a socket", "recvmsg");
  }
  return int_value(env, got[0]);
}

/* ------------------------------------------------------------------------------------------- */
/* Helper side: namespaces and sockets inside them */

static bool remember_base(napi_env env) {
  if (base_netns >= 0) return true;
  base_netns = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (base_netns < 0) {
    throw_errno(env, errno, "open(/proc/thread-self/ns/net)");
    return false;
  }
  return true;
}

/* The calling thread back in the helper's own namespace; failing that, the process must not go on. */
static void return_to_base(void) {
  if (setns(base_netns, CLONE_NEWNET) < 0) {
    napi_fatal_error("socketlab netns", NAPI_AUTO_LENGTH, "cannot return to the helper's own network namespace",
                     NAPI_AUTO_LENGTH);
  }
}

/* netnsCreate() -> fd of a new, empty network namespace (only `lo`, down). */
static napi_value js_netns_create(napi_env env, napi_callback_info info) {
  if (!remember_base(env)) return NULL;
  if (unshare(CLONE_NEWNET) < 0) return throw_errno(env, errno, "unshare");
  int fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  int e = errno;
  return_to_base();
  if (fd < 0) return throw_errno(env, e, "open(/proc/thread-self/ns/net)");
  if (!mark(fd, KIND_NETNS)) {
    close_quietly(fd);
    return throw_errno(env, ENOMEM, "netnsCreate");
  }
  return int_value(env, fd);
}

static napi_value js_netns_close(napi_env env, napi_callback_info info) { return forget_and_close(env, info, KIND_NETNS); }

/*
 * inNetns(nsfd, callback) -> the callback's value: runs the callback on this thread inside the
 * namespace, and returns to the helper's own namespace afterwards, also when it throws. Sync file
 * reads of /proc/self/net/... and children spawned inside the callback see the host's namespace.
 */
static napi_value js_in_netns(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int ns;
  if (!get_args(env, info, 2, argv) || !get_registered(env, argv[0], KIND_NETNS, &ns)) return NULL;
  napi_valuetype t;
  if (napi_typeof(env, argv[1], &t) != napi_ok || t != napi_function) return throw_type(env, "callback must be a function");
  if (inside_netns) return throw_coded(env, "E_INTERNAL", "inNetns() calls do not nest", NULL);
  if (!remember_base(env)) return NULL;
  if (setns(ns, CLONE_NEWNET) < 0) return throw_errno(env, errno, "setns");
  napi_value global, result = NULL;
  napi_get_global(env, &global);
  inside_netns = true;
  napi_call_function(env, global, argv[1], 0, NULL, &result); /* an exception stays pending */
  inside_netns = false;
  return_to_base();
  return result;
}

static int socket_kind(const char *kind, int family, int *type, int *protocol) {
  if (strcmp(kind, "tcp") == 0) {
    *type = SOCK_STREAM;
    *protocol = 0;
  } else if (strcmp(kind, "udp") == 0) {
    *type = SOCK_DGRAM;
    *protocol = 0;
  } else if (strcmp(kind, "icmp") == 0) {
    /* An ICMP datagram ("ping") socket: the kernel fills in the identifier and checksum. */
    *type = SOCK_DGRAM;
    *protocol = family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;
  } else if (strcmp(kind, "packet") == 0) {
    /*
     * A capture socket (issue 17): protocol 0 queues nothing until the server binds it to a link,
     * after it has attached its filter (captureFromFd), so no unfiltered frame is ever read.
     */
    *type = SOCK_RAW;
    *protocol = 0;
  } else {
    return -1;
  }
  return 0;
}

/*
 * sendSocket(channel, id, nsfd, family 4|6, kind 'tcp'|'udp'|'icmp'|'packet'): creates the socket inside
 * the namespace, sends it with `id` over the channel and closes the helper's copy. Throws the
 * errno of socket() or sendmsg().
 */
static napi_value js_send_socket(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  int channel, ns;
  int64_t id, family;
  char kind[8];
  size_t klen = 0;
  if (!get_args(env, info, 5, argv) || !get_registered(env, argv[0], KIND_CHANNEL, &channel)) return NULL;
  if (!get_integer(env, argv[1], "id", 0, 4294967295.0, &id)) return NULL;
  if (!get_registered(env, argv[2], KIND_NETNS, &ns)) return NULL;
  if (!get_integer(env, argv[3], "family", 4, 6, &family)) return NULL;
  if (family == 5) return throw_range(env, "family must be 4 or 6");
  if (!get_short_string(env, argv[4], "kind", kind, sizeof kind, &klen)) return NULL;
  int domain = family == 4 ? AF_INET : AF_INET6;
  int type, protocol;
  if (klen >= sizeof kind || socket_kind(kind, domain, &type, &protocol) < 0) {
    return throw_type(env, "kind must be 'tcp', 'udp', 'icmp' or 'packet'");
  }
  if (strcmp(kind, "packet") == 0) domain = AF_PACKET;
  if (inside_netns) return throw_coded(env, "E_INTERNAL", "sendSocket() inside inNetns()", NULL);
  if (!remember_base(env)) return NULL;
  if (setns(ns, CLONE_NEWNET) < 0) return throw_errno(env, errno, "setns");
  int fd = socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
  int e = errno;
  return_to_base();
  if (fd < 0) return throw_errno(env, e, "socket");

  uint32_t tag = (uint32_t)id;
  struct iovec iov = {.iov_base = &tag, .iov_len = sizeof tag};
  union {
    struct cmsghdr align;
    char buf[CMSG_SPACE(sizeof(int))];
  } control;
  memset(&control, 0, sizeof control);
  struct msghdr msg = {0};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.buf;
  msg.msg_controllen = sizeof control.buf;
  struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &fd, sizeof fd);
  ssize_t n;
  do {
    n = sendmsg(channel, &msg, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  e = errno;
  close_quietly(fd); /* the server has its own copy now, or nobody does */
  if (n < 0) return throw_errno(env, e, "sendmsg");
  return undefined_value(env);
}

/*
 * dieWithParent() -> the parent's pid: the kernel kills this process (SIGKILL) when the thread
 * that started it exits, however it exits. The caller compares the pid with the one it expects,
 * since a parent that died before this call leaves the process with another parent.
 */
static napi_value js_die_with_parent(napi_env env, napi_callback_info info) {
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) return throw_errno(env, errno, "prctl");
  return int_value(env, getppid());
}

void register_netns(napi_env env, napi_value exports) {
  napi_property_descriptor functions[] = {
      {"channelPair", NULL, js_channel_pair, NULL, NULL, NULL, napi_enumerable, NULL},
      {"channelAttach", NULL, js_channel_attach, NULL, NULL, NULL, napi_enumerable, NULL},
      {"channelClose", NULL, js_channel_close, NULL, NULL, NULL, napi_enumerable, NULL},
      {"receiveFd", NULL, js_receive_fd, NULL, NULL, NULL, napi_enumerable, NULL},
      {"netnsCreate", NULL, js_netns_create, NULL, NULL, NULL, napi_enumerable, NULL},
      {"netnsClose", NULL, js_netns_close, NULL, NULL, NULL, napi_enumerable, NULL},
      {"inNetns", NULL, js_in_netns, NULL, NULL, NULL, napi_enumerable, NULL},
      {"sendSocket", NULL, js_send_socket, NULL, NULL, NULL, napi_enumerable, NULL},
      {"dieWithParent", NULL, js_die_with_parent, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof functions / sizeof functions[0], functions);
}

#else /* not Linux: network namespaces do not exist; server/sandbox/ reports the sandbox unsupported */

void register_netns(napi_env env, napi_value exports) {}

#endif
