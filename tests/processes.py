"""`inflow serve --http` in processes of its own, for tests of what only real processes show:
gunicorn's workers, replicas sharing a database, the lines on stderr."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import BOT_TOKEN, SIGNING_SECRET


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve_env(emulator, database_url: str, **extra: str) -> dict[str, str]:
    return {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": emulator.api_url,
        "DATABASE_URL": database_url,
        "INFLOW_WORKERS": "1",
        "INFLOW_THREADS": "4",
        **extra,
    }


class ServeProcess:
    """One `inflow serve --http`; its stderr is read as it comes, so a busy server never blocks
    on a full pipe and a test can wait for a line instead of guessing a delay."""

    def __init__(self, env: dict[str, str]):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.lines: list[str] = []
        self._ended = False
        self._changed = threading.Condition()
        clean = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "serve", "--http", "--port", str(self.port)],
            env={**clean, **env},
            stderr=subprocess.PIPE,
            text=True,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stderr:
            with self._changed:
                self.lines.append(line)
                self._changed.notify_all()
        with self._changed:
            self._ended = True
            self._changed.notify_all()

    def wait_for(self, needle: str, count: int = 1, timeout: float = 60) -> None:
        """Wait until `needle` has shown up on `count` lines of stderr."""

        def seen() -> int:
            return sum(needle in line for line in self.lines)

        with self._changed:
            self._changed.wait_for(lambda: seen() >= count or self._ended, timeout)
            if seen() < count:
                raise AssertionError(
                    f"server never said {needle!r} {count} times:\n" + "".join(self.lines)
                )

    def stop(self) -> int:
        """SIGTERM, then wait for the process and the last of its stderr."""
        if self.process.poll() is None:
            self.process.terminate()
        try:
            code = self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait(timeout=10)
        self._reader.join(timeout=10)
        return code

    def metrics(self) -> dict[tuple[str, tuple], float]:
        return scrape(self.url)


def scrape(url: str) -> dict[tuple[str, tuple], float]:
    """GET /metrics, parsed: (sample name, sorted label pairs) -> value."""
    with urllib.request.urlopen(f"{url}/metrics", timeout=10) as response:
        assert response.status == 200
        exposition = response.read().decode()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
    }


def sample(samples: dict[tuple[str, tuple], float], name: str, **labels: str) -> float:
    """One sample's value; a KeyError names what is missing."""
    return samples[name, tuple(sorted(labels.items()))]
