"""Each workspace's own library: the shipped guides, changed by what the workspace saved.

A workspace starts with the shipped library (files, the same for everyone). What it changes is
rows of `workspace_guides`, one per save, never updated:

- a guide of its own: an id the shipped library does not have;
- its copy of a shipped guide: the same id; its version wins in that workspace;
- a shipped (or its own) guide hidden: a row in state `hidden`, not served there;
- a shipped guide it changed, back as shipped: a row in state `shipped` (no copy kept).

The newest version of each guide that is not a draft decides what the workspace serves; older
rows are its history. Every replica notices a change by the workspace's `signature` (how many
rows, and the newest), a cheap query it makes at most every few seconds (bot.library.tenants).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db import insert_for
from bot.library.loader import parse_guide_text
from bot.library.overlay import related_served
from bot.library.schema import Guide
from bot.models import GuideRecord, WorkspaceGuide

log = logging.getLogger(__name__)


class GuideState(StrEnum):
    DRAFT = "draft"  # saved, not served
    PUBLISHED = "published"  # served in the workspace
    HIDDEN = "hidden"  # not served in the workspace, though shipped or saved before
    DISCARDED = "discarded"  # a draft its owners threw away (its source kept): never served
    # Back to the version inflow ships (restored from the guide's history): no copy is kept,
    # so the shipped guide's own updates reach the workspace again.
    SHIPPED = "shipped"


# The states that decide what a workspace serves; drafts and discarded drafts never do.
SERVING = (GuideState.PUBLISHED.value, GuideState.HIDDEN.value, GuideState.SHIPPED.value)


Signature = tuple[int, int]  # (rows, newest row id): changes whenever a version is saved


def signature(session: Session, team_id: str) -> Signature:
    """What a replica compares to know the workspace's library changed. The count catches a
    row committed late with a lower id than one already seen."""
    count, newest = session.execute(
        select(func.count(WorkspaceGuide.id), func.max(WorkspaceGuide.id)).where(
            WorkspaceGuide.team_id == team_id
        )
    ).one()
    return int(count or 0), int(newest or 0)


def changed_workspaces(session: Session) -> list[str]:
    """The workspaces that saved any version of a guide."""
    return list(session.scalars(select(WorkspaceGuide.team_id).distinct()))


def _serving(team_id: str, *columns):
    """`select(*columns)` of the version deciding what the workspace serves for each guide it
    changed: its newest in a SERVING state (drafts and discarded drafts never decide)."""
    newest = (
        select(WorkspaceGuide.guide_id, func.max(WorkspaceGuide.version).label("version"))
        .where(
            WorkspaceGuide.team_id == team_id,
            WorkspaceGuide.state.in_(SERVING),
        )
        .group_by(WorkspaceGuide.guide_id)
        .subquery()
    )
    return (
        select(*columns)
        .join(
            newest,
            (WorkspaceGuide.guide_id == newest.c.guide_id)
            & (WorkspaceGuide.version == newest.c.version),
        )
        .where(WorkspaceGuide.team_id == team_id)
        .order_by(WorkspaceGuide.guide_id)
    )


def served_versions(session: Session, team_id: str) -> list[WorkspaceGuide]:
    """The version deciding what the workspace serves, for each guide it changed."""
    return list(session.scalars(_serving(team_id, WorkspaceGuide)))


def served_states(session: Session, team_id: str) -> list[tuple[int, str, GuideState]]:
    """(row id, guide id, state) of `served_versions`, without their text."""
    rows = session.execute(
        _serving(team_id, WorkspaceGuide.id, WorkspaceGuide.guide_id, WorkspaceGuide.state)
    )
    return [(row_id, guide_id, GuideState(state)) for row_id, guide_id, state in rows]


def newest_served(session: Session, team_id: str, guide_id: str) -> WorkspaceGuide | None:
    """The version that decides what the workspace serves for this guide (None: it never
    changed it, so the shipped guide, if any, is served)."""
    return session.scalar(
        select(WorkspaceGuide)
        .where(
            WorkspaceGuide.team_id == team_id,
            WorkspaceGuide.guide_id == guide_id,
            WorkspaceGuide.state.in_(SERVING),
        )
        .order_by(WorkspaceGuide.version.desc())
        .limit(1)
    )


def guide_of(row: WorkspaceGuide) -> Guide | None:
    """The guide a published row holds; None (and a log line) if its source no longer parses."""
    guide, problems = parse_guide_text(
        f"workspace:{row.team_id}/{row.guide_id}@{row.version}", row.source, row.guide_id
    )
    if guide is None:
        log.error("workspace guide cannot be served:\n%s", "\n".join(map(str, problems)))
    return guide


def served_guides(
    shipped: Iterable[Guide], changes: Iterable[tuple[str, GuideState, Guide | None]]
) -> dict[str, Guide]:
    """The guides a workspace serves, by id: the shipped ones with its changes, (guide id,
    state, its guide if published); `related` not yet cut to them (`apply_changes` cuts it).

    A published change that did not parse (None) leaves the shipped guide, if any, served.
    """
    guides = {g.id: g for g in shipped}
    for guide_id, state, guide in changes:
        if state is GuideState.HIDDEN:
            guides.pop(guide_id, None)
        elif state is GuideState.SHIPPED:
            continue  # the shipped guide, as it is
        elif guide is not None and not guide.meta.draft:
            guides[guide_id] = guide
    return guides


def apply_changes(
    shipped: Iterable[Guide], changes: Iterable[tuple[str, GuideState, Guide | None]]
) -> list[Guide]:
    """The shipped guides with a workspace's changes (see `served_guides`), in id order, each
    guide's `related` cut to guides the workspace serves."""
    guides = served_guides(shipped, changes)
    return [related_served(guides[i], guides.keys()) for i in sorted(guides)]


