"""A person's control over their data: a copy of everything inflow holds about them in a
workspace (`/learn my-data`), and forgetting it (`/learn forget-me`).

`HOLDINGS` names every column where inflow keeps a person's Slack user id and what forgetting
does to it. A table added later is one line there; tests/test_privacy.py fails while a column
that looks like a person's id is in neither `HOLDINGS` nor `NOT_PEOPLE`.
"""

from __future__ import annotations

import datetime as dt
import typing
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CursorResult,
    String,
    Table,
    cast,
    delete,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from bot.models import (
    SLACK_INSTALLATIONS,
    Base,
    ContentGap,
    Debrief,
    DebriefAnswer,
    DebriefSchedule,
    GuideAlias,
    GuideEvent,
    GuideMessage,
    GuideOutcome,
    GuideReaction,
    GuideRecord,
    GuideVerification,
    Idea,
    IdeaStep,
    LibraryAuthor,
    ManagerReport,
    MistakeMoment,
    NudgeFeedback,
    NudgePreference,
    OutboxMessage,
    Person,
    PracticeEnrolment,
    PracticeStep,
    Rating,
    Strength,
    SuggestionOffer,
    SuggestionOptOut,
    WorkspaceGuide,
    WorkspaceRecord,
)
from bot.services import teams
from bot.services.library import VoteSource
from bot.services.outbox import OutboxKind, OutboxStatus

# Stands in for a forgotten person where a row has to stay. Slack user ids are upper case
# letters and digits (U…, W…), so this can never be mistaken for, or collide with, a person.
FORGOTTEN = "forgotten"


class Policy(StrEnum):
    DELETE = "delete"  # the row is about the person: it goes
    ANONYMISE = "anonymise"  # the row stays (a count, or someone else's); their id -> FORGOTTEN
    CLEAR = "clear"  # a nullable mention of the person in someone else's row -> NULL
    SCRUB = "scrub"  # outbox text naming them: unsent rows go, sent ones get FORGOTTEN instead


@dataclass(frozen=True)
class Holding:
    """One column where inflow keeps people's Slack user ids, and what forgetting does to it."""

    model: type[Base] | Table  # a Table for slack_sdk's installation tables
    column: str
    policy: Policy
    # Other columns set with an ANONYMISE or CLEAR (values or SQL expressions).
    also: dict[str, Any] = field(default_factory=dict)

    @property
    def table(self) -> Table:
        # A declarative model's __table__ is a Table; SQLAlchemy types it as any FromClause.
        return (
            self.model
            if isinstance(self.model, Table)
            else typing.cast(Table, self.model.__table__)
        )


