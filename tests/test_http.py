"""The HTTP face: signatures, bad input, health, correlation ids."""

import json
import logging
import time
import urllib.error
import urllib.request

import pytest
from sqlalchemy import text

from bot.server import MAX_BODY_BYTES
from bot.slack.ids import Command


def _get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def test_unsigned_request_is_refused(served):
    reply = served.slack.post(
        "command=%2Flearn&text=help", "application/x-www-form-urlencoded", signed=False
    )
    assert reply.status == 401


FORM, JSON = "application/x-www-form-urlencoded", "application/json"
# Bodies whose shape Bolt's parser cannot take: each once gave a 500 and a traceback.
JUNK = [
    ("payload=[1]", FORM),
    ("payload=null", FORM),
    ("null", JSON),
    ("[1]", JSON),
    ("123", JSON),
    ('"abc"', JSON),
    ('{"type": "event_callback", "event": 1}', JSON),
    ('{"type": "event_callback", "event": {"type": 2}}', JSON),
    ('{"type": "block_actions", "actions": "x", "user": {"id": "U1"}}', JSON),
    ('{"type": "view_submission", "view": [], "user": {"id": "U1"}}', JSON),
    ('payload={"type": "shortcut", "user": "U1", "team": 7}', FORM),
    ('{"type": ["url_verification"]}', JSON),
]


def _rejected(served) -> float:
    return served.wsgi.metrics.registry.get_sample_value(
        "inflow_slack_requests_total", {"kind": "other", "outcome": "rejected"}
    )


def _troubles(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


@pytest.mark.parametrize(("body", "content_type"), JUNK)
def test_unsigned_junk_is_refused_unread_and_counted_as_rejected(
    served, caplog, body, content_type
):
    with caplog.at_level(logging.DEBUG):
        reply = served.slack.post(body, content_type, signed=False)
    assert reply.status == 401
    assert _rejected(served) == 1
    assert _troubles(caplog) == []


def test_a_timestamp_that_is_not_a_number_is_refused_as_unsigned(served, caplog):
    bad = {"X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": "v0=" + "0" * 64}
    with caplog.at_level(logging.DEBUG):
        reply = served.slack.post(
            "command=%2Flearn&text=help&user_id=U1&team_id=T0INFLOW1",
            FORM,
            signed=False,
            headers=bad,
        )
    assert reply.status == 401
    assert _rejected(served) == 1
    assert _troubles(caplog) == []


@pytest.mark.parametrize(("body", "content_type"), JUNK)
def test_signed_junk_gets_a_400_without_a_traceback(served, caplog, body, content_type):
    with caplog.at_level(logging.DEBUG):
        reply = served.slack.post(body, content_type)
    assert reply.status == 400
    assert _troubles(caplog) == []
    assert served.slack.command(Command.LEARN, "help").status == 200


def test_request_signed_with_another_workspaces_secret_is_refused(served):
    body = "command=%2Flearn&text=help&team_id=T0INFLOW1"
    reply = served.slack.post(
        body, "application/x-www-form-urlencoded", secret="someone-elses-secret"
    )
    assert reply.status == 401


def test_request_older_than_five_minutes_is_refused(served):
    stale = int(time.time()) - 6 * 60
    reply = served.slack.post(
        "command=%2Flearn&text=help", "application/x-www-form-urlencoded", timestamp=stale
    )
    assert reply.status == 401


def test_request_within_five_minutes_is_accepted(served):
    recent = int(time.time()) - 4 * 60
    body = "command=%2Flearn&text=help&user_id=U1&team_id=T0INFLOW1"
    reply = served.slack.post(body, "application/x-www-form-urlencoded", timestamp=recent)
    assert reply.status == 200


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("payload=%7Bnot+json", "application/x-www-form-urlencoded"),
        ("{not json", "application/json"),
        ("\udcff", "application/x-www-form-urlencoded"),
    ],
)
def test_malformed_body_gets_a_4xx_and_the_server_keeps_serving(served, body, content_type):
    raw = body.encode("utf-8", "surrogateescape")
    reply = served.slack.post(raw.decode("latin-1"), content_type)
    assert 400 <= reply.status < 500
    assert served.slack.command(Command.LEARN, "help").status == 200


def test_unknown_command_gets_a_4xx(served):
    reply = served.slack.command("/no-such-command", "hello")
    assert 400 <= reply.status < 500
    assert served.slack.command(Command.LEARN, "help").status == 200


def test_body_over_one_megabyte_is_refused(served):
    body = "text=" + "a" * (MAX_BODY_BYTES + 1)
    reply = served.slack.post(body, "application/x-www-form-urlencoded")
    assert reply.status == 413
    assert served.slack.command(Command.LEARN, "help").status == 200


def test_events_path_takes_only_post(served):
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(f"{served.url}/slack/events", timeout=5)
    assert raised.value.code == 405


def test_health_says_database_reachable_and_at_head(served):
    status, report = _get(f"{served.url}/healthz")
    assert status == 200
    assert report["database"]["reachable"] is True
    assert report["database"]["at_head"] is True


def test_health_is_503_when_the_database_is_behind(served):
    with served.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'old'"))
    status, report = _get(f"{served.url}/healthz")
    assert status == 503
    assert report["database"]["at_head"] is False


def test_health_is_503_when_the_database_is_unreachable(served, monkeypatch):
    from bot.db import make_engine

    unreachable = make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    monkeypatch.setattr(served.wsgi, "engine", unreachable)
    status, report = _get(f"{served.url}/healthz")
    assert status == 503
    assert report["database"]["reachable"] is False


def test_each_request_logs_one_line_with_a_correlation_id(served, caplog):
    with caplog.at_level(logging.INFO, logger="inflow.http"):
        reply = served.slack.command(Command.LEARN, "help")
    lines = [r for r in caplog.records if r.name == "inflow.http"]
    assert len(lines) == 1
    assert lines[0].request_id == reply.headers["X-Request-Id"]
    assert lines[0].kind == "command:/learn"
    assert lines[0].status == 200


def test_secrets_never_reach_the_log(served, caplog):
    with caplog.at_level(logging.DEBUG):
        served.slack.command(Command.LEARN, "help")
        served.slack.post("x=1", "application/x-www-form-urlencoded", secret="wrong")
    logged = "\n".join(r.getMessage() + str(r.__dict__) for r in caplog.records)
    assert "test-signing-secret" not in logged
    assert "xoxb-test-token" not in logged


def test_a_command_without_a_user_gets_a_400_that_says_so(served, caplog):
    body = "command=%2Fpitch&text=a+better+onboarding&team_id=T0INFLOW1&channel_id=C0GENERAL"
    with caplog.at_level(logging.DEBUG):
        reply = served.slack.post(body, FORM)
    assert reply.status == 400
    assert "user_id" in reply.text
    assert _troubles(caplog) == []
