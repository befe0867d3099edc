"""The buttons on a guide: share, other matches, open, rate; and browsing by category."""

from __future__ import annotations

import re

from slack_bolt import Ack, App, Respond
from sqlalchemy.orm import Session

from bot.deps import Deps
from bot.errors import InflowError
from bot.handlers.context import NOT_IN_CHANNEL, channel_of, clicked_message, team_of
from bot.jobs.after import After
from bot.library.schema import CATEGORY_LABELS, Category, Guide
from bot.services import authors
from bot.services import library as library_service
from bot.services.library import GuideEventKind
from bot.services.outbox import OnFailed, OnSent
from bot.slack import guides
from bot.slack.ids import Action
from bot.slack.text import escape

GONE = "That guide is no longer in the library. Try `/learn` again."


def register(app: App, deps: Deps) -> None:
    def guide_from(
        db: Session, body: dict, value: str
    ) -> tuple[Guide, list[Guide], guides.GuideState]:
        read = guides.read_state(value)
        library = deps.library.for_team(db, team_of(body))
        guide = library.by_id.get(read.guide_id)
        if guide is None:
            raise InflowError(GONE)
        return guide, [library.by_id[o] for o in read.others if o in library.by_id], read

    def record(
        db: Session,
        body: dict,
        guide: Guide,
        kind: GuideEventKind,
        channel_id: str | None = None,
        query: str | None = None,
    ) -> None:
        library_service.record_event(
            db,
            team_id=team_of(body),
            guide_id=guide.id,
            user_id=body["user"]["id"],
            kind=kind,
            channel_id=channel_id,
            query=query,
            now=deps.clock(),
            clicked=clicked_message(body),
        )

    def editable(db: Session, body: dict) -> bool:
        """Whether the person who clicked owns the library: their answer shows *Edit*."""
        return authors.is_library_owner(db, deps.settings, team_of(body), body["user"]["id"])

    @app.action(Action.SHARE_GUIDE)
    def share(
        ack: Ack, body: dict, action: dict, respond: Respond, db: Session, after: After
    ) -> None:
        """Post the guide in the channel, credited to the person who shared it: once per
        message it was shared from, however often the button is clicked."""
        ack()
        guide, _others, _ = guide_from(db, body, action["value"])
        user_id, channel_id = body["user"]["id"], channel_of(body)
        if not channel_id or not channel_id.startswith(("C", "G")):
            respond(**guides.notice(NOT_IN_CHANNEL))
            return
        workspace = deps.workspace(db, team_of(body))
        message = guides.shared_guide(
            guide,
            shared_by=user_id,
            helpful_emoji=workspace.helpful,
            unhelpful_emoji=workspace.unhelpful,
        )
        clicked = (body.get("container") or {}).get("message_ts") or f"{deps.clock():%s.%f}"
        about, part = f"share:{guide.id}"[:64], f"{user_id}:{clicked}"[:32]
        row = after.send(
            channel_id,
            message,
            about=about,
            part=part,
            on_sent=(OnSent.GUIDE_SHARED, {"guide": guide.id, "by": user_id}),
            on_failed=(OnFailed.RELEASE, {"to": channel_id, "about": about, "part": part}),
        )
        if row is None:
            respond(**guides.notice("You've shared it here already."))
            return
        record(db, body, guide, GuideEventKind.SHARE, channel_id)
        title = escape(guide.title)

        def tell() -> None:
            if after.sent(row):
                respond(**guides.notice(f"Shared *{title}* in <#{channel_id}>."))
            else:
                respond(**guides.notice(NOT_IN_CHANNEL))

        after.then("shared", tell)

    @app.action(Action.OTHER_MATCHES)
    def other_matches(ack: Ack, body: dict, action: dict, respond: Respond, db: Session) -> None:
        """Show the runners-up; opening one of them records what the question was really for."""
        ack()
        guide, others, read = guide_from(db, body, action["value"])
        record(db, body, guide, GuideEventKind.OTHER_MATCHES)
        if not others:
            respond(**guides.notice("No other guide came close. Try `/learn browse`."))
            return
        respond(**guides.guide_list("Other matches", others, query=read.query))

    @app.action(re.compile(f"^{Action.OPEN_GUIDE}(:\\d+)?$"))
    def open_guide(ack: Ack, body: dict, action: dict, respond: Respond, db: Session) -> None:
        """Show a guide picked from a list; picked for a question, note "asked X → chose Y"."""
        ack()
        guide, _, read = guide_from(db, body, action["value"])
        record(db, body, guide, GuideEventKind.VIEW, channel_of(body))
        if read.query:
            record(db, body, guide, GuideEventKind.CHOSEN, query=read.query)
        respond(
            **guides.guide_answer(guide, query=read.query, editable=editable(db, body)),
            replace_original=False,
        )

    @app.action(Action.WHOLE_GUIDE)
    def whole_guide(ack: Ack, body: dict, action: dict, respond: Respond, db: Session) -> None:
        """Show the rest of the guide in place of its first view."""
        ack()
        guide, others, read = guide_from(db, body, action["value"])
        respond(
            **guides.guide_answer(
                guide, others, query=read.query, whole=True, editable=editable(db, body)
            ),
            replace_original=True,
        )

    def rate(helpful: bool):
        def handler(ack: Ack, body: dict, action: dict, respond: Respond, db: Session) -> None:
            ack()
            guide, others, read = guide_from(db, body, action["value"])
            library_service.rate_with_buttons(
                db,
                team_id=team_of(body),
                guide_id=guide.id,
                user_id=body["user"]["id"],
                helpful=helpful,
                now=deps.clock(),
            )
            respond(
                **guides.guide_answer(
                    guide,
                    others,
                    rated=helpful,
                    query=read.query,
                    whole=read.whole,
                    editable=editable(db, body),
                ),
                replace_original=True,
            )

        handler.__doc__ = "Record the person's vote from the buttons."
        return handler

    app.action(Action.HELPFUL)(rate(True))
    app.action(Action.NOT_HELPFUL)(rate(False))

    @app.action(re.compile(f"^{Action.BROWSE_CATEGORY}(:\\d+)?$"))
    def browse(ack: Ack, body: dict, action: dict, respond: Respond, db: Session) -> None:
        """List the guides of one area of the library."""
        ack()
        value = (action.get("selected_option") or {}).get("value") or action.get("value", "")
        try:
            category = Category(value)
        except ValueError:
            respond(**guides.notice("That area of the library no longer exists."))
            return
        members = deps.library.for_team(db, team_of(body)).in_category(category)
        respond(**guides.guide_list(CATEGORY_LABELS[category], members))
