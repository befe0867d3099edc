"""SQLAlchemy 2 typed models. Every row that belongs to a workspace carries its Slack `team_id`."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import ForeignKey, Index, MetaData, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bot.db import UTCDateTime, utcnow

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict] = {dt.datetime: UTCDateTime()}


class ProcessedEvent(Base):
    """An Events API delivery inflow has handled, so Slack's retries are dropped in any process."""

    __tablename__ = "processed_events"
    __table_args__ = (UniqueConstraint("team_id", "event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    event_id: Mapped[str] = mapped_column(String(64))
    event_type: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)


class AcceptedSignature(Base):
    """A signed request inflow acted on, remembered while its signature is valid, so that the
    same request sent again is not acted on twice (bot.signatures)."""

    __tablename__ = "accepted_signatures"

    signature: Mapped[str] = mapped_column(String(67), primary_key=True)
    expires_at: Mapped[dt.datetime] = mapped_column(index=True)


class GuideRecord(Base):
    """A guide id the library has served: ratings, views and follow-ups point at it for good.

    Content lives in files; this row is what history refers to. A guide removed from the files is
    marked retired, never deleted, so its history stays readable.
    """

    __tablename__ = "guides"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(64))
    owner: Mapped[str] = mapped_column(String(120))
    retired: Mapped[bool] = mapped_column(default=False)
    synced_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class GuideEvent(Base):
    """Someone was shown, opened or shared a guide."""

    __tablename__ = "guide_events"
    __table_args__ = (
        Index(None, "team_id", "guide_id", "kind"),
        Index(None, "team_id", "at"),
        UniqueConstraint("team_id", "user_id", "guide_id", "kind", "clicked"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    guide_id: Mapped[str] = mapped_column(ForeignKey("guides.id"))
    user_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))  # GuideEventKind
    channel_id: Mapped[str | None] = mapped_column(String(32))
    query: Mapped[str | None] = mapped_column(String(500))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # For an event a button recorded, the message the button was on (its ts): one event per
    # person, guide, kind and message however often it is clicked. NULL (not unique) otherwise.
    clicked: Mapped[str | None] = mapped_column(String(32))


