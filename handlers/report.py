"""The library owners' report: `/learn report [days]`, for the workspace's inflow admins."""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import Ack, App
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.app import Deps
from bot.errors import InflowError
from bot.services import report as report_service
from bot.slack import report as report_blocks

NOT_AN_ADMIN = (
    "The library report is for the library's owners: this workspace's inflow admins. If that's "
    "you, ask one of them to add you under Workspace settings on their inflow Home tab."
)


def register(app: App, deps: Deps) -> None:
    deps.learn_subcommands["report"] = report_command(deps)


def report_command(deps: Deps) -> Callable[..., None]:
    # A factory, not a closure over defaults: `/learn` calls it with these five arguments.
    def report(ack: Ack, command: dict, client: WebClient, db: Session, rest: str) -> None:
        """Answer `/learn report [days]` with the library report, privately, inside the ack."""
        if command["user_id"] not in deps.workspace(db, command["team_id"]).admins:
            raise InflowError(NOT_AN_ADMIN)
        period = report_service.Period.last(report_service.parse_days(rest), now=deps.clock())
        built = report_service.build(
            db, team_id=command["team_id"], period=period, guides=deps.library.library.guides
        )
        ack(**report_blocks.report_message(built))

    return report
