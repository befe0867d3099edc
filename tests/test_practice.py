"""Practice paths end to end: `/learn practice`, invitations, and the weeks (step, commitment,
check-in) driven by signed requests and the clock, through the planner and its budget."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from bot.db import transaction
from bot.jobs.clock import run_once
from bot.models import ManagerReport, OutboxMessage, PracticeEnrolment, PracticeStep
from bot.services.outbox import NUDGE_KINDS, OutboxKind, OutboxStatus
from bot.services.timing import local_week
from bot.slack.ids import Command, Field, NudgeAction, PracticeAction, View
from tests.conftest import FixedClock

ME, PEER, BOSS, STRANGER = "U0ASKER01", "U0PEER001", "U0BOSS001", "U0STRANGE"
PATH = "giving-feedback"
MONDAY = dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC)
COMMITMENT = "My 1:1 with <@U0PEER001> & <!channel> on Tuesday"
HAPPENED = "I named the <b>moment</b> & they nodded"


def _day(days: int) -> dt.datetime:
    return MONDAY + dt.timedelta(days=days)


def _pass(served, clock: FixedClock, at: dt.datetime):
    """The clock moves to `at`, and one plan-and-deliver pass runs there."""
    clock.now = at
    return run_once(served.sessions, served.workspaces.for_a_pass(), now=at, worker="w")


def _posts_to(served, user: str) -> list:
    channel = served.emulator.dm_of(user)
    return [c for c in served.emulator.calls_to("chat.postMessage") if c.args["channel"] == channel]


def _blocks(call) -> str:
    return json.dumps(call.json_arg("blocks"))


def _action_values(call, action_id: str) -> list[str]:
    return [
        element["value"]
        for block in call.json_arg("blocks")
        if block["type"] == "actions"
        for element in block["elements"]
        if element.get("action_id") == action_id
    ]


def _click(served, action_id: str, value: str, user: str = ME):
    before = len(served.emulator.responses)
    served.slack.click(action_id, value, user_id=user, response_url=served.emulator.response_url())
    responses = served.emulator.wait_for_responses(before + 1)
    return responses[-1][1] if len(responses) > before else None


def _enrolments(served) -> list[PracticeEnrolment]:
    with served.session() as session:
        return list(session.scalars(select(PracticeEnrolment).order_by(PracticeEnrolment.id)))


def _steps(served) -> list[PracticeStep]:
    with served.session() as session:
        return list(session.scalars(select(PracticeStep).order_by(PracticeStep.week)))


def _commit(served, step_id: int, text: str = COMMITMENT):
    return served.slack.submit(
        View.PRACTICE_COMMITMENT,
        {Field.COMMITMENT: {"type": "plain_text_input", "value": text}},
        user_id=ME,
        private_metadata=str(step_id),
    )


def _tried(served, step_id: int, confidence: str = "4"):
    return served.slack.submit(
        View.PRACTICE_TRIED,
        {
            Field.WHAT_HAPPENED: {"type": "plain_text_input", "value": HAPPENED},
            Field.WHAT_CHANGED: {"type": "plain_text_input", "value": "Shorter reviews"},
            Field.CONFIDENCE: {
                "type": "static_select",
                "selected_option": {"value": confidence},
            },
        },
        user_id=ME,
        private_metadata=str(step_id),
    )


@pytest.fixture
def started(served, clock):
    """ME on the giving-feedback path since Monday 09:30, week 1's DM sent."""
    answer = served.slack.command(Command.LEARN, f"practice {PATH}", user_id=ME).json()
    assert "You're on “Giving feedback that helps”: 4 weeks" in answer["text"]
    _pass(served, clock, MONDAY)
    return served


# -- starting --------------------------------------------------------------------------------


def test_practice_lists_every_path_with_a_start_button(served):
    answer = served.slack.command(Command.LEARN, "practice").json()

    shown = json.dumps(answer["blocks"])
    assert answer["response_type"] == "ephemeral"
    assert "Giving feedback that helps" in shown and "4 weeks" in shown
    starts = [
        b["accessory"]["value"]
        for b in answer["blocks"]
        if b.get("accessory", {}).get("action_id") == PracticeAction.START
    ]
    assert PATH in starts and len(starts) >= 6


