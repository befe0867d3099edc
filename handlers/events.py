"""Events: emoji reactions that rate shared guides."""

from __future__ import annotations

from slack_bolt import App, BoltContext
from sqlalchemy.orm import Session

from bot.deps import Deps
from bot.handlers.context import team_of
from bot.services import library as library_service


def register(app: App, deps: Deps) -> None:
    def on_reaction(
        body: dict, event: dict, context: BoltContext, db: Session, added: bool
    ) -> None:
        item = event.get("item") or {}
        user_id = event.get("user")
        if item.get("type") != "message" or not user_id or user_id == context.bot_user_id:
            return
        team_id = team_of(body)
        workspace = deps.workspace(db, team_id)
        library_service.react(
            db,
            team_id=team_id,
            channel_id=item.get("channel", ""),
            message_ts=item.get("ts", ""),
            user_id=user_id,
            emoji=event.get("reaction", ""),
            added=added,
            helpful=set(workspace.helpful_emoji),
            unhelpful=set(workspace.unhelpful_emoji),
            now=deps.clock(),
        )

    @app.event("reaction_added")
    def reaction_added(body: dict, event: dict, context: BoltContext, db: Session) -> None:
        """Count a helpful or unhelpful emoji on a guide the bot shared."""
        on_reaction(body, event, context, db, added=True)

    @app.event("reaction_removed")
    def reaction_removed(body: dict, event: dict, context: BoltContext, db: Session) -> None:
        """Take back the vote the emoji gave."""
        on_reaction(body, event, context, db, added=False)
