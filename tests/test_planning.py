"""The weekly "Who did you see at their best?" nudge: planned at each manager's own time, once,
within the budget, and dropped at delivery while they are paused or away."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.db import make_sessionmaker, transaction
from bot.emulator import _default_user
from bot.jobs.clock import run_once
from bot.models import ManagerReport, NudgeFeedback, OutboxMessage
from bot.services import outbox, preferences
from bot.slack.client import make_client
from bot.slack.ids import NudgeAction, View
from tests.conftest import BOT_TOKEN

MANAGER, REPORT = "U0MANAGER", "U0REPORT1"
MONDAY = dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC)
THURSDAY_0930_BERLIN = dt.datetime(2026, 11, 26, 8, 30, tzinfo=dt.UTC)


@pytest.fixture
def sessions(engine, emulator):
    emulator.users[MANAGER] = {**_default_user(MANAGER), "tz": "Europe/Berlin"}
    sessions = make_sessionmaker(engine)
    with transaction(sessions) as session:
        session.add(
            ManagerReport(
                team_id="T0INFLOW1",
                manager_id=MANAGER,
                report_id=REPORT,
                source="slack",
                created_at=MONDAY,
                confirmed_at=MONDAY,
            )
        )
    return sessions


def _client(emulator):
    return make_client(BOT_TOKEN, emulator.api_url, retries=0)


def _rows(sessions, subject: str | None = None) -> list[OutboxMessage]:
    with sessions() as session:
        query = select(OutboxMessage).order_by(OutboxMessage.due_at)
        if subject is not None:
            query = query.where(OutboxMessage.subject == subject)
        return list(session.scalars(query))


def test_a_manager_is_asked_on_thursday_at_their_own_time(sessions, emulator):
    planned, report = run_once(sessions, _client(emulator), now=MONDAY, worker="w")

    assert (planned, report.sent) == (2, 0)  # the spotting nudge and the coaching question
    [row] = _rows(sessions, "spot-weekly")
    assert (row.recipient, row.kind, row.subject, row.occurrence) == (
        MANAGER,
        "coaching",
        "spot-weekly",
        "2026-W48",
    )
    assert row.due_at == THURSDAY_0930_BERLIN


def test_planning_again_the_same_week_adds_nothing(sessions, emulator):
    run_once(sessions, _client(emulator), now=MONDAY, worker="w")
    planned, _ = run_once(
        sessions, _client(emulator), now=MONDAY + dt.timedelta(hours=2), worker="w"
    )
    assert planned == 0
    assert len(_rows(sessions)) == 2


def test_it_arrives_when_due_with_its_guide_and_not_useful(sessions, emulator):
    run_once(sessions, _client(emulator), now=MONDAY, worker="w")
    _, report = run_once(sessions, _client(emulator), now=THURSDAY_0930_BERLIN, worker="w")

    assert report.sent == 1  # Tuesday's coaching question, two days late, was skipped
    dm = next(c for c in emulator.calls_to("chat.postMessage") if "at their best" in c.args["text"])
    assert dm.args["text"] == "Who did you see at their best this week?"
    blocks = dm.json_arg("blocks")
    shown = str(blocks)
    assert NudgeAction.OPEN_SPOT in shown and "spotting-strengths" in shown
    controls = blocks[-1]
    assert [e["action_id"] for e in controls["elements"]] == [
        NudgeAction.NOT_USEFUL,
        NudgeAction.SNOOZE,
        NudgeAction.STOP,
    ]
    assert controls["elements"][0]["value"] == "coaching/spot-weekly/2026-W48"


def test_turning_coaching_off_stops_it(sessions, emulator):
    with transaction(sessions) as session:
        preferences.update(
            session, team_id="T0INFLOW1", user_id=MANAGER, now=MONDAY, kinds_on=["follow_ups"]
        )
    planned, _ = run_once(sessions, _client(emulator), now=MONDAY, worker="w")
    assert planned == 0


def test_a_nudge_due_while_paused_is_dropped_not_stacked(sessions, emulator):
    run_once(sessions, _client(emulator), now=MONDAY, worker="w")
    with transaction(sessions) as session:
        preferences.update(
            session,
            team_id="T0INFLOW1",
            user_id=MANAGER,
            now=MONDAY,
            paused_until=dt.date(2026, 11, 27),
        )

    _, report = run_once(sessions, _client(emulator), now=THURSDAY_0930_BERLIN, worker="w")

    assert report.skipped == {"paused": 1}
    assert emulator.calls_to("chat.postMessage") == []
    statuses = {r.occurrence: r.status for r in _rows(sessions, "spot-weekly")}
    assert statuses == {"2026-W48": "skipped", "2026-W49": "pending"}  # dropped, next one planned


def test_someone_away_gets_nothing_that_day(sessions, emulator):
    emulator.users[MANAGER]["profile"] = {
        **emulator.users[MANAGER]["profile"],
        "status_emoji": ":palm_tree:",
        "status_text": "Vacation",
    }
    run_once(sessions, _client(emulator), now=MONDAY, worker="w")
    _, report = run_once(sessions, _client(emulator), now=THURSDAY_0930_BERLIN, worker="w")
    assert report.skipped == {"away": 1}
    assert emulator.calls_to("chat.postMessage") == []


def _fill_week(sessions, priority: int, n: int = 3) -> None:
    with transaction(sessions) as session:
        for i in range(n):
            outbox.enqueue(
                session,
                team_id="T0INFLOW1",
                recipient=MANAGER,
                kind="follow_ups",
                subject=f"guide:{i}",
                occurrence="2026-W48",
                due_at=MONDAY + dt.timedelta(days=1, hours=i),
                message={"text": "x"},
                priority=priority,
            )


def test_the_weekly_budget_holds_against_nudges_as_useful(sessions, emulator):
    _fill_week(sessions, priority=100)
    planned, _ = run_once(sessions, _client(emulator), now=MONDAY, worker="w")
    assert planned == 0  # this week's routine nudges are dropped; next week plans its own


def test_the_most_useful_nudge_wins_the_budget(sessions, emulator):
    _fill_week(sessions, priority=0)
    run_once(sessions, _client(emulator), now=MONDAY, worker="w")

    this_week = [r for r in _rows(sessions) if r.due_at < MONDAY + dt.timedelta(days=7)]
    assert sorted((r.subject, r.status) for r in this_week) == [
        ("coaching-question", "pending"),
        ("guide:0", "pending"),
        ("guide:1", "skipped"),  # the least useful made way, the last planned first
        ("guide:2", "skipped"),
        ("spot-weekly", "pending"),
    ]
    skipped = [r for r in this_week if r.status == "skipped"]
    assert {r.error for r in skipped} == {"made way for a more useful nudge"}


def test_the_nudges_buttons(served):
    served.slack.click(NudgeAction.OPEN_SPOT, "spot", response_url=served.emulator.response_url())
    assert served.emulator.calls_to("views.open")[0].json_arg("view")["callback_id"] == View.SPOT

    served.slack.click(
        NudgeAction.NOT_USEFUL,
        "coaching/spot-weekly/2026-W48",
        response_url=served.emulator.response_url(),
    )
    with served.session() as session:
        [feedback] = session.scalars(select(NudgeFeedback))
    assert (feedback.kind, feedback.subject) == ("coaching", "spot-weekly")
    assert "wasn't useful" in served.emulator.wait_for_responses(1)[-1][1]["text"]


def _follow_ups(served) -> list[OutboxMessage]:
    with served.session() as session:
        return list(
            session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "follow_ups"))
        )


def test_three_working_days_after_a_guide_the_person_is_asked_what_happened(served, clock):
    from bot.models import GuideOutcome
    from bot.slack.ids import Command, FollowUpAction

    served.slack.command(Command.LEARN, "sbi")  # Monday 23 November, 09:30 UTC
    served.slack.command(Command.LEARN, "sbi feedback model")  # the same guide again: one follow-up
    sessions = make_sessionmaker(served.engine)
    client = _client(served.emulator)

    planned, _ = run_once(sessions, client, now=clock.now, worker="w")

    [row] = _follow_ups(served)
    assert planned == 1 and row.subject == "guide:sbi-feedback"
    assert row.due_at == dt.datetime(2026, 11, 26, 9, 30, tzinfo=dt.UTC)  # Thursday, 09:30 London

    served.emulator.reset()
    _, report = run_once(sessions, client, now=row.due_at, worker="w")
    assert report.sent == 1
    [dm] = served.emulator.calls_to("chat.postMessage")
    assert (
        dm.args["text"]
        == "Did you get to use “Giving feedback with Situation–Behavior–Impact”? What happened?"
    )

    served.slack.click(
        FollowUpAction.HELPED, "sbi-feedback", response_url=served.emulator.response_url()
    )
    with served.session() as session:
        [outcome] = session.scalars(select(GuideOutcome))
    assert (outcome.guide_id, outcome.outcome, outcome.user_id) == (
        "sbi-feedback",
        "helped",
        "U0ASKER01",
    )


def test_no_follow_ups_for_someone_who_turned_them_off(served, clock):
    from bot.slack.ids import Command

    sessions = make_sessionmaker(served.engine)
    with transaction(sessions) as session:
        preferences.update(
            session, team_id="T0INFLOW1", user_id="U0ASKER01", now=clock.now, kinds_on=["coaching"]
        )
    served.slack.command(Command.LEARN, "sbi")

    run_once(sessions, _client(served.emulator), now=clock.now, worker="w")
    assert _follow_ups(served) == []


def _planned_follow_up(served, status: str = "sent") -> None:
    with served.session() as session, session.begin():
        session.add(
            OutboxMessage(
                team_id="T0INFLOW1",
                recipient="U0ASKER01",
                kind="follow_ups",
                subject="guide:sbi-feedback",
                occurrence="2026-W48",
                due_at=dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC),
                message='{"text": "Did you get to use it?"}',
                status=status,
                priority=30,
            )
        )


@pytest.mark.parametrize(
    ("until", "back", "said"),
    [
        ("tomorrow", dt.datetime(2026, 11, 24, 9, 30, tzinfo=dt.UTC), "Tuesday 24 November"),
        ("next_week", dt.datetime(2026, 11, 30, 9, 30, tzinfo=dt.UTC), "Monday 30 November"),
    ],
)
def test_snooze_brings_the_nudge_back_at_the_persons_time(served, until, back, said):
    _planned_follow_up(served)

    served.slack.click(
        NudgeAction.SNOOZE,
        "",
        selected=f"{until}|follow_ups/guide:sbi-feedback/2026-W48",
        element="overflow",
        response_url=served.emulator.response_url(),
    )

    [(_, reply)] = served.emulator.wait_for_responses(1)
    assert reply["text"] == f"Snoozed: it'll be back {said} at 09:30."
    with served.session() as session:
        snoozed = session.scalar(
            select(OutboxMessage).where(OutboxMessage.occurrence.like("2026-W48~%"))
        )
    assert (snoozed.status, snoozed.due_at, snoozed.message, snoozed.priority) == (
        "pending",
        back,
        '{"text": "Did you get to use it?"}',
        30,
    )
    assert snoozed.occurrence == f"2026-W48~{back.date().isoformat()}"


def test_snoozing_a_nudge_that_is_gone_says_so(served):
    served.slack.click(
        NudgeAction.SNOOZE,
        "",
        selected="tomorrow|follow_ups/guide:nothing/2026-W48",
        element="overflow",
        response_url=served.emulator.response_url(),
    )
    [(_, reply)] = served.emulator.wait_for_responses(1)
    assert "no longer planned" in reply["text"]


def test_stop_these_turns_the_kind_off_at_once_and_drops_what_waits(served):
    _planned_follow_up(served, status="pending")

    served.slack.click(
        NudgeAction.STOP,
        "follow_ups/guide:sbi-feedback/2026-W48",
        response_url=served.emulator.response_url(),
    )

    [(_, reply)] = served.emulator.wait_for_responses(1)
    assert reply["text"].startswith("Done: no more “Follow-ups on guides and lessons”")
    with served.session() as session:
        prefs = preferences.get(session, team_id="T0INFLOW1", user_id="U0ASKER01")
        [row] = session.scalars(select(OutboxMessage))
    assert preferences.NudgeKind.FOLLOW_UPS not in prefs.kinds_on
    assert (row.status, row.error) == ("skipped", "turned off")
