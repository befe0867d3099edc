"""The buttons on nudges."""

from __future__ import annotations

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.app import Deps
from bot.models import NudgeFeedback
from bot.slack import strengths as spot_blocks
from bot.slack.ids import NudgeAction
from handlers.context import team_of
from handlers.mistakes import open_modal


def register(app: App, deps: Deps) -> None:
    @app.action(NudgeAction.OPEN_SPOT)
    def open_spot(ack: Ack, body: dict, client: WebClient) -> None:
        """Open the spotting form from the weekly nudge."""
        ack()
        open_modal(client, body["trigger_id"], body["user"]["id"], spot_blocks.spot_modal())

    @app.action(NudgeAction.NOT_USEFUL)
    def not_useful(ack: Ack, body: dict, action: dict, respond: Respond, db: Session) -> None:
        """Record that this nudge did not help, and say so."""
        ack()
        kind, _, subject = action["value"].partition("/")
        db.add(
            NudgeFeedback(
                team_id=team_of(body),
                user_id=body["user"]["id"],
                kind=kind[:32],
                subject=subject[:64],
                at=deps.clock(),
            )
        )
        respond(
            text="Thanks: noted that this one wasn't useful. "
            "You can turn kinds of nudges off on inflow's Home tab.",
            replace_original=True,
        )
