/*
 * A chat server: one thread, one poll() loop, any number of clients.
 *
 * Build: cc -Wall -Wextra -O2 -o server server.c
 * Usage: ./server PORT [ADDRESS]      (ADDRESS defaults to 127.0.0.1)
 * Join it with: nc 127.0.0.1 PORT
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_LINE 4096          /* bytes in one line, not counting the newline */
#define MAX_BACKLOG (64 * 1024) /* unsent bytes we hold for one client before we give up on it */
#define MAX_NICK 20
#define DRAIN_SECONDS 3         /* after /quit: how long we wait for the client to close its side */

struct client {
    int fd;
    int dead;                   /* dropped: removed from the array at the top of the loop */
    int leaving;                /* said /quit: out of the chat; we read until its FIN, then close */
    int fin_sent;               /* after /quit: our side is shut down */
    double deadline;            /* after /quit: when we stop waiting for its FIN (monotonic seconds) */
    int skipping;               /* inside an over-long line: drop bytes up to its \n */
    char nick[MAX_NICK + 1];
    char in[MAX_LINE + 2];      /* a partial line; +2 leaves room for "\r\n" */
    size_t inlen;
    char *out;                  /* bytes the kernel could not take yet */
    size_t outlen, outcap;
};

static struct client **clients; /* in join order */
static size_t nclients, capclients;
static unsigned guests;
static volatile sig_atomic_t stop;

static void on_sigint(int sig) { (void)sig; stop = 1; }

static void die(const char *what) { perror(what); exit(1); }

static void set_nonblocking(int fd) {
    if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0) die("fcntl");
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void drop(struct client *c, const char *reason);

/* Send what the kernel takes now; keep the rest for when poll() says POLLOUT. */
static void flush(struct client *c) {
    while (c->outlen > 0) {
        ssize_t n = send(c->fd, c->out, c->outlen, 0);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) return; /* send buffer full */
            if (errno == EINTR) continue;
            drop(c, "left"); /* EPIPE, ECONNRESET: the client is gone */
            return;
        }
        memmove(c->out, c->out + n, c->outlen - (size_t)n);
        c->outlen -= (size_t)n;
    }
    if (c->leaving && !c->fin_sent) {
        /* "* bye" is out: FIN, we send nothing more */
        if (shutdown(c->fd, SHUT_WR) < 0) { drop(c, "left"); return; }
        c->fin_sent = 1;
    }
}

/* Queue bytes for c and try to send them. Never blocks. */
static void queue(struct client *c, const char *data, size_t len) {
    if (c->dead || c->leaving) return;
    if (c->outlen + len > c->outcap) {
        size_t cap = 2 * (c->outlen + len);
        char *p = realloc(c->out, cap);
        if (!p) die("realloc");
        c->out = p;
        c->outcap = cap;
    }
    memcpy(c->out + c->outlen, data, len);
    c->outlen += len;
    flush(c);
    if (!c->dead && c->outlen > MAX_BACKLOG) drop(c, "left (too slow)"); /* it stopped reading */
}

static void broadcast(const char *data, size_t len, struct client *except) {
    for (size_t i = 0; i < nclients; i++)
        if (clients[i] != except) queue(clients[i], data, len); /* skips dead and leaving ones */
}

/* printf-style: format one line (adding the \n) and queue it to c, or to everyone but except. */
static void say(struct client *c, struct client *except, const char *fmt, ...) {
    char line[MAX_LINE + 64];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line - 1, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n > sizeof line - 2) n = (int)sizeof line - 2; /* never happens with our lines */
    line[n++] = '\n';
    if (c) queue(c, line, (size_t)n);
    else broadcast(line, (size_t)n, except);
}

/* Close c's socket now; if c was still in the chat, tell the others it left and why. */
static void drop(struct client *c, const char *reason) {
    if (c->dead) return;
    c->dead = 1;
    close(c->fd); /* FIN after what the kernel holds, unless bytes from c wait unread: then a reset */
    if (!c->leaving) say(NULL, c, "* %s %s", c->nick, reason);
}

/*
 * /quit: say "* bye", then close without a reset. close() right away could lose the bye: with bytes from c
 * still unread, the kernel answers close() with a reset (RST), not FIN, and throws away what it has not sent
 * yet (RFC 2525, 2.17). So we shut down our side once "* bye" is out (FIN), read and ignore whatever c still
 * sends until its own FIN, and only then close. A client that never closes gets DRAIN_SECONDS.
 */
static void close_politely(struct client *c) {
    say(c, NULL, "* bye");
    if (c->dead) return; /* queue() dropped it (too slow) */
    c->leaving = 1;
    c->deadline = now() + DRAIN_SECONDS;
    flush(c); /* shuts our side down now if "* bye" is already with the kernel, else once it is */
    say(NULL, c, "* %s left", c->nick);
}

