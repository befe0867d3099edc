"""A guide's history in a workspace, and restoring an older version of it.

History is the guide's rows of `workspace_guides` (bot.services.workspace_guides), newest first:
who saved each version, when, in what state, and what it changed from the version served before.

*Restore* never rewrites history: it saves the chosen published version's source again as the
guide's next, published, version. The same guards as publishing a draft
(bot.services.authoring) hold:

- **Changed since.** The history was opened on a version (its *base*, the newest published or
  hidden one); a restore from a history older than that is refused with who changed it.
- **Once.** A second click on the same *Restore* finds the version the first one made (the
  same source, published after the base) and says so instead of restoring twice.

Restoring a hidden guide's version serves it again: the restored version is newer than the hide.
A shipped guide the workspace changed can go back to the version inflow ships (`SHIPPED`, as
version 0 of its history): a row that keeps no copy, so the shipped file's updates reach it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import InflowError
from bot.library.changes import what_changed
from bot.library.loader import parse_guide_text
from bot.library.schema import Guide
from bot.models import WorkspaceGuide
from bot.services import authoring, workspace_guides
from bot.services.workspace_guides import GuideState

SHOWN = 30  # versions a history lists (a block each, well within a modal's 100)
NOT_RESTORABLE = "Only a version that was published can be restored."
NOTHING_TO_RESTORE = "That version is the one served now: there is nothing to restore."
GONE = "That version is no longer in this workspace's library."
UNREADABLE = "That version can no longer be read as a guide, so it can't be served: use *Edit*."
NOT_SHIPPED = "inflow ships no version of this guide: restore one of the versions saved here."
SHIPPED_VERSION = 0  # what a *Restore* of the shipped version carries as its version


class AlreadyRestored(InflowError):
    """The same *Restore* was clicked again: the version it made is served."""

    def __init__(self, done: WorkspaceGuide, restored: int):
        super().__init__(
            f"Version {restored} was restored already, as version {done.version} "
            f"(by <@{done.created_by}>)."
        )
        self.done = done


@dataclass(frozen=True)
class Version:
    """One version as its history lists it."""

    version: int
    state: GuideState
    by: str
    at: dt.datetime
    changes: tuple[str, ...]  # what it changed from the version before (bot.library.changes)
    served: bool  # the version that decides what the workspace serves now
    restorable: bool  # an older published version: *Restore* serves it again


@dataclass(frozen=True)
class History:
    guide_id: str
    title: str
    base: int  # the newest published or hidden version (0: the workspace never changed it)
    versions: tuple[Version, ...]  # newest first, at most SHOWN
    total: int  # how many versions the workspace saved
    shipped: bool  # the shipped library has this guide
    hidden: bool  # the workspace hides it now
    as_shipped: bool  # the workspace serves the shipped version (never changed, or back to it)


def _parsed(row: WorkspaceGuide) -> Guide | None:
    if not row.source:
        return None
    guide, _ = parse_guide_text(f"history:{row.guide_id}@{row.version}", row.source, row.guide_id)
    return guide


def saved_title(session: Session, team_id: str, guide_id: str) -> str | None:
    """The title of a guide the workspace saved (one it hid and does not ship, say): from its
    newest version with text; None if it never saved one."""
    rows = session.scalars(
        select(WorkspaceGuide)
        .where(WorkspaceGuide.team_id == team_id, WorkspaceGuide.guide_id == guide_id)
        .order_by(WorkspaceGuide.version.desc())
    )
    return next((g.title for row in rows if (g := _parsed(row)) is not None), None)


def history(
    session: Session, *, team_id: str, guide_id: str, shipped: Guide | None, title: str
) -> History:
    """The guide's versions in the workspace, newest first, each with what it changed from the
    version served before it (the shipped guide before the first)."""
    rows = list(
        session.scalars(
            select(WorkspaceGuide)
            .where(WorkspaceGuide.team_id == team_id, WorkspaceGuide.guide_id == guide_id)
            .order_by(WorkspaceGuide.version)
        )
    )
    served = workspace_guides.newest_served(session, team_id, guide_id)
    base = served.version if served is not None else 0
    versions = []
    # Each version is compared with the one that was served when it was saved (the shipped
    # guide before the first): a draft shows what it proposes, and publishing it shows what it
    # changed for readers, not "no change" against the draft it copies. Only the versions
    # listed, and the one served before the oldest of them, are parsed (a long history would
    # otherwise take most of a second).
    first_listed = max(len(rows) - SHOWN, 0)
    parsed: dict[int, Guide | None] = {}

    def guide_of(row: WorkspaceGuide) -> Guide | None:
        if row.id not in parsed:
            parsed[row.id] = _parsed(row)
        return parsed[row.id]

    published: list[WorkspaceGuide] = []  # the published versions so far, oldest first
    published_as: dict[str, int] = {}  # a published text -> the first version that had it
    for index, row in enumerate(rows):
        state = GuideState(row.state)
        if index >= first_listed:
            before = next(  # the newest that still reads (nearly always the newest)
                (g for r in reversed(published) if (g := guide_of(r)) is not None), shipped
            )
            guide = guide_of(row)
            if state is GuideState.HIDDEN:
                changes: tuple[str, ...] = ("hidden: no longer served here",)
            elif state is GuideState.SHIPPED:
                changes = ("back to the version inflow ships",)
            elif guide is None:
                changes = ("cannot be read",)
            else:
                changes = tuple(what_changed(before, guide)) or ("no change",)
                if before is shipped and shipped is not None and changes == ("no change",):
                    changes = ("same as the shipped version",)
                again = published_as.get(row.source)
                if state is GuideState.PUBLISHED and again is not None and again != row.version:
                    changes = (f"the text of version {again} again", *changes)
            versions.append(
                Version(
                    version=row.version,
                    state=state,
                    by=row.created_by,
                    at=row.created_at,
                    changes=changes,
                    served=row.version == base,
                    restorable=(
                        state is GuideState.PUBLISHED and row.version != base and bool(guide)
                    ),
                )
            )
        if state is GuideState.PUBLISHED and row.source:
            published.append(row)
            published_as.setdefault(row.source, row.version)
        elif state is GuideState.SHIPPED:
            published.clear()  # what comes after is compared with the shipped guide again
    newest_first = tuple(reversed(versions))
    return History(
        guide_id=guide_id,
        title=title,
        base=base,
        versions=newest_first[:SHOWN],
        total=len(rows),
        shipped=shipped is not None,
        hidden=served is not None and served.state == GuideState.HIDDEN.value,
        as_shipped=shipped is not None
        and (served is None or served.state == GuideState.SHIPPED.value),
    )


def restore(
    session: Session,
    *,
    team_id: str,
    guide_id: str,
    version: int,
    base: int,
    by: str,
    now: dt.datetime,
    shipped: bool = False,
) -> tuple[WorkspaceGuide, bool]:
    """Serve an older published version again: its source saved as the guide's next, published,
    version (version 0: the shipped version, with `shipped` saying inflow ships the guide).
    Returns the new version and whether the guide was hidden until now. Flushes only.

    Raises:
        AlreadyRestored: this restore (same version, same base) was done already.
        GuideChanged: the guide was published or hidden since the history was opened.
        InflowError: the version is not one of this workspace's published versions, is the one
            served now, or no longer reads as a guide.
    """
    authoring.lock_guide(session, team_id, guide_id)
    if version == SHIPPED_VERSION:
        if not shipped:
            raise InflowError(NOT_SHIPPED)
        return _restore_shipped(session, team_id, guide_id, base=base, by=by, now=now)
    row = session.scalar(
        select(WorkspaceGuide).where(
            WorkspaceGuide.team_id == team_id,
            WorkspaceGuide.guide_id == guide_id,
            WorkspaceGuide.version == version,
        )
    )
    if row is None:
        raise InflowError(GONE)
    if row.state != GuideState.PUBLISHED.value:
        raise InflowError(NOT_RESTORABLE)
    if _parsed(row) is None:  # the guide format moved on since: serving it would serve nothing
        raise InflowError(UNREADABLE)
    done = session.scalar(
        select(WorkspaceGuide)
        .where(
            WorkspaceGuide.team_id == team_id,
            WorkspaceGuide.guide_id == guide_id,
            WorkspaceGuide.version > max(base, version),
            WorkspaceGuide.state == GuideState.PUBLISHED.value,
            WorkspaceGuide.source == row.source,
        )
        .order_by(WorkspaceGuide.version)
        .limit(1)
    )
    newest = workspace_guides.newest_served(session, team_id, guide_id)
    if done is not None and newest is not None and newest.version == done.version:
        raise AlreadyRestored(done, version)
    authoring.check_unchanged(session, team_id, guide_id, base)
    if newest is not None and newest.version == version:
        raise InflowError(NOTHING_TO_RESTORE)
    was_hidden = newest is not None and newest.state == GuideState.HIDDEN.value
    restored = authoring.save_published(
        session, team_id=team_id, guide_id=guide_id, source=row.source, by=by, now=now
    )
    return restored, was_hidden


def _restore_shipped(
    session: Session, team_id: str, guide_id: str, *, base: int, by: str, now: dt.datetime
) -> tuple[WorkspaceGuide, bool]:
    """Serve the shipped version again: a `SHIPPED` row, once, unless changed since `base`."""
    newest = workspace_guides.newest_served(session, team_id, guide_id)
    if newest is not None and newest.state == GuideState.SHIPPED.value and newest.version > base:
        raise InflowError(
            f"The shipped version was restored already, as version {newest.version} "
            f"(by <@{newest.created_by}>)."
        )
    authoring.check_unchanged(session, team_id, guide_id, base)
    if newest is None or newest.state == GuideState.SHIPPED.value:
        raise InflowError(NOTHING_TO_RESTORE)
    was_hidden = newest.state == GuideState.HIDDEN.value
    restored = authoring.save_state(
        session, team_id=team_id, guide_id=guide_id, state=GuideState.SHIPPED, by=by, now=now
    )
    return restored, was_hidden
