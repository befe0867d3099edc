"""Practice paths for managers and at the end, end to end through signed requests and the clock:
a confirmed manager sees where each report is and gets the path's coaching question for their
week, never their words; an unconfirmed link sees nothing; the end-of-path form stores, and the
library report shows each path's figures only for groups of five or more."""

from __future__ import annotations

import csv
import datetime as dt
import json

import pytest
from sqlalchemy import select

from bot.cli import main
from bot.config import Settings, load_settings
from bot.db import transaction
from bot.jobs.clock import run_once
from bot.models import ManagerReport, PracticeEnrolment, PracticeStep
from bot.slack.ids import Command, Field, PracticeAction, View
from tests.conftest import BOT_TOKEN, SIGNING_SECRET, FixedClock

TEAM, ADMIN = "T0INFLOW1", "U0ADMIN01"
BOSS, OTHER_BOSS = "U0BOSS001", "U0BOSS002"
R1, R2, R3 = "U0REPORT1", "U0REPORT2", "U0REPORT3"
PATH = "running-better-retros"
TITLE = "Running retros that change how you work"
MONDAY = dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC)
SECRET_PLAN = "Thursday's retro with <b>Sam</b>"
SECRET_HAPPENED = "Nobody spoke & I froze"
WEEK_1_NOTE = "What's something your team knows that you suspect nobody has told you?"
WEEK_2_NOTE = "Whose voice do you hear least in your team's meetings"


@pytest.fixture
def settings(database_url, emulator) -> Settings:
    return load_settings(
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=emulator.api_url,
        database_url=database_url,
        admin_user_ids=[ADMIN],
    )


def _pass(served, clock: FixedClock, at: dt.datetime):
    clock.now = at
    return run_once(served.sessions, served.workspaces.for_a_pass(), now=at, worker="w")


def _posts_to(served, user: str) -> list:
    channel = served.emulator.dm_of(user)
    return [c for c in served.emulator.calls_to("chat.postMessage") if c.args["channel"] == channel]


def _click(served, action_id: str, value: str, user: str):
    before = len(served.emulator.responses)
    served.slack.click(action_id, value, user_id=user, response_url=served.emulator.response_url())
    responses = served.emulator.wait_for_responses(before + 1)
    return responses[-1][1] if len(responses) > before else None


def _action_values(call, action_id: str) -> list[str]:
    return [
        element["value"]
        for block in call.json_arg("blocks")
        if block["type"] == "actions"
        for element in block["elements"]
        if element.get("action_id") == action_id
    ]


def _link(served, manager: str, report: str, confirmed: bool = True) -> None:
    with transaction(served.sessions) as session:
        session.add(
            ManagerReport(
                team_id=TEAM,
                manager_id=manager,
                report_id=report,
                source="slack",
                created_at=MONDAY,
                confirmed_at=MONDAY if confirmed else None,
            )
        )


def _steps(served, user: str) -> list[PracticeStep]:
    with served.session() as session:
        return list(
            session.scalars(
                select(PracticeStep).where(PracticeStep.user_id == user).order_by(PracticeStep.week)
            )
        )


def _enrolment(served, user: str) -> PracticeEnrolment:
    with served.session() as session:
        return session.scalars(
            select(PracticeEnrolment).where(PracticeEnrolment.user_id == user)
        ).one()


def _start(served, user: str) -> None:
    answer = served.slack.command(Command.LEARN, f"practice {PATH}", user_id=user).json()
    assert f"You're on “{TITLE}”" in answer["text"]


def _tried(served, user: str, step_id: int, confidence: int, happened: str = SECRET_HAPPENED):
    reply = served.slack.submit(
        View.PRACTICE_TRIED,
        {
            Field.WHAT_HAPPENED: {"type": "plain_text_input", "value": happened},
            Field.WHAT_CHANGED: {"type": "plain_text_input", "value": "Shorter retros"},
            Field.CONFIDENCE: {
                "type": "static_select",
                "selected_option": {"value": str(confidence)},
            },
        },
        user_id=user,
        private_metadata=str(step_id),
    )
    assert reply.text == ""


