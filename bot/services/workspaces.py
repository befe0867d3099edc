"""The workspaces inflow serves: installed or not, and the settings their admins chose.

A workspace is *active* from its installation (or, with SLACK_BOT_TOKEN, from the first start
with that token) until Slack says the app was uninstalled or its bot token revoked. From that
moment nothing more is sent to it; its data is kept for INFLOW_UNINSTALL_GRACE_DAYS in case it
comes back, then deleted. A workspace with no row yet (data from before workspaces were
recorded) counts as active.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal, cast

from sqlalchemy import CursorResult, delete, select
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.db import insert_for
from bot.errors import InflowError
from bot.models import Base, WorkspaceRecord
from bot.services import outbox, preferences
from bot.services.preferences import DAYS, TIME_PATTERN

log = logging.getLogger(__name__)

UNINSTALLED_REASON = "the workspace uninstalled inflow"
MAX_BUDGET = 20
MAX_ADMINS = 50  # the admins column holds 1,000 characters of user ids
MAX_EMOJI_TEXT = 500  # each emoji column holds 500 characters of names
NO_CHANNEL = "-"  # the admins chose no learning channel, whatever the environment's default
_EMOJI = re.compile(r"^[a-z0-9_+\-']{1,100}$")
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,20}$")
_CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,30}$")


class WorkspaceStatus(StrEnum):
    ACTIVE = "active"
    UNINSTALLED = "uninstalled"  # nothing is sent; the data waits for the grace period
    DELETED = "deleted"  # its data is gone; the row says when it went


@dataclass(frozen=True)
class WorkspaceSettings:
    """What a workspace's admins chose, with the deployment's defaults for the rest."""

    admins: frozenset[str]
    learning_channel: str | None
    helpful_emoji: tuple[str, ...]
    unhelpful_emoji: tuple[str, ...]
    nudge_days: tuple[str, ...]
    nudge_time: str
    nudge_budget: int
    channel_suggestions: bool

    @property
    def helpful(self) -> str:
        """The emoji a shared guide asks for."""
        return self.helpful_emoji[0]

    @property
    def unhelpful(self) -> str:
        """The emoji a shared guide names for "not helpful"."""
        return self.unhelpful_emoji[0]

    def is_admin(self, user_id: str) -> bool:
        """Whether `user_id` is one of the workspace's inflow admins (the library's owners)."""
        return user_id in self.admins


NOT_AN_ADMIN = (
    "Workspace settings are for this workspace's inflow admins. Any of them can add you: the "
    "list is under Workspace settings on their inflow Home tab."
)


class NotAnAdmin(InflowError):
    """Something only the workspace's inflow admins may do; the message says who can help."""


def require_admin(workspace: WorkspaceSettings, user_id: str, why: str = NOT_AN_ADMIN) -> None:
    """Raise `NotAnAdmin` (with `why`) unless `user_id` is one of the workspace's admins."""
    if not workspace.is_admin(user_id):
        raise NotAnAdmin(why)


def defaults(settings: Settings) -> WorkspaceSettings:
    """The deployment's settings from the environment, for a workspace that changed nothing."""
    return WorkspaceSettings(
        admins=frozenset(settings.admin_user_ids),
        learning_channel=settings.learning_channel,
        helpful_emoji=tuple(settings.helpful_emoji),
        unhelpful_emoji=tuple(settings.unhelpful_emoji),
        nudge_days=preferences.WORKING_DAYS,
        nudge_time=preferences.DEFAULT_TIME,
        nudge_budget=settings.weekly_nudge_budget,
        channel_suggestions=True,
    )


def settings_of(session: Session, team_id: str, settings: Settings) -> WorkspaceSettings:
    """One workspace's settings: what its admins chose, the environment's defaults for the rest."""
    return _merged(session.get(WorkspaceRecord, team_id), defaults(settings))


