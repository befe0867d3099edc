"""Shared pieces of the HTTP benchmarks: serving under gunicorn, signed requests, percentiles."""

from __future__ import annotations

import http.client
import itertools
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from contextlib import contextmanager
from pathlib import Path

from bot.emulator import sign

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bench_env(api_url: str, database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": api_url,
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }


def migrated_env(api_url: str, database_url: str | None = None) -> dict[str, str]:
    """The environment inflow is served with, its database (a new SQLite file unless given)
    migrated to head."""
    env = bench_env(api_url, database_url or temp_sqlite())
    subprocess.run(
        [sys.executable, "-m", "bot.cli", "db", "upgrade"], env=env, check=True, capture_output=True
    )
    return env


@contextmanager
def gunicorn(target: list[str], env: dict[str, str], port: int, ready_path: str):
    """Run a server process and wait until it answers; yields the process."""
    process = subprocess.Popen(target, env=env, cwd=ROOT, stderr=subprocess.DEVNULL)
    try:
        wait_until_serving(port, ready_path)
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)


def wait_until_serving(port: int, ready_path: str, seconds: float = 60) -> None:
    """Poll the server until it answers `ready_path` (a benchmark may wait like this)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("POST" if ready_path == "/slack/events" else "GET", ready_path)
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server on :{port} never came up")


def gunicorn_cmd(app: str, port: int, threads: int = 4) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        "1",
        "--threads",
        str(threads),
        "--worker-class",
        "gthread",
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        app,
    ]


_TRIGGERS = itertools.count(1)


def learn_body(text: str) -> str:
    return urllib.parse.urlencode(
        {
            "team_id": "T0INFLOW1",
            "channel_id": "C0BENCH",
            "user_id": "U0BENCH",
            "command": "/learn",
            "text": text,
            "api_app_id": "A0INFLOW1",
            "response_url": "http://127.0.0.1:9/response",
            "trigger_id": f"{next(_TRIGGERS)}.2.3",  # each request its own, as from Slack
        }
    )


def signed_post(
    conn: http.client.HTTPConnection, body: str, content_type: str
) -> tuple[float, int]:
    """POST one body signed like Slack; returns (milliseconds to the answer, HTTP status)."""
    ts = int(time.time())
    headers = {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": str(ts),
        "X-Slack-Signature": sign(body, SECRET, ts),
    }
    started = time.perf_counter()
    conn.request("POST", "/slack/events", body=body.encode(), headers=headers)
    response = conn.getresponse()
    response.read()
    return (time.perf_counter() - started) * 1000, response.status


def measure(port: int, bodies: list[str], warmup: int = 50) -> list[float]:
    """Send each body signed over one keep-alive connection; return the latencies in ms of all
    but the first `warmup`. Each body is sent once: the same signed bytes twice are a replay."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    timings = []
    for index, body in enumerate(bodies):
        elapsed, status = signed_post(conn, body, "application/x-www-form-urlencoded")
        if status != 200:
            raise RuntimeError(f"request failed with {status}")
        if index >= warmup:
            timings.append(elapsed)
    conn.close()
    return timings


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def temp_sqlite() -> str:
    return f"sqlite:///{tempfile.mkdtemp(prefix='inflow-bench-')}/bench.db"