# In order: a person's own rows go first, so what is anonymised or cleared afterwards is only
# what belongs to someone else too.
HOLDINGS: tuple[Holding, ...] = (
    # Mistake moments: theirs go, with what happened and the lesson. Where they were only the
    # colleague, the moment is the author's: their id and their DM with inflow are cleared.
    Holding(MistakeMoment, "author_id", Policy.DELETE),
    Holding(
        MistakeMoment,
        "colleague_id",
        Policy.CLEAR,
        also={"colleague_dm_channel_id": None, "colleague_message_ts": None},
    ),
    Holding(Strength, "giver_id", Policy.DELETE),
    Holding(Strength, "receiver_id", Policy.DELETE),
    # Their steps on anyone's idea go (the answers are their words), then their own ideas (the
    # database cascades the others' steps on them). An idea they only sponsor is its author's:
    # it stays, without a sponsor.
    Holding(IdeaStep, "by_user", Policy.DELETE),
    Holding(Idea, "author_id", Policy.DELETE),
    Holding(Idea, "sponsor_id", Policy.ANONYMISE),
    # Practice paths: their steps (commitments, check-in answers) and their enrolments go. A path
    # they invited someone else to is that person's: it stays, without who invited them.
    Holding(PracticeStep, "user_id", Policy.DELETE),
    Holding(PracticeEnrolment, "user_id", Policy.DELETE),
    Holding(PracticeEnrolment, "invited_by", Policy.ANONYMISE),
    Holding(DebriefAnswer, "user_id", Policy.DELETE),
    Holding(DebriefSchedule, "set_by", Policy.DELETE),
    # A debrief belongs to its channel and holds everyone's answers: it stays, unsigned.
    Holding(Debrief, "started_by", Policy.ANONYMISE),
    # Views carry the words they searched with, and the planner asks every viewer "did you
    # use it?", so a placeholder would look like a person to it: views go. Gaps are their words.
    Holding(GuideEvent, "user_id", Policy.DELETE),
    Holding(ContentGap, "user_id", Policy.DELETE),
    # A name an owner added to a guide serves the whole workspace: it stays, unsigned.
    Holding(GuideAlias, "added_by", Policy.ANONYMISE),
    # A guide version someone saved is the workspace's library and its history: kept, unsigned.
    Holding(WorkspaceGuide, "created_by", Policy.ANONYMISE),
    # Being one of the library's authors is about them: it goes. Authors they named stay so.
    Holding(LibraryAuthor, "user_id", Policy.DELETE),
    Holding(LibraryAuthor, "added_by", Policy.ANONYMISE),
    # "Still accurate" moves the workspace's review date on: kept, unsigned.
    Holding(GuideVerification, "verified_by", Policy.ANONYMISE),
    # A shared guide stays in its channel and others' reactions rate it: it stays, unsigned.
    Holding(GuideMessage, "shared_by", Policy.ANONYMISE),
    # Their emoji go; the vote each made lives on, anonymous, in `ratings`.
    Holding(GuideReaction, "user_id", Policy.DELETE),
    # Votes only feed each guide's counts (and the matcher's ranking): kept, anonymous. The
    # unique key (team, guide, person) would refuse two forgotten people's votes on one guide,
    # so each becomes "forgotten:<the row's own id>", unique by construction.
    Holding(
        Rating,
        "user_id",
        Policy.ANONYMISE,
        also={"user_id": literal(f"{FORGOTTEN}:") + cast(Rating.id, String)},
    ),
    # "Did the guide help?" only feeds each guide's outcome counts: kept, anonymous.
    Holding(GuideOutcome, "user_id", Policy.ANONYMISE),
    # "Not useful" taps only tune that person's own nudges.
    Holding(NudgeFeedback, "user_id", Policy.DELETE),
    Holding(NudgePreference, "user_id", Policy.DELETE),
    Holding(OutboxMessage, "recipient", Policy.DELETE),
    # Nudges to others about them ("a coaching question to try with <@them>", "<@them>
    # started a debrief"): the planned ones go, the record of sent ones loses the id.
    Holding(OutboxMessage, "message", Policy.SCRUB),
    # Messages people caused name everyone in them: a group DM's recipients ("U1,U2"), who
    # shared a guide from where (the occurrence).
    Holding(OutboxMessage, "recipient", Policy.SCRUB),
    Holding(OutboxMessage, "occurrence", Policy.SCRUB),
    Holding(ManagerReport, "manager_id", Policy.DELETE),
    Holding(ManagerReport, "report_id", Policy.DELETE),
    Holding(Person, "user_id", Policy.DELETE),
    # Offers in channels were to them alone. Their own "stop suggesting" goes with them (a
    # record of the person is what they asked to remove); a channel's stop they set stays,
    # unsigned, since it speaks for the channel.
    Holding(SuggestionOffer, "user_id", Policy.DELETE),
    Holding(SuggestionOptOut, "subject_id", Policy.DELETE),
    Holding(SuggestionOptOut, "set_by", Policy.ANONYMISE),
    # Who installed inflow and who last changed the workspace's settings: the workspace's
    # records, kept without them. (They leave its admins list too: see forget().)
    Holding(WorkspaceRecord, "installed_by", Policy.CLEAR),
    Holding(WorkspaceRecord, "settings_changed_by", Policy.CLEAR),
    Holding(SLACK_INSTALLATIONS, "user_id", Policy.ANONYMISE),
)

