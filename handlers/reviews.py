"""The buttons on a guide owner's review list: *Still accurate* and *Retire*.

*Edit* (Action.GUIDE_EDIT) opens the guide's edit form, which the authoring listeners handle.
"""

from __future__ import annotations

from slack_bolt import Ack, App, Respond
from sqlalchemy.orm import Session

from bot.deps import Deps
from bot.handlers.context import team_of
from bot.jobs.after import After
from bot.services import verifications
from bot.slack import reviews as review_blocks
from bot.slack.ids import ReviewAction


def register(app: App, deps: Deps) -> None:
    @app.action(ReviewAction.STILL_ACCURATE)
    def still_accurate(
        ack: Ack, body: dict, action: dict, respond: Respond, db: Session, after: After
    ) -> None:
        """Record that the guide is still accurate; its review moves on."""
        ack()
        team_id, user_id, guide_id = team_of(body), body["user"]["id"], action["value"]
        verified = verifications.verify(
            db,
            team_id=team_id,
            guide=deps.library.for_team(db, team_id).by_id.get(guide_id),
            by=user_id,
            admins=deps.workspace(db, team_id).admins,
            now=deps.clock(),
        )
        update = review_blocks.after_press(
            body.get("message"), guide_id, review_blocks.verified_line(guide_id, verified)
        )
        after.then("review list", lambda: respond(**update))

    @app.action(ReviewAction.RETIRE)
    def retire(
        ack: Ack, body: dict, action: dict, respond: Respond, db: Session, after: After
    ) -> None:
        """Stop serving the guide in this workspace."""
        ack()
        team_id, user_id, guide_id = team_of(body), body["user"]["id"], action["value"]
        retired = verifications.retire(
            db,
            team_id=team_id,
            guide_id=guide_id,
            guide=deps.library.for_team(db, team_id).by_id.get(guide_id),
            by=user_id,
            admins=deps.workspace(db, team_id).admins,
            now=deps.clock(),
        )
        update = review_blocks.after_press(
            body.get("message"), guide_id, review_blocks.retired_line(guide_id, retired)
        )
        after.then("review list", lambda: respond(**update))
