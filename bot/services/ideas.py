"""Pitch, Prototype, Pilot: an idea, its sponsor, and the question each stage asks."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.errors import InflowError
from bot.models import Idea, IdeaStep

MAX_TITLE = 300
MAX_ANSWER = 1000


class Stage(StrEnum):
    PITCH = "pitch"
    PROTOTYPE = "prototype"
    PILOT = "pilot"
    ADOPTED = "adopted"
    PARKED = "parked"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def finished(self) -> bool:
        return self in (Stage.ADOPTED, Stage.PARKED)


NEXT = {Stage.PITCH: Stage.PROTOTYPE, Stage.PROTOTYPE: Stage.PILOT, Stage.PILOT: Stage.ADOPTED}

# What each move asks before the idea may enter the stage.
QUESTIONS = {
    Stage.PITCH: "What's the idea, and what problem does it solve for whom?",
    Stage.PROTOTYPE: "What would have to happen for this to work?",
    Stage.PILOT: "What small trial, how long, and what result would tell us it works?",
    Stage.ADOPTED: "What was the result?",
    Stage.PARKED: "Why park it, and what was the result so far?",
}
LEARNED = "What did we learn?"


def pitch(
    session: Session, *, team_id: str, author_id: str, sponsor_id: str, title: str, now: dt.datetime
) -> Idea:
    title = " ".join(title.split())
    if not title:
        raise InflowError("Say what the idea is in a sentence.")
    if len(title) > MAX_TITLE:
        raise InflowError(f"Keep the pitch under {MAX_TITLE} characters: the detail comes later.")
    if sponsor_id == author_id:
        raise InflowError("Pick a sponsor other than yourself: someone who can help it along.")
    idea = Idea(
        team_id=team_id,
        author_id=author_id,
        sponsor_id=sponsor_id,
        title=title,
        stage=Stage.PITCH.value,
        created_at=now,
        stage_changed_at=now,
    )
    session.add(idea)
    session.flush()
    session.add(
        IdeaStep(
            team_id=team_id,
            idea_id=idea.id,
            stage=Stage.PITCH.value,
            answer=title,
            by_user=author_id,
            at=now,
        )
    )
    session.flush()
    return idea


def get(session: Session, *, team_id: str, idea_id: int, user_id: str) -> Idea:
    """An idea its author or sponsor may act on."""
    idea = session.scalar(
        select(Idea).where(Idea.team_id == team_id, Idea.id == idea_id).with_for_update()
    )
    if idea is None:
        raise InflowError("That idea is no longer here.")
    if user_id not in (idea.author_id, idea.sponsor_id):
        raise InflowError("Only the idea's author and sponsor can move it along.")
    return idea


def move(
    session: Session,
    *,
    team_id: str,
    idea_id: int,
    user_id: str,
    to: Stage,
    answer: str,
    learned: str | None,
    expected_from: Stage,
    now: dt.datetime,
) -> Idea:
    """Move an idea to `to`, answering that stage's question.

    `expected_from` is the stage the person saw when they pressed the button: if the idea has
    moved since (a double press, or the other person got there first), nothing changes.
    """
    idea = get(session, team_id=team_id, idea_id=idea_id, user_id=user_id)
    current = Stage(idea.stage)
    if current != expected_from:
        raise InflowError(f"This idea is already at {current.label}.")
    if to != Stage.PARKED and NEXT.get(current) != to:
        raise InflowError(f"From {current.label} the next stage is not {to.label}.")
    if current.finished:
        raise InflowError(f"This idea is already {current.label.lower()}.")
    answer = answer.strip()
    if not answer:
        raise InflowError("Answer the stage's question in a line or two.")
    if len(answer) > MAX_ANSWER or len(learned or "") > MAX_ANSWER:
        raise InflowError(f"Keep each answer under {MAX_ANSWER} characters.")
    idea.stage = to.value
    idea.stage_changed_at = now
    session.add(
        IdeaStep(
            team_id=team_id,
            idea_id=idea.id,
            stage=to.value,
            answer=answer,
            learned=(learned or "").strip() or None,
            by_user=user_id,
            at=now,
        )
    )
    session.flush()
    return idea


def of_person(session: Session, *, team_id: str, user_id: str) -> tuple[list[Idea], list[Idea]]:
    """(the ideas a person pitched, the ideas they sponsor), newest first."""
    ideas = list(
        session.scalars(
            select(Idea)
            .where(
                Idea.team_id == team_id, or_(Idea.author_id == user_id, Idea.sponsor_id == user_id)
            )
            .order_by(Idea.created_at.desc())
        )
    )
    return [i for i in ideas if i.author_id == user_id], [
        i for i in ideas if i.sponsor_id == user_id
    ]


def stuck(session: Session, *, team_id: str, before: dt.datetime) -> list[Idea]:
    """Ideas that have sat in one unfinished stage since before `before` (for issue 5's nudges)."""
    return list(
        session.scalars(
            select(Idea).where(
                Idea.team_id == team_id,
                Idea.stage.in_([Stage.PITCH.value, Stage.PROTOTYPE.value, Stage.PILOT.value]),
                Idea.stage_changed_at < before,
            )
        )
    )
