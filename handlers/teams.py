"""Who manages whom: `/learn team`, and a report's answer to "<@manager> says they manage you"."""

from __future__ import annotations

from slack_bolt import Ack, App, Respond
from sqlalchemy.orm import Session

from bot.deps import Deps
from bot.errors import InflowError
from bot.handlers.context import MENTION, team_of
from bot.jobs.after import After
from bot.services import teams
from bot.services.teams import LinkStatus, Named
from bot.slack import teams as team_blocks
from bot.slack.ids import TeamAction


def register(app: App, deps: Deps) -> None:
    @app.action(TeamAction.CONFIRM)
    @app.action(TeamAction.DECLINE)
    def answer(
        ack: Ack, body: dict, action: dict, respond: Respond, db: Session, after: After
    ) -> None:
        """Record the report's yes or "not my manager", and tell the manager."""
        ack()
        link, changed = teams.answer(
            db,
            team_id=team_of(body),
            link_id=_link_id(action.get("value")),
            by=body["user"]["id"],
            confirmed=action["action_id"] == TeamAction.CONFIRM,
            now=deps.clock(),
        )
        confirmed = teams.status_of(link) == LinkStatus.CONFIRMED
        respond(**team_blocks.link_answered(link.manager_id, confirmed=confirmed))
        if changed:
            after.send(
                link.manager_id,
                team_blocks.manager_told(link.report_id, confirmed=confirmed),
                about=f"team-link:{link.id}",
                part="answer",
            )


def ask(after: After, manager_id: str, named: list[Named]) -> None:
    """Ask each newly named report to confirm their manager (once per link)."""
    for link in named:
        after.send(
            link.report_id,
            team_blocks.link_request(manager_id, link.id),
            about=f"team-link:{link.id}",
            part="ask",
        )


def team_command(db: Session, after: After, command: dict, rest: str, deps: Deps) -> dict:
    """`/learn team @a @b`: name your reports (each is asked to confirm); alone: see them."""
    team_id, manager = command["team_id"], command["user_id"]
    named = [user for user in MENTION.findall(rest) if user != manager]
    asked = teams.name(db, team_id=team_id, manager_id=manager, report_ids=named, now=deps.clock())
    ask(after, manager, asked)
    return team_blocks.team_list(teams.named_by(db, team_id=team_id, manager_id=manager))


def _link_id(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        raise InflowError("That request is no longer here: the manager took it back.") from None
