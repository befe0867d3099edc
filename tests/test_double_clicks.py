"""Twenty identical clicks at once (a double click, or Slack retrying): one effect, no error.

What bench/clicks.py found, each kept from coming back: signed requests into the served app,
sent together from 20 threads; what reached Slack and what was stored are both checked.
"""

from __future__ import annotations

import datetime as dt
import threading

from sqlalchemy import func, select

from bot.models import (
    GuideEvent,
    GuideOutcome,
    NudgeFeedback,
    OutboxMessage,
    Strength,
    SuggestionOffer,
)
from bot.slack import strengths as spot_blocks
from bot.slack.guides import state
from bot.slack.ids import (
    Action,
    Command,
    FollowUpAction,
    NudgeAction,
    SpotAction,
    SuggestAction,
)
from bot.slack.suggestions import offer_value

CLICKS = 20
PERSON, RECEIVER = "U0ASKER01", "U0RECEIVE1"


def _at_once(act) -> list:
    """`act()` from CLICKS threads released together."""
    barrier = threading.Barrier(CLICKS)
    results: list = []

    def one() -> None:
        barrier.wait()
        results.append(act())

    threads = [threading.Thread(target=one) for _ in range(CLICKS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _answers(served) -> list[str]:
    return [body.get("text", "") for _, body in served.emulator.wait_for_responses(CLICKS)]


def _planned_nudge(served) -> str:
    """A follow-up nudge the planner sent; returns its key (what its buttons carry)."""
    with served.session() as session, session.begin():
        session.add(
            OutboxMessage(
                team_id="T0INFLOW1",
                recipient=PERSON,
                kind="follow_ups",
                subject="guide:sbi-feedback",
                occurrence="2026-W48",
                due_at=dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC),
                message='{"text": "Did you get to use it?"}',
                status="sent",
                priority=30,
            )
        )
    return "follow_ups/guide:sbi-feedback/2026-W48"


def test_twenty_snoozes_at_once_by_someone_new_plan_one_and_fail_none(served):
    # Nobody's profile is cached yet: every click asks Slack, and all of them store it.
    key = _planned_nudge(served)

    def snooze():
        return served.slack.click(
            NudgeAction.SNOOZE,
            "",
            selected=f"tomorrow|{key}",
            element="overflow",
            response_url=served.emulator.response_url(),
        ).status

    assert _at_once(snooze) == [200] * CLICKS
    answers = _answers(served)
    assert len(answers) == CLICKS and all(a.startswith("Snoozed:") for a in answers), answers
    with served.session() as session:
        snoozed = session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.occurrence.like("2026-W48~%"))
        )
    assert snoozed == 1


def test_twenty_clicks_on_send_it_as_it_is_send_the_note_once(served):
    vague = served.slack.command(Command.SPOT, f"<@{RECEIVER}> great job")
    [draft] = [
        element["value"]
        for block in vague.json()["blocks"]
        for element in block.get("elements", [])
        if element.get("action_id") == SpotAction.SEND_ANYWAY
    ]

    def send():
        return served.slack.click(
            SpotAction.SEND_ANYWAY, draft, response_url=served.emulator.response_url()
        ).status

    assert _at_once(send) == [200] * CLICKS
    answers = _answers(served)
    assert sum(a.startswith(f"Sent to <@{RECEIVER}>") for a in answers) == 1
    assert sum(a.startswith("It's already sent") for a in answers) == CLICKS - 1
    to_receiver = [
        c
        for c in served.emulator.calls_to("chat.postMessage")
        if c.args["text"].startswith(f"<@{PERSON}> spotted you")
    ]
    assert len(to_receiver) == 1
    with served.session() as session:
        assert session.scalar(select(func.count()).select_from(Strength)) == 1


def test_the_same_draft_sent_from_two_messages_is_sent_twice(served):
    # Written again later (a new message with the same words): a new note, not a repeat.
    served.slack.command(Command.SPOT, f"<@{RECEIVER}> great job")
    for message_ts in ("1700000000.000100", "1700000500.000100"):
        served.slack.click(
            SpotAction.SEND_ANYWAY,
            spot_blocks.draft(RECEIVER, "great job"),
            response_url=served.emulator.response_url(),
            message_ts=message_ts,
        )

    with served.session() as session:
        assert session.scalar(select(func.count()).select_from(Strength)) == 2


