/*
 * pollNow(fds, events): one real poll(2) over several of the lab's sockets with timeout 0, for the
 * lab's `poll` op. The waiting itself happens in JavaScript on the sockets' libuv watches (no
 * thread sits in poll(2), and a close can cancel the wait); once a watch says something changed,
 * or the learner's timeout passed, this call asks the kernel for its own answer.
 *
 * `events` and the returned revents use the lab's bits, not the platform's, so JavaScript never
 * depends on POLLIN's value: 1 in, 2 out, 4 hup, 8 err, 16 nval. Only fds the addon created.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>

#include "lab.h"

#define POLLSET_MAX 64

enum { LAB_IN = 1, LAB_OUT = 2, LAB_HUP = 4, LAB_ERR = 8, LAB_NVAL = 16 };

static bool get_array(napi_env env, napi_value v, const char *what, uint32_t *len) {
  bool is_array = false;
  if (napi_is_array(env, v, &is_array) != napi_ok || !is_array) {
    throw_type(env, what);
    return false;
  }
  napi_get_array_length(env, v, len);
  return true;
}

/* pollNow(fds: number[], events: number[]) -> number[] (revents, in the order of fds) */
static napi_value js_poll_now(napi_env env, napi_callback_info info) {
  Lab *lab = lab_of(env);
  napi_value argv[2];
  uint32_t n, n_events;
  if (!get_args(env, info, 2, argv)) return NULL;
  if (!get_array(env, argv[0], "fds must be an array of numbers", &n)) return NULL;
  if (!get_array(env, argv[1], "events must be an array of numbers", &n_events)) return NULL;
  if (n == 0 || n > POLLSET_MAX) return throw_range(env, "poll takes from 1 to 64 sockets");
  if (n_events != n) return throw_range(env, "events must have one entry per fd");

  struct pollfd pfds[POLLSET_MAX];
  for (uint32_t i = 0; i < n; i++) {
    napi_value fd_v, ev_v;
    int fd;
    int64_t ev;
    napi_get_element(env, argv[0], i, &fd_v);
    napi_get_element(env, argv[1], i, &ev_v);
    if (!get_fd(env, lab, fd_v, &fd)) return NULL;
    if (!get_integer(env, ev_v, "events", 0, LAB_IN | LAB_OUT, &ev)) return NULL;
    pfds[i].fd = fd;
    pfds[i].events = (short)(((ev & LAB_IN) ? POLLIN : 0) | ((ev & LAB_OUT) ? POLLOUT : 0));
    pfds[i].revents = 0;
  }

  int r;
  do {
    r = poll(pfds, n, 0);
  } while (r < 0 && errno == EINTR);
  if (r < 0) return throw_errno(env, errno, "poll");

  napi_value result;
  napi_create_array_with_length(env, n, &result);
  for (uint32_t i = 0; i < n; i++) {
    short re = pfds[i].revents;
    int bits = ((re & POLLIN) ? LAB_IN : 0) | ((re & POLLOUT) ? LAB_OUT : 0) | ((re & POLLHUP) ? LAB_HUP : 0) |
               ((re & POLLERR) ? LAB_ERR : 0) | ((re & POLLNVAL) ? LAB_NVAL : 0);
    napi_set_element(env, result, i, int_value(env, bits));
  }
  return result;
}

void register_pollset(napi_env env, napi_value exports) {
  napi_property_descriptor functions[] = {
      {"pollNow", NULL, js_poll_now, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof functions / sizeof functions[0], functions);
}
