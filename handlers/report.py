"""The library owners' report: `/learn report [days]`, for the workspace's inflow admins."""

from __future__ import annotations

import re
from collections.abc import Callable

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.deps import Deps, Subcommand
from bot.errors import InflowError
from bot.handlers.context import team_of
from bot.services import library as library_service
from bot.services import report as report_service
from bot.services import workspaces as workspace_service
from bot.slack import report as report_blocks
from bot.slack.ids import Action

NOT_AN_ADMIN = (
    "The library report is for the library's owners: this workspace's inflow admins. If that's "
    "you, ask one of them to add you under Workspace settings on their inflow Home tab."
)


def register(app: App, deps: Deps) -> None:
    # `report`, `report 90`, `report 90 days` (and "report last month", which it explains);
    # "report writing" is a question for the library.
    register_alias_action(app, deps)
    deps.learn_subcommands["report"] = Subcommand(
        r"((\d+|last|past|this|previous)\b.*|days?|weeks?|months?|quarter|year)?",
        report_command(deps),
    )


def register_alias_action(app: App, deps: Deps) -> None:
    @app.action(re.compile(f"^{Action.ADD_ALIAS}(:\\d+)?$"))
    def add_alias(ack: Ack, body: dict, action: dict, respond: Respond, db: Session) -> None:
        """Make what people asked a name of the guide they chose, in this workspace."""
        ack()
        guide_id, asked = report_blocks.read_alias_value(action["value"])
        team_id, user_id = team_of(body), body["user"]["id"]
        guide = deps.library.for_team(db, team_id).by_id.get(guide_id)
        if guide is None or not asked:
            raise InflowError("That guide is no longer in the library.")
        added = library_service.add_alias(
            db,
            team_id=team_id,
            guide_id=guide_id,
            alias=asked,
            by=user_id,
            owners=deps.workspace(db, team_id).admins,
            now=deps.clock(),
        )
        respond(**report_blocks.alias_added(guide, asked, added))


def report_command(deps: Deps) -> Callable[..., None]:
    # A factory, not a closure over defaults: `/learn` calls it with these five arguments.
    def report(ack: Ack, command: dict, client: WebClient, db: Session, rest: str) -> None:
        """Answer `/learn report [days]` with the library report, privately, inside the ack."""
        workspace_service.require_admin(
            deps.workspace(db, command["team_id"]), command["user_id"], NOT_AN_ADMIN
        )
        period = report_service.Period.last(report_service.parse_days(rest), now=deps.clock())
        built = report_service.build(
            db,
            team_id=command["team_id"],
            period=period,
            guides=deps.library.for_team(db, command["team_id"]).guides,
        )
        ack(**report_blocks.report_message(built))

    return report
