"""A guide's history for the library's owners: *History* beside *Edit* on a guide opens its
versions in the workspace; *Restore* serves an older published one again
(bot.services.guide_history).

*Restore* is a button in a modal, which has no response_url: what it did, or why it did
nothing, is said at the top of the history, updated in place (views.update).
"""

from __future__ import annotations

import re

from slack_bolt import Ack, App
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.deps import Deps
from bot.errors import InflowError
from bot.handlers.context import team_of
from bot.jobs.after import After
from bot.services import authors as author_service
from bot.services import guide_history
from bot.slack import guide_history as blocks
from bot.slack.blocks import error_modal
from bot.slack.ids import Action, Command, HistoryAction
from bot.slack.messaging import open_modal

GONE = "That guide is no longer in this workspace's library. Try `/learn` again."


def register(app: App, deps: Deps) -> None:
    def history_view(db: Session, team_id: str, guide_id: str, note: str | None = None) -> dict:
        served = deps.library.for_team(db, team_id).by_id.get(guide_id)
        shipped = deps.library.library.by_id.get(guide_id)
        known = served or shipped
        title = known.title if known else guide_history.saved_title(db, team_id, guide_id)
        if title is None:
            raise InflowError(GONE)
        found = guide_history.history(
            db, team_id=team_id, guide_id=guide_id, shipped=shipped, title=title
        )
        return blocks.history_modal(found, note=note)

    @app.action(Action.GUIDE_HISTORY)
    def open_history(
        ack: Ack, body: dict, action: dict, client: WebClient, db: Session, after: After
    ) -> None:
        """Open the guide's versions in this workspace, for the library's owners."""
        ack()
        team_id, user_id = team_of(body), body["user"]["id"]
        author_service.require_owner(db, deps.settings, team_id, user_id)
        view = history_view(db, team_id, str(action.get("value") or ""))
        trigger = body["trigger_id"]
        after.then("guide history", lambda: open_modal(client, trigger, user_id, view))

    @app.action(re.compile(f"^{HistoryAction.RESTORE}:\\d+$"))
    def restore(
        ack: Ack, body: dict, action: dict, client: WebClient, db: Session, after: After
    ) -> None:
        """Serve the chosen version again, once, unless the guide changed since the history
        opened; say which at the top of the history."""
        ack()
        view_id = (body.get("view") or {}).get("id")
        team_id, user_id = team_of(body), body["user"]["id"]
        ref = blocks.read_restore(str(action.get("value") or ""))
        if not author_service.is_library_owner(db, deps.settings, team_id, user_id):
            shown = error_modal(author_service.NOT_AN_OWNER)  # no history for them
        elif ref is None:
            return
        else:
            try:
                row, was_hidden = guide_history.restore(
                    db,
                    team_id=team_id,
                    guide_id=ref.guide_id,
                    version=ref.version,
                    base=ref.base,
                    by=user_id,
                    now=deps.clock(),
                    shipped=ref.guide_id in deps.library.library.by_id,
                )
                which = (
                    "the version inflow ships"
                    if ref.version == guide_history.SHIPPED_VERSION
                    else f"version {ref.version}"
                )
                note = (
                    f":white_check_mark: Restored {which} as version {row.version}:"
                    f" `{Command.LEARN}` serves it in this workspace now."
                    + (" The guide was hidden here: it is served again." if was_hidden else "")
                )
            except InflowError as refused:
                note = f":warning: {refused.user_message}"
            try:
                shown = history_view(db, team_id, ref.guide_id, note)
            except InflowError as gone:  # a guide this workspace never had: no history to show
                shown = error_modal(gone.user_message)
        if view_id:
            after.then("guide history", lambda: client.views_update(view_id=view_id, view=shown))