def _merged(row: WorkspaceRecord | None, base: WorkspaceSettings) -> WorkspaceSettings:
    if row is None:
        return base
    admins = set(base.admins) | ({row.installed_by} if row.installed_by else set())
    return WorkspaceSettings(
        admins=frozenset(_split(row.admins)) if row.admins is not None else frozenset(admins),
        learning_channel=_channel(row.learning_channel, base.learning_channel),
        helpful_emoji=tuple(_split(row.helpful_emoji)) or base.helpful_emoji,
        unhelpful_emoji=tuple(_split(row.unhelpful_emoji)) or base.unhelpful_emoji,
        nudge_days=tuple(d for d in _split(row.nudge_days) if d in DAYS) or base.nudge_days,
        nudge_time=row.nudge_time or base.nudge_time,
        nudge_budget=row.nudge_budget or base.nudge_budget,
        channel_suggestions=(
            base.channel_suggestions if row.channel_suggestions is None else row.channel_suggestions
        ),
    )


def _channel(chosen: str | None, default: str | None) -> str | None:
    if chosen == NO_CHANNEL:
        return None
    return chosen or default


def _split(value: str | None) -> list[str]:
    return [part for part in (value or "").split(",") if part]


class SettingsError(InflowError):
    """Settings an admin gave that cannot be used: a sentence for each setting at fault, by the
    name of the setting (`change_settings`'s keyword)."""

    def __init__(self, problems: dict[str, str]):
        super().__init__(" ".join(problems.values()))
        self.problems = problems


def emoji_names(text: str) -> list[str]:
    """The emoji names in what an admin typed: `:+1:, heart` -> ["+1", "heart"]."""
    names = (part.strip().strip(":").lower() for part in (text or "").split(","))
    return list(dict.fromkeys(name for name in names if name))


def only_changed(current: WorkspaceSettings, **given: Any) -> dict[str, Any]:
    """What `given` (change_settings' keywords, None or absent: not given) changes from
    `current`, so a setting left alone keeps following the environment's default. The two emoji
    lists go together when either changes, so that no emoji ends up meaning both."""
    now = {
        "admins": lambda v: set(v) == current.admins,
        "nudge_days": lambda v: set(v) == set(current.nudge_days),
        "nudge_time": lambda v: v == current.nudge_time,
        "nudge_budget": lambda v: v == current.nudge_budget,
        "channel_suggestions": lambda v: v == current.channel_suggestions,
    }
    changed = {
        name: value
        for name, value in given.items()
        if name in now and value is not None and not now[name](value)
    }
    channel = given.get("learning_channel", False)
    if channel is not False and channel != current.learning_channel:
        changed["learning_channel"] = channel
    helpful, unhelpful = given.get("helpful_emoji"), given.get("unhelpful_emoji")
    if (helpful is not None and tuple(helpful) != current.helpful_emoji) or (
        unhelpful is not None and tuple(unhelpful) != current.unhelpful_emoji
    ):
        changed["helpful_emoji"] = list(current.helpful_emoji if helpful is None else helpful)
        changed["unhelpful_emoji"] = list(
            current.unhelpful_emoji if unhelpful is None else unhelpful
        )
    return changed


