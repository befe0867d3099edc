"""The monthly review list: owners of guides past their review date hear which, once a month."""

from __future__ import annotations

import datetime as dt
import json
import logging

import pytest
from sqlalchemy import select

from bot.db import make_sessionmaker
from bot.emulator import TEAM_ID, _default_user
from bot.jobs.clock import Workspace, plan, run_once
from bot.models import OutboxMessage
from bot.services import workspaces
from bot.slack.client import make_client
from tests.conftest import BOT_TOKEN
from tests.guide_files import write_guide

ANA = "U0ANAOWNR"
MONDAY = dt.datetime(2026, 11, 23, 7, 0, tzinfo=dt.UTC)  # before Ana's 09:30 in London


@pytest.fixture
def sessions(engine, emulator):
    emulator.users[ANA] = {
        **_default_user(ANA),
        "tz": "Europe/London",
        "profile": {"email": "ana@example.com", "status_text": "", "status_emoji": ""},
    }
    sessions = make_sessionmaker(engine)
    with sessions.begin() as session:  # review lists go to the workspaces inflow serves
        workspaces.installed(session, team_id=TEAM_ID, now=MONDAY)
    return sessions


@pytest.fixture
def library(tmp_path):
    directory = tmp_path / "guides"
    write_guide(
        directory,
        "premortem",
        title="Premortem",
        owner="Ana@Example.com",
        review_by=dt.date(2026, 10, 1),
    )
    write_guide(
        directory,
        "decision-records",
        title="Decision records",
        owner="ana@example.com",
        review_by=dt.date(2026, 11, 1),
    )
    write_guide(directory, "five-whys", title="Five whys", owner="ana@example.com")  # not due
    return directory


def _client(emulator):
    return make_client(BOT_TOKEN, emulator.api_url, retries=0)


def _rows(sessions) -> list[OutboxMessage]:
    with sessions() as session:
        return list(
            session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.kind == "review")
                .order_by(OutboxMessage.id)
            )
        )


def test_an_owner_gets_one_dm_a_month_naming_the_guides_and_dates(sessions, emulator, library):
    workspace = Workspace(content_dir=library)
    plan(sessions, _client(emulator), MONDAY, workspace)

    [row] = _rows(sessions)
    assert (row.recipient, row.subject, row.occurrence) == (ANA, "ana@example.com", "2026-11")
    assert row.due_at == dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC)  # her own time

    _, report = run_once(
        sessions, _client(emulator), now=row.due_at, worker="w", workspace=workspace
    )
    assert report.sent == 1
    [dm] = emulator.calls_to("chat.postMessage")
    assert dm.args["text"] == "2 of your guides are due for review"
    shown = json.dumps(dm.json_arg("blocks"))
    assert "*Premortem* (`premortem`): review by 1 October 2026" in shown
    assert "*Decision records* (`decision-records`): review by 1 November 2026" in shown
    assert "Five whys" not in shown
    assert "nudge_controls" not in shown  # part of owning a guide, not a nudge to snooze


def test_later_passes_in_the_month_plan_nothing_and_look_nobody_up(sessions, emulator, library):
    workspace = Workspace(content_dir=library)
    plan(sessions, _client(emulator), MONDAY, workspace)
    lookups = len(emulator.calls_to("users.lookupByEmail"))

    for day in (24, 27, 30):
        plan(sessions, _client(emulator), MONDAY.replace(day=day), workspace)

    assert len(_rows(sessions)) == 1
    assert len(emulator.calls_to("users.lookupByEmail")) == lookups == 1


def test_the_next_month_brings_the_next_list(sessions, emulator, library):
    workspace = Workspace(content_dir=library)
    plan(sessions, _client(emulator), MONDAY, workspace)
    plan(sessions, _client(emulator), dt.datetime(2026, 12, 1, 7, tzinfo=dt.UTC), workspace)

    assert [r.occurrence for r in _rows(sessions)] == ["2026-11", "2026-12"]


def test_nothing_is_planned_or_looked_up_when_nothing_is_due(sessions, emulator, tmp_path):
    fresh = tmp_path / "fresh"
    write_guide(fresh, "five-whys", title="Five whys", owner="ana@example.com")

    plan(sessions, _client(emulator), MONDAY, Workspace(content_dir=fresh))

    assert _rows(sessions) == []
    assert emulator.calls_to("users.lookupByEmail") == []
    assert emulator.calls_to("auth.test") == []


def test_an_owner_slack_does_not_know_is_logged_and_skipped(sessions, emulator, library, caplog):
    write_guide(
        library,
        "one-page-pitch",
        title="One-page pitch",
        owner="ghost@example.com",
        review_by=dt.date(2026, 9, 1),
    )
    workspace = Workspace(content_dir=library)
    with caplog.at_level(logging.WARNING, logger="bot.jobs.reviews"):
        plan(sessions, _client(emulator), MONDAY, workspace)
    assert "ghost@example.com" in caplog.text and "one-page-pitch" in caplog.text

    run_once(
        sessions,
        _client(emulator),
        now=MONDAY.replace(hour=9, minute=30),  # a later pass, and Ana's list is due
        worker="w",
        workspace=workspace,
    )

    [to_ana] = emulator.calls_to("chat.postMessage")  # Ana's list still goes
    assert "One-page pitch" not in json.dumps(to_ana.json_arg("blocks"))
    looked_up = [c.args["email"] for c in emulator.calls_to("users.lookupByEmail")]
    assert looked_up == ["ana@example.com", "ghost@example.com"]  # once this month, not per pass


def test_without_a_content_dir_there_are_no_review_lists(sessions, emulator):
    plan(sessions, _client(emulator), MONDAY, Workspace())

    assert _rows(sessions) == []
    assert emulator.calls_to("users.lookupByEmail") == []