def test_twenty_not_useful_taps_at_once_note_the_nudge_once(served):
    key = _planned_nudge(served)

    def tap():
        return served.slack.click(
            NudgeAction.NOT_USEFUL, key, response_url=served.emulator.response_url()
        ).status

    assert _at_once(tap) == [200] * CLICKS
    answers = _answers(served)
    assert len(answers) == CLICKS and all(a.startswith("Thanks: noted") for a in answers)
    with served.session() as session:
        assert session.scalar(select(func.count()).select_from(NudgeFeedback)) == 1


def test_the_next_weeks_nudge_can_be_called_not_useful_again(served, clock):
    served.slack.click(
        NudgeAction.NOT_USEFUL, _planned_nudge(served), response_url=served.emulator.response_url()
    )
    clock.advance(days=7)
    with served.session() as session, session.begin():
        session.add(
            OutboxMessage(
                team_id="T0INFLOW1",
                recipient=PERSON,
                kind="follow_ups",
                subject="guide:sbi-feedback",
                occurrence="2026-W49",
                due_at=clock(),
                message='{"text": "Did you get to use it?"}',
                status="sent",
            )
        )
    served.slack.click(
        NudgeAction.NOT_USEFUL,
        "follow_ups/guide:sbi-feedback/2026-W49",
        response_url=served.emulator.response_url(),
    )

    with served.session() as session:
        assert session.scalar(select(func.count()).select_from(NudgeFeedback)) == 2


def test_twenty_taps_on_a_follow_up_answer_note_it_once(served):
    def tap():
        return served.slack.click(
            FollowUpAction.HELPED, "premortem", response_url=served.emulator.response_url()
        ).status

    assert _at_once(tap) == [200] * CLICKS
    answers = _answers(served)
    assert len(answers) == CLICKS and all(a.startswith("Thank you") for a in answers)
    with served.session() as session:
        assert session.scalars(select(GuideOutcome.outcome)).all() == ["helped"]


def _events(served) -> list[tuple[str, str, str | None]]:
    with served.session() as session:
        return [
            (e.guide_id, e.kind, e.query)
            for e in session.scalars(select(GuideEvent).order_by(GuideEvent.id))
        ]


def _clicks_at_once(served, action_id: str, value: str, message_ts: str | None = None) -> None:
    def click():
        return served.slack.click(
            action_id, value, response_url=served.emulator.response_url(), message_ts=message_ts
        ).status

    assert _at_once(click) == [200] * CLICKS
    assert len(_answers(served)) == CLICKS  # each click is still answered


def test_twenty_clicks_on_a_suggestions_open_record_one_view(served, clock):
    with served.session() as session, session.begin():
        offer = SuggestionOffer(
            team_id="T0INFLOW1",
            user_id=PERSON,
            channel_id="C0GENERAL",
            guide_id="premortem",
            offered_on=clock().date(),
            at=clock(),
        )
        session.add(offer)
        session.flush()
        value = offer_value(offer.id, "premortem")

    _clicks_at_once(served, SuggestAction.OPEN, value)

    assert _events(served) == [("premortem", "view", None)]
    with served.session() as session:
        assert session.scalars(select(SuggestionOffer.outcome)).all() == ["opened"]


def test_twenty_clicks_on_other_matches_note_it_once(served):
    _clicks_at_once(served, Action.OTHER_MATCHES, state("premortem", others=["feedforward"]))

    assert _events(served) == [("premortem", "other_matches", None)]


def test_twenty_clicks_on_open_the_guide_record_one_view_and_one_choice(served):
    asked = state("premortem", others=["feedforward"], query="how to plan a risky launch")
    _clicks_at_once(served, f"{Action.OPEN_GUIDE}:0", asked)

    assert sorted(_events(served)) == [
        ("premortem", "chosen", "how to plan a risky launch"),
        ("premortem", "view", None),
    ]


def test_opening_the_guide_again_from_another_message_is_another_view(served):
    # Asked again later, a new answer with its own buttons: the person read the guide twice.
    for message_ts in ("1700000000.000100", "1700000500.000100", "1700000500.000100"):
        served.slack.click(
            f"{Action.OPEN_GUIDE}:0",
            state("premortem"),
            response_url=served.emulator.response_url(),
            message_ts=message_ts,
        )

    assert _events(served) == [("premortem", "view", None)] * 2
