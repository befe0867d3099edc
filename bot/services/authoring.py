"""Writing guides from Slack: a draft, then *Publish* or *Discard*, each once.

Every step is a new row of `workspace_guides` (bot.services.workspace_guides), never an update:

- a submitted form saves a DRAFT version (never served);
- *Publish* saves the draft's source again as a PUBLISHED version: every replica serves it;
- *Discard* saves it as a DISCARDED version: history shows it was written and thrown away.

Two guards keep this honest when people act at once:

- **Changed since.** A form carries the version of the guide it was opened on (its *base*: the
  newest published or hidden version, 0 for a guide the workspace never changed). Saving a draft
  or publishing one whose base is no longer the newest is refused with who changed it and when.
- **Once.** A draft is published or discarded once: a second click finds the version it made
  (same source, after the draft) and says so.

Each save first locks the guide's versions (`FOR UPDATE` on PostgreSQL; SQLite has one writer
at a time), so two clicks or two owners at the same instant take turns, and the second sees
what the first saved. A guide with no version yet has nothing to lock: two first saves at once
both take version 1, and the unique key (team, guide, version) lets one through.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.errors import InflowError
from bot.library.fields import slug
from bot.models import GuideRecord, WorkspaceGuide
from bot.services import workspace_guides as store
from bot.services.workspace_guides import GuideState

AT_ONCE = "Someone saved this guide at the same moment. Please try again."
GONE = "That draft is no longer there. Open the guide again with `/learn`."


class GuideChanged(InflowError):
    """The guide changed since the form or draft was made from it."""

    def __init__(self, newest: WorkspaceGuide):
        super().__init__(self.saying(f"<@{newest.created_by}>", newest))
        self.newest = newest

    @staticmethod
    def saying(who: str, newest: WorkspaceGuide) -> str:
        """The refusal, naming `who` changed it (a mention, or a name where mentions show raw,
        as beside a form's field)."""
        what = {
            GuideState.HIDDEN.value: "hidden",
            GuideState.SHIPPED.value: "set back to the shipped version",
        }.get(newest.state, "published")
        return (
            f"This guide changed since you opened it (version {newest.version}, {what} by {who} "
            f"at {newest.created_at:%H:%M} UTC on {newest.created_at:%Y-%m-%d}). Open it again "
            "to start from what is served now."
        )


class AlreadyDone(InflowError):
    """The draft was published or discarded already (a second click)."""

    def __init__(self, done: WorkspaceGuide):
        what = "published" if done.state == GuideState.PUBLISHED.value else "discarded"
        super().__init__(f"That draft was {what} already (by <@{done.created_by}>).")
        self.done = done


@dataclass(frozen=True)
class DraftRef:
    """A draft as its preview's buttons carry it: which guide, which version, and the version
    it was written from."""

    guide_id: str
    version: int
    base: int


def base_of(session: Session, team_id: str, guide_id: str) -> int:
    """The version a form opened now starts from (0: the workspace never changed the guide)."""
    newest = store.newest_served(session, team_id, guide_id)
    return newest.version if newest is not None else 0


def check_unchanged(session: Session, team_id: str, guide_id: str, base: int) -> None:
    """Raise `GuideChanged` if the guide has a newer published or hidden version than `base`."""
    newest = store.newest_served(session, team_id, guide_id)
    if (newest.version if newest is not None else 0) != base:
        assert newest is not None  # a base above 0 came from a row, and rows stay
        raise GuideChanged(newest)


def new_guide_id(session: Session, team_id: str, title: str, taken: Collection[str]) -> str:
    """An id for a new guide made from its title, taken by no other guide: not by one the
    workspace serves (`taken`), nor by any version it ever saved (drafts and hidden ones
    included), nor by any guide inflow knows in any workspace (views and votes refer to ids)."""
    base = slug(title)
    stem = base[: 64 - 4]
    used = set(taken)
    used.update(
        session.scalars(
            select(WorkspaceGuide.guide_id)
            .where(WorkspaceGuide.team_id == team_id, WorkspaceGuide.guide_id.like(f"{stem}%"))
            .distinct()
        )
    )
    used.update(session.scalars(select(GuideRecord.id).where(GuideRecord.id.like(f"{stem}%"))))
    if base not in used:
        return base
    number = 2
    while f"{stem}-{number}" in used:
        number += 1
    return f"{stem}-{number}"


def save_draft(
    session: Session,
    *,
    team_id: str,
    guide_id: str,
    source: str,
    base: int,
    by: str,
    now: dt.datetime,
) -> WorkspaceGuide:
    """Save a draft of the guide, written from version `base`; refused with `GuideChanged` if
    the guide was published or hidden since. Flushes only."""
    _lock_guide(session, team_id, guide_id)
    check_unchanged(session, team_id, guide_id, base)
    return _save(session, team_id, guide_id, source, GuideState.DRAFT, by, now)


def repeated_draft(
    session: Session,
    *,
    team_id: str,
    by: str,
    guide_ids: Collection[str],
    source_of: Callable[[str], str],
) -> WorkspaceGuide | None:
    """The draft this very form already saved, if it is a second submission of it: the newest
    version of one of `guide_ids` is a draft by the same person with the same source (as
    `source_of(guide id)` builds it). A double submit then saves and sends nothing more."""
    newest = (
        select(WorkspaceGuide.guide_id, func.max(WorkspaceGuide.version).label("version"))
        .where(WorkspaceGuide.team_id == team_id, WorkspaceGuide.guide_id.in_(list(guide_ids)))
        .group_by(WorkspaceGuide.guide_id)
        .subquery()
    )
    rows = session.scalars(
        select(WorkspaceGuide)
        .join(
            newest,
            (WorkspaceGuide.guide_id == newest.c.guide_id)
            & (WorkspaceGuide.version == newest.c.version),
        )
        .where(
            WorkspaceGuide.team_id == team_id,
            WorkspaceGuide.state == GuideState.DRAFT.value,
            WorkspaceGuide.created_by == by,
        )
        .order_by(WorkspaceGuide.id.desc())
    )
    return next((row for row in rows if row.source == source_of(row.guide_id)), None)


def new_guide_ids(session: Session, team_id: str, title: str) -> list[str]:
    """The ids this workspace has saved that a new guide with this title may have been given
    (its slug, and the slug numbered)."""
    base = slug(title)
    stem = base[: 64 - 4]
    saved = session.scalars(
        select(WorkspaceGuide.guide_id)
        .where(WorkspaceGuide.team_id == team_id, WorkspaceGuide.guide_id.like(f"{stem}%"))
        .distinct()
    )
    return [g for g in saved if g == base or re.fullmatch(rf"{re.escape(stem)}-\d+", g)]


def draft_of(session: Session, team_id: str, ref: DraftRef) -> WorkspaceGuide:
    """The draft a preview's button names, in this workspace only."""
    row = session.scalar(
        select(WorkspaceGuide).where(
            WorkspaceGuide.team_id == team_id,
            WorkspaceGuide.guide_id == ref.guide_id,
            WorkspaceGuide.version == ref.version,
        )
    )
    if row is None or row.state != GuideState.DRAFT.value:
        raise InflowError(GONE)
    return row


def publish(
    session: Session, *, team_id: str, ref: DraftRef, by: str, now: dt.datetime
) -> WorkspaceGuide:
    """Serve the draft: its source saved as the guide's next, published, version."""
    return _settle(session, team_id, ref, GuideState.PUBLISHED, by, now)


def discard(
    session: Session, *, team_id: str, ref: DraftRef, by: str, now: dt.datetime
) -> WorkspaceGuide:
    """Throw the draft away: recorded as a discarded version, never served."""
    return _settle(session, team_id, ref, GuideState.DISCARDED, by, now)


def _settle(
    session: Session,
    team_id: str,
    ref: DraftRef,
    state: GuideState,
    by: str,
    now: dt.datetime,
) -> WorkspaceGuide:
    _lock_guide(session, team_id, ref.guide_id)
    draft = draft_of(session, team_id, ref)
    done = session.scalar(
        select(WorkspaceGuide)
        .where(
            WorkspaceGuide.team_id == team_id,
            WorkspaceGuide.guide_id == ref.guide_id,
            WorkspaceGuide.version > ref.version,
            WorkspaceGuide.state.in_((GuideState.PUBLISHED.value, GuideState.DISCARDED.value)),
            WorkspaceGuide.source == draft.source,
        )
        .order_by(WorkspaceGuide.version)
        .limit(1)
    )
    if done is not None:
        raise AlreadyDone(done)
    if state is GuideState.PUBLISHED:
        check_unchanged(session, team_id, ref.guide_id, ref.base)
    return _save(session, team_id, ref.guide_id, draft.source, state, by, now)


def _lock_guide(session: Session, team_id: str, guide_id: str) -> None:
    """Hold the guide's versions until the transaction ends (see the module's docstring)."""
    session.execute(
        select(WorkspaceGuide.id)
        .where(WorkspaceGuide.team_id == team_id, WorkspaceGuide.guide_id == guide_id)
        .with_for_update()
    ).all()


def _save(
    session: Session,
    team_id: str,
    guide_id: str,
    source: str,
    state: GuideState,
    by: str,
    now: dt.datetime,
) -> WorkspaceGuide:
    """A new version in a savepoint: two saves at once both take the next version number, and
    the unique key refuses the second with a kind message instead of failing the request."""
    attempt = session.begin_nested()
    try:
        row = store.save_version(
            session,
            team_id=team_id,
            guide_id=guide_id,
            source=source,
            state=state,
            by=by,
            now=now,
        )
    except IntegrityError:
        attempt.rollback()
        raise InflowError(AT_ONCE) from None
    attempt.commit()
    return row


def versions_count(session: Session, team_id: str, guide_id: str) -> int:
    """How many versions of the guide the workspace saved (any state)."""
    return int(
        session.scalar(
            select(func.count(WorkspaceGuide.id)).where(
                WorkspaceGuide.team_id == team_id, WorkspaceGuide.guide_id == guide_id
            )
        )
        or 0
    )


def lock_guide(session: Session, team_id: str, guide_id: str) -> None:
    """Hold the guide's versions until the transaction ends, for another service that saves
    one (restoring from its history: bot.services.guide_history)."""
    _lock_guide(session, team_id, guide_id)


def save_published(
    session: Session, *, team_id: str, guide_id: str, source: str, by: str, now: dt.datetime
) -> WorkspaceGuide:
    """Save `source` as the guide's next, published, version (call `lock_guide` first and
    check what must hold); two saves at the same instant: the second is refused kindly."""
    return _save(session, team_id, guide_id, source, GuideState.PUBLISHED, by, now)


def save_state(
    session: Session,
    *,
    team_id: str,
    guide_id: str,
    state: GuideState,
    by: str,
    now: dt.datetime,
) -> WorkspaceGuide:
    """Save a version with no text of its own (`SHIPPED`: back to the shipped guide), under
    the same rules as `save_published`."""
    return _save(session, team_id, guide_id, "", state, by, now)
