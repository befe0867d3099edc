"""The routines the planner keeps alive: the coaching question, the lesson after a mistake
moment, idea check-ins and stuck ideas, the weekly reflection and a channel's recurring debrief;
with holidays, daylight saving, changed preferences and "not useful" taps taken into account."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot import profiles
from bot.db import make_sessionmaker, transaction
from bot.emulator import _default_user
from bot.jobs import planner
from bot.jobs.clock import Workspace, run_once
from bot.jobs.slots import soon
from bot.jobs.wants import Want
from bot.models import Debrief, DebriefSchedule, ManagerReport, NudgeFeedback, OutboxMessage
from bot.services import holidays, ideas, mistakes, preferences
from bot.services.mistakes import MomentWhen
from bot.services.preferences import NudgeKind
from bot.slack.client import make_client
from bot.slack.ids import DebriefAction, IdeaAction, MomentAction
from tests.conftest import BOT_TOKEN

TEAM, MANAGER, REPORT, OTHER = "T0INFLOW1", "U0MANAGER", "U0REPORT1", "U0REPORT2"
MONDAY = dt.datetime(2026, 11, 23, 7, 0, tzinfo=dt.UTC)  # before anyone's 09:30


@pytest.fixture
def sessions(engine, emulator):
    for user in (MANAGER, REPORT, OTHER):
        emulator.users[user] = {**_default_user(user), "tz": "Europe/London"}
    sessions = make_sessionmaker(engine)
    with transaction(sessions) as session:
        for report in (REPORT, OTHER):
            session.add(
                ManagerReport(
                    team_id=TEAM,
                    manager_id=MANAGER,
                    report_id=report,
                    source="slack",
                    created_at=MONDAY,
                    confirmed_at=MONDAY,
                )
            )
    return sessions


def _client(emulator):
    return make_client(BOT_TOKEN, emulator.api_url, retries=0)


def _plan(sessions, emulator, now, **workspace) -> int:
    return planner.plan(sessions, _client(emulator), now=now, **workspace)


def _row(sessions, subject: str) -> OutboxMessage:
    with sessions() as session:
        [row] = session.scalars(select(OutboxMessage).where(OutboxMessage.subject == subject))
        return row


def _subjects(sessions) -> set[str]:
    with sessions() as session:
        return set(session.scalars(select(OutboxMessage.subject)))


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=dt.UTC)


def test_before_each_week_a_coaching_question_to_try_with_one_report(sessions, emulator):
    _plan(sessions, emulator, MONDAY)

    row = _row(sessions, "coaching-question")
    assert row.due_at == at(23, 9, 30) and row.occurrence == "2026-W48"
    text = row.message
    # week 48: 48 % 6 == 0, the first guide; 48 % 2 == 0, the first report (in id order)
    assert "coaching-in-the-moment" in text and f"<@{REPORT}>" in text

    _plan(sessions, emulator, at(30, 7))
    [next_week] = [r for r in _rows_of(sessions, "coaching-question") if r.occurrence == "2026-W49"]
    assert "grow-coaching" in next_week.message and f"<@{OTHER}>" in next_week.message


def _rows_of(sessions, subject: str) -> list[OutboxMessage]:
    with sessions() as session:
        return list(session.scalars(select(OutboxMessage).where(OutboxMessage.subject == subject)))


def test_the_working_day_after_a_mistake_moment_chat_the_author_is_asked_for_the_lesson(
    sessions, emulator
):
    friday = at(20, 15)
    with transaction(sessions) as session:
        moment = mistakes.start(
            session,
            team_id=TEAM,
            author_id=REPORT,
            colleague_id=None,
            what_happened="I sent the wrong file",
            when=MomentWhen.NOW,
            now=friday,
        )
        moment_id = moment.id

    _plan(sessions, emulator, friday + dt.timedelta(minutes=5))

    row = _row(sessions, f"lesson:{moment_id}")
    assert (row.recipient, row.kind, row.due_at) == (REPORT, "follow_ups", at(23, 9, 30))  # Monday
    assert MomentAction.WRITE_LESSON in row.message
    assert "wrong file" not in row.message  # what happened stays out of scheduled messages

    with transaction(sessions) as session:
        mistakes.record_lesson(
            session,
            team_id=TEAM,
            moment_id=moment_id,
            user_id=REPORT,
            lesson="Check the attachment",
            share=False,
            now=friday + dt.timedelta(hours=1),
        )
    assert _plan(sessions, emulator, friday + dt.timedelta(hours=2)) == 0


def test_an_idea_is_checked_in_at_its_stage_and_its_managers_hear_when_it_sits_still(
    sessions, emulator
):
    pitched_on = at(2, 10)  # a Monday
    with transaction(sessions) as session:
        idea = ideas.pitch(
            session,
            team_id=TEAM,
            author_id=REPORT,
            sponsor_id=OTHER,
            title="Pair on <every> release",
            now=pitched_on,
        )
        idea_id = idea.id

    _plan(sessions, emulator, at(3, 7))
    check_in = _row(sessions, f"idea:{idea_id}")
    assert (check_in.recipient, check_in.occurrence, check_in.due_at) == (
        REPORT,
        "pitch",
        at(9, 9, 30),  # five working days on
    )
    assert IdeaAction.ADVANCE in check_in.message and "&lt;every&gt;" in check_in.message
    assert f"idea-stuck:{idea_id}" not in _subjects(sessions)

    _plan(sessions, emulator, at(17, 7))  # two weeks and a day at Pitch
    stuck = _row(sessions, f"idea-stuck:{idea_id}")
    assert (stuck.recipient, stuck.kind, stuck.due_at) == (MANAGER, "coaching", at(17, 9, 30))
    assert "has been at Pitch for 15 days" in stuck.message


def test_the_weekly_reflection_is_off_until_chosen_then_on_the_last_working_day(sessions, emulator):
    _plan(sessions, emulator, MONDAY)
    assert "weekly-reflection" not in _subjects(sessions)

    with transaction(sessions) as session:
        preferences.update(
            session,
            team_id=TEAM,
            user_id=REPORT,
            now=MONDAY,
            days=["mon", "tue", "wed", "thu"],
            kinds_on=["follow_ups", "reflection"],
        )
    _plan(sessions, emulator, MONDAY)
    row = _row(sessions, "weekly-reflection")
    assert (row.recipient, row.due_at) == (REPORT, at(26, 9, 30))  # their last day is Thursday


def test_holidays_are_skipped_for_everyone_and_dropped_at_the_door(sessions, emulator):
    with transaction(sessions) as session:
        holidays.add(session, team_id=TEAM, day=dt.date(2026, 11, 26), name="Company day")
    _plan(sessions, emulator, MONDAY)
    assert _row(sessions, "spot-weekly").due_at == at(27, 9, 30)  # Friday, not Thursday

    with transaction(sessions) as session:
        session.add(
            OutboxMessage(
                team_id=TEAM,
                recipient=REPORT,
                kind="follow_ups",
                subject="guide:x",
                occurrence="2026-W48",
                due_at=at(26, 9, 30),
                message='{"text": "x"}',
            )
        )
    _, report = run_once(sessions, _client(emulator), now=at(26, 9, 30), worker="w")
    assert report.skipped == {"holiday": 1} and report.sent == 0


@pytest.mark.parametrize(
    ("tz", "before", "after"),
    [
        # Berlin leaves summer time on Sunday 25 October 2026; New York on 1 November.
        ("Europe/Berlin", at(22, 7, 30).replace(month=10), at(29, 8, 30).replace(month=10)),
        ("America/New_York", at(29, 13, 30).replace(month=10), at(5, 14, 30)),
    ],
)
def test_the_weekly_nudge_keeps_its_local_time_across_a_daylight_saving_change(
    sessions, emulator, tz, before, after
):
    emulator.users[MANAGER]["tz"] = tz
    _plan(sessions, emulator, before - dt.timedelta(days=3))
    run_once(sessions, _client(emulator), now=before, worker="w")
    _plan(sessions, emulator, after - dt.timedelta(days=3))

    due = sorted(r.due_at for r in _rows_of(sessions, "spot-weekly"))
    assert due == [before, after]  # 09:30 local both weeks, one UTC hour apart


def test_quiet_hours_move_a_late_evening_time_to_the_morning(sessions, emulator):
    with transaction(sessions) as session:
        preferences.update(session, team_id=TEAM, user_id=MANAGER, now=MONDAY, time="22:30")
    _plan(sessions, emulator, MONDAY)
    assert _row(sessions, "spot-weekly").due_at == at(26, 8, 0)


def test_changing_the_time_replans_what_is_waiting(sessions, emulator):
    _plan(sessions, emulator, MONDAY)
    assert _row(sessions, "spot-weekly").due_at == at(26, 9, 30)

    with transaction(sessions) as session:
        preferences.update(session, team_id=TEAM, user_id=MANAGER, now=MONDAY, time="14:00")
    _plan(sessions, emulator, MONDAY + dt.timedelta(minutes=5))

    assert _row(sessions, "spot-weekly").due_at == at(26, 14, 0)


def test_not_useful_taps_make_a_kind_lose_to_others_for_the_last_place(sessions, emulator):
    with transaction(sessions) as session:
        for _ in range(2):
            session.add(
                NudgeFeedback(
                    team_id=TEAM, user_id=MANAGER, kind="coaching", subject="spot-weekly", at=MONDAY
                )
            )
    planner.plan(sessions, _client(emulator), now=MONDAY, budget=1)

    # spotting (25) less two taps (30) falls below the coaching question (20)
    assert _subjects(sessions) == {"coaching-question"}


def test_a_channels_recurring_debrief_is_posted_there_on_its_day(sessions, emulator):
    with transaction(sessions) as session:
        session.add(
            DebriefSchedule(
                team_id=TEAM,
                channel_id="C0PROJECT",
                every_days=7,
                monthly=False,
                set_by=MANAGER,
                starts_on=at(16, 11),
            )
        )
    assert _plan(sessions, emulator, at(21, 12)) == 2  # too early: the coaching nudges only
    _plan(sessions, emulator, at(22, 12))  # the day before
    row = _row(sessions, "schedule:1")
    assert (row.recipient, row.kind, row.occurrence, row.due_at) == (
        "C0PROJECT",
        "debrief",
        "2026-11-23",
        at(23, 9, 30),
    )
    _plan(sessions, emulator, at(22, 12, 5))
    assert len(_rows_of(sessions, "schedule:1")) == 1

    _, report = run_once(sessions, _client(emulator), now=at(23, 9, 30), worker="w")
    posts = [c for c in emulator.calls_to("chat.postMessage") if c.args["channel"] == "C0PROJECT"]
    assert len(posts) == 1 and report.sent >= 1
    assert DebriefAction.ANSWER in str(posts[0].json_arg("blocks"))
    assert "nudge_controls" not in str(posts[0].json_arg("blocks"))  # a channel gets no snooze
    with sessions() as session:
        [debrief] = session.scalars(select(Debrief))
    assert debrief.message_ts == _row(sessions, "schedule:1").message_ts is not None


def test_a_daily_debrief_makes_one_invitation_after_a_weekend_not_three(sessions, emulator):
    with transaction(sessions) as session:
        session.add(
            DebriefSchedule(
                team_id=TEAM,
                channel_id="C0PROJECT",
                every_days=1,
                monthly=False,
                set_by=MANAGER,
                starts_on=at(19, 11),  # Thursday
            )
        )
    for day in (20, 21, 22, 23):  # Friday to Monday, at noon
        _plan(sessions, emulator, at(day, 12))

    rows = _rows_of(sessions, "schedule:1")
    assert sorted(r.occurrence for r in rows) == ["2026-11-20", "2026-11-23"]
    with sessions() as session:
        assert len(session.scalars(select(Debrief)).all()) == 2


def test_newcomers_profiles_are_fetched_within_a_limit_per_pass(sessions, emulator):
    wants = [
        Want(TEAM, f"U0NEW{n:04d}", NudgeKind.FOLLOW_UPS, "x", soon(), dict, 1) for n in range(5)
    ]
    profiles.refresh_profiles(
        sessions, _client(emulator), {(w.team_id, w.user_id) for w in wants}, now=MONDAY, limit=3
    )
    assert len(emulator.calls_to("users.info")) == 3


def test_run_once_uses_the_workspace_default_zone_for_people_without_one(sessions, emulator):
    emulator.users[MANAGER]["tz"] = None
    run_once(
        sessions,
        _client(emulator),
        now=MONDAY,
        worker="w",
        workspace=Workspace(default_tz="Asia/Tokyo"),
    )
    assert _row(sessions, "spot-weekly").due_at == at(26, 0, 30)  # 09:30 in Tokyo


def test_an_admin_sets_holidays_from_the_command_line(
    database_url, engine, emulator, monkeypatch, capsys
):
    from bot.cli import main

    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_API_URL", emulator.api_url)
    monkeypatch.setenv("DATABASE_URL", database_url)

    assert main(["holidays", "add", "2099-12-25", "--name", "Christmas Day"]) == 0
    assert main(["holidays", "add", "2099-12-25"]) == 0
    assert main(["holidays", "list"]) == 0
    out = capsys.readouterr().out
    assert "2099-12-25: added" in out and "already a holiday" in out
    assert "2099-12-25\tChristmas Day" in out
    with make_sessionmaker(engine)() as session:
        assert holidays.by_team(session, since=dt.date(2099, 1, 1)) == {
            TEAM: frozenset({dt.date(2099, 12, 25)})
        }

    assert main(["holidays", "remove", "2099-12-24"]) == 1
    assert "2099-12-24 is not a holiday." in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["holidays", "add", "25/12/2099"])
    assert "is not a date like 2026-12-25" in capsys.readouterr().err
