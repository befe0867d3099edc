"""Spotting strengths: "I see you at your best when you…", given, themed and kept."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.errors import InflowError
from bot.library import text
from bot.models import Strength
from bot.services import outbox

MAX_NOTE = 500
MIN_SPECIFIC_WORDS = 8
PROMPT = "I see you at your best when you…"


class Theme(StrEnum):
    CALM = "calm"
    COMMUNICATION = "communication"
    HELPING = "helping"
    PROBLEM_SOLVING = "problem_solving"
    OWNERSHIP = "ownership"
    CREATIVITY = "creativity"
    DETAIL = "detail"
    LEADING = "leading"
    LEARNING = "learning"
    CUSTOMERS = "customers"

    @property
    def label(self) -> str:
        return THEME_LABELS[self]


THEME_LABELS = {
    Theme.CALM: "Calm under pressure",
    Theme.COMMUNICATION: "Clear communication",
    Theme.HELPING: "Helping others",
    Theme.PROBLEM_SOLVING: "Solving problems",
    Theme.OWNERSHIP: "Taking ownership",
    Theme.CREATIVITY: "Fresh ideas",
    Theme.DETAIL: "Care for detail",
    Theme.LEADING: "Bringing people together",
    Theme.LEARNING: "Learning fast",
    Theme.CUSTOMERS: "Care for customers",
}

# Words that suggest a theme when the giver did not pick one (stems, see text.stem).
THEME_WORDS = {
    Theme.CALM: "calm pressur stress panic steadi composur cool crisi incid outag",
    Theme.COMMUNICATION: "explain clear communic wrote write present messag summar listen audienc",
    Theme.HELPING: "help support mentor unblock pair colleagu teammat patient generous",
    Theme.PROBLEM_SOLVING: "solv problem debug fix figur root analys puzzl bug",
    Theme.OWNERSHIP: "own ownership stepp took respons follow deliv commit initi",
    Theme.CREATIVITY: "idea creativ new invent imagin design propos experi",
    Theme.DETAIL: "detail care thorough check review accur precis catch caught",
    Theme.LEADING: "team togeth facilit led lead align meet rallied brought",
    Theme.LEARNING: "learn quick pick grew curious question studi new",
    Theme.CUSTOMERS: "custom client user patient guest caller",
}
_THEME_STEMS = {theme: set(words.split()) for theme, words in THEME_WORDS.items()}
_VAGUE = re.compile(
    r"^\s*(great|good|nice|awesome|amazing|excellent|fantastic|brilliant|super)\s+"
    r"(job|work|stuff|effort)[\s!.]*$|^\s*(thanks|thank you|well done|kudos)[\s!.]*$",
    re.IGNORECASE,
)


def suggest_theme(note: str) -> Theme:
    """The theme the note's words point to (helping, when nothing stands out)."""
    stems = [text.stem(w) for w in text.content_words(text.words(note))]
    votes = Counter(
        theme for stem in stems for theme, known in _THEME_STEMS.items() if stem in known
    )
    return votes.most_common(1)[0][0] if votes else Theme.HELPING


def vague(note: str) -> bool:
    """Too short or too generic to tell the person what they did well."""
    return bool(_VAGUE.match(note)) or len(note.split()) < MIN_SPECIFIC_WORDS


def check(*, giver_id: str, receiver_id: str, note: str) -> str:
    """The note as it will be kept, or an InflowError saying what to change."""
    if receiver_id == giver_id:
        raise InflowError("Spot someone else at their best: you can't spot yourself.")
    note = " ".join(note.split())
    if not note:
        raise InflowError(f"Say what you saw. Try starting with “{PROMPT}”")
    if len(note) > MAX_NOTE:
        raise InflowError(f"Please keep it under {MAX_NOTE} characters.")
    return note


def spot(
    session: Session,
    *,
    team_id: str,
    giver_id: str,
    receiver_id: str,
    note: str,
    theme: Theme | None,
    now: dt.datetime,
) -> Strength:
    note = check(giver_id=giver_id, receiver_id=receiver_id, note=note)
    strength = Strength(
        team_id=team_id,
        giver_id=giver_id,
        receiver_id=receiver_id,
        note=note,
        theme=(theme or suggest_theme(note)).value,
        created_at=now,
    )
    session.add(strength)
    session.flush()
    return strength


def get(session: Session, *, team_id: str, strength_id: int, for_update: bool = False) -> Strength:
    """One note of this workspace; `for_update` locks it until the request commits, so two
    clicks at once act one after the other."""
    query = select(Strength).where(Strength.team_id == team_id, Strength.id == strength_id)
    strength = session.scalar(query.with_for_update() if for_update else query)
    if strength is None:
        raise InflowError("That note is no longer here.")
    return strength


def themes_of(session: Session, *, team_id: str, receiver_id: str) -> dict[Theme, int]:
    """How often a person was seen at their best, by theme (for their Home tab)."""
    rows = session.execute(
        select(Strength.theme, func.count())
        .where(Strength.team_id == team_id, Strength.receiver_id == receiver_id)
        .group_by(Strength.theme)
    )
    return {Theme(theme): count for theme, count in rows}


def received_by(
    session: Session, *, team_id: str, receiver_id: str, limit: int = 20
) -> list[Strength]:
    """The notes a person received, newest first (for their Home tab)."""
    return list(
        session.scalars(
            select(Strength)
            .where(Strength.team_id == team_id, Strength.receiver_id == receiver_id)
            .order_by(Strength.created_at.desc())
            .limit(limit)
        )
    )


NOT_POSTED = (
    "Your note reached <@{receiver}>, but I couldn't post it in <#{channel}>: I'm not in that "
    "channel yet. Add me with `/invite @inflow`, then use *Post it in the channel* again."
)


def not_posted(
    session: Session, *, team_id: str, ref: int, error: str, now: dt.datetime
) -> int | None:
    """Slack would not take the note in the channel: it is not marked posted, and the giver is
    told why (the note itself reached the receiver)."""
    strength = session.get(Strength, int(ref))
    if strength is None or strength.team_id != team_id or not strength.posted_channel_id:
        return None
    channel, strength.posted_channel_id = strength.posted_channel_id, None
    told = outbox.tell(
        session,
        team_id=team_id,
        ref={
            "to": strength.giver_id,
            "about": f"strength:{strength.id}",
            "text": NOT_POSTED.format(receiver=strength.receiver_id, channel=channel),
        },
        error=error,
        now=now,
    )
    session.flush()
    return told


def unmark_posted(
    session: Session, *, team_id: str, ref: int, error: str, now: dt.datetime
) -> int | None:
    """Slack would not take the note in the channel, and the giver was told there and then:
    it is just not marked posted, so they can try again."""
    strength = session.get(Strength, int(ref))
    if strength is not None and strength.team_id == team_id:
        strength.posted_channel_id = None
        session.flush()
    return None