def test_the_start_button_starts_the_path_and_says_how_often(served):
    said = _click(served, PracticeAction.START, PATH)

    assert "You're on “Giving feedback that helps”" in said["text"]
    assert "One step a week" in json.dumps(said["blocks"])
    assert "Mon, Tue, Wed, Thu, Fri" in json.dumps(said["blocks"])
    [enrolment] = _enrolments(served)
    assert (enrolment.user_id, enrolment.status, enrolment.current_week) == (ME, "active", 1)
    assert [s.week for s in _steps(served)] == [1, 2, 3, 4]


def test_starting_twice_says_you_are_already_on_it(served):
    served.slack.command(Command.LEARN, f"practice {PATH}")
    again = served.slack.command(Command.LEARN, f"practice {PATH}").json()

    assert "already on “Giving feedback that helps” (week 1 of 4)" in again["text"]
    assert len(_enrolments(served)) == 1 and len(_steps(served)) == 4


def test_an_unknown_path_is_answered_kindly_with_every_path_to_start(served):
    answer = served.slack.command(Command.LEARN, "practice <b>juggling").json()

    assert "no practice path called “&lt;b&gt;juggling”" in answer["text"]
    shown = json.dumps(answer["blocks"])
    assert f"`{PATH}`" in shown and "new-manager-first-weeks" in shown
    assert _enrolments(served) == []


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("practice feedback", "giving-feedback"),
        ("practise retros", "running-better-retros"),
        ("practice delegation", "delegating-well"),
        ("practice coaching", "coaching-conversations"),
    ],
)
def test_a_path_named_in_other_words_is_offered_not_started(served, typed, meant):
    answer = served.slack.command(Command.LEARN, typed).json()

    starts = [
        block["accessory"]["value"]
        for block in answer["blocks"]
        if block.get("accessory", {}).get("action_id") == PracticeAction.START
    ]
    assert starts == [meant]
    assert "Is it this one?" in json.dumps(answer["blocks"])
    assert _enrolments(served) == []


# -- the weeks -------------------------------------------------------------------------------


def test_three_weeks_step_commitment_check_in_and_next_step_within_the_budget(
    started, clock, emulator
):
    served = started
    _manage(served, ME, PEER, STRANGER)  # a coaching question a week competes for ME's budget
    _manage(served, BOSS, ME)  # and BOSS is asked to coach ME: messages to someone else
    served.slack.command(Command.LEARN, "sbi feedback")  # a guide viewed: a follow-up wants in

    for week in range(3):
        monday = week * 7
        if week:
            _pass(served, clock, _day(monday))
        [step_dm] = [c for c in _posts_to(served, ME) if f"Week {week + 1} of 4" in c.args["text"]]
        shown = _blocks(step_dm)
        assert "Guide:" in shown and NudgeAction.NOT_USEFUL not in shown
        assert _action_values(step_dm, PracticeAction.PAUSE)
        assert _action_values(step_dm, PracticeAction.LEAVE)
        [step_id] = _action_values(step_dm, PracticeAction.COMMIT)

        _click(served, PracticeAction.COMMIT, step_id)
        view = served.emulator.calls_to("views.open")[-1].json_arg("view")
        assert view["callback_id"] == View.PRACTICE_COMMITMENT
        assert _commit(served, int(step_id)).text == ""
        noted = _posts_to(served, ME)[-1]
        assert "My 1:1 with &lt;@U0PEER001&gt; &amp; &lt;!channel&gt;" in _blocks(noted)

        for day in range(1, 4):  # Tuesday to Thursday: no check-in yet
            _pass(served, clock, _day(monday + day))
        assert not [c for c in _posts_to(served, ME) if "how did it go" in c.args["text"]][week:]
        _pass(served, clock, _day(monday + 4))  # Friday: the check-in
        check_in = _posts_to(served, ME)[-1]
        assert "how did it go?" in check_in.args["text"]
        assert "You planned: My 1:1 with &lt;@U0PEER001&gt; &amp; &lt;!channel&gt;" in _blocks(
            check_in
        )
        [tried] = _action_values(check_in, PracticeAction.TRIED)
        assert _action_values(check_in, PracticeAction.NOT_YET) == [tried]

        _click(served, PracticeAction.TRIED, tried)
        assert served.emulator.calls_to("views.open")[-1].json_arg("view")["callback_id"] == (
            View.PRACTICE_TRIED
        )
        assert _tried(served, int(tried)).text == ""
        thanks = _posts_to(served, ME)[-1]
        assert f"Next up, week {week + 2}" in thanks.args["text"]

    steps = _steps(served)
    assert [s.outcome for s in steps] == ["tried", "tried", "tried", None]
    assert steps[0].what_happened == HAPPENED and steps[0].confidence == 4
    assert steps[0].commitment == COMMITMENT
    assert _enrolments(served)[0].current_week == 4

    # the budget held: at most three nudges a week, and every practice message among them
    with served.session() as session:
        rows = session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.recipient == ME,
                OutboxMessage.kind.in_([k.value for k in NUDGE_KINDS]),
                OutboxMessage.status.in_([OutboxStatus.SENT.value, OutboxStatus.PENDING.value]),
            )
        ).all()
    weeks: dict[str, list[str]] = {}
    for row in rows:
        weeks.setdefault(local_week(row.due_at, dt.UTC), []).append(row.kind)
    assert weeks and all(len(kinds) <= 3 for kinds in weeks.values()), weeks
    assert [kinds.count(OutboxKind.PRACTICE) for _, kinds in sorted(weeks.items())][:3] == [2] * 3
    assert any(OutboxKind.COACHING in kinds for kinds in weeks.values())

    # what ME typed went to ME alone
    mine = emulator.dm_of(ME)
    for call in emulator.calls_to("chat.postMessage") + emulator.calls_to("chat.update"):
        if call.args.get("channel") != mine:
            assert "1:1 with" not in json.dumps(call.args) and "nodded" not in json.dumps(call.args)
    for _, body in emulator.responses:
        assert "1:1 with" not in json.dumps(body)
    assert _posts_to(served, BOSS), "the manager got messages, none with ME's words"


