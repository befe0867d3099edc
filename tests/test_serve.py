"""`inflow serve` as a separate process: gunicorn, migrations on start, SIGTERM."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import EMULATOR_SIGNING_SECRET
from bot.config import _ENV_NAMES
from bot.emulator import SlackSender
from bot.slack.ids import Command
from tests.conftest import BOT_TOKEN, SIGNING_SECRET

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start(env: dict[str, str], *args: str, cwd: Path | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", *args],
        env={**os.environ, **env},
        cwd=cwd,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for_line(process: subprocess.Popen, needle: str, limit: int = 200) -> list[str]:
    """Read the server's log until `needle` shows up (an event, not a guess at a delay)."""
    seen = []
    for _ in range(limit):
        line = process.stderr.readline()
        if not line:
            break
        seen.append(line)
        if needle in line:
            return seen
    raise AssertionError("server never said " + repr(needle) + ":\n" + "".join(seen))


@pytest.fixture
def server_env(tmp_path, emulator) -> dict[str, str]:
    return {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": emulator.api_url,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'served.db'}",
        "INFLOW_WORKERS": "1",
        "INFLOW_THREADS": "2",
    }


@pytest.fixture
def running(server_env) -> Iterator[tuple[subprocess.Popen, int]]:
    port = _free_port()
    process = _start(server_env, "--http", "--port", str(port))
    try:
        _wait_for_line(process, "Booting worker")
        _wait_for_line(process, "inflow.app: worker ready")
        yield process, port
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def test_served_process_answers_signed_requests_and_health(running):
    _process, port = running
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
        assert response.status == 200
        assert json.loads(response.read())["database"]["at_head"] is True

    reply = SlackSender(f"http://127.0.0.1:{port}/slack/events", SIGNING_SECRET).command(
        Command.LEARN, "help"
    )
    assert reply.status == 200
    assert reply.json()["response_type"] == "ephemeral"


def test_sigterm_stops_cleanly(running):
    process, _port = running
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0
    rest = process.stderr.read()
    assert "Traceback" not in rest


def test_unreachable_database_stops_start_up_with_one_line(server_env):
    env = {**server_env, "DATABASE_URL": "postgresql+psycopg://inflow:secret@127.0.0.1:1/inflow"}
    process = _start(env, "--http", "--port", str(_free_port()))
    _out, err = process.communicate(timeout=30)
    assert process.returncode == 1
    [line] = err.strip().splitlines()
    assert line.startswith("inflow: cannot reach the database")


def _the_playground_answers_in_a_browser(url: str, database: Path) -> None:
    """At `/`, the playground (bot.playground): its seeded team, Ana's confirmed links in the
    database, and a slash command typed there answered on the page, though the app runs in a
    gunicorn worker and the emulator in the master process."""
    with urllib.request.urlopen(f"{url}/?as=U0ANA") as page:
        assert "Ana, manager of Ben and Chen" in page.read().decode()
    with sqlite3.connect(database) as db:
        links = db.execute("SELECT manager_id, report_id, confirmed_at FROM manager_reports")
        assert sorted((m, r) for m, r, confirmed in links if confirmed) == [
            ("U0ANA", "U0BEN"),
            ("U0ANA", "U0CHEN"),
        ]
    form = urllib.parse.urlencode({"as": "U0BEN", "place": "general", "text": "/learn help"})
    with urllib.request.urlopen(f"{url}/playground/say", data=form.encode()) as answered:
        shown = answered.read().decode()  # the redirect, followed
    assert answered.url.endswith("/?as=U0BEN&place=general")
    assert '<div class="message from-app ephemeral"' in shown  # the answer, to Ben only


def test_trying_it_with_the_emulator_leaves_the_real_database_alone(tmp_path):
    """`inflow serve --emulator` where inflow.db (DATABASE_URL's default) would be: its fake
    workspace goes to a database of its own, gone when it stops, and it answers on loopback
    only, since its signing secret is in the README."""
    environment = {name: "" for name in _ENV_NAMES.values()}  # nothing configured: the defaults
    port = _free_port()
    process = _start(environment, "--emulator", "--port", str(port), "--workers", "1", cwd=tmp_path)
    try:
        said = "".join(_wait_for_line(process, "inflow.app: worker ready"))
        [database] = re.findall(r"a database of its own at sqlite:///(\S+),", said)
        assert f"serving HTTP on 127.0.0.1:{port}" in said
        reply = SlackSender(
            f"http://127.0.0.1:{port}/slack/events", EMULATOR_SIGNING_SECRET
        ).command(Command.LEARN, "help")
        assert reply.status == 200
        assert Path(database).is_file() and not (tmp_path / "inflow.db").exists()
        _the_playground_answers_in_a_browser(f"http://127.0.0.1:{port}", Path(database))
        # All of 127/8 is this machine, but only 127.0.0.1 is listened on.
        with pytest.raises(OSError), socket.create_connection(("127.0.0.2", port), timeout=5):
            pass
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
        assert not Path(database).parent.exists()
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)
    assert list(tmp_path.iterdir()) == []