static int nick_taken(const char *name) {
    for (size_t i = 0; i < nclients; i++)
        if (!clients[i]->dead && !clients[i]->leaving && strcmp(clients[i]->nick, name) == 0) return 1;
    return 0;
}

static int nick_ok(const char *s) {
    size_t n = strlen(s);
    if (n < 1 || n > MAX_NICK) return 0;
    for (; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '-')) return 0;
    return 1;
}

/* Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF. */
static int utf8_ok(const unsigned char *s, size_t n) {
    for (size_t i = 0; i < n;) {
        unsigned char b = s[i];
        size_t len;
        unsigned long cp;
        if (b < 0x80) { i++; continue; }
        if (b >= 0xC2 && b <= 0xDF) { len = 2; cp = b & 0x1F; }
        else if (b >= 0xE0 && b <= 0xEF) { len = 3; cp = b & 0x0F; }
        else if (b >= 0xF0 && b <= 0xF4) { len = 4; cp = b & 0x07; }
        else return 0;
        if (n - i < len) return 0;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80) return 0;
            cp = cp << 6 | (s[i + k] & 0x3F);
        }
        if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
            (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))) return 0;
        i += len;
    }
    return 1;
}

/* One complete line, without its "\n" or "\r\n". line[len] may be overwritten. */
static void handle_line(struct client *c, char *line, size_t len) {
    if (len > MAX_LINE) { say(c, NULL, "! line too long (max %d bytes)", MAX_LINE); return; }
    if (!utf8_ok((unsigned char *)line, len)) { say(c, NULL, "! not UTF-8 text, line dropped"); return; }
    if (len == 0) return;
    if (line[0] != '/') {
        /* Built by hand, not with %s: the text may contain a NUL byte, which is valid UTF-8. */
        char msg[MAX_NICK + 4 + MAX_LINE + 1];
        int n = snprintf(msg, sizeof msg, "<%s> ", c->nick);
        memcpy(msg + n, line, len);
        msg[n + len] = '\n';
        broadcast(msg, (size_t)n + len + 1, c);
        return;
    }
    line[len] = '\0';
    char *arg = strchr(line, ' ');
    if (arg) *arg++ = '\0'; else arg = "";
    if (strcmp(line, "/nick") == 0) {
        while (*arg == ' ') arg++;
        size_t n = strlen(arg);
        while (n > 0 && arg[n - 1] == ' ') arg[--n] = '\0';
        if (!nick_ok(arg)) say(c, NULL, "! bad nickname");
        else if (nick_taken(arg)) say(c, NULL, "! nickname %s is taken", arg);
        else {
            char old[MAX_NICK + 1];
            strcpy(old, c->nick);
            strcpy(c->nick, arg);
            say(NULL, NULL, "* %s is now %s", old, arg);
        }
    } else if (strcmp(line, "/who") == 0) {
        char *list = malloc(16 + nclients * (MAX_NICK + 2));
        if (!list) die("malloc");
        size_t n = (size_t)sprintf(list, "* online:");
        for (size_t i = 0; i < nclients; i++)
            if (!clients[i]->dead && !clients[i]->leaving)
                n += (size_t)sprintf(list + n, n > 9 ? ", %s" : " %s", clients[i]->nick);
        list[n++] = '\n';
        queue(c, list, n);
        free(list);
    } else if (strcmp(line, "/quit") == 0) {
        close_politely(c);
    } else {
        say(c, NULL, "! unknown command %s", line);
    }
}

static void on_readable(struct client *c) {
    char scratch[4096];
    /* After /quit we only read on to reach the client's FIN: into scratch, and ignored. */
    ssize_t n = c->leaving ? recv(c->fd, scratch, sizeof scratch, 0)
                           : recv(c->fd, c->in + c->inlen, sizeof c->in - c->inlen, 0);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
    if (n <= 0) { drop(c, "left"); return; } /* 0 is EOF; < 0 is ECONNRESET and friends */
    if (c->leaving) return;
    c->inlen += (size_t)n;
    /* TCP is a byte stream: one recv may hold half a line or many lines. Cut at each \n. */
    size_t start = 0;
    char *nl;
    while (!c->dead && !c->leaving && (nl = memchr(c->in + start, '\n', c->inlen - start)) != NULL) {
        size_t len = (size_t)(nl - (c->in + start));
        if (len > 0 && c->in[start + len - 1] == '\r') len--;
        if (c->skipping) c->skipping = 0; /* the \n that ends the over-long line */
        else handle_line(c, c->in + start, len);
        start = (size_t)(nl - c->in) + 1;
    }
    if (c->dead || c->leaving) return;
    memmove(c->in, c->in + start, c->inlen - start);
    c->inlen -= start;
    if (c->inlen == sizeof c->in) { /* full and still no \n */
        if (!c->skipping) say(c, NULL, "! line too long (max %d bytes)", MAX_LINE);
        c->skipping = 1;
        c->inlen = 0;
    }
}