# Where `export` shows each holding, as "area.key" in the file; or why it does not ("not: …").
# A test holds it complete against HOLDINGS, and checks each area is filled where the person
# has rows.
EXPORTED: dict[tuple[str, str], str] = {
    ("mistake_moments", "author_id"): "mistake_moments.yours",
    ("mistake_moments", "colleague_id"): "mistake_moments.you_were_asked_to_talk",
    ("strengths", "giver_id"): "strengths.given",
    ("strengths", "receiver_id"): "strengths.received",
    ("idea_steps", "by_user"): "ideas.yours",  # steps are shown with their ideas
    ("ideas", "author_id"): "ideas.yours",
    ("ideas", "sponsor_id"): "ideas.you_sponsor",
    ("practice_steps", "user_id"): "practice.yours",  # steps are shown with their paths
    ("practice_enrolments", "user_id"): "practice.yours",
    ("practice_enrolments", "invited_by"): "practice.you_invited",
    ("debrief_answers", "user_id"): "debriefs.your_answers",
    ("debrief_schedules", "set_by"): "debriefs.rhythms_you_set",
    ("debriefs", "started_by"): "debriefs.you_started",
    ("guide_events", "user_id"): "guides.viewed_and_shared",
    ("content_gaps", "user_id"): "guides.not_found_queries",
    ("guide_aliases", "added_by"): "guides.names_you_added",
    ("workspace_guides", "created_by"): "guides.versions_you_saved",
    ("library_authors", "user_id"): "workspace.you_are_a_library_author",
    ("library_authors", "added_by"): "workspace.library_authors_you_named",
    ("guide_verifications", "verified_by"): "guides.verifications_you_made",
    ("guide_messages", "shared_by"): "guides.shared_in_channels",
    ("guide_reactions", "user_id"): "guides.reactions_on_shared_guides",
    ("ratings", "user_id"): "guides.ratings",
    ("guide_outcomes", "user_id"): "guides.outcomes",
    ("nudge_feedback", "user_id"): "nudges.not_useful",
    ("nudge_preferences", "user_id"): "nudges.preferences",
    ("outbox", "recipient"): "nudges.sent_or_planned",
    ("outbox", "message"): "not: other people's nudges that name you are theirs",
    ("outbox", "occurrence"): "not: other people's messages that name you are theirs",
    ("manager_reports", "manager_id"): "team.your_reports",
    ("manager_reports", "report_id"): "team.your_managers",
    ("people", "user_id"): "profile",
    ("suggestion_offers", "user_id"): "channel_offers.offered_to_you",
    ("suggestion_opt_outs", "subject_id"): "channel_offers.stopped_for_you",
    ("suggestion_opt_outs", "set_by"): "channel_offers.stops_you_set",
    ("workspaces", "installed_by"): "workspace.you_installed_inflow",
    ("workspaces", "settings_changed_by"): "workspace.you_last_changed_its_settings",
    ("slack_installations", "user_id"): "workspace.installs_by_you",
}

# Columns named like a person's id that never hold one.
NOT_PEOPLE = frozenset(
    {
        "team_id",  # the workspace
        "event_id",  # an Events API delivery
        "guide_id",  # a guide's public id
        "path_id",  # a practice path's public id
        "channel_id",  # channels and DM channels
        "source_channel_id",
        "chat_channel_id",
        "colleague_dm_channel_id",  # cleared with colleague_id, above
        "posted_channel_id",
        "claimed_by",  # a deliverer process, in the outbox
        "owner",  # a guide's owner from its front matter (an address), not a Slack user
        # slack_sdk's installation tables: the app, the bot and the organisation
        "client_id",
        "app_id",
        "enterprise_id",
        "bot_id",
        "bot_user_id",
        "incoming_webhook_channel_id",
        # a user token and its scopes: inflow asks for no user scopes, so these stay empty
        "user_token",
        "user_scopes",
        "user_refresh_token",
    }
)


