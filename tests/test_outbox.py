"""The outbox: planned once, delivered exactly once, through crashes, rate limits and rivals."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from collections import Counter

import pytest
from sqlalchemy import select

from bot.db import make_sessionmaker, transaction
from bot.jobs.deliverer import deliver_due
from bot.models import OutboxMessage
from bot.services import outbox
from bot.services.outbox import LEASE
from bot.services.preferences import NudgeKind
from bot.slack.client import make_client
from tests.conftest import BOT_TOKEN, SIGNING_SECRET

NOW = dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC)


@pytest.fixture
def sessions(engine):
    return make_sessionmaker(engine)


def _client(emulator, retries: int = 0):
    return make_client(BOT_TOKEN, emulator.api_url, retries=retries)


def _plan(sessions, user: str, *, due: dt.datetime = NOW, occurrence: str = "2026-11-23") -> bool:
    with transaction(sessions) as session:
        return outbox.enqueue(
            session,
            team_id="T0INFLOW1",
            recipient=user,
            kind="coaching",
            subject="weekly",
            occurrence=occurrence,
            due_at=due,
            message={"text": f"Who did you see at their best this week, {user}?"},
        )


def _rows(sessions) -> dict[str, OutboxMessage]:
    with sessions() as session:
        return {r.recipient: r for r in session.scalars(select(OutboxMessage))}


def _sent_keys(emulator) -> Counter:
    """Outbox keys of the messages that landed in Slack (refused attempts are not messages)."""
    return Counter(
        m["metadata"]["event_payload"]["key"]
        for messages in emulator.history.values()
        for m in messages
        if m.get("metadata")
    )


def test_planning_the_same_occurrence_twice_keeps_one(sessions):
    assert _plan(sessions, "U1") is True
    assert _plan(sessions, "U1") is False
    assert len(_rows(sessions)) == 1


def test_due_rows_are_sent_and_recorded_future_ones_wait(sessions, emulator):
    _plan(sessions, "U1")
    _plan(sessions, "U2", due=NOW + dt.timedelta(minutes=1))

    report = deliver_due(sessions, _client(emulator), now=NOW, worker="w1")

    assert report.sent == 1
    [post] = emulator.calls_to("chat.postMessage")
    assert post.args["text"] == "Who did you see at their best this week, U1?"
    assert (
        post.json_arg("metadata")["event_payload"]["key"]
        == "T0INFLOW1/U1/coaching/weekly/2026-11-23"
    )
    rows = _rows(sessions)
    assert (rows["U1"].status, rows["U1"].message_ts) == (
        "sent",
        post.args and rows["U1"].message_ts,
    )
    assert rows["U2"].status == "pending"


def test_after_an_outage_only_what_is_within_the_grace_period_is_sent(sessions, emulator):
    _plan(sessions, "U1", due=NOW - dt.timedelta(hours=7))
    _plan(sessions, "U2", due=NOW - dt.timedelta(hours=5))

    deliver_due(sessions, _client(emulator), now=NOW, worker="w1")

    rows = _rows(sessions)
    assert (rows["U1"].status, rows["U2"].status) == ("skipped", "sent")
    assert list(_sent_keys(emulator)) == ["T0INFLOW1/U2/coaching/weekly/2026-11-23"]


def test_a_permanent_failure_is_recorded_and_not_retried(sessions, emulator):
    _plan(sessions, "U1")
    emulator.fail("chat.postMessage", 200, error="account_inactive")

    first = deliver_due(sessions, _client(emulator), now=NOW, worker="w1")
    deliver_due(sessions, _client(emulator), now=NOW + dt.timedelta(minutes=1), worker="w1")

    assert first.failed == {"account_inactive": 1}
    row = _rows(sessions)["U1"]
    assert (row.status, row.error) == ("failed", "account_inactive")
    assert len(emulator.calls_to("chat.postMessage")) == 1


def test_a_server_error_waits_for_the_next_pass(sessions, emulator):
    _plan(sessions, "U1")
    emulator.fail("chat.postMessage", 500)

    first = deliver_due(sessions, _client(emulator), now=NOW, worker="w1")
    assert (first.retry_later, _rows(sessions)["U1"].status) == (1, "pending")

    second = deliver_due(
        sessions, _client(emulator), now=NOW + dt.timedelta(seconds=30), worker="w1"
    )
    assert second.sent == 1
    assert _rows(sessions)["U1"].status == "sent"


def test_rate_limited_for_a_while_everything_arrives_once(sessions, emulator):
    for n in range(5):
        _plan(sessions, f"U{n}")
    emulator.fail("chat.postMessage", 429, retry_after=0, times=4)

    deliver_due(sessions, _client(emulator, retries=6), now=NOW, worker="w1")

    assert _sent_keys(emulator) == Counter(
        {f"T0INFLOW1/U{n}/coaching/weekly/2026-11-23": 1 for n in range(5)}
    )
    assert {r.status for r in _rows(sessions).values()} == {"sent"}


def test_a_worker_that_died_after_claiming_is_taken_over_once_its_lease_ends(sessions, emulator):
    _plan(sessions, "U1")
    with transaction(sessions) as session:
        outbox.claim(session, now=NOW, worker="dead")  # …and the process dies here

    early = deliver_due(sessions, _client(emulator), now=NOW + dt.timedelta(minutes=1), worker="w2")
    assert early.sent == 0  # the lease still holds
    later = deliver_due(
        sessions, _client(emulator), now=NOW + LEASE + dt.timedelta(seconds=1), worker="w2"
    )

    assert later.sent == 1
    assert sum(_sent_keys(emulator).values()) == 1


def test_a_worker_that_died_after_sending_is_not_sent_twice(sessions, emulator):
    from bot.jobs.deliverer import _send

    _plan(sessions, "U1")
    with transaction(sessions) as session:
        [item] = outbox.claim(session, now=NOW, worker="dead")
    _send(_client(emulator), item)  # sent, but the process dies before recording it

    report = deliver_due(
        sessions, _client(emulator), now=NOW + LEASE + dt.timedelta(seconds=1), worker="w2"
    )

    assert (report.sent, report.already_sent) == (0, 1)
    assert sum(_sent_keys(emulator).values()) == 1
    assert _rows(sessions)["U1"].status == "sent"


def test_a_late_record_from_a_worker_whose_lease_was_taken_is_ignored(sessions, emulator):
    _plan(sessions, "U1")
    with transaction(sessions) as session:
        [item] = outbox.claim(session, now=NOW, worker="slow")
    deliver_due(sessions, _client(emulator), now=NOW + LEASE + dt.timedelta(seconds=1), worker="w2")
    with transaction(sessions) as session:
        outbox.record_failure(session, row_id=item.id, worker="slow", error="account_inactive")

    assert _rows(sessions)["U1"].status == "sent"


def test_three_processes_at_the_same_instant_deliver_each_of_1000_once(
    database_url, engine, emulator
):
    sessions = make_sessionmaker(engine)
    with transaction(sessions) as session:
        for n in range(1000):
            outbox.enqueue(
                session,
                team_id="T0INFLOW1",
                recipient=f"U{n:05d}",
                kind="follow_up",
                subject="guide",
                occurrence="1",
                due_at=NOW,
                message={"text": f"Did you get to use it? ({n})"},
            )
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": emulator.api_url,
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "bot.cli", "nudges", "run-once", "--now", NOW.isoformat()]
    processes = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True) for _ in range(3)
    ]
    outputs = [
        json.loads(p.communicate(timeout=300)[0].strip().splitlines()[-1]) for p in processes
    ]

    assert all(p.returncode == 0 for p in processes)
    assert sum(o["sent"] for o in outputs) == 1000
    sent = _sent_keys(emulator)
    assert len(sent) == 1000 and set(sent.values()) == {1}
    assert {r.status for r in _rows(sessions).values()} == {"sent"}


def test_the_outbox_knows_every_kind_of_nudge_a_person_can_switch():
    assert {kind.value for kind in outbox.NUDGE_KINDS} == {kind.value for kind in NudgeKind}
    assert all(outbox.OutboxKind(kind.value) for kind in NudgeKind)


def test_run_once_with_slack_unreachable_says_so_in_one_line(database_url, tmp_path):
    from tests.processes import free_port

    unreachable = f"http://127.0.0.1:{free_port()}/api/"  # nothing listens there any more
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_API_URL": unreachable,
        "DATABASE_URL": database_url,
    }
    env.pop("LOG_LEVEL", None)
    command = [sys.executable, "-m", "bot.cli", "nudges", "run-once", "--now", NOW.isoformat()]
    subprocess.run([*command[:3], "db", "upgrade"], env=env, capture_output=True, check=True)

    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)

    assert done.returncode == 1
    assert done.stdout == ""
    [line] = done.stderr.splitlines()
    assert line.startswith(f"inflow: cannot reach Slack at {unreachable} (")
    assert "SLACK_API_URL" in line
