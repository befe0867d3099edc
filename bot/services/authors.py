"""Who owns a workspace's library: its inflow admins, and the people they name as authors.

Owners write guides from Slack (`/learn new`), edit any guide they are shown, and publish or
discard drafts. A guide's own owner (the person its review list goes to: bot.services.
verifications) may edit that guide too, as the review list's *Edit* offers. Only admins name
or remove authors; an admin is always an owner, so the list of authors holds only the people
admins added besides themselves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.db import insert_for
from bot.errors import InflowError
from bot.library.schema import Guide
from bot.models import LibraryAuthor
from bot.services import verifications
from bot.services import workspaces as workspace_service

MAX_AUTHORS = 200  # a library has a handful of writers; a long list is a mistake, not a team

NOT_AN_OWNER = (
    "Writing and editing guides is for the library's owners: this workspace's inflow admins and "
    "the authors they name. An admin can add you with `/learn authors add @you`."
)
NOT_AN_ADMIN = (
    "Only this workspace's inflow admins name the library's authors. Ask one of them (they are "
    "listed under Workspace settings on their inflow Home tab)."
)


class NotAnOwner(InflowError):
    """Something only the library's owners may do; the message says who can help."""


def is_author(session: Session, team_id: str, user_id: str) -> bool:
    """Whether an admin named `user_id` an author of the workspace's library."""
    found = session.scalar(
        select(LibraryAuthor.id).where(
            LibraryAuthor.team_id == team_id, LibraryAuthor.user_id == user_id
        )
    )
    return found is not None


def is_library_owner(session: Session, settings: Settings, team_id: str, user_id: str) -> bool:
    """Whether `user_id` owns the workspace's library: an inflow admin there, or an author."""
    if not team_id or not user_id:
        return False
    if workspace_service.settings_of(session, team_id, settings).is_admin(user_id):
        return True
    return is_author(session, team_id, user_id)


def require_owner(
    session: Session, settings: Settings, team_id: str, user_id: str, why: str = NOT_AN_OWNER
) -> None:
    """Raise `NotAnOwner` (with `why`) unless `user_id` owns the workspace's library."""
    if not is_library_owner(session, settings, team_id, user_id):
        raise NotAnOwner(why)


def require_editor(
    session: Session, settings: Settings, team_id: str, user_id: str, guide: Guide | None
) -> None:
    """Raise `NotAnOwner` unless `user_id` may edit `guide` (None: write a new guide): the
    library's owners may edit any guide, and a guide's owner the guides their review list named."""
    if is_library_owner(session, settings, team_id, user_id):
        return
    if guide is not None and verifications.may_review(
        session, team_id=team_id, user_id=user_id, owner=guide.meta.owner, admins=()
    ):
        return
    raise NotAnOwner(NOT_AN_OWNER)


def authors(session: Session, team_id: str) -> list[str]:
    """The workspace's authors (Slack user ids), in the order they were named."""
    return list(
        session.scalars(
            select(LibraryAuthor.user_id)
            .where(LibraryAuthor.team_id == team_id)
            .order_by(LibraryAuthor.id)
        )
    )


def add_authors(
    session: Session,
    settings: Settings,
    *,
    team_id: str,
    user_ids: Iterable[str],
    by: str,
    now: dt.datetime,
) -> list[str]:
    """Name people authors (an admin's act); returns those who were not authors before."""
    workspace_service.require_admin(
        workspace_service.settings_of(session, team_id, settings), by, NOT_AN_ADMIN
    )
    before = set(authors(session, team_id))
    wanted = [u for u in dict.fromkeys(user_ids) if u not in before]
    if len(before) + len(wanted) > MAX_AUTHORS:
        raise InflowError(f"A library can have up to {MAX_AUTHORS} authors besides its admins.")
    for user_id in wanted:
        session.execute(
            insert_for(session, LibraryAuthor)
            .values(team_id=team_id, user_id=user_id, added_by=by, added_at=now)
            .on_conflict_do_nothing(index_elements=["team_id", "user_id"])
        )
    session.flush()
    return wanted


def remove_authors(
    session: Session, settings: Settings, *, team_id: str, user_ids: Iterable[str], by: str
) -> list[str]:
    """Stop people being authors (an admin's act); returns those who were authors."""
    workspace_service.require_admin(
        workspace_service.settings_of(session, team_id, settings), by, NOT_AN_ADMIN
    )
    wanted = list(dict.fromkeys(user_ids))
    were = [u for u in authors(session, team_id) if u in wanted]
    if were:
        session.execute(
            delete(LibraryAuthor).where(
                LibraryAuthor.team_id == team_id, LibraryAuthor.user_id.in_(were)
            )
        )
        session.flush()
    return were