@dataclass(frozen=True)
class Forgotten:
    """What forgetting did, per table: rows deleted, and rows kept without the person."""

    deleted: Counter[str]
    anonymised: Counter[str]


def forget(session: Session, *, team_id: str, user_id: str) -> Forgotten:
    """Delete or anonymise everything about a person in one workspace, by `HOLDINGS`.

    Flushes and never commits: the caller's transaction makes it all or nothing.
    """
    deleted: Counter[str] = Counter()
    anonymised: Counter[str] = Counter()

    def run(statement) -> int:
        # Bulk statements, one per holding; nothing about the person is loaded in this session
        # to keep in step, and a row count comes back exact on both databases.
        result = session.execute(statement, execution_options={"synchronize_session": False})
        return max(typing.cast(CursorResult, result).rowcount or 0, 0)

    for holding in HOLDINGS:
        model = holding.table
        table = model.name
        column = model.c[holding.column]
        mine = (model.c.team_id == team_id, column == user_id)
        if holding.policy is Policy.DELETE:
            deleted[table] += run(delete(model).where(*mine))
        elif holding.policy is Policy.ANONYMISE:
            values = {holding.column: FORGOTTEN, **holding.also}
            anonymised[table] += run(update(model).where(*mine).values(values))
        elif holding.policy is Policy.CLEAR:
            values = {holding.column: None, **holding.also}
            anonymised[table] += run(update(model).where(*mine).values(values))
        elif holding.policy is Policy.SCRUB:
            # replace() is case-sensitive on both databases; SQLite's LIKE is not.
            named = (model.c.team_id == team_id, func.replace(column, user_id, "") != column)
            unsent = model.c.status == OutboxStatus.PENDING.value
            deleted[table] += run(delete(model).where(*named, unsent))
            scrubbed = {holding.column: func.replace(column, user_id, FORGOTTEN)}
            anonymised[table] += run(update(model).where(*named).values(scrubbed))
    workspace = session.get(WorkspaceRecord, team_id)
    if workspace is not None and workspace.admins and user_id in workspace.admins.split(","):
        # An admin list is the workspace's; it keeps the others (or falls back to the default).
        others = [admin for admin in workspace.admins.split(",") if admin != user_id]
        workspace.admins = ",".join(others) or None
        anonymised[WorkspaceRecord.__tablename__] += 1
    session.flush()
    return Forgotten(+deleted, +anonymised)


# -- a copy of it all ------------------------------------------------------------------------


def _practice(session: Session, rows, user_id: str) -> dict:
    """Their paths with every week's step and answers; the invitations they sent (whether the
    other person joined is theirs, so it is left out)."""
    enrolments = rows(PracticeEnrolment, PracticeEnrolment.user_id == user_id)
    steps: dict[int, list[PracticeStep]] = {}
    for step in rows(PracticeStep, PracticeStep.user_id == user_id):
        steps.setdefault(step.enrolment_id, []).append(step)
    return {
        "yours": [
            {
                "path_id": e.path_id,
                "status": e.status,
                "week": e.current_week,
                "invited_by": e.invited_by,
                "invited_at": _iso(e.invited_at),
                "started_at": _iso(e.started_at),
                "finished_at": _iso(e.finished_at),
                "looking_back": {
                    "confidence_before": e.confidence_before,
                    "confidence_now": e.confidence_after,
                    "what_is_different": e.difference,
                    "shared_without_your_name": e.shared_line,
                    "at": _iso(e.reflected_at),
                },
                "steps": [
                    {
                        "week": s.week,
                        "title": s.title,
                        "guide_id": s.guide_id,
                        "sent_at": _iso(s.sent_at),
                        "commitment": s.commitment,
                        "committed_at": _iso(s.committed_at),
                        "outcome": s.outcome,
                        "what_happened": s.what_happened,
                        "what_changed": s.what_changed,
                        "confidence": s.confidence,
                        "answered_at": _iso(s.answered_at),
                    }
                    for s in sorted(steps.get(e.id, []), key=lambda s: s.week)
                ],
            }
            for e in enrolments
        ],
        "you_invited": [
            {"person": e.user_id, "path_id": e.path_id, "invited_at": _iso(e.invited_at)}
            for e in rows(PracticeEnrolment, PracticeEnrolment.invited_by == user_id)
        ],
    }


