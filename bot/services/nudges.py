"""What people answer to nudges: "Not useful", and what happened when they used a guide."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from bot.models import GuideOutcome, NudgeFeedback


def not_useful(
    session: Session, *, team_id: str, user_id: str, kind: str, subject: str, now: dt.datetime
) -> None:
    session.add(
        NudgeFeedback(
            team_id=team_id, user_id=user_id, kind=kind[:32], subject=subject[:64], at=now
        )
    )
    session.flush()


def guide_outcome(
    session: Session, *, team_id: str, user_id: str, guide_id: str, outcome: str, now: dt.datetime
) -> None:
    session.add(
        GuideOutcome(team_id=team_id, user_id=user_id, guide_id=guide_id, outcome=outcome, at=now)
    )
    session.flush()
