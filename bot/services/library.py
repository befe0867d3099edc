"""The library's history: which guides were seen, shared and rated, and what was not found.

Votes: a person has one vote per guide, however many messages share it (`ratings` is keyed by
workspace, guide and person). They cast it with the Helpful / Not helpful buttons or with
emoji on any message sharing the guide, and the latest act wins:

- a button tap sets the vote;
- an emoji added sets it to what all their rating emoji on all that guide's messages say:
  helpful if any is helpful and none unhelpful, the opposite likewise, none when they left
  both (then a button vote stands);
- an emoji removed recomputes the same, but only where the vote was cast with emoji: taking
  back 👍 on one message while 👍 stays on another keeps the vote; taking back the last one
  withdraws it; a button tap made since is never undone by an emoji.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from enum import StrEnum
from typing import cast

from sqlalchemy import CursorResult, case, delete, func, select, update
from sqlalchemy.orm import Session

from bot.db import insert_for
from bot.errors import InflowError
from bot.library import text
from bot.library.schema import Guide
from bot.models import (
    ContentGap,
    GuideAlias,
    GuideEvent,
    GuideMessage,
    GuideReaction,
    GuideRecord,
    Rating,
    WorkspaceGuide,
)


class VoteSource(StrEnum):
    """How a person last cast their vote on a guide."""

    BUTTONS = "buttons"
    EMOJI = "emoji"


class GuideEventKind(StrEnum):
    VIEW = "view"  # shown as the answer to /learn, or opened from a list
    SHARE = "share"
    OTHER_MATCHES = "other_matches"
    CHOSEN = "chosen"  # picked from "is it one of these?" or "Other matches": query -> guide


def sync_guides(session: Session, guides: Iterable[Guide], now: dt.datetime) -> None:
    """Make every served guide id known to the database; mark the ones no longer served retired
    (unless a workspace has a guide of that id: bot.services.workspace_guides).

    Safe to run from several processes at once: it is one upsert per guide.
    """
    rows = [
        {
            "id": g.id,
            "version": g.version,
            "title": g.title[:200],
            "kind": g.meta.kind.value,
            "category": g.meta.category.value,
            "owner": g.meta.owner[:120],
            "retired": False,
            "synced_at": now,
        }
        for g in guides
    ]
    if rows:
        statement = insert_for(session, GuideRecord).values(rows)
        statement = statement.on_conflict_do_update(
            index_elements=["id"],
            set_={
                name: statement.excluded[name]
                for name in (
                    "version",
                    "title",
                    "kind",
                    "category",
                    "owner",
                    "retired",
                    "synced_at",
                )
            },
        )
        session.execute(statement)
    served = [row["id"] for row in rows]
    session.execute(
        update(GuideRecord)
        .where(
            GuideRecord.id.not_in(served),
            GuideRecord.id.not_in(select(WorkspaceGuide.guide_id)),
        )
        .values(retired=True)
    )


def record_event(
    session: Session,
    *,
    team_id: str,
    guide_id: str,
    user_id: str,
    kind: GuideEventKind,
    now: dt.datetime,
    channel_id: str | None = None,
    query: str | None = None,
    clicked: str | None = None,
) -> bool:
    """Note that someone was shown, opened or shared a guide; False when it was noted already.

    `clicked`: the message whose button did it. A double click, or twenty at once in several
    processes, is then one event (the unique key decides); opening the guide again from another
    message is another.
    """
    statement = (
        insert_for(session, GuideEvent)
        .values(
            team_id=team_id,
            guide_id=guide_id,
            user_id=user_id,
            kind=kind.value,
            channel_id=channel_id,
            query=query[:500] if query else None,
            at=now,
            clicked=clicked,
        )
        .on_conflict_do_nothing(
            index_elements=["team_id", "user_id", "guide_id", "kind", "clicked"]
        )
    )
    return bool(cast(CursorResult, session.execute(statement)).rowcount)


def record_gap(
    session: Session, *, team_id: str, user_id: str, query: str, now: dt.datetime
) -> None:
    """Note a query nothing in the library answered, grouped later by its normalised words."""
    normalized = " ".join(sorted(set(text.content_words(text.words(query)))))[:200]
    session.add(
        ContentGap(
            team_id=team_id,
            user_id=user_id,
            query=query[:500],
            normalized=normalized or text.clean(query)[:200],
            at=now,
        )
    )
    session.flush()


def ratings_by_guide(session: Session, team_id: str) -> dict[str, tuple[int, int]]:
    """For each rated guide in a workspace: (helpful votes, unhelpful votes)."""
    rows = session.execute(
        select(
            Rating.guide_id,
            func.sum(case((Rating.value > 0, 1), else_=0)),
            func.sum(case((Rating.value < 0, 1), else_=0)),
        )
        .where(Rating.team_id == team_id)
        .group_by(Rating.guide_id)
    )
    return {guide_id: (int(up), int(down)) for guide_id, up, down in rows}


def _set_vote(
    session: Session,
    *,
    team_id: str,
    guide_id: str,
    user_id: str,
    source: VoteSource,
    value: int,
    now: dt.datetime,
    overrides_buttons: bool = True,
) -> None:
    """Set a person's one vote on a guide (0: withdraw it); a vote cast with the buttons
    changes only when `overrides_buttons`, and an emoji never withdraws it."""
    key = {"team_id": team_id, "guide_id": guide_id, "user_id": user_id}
    if value == 0:
        session.execute(delete(Rating).filter_by(**key, source=VoteSource.EMOJI.value))
        return
    changes = (Rating.value != value) | (Rating.source != source.value)
    if not overrides_buttons:
        changes &= Rating.source != VoteSource.BUTTONS.value
    # One statement, so a double tap (or two at once) is one vote, never a unique-key error.
    session.execute(
        insert_for(session, Rating)
        .values(**key, source=source.value, value=value, updated_at=now)
        .on_conflict_do_update(
            index_elements=list(key),
            set_={"value": value, "source": source.value, "updated_at": now},
            where=changes,  # the same vote again changes nothing
        )
    )
    session.flush()


def rate_with_buttons(
    session: Session, *, team_id: str, guide_id: str, user_id: str, helpful: bool, now: dt.datetime
) -> None:
    """The Helpful / Not helpful buttons: one vote per person per guide; a second tap changes it."""
    _set_vote(
        session,
        team_id=team_id,
        guide_id=guide_id,
        user_id=user_id,
        source=VoteSource.BUTTONS,
        value=1 if helpful else -1,
        now=now,
    )


def record_guide_message(
    session: Session,
    *,
    team_id: str,
    channel_id: str,
    message_ts: str,
    guide_id: str,
    shared_by: str,
    now: dt.datetime,
) -> None:
    session.add(
        GuideMessage(
            team_id=team_id,
            channel_id=channel_id,
            message_ts=message_ts,
            guide_id=guide_id,
            shared_by=shared_by,
            posted_at=now,
        )
    )
    session.flush()


def guide_shared(
    session: Session, *, team_id: str, ref: dict, channel: str, ts: str, now: dt.datetime
) -> None:
    """A shared guide is in the channel: reactions to that message rate the guide."""
    record_guide_message(
        session,
        team_id=team_id,
        channel_id=channel,
        message_ts=ts,
        guide_id=ref["guide"],
        shared_by=ref["by"],
        now=now,
    )


def base_emoji(name: str) -> str:
    """`thumbsup::skin-tone-3` counts as `thumbsup`."""
    return name.split("::", 1)[0].strip(":")


def react(
    session: Session,
    *,
    team_id: str,
    channel_id: str,
    message_ts: str,
    user_id: str,
    emoji: str,
    added: bool,
    helpful: set[str],
    unhelpful: set[str],
    now: dt.datetime,
) -> bool:
    """Apply one reaction_added / reaction_removed to the person's vote on the shared guide.

    Their vote follows all their rating emoji on every message sharing that guide (see the
    module's opening). Returns whether the message was a guide message with a rating emoji
    (so something was considered).
    """
    emoji = base_emoji(emoji)
    if emoji not in helpful and emoji not in unhelpful:
        return False
    message = session.scalar(
        select(GuideMessage).where(
            GuideMessage.team_id == team_id,
            GuideMessage.channel_id == channel_id,
            GuideMessage.message_ts == message_ts,
        )
    )
    if message is None:
        return False
    if added:
        statement = insert_for(session, GuideReaction).values(
            team_id=team_id, guide_message_id=message.id, user_id=user_id, emoji=emoji, at=now
        )
        session.execute(statement.on_conflict_do_nothing())
    else:
        session.execute(
            delete(GuideReaction).where(
                GuideReaction.guide_message_id == message.id,
                GuideReaction.user_id == user_id,
                GuideReaction.emoji == emoji,
            )
        )
    left = set(
        session.scalars(
            select(GuideReaction.emoji)
            .join(GuideMessage, GuideMessage.id == GuideReaction.guide_message_id)
            .where(
                GuideMessage.team_id == team_id,
                GuideMessage.guide_id == message.guide_id,
                GuideReaction.user_id == user_id,
            )
        )
    )
    up, down = bool(left & helpful), bool(left & unhelpful)
    _set_vote(
        session,
        team_id=team_id,
        guide_id=message.guide_id,
        user_id=user_id,
        source=VoteSource.EMOJI,
        value=(1 if up else -1) if up != down else 0,
        now=now,
        overrides_buttons=added,
    )
    return True


def recent_guides(session: Session, *, team_id: str, user_id: str, limit: int = 5) -> list[str]:
    """The guides a person opened or shared most recently, newest first, each once."""
    rows = session.execute(
        select(GuideEvent.guide_id, func.max(GuideEvent.at).label("last"))
        .where(
            GuideEvent.team_id == team_id,
            GuideEvent.user_id == user_id,
            GuideEvent.kind.in_([GuideEventKind.VIEW.value, GuideEventKind.SHARE.value]),
        )
        .group_by(GuideEvent.guide_id)
        .order_by(func.max(GuideEvent.at).desc())
        .limit(limit)
    )
    return [guide_id for guide_id, _ in rows]


# -- names the library's owners added --------------------------------------------------------------

ALIAS_MAX_CHARS = 200


class AliasError(InflowError):
    """An alias that can't be added, with what to do instead."""


def workspace_aliases(session: Session, team_id: str) -> dict[tuple[str, ...], str]:
    """The names a workspace's owners added, by `text.name_key`, to the guide each names."""
    rows = session.execute(
        select(GuideAlias.alias_key, GuideAlias.guide_id).where(GuideAlias.team_id == team_id)
    )
    return {tuple(key.split()): guide_id for key, guide_id in rows}


def add_alias(
    session: Session,
    *,
    team_id: str,
    guide_id: str,
    alias: str,
    by: str,
    owners: Iterable[str],
    now: dt.datetime,
) -> bool:
    """Make `alias` a name of the guide in this workspace; False when it already was one.

    Only the library's owners (the workspace's inflow admins) add names: a name changes what
    everyone's `/learn` answers.
    """
    if by not in set(owners):
        raise AliasError(
            "Only the library's owners (this workspace's inflow admins) can add a name to a guide."
        )
    alias = " ".join(alias.split())[:ALIAS_MAX_CHARS]
    key = " ".join(text.name_key(alias))
    if not key:
        raise AliasError("That name has no words a search could match. Try a longer one.")
    existing = session.scalar(
        select(GuideAlias).where(GuideAlias.team_id == team_id, GuideAlias.alias_key == key)
    )
    if existing is not None:
        if existing.guide_id != guide_id:
            raise AliasError(f"That is already a name of another guide (`{existing.guide_id}`).")
        return False
    statement = (
        insert_for(session, GuideAlias)
        .values(team_id=team_id, guide_id=guide_id, alias=alias, alias_key=key, added_by=by, at=now)
        .on_conflict_do_nothing(index_elements=["team_id", "alias_key"])
    )
    return bool(cast(CursorResult, session.execute(statement)).rowcount)
