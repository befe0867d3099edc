"""Twenty identical clicks at once (a double click, or Slack retrying): one effect, no error.

What bench/clicks.py found, each kept from coming back: signed requests into the served app,
sent together from 20 threads; what reached Slack and what was stored are both checked.
"""

from __future__ import annotations

import datetime as dt
import threading

from sqlalchemy import func, select

from bot.models import OutboxMessage
from bot.slack.ids import NudgeAction

CLICKS = 20
PERSON = "U0ASKER01"


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
                user_id=PERSON,
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
