"""A gunicorn worker that reads each request whole before giving it a thread.

gunicorn's gthread worker hands a connection to one of its threads as soon as the first bytes
arrive; the thread then waits, without a deadline, for the rest of the headers and the body. So
a client that sends headers and never finishes its body holds a thread for as long as it likes:
with 2 workers of 8 threads, 80 such connections left Slack's signed requests unanswered for
minutes (bench/slow_clients.py). Behind a proxy that buffers requests this cannot happen, but
inflow is also served directly (`docker run -p`).

`BufferingWorker` reads in the worker's own event loop instead, without blocking: a
connection's bytes are gathered until its headers and its Content-Length of body are in, and
only then does a thread parse and serve it, from memory. A request that is not complete within
READ_SECONDS, whose headers outgrow MAX_HEAD_BYTES or whose body would pass MAX_BODY_BYTES gets
408, 431 or 413 and is closed, having held no thread at all. Chunked bodies are refused with 411:
Slack always sends a Content-Length. Kept-alive connections are read the same way for each
request.
"""

from __future__ import annotations

import contextlib
import errno
import selectors
import socket
import threading
import time
from dataclasses import dataclass, field
from functools import partial
from typing import cast

from gunicorn.workers.gthread import TConn, ThreadWorker

from bot.server import MAX_BODY_BYTES

READ_SECONDS = 10.0  # Slack sends a request in one go; it has given up after 3 s anyway
MAX_HEAD_BYTES = 64 * 1024  # gunicorn's own limits: 100 header lines of 8190 bytes at most
RECV_BYTES = 64 * 1024

REFUSALS = {
    400: b"400 Bad Request",
    408: b"408 Request Timeout",
    411: b"411 Length Required",
    413: b"413 Payload Too Large",
    431: b"431 Request Header Fields Too Large",
}


class BufferedSocket:
    """The connection as gunicorn's parser sees it: the bytes already read, then the socket."""

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.pending = bytearray()

    def recv(self, size: int, *flags: int) -> bytes:
        if self.pending:
            chunk = bytes(self.pending[:size])
            del self.pending[:size]
            return chunk
        return self.sock.recv(size, *flags)

    def __getattr__(self, name: str):  # sendall, fileno, setblocking, close, ...
        return getattr(self.sock, name)


def completeness(data: bytes | bytearray) -> int | None:
    """0 when `data` holds a whole request, None when more is to come, else the status that
    refuses it."""
    end = data.find(b"\r\n\r\n")
    if end < 0:
        return 431 if len(data) > MAX_HEAD_BYTES else None
    if end > MAX_HEAD_BYTES:
        return 431
    length = 0
    for line in bytes(data[:end]).split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"transfer-encoding":
            return 411
        if name == b"content-length":
            value = value.strip()
            if not value.isdigit():
                return 400
            length = int(value)
    if length > MAX_BODY_BYTES:
        return 413
    return 0 if len(data) >= end + 4 + length else None


@dataclass(eq=False)
class Reading:
    """A connection whose request is still arriving, and by when it must have."""

    conn: TConn
    deadline: float = field(default_factory=lambda: time.monotonic() + READ_SECONDS)


class BufferingWorker(ThreadWorker):
    """gthread, but a thread only ever serves a request that has fully arrived."""

    _lock: threading.RLock  # gthread's, set in its init_process (not in the stubs)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._reading: dict[TConn, Reading] = {}

    def enqueue_req(self, conn: TConn) -> None:
        """Start reading the request; a thread gets it once it is whole (see `_on_bytes`)."""
        if not isinstance(conn.sock, BufferedSocket):
            conn.sock = cast(socket.socket, BufferedSocket(conn.sock))
        conn.sock.setblocking(False)
        reading = Reading(conn)
        with self._lock:
            self._reading[conn] = reading
            self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._on_bytes, reading))
        self._on_bytes(reading, None)  # what woke us is usually the whole request already

    def _on_bytes(self, reading: Reading, _fileobj) -> None:
        conn = reading.conn
        if conn not in self._reading:
            return
        buffered = cast(BufferedSocket, conn.sock)
        while True:
            try:
                chunk = buffered.sock.recv(RECV_BYTES)
            except (BlockingIOError, InterruptedError):
                break
            except OSError:
                self._drop(reading)
                return
            if not chunk:  # the client left before its request was whole
                self._drop(reading)
                return
            buffered.pending += chunk
            if len(buffered.pending) > MAX_HEAD_BYTES + MAX_BODY_BYTES:
                break
        verdict = completeness(buffered.pending)
        if verdict is None:
            return
        if verdict:
            self._drop(reading, refuse=verdict)
            return
        self._stop_reading(reading)
        super().enqueue_req(conn)

    def murder_keepalived(self) -> None:
        """gthread's idle keep-alive clean-up, and refusing requests past their deadline."""
        super().murder_keepalived()
        now = time.monotonic()
        with self._lock:
            late = [r for r in self._reading.values() if r.deadline <= now]
        for reading in late:
            self._drop(reading, refuse=408)

    def _stop_reading(self, reading: Reading) -> None:
        with self._lock:
            self._reading.pop(reading.conn, None)
            try:
                self.poller.unregister(reading.conn.sock)
            except (KeyError, ValueError):
                pass
            except OSError as error:
                if error.errno != errno.EBADF:
                    raise

    def _drop(self, reading: Reading, refuse: int | None = None) -> None:
        """Close a connection whose request will not be served; say why if there is a why."""
        self._stop_reading(reading)
        if refuse is not None:
            self.log.debug("refused a request: %s", REFUSALS[refuse].decode())
            answer = (
                b"HTTP/1.1 " + REFUSALS[refuse] + b"\r\nConnection: close\r\n"
                b"Content-Length: 0\r\n\r\n"
            )
            with contextlib.suppress(OSError):  # best effort: never wait on this client
                cast(BufferedSocket, reading.conn.sock).sock.send(answer)
        self.nr_conns -= 1
        reading.conn.close()
