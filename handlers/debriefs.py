"""Debriefs: /debrief in a channel, answers in a form, one summary in the thread."""

from __future__ import annotations

import json

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot.app import Deps
from bot.errors import InflowError
from bot.services import debriefs
from bot.slack import debriefs as blocks
from bot.slack.ids import Command, DebriefAction, Field, View
from bot.slack.messaging import open_modal
from bot.slack.text import unescape
from handlers.context import NOT_IN_CHANNEL, team_of

IN_A_CHANNEL = f"Use `{Command.DEBRIEF}` in the channel of the team you want to debrief with."


def register(app: App, deps: Deps) -> None:
    @app.command(Command.DEBRIEF)
    def debrief_command(ack: Ack, command: dict, client: WebClient, db: Session) -> None:
        """Start a debrief in this channel, or set how often the channel debriefs."""
        text = unescape(command.get("text") or "").strip()
        team, channel, user = command["team_id"], command["channel_id"], command["user_id"]
        if not channel.startswith(("C", "G")):
            ack(response_type="ephemeral", text=IN_A_CHANNEL)
            return
        cadence = debriefs.parse_cadence(text)
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
        try:
            posted = client.chat_postMessage(channel=channel, **blocks.invitation(debrief))
        except SlackApiError as error:
            if error.response.get("error") in ("not_in_channel", "channel_not_found"):
                raise InflowError(NOT_IN_CHANNEL) from None
            raise
        debrief.message_ts = posted["ts"]
        ack()

    @app.action(DebriefAction.ANSWER)
    def add_view(ack: Ack, body: dict, action: dict, client: WebClient, db: Session) -> None:
        """Open the four questions."""
        ack()
        debrief = debriefs.get(db, team_id=team_of(body), debrief_id=int(action["value"]))
        if debrief.closed_at is not None:
            raise InflowError(
                "This debrief's summary is already posted: start a new one with /debrief."
            )
        open_modal(client, body["trigger_id"], body["user"]["id"], blocks.answer_modal(debrief))

    @app.view(View.DEBRIEF)
    def answered(ack: Ack, body: dict, view: dict, client: WebClient, db: Session) -> None:
        """Keep this person's answers and update the count in the channel."""
        values = view["state"]["values"]
        answers = {
            column: values.get(column, {}).get(Field.VALUE, {}).get("value")
            for column, _ in debriefs.QUESTIONS
        }
        debrief_id = int(json.loads(view.get("private_metadata") or "{}").get("d", 0))
        try:
            debrief, count = debriefs.answer(
                db,
                team_id=team_of(body),
                debrief_id=debrief_id,
                user_id=body["user"]["id"],
                answers=answers,
                now=deps.clock(),
            )
        except InflowError as error:
            ack(response_action="errors", errors={debriefs.QUESTIONS[0][0]: error.user_message})
            return
        if debrief.message_ts:
            client.chat_update(
                channel=debrief.channel_id,
                ts=debrief.message_ts,
                **blocks.invitation(debrief, count),
            )
        ack()

    @app.action(DebriefAction.SUMMARY)
    def post_summary(
        ack: Ack, body: dict, action: dict, client: WebClient, respond: Respond, db: Session
    ) -> None:
        """Gather everyone's answers into one summary in the thread."""
        ack()
        debrief, answers = debriefs.close(
            db, team_id=team_of(body), debrief_id=int(action["value"]), now=deps.clock()
        )
        posted = client.chat_postMessage(
            channel=debrief.channel_id,
            thread_ts=debrief.message_ts,
            **blocks.summary(debrief, answers),
        )
        debrief.summary_ts = posted["ts"]