def _home(served, user: str) -> str:
    served.emulator.reset()
    served.slack.event(
        {
            "type": "app_home_opened",
            "user": user,
            "channel": "D0HOME",
            "tab": "home",
            "event_ts": "1",
        },
    )
    [call] = served.emulator.calls_to("views.publish")
    return json.dumps(call.json_arg("view")["blocks"], ensure_ascii=False)


def _reports_practice(served, user: str) -> str:
    """The Home tab's "Your reports' practice" section (empty when there is none)."""
    blocks = json.loads(_home(served, user))
    found, inside = [], False
    for block in blocks:
        if block["type"] == "header":
            inside = block["text"]["text"] == "Your reports' practice"
        elif inside:
            found.append(block)
    return json.dumps(found, ensure_ascii=False)


def _everything_sent_to(served, user: str) -> str:
    return json.dumps([c.args for c in _posts_to(served, user)], ensure_ascii=False)


# -- managers ----------------------------------------------------------------------------------


def test_a_confirmed_manager_sees_each_reports_week_and_the_weeks_coaching_question(served, clock):
    _link(served, BOSS, R1)
    _link(served, BOSS, R2)
    _link(served, BOSS, R3, confirmed=False)  # R3 has not accepted BOSS as their manager
    _link(served, OTHER_BOSS, R1, confirmed=False)
    for report in (R1, R2, R3):
        _start(served, report)
    [r1_week_1, *_] = _steps(served, R1)
    reply = served.slack.submit(
        View.PRACTICE_COMMITMENT,
        {Field.COMMITMENT: {"type": "plain_text_input", "value": SECRET_PLAN}},
        user_id=R1,
        private_metadata=str(r1_week_1.id),
    )
    assert reply.text == ""
    _tried(served, R1, r1_week_1.id, confidence=2)  # R1 is on week 2 now
    [r2_enrolment] = [_enrolment(served, R2)]
    _click(served, PracticeAction.PAUSE, str(r2_enrolment.id), user=R2)
    _click(served, PracticeAction.RESUME, str(r2_enrolment.id), user=R2)

    home = _reports_practice(served, BOSS)
    assert f"<@{R1}>: *{TITLE}*, week 2 of 4" in home
    assert f"<@{R2}>: *{TITLE}*, week 1 of 4" in home
    assert R3 not in home
    for words in ("Sam", "froze", "Shorter retros", "Thursday"):
        assert words not in home

    for day in range(3):  # the week's coaching question goes early in the week
        _pass(served, clock, MONDAY + dt.timedelta(days=day))
    coaching = [
        c for c in _posts_to(served, BOSS) if c.args["text"].startswith("Coaching questions")
    ]
    assert len(coaching) == 1, [c.args["text"] for c in _posts_to(served, BOSS)]
    shown = json.dumps(coaching[0].json_arg("blocks"), ensure_ascii=False)
    assert f"<@{R1}> is on week 2 of 4" in shown and WEEK_2_NOTE in shown
    assert f"<@{R2}> is on week 1 of 4" in shown and WEEK_1_NOTE in shown
    assert R3 not in shown
    everything = _everything_sent_to(served, BOSS)
    for words in ("Sam", "froze", "Shorter retros", "Thursday's retro"):
        assert words not in everything

    # a link the report has not accepted shares nothing
    assert "Your reports' practice" not in _home(served, OTHER_BOSS)
    assert TITLE not in _home(served, OTHER_BOSS)
    assert WEEK_1_NOTE not in _everything_sent_to(served, OTHER_BOSS)
    assert WEEK_2_NOTE not in _everything_sent_to(served, OTHER_BOSS)


