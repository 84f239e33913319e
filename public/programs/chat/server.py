#!/usr/bin/env python3
"""A chat server: one thread, one selector, any number of clients.

Usage: python3 server.py PORT [ADDRESS]      (ADDRESS defaults to 127.0.0.1)
Join it with:  nc 127.0.0.1 PORT   or   python3 client.py 127.0.0.1 PORT
"""
import re
import selectors
import socket
import sys
import time

MAX_LINE = 4096         # bytes in one line, not counting the newline
MAX_BACKLOG = 64 * 1024  # unsent bytes we hold for one client before we give up on it
NICK = re.compile(r"[A-Za-z0-9_-]{1,20}")
DRAIN_SECONDS = 3        # after /quit: how long we wait for the client to close its side


class Client:
    def __init__(self, sock, nick):
        self.sock = sock
        self.nick = nick
        self.inbuf = b""           # received bytes that do not end in \n yet
        self.outbuf = bytearray()  # bytes the kernel could not take yet
        self.skipping = False      # inside an over-long line: drop bytes up to its \n
        self.deadline = None       # after /quit: when we stop waiting for its FIN
        self.fin_sent = False      # after /quit: our side is shut down


sel = selectors.DefaultSelector()  # epoll on Linux, kqueue on macOS
clients = {}                       # socket -> Client; a dict keeps join order
leaving = {}                       # socket -> Client that said /quit: we read until its FIN, then close
guests = 0


def send_line(c, text):
    """Queue one line for c and send what the kernel takes now. Never blocks."""
    c.outbuf += (text + "\n").encode()
    flush(c)
    if len(c.outbuf) > MAX_BACKLOG:  # it stopped reading: drop it rather than wait
        drop(c, "left (too slow)")


def flush(c):
    if c.sock not in clients and c.sock not in leaving:
        return
    try:
        if c.outbuf:
            sent = c.sock.send(c.outbuf)  # non-blocking: may take only part, or nothing
            del c.outbuf[:sent]
        if c.sock in leaving and not c.outbuf and not c.fin_sent:
            c.sock.shutdown(socket.SHUT_WR)  # "* bye" is out: FIN, we send nothing more
            c.fin_sent = True
    except BlockingIOError:
        pass  # the kernel's send buffer for this socket is full
    except OSError:  # EPIPE, ECONNRESET: the client is gone
        drop(c, "left")
        return
    # Ask to hear "writable" only while bytes are waiting; otherwise select() would wake us forever.
    want = selectors.EVENT_READ | (selectors.EVENT_WRITE if c.outbuf else 0)
    if sel.get_key(c.sock).events != want:
        sel.modify(c.sock, want, c)


def broadcast(text, exclude=None):
    for other in list(clients.values()):  # a copy: a slow client may be dropped meanwhile
        if other is not exclude:
            send_line(other, text)


def taken(name):
    return any(o.nick == name for o in clients.values())


def drop(c, reason):
    """Close c's socket now; if c was still in the chat, tell the others it left and why."""
    chatting = clients.pop(c.sock, None) is not None
    if not chatting and leaving.pop(c.sock, None) is None:
        return  # closed already
    sel.unregister(c.sock)
    c.sock.close()  # FIN after what the kernel holds, unless bytes from c wait unread: then a reset
    if chatting:
        broadcast(f"* {c.nick} {reason}")


def close_politely(c):
    """/quit: say "* bye", then close without a reset.

    close() right away could lose the bye: with bytes from c still unread, the kernel answers close()
    with a reset (RST), not FIN, and throws away what it has not sent yet (RFC 2525, 2.17). So we
    shut down our side once "* bye" is out (FIN), read and ignore whatever c still sends until its
    own FIN, and only then close. A client that never closes gets DRAIN_SECONDS.
    """
    send_line(c, "* bye")
    if c.sock not in clients:
        return  # send_line dropped it (too slow)
    del clients[c.sock]
    leaving[c.sock] = c
    c.deadline = time.monotonic() + DRAIN_SECONDS
    flush(c)  # shuts our side down now if "* bye" is already with the kernel, else once it is
    broadcast(f"* {c.nick} left")


