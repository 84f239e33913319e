/*
 * A chat client: what you type goes to the server, what the server sends is printed.
 *
 * Build: cc -Wall -Wextra -O2 -o client client.c
 * Usage: ./client HOST PORT
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

/* Write all n bytes: send() and write() may take fewer than asked. */
static int write_all(int fd, const char *p, size_t n, int is_socket) {
    while (n > 0) {
        ssize_t k = is_socket ? send(fd, p, n, 0) : write(fd, p, n);
        if (k < 0 && errno == EINTR) continue;
        if (k < 0) return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

static int connect_to(const char *host, const char *port) {
    struct addrinfo hints = {0}, *list, *ai;
    hints.ai_family = AF_UNSPEC; /* IPv4 or IPv6, whatever the name resolves to */
    hints.ai_socktype = SOCK_STREAM;
    int err = getaddrinfo(host, port, &hints, &list);
    if (err) { fprintf(stderr, "chat: %s: %s\n", host, gai_strerror(err)); return -1; }
    int fd = -1;
    for (ai = list; ai; ai = ai->ai_next) { /* try each address until one accepts */
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) break;
        if (fd >= 0) close(fd);
        fd = -1;
    }
    if (fd < 0) perror("chat: connect");
    freeaddrinfo(list);
    return fd;
}

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: %s HOST PORT\n", argv[0]); return 2; }
    int sock = connect_to(argv[1], argv[2]);
    if (sock < 0) return 1;
    signal(SIGPIPE, SIG_IGN); /* a send to a closed connection returns EPIPE instead of killing us */
    /* Two inputs, either may be ready first: the keyboard and the server. Wait for both at once.
     * select(), not poll(): on macOS, poll() does not support terminal devices. */
    int stdin_open = 1;
    char buf[4096];
    for (;;) {
        fd_set ready;
        FD_ZERO(&ready);
        FD_SET(sock, &ready);
        if (stdin_open) FD_SET(STDIN_FILENO, &ready);
        if (select(sock + 1, &ready, NULL, NULL, NULL) < 0) {
            if (errno == EINTR) continue;
            perror("chat: select");
            return 1;
        }
        if (FD_ISSET(sock, &ready)) {
            ssize_t n = recv(sock, buf, sizeof buf, 0);
            if (n == 0) return 0; /* the server closed the connection: we are done */
            if (n < 0) { perror("chat: recv"); return 1; }
            if (write_all(STDOUT_FILENO, buf, (size_t)n, 0) < 0) return 1;
        }
        if (stdin_open && FD_ISSET(STDIN_FILENO, &ready)) {
            ssize_t n = read(STDIN_FILENO, buf, sizeof buf); /* one line from a terminal */
            if (n > 0) {
                if (write_all(sock, buf, (size_t)n, 1) < 0) { perror("chat: send"); return 1; }
            } else { /* EOF (Ctrl-D): send FIN, but keep reading until the server closes */
                shutdown(sock, SHUT_WR);
                stdin_open = 0;
            }
        }
    }
}
