"""Debriefs: /debrief in a channel, answers in a form, one summary in the thread."""

from __future__ import annotations

import json

from slack_bolt import Ack, App
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.deps import Deps
from bot.errors import InflowError
from bot.handlers.commands import HELP_WORDS
from bot.handlers.context import team_of
from bot.jobs.after import After
from bot.services import debriefs
from bot.services.outbox import OnFailed, OnSent
from bot.slack import debriefs as blocks
from bot.slack.ids import Command, DebriefAction, Field, View
from bot.slack.messaging import open_modal
from bot.slack.text import unescape

IN_A_CHANNEL = f"Use `{Command.DEBRIEF}` in the channel of the team you want to debrief with."


def register(app: App, deps: Deps) -> None:
    @app.command(Command.DEBRIEF)
    def debrief_command(ack: Ack, command: dict, db: Session, after: After) -> None:
        """Start a debrief in this channel, or set how often the channel debriefs."""
        text = unescape(command.get("text") or "").strip()
        team, channel, user = command["team_id"], command["channel_id"], command["user_id"]
        if not channel.startswith(("C", "G")):
            ack(response_type="ephemeral", text=IN_A_CHANNEL)
            return
        if text.lower() in HELP_WORDS:
            rhythm = debriefs.schedule_of(db, team_id=team, channel_id=channel)
            ack(**blocks.debrief_help(rhythm))
            return
        cadence = debriefs.parse_cadence(text)  # a rhythm it can't keep is refused privately
        if cadence is not False:
            debriefs.set_schedule(
                db,
                team_id=team,
                channel_id=channel,
                user_id=user,
                cadence=cadence,
                now=deps.clock(),
            )
            ack(**blocks.schedule_set(cadence))
            return
        debrief = debriefs.start(
            db, team_id=team, channel_id=channel, user_id=user, topic=text, now=deps.clock()
        )
        after.send(
            channel,
            blocks.invitation(debrief),
            about=f"debrief:{debrief.id}",
            part="invitation",
            on_sent=(OnSent.DEBRIEF_POSTED, debrief.id),
            on_failed=(OnFailed.DEBRIEF_NOT_POSTED, debrief.id),
        )
        ack()

    @app.action(DebriefAction.ANSWER)
    def add_view(
        ack: Ack, body: dict, action: dict, client: WebClient, db: Session, after: After
    ) -> None:
        """Open the four questions."""
        ack()
        debrief = debriefs.get(
            db,
            team_id=team_of(body),
            debrief_id=_debrief_id(action.get("value")),
            channel_id=_clicked_in(body),
        )
        if debrief.closed_at is not None:
            raise InflowError(
                "This debrief's summary is already posted: start a new one with /debrief."
            )
        trigger, user, form = body["trigger_id"], body["user"]["id"], blocks.answer_modal(debrief)
        after.then("debrief form", lambda: open_modal(client, trigger, user, form))

    @app.view(View.DEBRIEF)
    def answered(
        ack: Ack, body: dict, view: dict, client: WebClient, db: Session, after: After
    ) -> None:
        """Keep this person's answers and update the count in the channel."""
        values = view["state"]["values"]
        answers = {
            column: values.get(column, {}).get(Field.VALUE, {}).get("value")
            for column, _ in debriefs.QUESTIONS
        }
        opened_for = json.loads(view.get("private_metadata") or "{}")
        debrief_id = _debrief_id(opened_for.get("d"))
        try:
            debrief, count = debriefs.answer(
                db,
                team_id=team_of(body),
                debrief_id=debrief_id,
                user_id=body["user"]["id"],
                answers=answers,
                now=deps.clock(),
                channel_id=opened_for.get("c"),  # the channel checked when the form opened
            )
        except InflowError as error:
            ack(response_action="errors", errors={debriefs.QUESTIONS[0][0]: error.user_message})
            return
        if debrief.message_ts:
            channel, ts, invitation = (
                debrief.channel_id,
                debrief.message_ts,
                blocks.invitation(debrief, count),
            )
            after.then(
                "debrief count", lambda: client.chat_update(channel=channel, ts=ts, **invitation)
            )
        ack()

    @app.action(DebriefAction.SUMMARY)
    def post_summary(ack: Ack, body: dict, action: dict, db: Session, after: After) -> None:
        """Gather everyone's answers into one summary in the thread."""
        ack()
        debrief, answers = debriefs.close(
            db,
            team_id=team_of(body),
            debrief_id=_debrief_id(action.get("value")),
            now=deps.clock(),
            channel_id=_clicked_in(body),
        )
        after.send(
            debrief.channel_id,
            {**blocks.summary(debrief, answers), "thread_ts": debrief.message_ts},
            about=f"debrief:{debrief.id}",
            part="summary",
            on_sent=(OnSent.DEBRIEF_SUMMARISED, debrief.id),
        )


def _clicked_in(body: dict) -> str:
    """The channel whose message held the button ("" when Slack named none: no debrief's)."""
    return (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
        "channel_id", ""
    )


def _debrief_id(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        raise InflowError("That debrief is no longer here.") from None
