"""Slash commands."""

from __future__ import annotations

from slack_bolt import Ack, App
from sqlalchemy.orm import Session

from bot.app import Deps
from bot.services import library as library_service
from bot.services.library import GuideEventKind
from bot.slack import blocks, guides
from bot.slack.ids import Command
from bot.slack.text import unescape

HELP_WORDS = {"help", "?", "-h", "--help"}
BROWSE_WORDS = {"browse", "list", "categories", "all"}


def register(app: App, deps: Deps) -> None:
    @app.command(Command.LEARN)
    def learn(ack: Ack, command: dict, db: Session) -> None:
        """Answer /learn inside the ack: help, the categories, or the guide that fits."""
        words = unescape(command.get("text") or "").strip()
        keyword = words.lower()
        if keyword in HELP_WORDS:
            ack(**blocks.help_message())
            return
        library = deps.library.library
        if not keyword or keyword in BROWSE_WORDS:
            ack(**guides.categories_menu(library.category_counts()))
            return

        team_id, user_id = command["team_id"], command["user_id"]
        result = library.search(words, ratings=library_service.ratings_by_guide(db, team_id))
        if result.best is None:
            library_service.record_gap(
                db, team_id=team_id, user_id=user_id, query=words, now=deps.clock()
            )
            ack(**guides.nothing_found(words, result.categories))
            return
        best = result.best.guide
        library_service.record_event(
            db,
            team_id=team_id,
            guide_id=best.id,
            user_id=user_id,
            kind=GuideEventKind.VIEW,
            channel_id=command.get("channel_id"),
            query=words,
            now=deps.clock(),
        )
        ack(**guides.guide_answer(best, library.runners_up(result, best)))
