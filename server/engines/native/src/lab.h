/*
 * What every source file of the addon shares: the per-environment state (the set of fds the addon
 * created, their libuv watches) and the small helpers for arguments, values and coded errors.
 *
 * The addon is split by job, one file each (socketlab.c: the socket calls and readiness; lab.c: the
 * helpers declared here, which every other file calls and which call none of them). A new
 * file defines `void register_<name>(napi_env env, napi_value exports)`, declares it at the end of
 * this header and is called from NAPI_MODULE_INIT in socketlab.c; binding.gyp lists its source.
 * Every fd a file creates goes through adopt(), and every fd argument through get_fd(), so the
 * "only fds the lab created" rule holds for the whole addon.
 */
#ifndef SOCKETLAB_LAB_H
#define SOCKETLAB_LAB_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <node_api.h>
#include <uv.h>

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0 /* macOS: SO_NOSIGPIPE is set on each socket instead */
#endif

typedef struct Poll Poll;

typedef struct {
  bool owned;
  Poll *poll;
} Slot;

/* Per-environment state (main thread and each worker have their own). */
typedef struct {
  napi_env env;
  uv_loop_t *loop;
  Slot *slots; /* indexed by fd */
  int nslots;
  int owned_count;
  int closing_polls; /* uv_close() called, callback not yet run */
  napi_async_cleanup_hook_handle teardown; /* set while the environment is being torn down */
  /* The lab calls' own time in the kernel (TIMED below), so a benchmark can set a step's whole cost beside it. */
  uint64_t syscall_ns;
  uint64_t syscall_count;
} Lab;

/*
 * Runs one lab system call and adds its wall time to the environment's clock. clock_gettime on
 * CLOCK_MONOTONIC is a vDSO read (tens of ns), so the clock stays on: a bench run's figure is the
 * server's as it always runs.
 */
uint64_t lab_now_ns(void);
#define TIMED(lab, call)                                   \
  ({                                                       \
    uint64_t timed_t0_ = lab_now_ns();                     \
    __typeof__(call) timed_r_ = (call);                    \
    int timed_errno_ = errno;                              \
    (lab)->syscall_ns += lab_now_ns() - timed_t0_;         \
    (lab)->syscall_count++;                                \
    errno = timed_errno_;                                  \
    timed_r_;                                              \
  })

struct Poll {
  uv_poll_t handle;
  Lab *lab;
  int fd;
  napi_ref callback;
  napi_async_context async_context;
  bool in_callback;
  bool released; /* pollStop/close happened; memory is freed by the uv_close callback */
};

/* Errors: each throws a JS Error and returns NULL, so `return throw_errno(env, errno, "bind");` reads well. */
const char *errno_name(int e);
napi_value throw_coded(napi_env env, const char *code, const char *message, const char *syscall);
napi_value throw_errno(napi_env env, int e, const char *syscall);
napi_value throw_uv(napi_env env, int uv_error, const char *what);
napi_value throw_type(napi_env env, const char *message);
napi_value throw_range(napi_env env, const char *message);

/* The fds this addon created. */
Lab *lab_of(napi_env env);
bool owns(const Lab *lab, int fd);
bool adopt(Lab *lab, int fd);
void close_quietly(int fd);

/* Arguments: false means an exception is already pending. */
bool get_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv);
bool get_integer(napi_env env, napi_value v, const char *what, double lo, double hi, int64_t *out);
bool get_fd(napi_env env, Lab *lab, napi_value v, int *out);
bool get_short_string(napi_env env, napi_value v, const char *what, char *buf, size_t cap, size_t *len);
bool get_bool(napi_env env, napi_value v);
bool get_buffer(napi_env env, napi_value v, void **data, size_t *len);
bool get_sockaddr(napi_env env, napi_value addr_v, napi_value port_v, struct sockaddr_storage *ss, socklen_t *len);

/* Values. */
napi_value string_value(napi_env env, const char *text);
napi_value endpoint_value(napi_env env, const struct sockaddr_storage *ss);
napi_value undefined_value(napi_env env);
napi_value int_value(napi_env env, int64_t n);
void set_bool(napi_env env, napi_value obj, const char *key, bool b);

/* Modules beside socketlab.c: one register_<name>() each, called from NAPI_MODULE_INIT. */
void register_netns(napi_env env, napi_value exports); /* netns.c: the sandbox network's fds */
void register_diag(napi_env env, napi_value exports); /* diag.c: sockDiag() */
void register_capture(napi_env env, napi_value exports); /* capture.c: AF_PACKET capture with BPF filters */
void register_sockopt(napi_env env, napi_value exports); /* sockopt.c: setsockopt/getsockopt by name */
void register_pollset(napi_env env, napi_value exports); /* pollset.c: poll(2) over several sockets */

#endif
