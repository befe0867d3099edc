"""Slow clients: a request is read whole, within a deadline, before it may take a thread."""

from __future__ import annotations

import selectors
import socket
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from gunicorn.config import Config
from gunicorn.glogging import Logger
from gunicorn.workers.gthread import TConn

from bot.buffering import MAX_HEAD_BYTES, BufferingWorker, completeness
from bot.emulator import SlackSender
from bot.server import MAX_BODY_BYTES
from bot.slack.ids import Command
from tests.conftest import SIGNING_SECRET
from tests.processes import ServeProcess, serve_env

POST = b"POST /slack/events HTTP/1.1\r\nHost: inflow\r\nContent-Length: 10\r\n\r\n"


@pytest.mark.parametrize(
    ("data", "verdict"),
    [
        (b"POST /slack/events HTTP/1.1\r\nHost: in", None),
        (POST + b"12345", None),
        (POST + b"1234567890", 0),
        (b"GET /healthz HTTP/1.1\r\nHost: inflow\r\n\r\n", 0),
        (b"POST / HTTP/1.1\r\ncontent-length: %d\r\n\r\n" % (MAX_BODY_BYTES + 1), 413),
        (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 411),
        (b"POST / HTTP/1.1\r\nContent-Length: ten\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\nX-Long: " + b"a" * MAX_HEAD_BYTES, 431),
    ],
)
def test_a_request_is_whole_once_its_headers_and_body_are_in(data, verdict):
    assert completeness(data) == verdict


def _hello(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "5")])
    return [b"hello"]


@pytest.fixture
def worker() -> Iterator[BufferingWorker]:
    """A BufferingWorker outside gunicorn: its loop's parts, driven by the test."""
    cfg = Config()
    worker = BufferingWorker(0, 0, [], None, 30, cfg, Logger(cfg))
    worker.wsgi = _hello
    worker.poller = selectors.DefaultSelector()
    worker._lock = threading.RLock()
    worker.tpool = ThreadPoolExecutor(2)
    yield worker
    worker.tpool.shutdown()
    worker.poller.close()
    worker.tmp.close()


def _connect(worker: BufferingWorker) -> socket.socket:
    client, served = socket.socketpair()
    client.settimeout(5)
    worker.nr_conns += 1
    worker.enqueue_req(TConn(worker.cfg, served, ("127.0.0.1", 1), ("127.0.0.1", 2)))
    return client


def _pump(worker: BufferingWorker) -> None:
    for key, _ in worker.poller.select(0.5):
        key.data(key.fileobj)


def _answer(client: socket.socket) -> bytes:
    """The whole answer (the app says hello), however the server's writes were split."""
    answer = b""
    while not answer.endswith(b"hello"):
        chunk = client.recv(1024)
        assert chunk, answer
        answer += chunk
    return answer


def _pump_until(worker: BufferingWorker, done) -> None:
    """Run the worker's loop until `done()`; a served connection comes back to it from a
    thread, so it may take a turn or two."""
    for _ in range(20):
        _pump(worker)
        if done():
            return
    raise AssertionError("the worker never got there")


def test_a_request_is_served_once_its_body_has_arrived(worker):
    client = _connect(worker)
    client.sendall(POST + b"12345")
    _pump(worker)
    assert len(worker.futures) == 0  # half a body: no thread yet
    client.sendall(b"67890")
    _pump(worker)
    assert len(worker.futures) == 1
    assert _answer(client).startswith(b"HTTP/1.1 200 OK")


def test_a_kept_alive_connection_is_read_whole_again_for_its_next_request(worker):
    client = _connect(worker)
    client.sendall(POST + b"1234567890")
    _pump(worker)
    assert _answer(client).startswith(b"HTTP/1.1 200 OK")
    client.sendall(POST + b"12345")
    _pump_until(worker, lambda: len(worker._reading) == 1)
    assert len(worker.futures) == 1  # the first request's; half a body has no thread yet
    client.sendall(b"67890")
    _pump_until(worker, lambda: not worker._reading)
    assert _answer(client).startswith(b"HTTP/1.1 200 OK")


def test_a_request_not_whole_by_its_deadline_is_refused_without_a_thread(worker):
    client = _connect(worker)
    client.sendall(POST + b"12345")
    _pump(worker)
    worker.murder_keepalived()
    assert len(worker._reading) == 1  # still within its ten seconds
    for reading in worker._reading.values():
        reading.deadline = 0  # ten seconds later
    worker.murder_keepalived()
    assert client.recv(1024).startswith(b"HTTP/1.1 408 Request Timeout")
    assert client.recv(1024) == b""  # and closed
    assert (worker._reading, len(worker.futures), worker.nr_conns) == ({}, 0, 0)


def test_a_client_that_leaves_half_way_is_forgotten(worker):
    client = _connect(worker)
    client.sendall(POST + b"12345")
    client.close()
    _pump(worker)
    assert (worker._reading, len(worker.futures), worker.nr_conns) == ({}, 0, 0)


@pytest.mark.slow
def test_stalled_connections_do_not_starve_a_signed_request(database_url, emulator):
    server = ServeProcess(serve_env(emulator, database_url))  # 1 worker of 4 threads
    stalled = []
    try:
        server.wait_for("inflow.app: worker ready")
        body = b"command=%2Flearn&text=help"
        head = b"POST /slack/events HTTP/1.1\r\nHost: inflow\r\nContent-Length: %d\r\n\r\n"
        for _ in range(20):
            sock = socket.create_connection(("127.0.0.1", server.port))
            sock.sendall(head % len(body) + body[:10])
            stalled.append(sock)
        slack = SlackSender(f"{server.url}/slack/events", SIGNING_SECRET)
        reply = slack.command(Command.LEARN, "help")  # it waits 10 s at most
        assert reply.status == 200
    finally:
        for sock in stalled:
            sock.close()
        server.stop()
