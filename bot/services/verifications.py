"""Verifying a guide: its owner says it is still accurate, and its review date moves on.

A verification is a row of `guide_verifications`, never updated: who verified which version of
a guide in a workspace, when, and the date of its next review. It changes no guide, so a shipped
guide verified in a workspace is still the shipped file there and keeps getting its updates.
What it moves is the date the workspace's review reminders and report go by:

    review date = the later of the guide's `review_by` and the next review of its newest
                  verification, when that verification vouched for the text served now

A new version (an edit saved in the workspace, or a changed shipped file) is text nobody has
verified yet: its own `review_by` counts again (the editor sets one in the form), until someone
verifies that version. Nothing has to be reset: the version hash no longer matches.

Who may verify or retire: the guide's owner (the person inflow sent the owner's review list to
in this workspace, found by the owner's email then: no Web API call on a click) and the
workspace's inflow admins. Each acts once: a guide whose served version has a verification still
ahead is not verified again (and the unique key settles two clicks racing on the same day); a
guide already hidden is not hidden again.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db import insert_for
from bot.errors import InflowError
from bot.library.schema import Guide
from bot.models import GuideRecord, GuideVerification, OutboxMessage, WorkspaceGuide
from bot.services import workspace_guides
from bot.services.outbox import OutboxKind

VERIFIED_FOR_MONTHS = 6  # "Still accurate" moves the next review this far from the day
DUE_WITHIN = dt.timedelta(days=30)  # a review date this close counts as due in the report

NOT_A_REVIEWER = (
    "Only the guide's owner or this workspace's inflow admins can verify or retire it, "
    "so nothing changed."
)
NOT_SERVED = "That guide is no longer in this workspace's library, so nothing changed."


class ReviewState(StrEnum):
    VERIFIED = "verified"  # verified, or its review date is more than DUE_WITHIN away
    DUE = "due"  # its review date is within DUE_WITHIN
    OVERDUE = "overdue"  # its review date has passed


def owner_key(owner: str) -> str:
    """A guide owner's email as review lists are keyed by it (compared without case)."""
    return owner.strip().lower()


