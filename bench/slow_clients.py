"""Slow clients: can connections that never finish their request starve inflow?

`inflow serve --http` with its defaults (2 workers of 8 threads) against the local Slack
emulator. `--stalled` connections each send their headers and half of a signed /learn body, then
stall. While they hang, one signed `/learn help` is sent and timed. Run once with gunicorn's
stock gthread worker (INFLOW_HTTP_WORKER=gthread) and once with inflow's BufferingWorker, which
reads requests whole before giving them a thread (bot/buffering.py).

    python bench/slow_clients.py [--stalled 80] [--patience 60]
"""

from __future__ import annotations

import argparse
import http.client
import socket
import subprocess
import sys
import time
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
            time.sleep(1)  # let every stalled connection reach a worker
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=patience)
            try:
                ms, status = signed_post(
                    conn, learn_body("help"), "application/x-www-form-urlencoded"
                )
                figure = f"answered {status} in {ms / 1000:.3f} s"
            except TimeoutError:
                figure = f"no answer within {patience:.0f} s"
            for sock in sockets:
                sock.close()
        finally:
            server.terminate()
            server.wait(timeout=30)
    return f"  {worker:>9} worker, {stalled} stalled connections: a signed /learn {figure}"


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
