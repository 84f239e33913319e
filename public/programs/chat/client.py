#!/usr/bin/env python3
"""A chat client: what you type goes to the server, what the server sends is printed.

Usage: python3 client.py HOST PORT
"""
import os
import selectors
import socket
import sys


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: python3 client.py HOST PORT")
    sock = socket.create_connection((sys.argv[1], int(sys.argv[2])))  # getaddrinfo + connect
    # Two inputs, either may be ready first: the keyboard and the server. Wait for both at once.
    # select() accepts any file, even stdin redirected from a file (epoll would refuse that).
    sel = selectors.SelectSelector()
    sel.register(sock, selectors.EVENT_READ)
    sel.register(sys.stdin, selectors.EVENT_READ)
    while True:
        for key, _ in sel.select():
            if key.fileobj is sock:
                data = sock.recv(4096)
                if not data:  # the server closed the connection: we are done
                    return
                sys.stdout.buffer.write(data)  # the server sends whole lines
                sys.stdout.buffer.flush()
            else:
                data = os.read(sys.stdin.fileno(), 4096)  # one line from a terminal
                if data:
                    sock.sendall(data)
                else:  # EOF (Ctrl-D): send FIN, but keep reading until the server closes
                    sock.shutdown(socket.SHUT_WR)
                    sel.unregister(sys.stdin)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass  # Ctrl-C: leave quietly; the kernel closes the socket
    except OSError as e:  # ECONNREFUSED, ECONNRESET, ...
        sys.exit(f"chat: {e}")