def test_a_paused_report_shows_as_paused_and_gets_no_coaching_question(served, clock):
    _link(served, BOSS, R1)
    _start(served, R1)
    _click(served, PracticeAction.PAUSE, str(_enrolment(served, R1).id), user=R1)

    assert f"<@{R1}>: *{TITLE}*, week 1 of 4 (paused)" in _reports_practice(served, BOSS)
    for day in range(8):
        _pass(served, clock, MONDAY + dt.timedelta(days=day))
    assert not [c for c in _posts_to(served, BOSS) if WEEK_1_NOTE in json.dumps(c.args)]
    assert [c for c in _posts_to(served, BOSS) if "coaching question" in c.args["text"]]


# -- the end of a path, and the report ---------------------------------------------------------

FINISHERS = [f"U0FINISH{n}" for n in range(1, 6)]
AFTER = [4, 4, 3, 5, 4]  # from 2 after week 1: +2, +2, +1, +3, +2


def _finish(served, user: str, after: int, shared: str) -> dict:
    """Through the whole path: tried week 1 (confidence 2), skipped 2 and 3, tried week 4; then
    the end-of-path form from its DM. Returns the form that opened."""
    _start(served, user)
    steps = _steps(served, user)
    _tried(served, user, steps[0].id, confidence=2)
    for step in steps[1:3]:
        assert "Skipped" in _click(served, PracticeAction.SKIP, str(step.id), user=user)["text"]
    _tried(served, user, steps[3].id, confidence=after)
    done = _posts_to(served, user)[-1]
    assert done.args["text"].startswith(f"You've finished “{TITLE}”")
    [enrolment_id] = _action_values(done, PracticeAction.LOOK_BACK)

    served.emulator.reset()
    _click(served, PracticeAction.LOOK_BACK, enrolment_id, user=user)
    form = served.emulator.calls_to("views.open")[-1].json_arg("view")
    reply = served.slack.submit(
        View.PRACTICE_LOOK_BACK,
        {
            Field.CONFIDENCE: {"type": "static_select", "selected_option": {"value": str(after)}},
            Field.DIFFERENCE: {"type": "plain_text_input", "value": f"I ask first now, {user}"},
            Field.SHARED_LINE: {"type": "plain_text_input", "value": shared},
        },
        user_id=user,
        private_metadata=enrolment_id,
    )
    assert reply.text == ""
    return form


def _practice_section(served) -> str:
    answer = served.slack.command(Command.LEARN, "report", user_id=ADMIN).json()
    [found] = [
        b["text"]["text"]
        for b in answer["blocks"]
        if b["type"] == "section" and b["text"]["text"].startswith("*Practice paths*")
    ]
    return found


