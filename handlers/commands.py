"""Slash commands."""

from __future__ import annotations

import re

from slack_bolt import Ack, App
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.deps import Deps
from bot.handlers.teams import team_command
from bot.jobs.after import After
from bot.library.matcher import Outcome
from bot.services import authors
from bot.services import library as library_service
from bot.services.library import GuideEventKind
from bot.slack import blocks, guides
from bot.slack.ids import Command
from bot.slack.text import unescape

HELP_WORDS = {"help", "?", "-h", "--help"}
BROWSE_WORDS = {"browse", "list", "categories", "all"}


# `/learn team` alone, or followed by mentions only: "team building" is a question for the library.
TEAM_FORM = re.compile(r"team((\s|,|and)*<@[UW][A-Z0-9]+(\|[^>]*)?>)*[\s,]*", re.IGNORECASE)


def register(app: App, deps: Deps) -> None:
    @app.command(Command.LEARN)
    def learn(ack: Ack, command: dict, client: WebClient, db: Session, after: After) -> None:
        """Answer /learn inside the ack: help, the categories, a subcommand, or the library."""
        words = unescape(command.get("text") or "").strip()
        keyword = words.lower()
        if keyword in HELP_WORDS:
            ack(**blocks.help_message())
            return
        if not keyword or keyword in BROWSE_WORDS:
            library = deps.library.for_team(db, command["team_id"])
            ack(**guides.categories_menu(library.category_counts()))
            return
        first, _, rest = words.partition(" ")
        subcommand = deps.learn_subcommands.get(first.lower())
        if subcommand is not None and subcommand.accepts(rest):
            extra = {"after": after} if subcommand.needs_after else {}
            subcommand.run(
                ack=ack, command=command, client=client, db=db, rest=rest.strip(), **extra
            )
            return
        if TEAM_FORM.fullmatch(command.get("text") or ""):
            ack(**team_command(db, after, command, words[4:], deps))
            return
        ack(
            **answer(
                db,
                deps,
                team_id=command["team_id"],
                user_id=command["user_id"],
                words=words,
                channel_id=command.get("channel_id"),
                private=True,
            )
        )


def answer(
    db: Session,
    deps: Deps,
    *,
    team_id: str,
    user_id: str,
    words: str,
    channel_id: str | None,
    private: bool = False,
) -> dict:
    """What /learn, a mention and a DM all answer: the guide that fits (recorded as a view),
    "is it one of these?", help for small talk, or a plain "nothing yet" (a content gap).
    `private`: the answer is the asker's alone, so a library owner sees *Edit* on a guide
    (asked only when the answer is one: not on every /learn)."""
    library = deps.library.for_team(db, team_id)
    result = library.search(
        words,
        ratings=library_service.ratings_by_guide(db, team_id),
        aliases=library_service.workspace_aliases(db, team_id),
    )
    if result.outcome is Outcome.HELP:
        return blocks.small_talk_help()
    if result.outcome is Outcome.NOTHING:
        library_service.record_gap(
            db, team_id=team_id, user_id=user_id, query=words, now=deps.clock()
        )
        return guides.nothing_found(words, result.categories)
    if result.outcome is Outcome.CHOICES or result.best is None:  # an answer always has a best
        return guides.choices(words, [m.guide for m in result.matches])
    best = result.best.guide
    library_service.record_event(
        db,
        team_id=team_id,
        guide_id=best.id,
        user_id=user_id,
        kind=GuideEventKind.VIEW,
        channel_id=channel_id,
        query=words,
        now=deps.clock(),
    )
    editable = private and authors.is_library_owner(db, deps.settings, team_id, user_id)
    return guides.guide_answer(
        best, library.runners_up(result, best), query=words, editable=editable
    )