static void accept_client(int listener) {
    int fd = accept(listener, NULL, NULL); /* ready, so this returns at once */
    if (fd < 0) { perror("accept"); return; } /* e.g. ECONNABORTED, EMFILE */
    set_nonblocking(fd);
    struct client *c = calloc(1, sizeof *c);
    if (!c) die("calloc");
    c->fd = fd;
    do snprintf(c->nick, sizeof c->nick, "guest%u", ++guests); while (nick_taken(c->nick));
    if (nclients == capclients) {
        capclients = capclients ? 2 * capclients : 16;
        clients = realloc(clients, capclients * sizeof *clients);
        if (!clients) die("realloc");
    }
    clients[nclients++] = c;
    say(c, NULL, "* welcome, %s. Commands: /nick NAME, /who, /quit", c->nick);
    say(NULL, c, "* %s joined", c->nick);
}

/* Free the clients dropped in the last round, keeping the others in join order. */
static void sweep(void) {
    size_t j = 0;
    for (size_t i = 0; i < nclients; i++) {
        if (clients[i]->dead) { free(clients[i]->out); free(clients[i]); }
        else clients[j++] = clients[i];
    }
    nclients = j;
}

static int listen_on(const char *address, const char *port) {
    struct addrinfo hints = {0}, *ai;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV;
    int err = getaddrinfo(address, port, &hints, &ai);
    if (err) { fprintf(stderr, "%s: %s\n", address, gai_strerror(err)); exit(1); }
    int fd = socket(ai->ai_family, SOCK_STREAM, 0);
    if (fd < 0) die("socket");
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one); /* restart despite TIME_WAIT */
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0) die("bind");
    if (listen(fd, SOMAXCONN) < 0) die("listen");
    freeaddrinfo(ai);
    set_nonblocking(fd);
    return fd;
}

int main(int argc, char **argv) {
    if (argc != 2 && argc != 3) { fprintf(stderr, "usage: %s PORT [ADDRESS]\n", argv[0]); return 2; }
    const char *address = argc == 3 ? argv[2] : "127.0.0.1";
    int listener = listen_on(address, argv[1]);

    struct sockaddr_storage sa;
    socklen_t salen = sizeof sa;
    char port[16];
    if (getsockname(listener, (struct sockaddr *)&sa, &salen) < 0) die("getsockname");
    getnameinfo((struct sockaddr *)&sa, salen, NULL, 0, port, sizeof port, NI_NUMERICSERV);
    printf("listening on %s:%s\n", address, port);
    fflush(stdout);

    signal(SIGPIPE, SIG_IGN); /* a send to a closed peer returns EPIPE instead of killing us */
    struct sigaction sa_int = {0};
    sa_int.sa_handler = on_sigint; /* no SA_RESTART: poll() returns EINTR on Ctrl-C */
    sigaction(SIGINT, &sa_int, NULL);

    struct pollfd *pfds = NULL;
    while (!stop) {
        sweep();
        pfds = realloc(pfds, (nclients + 1) * sizeof *pfds);
        if (!pfds) die("realloc");
        pfds[0] = (struct pollfd){.fd = listener, .events = POLLIN};
        for (size_t i = 0; i < nclients; i++) /* ask for POLLOUT only while bytes are waiting */
            pfds[i + 1] = (struct pollfd){.fd = clients[i]->fd, .events = POLLIN | (clients[i]->outlen ? POLLOUT : 0)};
        size_t polled = nclients; /* accept_client() may add more below */
        int timeout = -1; /* milliseconds; -1: no /quit deadline, wait for sockets only */
        for (size_t i = 0; i < nclients; i++) {
            if (!clients[i]->leaving) continue;
            double left = clients[i]->deadline - now();
            int ms = left > 0 ? (int)(left * 1000) + 1 : 0;
            if (timeout < 0 || ms < timeout) timeout = ms;
        }

        /* The one place we wait: until at least one socket is ready, or a /quit deadline passes. */
        if (poll(pfds, polled + 1, timeout) < 0) {
            if (errno == EINTR) continue;
            die("poll");
        }
        if (pfds[0].revents & POLLIN) accept_client(listener);
        for (size_t i = 0; i < polled; i++) {
            struct client *c = clients[i];
            short re = pfds[i + 1].revents;
            if (!c->dead && (re & (POLLIN | POLLHUP | POLLERR))) on_readable(c);
            if (!c->dead && (re & POLLOUT)) flush(c);
            if (!c->dead && c->leaving && now() >= c->deadline) drop(c, "left"); /* it never closed its side */
        }
    }
    for (size_t i = 0; i < nclients; i++)
        if (!clients[i]->dead) close(clients[i]->fd);
    close(listener);
    return 0;
}