def export(session: Session, *, team_id: str, user_id: str, now: dt.datetime) -> dict:
    """Everything inflow holds about a person in one workspace, grouped by area, JSON-ready.

    Other people's private words stay out: of a moment where they were the chosen colleague,
    only what they were shown; of an idea, the steps its author and sponsor told each other.
    """
    titles = dict(session.execute(select(GuideRecord.id, GuideRecord.title)).tuples().all())

    def rows(model: type[Base], *where: ColumnElement[bool]) -> list:
        columns = model.__table__.c
        statement = select(model).where(columns.team_id == team_id, *where).order_by(columns.id)
        return list(session.scalars(statement))

    def guide(guide_id: str) -> dict:
        return {"guide_id": guide_id, "guide_title": titles.get(guide_id)}

    moments = rows(MistakeMoment, MistakeMoment.author_id == user_id)
    asked = rows(MistakeMoment, MistakeMoment.colleague_id == user_id)
    ideas = rows(Idea, or_(Idea.author_id == user_id, Idea.sponsor_id == user_id))
    steps: dict[int, list[IdeaStep]] = {}
    for step in rows(IdeaStep, IdeaStep.idea_id.in_([i.id for i in ideas])):
        steps.setdefault(step.idea_id, []).append(step)
    answers = session.execute(
        select(DebriefAnswer, Debrief)
        .join(Debrief, Debrief.id == DebriefAnswer.debrief_id)
        .where(DebriefAnswer.team_id == team_id, DebriefAnswer.user_id == user_id)
        .order_by(DebriefAnswer.id)
    ).tuples()
    reactions = session.execute(
        select(GuideReaction, GuideMessage.guide_id)
        .join(GuideMessage, GuideMessage.id == GuideReaction.guide_message_id)
        .where(GuideReaction.team_id == team_id, GuideReaction.user_id == user_id)
        .order_by(GuideReaction.id)
    ).tuples()
    preference = session.scalar(
        select(NudgePreference).where(
            NudgePreference.team_id == team_id, NudgePreference.user_id == user_id
        )
    )
    profile = session.scalar(
        select(Person).where(Person.team_id == team_id, Person.user_id == user_id)
    )
    workspace = session.get(WorkspaceRecord, team_id)
    installs = session.execute(
        select(SLACK_INSTALLATIONS.c.installed_at)
        .where(SLACK_INSTALLATIONS.c.team_id == team_id, SLACK_INSTALLATIONS.c.user_id == user_id)
        .order_by(SLACK_INSTALLATIONS.c.installed_at)
    ).scalars()

    def idea_record(idea: Idea) -> dict:
        return {
            "title": idea.title,
            "stage": idea.stage,
            "author_id": idea.author_id,
            "sponsor_id": idea.sponsor_id,
            "created_at": _iso(idea.created_at),
            "stage_changed_at": _iso(idea.stage_changed_at),
            "steps": [
                {
                    "stage": s.stage,
                    "answer": s.answer,
                    "learned": s.learned,
                    "by": s.by_user,
                    "at": _iso(s.at),
                }
                for s in steps.get(idea.id, [])
            ],
        }

    return {
        "about": {
            "workspace": team_id,
            "person": user_id,
            "exported_at": _iso(now),
            "times": "ISO 8601, UTC",
        },
        "guides": {
            "viewed_and_shared": [
                {
                    **guide(e.guide_id),
                    "what": e.kind,
                    "query": e.query,
                    "channel_id": e.channel_id,
                    "at": _iso(e.at),
                }
                for e in rows(GuideEvent, GuideEvent.user_id == user_id)
            ],
            "shared_in_channels": [
                {**guide(m.guide_id), "channel_id": m.channel_id, "posted_at": _iso(m.posted_at)}
                for m in rows(GuideMessage, GuideMessage.shared_by == user_id)
            ],
            "ratings": [
                {
                    **guide(r.guide_id),
                    "vote": "helpful" if r.value > 0 else "not helpful",
                    "from": "buttons"
                    if r.source == VoteSource.BUTTONS
                    else "emoji on a shared guide",
                    "updated_at": _iso(r.updated_at),
                }
                for r in rows(Rating, Rating.user_id == user_id)
            ],
            "reactions_on_shared_guides": [
                {**guide(guide_id), "emoji": r.emoji, "at": _iso(r.at)} for r, guide_id in reactions
            ],
            "outcomes": [
                {**guide(o.guide_id), "outcome": o.outcome, "at": _iso(o.at)}
                for o in rows(GuideOutcome, GuideOutcome.user_id == user_id)
            ],
            "not_found_queries": [
                {"query": g.query, "at": _iso(g.at)}
                for g in rows(ContentGap, ContentGap.user_id == user_id)
            ],
            "names_you_added": [
                {**guide(a.guide_id), "name": a.alias, "at": _iso(a.at)}
                for a in rows(GuideAlias, GuideAlias.added_by == user_id)
            ],
            "versions_you_saved": [
                {
                    **guide(v.guide_id),
                    "version": v.version,
                    "state": v.state,
                    "at": _iso(v.created_at),
                }
                for v in rows(WorkspaceGuide, WorkspaceGuide.created_by == user_id)
            ],
            "verifications_you_made": [
                {
                    **guide(v.guide_id),
                    "verified_at": _iso(v.verified_at),
                    "next_review": v.next_review.isoformat(),
                }
                for v in rows(GuideVerification, GuideVerification.verified_by == user_id)
            ],
        },
        "channel_offers": {
            "offered_to_you": [
                {
                    **guide(o.guide_id),
                    "channel_id": o.channel_id,
                    "outcome": o.outcome,
                    "at": _iso(o.at),
                }
                for o in rows(SuggestionOffer, SuggestionOffer.user_id == user_id)
            ],
            "stopped_for_you": [
                {"since": _iso(o.at)}
                for o in rows(
                    SuggestionOptOut,
                    SuggestionOptOut.subject_id == user_id,
                )
            ],
            "stops_you_set": [
                {"scope": o.scope, "for": o.subject_id, "at": _iso(o.at)}
                for o in rows(SuggestionOptOut, SuggestionOptOut.set_by == user_id)
            ],
        },
        "workspace": {
            "you_are_an_inflow_admin": bool(
                workspace and workspace.admins and user_id in workspace.admins.split(",")
            ),
            "you_installed_inflow": None
            if workspace is None or workspace.installed_by != user_id
            else {"at": _iso(workspace.installed_at)},
            "you_last_changed_its_settings": None
            if workspace is None or workspace.settings_changed_by != user_id
            else {"at": _iso(workspace.settings_changed_at)},
            "installs_by_you": [{"at": _iso(at)} for at in installs],
            "you_are_a_library_author": [
                {"since": _iso(a.added_at)}
                for a in rows(LibraryAuthor, LibraryAuthor.user_id == user_id)
            ],
            "library_authors_you_named": [
                {"author_id": a.user_id, "at": _iso(a.added_at)}
                for a in rows(LibraryAuthor, LibraryAuthor.added_by == user_id)
            ],
        },
        "mistake_moments": {
            "yours": [
                {
                    "what_happened": m.what_happened,
                    "lesson": m.lesson,
                    "lesson_shared": m.lesson_shared,
                    "colleague_id": m.colleague_id,
                    "when": m.when,
                    "status": m.status,
                    "created_at": _iso(m.created_at),
                    "answered_at": _iso(m.answered_at),
                    "lesson_at": _iso(m.lesson_at),
                }
                for m in moments
            ],
            # What the colleague was sent: who, when they'd like to talk, what happened.
            "you_were_asked_to_talk": [
                {
                    "author_id": m.author_id,
                    "when": m.when,
                    "what_happened": m.what_happened,
                    "your_answer": m.status,
                    "created_at": _iso(m.created_at),
                    "answered_at": _iso(m.answered_at),
                }
                for m in asked
            ],
        },
        "strengths": {
            "received": [
                {
                    "from": s.giver_id,
                    "note": s.note,
                    "theme": s.theme,
                    "created_at": _iso(s.created_at),
                }
                for s in rows(Strength, Strength.receiver_id == user_id)
            ],
            "given": [
                {
                    "to": s.receiver_id,
                    "note": s.note,
                    "theme": s.theme,
                    "posted_channel_id": s.posted_channel_id,
                    "created_at": _iso(s.created_at),
                }
                for s in rows(Strength, Strength.giver_id == user_id)
            ],
        },
        "ideas": {
            "yours": [idea_record(i) for i in ideas if i.author_id == user_id],
            "you_sponsor": [idea_record(i) for i in ideas if i.sponsor_id == user_id],
        },
        "debriefs": {
            "your_answers": [
                {
                    "topic": d.topic,
                    "channel_id": d.channel_id,
                    "happened": a.happened,
                    "worked": a.worked,
                    "did_not": a.did_not,
                    "differently": a.differently,
                    "at": _iso(a.at),
                }
                for a, d in answers
            ],
            "you_started": [
                {"topic": d.topic, "channel_id": d.channel_id, "created_at": _iso(d.created_at)}
                for d in rows(Debrief, Debrief.started_by == user_id)
            ],
            "rhythms_you_set": [
                {
                    "channel_id": s.channel_id,
                    "every_days": s.every_days,
                    "monthly": s.monthly,
                    "starts_on": _iso(s.starts_on),
                }
                for s in rows(DebriefSchedule, DebriefSchedule.set_by == user_id)
            ],
        },
        "practice": _practice(session, rows, user_id),
        "nudges": {
            "preferences": None
            if preference is None
            else {
                "days": preference.days,
                "time": preference.time,
                "paused_until": _iso(preference.paused_until),
                "kinds_off": preference.kinds_off,
                "updated_at": _iso(preference.updated_at),
            },
            "sent_or_planned": [
                {
                    "kind": o.kind,
                    "subject": o.subject,
                    "due_at": _iso(o.due_at),
                    "sent_at": _iso(o.sent_at),
                    "status": o.status,
                }
                # messages people caused are in the areas they came from (strengths, ideas…)
                for o in rows(
                    OutboxMessage,
                    OutboxMessage.recipient == user_id,
                    OutboxMessage.kind != OutboxKind.REPLY.value,
                )
            ],
            # what others' actions sent you (a strength, an invitation): the texts are in Slack
            "messages_sent_to_you": [
                {"about": o.subject, "sent_at": _iso(o.sent_at), "status": o.status}
                for o in rows(
                    OutboxMessage,
                    OutboxMessage.recipient == user_id,
                    OutboxMessage.kind == OutboxKind.REPLY.value,
                )
            ],
            "not_useful": [
                {"kind": f.kind, "subject": f.subject, "at": _iso(f.at)}
                for f in rows(NudgeFeedback, NudgeFeedback.user_id == user_id)
            ],
        },
        "team": {
            "your_reports": [
                {
                    "report_id": p.report_id,
                    "source": p.source,
                    "since": _iso(p.created_at),
                    "status": teams.status_of(p).value,
                }
                for p in rows(ManagerReport, ManagerReport.manager_id == user_id)
            ],
            "your_managers": [
                {
                    "manager_id": p.manager_id,
                    "source": p.source,
                    "since": _iso(p.created_at),
                    "status": teams.status_of(p).value,
                }
                for p in rows(ManagerReport, ManagerReport.report_id == user_id)
            ],
        },
        "profile": None
        if profile is None
        else {
            "time_zone": profile.tz,
            "away": profile.away,
            "read_from_slack_at": _iso(profile.fetched_at),
        },
    }


def _iso(value: dt.datetime | dt.date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    return value.isoformat()