def test_the_end_of_path_form_stores_and_the_report_shows_a_path_from_five_people(
    served, clock, database_url, tmp_path, monkeypatch, capsys
):
    shared = [f"Retros end with <!channel> & one owner ({n})" for n in range(1, 6)]
    form = _finish(served, FINISHERS[0], AFTER[0], shared[0])
    assert form["callback_id"] == View.PRACTICE_LOOK_BACK
    blocks = {b.get("block_id") for b in form["blocks"]}
    assert Field.CONFIDENCE_BEFORE not in blocks  # week 1's check-in said it
    assert "After week 1 you said 2 out of 5." in json.dumps(form["blocks"])
    enrolment = _enrolment(served, FINISHERS[0])
    assert (enrolment.status, enrolment.confidence_before, enrolment.confidence_after) == (
        "finished",
        2,
        4,
    )
    assert enrolment.difference == f"I ask first now, {FINISHERS[0]}"
    assert enrolment.shared_line == shared[0]
    thanks = _posts_to(served, FINISHERS[0])[-1].args["text"]
    assert "Thank you. Confidence 2 then, 4 now." in thanks

    for user, after, line in zip(FINISHERS[1:4], AFTER[1:4], shared[1:4], strict=True):
        _finish(served, user, after, line)
    four = _practice_section(served)
    assert f"`{PATH}`: invited 0 people, started &lt;5 people" in four
    assert "finished &lt;5 people" in four and "&lt;5 (&lt;5 people looked back)" in four
    assert "Retros end with" not in four

    _finish(served, FINISHERS[4], AFTER[4], shared[4])
    five = _practice_section(served)
    assert (
        f"`{PATH}`: invited 0 people, started 5 people, 10 steps tried by 5 people, "
        "finished 5 people; confidence change on average +2.0 (5 people looked back)"
    ) in five
    assert "“Retros end with &lt;!channel&gt; &amp; one owner (1)”" in five
    assert "<!channel>" not in five
    for user in FINISHERS:
        assert user not in five
    assert "I ask first" not in five  # what is different stays theirs

    for name, value in {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_API_URL": served.emulator.api_url,
        "DATABASE_URL": database_url,
    }.items():
        monkeypatch.setenv(name, value)
    out = tmp_path / "report"
    assert main(["report", "--csv", str(out), "--now", clock.now.isoformat()]) == 0
    with (out / "practice_paths.csv").open(encoding="utf-8") as handle:
        assert list(csv.DictReader(handle)) == [
            {
                "path": PATH,
                "invited": "0",
                "started": "5",
                "steps_tried": "10",
                "people_tried": "5",
                "finished": "5",
                "looked_back": "5",
                "average_confidence_change": "+2.0",
            }
        ]
    with (out / "candidate_material.csv").open(encoding="utf-8") as handle:
        lines = [r["text"] for r in csv.DictReader(handle) if r["source"] == "practice path"]
    assert lines == sorted(shared)


def test_the_form_asks_for_confidence_before_when_week_one_was_skipped(served):
    user = FINISHERS[0]
    _start(served, user)
    steps = _steps(served, user)
    for step in steps:
        _click(served, PracticeAction.SKIP, str(step.id), user=user)
    done = _posts_to(served, user)[-1]
    [enrolment_id] = _action_values(done, PracticeAction.LOOK_BACK)

    _click(served, PracticeAction.LOOK_BACK, enrolment_id, user=user)
    form = served.emulator.calls_to("views.open")[-1].json_arg("view")
    assert Field.CONFIDENCE_BEFORE in {b.get("block_id") for b in form["blocks"]}
    empty = served.slack.submit(
        View.PRACTICE_LOOK_BACK,
        {
            Field.CONFIDENCE_BEFORE: {"type": "static_select", "selected_option": {"value": "1"}},
            Field.CONFIDENCE: {"type": "static_select", "selected_option": {"value": "3"}},
            Field.DIFFERENCE: {"type": "plain_text_input", "value": "   "},
            Field.SHARED_LINE: {"type": "plain_text_input", "value": None},
        },
        user_id=user,
        private_metadata=enrolment_id,
    ).json()
    assert "what is different" in empty["errors"][Field.DIFFERENCE]
    served.slack.submit(
        View.PRACTICE_LOOK_BACK,
        {
            Field.CONFIDENCE_BEFORE: {"type": "static_select", "selected_option": {"value": "1"}},
            Field.CONFIDENCE: {"type": "static_select", "selected_option": {"value": "3"}},
            Field.DIFFERENCE: {"type": "plain_text_input", "value": "Retros end on time"},
            Field.SHARED_LINE: {"type": "plain_text_input", "value": None},
        },
        user_id=user,
        private_metadata=enrolment_id,
    )
    enrolment = _enrolment(served, user)
    assert (enrolment.confidence_before, enrolment.confidence_after) == (1, 3)
    assert enrolment.shared_line is None
    assert "Nothing you wrote is shared." in json.dumps(_posts_to(served, user)[-1].args)
    again = _click(served, PracticeAction.LOOK_BACK, enrolment_id, user=user)
    assert "Already noted" in again["text"]