def accept(listener):
    global guests
    try:
        sock, _ = listener.accept()  # ready, so this returns at once
    except OSError:  # e.g. ECONNABORTED: the client left before we got to it
        return
    sock.setblocking(False)
    guests += 1
    while taken(f"guest{guests}"):  # someone already chose that name with /nick
        guests += 1
    c = Client(sock, f"guest{guests}")
    clients[sock] = c
    sel.register(sock, selectors.EVENT_READ, c)
    send_line(c, f"* welcome, {c.nick}. Commands: /nick NAME, /who, /quit")
    broadcast(f"* {c.nick} joined", exclude=c)


def on_readable(c):
    try:
        data = c.sock.recv(4096)  # ready, so this does not block
    except BlockingIOError:
        return
    except OSError:  # ECONNRESET: the client vanished without a FIN
        data = b""
    if not data:  # b"" is EOF: the client closed its side
        drop(c, "left")
        return
    if c.sock in leaving:
        return  # it said /quit: we only read on to reach its FIN
    c.inbuf += data
    # TCP is a byte stream: one recv may hold half a line or many lines. Cut at each \n.
    while c.sock in clients:  # a /quit on one line ends the loop
        line, newline, rest = c.inbuf.partition(b"\n")
        if not newline:
            if len(c.inbuf) > MAX_LINE + 1:  # +1 leaves room for a \r before the \n
                if not c.skipping:
                    send_line(c, f"! line too long (max {MAX_LINE} bytes)")
                c.skipping, c.inbuf = True, b""  # memory stays bounded
            return
        c.inbuf = rest
        if c.skipping:
            c.skipping = False  # the \n that ends the over-long line
        else:
            handle_line(c, line.removesuffix(b"\r"))


def handle_line(c, raw):
    if len(raw) > MAX_LINE:
        send_line(c, f"! line too long (max {MAX_LINE} bytes)")
        return
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        send_line(c, "! not UTF-8 text, line dropped")
        return
    if not text:
        return
    if not text.startswith("/"):
        broadcast(f"<{c.nick}> {text}", exclude=c)
        return
    command, _, arg = text.partition(" ")
    if command == "/nick":
        name = arg.strip(" ")
        if not NICK.fullmatch(name):
            send_line(c, "! bad nickname")
        elif taken(name):
            send_line(c, f"! nickname {name} is taken")
        else:
            old, c.nick = c.nick, name
            broadcast(f"* {old} is now {name}")
    elif command == "/who":
        send_line(c, "* online: " + ", ".join(o.nick for o in clients.values()))
    elif command == "/quit":
        close_politely(c)
    else:
        send_line(c, f"! unknown command {command}")


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: python3 server.py PORT [ADDRESS]")
    port = int(sys.argv[1])
    address = sys.argv[2] if len(sys.argv) == 3 else "127.0.0.1"
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # restart despite TIME_WAIT
    listener.bind((address, port))
    listener.listen()
    listener.setblocking(False)
    sel.register(listener, selectors.EVENT_READ)
    print(f"listening on {address}:{listener.getsockname()[1]}", flush=True)
    try:
        while True:
            # The one place we wait: until at least one socket is ready, or a /quit deadline passes.
            deadline = min((c.deadline for c in leaving.values()), default=None)
            timeout = None if deadline is None else max(0, deadline - time.monotonic())
            for key, events in sel.select(timeout):
                if key.fileobj is listener:
                    accept(listener)
                    continue
                c = key.data
                if c.sock not in clients and c.sock not in leaving:  # dropped earlier in this round
                    continue
                if events & selectors.EVENT_READ:
                    on_readable(c)
                if events & selectors.EVENT_WRITE:
                    flush(c)
            now = time.monotonic()
            for c in [c for c in leaving.values() if c.deadline <= now]:
                drop(c, "left")  # it never closed its side: stop waiting
    except KeyboardInterrupt:
        pass  # Ctrl-C: close everything below and exit quietly
    finally:
        for sock in [*clients, *leaving]:
            sock.close()
        listener.close()


if __name__ == "__main__":
    main()
