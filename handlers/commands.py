"""Slash commands."""

from __future__ import annotations

from slack_bolt import Ack, App
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.app import Deps
from bot.services import library as library_service
from bot.services import teams
from bot.services.library import GuideEventKind
from bot.slack import blocks, guides
from bot.slack.ids import Command
from bot.slack.text import unescape
from handlers.context import MENTION

HELP_WORDS = {"help", "?", "-h", "--help"}
BROWSE_WORDS = {"browse", "list", "categories", "all"}


def register(app: App, deps: Deps) -> None:
    @app.command(Command.LEARN)
    def learn(ack: Ack, command: dict, client: WebClient, db: Session) -> None:
        """Answer /learn inside the ack: help, the categories, or the guide that fits."""
        words = unescape(command.get("text") or "").strip()
        keyword = words.lower()
        if keyword in HELP_WORDS:
            ack(**blocks.help_message())
            return
        first, _, rest = words.partition(" ")
        if subcommand := deps.learn_subcommands.get(first.lower()):
            subcommand(ack=ack, command=command, client=client, db=db, rest=rest.strip())
            return
        if keyword.split(" ", 1)[0] == "team":
            ack(**_team(db, command, words[4:], deps))
            return
        library = deps.library.library
        if not keyword or keyword in BROWSE_WORDS:
            ack(**guides.categories_menu(library.category_counts()))
            return

        ack(
            **answer(
                db,
                deps,
                team_id=command["team_id"],
                user_id=command["user_id"],
                words=words,
                channel_id=command.get("channel_id"),
            )
        )


def answer(
    db: Session, deps: Deps, *, team_id: str, user_id: str, words: str, channel_id: str | None
) -> dict:
    """The guide that fits what someone asked (recorded as a view), or a plain "nothing yet"
    (recorded as a content gap): what /learn, a mention and a DM all answer."""
    library = deps.library.library
    result = library.search(words, ratings=library_service.ratings_by_guide(db, team_id))
    if result.best is None:
        library_service.record_gap(
            db, team_id=team_id, user_id=user_id, query=words, now=deps.clock()
        )
        return guides.nothing_found(words, result.categories)
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
    return guides.guide_answer(best, library.runners_up(result, best))


def _team(db: Session, command: dict, rest: str, deps: Deps) -> dict:
    """`/learn team @a @b`: name your reports; `/learn team` alone: see them."""
    team_id, manager = command["team_id"], command["user_id"]
    named = [user for user in MENTION.findall(rest) if user != manager]
    for report in named:
        teams.add(
            db,
            team_id=team_id,
            manager_id=manager,
            report_id=report,
            source="slack",
            now=deps.clock(),
        )
    reports = teams.reports_of(db, team_id=team_id, manager_id=manager)
    if not reports:
        text = (
            f"You haven't named your reports yet. Try `{Command.LEARN} team @ana @ben`: "
            "inflow then sends you coaching prompts about them, and they can see you listed them."
        )
    else:
        listed = ", ".join(f"<@{r}>" for r in reports)
        text = f"Your reports: {listed}. Edit the list on inflow's Home tab."
    return {"response_type": "ephemeral", "text": text}
