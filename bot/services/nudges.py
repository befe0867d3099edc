"""What people answer to nudges: "Not useful", and what happened when they used a guide."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.models import GuideOutcome, GuideRecord, NudgeFeedback, OutboxMessage


def not_useful(
    session: Session,
    *,
    team_id: str,
    user_id: str,
    kind: str,
    subject: str,
    now: dt.datetime,
    occurrence: str = "",
) -> bool:
    """Note that a nudge did not help: once per nudge. Returns False when this nudge was noted
    already (a double click): its outbox row, locked, makes two clicks at once take turns, and
    the second finds the first's note, given since the nudge was due."""
    nudge = session.scalar(
        select(OutboxMessage)
        .where(
            OutboxMessage.team_id == team_id,
            OutboxMessage.recipient == user_id,
            OutboxMessage.kind == kind,
            OutboxMessage.subject == subject,
            OutboxMessage.occurrence == occurrence,
        )
        .with_for_update()
    )
    if nudge is not None and session.scalar(
        select(NudgeFeedback.id).where(
            NudgeFeedback.team_id == team_id,
            NudgeFeedback.user_id == user_id,
            NudgeFeedback.kind == kind[:32],
            NudgeFeedback.subject == subject[:64],
            NudgeFeedback.at >= nudge.due_at,
        )
    ):
        return False
    session.add(
        NudgeFeedback(
            team_id=team_id, user_id=user_id, kind=kind[:32], subject=subject[:64], at=now
        )
    )
    session.flush()
    return True


def guide_outcome(
    session: Session, *, team_id: str, user_id: str, guide_id: str, outcome: str, now: dt.datetime
) -> bool:
    """Note what someone said happened when they used a guide; the same answer again (a double
    click) adds nothing and returns False. The guide's row, locked, makes clicks take turns."""
    session.get(GuideRecord, guide_id, with_for_update=True)
    if session.scalar(
        select(GuideOutcome.id).where(
            GuideOutcome.team_id == team_id,
            GuideOutcome.user_id == user_id,
            GuideOutcome.guide_id == guide_id,
            GuideOutcome.outcome == outcome,
        )
    ):
        return False
    session.add(
        GuideOutcome(team_id=team_id, user_id=user_id, guide_id=guide_id, outcome=outcome, at=now)
    )
    session.flush()
    return True