def change_settings(
    session: Session,
    *,
    team_id: str,
    by: str,
    now: dt.datetime,
    admins: list[str] | None = None,
    learning_channel: str | Literal[False] | None = False,
    helpful_emoji: list[str] | None = None,
    unhelpful_emoji: list[str] | None = None,
    nudge_days: list[str] | None = None,
    nudge_time: str | None = None,
    nudge_budget: int | None = None,
    channel_suggestions: bool | None = None,
) -> None:
    """Change what was given (False for `learning_channel`: leave it; None: no channel, even
    where the environment names one).

    Raises SettingsError with a sentence for each value that cannot be used; then nothing is
    changed. A new default day or time is honoured at once: the nudges already planned for
    people who follow the default are unplanned, and the next planner pass places them again.
    A new budget applies from the next pass.
    """
    problems = problems_with(
        admins=admins,
        learning_channel=learning_channel,
        helpful_emoji=helpful_emoji,
        unhelpful_emoji=unhelpful_emoji,
        nudge_days=nudge_days,
        nudge_time=nudge_time,
        nudge_budget=nudge_budget,
    )
    if problems:
        raise SettingsError(problems)

    before = preferences.workspace_default(session, team_id)
    row = record(session, team_id, now=now)
    if admins is not None:
        row.admins = ",".join(dict.fromkeys(admins))
    if learning_channel is not False:
        row.learning_channel = learning_channel or NO_CHANNEL
    if helpful_emoji is not None:
        row.helpful_emoji = ",".join(dict.fromkeys(helpful_emoji))
    if unhelpful_emoji is not None:
        row.unhelpful_emoji = ",".join(dict.fromkeys(unhelpful_emoji))
    if nudge_days is not None:
        row.nudge_days = ",".join(d for d in DAYS if d in nudge_days)
    if nudge_time is not None:
        row.nudge_time = nudge_time
    if nudge_budget is not None:
        row.nudge_budget = nudge_budget
    if channel_suggestions is not None:
        row.channel_suggestions = channel_suggestions
    row.settings_changed_by = by
    row.settings_changed_at = now
    session.flush()
    after = preferences.workspace_default(session, team_id)
    if (before.days, before.time) != (after.days, after.time):
        preferences.default_changed(
            session,
            team_id=team_id,
            now=now,
            days=before.days != after.days,
            time=before.time != after.time,
        )


def problems_with(
    *,
    admins: list[str] | None = None,
    learning_channel: str | Literal[False] | None = False,
    helpful_emoji: list[str] | None = None,
    unhelpful_emoji: list[str] | None = None,
    nudge_days: list[str] | None = None,
    nudge_time: str | None = None,
    nudge_budget: int | None = None,
    channel_suggestions: bool | None = None,
) -> dict[str, str]:
    """What is wrong with each value given (change_settings' keywords), by setting; empty when
    all of them can be used. Channel suggestions, on or off, are always fine."""
    problems = {}
    if admins is not None:
        if not admins:
            problems["admins"] = "Keep at least one admin, or nobody can change these settings."
        elif len(set(admins)) > MAX_ADMINS or not all(_USER_ID.match(a) for a in admins):
            problems["admins"] = f"Pick up to {MAX_ADMINS} people from this workspace."
    if learning_channel not in (False, None) and not _CHANNEL_ID.match(str(learning_channel)):
        problems["learning_channel"] = "Pick a channel (public or private), or none."
    for name, label, names in (
        ("helpful_emoji", "helpful", helpful_emoji),
        ("unhelpful_emoji", "not helpful", unhelpful_emoji),
    ):
        if names is None:
            continue
        if not names or not all(_EMOJI.match(n) for n in names):
            problems[name] = (
                f"Give the {label} emoji as names like `+1, heart` (letters, digits, _ + -)."
            )
        elif len(",".join(dict.fromkeys(names))) > MAX_EMOJI_TEXT:
            problems[name] = f"That's too many emoji: keep the list under {MAX_EMOJI_TEXT} letters."
    both = set(helpful_emoji or ()) & set(unhelpful_emoji or ())
    if both and not {"helpful_emoji", "unhelpful_emoji"} & problems.keys():
        listed = ", ".join(f":{n}:" for n in sorted(both))
        problems["unhelpful_emoji"] = (
            f"An emoji can't mean both helpful and not helpful ({listed})."
        )
    if nudge_days is not None and (not nudge_days or any(d not in DAYS for d in nudge_days)):
        problems["nudge_days"] = "Pick at least one day for nudges."
    if nudge_time is not None and not TIME_PATTERN.match(nudge_time):
        problems["nudge_time"] = "Pick a time like 09:30 for nudges."
    if nudge_budget is not None and not 1 <= nudge_budget <= MAX_BUDGET:
        problems["nudge_budget"] = (
            f"The weekly budget is between 1 and {MAX_BUDGET} nudges a person."
        )
    return problems


def record(session: Session, team_id: str, *, now: dt.datetime) -> WorkspaceRecord:
    """The workspace's row, made (active) if it has none yet.

    Replicas starting together with one SLACK_BOT_TOKEN all make it at once: the insert does
    nothing where another process got there first (on PostgreSQL it waits for that one's commit).
    """
    row = session.get(WorkspaceRecord, team_id)
    if row is None:
        session.execute(
            insert_for(session, WorkspaceRecord)
            .values(team_id=team_id, status=WorkspaceStatus.ACTIVE.value, installed_at=now)
            .on_conflict_do_nothing()
        )
        row = session.get_one(WorkspaceRecord, team_id)
    return row