class GuideMessage(Base):
    """A guide the bot posted in a channel; reactions on it rate the guide."""

    __tablename__ = "guide_messages"
    __table_args__ = (UniqueConstraint("team_id", "channel_id", "message_ts"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    message_ts: Mapped[str] = mapped_column(String(32))
    guide_id: Mapped[str] = mapped_column(ForeignKey("guides.id"))
    shared_by: Mapped[str] = mapped_column(String(32))
    posted_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class GuideReaction(Base):
    """One person's emoji on one guide message, as Slack reported it (skin tone folded)."""

    __tablename__ = "guide_reactions"
    __table_args__ = (
        UniqueConstraint("guide_message_id", "user_id", "emoji"),
        Index(None, "team_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    guide_message_id: Mapped[int] = mapped_column(
        ForeignKey("guide_messages.id", ondelete="CASCADE")
    )
    user_id: Mapped[str] = mapped_column(String(32))
    emoji: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Rating(Base):
    """One person's vote on a guide, wherever they cast it: the buttons, or emoji on any message
    sharing it (bot/services/library.py says how the two meet)."""

    __tablename__ = "ratings"
    __table_args__ = (
        UniqueConstraint("team_id", "guide_id", "user_id"),
        Index(None, "team_id", "guide_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    guide_id: Mapped[str] = mapped_column(ForeignKey("guides.id"))
    user_id: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(16))  # VoteSource: how it was last cast
    value: Mapped[int]  # +1 helpful, -1 not helpful
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ContentGap(Base):
    """A query the library had nothing good enough for: what its owners should write next."""

    __tablename__ = "content_gaps"
    __table_args__ = (Index(None, "team_id", "normalized"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    query: Mapped[str] = mapped_column(String(500))
    normalized: Mapped[str] = mapped_column(String(200))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class GuideAlias(Base):
    """A name for a guide that a workspace's library owners accepted, usually from the report's
    "asked X, chose Y" pairs: /learn then answers that guide when someone types it."""

    __tablename__ = "guide_aliases"
    __table_args__ = (UniqueConstraint("team_id", "alias_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    guide_id: Mapped[str] = mapped_column(ForeignKey("guides.id"))
    alias: Mapped[str] = mapped_column(String(200))
    alias_key: Mapped[str] = mapped_column(String(200))  # text.name_key, joined with spaces
    added_by: Mapped[str] = mapped_column(String(32))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class WorkspaceGuide(Base):
    """One saved version of a guide in one workspace's own library: a guide of its own, its
    edited copy of a shipped guide (same id: it wins there), or a shipped guide hidden there.

    Every save is a new row (`version` counts up per workspace and guide), so the history of a
    guide stays readable; the newest published or hidden version is what the workspace serves.
    """

    __tablename__ = "workspace_guides"
    __table_args__ = (
        UniqueConstraint("team_id", "guide_id", "version"),
        Index(None, "team_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    guide_id: Mapped[str] = mapped_column(String(64))
    version: Mapped[int]
    source: Mapped[str] = mapped_column(Text)  # the guide's Markdown, as its file holds it
    state: Mapped[str] = mapped_column(String(16))  # bot.services.workspace_guides.GuideState
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class LibraryAuthor(Base):
    """Someone a workspace's inflow admins named an author of its library: with the admins, the
    library's owners there (they write, edit and publish guides from Slack)."""

    __tablename__ = "library_authors"
    __table_args__ = (UniqueConstraint("team_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    added_by: Mapped[str] = mapped_column(String(32))
    added_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class GuideVerification(Base):
    """Someone said a guide is still accurate in one workspace: its review date moves on there.

    It vouches for one version of the guide (`guide_version`, the hash of the text served then)
    and changes no guide, so a shipped guide verified in a workspace keeps its shipped updates
    (bot.services.verifications). Never updated; the newest per guide is the one that counts.
    """

    __tablename__ = "guide_verifications"
    # One verification of a version per review date: two clicks the same day are one.
    __table_args__ = (
        UniqueConstraint(
            "team_id",
            "guide_id",
            "guide_version",
            "next_review",
            name="uq_guide_verifications_version_review",  # the conventional name passes 63
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    guide_id: Mapped[str] = mapped_column(String(64))
    guide_version: Mapped[str] = mapped_column(String(16))  # Guide.version: the text verified
    verified_by: Mapped[str] = mapped_column(String(32))
    verified_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    next_review: Mapped[dt.date]


class MistakeMoment(Base):
    """Someone had a mistake moment and asked a colleague for five minutes.

    `what_happened` and `lesson` are private to the author (and `what_happened` to the colleague
    they chose): nothing else in inflow shows them, and reports only count moments.
    """

    __tablename__ = "mistake_moments"
    __table_args__ = (Index(None, "team_id", "author_id"), Index(None, "team_id", "status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    author_id: Mapped[str] = mapped_column(String(32))
    colleague_id: Mapped[str | None] = mapped_column(String(32))
    what_happened: Mapped[str | None] = mapped_column(Text)
    when: Mapped[str] = mapped_column(String(16))  # MomentWhen
    status: Mapped[str] = mapped_column(String(16))  # MomentStatus
    source_channel_id: Mapped[str | None] = mapped_column(String(32))
    source_message_ts: Mapped[str | None] = mapped_column(String(32))
    chat_channel_id: Mapped[str | None] = mapped_column(String(32))  # the group DM, once agreed
    colleague_message_ts: Mapped[str | None] = mapped_column(String(32))
    colleague_dm_channel_id: Mapped[str | None] = mapped_column(String(32))
    lesson: Mapped[str | None] = mapped_column(Text)
    lesson_shared: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[dt.datetime | None]
    lesson_at: Mapped[dt.datetime | None]


class Strength(Base):
    """Someone was seen at their best: kept for the person who received it."""

    __tablename__ = "strengths"
    __table_args__ = (Index(None, "team_id", "receiver_id"), Index(None, "team_id", "giver_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    giver_id: Mapped[str] = mapped_column(String(32))
    receiver_id: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text)
    theme: Mapped[str] = mapped_column(String(32))
    posted_channel_id: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Idea(Base):
    """An idea on its way through Pitch → Prototype → Pilot → Adopted (or Parked)."""

    __tablename__ = "ideas"
    __table_args__ = (
        Index(None, "team_id", "author_id"),
        Index(None, "team_id", "sponsor_id"),
        Index(None, "team_id", "stage"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    author_id: Mapped[str] = mapped_column(String(32))
    sponsor_id: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(300))
    stage: Mapped[str] = mapped_column(String(16))  # Stage
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    stage_changed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class IdeaStep(Base):
    """One move of an idea to a stage, with the answer to that stage's question."""

    __tablename__ = "idea_steps"
    __table_args__ = (Index(None, "idea_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    stage: Mapped[str] = mapped_column(String(16))
    answer: Mapped[str | None] = mapped_column(Text)
    learned: Mapped[str | None] = mapped_column(Text)
    by_user: Mapped[str] = mapped_column(String(32))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Debrief(Base):
    """An after-action review in a channel: answers gathered, one summary in a thread."""

    __tablename__ = "debriefs"
    __table_args__ = (Index(None, "team_id", "channel_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    topic: Mapped[str] = mapped_column(String(200))
    started_by: Mapped[str] = mapped_column(String(32))
    message_ts: Mapped[str | None] = mapped_column(String(32))
    summary_ts: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[dt.datetime | None]


class DebriefAnswer(Base):
    """One person's answers to a debrief's four questions (a new submission replaces them)."""

    __tablename__ = "debrief_answers"
    __table_args__ = (UniqueConstraint("debrief_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    debrief_id: Mapped[int] = mapped_column(ForeignKey("debriefs.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(32))
    happened: Mapped[str | None] = mapped_column(Text)
    worked: Mapped[str | None] = mapped_column(Text)
    did_not: Mapped[str | None] = mapped_column(Text)
    differently: Mapped[str | None] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class DebriefSchedule(Base):
    """A channel's recurring debrief: the scheduler (issue 5) sends its reminders."""

    __tablename__ = "debrief_schedules"
    __table_args__ = (UniqueConstraint("team_id", "channel_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    every_days: Mapped[int | None]  # None: monthly on the same day
    monthly: Mapped[bool] = mapped_column(default=False)
    set_by: Mapped[str] = mapped_column(String(32))
    starts_on: Mapped[dt.datetime] = mapped_column(default=utcnow)


class NudgePreference(Base):
    """When and which nudges a person wants; the scheduler (issue 5) honours it."""

    __tablename__ = "nudge_preferences"
    __table_args__ = (UniqueConstraint("team_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    # None: the workspace's default, as its admins set it (WorkspaceRecord.nudge_days/time)
    days: Mapped[str | None] = mapped_column(String(32))  # "mon,tue,wed,thu,fri"
    time: Mapped[str | None] = mapped_column(String(5))  # "09:30", the person's own time zone
    paused_until: Mapped[dt.date | None]
    kinds_off: Mapped[str] = mapped_column(
        String(200), default=""
    )  # NudgeKind values, comma-separated
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class OutboxMessage(Base):
    """A message to send: one row per (workspace, recipient, kind, subject, occurrence).

    The unique key makes planning idempotent; the status makes delivery exactly-once: rows are
    claimed under a lease, and a row whose claimer died is checked against Slack before any
    second attempt.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("team_id", "recipient", "kind", "subject", "occurrence"),
        Index(None, "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    recipient: Mapped[str] = mapped_column(String(32))  # a person, or a channel (a debrief)
    kind: Mapped[str] = mapped_column(String(32))  # OutboxKind
    subject: Mapped[str] = mapped_column(String(64))
    occurrence: Mapped[str] = mapped_column(String(32))
    due_at: Mapped[dt.datetime]
    message: Mapped[str] = mapped_column(Text)  # JSON: text and blocks
    priority: Mapped[int] = mapped_column(default=0)  # the most useful wins the weekly budget
    status: Mapped[str] = mapped_column(String(16), default="pending")  # OutboxStatus
    attempts: Mapped[int] = mapped_column(default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[dt.datetime | None]
    sent_at: Mapped[dt.datetime | None]
    channel_id: Mapped[str | None] = mapped_column(String(32))  # where it was posted
    message_ts: Mapped[str | None] = mapped_column(String(32))
    error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ManagerReport(Base):
    """Who manages whom, as a manager named it (/learn team) or an admin imported it.

    A link a manager named shares nothing about the report until the report confirms it
    (`confirmed_at`); an admin's import is confirmed as it is made. A report who says "not my
    manager" declines it (`declined_at`), and the same manager cannot ask again.
    """

    __tablename__ = "manager_reports"
    __table_args__ = (
        UniqueConstraint("team_id", "manager_id", "report_id"),
        Index(None, "team_id", "report_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    manager_id: Mapped[str] = mapped_column(String(32))
    report_id: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(16))  # "slack" or "import"
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[dt.datetime | None]
    declined_at: Mapped[dt.datetime | None]


class Holiday(Base):
    """A day the workspace is off: no nudges for anyone (an admin sets them)."""

    __tablename__ = "holidays"
    __table_args__ = (UniqueConstraint("team_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    day: Mapped[dt.date]
    name: Mapped[str] = mapped_column(String(100), default="")


class Person(Base):
    """What inflow last read about a person from `users.info`: refreshed at most daily."""

    __tablename__ = "people"
    __table_args__ = (UniqueConstraint("team_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    tz: Mapped[str | None] = mapped_column(String(64))
    away: Mapped[bool] = mapped_column(default=False)
    deleted: Mapped[bool] = mapped_column(default=False)
    fetched_at: Mapped[dt.datetime]


class NudgeFeedback(Base):
    """A one-tap "Not useful" on a nudge: the planners learn which kinds people skip."""

    __tablename__ = "nudge_feedback"
    __table_args__ = (Index(None, "team_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class GuideOutcome(Base):
    """What someone said happened when they used a guide: the measure that matters."""

    __tablename__ = "guide_outcomes"
    __table_args__ = (Index(None, "team_id", "guide_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    guide_id: Mapped[str] = mapped_column(ForeignKey("guides.id"))
    outcome: Mapped[str] = mapped_column(String(16))  # helped, did_not_help, not_yet
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class SuggestionOffer(Base):
    """A guide offered quietly to someone for what they wrote in a channel.

    One a person a day (the unique key makes that hold across processes), and what they did
    with it, so restraint can be measured and the same guide is not offered again soon.
    """

    __tablename__ = "suggestion_offers"
    __table_args__ = (
        UniqueConstraint("team_id", "user_id", "offered_on"),
        Index(None, "team_id", "channel_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    guide_id: Mapped[str] = mapped_column(String(64))
    offered_on: Mapped[dt.date]  # the UTC day: at most one offer a person a day
    at: Mapped[dt.datetime]
    outcome: Mapped[str] = mapped_column(String(16), default="offered")  # opened, dismissed


class SuggestionOptOut(Base):
    """Someone stopped suggestions for themselves (scope "user") or a channel ("channel")."""

    __tablename__ = "suggestion_opt_outs"
    __table_args__ = (UniqueConstraint("team_id", "scope", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    scope: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[str] = mapped_column(String(32))  # the user or the channel
    set_by: Mapped[str] = mapped_column(String(32))
    at: Mapped[dt.datetime]


class WorkspaceRecord(Base):
    """A Slack workspace inflow serves: whether it may be sent to, and what its admins chose.

    Every setting left None is the deployment's default from the environment (bot.config).
    """

    __tablename__ = "workspaces"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    enterprise_id: Mapped[str | None] = mapped_column(String(32))
    name: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="active")  # WorkspaceStatus
    # Who installed inflow first: an admin until the admins choose (installing again changes it
    # not; see bot.services.workspaces.installed).
    installed_by: Mapped[str | None] = mapped_column(String(32))
    installed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    uninstalled_at: Mapped[dt.datetime | None]
    delete_after: Mapped[dt.datetime | None]  # its data goes then, unless it is installed again
    admins: Mapped[str | None] = mapped_column(String(1000))  # user ids, comma-separated
    learning_channel: Mapped[str | None] = mapped_column(String(32))
    helpful_emoji: Mapped[str | None] = mapped_column(String(500))  # names, comma-separated
    unhelpful_emoji: Mapped[str | None] = mapped_column(String(500))
    nudge_days: Mapped[str | None] = mapped_column(String(32))  # "mon,tue,wed,thu,fri"
    nudge_time: Mapped[str | None] = mapped_column(String(5))  # "09:30"
    nudge_budget: Mapped[int | None]
    channel_suggestions: Mapped[bool | None]
    settings_changed_by: Mapped[str | None] = mapped_column(String(32))
    settings_changed_at: Mapped[dt.datetime | None]


# slack_sdk's OAuth stores keep their tables here, so Alembic migrates them with inflow's own
# (bot/installations.py uses them). Token columns are widened: they hold Fernet ciphertext,
# about twice a token's length.
TOKEN_COLUMNS = ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token")


def _wide_tokens(table: Table) -> Table:
    for name in TOKEN_COLUMNS:
        if name in table.c:
            table.c[name].type = String(1000)
    return table


SLACK_INSTALLATIONS = _wide_tokens(
    SQLAlchemyInstallationStore.build_installations_table(Base.metadata, "slack_installations")
)
SLACK_BOTS = _wide_tokens(SQLAlchemyInstallationStore.build_bots_table(Base.metadata, "slack_bots"))
SLACK_OAUTH_STATES = SQLAlchemyOAuthStateStore.build_oauth_states_table(
    Base.metadata, "slack_oauth_states"
)


class PracticeEnrolment(Base):
    """A person on a practice path (or invited to one): a few weeks, one step a week.

    One row per person and path; starting again after leaving or finishing reuses it, with a new
    `round` so the planner's occurrences of the new run never collide with the old run's.
    """

    __tablename__ = "practice_enrolments"
    __table_args__ = (
        UniqueConstraint("team_id", "user_id", "path_id"),
        Index(None, "team_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    path_id: Mapped[str] = mapped_column(String(64))
    path_version: Mapped[str] = mapped_column(String(32))  # the file's hash when it started
    status: Mapped[str] = mapped_column(String(16))  # EnrolmentStatus
    current_week: Mapped[int] = mapped_column(default=1)
    round: Mapped[int] = mapped_column(default=0)
    invited_by: Mapped[str | None] = mapped_column(String(32))
    invited_at: Mapped[dt.datetime | None]
    started_at: Mapped[dt.datetime | None]
    status_changed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[dt.datetime | None]
    # the end-of-path answers: confidence 1-5 before and now; what is different in their work
    # (theirs alone); a line they chose to share with the library's owners, without their name
    confidence_before: Mapped[int | None]
    confidence_after: Mapped[int | None]
    difference: Mapped[str | None] = mapped_column(Text)
    shared_line: Mapped[str | None] = mapped_column(Text)
    reflected_at: Mapped[dt.datetime | None]


class PracticeStep(Base):
    """One week of a person's path: the text they were given (copied when they started), their
    commitment, and how the check-in went. Private to the person."""

    __tablename__ = "practice_steps"
    __table_args__ = (UniqueConstraint("enrolment_id", "week"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("practice_enrolments.id", ondelete="CASCADE")
    )
    week: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    guide_id: Mapped[str] = mapped_column(String(64))
    practice: Mapped[str] = mapped_column(Text)
    check_in: Mapped[str] = mapped_column(Text)
    manager_note: Mapped[str | None] = mapped_column(Text)  # for a confirmed manager, if any
    begins_at: Mapped[dt.datetime | None]  # from when its DM may go; None: not yet its week
    sent_at: Mapped[dt.datetime | None]  # the step's DM went
    check_in_due: Mapped[dt.datetime | None]  # from when the check-in may go
    check_in_sent_at: Mapped[dt.datetime | None]
    not_yet: Mapped[int] = mapped_column(default=0)  # how often the check-in was moved on
    commitment: Mapped[str | None] = mapped_column(Text)  # the real situation: theirs alone
    committed_at: Mapped[dt.datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(16))  # StepOutcome
    what_happened: Mapped[str | None] = mapped_column(Text)
    what_changed: Mapped[str | None] = mapped_column(Text)
    confidence: Mapped[int | None]
    answered_at: Mapped[dt.datetime | None]
