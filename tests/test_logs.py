"""LOG_FORMAT=json: one JSON object per line, the request's correlation id in it."""

from __future__ import annotations

import json
import logging
import urllib.parse

import pytest

from bot.emulator import SlackSender
from bot.logs import JsonFormatter
from bot.slack.ids import Command
from tests.conftest import BOT_TOKEN, SIGNING_SECRET
from tests.processes import ServeProcess, serve_env


def test_a_json_line_keeps_a_traceback_on_its_one_line():
    try:
        raise ValueError("the guide index\nis broken")
    except ValueError as error:
        record = logging.LogRecord(
            "inflow.http", logging.ERROR, __file__, 1, "failed", (), (type(error), error, None)
        )
    record.request_id = "abc123"
    line = JsonFormatter().format(record)

    assert "\n" not in line
    entry = json.loads(line)
    assert (entry["level"], entry["request_id"], entry["msg"]) == ("ERROR", "abc123", "failed")
    assert "ValueError: the guide index\nis broken" in entry["exc"]


@pytest.mark.slow
def test_served_with_log_format_json_every_stderr_line_is_one_json_object(emulator, tmp_path):
    server = ServeProcess(
        serve_env(emulator, f"sqlite:///{tmp_path / 'served.db'}", LOG_FORMAT="json")
    )
    try:
        server.wait_for("worker ready")
        sender = SlackSender(f"{server.url}/slack/events", SIGNING_SECRET)
        body = urllib.parse.urlencode(
            {"command": Command.LEARN, "text": "help", "team_id": "T0INFLOW1", "user_id": "U1"}
        )
        reply = sender.post(
            body, "application/x-www-form-urlencoded", headers={"X-Request-Id": "ops-check-1"}
        )
        assert reply.status == 200 and reply.headers["X-Request-Id"] == "ops-check-1"
        sender.post(body, "application/x-www-form-urlencoded", secret="not-the-secret")
        server.wait_for('"status": 401')
    finally:
        assert server.stop() == 0

    entries = [json.loads(line) for line in server.lines]  # fails on any line that is not
    assert all({"ts", "level", "logger", "msg"} <= entry.keys() for entry in entries)
    [answered] = [e for e in entries if e.get("request_id") == "ops-check-1"]
    assert (answered["path"], answered["status"], answered["kind"]) == (
        "/slack/events",
        200,
        "command:/learn",
    )
    [refused] = [e for e in entries if e.get("status") == 401]
    assert len(refused["request_id"]) == 12  # one made up for a request that brought none
    assert any(e["logger"] == "gunicorn.error" and "Booting worker" in e["msg"] for e in entries)
    assert BOT_TOKEN not in "".join(server.lines)
