"""Slow clients: can connections that never finish their request starve inflow?

`inflow serve --http` with its defaults (2 workers of 8 threads) against the local Slack
emulator. `--stalled` connections each send their headers and half of a signed /learn body, then
stall. While they hang, ten signed `/learn help` requests are sent at once, each on a connection
of its own, and timed. Run once with gunicorn's stock gthread worker (INFLOW_HTTP_WORKER=gthread)
and once with inflow's BufferingWorker, which reads requests whole before giving them a thread
(bot/buffering.py). With the stock worker, a request waits behind the stalled ones of whichever
worker process accepted it: if one process happened to accept fewer than eight, the requests it
takes are answered and the others are not.

    python bench/slow_clients.py [--stalled 80] [--patience 60]
"""

from __future__ import annotations

import argparse
import http.client
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, free_port, learn_body, migrated_env, signed_post, wait_until_serving
from bot.emulator import SlackEmulator


def stall(port: int, count: int) -> list[socket.socket]:
    """Open `count` connections that send headers and half their body, then nothing."""
    body = learn_body("help").encode()
    head = (
        "POST /slack/events HTTP/1.1\r\nHost: inflow\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    stalled = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port))
        sock.sendall(head + body[: len(body) // 2])
        stalled.append(sock)
    return stalled


def signed_requests(port: int, patience: float, count: int = 10) -> str:
    """Send `count` signed /learn requests at once, each on a new connection, as Slack would;
    say how many were answered within `patience` seconds and how long the slowest took."""

    def one(_index: int) -> float | None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=patience)
        try:
            ms, status = signed_post(conn, learn_body("help"), "application/x-www-form-urlencoded")
        except TimeoutError:
            return None
        finally:
            conn.close()
        return ms / 1000 if status == 200 else None

    with ThreadPoolExecutor(count) as pool:
        seconds = [s for s in pool.map(one, range(count)) if s is not None]
    if not seconds:
        return f"none of {count} answered within {patience:.0f} s"
    return (
        f"{len(seconds)} of {count} answered within {patience:.0f} s, slowest {max(seconds):.3f} s"
    )


def what_became_of(sock: socket.socket, stalled_at: float, wait: float = 15.0) -> str:
    """What the server said to a stalled connection, and when (or that it still holds it)."""
    sock.settimeout(max(stalled_at + wait - time.monotonic(), 0.1))
    try:
        said = sock.recv(64).split(b"\r\n")[0].decode() or "closed"
    except TimeoutError:
        return f"still held {time.monotonic() - stalled_at:.0f} s after they stalled"
    return f"{said!r} {time.monotonic() - stalled_at:.1f} s after they stalled"


def one_run(worker: str, stalled: int, patience: float) -> str:
    with SlackEmulator() as emulator:
        env = {**migrated_env(emulator.api_url), "INFLOW_HTTP_WORKER": worker}
        for name in ("INFLOW_WORKERS", "INFLOW_THREADS", "WEB_CONCURRENCY"):
            env.pop(name, None)  # the defaults: 2 workers x 8 threads
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "serve", "--http", "--port", str(port)],
            env=env,
            cwd=ROOT,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_until_serving(port, "/healthz")
            # Warm both workers (imports, the library) so the figure is the wait, not the start.
            for _ in range(4):
                signed_post(
                    http.client.HTTPConnection("127.0.0.1", port, timeout=30),
                    learn_body("help"),
                    "application/x-www-form-urlencoded",
                )
            sockets = stall(port, stalled)
            stalled_at = time.monotonic()
            time.sleep(1)  # let every stalled connection reach a worker
            figure = signed_requests(port, patience)
            figure += "; the stalled ones: " + what_became_of(sockets[0], stalled_at)
            for sock in sockets:
                sock.close()
        finally:
            server.terminate()
            server.wait(timeout=30)
    return f"  {worker:>9} worker, {stalled} stalled connections: signed /learn requests: {figure}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stalled", type=int, default=80)
    parser.add_argument("--patience", type=float, default=60.0)
    args = parser.parse_args()
    print("inflow serve --http, 2 workers x 8 threads:")
    for worker in ("gthread", "buffering"):
        print(one_run(worker, args.stalled, args.patience), flush=True)


if __name__ == "__main__":
    main()