def months_later(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or that month's last day (31 Aug + 6 months: 28 Feb)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return day.replace(year=year, month=month, day=min(day.day, last))


# -- the review date a workspace goes by -----------------------------------------------------------


def newest(session: Session, team_id: str) -> dict[str, GuideVerification]:
    """The newest verification of each guide verified in the workspace."""
    latest = (
        select(func.max(GuideVerification.id))
        .where(GuideVerification.team_id == team_id)
        .group_by(GuideVerification.guide_id)
    )
    rows = session.scalars(select(GuideVerification).where(GuideVerification.id.in_(latest)))
    return {row.guide_id: row for row in rows}


def review_date(
    review_by: dt.date, version: str, verification: GuideVerification | None
) -> dt.date:
    """The date a workspace reviews a guide by: its `review_by`, moved on by a verification of
    the very text it serves (`version`)."""
    if verification is None or verification.guide_version != version:
        return review_by
    return max(review_by, verification.next_review)


def applied(guides: Iterable[Guide], verifications: dict[str, GuideVerification]) -> list[Guide]:
    """The guides with each one's `review_by` the date the workspace goes by."""
    out = []
    for guide in guides:
        date = review_date(guide.meta.review_by, guide.version, verifications.get(guide.id))
        if date != guide.meta.review_by:
            meta = guide.meta.model_copy(update={"review_by": date})
            guide = guide.model_copy(update={"meta": meta})
        out.append(guide)
    return out


@dataclass(frozen=True)
class Reviewable:
    """What a review list needs of a served guide (a few fields, not its text)."""

    id: str
    title: str
    owner: str
    review_by: dt.date  # with the workspace's verifications applied, where the reader applied them
    version: str

    @classmethod
    def of(cls, guide: Guide) -> Reviewable:
        return cls(guide.id, guide.title, guide.meta.owner, guide.meta.review_by, guide.version)


def state_of(review_by: dt.date, today: dt.date) -> ReviewState:
    if review_by < today:
        return ReviewState.OVERDUE
    if review_by <= today + DUE_WITHIN:
        return ReviewState.DUE
    return ReviewState.VERIFIED


@dataclass(frozen=True)
class OverdueGuide:
    guide_id: str
    title: str
    owner: str
    review_by: dt.date
    days_overdue: int


@dataclass(frozen=True)
class LibraryHealth:
    """How much of a workspace's library is reviewed: counts by state, and what is overdue."""

    verified: int = 0
    due: int = 0
    overdue: int = 0
    overdue_guides: list[OverdueGuide] = field(default_factory=list)  # the longest overdue first


def health(guides: Iterable[Guide], today: dt.date) -> LibraryHealth:
    """Verified / due / overdue for guides whose `review_by` already has verifications applied."""
    counts = dict.fromkeys(ReviewState, 0)
    overdue = []
    for guide in guides:
        if guide.meta.draft:
            continue
        state = state_of(guide.meta.review_by, today)
        counts[state] += 1
        if state is ReviewState.OVERDUE:
            days = (today - guide.meta.review_by).days
            overdue.append(
                OverdueGuide(guide.id, guide.title, guide.meta.owner, guide.meta.review_by, days)
            )
    overdue.sort(key=lambda g: (g.review_by, g.guide_id))
    return LibraryHealth(
        counts[ReviewState.VERIFIED], counts[ReviewState.DUE], counts[ReviewState.OVERDUE], overdue
    )


# -- who may, and what a press does ---------------------------------------------------------------


def may_review(
    session: Session, *, team_id: str, user_id: str, owner: str, admins: Iterable[str]
) -> bool:
    """Whether `user_id` is one of the workspace's inflow admins, or the guide's owner: the
    person a review list for the owner's email (`owner`) went to in this workspace."""
    if user_id in set(admins):
        return True
    found = session.scalar(
        select(OutboxMessage.id)
        .where(
            OutboxMessage.team_id == team_id,
            OutboxMessage.kind == OutboxKind.REVIEW.value,
            OutboxMessage.recipient == user_id,
            OutboxMessage.subject == owner_key(owner)[:64],
        )
        .limit(1)
    )
    return found is not None


def _require_reviewer(
    session: Session, *, team_id: str, user_id: str, owner: str, admins: Iterable[str]
) -> None:
    if not may_review(session, team_id=team_id, user_id=user_id, owner=owner, admins=admins):
        raise InflowError(NOT_A_REVIEWER)


@dataclass(frozen=True)
class Verified:
    title: str
    by: str
    on: dt.date
    next_review: dt.date
    new: bool  # False: it was verified already (a second click), and this is that verification


def verify(
    session: Session,
    *,
    team_id: str,
    guide: Guide | None,
    by: str,
    admins: Iterable[str],
    now: dt.datetime,
    months: int = VERIFIED_FOR_MONTHS,
) -> Verified:
    """Record that `by` found the guide (the version the workspace serves now, None if it
    serves none) still accurate: its next review is `months` from today. A version verified
    with a review still ahead is not verified again. Only its owner or an admin may."""
    if guide is None:
        raise InflowError(NOT_SERVED)
    _require_reviewer(session, team_id=team_id, user_id=by, owner=guide.meta.owner, admins=admins)
    today = now.astimezone(dt.UTC).date()
    standing = session.scalars(
        select(GuideVerification)
        .where(
            GuideVerification.team_id == team_id,
            GuideVerification.guide_id == guide.id,
            GuideVerification.guide_version == guide.version,
            GuideVerification.next_review > today,
        )
        .order_by(GuideVerification.id.desc())
        .limit(1)
    ).first()
    if standing is not None:
        return _verified(guide, standing, new=False)
    next_review = months_later(today, months)
    inserted = session.execute(
        insert_for(session, GuideVerification)
        .values(
            team_id=team_id,
            guide_id=guide.id,
            guide_version=guide.version,
            verified_by=by,
            verified_at=now,
            next_review=next_review,
        )
        .on_conflict_do_nothing()
        .returning(GuideVerification.id)
    ).scalar()
    row = session.scalars(
        select(GuideVerification).where(
            GuideVerification.team_id == team_id,
            GuideVerification.guide_id == guide.id,
            GuideVerification.guide_version == guide.version,
            GuideVerification.next_review == next_review,
        )
    ).one()
    return _verified(guide, row, new=inserted is not None)


def _verified(guide: Guide, row: GuideVerification, *, new: bool) -> Verified:
    on = row.verified_at.astimezone(dt.UTC).date()
    return Verified(guide.title, row.verified_by, on, row.next_review, new)


@dataclass(frozen=True)
class Retired:
    title: str
    by: str
    on: dt.date
    new: bool  # False: it was hidden already (a second click), by `by` on `on`


def retire(
    session: Session,
    *,
    team_id: str,
    guide_id: str,
    guide: Guide | None,
    by: str,
    admins: Iterable[str],
    now: dt.datetime,
) -> Retired:
    """Stop serving the guide in the workspace (hide it), unless it is hidden already. `guide`
    is what the workspace serves under that id (None: nothing, maybe retired a moment ago).
    Only its owner or an admin may."""
    # Two clicks at once take turns here: each reads what the other saved before it decides.
    record = session.scalars(
        select(GuideRecord).where(GuideRecord.id == guide_id).with_for_update()
    ).first()
    owner = guide.meta.owner if guide is not None else record.owner if record else ""
    title = guide.title if guide is not None else record.title if record else guide_id
    _require_reviewer(session, team_id=team_id, user_id=by, owner=owner, admins=admins)
    hidden = _hidden(session, team_id, guide_id)
    if hidden is None and guide is None:
        raise InflowError(NOT_SERVED)
    if hidden is None:
        try:
            with session.begin_nested():
                workspace_guides.hide(session, team_id=team_id, guide_id=guide_id, by=by, now=now)
            return Retired(title, by, now.astimezone(dt.UTC).date(), new=True)
        except IntegrityError:  # another click saved the same next version first
            hidden = _hidden(session, team_id, guide_id)
            if hidden is None:
                raise
    return Retired(title, hidden.created_by, hidden.created_at.astimezone(dt.UTC).date(), new=False)


def _hidden(session: Session, team_id: str, guide_id: str) -> WorkspaceGuide | None:
    """The row that hid the guide, if its newest served version is a hidden one."""
    row = workspace_guides.newest_served(session, team_id, guide_id)
    return row if row is not None and row.state == workspace_guides.GuideState.HIDDEN else None
