"""Replays: the same signed request sent again within its five minutes is acted on once."""

from __future__ import annotations

import datetime as dt
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

from slack_bolt import BoltRequest
from slack_sdk import WebClient
from sqlalchemy import func, select

from bot import signatures
from bot.db import make_sessionmaker, transaction
from bot.jobs.after import After
from bot.jobs.clock import plan
from bot.middleware import ALREADY_HANDLED, act_once_per_signature
from bot.models import AcceptedSignature, Idea
from bot.slack.guides import state
from bot.slack.ids import Action, Command
from bot.workspaces import as_clients

SPONSOR = "U0SPONSOR"
PITCH = f"Text reminders the day before appointments <@{SPONSOR}|sam>"
NOW = dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC)


def _ideas(served) -> int:
    with served.session() as session:
        return session.scalar(select(func.count()).select_from(Idea))


def _remembered(db) -> int:
    return db.scalar(select(func.count()).select_from(AcceptedSignature))


def test_a_replayed_pitch_makes_one_idea_and_one_message(served):
    assert served.slack.command(Command.PITCH, PITCH).status == 200
    replay = served.slack.resend()
    assert replay.status == 200
    assert replay.json() == {"response_type": "ephemeral", "text": ALREADY_HANDLED}
    assert _ideas(served) == 1
    assert len(served.emulator.calls_to("chat.postMessage")) == 1


def test_two_copies_at_once_make_one_idea(served):
    body = urllib.parse.urlencode(
        {"command": Command.PITCH, "text": PITCH, "team_id": "T0INFLOW1", "user_id": "U0ASKER01"}
    )
    signed_at = int(time.time())
    served.slack.settle = None  # both copies in flight together; settled below
    with ThreadPoolExecutor(2) as pool:
        replies = list(
            pool.map(
                lambda _: served.slack.post(
                    body, "application/x-www-form-urlencoded", timestamp=signed_at
                ),
                range(2),
            )
        )
    served.settle()
    assert sorted(ALREADY_HANDLED in r.text for r in replies) == [False, True]
    assert _ideas(served) == 1
    assert len(served.emulator.calls_to("chat.postMessage")) == 1


def test_the_same_pitch_signed_again_is_a_new_request(served):
    now = int(time.time())
    served.slack.command(Command.PITCH, PITCH)
    body = served.slack.last.data.decode()
    reply = served.slack.post(body, "application/x-www-form-urlencoded", timestamp=now - 1)
    assert reply.status == 200 and ALREADY_HANDLED not in reply.text
    assert _ideas(served) == 2


def test_a_replayed_click_is_acknowledged_and_not_acted_on(served):
    value = state("five-whys")
    served.slack.click(Action.HELPFUL, value, response_url=served.emulator.response_url())
    assert len(served.emulator.wait_for_responses(1)) == 1
    replay = served.slack.resend()
    assert (replay.status, replay.text) == (200, "")
    assert len(served.emulator.responses) == 1


def test_accept_refuses_a_signature_it_holds_until_forgotten(db):
    signed_at = int(NOW.timestamp())
    assert signatures.accept(db, "v0=abc", signed_at, NOW)
    assert not signatures.accept(db, "v0=abc", signed_at, NOW)
    assert signatures.forget_expired(db, NOW + dt.timedelta(minutes=4)) == 0
    assert signatures.forget_expired(db, NOW + dt.timedelta(minutes=6)) == 1
    assert signatures.accept(db, "v0=abc", signed_at, NOW + dt.timedelta(minutes=6))


def test_a_signature_is_remembered_a_full_window_from_when_it_was_seen(db):
    early = int((NOW - dt.timedelta(minutes=4)).timestamp())  # signed by a clock behind ours
    signatures.accept(db, "v0=abc", early, NOW)
    assert signatures.forget_expired(db, NOW + dt.timedelta(minutes=4)) == 0


def test_housekeeping_forgets_expired_signatures(engine, emulator):
    sessions = make_sessionmaker(engine)
    with transaction(sessions) as session:
        signatures.accept(session, "v0=old", int(NOW.timestamp()), NOW)
        signatures.accept(session, "v0=new", int(NOW.timestamp()), NOW + dt.timedelta(minutes=9))
    client = WebClient(token="xoxb-test-token", base_url=emulator.api_url)
    plan(sessions, as_clients(client), NOW + dt.timedelta(minutes=10))
    with sessions() as session:
        assert list(session.scalars(select(AcceptedSignature.signature))) == ["v0=new"]


def test_requests_without_a_signature_pass_as_often_as_they_come(db):
    """Socket Mode: Slack's WebSocket carries no signatures, and nothing to replay."""
    request = BoltRequest(body="command=%2Flearn&text=help", headers={}, mode="socket_mode")
    after = After(db, "T0INFLOW1", NOW, "ref")
    ran = []
    for _ in range(2):
        act_once_per_signature(request, request.body, db, after, lambda: ran.append(1))
    assert len(ran) == 2
    assert _remembered(db) == 0