def installed(
    session: Session,
    *,
    team_id: str,
    now: dt.datetime,
    enterprise_id: str | None = None,
    name: str | None = None,
    by: str | None = None,
) -> WorkspaceRecord:
    """inflow was installed (or installed again): the workspace is active, its data kept.

    Whoever installs it first becomes an admin (`installed_by`); installing again changes no
    admin: anyone allowed to install apps could otherwise make themselves inflow's admin and
    unseat the first. Admins change only by an admin's choice (the settings' `admins`).
    """
    row = record(session, team_id, now=now)
    was = row.status
    row.status = WorkspaceStatus.ACTIVE.value
    row.enterprise_id = enterprise_id or row.enterprise_id
    row.name = name or row.name
    if by is not None and row.installed_by is None:
        row.installed_by = by
    elif by is not None and by != row.installed_by:
        log.info("workspace %s installed again by %s; its admins are unchanged", team_id, by)
    if was != WorkspaceStatus.ACTIVE.value:
        row.installed_at = now
        row.uninstalled_at = None
        row.delete_after = None
        log.info("workspace %s installed again (was %s)", team_id, was)
    session.flush()
    return row


def uninstalled(
    session: Session, *, team_id: str, now: dt.datetime, grace: dt.timedelta
) -> WorkspaceRecord:
    """Slack says inflow may no longer act in the workspace: stop at once, delete later."""
    row = record(session, team_id, now=now)
    if row.status == WorkspaceStatus.ACTIVE.value:
        row.status = WorkspaceStatus.UNINSTALLED.value
        row.uninstalled_at = now
        row.delete_after = now + grace
    outbox.drop_pending(session, team_id=team_id, reason=UNINSTALLED_REASON)
    session.flush()
    return row


def inactive_teams(session: Session) -> set[str]:
    return set(
        session.scalars(
            select(WorkspaceRecord.team_id).where(
                WorkspaceRecord.status != WorkspaceStatus.ACTIVE.value
            )
        )
    )


def active_teams(session: Session) -> list[str]:
    return list(
        session.scalars(
            select(WorkspaceRecord.team_id)
            .where(WorkspaceRecord.status == WorkspaceStatus.ACTIVE.value)
            .order_by(WorkspaceRecord.team_id)
        )
    )


def delete_expired(session: Session, *, now: dt.datetime) -> dict[str, int]:
    """Delete the data of every workspace uninstalled longer ago than its grace period.

    Every table with a `team_id` goes, children first; the workspace's own row stays, emptied of
    its settings, to say when its data went. Returns rows deleted by team.
    """
    due = list(
        session.scalars(
            select(WorkspaceRecord).where(
                WorkspaceRecord.status == WorkspaceStatus.UNINSTALLED.value,
                WorkspaceRecord.delete_after <= now,
            )
        )
    )
    deleted: dict[str, int] = {}
    for row in due:
        count = 0
        for table in reversed(Base.metadata.sorted_tables):
            if table.name == WorkspaceRecord.__tablename__ or "team_id" not in table.c:
                continue
            result = session.execute(delete(table).where(table.c.team_id == row.team_id))
            count += cast(CursorResult, result).rowcount or 0
        for setting in _SETTINGS:
            setattr(row, setting, None)
        row.installed_by = None
        row.name = None
        row.status = WorkspaceStatus.DELETED.value
        deleted[row.team_id] = count
        log.info("workspace %s: data deleted after uninstall (%d rows)", row.team_id, count)
    session.flush()
    return deleted


_SETTINGS = (
    "admins",
    "learning_channel",
    "helpful_emoji",
    "unhelpful_emoji",
    "nudge_days",
    "nudge_time",
    "nudge_budget",
    "channel_suggestions",
    "settings_changed_by",
    "settings_changed_at",
)
