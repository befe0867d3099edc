"""Slack telling inflow it was uninstalled, or its bot token revoked: stop at once."""

from __future__ import annotations

import datetime as dt
import logging

from slack_bolt import App
from sqlalchemy.orm import Session

from bot.deps import Deps
from bot.handlers.context import team_of
from bot.services import workspaces as workspace_service

log = logging.getLogger(__name__)


def register(app: App, deps: Deps) -> None:
    def stop(db: Session, team_id: str, why: str) -> None:
        grace = dt.timedelta(days=deps.settings.uninstall_grace_days)
        row = workspace_service.uninstalled(db, team_id=team_id, now=deps.clock(), grace=grace)
        store = deps.workspaces.store if deps.workspaces is not None else None
        if store is not None:
            store.forget_team(db.connection(), team_id)  # the token is dead: keep no copy
        log.warning(
            "workspace %s: %s; nothing more is sent, its data goes after %s",
            team_id,
            why,
            row.delete_after.isoformat() if row.delete_after else "-",
        )

    @app.event("app_uninstalled")
    def app_uninstalled(body: dict, db: Session) -> None:
        """Stop sending to the workspace; its data is deleted after the grace period."""
        stop(db, team_of(body), "inflow was uninstalled")

    @app.event("tokens_revoked")
    def tokens_revoked(body: dict, event: dict, db: Session) -> None:
        """A revoked bot token is the same as an uninstall; user tokens inflow never holds."""
        if (event.get("tokens") or {}).get("bot"):
            stop(db, team_of(body), "its bot token was revoked")