def _to_check_in(served, clock, start: int = 0) -> str:
    """Through a week from Monday `start` to Friday's check-in; returns the check-in's step."""
    for day in range(start + 1, start + 5):
        _pass(served, clock, _day(day))
    check_in = _posts_to(served, ME)[-1]
    assert "how did it go?" in check_in.args["text"]
    return _action_values(check_in, PracticeAction.TRIED)[0]


def test_not_yet_asks_again_a_few_days_later_once(started, clock):
    served = started
    step_id = _to_check_in(served, clock)

    said = _click(served, PracticeAction.NOT_YET, step_id)
    assert "ask again in a few days" in said["text"]
    _pass(served, clock, _day(5))
    _pass(served, clock, _day(6))
    assert len([c for c in _posts_to(served, ME) if "how did it go" in c.args["text"]]) == 1

    _pass(served, clock, _day(7))  # Monday: asked again, without a second *Not yet*
    again = _posts_to(served, ME)[-1]
    assert "how did it go?" in again.args["text"]
    assert _action_values(again, PracticeAction.NOT_YET) == []
    assert _action_values(again, PracticeAction.SKIP) == [step_id]
    assert not [c for c in _posts_to(served, ME) if "Week 2 of 4" in c.args["text"]]


def test_an_unanswered_check_in_does_not_stall_the_path(started, clock):
    served = started
    step_id = _to_check_in(served, clock)  # Friday's check-in, never answered
    for day in range(5, 7):
        _pass(served, clock, _day(day))
    assert not [c for c in _posts_to(served, ME) if "Week 2 of 4" in c.args["text"]]

    _pass(served, clock, _day(7))  # Monday: week 2 anyway
    assert "Week 2 of 4" in _posts_to(served, ME)[-1].args["text"]
    assert [s.outcome for s in _steps(served)][:2] == ["no_answer", None]
    assert _enrolments(served)[0].current_week == 2
    said = _click(served, PracticeAction.TRIED, step_id)  # week 1's late answer
    assert "That week has moved on" in said["text"]

    for day in range(8, 12):
        _pass(served, clock, _day(day))  # week 2's check-in comes on Friday
    last = _posts_to(served, ME)[-1].args["text"]
    assert last == "Week 2 of 4, “One moment, told as it happened”: how did it go?"


def test_skip_moves_on_to_next_weeks_step(started, clock):
    served = started
    step_id = _to_check_in(served, clock)

    said = _click(served, PracticeAction.SKIP, step_id)
    assert "Skipped. Next up, week 2" in said["text"]
    assert _click(served, PracticeAction.SKIP, step_id)["text"].startswith("Already noted")

    _pass(served, clock, _day(7))
    assert "Week 2 of 4" in _posts_to(served, ME)[-1].args["text"]
    assert [s.outcome for s in _steps(served)][:2] == ["skipped", None]


