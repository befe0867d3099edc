"""Work becoming content: the *Save as a guide draft* message shortcut, *Turn into a guide* on a
debrief's summary and on a shared lesson, and the report's *Write a guide*. Each opens the guide
form (bot.handlers.authoring.open_guide_form) filled from what was written
(bot.library.prefill), for the library's owners only.

Someone who does not own the library gets a kind refusal and no form: from a button, privately
in the conversation (as every refused click in inflow); from the shortcut, in a small modal
where the form would have opened. A shortcut's own answer (its ack) carries no message, and a
reply through its response_url lands in the conversation rather than where the person is
looking (the message's thread, say); the modal is seen at once, in any conversation.
"""

from __future__ import annotations

import datetime as dt
import re
import time

from slack_bolt import Ack, App
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.deps import Deps
from bot.errors import InflowError
from bot.handlers.authoring import open_guide_form
from bot.handlers.context import channel_of, team_of
from bot.jobs.after import After
from bot.library import prefill
from bot.library.fields import GuideFields
from bot.services import authors as author_service
from bot.services import guide_sources
from bot.slack import people
from bot.slack.blocks import error_modal
from bot.slack.guide_sources import read_question_value
from bot.slack.ids import GuideSourceAction, Shortcut
from bot.slack.messaging import open_modal

NAMES_WAIT = 1.0  # seconds of the trigger's three the form waits for the names a message holds
NAMES_LOOKED_UP = 20  # people named in one message; the rest read "a colleague"
CHECK_IT = "check it reads as a guide before you save"
FROM_MESSAGE = f"Filled from a message: {CHECK_IT}. Published, everyone in the workspace sees it."


def register(app: App, deps: Deps) -> None:
    def open_form(
        client: WebClient,
        db: Session,
        after: After,
        body: dict,
        fields: GuideFields,
        note: str,
    ) -> None:
        open_guide_form(
            client,
            trigger_id=body["trigger_id"],
            db=db,
            deps=deps,
            after=after,
            team_id=team_of(body),
            user_id=body["user"]["id"],
            prefill=fields,
            note=note,
        )

    @app.shortcut(Shortcut.SAVE_AS_GUIDE)
    def save_as_guide(ack: Ack, body: dict, client: WebClient, db: Session, after: After) -> None:
        """Open the guide form filled from the message; a non-owner is told why in a modal."""
        ack()
        team_id, user_id, trigger = team_of(body), body["user"]["id"], body["trigger_id"]
        if not author_service.is_library_owner(db, deps.settings, team_id, user_id):
            refusal = error_modal(author_service.NOT_AN_OWNER)
            after.then("not an owner", lambda: open_modal(client, trigger, user_id, refusal))
            return
        message = body.get("message") or {}
        channel = body.get("channel") or {}
        domain = (body.get("team") or {}).get("domain") or ""

        def fields() -> GuideFields:  # after the commit: the names need users.info
            text = message.get("text") or ""
            author_id = message.get("user")
            wanted = [author_id] if author_id else []
            names = _names(client, [*wanted, *prefill.mentioned_people(text)])
            author = names.get(author_id or "") or (message.get("bot_profile") or {}).get("name")
            return prefill.from_message(
                text,
                names=names,
                author=author,
                when=_day_of(message.get("ts")),
                link=_permalink(domain, channel.get("id"), message),
            )

        open_guide_form(
            client,
            trigger_id=trigger,
            db=db,
            deps=deps,
            after=after,
            team_id=team_id,
            user_id=user_id,
            prefill=fields,
            note=FROM_MESSAGE,
        )

    @app.action(GuideSourceAction.FROM_DEBRIEF)
    def debrief_to_guide(
        ack: Ack, body: dict, action: dict, client: WebClient, db: Session, after: After
    ) -> None:
        """Open the guide form filled from the debrief's summary, for an owner in its channel."""
        ack()
        author_service.require_owner(db, deps.settings, team_of(body), body["user"]["id"])
        summary = guide_sources.debrief_summary(
            db,
            team_id=team_of(body),
            debrief_id=_number(action.get("value")),
            channel_id=channel_of(body) or "",
        )
        fields = prefill.from_debrief(
            summary.topic, summary.points, views=summary.views, closed=summary.closed_at.date()
        )
        note = f"Filled from the debrief of “{summary.topic}”: {CHECK_IT}."
        open_form(client, db, after, body, fields, note)

    @app.action(GuideSourceAction.FROM_LESSON)
    def lesson_to_guide(
        ack: Ack, body: dict, action: dict, client: WebClient, db: Session, after: After
    ) -> None:
        """Open the guide form filled from a shared lesson, for an owner where it was shared."""
        ack()
        author_service.require_owner(db, deps.settings, team_of(body), body["user"]["id"])
        lesson = guide_sources.shared_lesson(
            db,
            team_id=team_of(body),
            moment_id=_number(action.get("value")),
            channel_id=channel_of(body) or "",
        )
        note = f"Filled from a lesson shared without a name: {CHECK_IT}."
        open_form(client, db, after, body, prefill.from_lesson(lesson), note)

    def question_to_guide(
        ack: Ack, body: dict, action: dict, client: WebClient, db: Session, after: After
    ) -> None:
        """Open the guide form filled from what people asked (a row of the report)."""
        ack()
        author_service.require_owner(db, deps.settings, team_of(body), body["user"]["id"])
        asked, others, chose = read_question_value(str(action.get("value") or ""))
        if not asked.strip():
            raise InflowError("That button names no question. Open `/learn report` again.")
        note = f"Filled from what people asked: {CHECK_IT}."
        open_form(client, db, after, body, prefill.from_question(asked, others, chose=chose), note)

    for source in (GuideSourceAction.FROM_GAP, GuideSourceAction.FROM_CHOSEN):
        app.action(re.compile(f"^{source}(:\\d+)?$"))(question_to_guide)


def _names(client: WebClient, user_ids: list[str]) -> dict[str, str]:
    """How each person is called, as far as Slack says within NAMES_WAIT (answers are
    remembered, so the people a workspace mentions often come at once)."""
    deadline = time.monotonic() + NAMES_WAIT
    names: dict[str, str] = {}
    for user_id in list(dict.fromkeys(user_ids))[:NAMES_LOOKED_UP]:
        left = deadline - time.monotonic()
        user = people.lookup(client, user_id, wait=max(left, 0.01)) or {}
        profile = user.get("profile") or {}
        name = profile.get("real_name") or profile.get("display_name") or user.get("real_name")
        if isinstance(name, str) and name.strip():
            names[user_id] = " ".join(name.split())
    return names


def _day_of(ts: object) -> dt.date | None:
    try:
        return dt.datetime.fromtimestamp(float(str(ts)), dt.UTC).date()
    except (TypeError, ValueError, OverflowError):
        return None


def _permalink(domain: str, channel_id: str | None, message: dict) -> str | None:
    """The message's link, as Slack makes it (no Web API call: the form must open in time)."""
    ts = str(message.get("ts") or "")
    if not domain or not channel_id or not re.fullmatch(r"\d+\.\d+", ts):
        return None
    link = f"https://{domain}.slack.com/archives/{channel_id}/p{ts.replace('.', '')}"
    thread = str(message.get("thread_ts") or "")
    if thread and thread != ts:
        link += f"?thread_ts={thread}&cid={channel_id}"
    return link


def _number(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        raise InflowError("That button no longer points at anything.") from None