def save_version(
    session: Session,
    *,
    team_id: str,
    guide_id: str,
    source: str,
    state: GuideState,
    by: str,
    now: dt.datetime,
) -> WorkspaceGuide:
    """Save a new version of a guide in the workspace (the next number after its newest); its
    id becomes known to `guides`, which views, votes and aliases refer to."""
    newest = session.scalar(
        select(func.max(WorkspaceGuide.version)).where(
            WorkspaceGuide.team_id == team_id, WorkspaceGuide.guide_id == guide_id
        )
    )
    row = WorkspaceGuide(
        team_id=team_id,
        guide_id=guide_id,
        version=(newest or 0) + 1,
        source=source,
        state=state.value,
        created_by=by,
        created_at=now,
    )
    session.add(row)
    session.flush()
    guide = guide_of(row) if state in (GuideState.PUBLISHED, GuideState.DRAFT) else None
    if guide is not None:
        _known(session, guide, now)
    return row


def hide(session: Session, *, team_id: str, guide_id: str, by: str, now: dt.datetime) -> None:
    """Stop serving a guide in the workspace (a shipped one, or one of its own)."""
    save_version(
        session,
        team_id=team_id,
        guide_id=guide_id,
        source="",
        state=GuideState.HIDDEN,
        by=by,
        now=now,
    )


def workspace_library(session: Session, team_id: str, shipped: Iterable[Guide]) -> list[Guide]:
    """The guides a workspace serves: shipped, with its own published, minus its hidden."""
    changes = []
    for row in served_versions(session, team_id):
        state = GuideState(row.state)
        changes.append(
            (row.guide_id, state, guide_of(row) if state is GuideState.PUBLISHED else None)
        )
    return apply_changes(shipped, changes)


@dataclass
class ImportReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def import_guides(
    session: Session,
    *,
    team_id: str,
    guides: Iterable[tuple[Guide, str]],
    shipped: Iterable[Guide],
    by: str,
    now: dt.datetime,
) -> ImportReport:
    """Save each (guide, its Markdown source) as a new version where it differs from what the
    workspace serves now; a guide marked `draft: true` is saved as a draft. Flushes only."""
    current: Mapping[str, Guide] = {g.id: g for g in workspace_library(session, team_id, shipped)}
    report = ImportReport()
    for guide, source in guides:
        served = current.get(guide.id)
        if served is not None and served.meta == guide.meta and served.body == guide.body:
            report.unchanged.append(guide.id)
            continue
        (report.added if served is None else report.updated).append(guide.id)
        state = GuideState.DRAFT if guide.meta.draft else GuideState.PUBLISHED
        save_version(
            session, team_id=team_id, guide_id=guide.id, source=source, state=state, by=by, now=now
        )
    return report


def _known(session: Session, guide: Guide, now: dt.datetime) -> None:
    """Make the guide id known to `guides`, which views, votes and aliases refer to."""
    session.execute(
        insert_for(session, GuideRecord)
        .values(
            id=guide.id,
            version=guide.version,
            title=guide.title[:200],
            kind=guide.meta.kind.value,
            category=guide.meta.category.value,
            owner=guide.meta.owner[:120],
            retired=False,
            synced_at=now,
        )
        .on_conflict_do_nothing(index_elements=["id"])
    )