def test_the_last_weeks_answer_finishes_the_path(started, clock):
    served = started
    for week in range(4):
        step_id = _to_check_in(served, clock, start=week * 7)
        said = _click(served, PracticeAction.SKIP, step_id)
        _pass(served, clock, _day(week * 7 + 7))
    assert "That was the last week of “Giving feedback that helps”" in said["text"]
    assert _enrolments(served)[0].status == "finished"
    assert [s.outcome for s in _steps(served)] == ["skipped"] * 4
    assert not [c for c in _posts_to(served, ME) if "Week 5" in c.args["text"]]


def test_pause_stops_everything_until_resumed(started, clock):
    served = started
    for day in range(1, 3):
        _pass(served, clock, _day(day))  # Friday's check-in is planned by now
    step_dm = _posts_to(served, ME)[0]
    [enrolment_id] = _action_values(step_dm, PracticeAction.PAUSE)

    said = _click(served, PracticeAction.PAUSE, enrolment_id)
    assert "Paused “Giving feedback that helps”" in said["text"]
    assert PracticeAction.RESUME in json.dumps(said["blocks"])
    sent = len(_posts_to(served, ME))
    for day in range(3, 15):
        _pass(served, clock, _day(day))
    assert len(_posts_to(served, ME)) == sent
    assert _enrolments(served)[0].status == "paused"

    said = _click(served, PracticeAction.RESUME, enrolment_id)
    assert "Resumed" in said["text"]
    _pass(served, clock, _day(15))
    assert "how did it go?" in _posts_to(served, ME)[-1].args["text"]


def test_leave_the_path_in_one_tap(started, clock):
    served = started
    [enrolment_id] = _action_values(_posts_to(served, ME)[0], PracticeAction.LEAVE)

    said = _click(served, PracticeAction.LEAVE, enrolment_id)
    assert "You've left “Giving feedback that helps”" in said["text"]
    sent = len(_posts_to(served, ME))
    for day in range(1, 15):
        _pass(served, clock, _day(day))
    assert len(_posts_to(served, ME)) == sent
    assert _enrolments(served)[0].status == "left"
    again = served.slack.command(Command.LEARN, f"practice {PATH}").json()
    assert "You're on" in again["text"]  # they may start it again later


# -- invitations -----------------------------------------------------------------------------


def _manage(served, manager: str, *reports: str) -> None:
    with transaction(served.sessions) as session:
        for report in reports:
            session.add(
                ManagerReport(
                    team_id="T0INFLOW1",
                    manager_id=manager,
                    report_id=report,
                    source="slack",
                    created_at=MONDAY,
                    confirmed_at=MONDAY,
                )
            )


def test_an_invitation_accepted_by_one_and_declined_by_another(served, clock):
    _manage(served, BOSS, ME, PEER)
    answer = served.slack.command(
        Command.LEARN, f"practice {PATH} <@{ME}|me> <@{PEER}>", user_id=BOSS
    ).json()

    assert "Invited" in answer["text"] and "joins only if they accept" in answer["text"]
    assert {e.status for e in _enrolments(served)} == {"invited"}
    assert _steps(served) == []
    [to_me] = _posts_to(served, ME)
    [to_peer] = _posts_to(served, PEER)
    assert f"<@{BOSS}> invited you" in to_me.args["text"]

    [join] = _action_values(to_me, PracticeAction.JOIN)
    said = _click(served, PracticeAction.JOIN, join)
    assert "You're on “Giving feedback that helps”" in said["text"]
    [not_now] = _action_values(to_peer, PracticeAction.NOT_NOW)
    said = _click(served, PracticeAction.NOT_NOW, not_now, user=PEER)
    assert "you're not on" in said["text"]

    statuses = {e.user_id: e.status for e in _enrolments(served)}
    assert statuses == {ME: "active", PEER: "declined"}
    assert {s.user_id for s in _steps(served)} == {ME}
    _pass(served, clock, MONDAY)
    assert "Week 1 of 4" in _posts_to(served, ME)[-1].args["text"]
    assert len(_posts_to(served, PEER)) == 1


def test_a_double_click_on_join_acts_once(served):
    _manage(served, BOSS, ME)
    served.slack.command(Command.LEARN, f"practice {PATH} <@{ME}>", user_id=BOSS)
    [join] = _action_values(_posts_to(served, ME)[0], PracticeAction.JOIN)

    first = _click(served, PracticeAction.JOIN, join)
    second = _click(served, PracticeAction.JOIN, join)

    assert "You're on" in first["text"] and "already on" in second["text"]
    [enrolment] = _enrolments(served)
    assert (enrolment.status, enrolment.round) == ("active", 1)
    assert len(_steps(served)) == 4


def test_only_managers_and_admins_invite_and_nobody_is_invited_twice(served):
    _manage(served, BOSS, ME)
    refused = served.slack.command(
        Command.LEARN, f"practice {PATH} <@{PEER}>", user_id=STRANGER
    ).json()
    assert "you can invite your confirmed reports" in refused["text"]

    served.slack.command(Command.LEARN, f"practice {PATH} <@{ME}>", user_id=BOSS)
    twice = served.slack.command(Command.LEARN, f"practice {PATH} <@{ME}>", user_id=BOSS).json()
    assert "already on this path, or already invited" in twice["text"]
    assert len(_posts_to(served, ME)) == 1 and _posts_to(served, PEER) == []


def test_someone_elses_step_is_refused(started):
    served = started
    [step_id] = _action_values(_posts_to(served, ME)[0], PracticeAction.COMMIT)
    answer = served.slack.submit(
        View.PRACTICE_COMMITMENT,
        {Field.COMMITMENT: {"type": "plain_text_input", "value": "mine now"}},
        user_id=PEER,
        private_metadata=step_id,
    ).json()
    assert "isn't one of yours" in answer["errors"][Field.COMMITMENT]
    assert _steps(served)[0].commitment is None


# -- a cohort from a file ----------------------------------------------------------------------


def test_inflow_practice_invite_invites_a_csv_once_and_they_join_from_the_dm(
    served, database_url, tmp_path, monkeypatch, capsys
):
    from bot.cli import main
    from bot.emulator import _default_user
    from tests.conftest import BOT_TOKEN, SIGNING_SECRET

    served.emulator.users[PEER] = {**_default_user(PEER), "profile": {"email": "peer@example.com"}}
    cohort = tmp_path / "cohort.csv"
    cohort.write_text(f"Person\n{ME}\npeer@example.com\nnobody@example.com\n{ME}\n")
    for name, value in {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": served.emulator.api_url,
        "DATABASE_URL": database_url,
    }.items():
        monkeypatch.setenv(name, value)

    assert main(["practice", "invite", PATH, str(cohort)]) == 1
    out, err = capsys.readouterr()
    assert f"{cohort}:4: no Slack user has the email nobody@example.com" in err
    assert out.startswith("2 invited (2 DMs sent), 0 already on the path or invited, 1 problems")
    [to_me] = _posts_to(served, ME)
    assert "Your learning team invited you" in to_me.args["text"]
    assert len(_posts_to(served, PEER)) == 1

    assert main(["practice", "invite", PATH, str(cohort)]) == 1
    assert "0 invited (0 DMs sent), 2 already" in capsys.readouterr().out
    assert len(_posts_to(served, ME)) == 1

    [join] = _action_values(to_me, PracticeAction.JOIN)
    assert "You're on" in _click(served, PracticeAction.JOIN, join)["text"]
    assert {e.user_id: e.status for e in _enrolments(served)} == {ME: "active", PEER: "invited"}

    assert main(["practice", "invite", "no-such-path", str(cohort)]) == 2
    assert f"the paths are: coaching-conversations, delegating-well, {PATH}" in (
        capsys.readouterr().err
    )


def test_the_home_tab_shows_where_they_are_on_each_path(started, clock):
    served = started
    served.slack.command(Command.LEARN, "practice coaching-conversations")
    [enrolment_id] = _action_values(_posts_to(served, ME)[0], PracticeAction.PAUSE)
    _click(served, PracticeAction.PAUSE, enrolment_id)

    served.emulator.reset()
    served.slack.event(
        {"type": "app_home_opened", "user": ME, "channel": "D0HOME", "tab": "home", "event_ts": "1"}
    )
    [call] = served.emulator.calls_to("views.publish")
    shown = json.dumps(call.json_arg("view")["blocks"], ensure_ascii=False)
    assert "*Giving feedback that helps*: week 1 of 4 (paused)" in shown
    assert "*Coaching conversations instead of answers*: week 1 of 4\\n" in shown
