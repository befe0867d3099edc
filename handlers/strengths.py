"""Spotting strengths: /spot, its form, and posting in a channel."""

from __future__ import annotations

import hashlib
import json
import re

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.deps import Deps
from bot.errors import InflowError
from bot.handlers.context import (
    MENTION,
    NOT_IN_CHANNEL,
    channel_of,
    input_value,
    selected_value,
    team_of,
)
from bot.jobs.after import After
from bot.services import strengths
from bot.services.outbox import OnFailed
from bot.services.strengths import Theme
from bot.slack import strengths as blocks
from bot.slack.ids import Command, Field, Shortcut, SpotAction, View
from bot.slack.messaging import NOT_REACHED, open_modal, why_not_pickable
from bot.slack.text import unescape

# `/spot @person what you saw`: the mention first, then the note.
LEADING_MENTION = re.compile(rf"^\s*{MENTION.pattern}\s*(.*)$", re.DOTALL)


def register(app: App, deps: Deps) -> None:
    def give(
        db: Session,
        after: After,
        *,
        team_id: str,
        giver: str,
        receiver: str,
        note: str,
        theme: Theme | None,
        clicked: str | None = None,
    ):
        """Keep the note and send it to the receiver. `clicked` names the button that sent it
        (a draft's *Send it as it is*): that click again, a double click or Slack retrying,
        keeps and sends nothing more, and returns None."""
        attempt = db.begin_nested()
        strength = strengths.spot(
            db,
            team_id=team_id,
            giver_id=giver,
            receiver_id=receiver,
            note=note,
            theme=theme,
            now=deps.clock(),
        )
        row = after.send(
            receiver,
            blocks.to_receiver(giver_id=giver, note=strength.note, theme=Theme(strength.theme)),
            about=f"strength:{strength.id}" if clicked is None else f"spot draft:{clicked}"[:64],
            part="receiver",
            on_failed=(OnFailed.TELL, {"to": giver, "text": NOT_REACHED.format(who=receiver)}),
        )
        if row is None:  # the same click, already sent: the note it made stays the only one
            attempt.rollback()
            return None
        attempt.commit()
        return strength

    @app.command(Command.SPOT)
    def spot_command(ack: Ack, command: dict, client: WebClient, db: Session, after: After) -> None:
        """Send someone what you saw them do at their best."""
        text = unescape(command.get("text") or "").strip()
        found = LEADING_MENTION.match(text)
        giver, team = command["user_id"], command["team_id"]
        if not found:
            if text.lower() in ("help", "?"):
                ack(**blocks.spot_help())
                return
            ack()
            form = blocks.spot_modal(note=text)
            after.then("spot form", lambda: open_modal(client, command["trigger_id"], giver, form))
            return
        receiver, note = found.group(1), found.group(2).strip()
        strengths.check(giver_id=giver, receiver_id=receiver, note=note or "-")
        if problem := why_not_pickable(client, receiver, team):
            raise InflowError(problem)
        if not note or strengths.vague(note):
            ack(**blocks.vague_note(receiver, note))
            return
        strength = give(
            db, after, team_id=team, giver=giver, receiver=receiver, note=note, theme=None
        )
        can_post = bool(command.get("channel_id", "").startswith(("C", "G")))
        ack(**blocks.sent(receiver_id=receiver, strength_id=strength.id, can_post=can_post))

    @app.shortcut(Shortcut.SPOT_STRENGTH)
    def spot_shortcut(ack: Ack, body: dict, client: WebClient, after: After) -> None:
        """Open the spotting form."""
        ack()
        trigger, user = body["trigger_id"], body["user"]["id"]
        after.then("spot form", lambda: open_modal(client, trigger, user, blocks.spot_modal()))

    @app.action(SpotAction.OPEN_FORM)
    def open_form(ack: Ack, body: dict, action: dict, client: WebClient, after: After) -> None:
        """Continue a vague note in the form."""
        ack()
        receiver, note = blocks.read_draft(action["value"])
        view = blocks.spot_modal(receiver_id=receiver, note=note, suggestion=blocks.VAGUE_HINT)
        trigger, user = body["trigger_id"], body["user"]["id"]
        after.then("spot form", lambda: open_modal(client, trigger, user, view))

    @app.action(SpotAction.SEND_ANYWAY)
    def send_anyway(
        ack: Ack,
        body: dict,
        action: dict,
        client: WebClient,
        respond: Respond,
        db: Session,
        after: After,
    ) -> None:
        """Send the note as the giver wrote it."""
        ack()
        receiver, note = blocks.read_draft(action["value"])
        giver, team = body["user"]["id"], team_of(body)
        if problem := why_not_pickable(client, receiver, team):
            raise InflowError(problem)  # the person comes from the button: checked like /spot
        # The draft message clicked, and which draft: what a second identical click shares.
        message = (body.get("container") or {}).get("message_ts") or after.request_id
        draft = hashlib.sha1(action["value"].encode()).hexdigest()[:12]
        strength = give(
            db,
            after,
            team_id=team,
            giver=giver,
            receiver=receiver,
            note=note or "-",
            theme=None,
            clicked=f"{giver}:{message}:{draft}",
        )
        if strength is None:
            already = blocks.already_sent(receiver_id=receiver)
            after.then("spot already sent", lambda: respond(**already, replace_original=False))
            return
        can_post = (channel_of(body) or "").startswith(("C", "G"))
        sent = blocks.sent(receiver_id=receiver, strength_id=strength.id, can_post=can_post)
        after.then("spot sent", lambda: respond(**sent, replace_original=True))

    @app.action(SpotAction.POST_HERE)
    def post_here(
        ack: Ack, body: dict, action: dict, respond: Respond, db: Session, after: After
    ) -> None:
        """Post the note in the channel, once, however many times the button is clicked."""
        ack()
        strength = strengths.get(
            db, team_id=team_of(body), strength_id=int(action["value"]), for_update=True
        )
        if strength.giver_id != body["user"]["id"]:
            raise InflowError("Only the person who wrote it can post it.")
        if strength.posted_channel_id:
            after.then(
                "already posted",
                lambda: respond(
                    text="It's already posted.", response_type="ephemeral", replace_original=False
                ),
            )
            return
        channel = channel_of(body)
        if not channel or not channel.startswith(("C", "G")):
            raise InflowError(NOT_IN_CHANNEL)
        strength.posted_channel_id = channel
        row = after.send(
            channel,
            blocks.in_channel(
                giver_id=strength.giver_id, receiver_id=strength.receiver_id, note=strength.note
            ),
            about=f"strength:{strength.id}",
            part=f"channel {after.request_id}",  # after a refusal and /invite, a new try
            on_failed=(OnFailed.STRENGTH_UNMARK_POSTED, strength.id),
        )

        def tell() -> None:  # after delivery: whether it is really there
            if after.sent(row):
                respond(
                    text=f"Posted in <#{channel}>.",
                    response_type="ephemeral",
                    replace_original=True,
                )
            else:
                respond(text=NOT_IN_CHANNEL, response_type="ephemeral", replace_original=False)

        after.then("posted", tell)

    @app.view(View.SPOT)
    def spot_submitted(
        ack: Ack, body: dict, view: dict, client: WebClient, db: Session, after: After
    ) -> None:
        """Send from the form; suggest specifics once for a vague note."""
        giver, team = body["user"]["id"], team_of(body)
        receiver = input_value(view, Field.PERSON).get("selected_user")
        note = (input_value(view, Field.NOTE).get("value") or "").strip()
        chosen = selected_value(view, Field.THEME)
        channel = input_value(view, Field.CHANNEL).get("selected_conversation")
        if not receiver:  # Slack requires the input; a submission without it is answered kindly
            ack(response_action="errors", errors={Field.PERSON: "Pick who you saw at their best."})
            return
        try:
            strengths.check(giver_id=giver, receiver_id=receiver, note=note)
        except InflowError as error:
            field = Field.PERSON if receiver == giver else Field.NOTE
            ack(response_action="errors", errors={field: error.user_message})
            return
        if problem := why_not_pickable(client, receiver, team):
            ack(response_action="errors", errors={Field.PERSON: problem})
            return
        warned = json.loads(view.get("private_metadata") or "{}").get("warned")
        if strengths.vague(note) and not warned:
            suggestion = blocks.spot_modal(
                receiver_id=receiver, note=note, suggestion=blocks.VAGUE_HINT
            )
            ack(response_action="update", view=suggestion)
            return
        strength = give(
            db,
            after,
            team_id=team,
            giver=giver,
            receiver=receiver,
            note=note,
            theme=Theme(chosen) if chosen else None,
        )
        if channel:
            strength.posted_channel_id = channel
            after.send(
                channel,
                blocks.in_channel(giver_id=giver, receiver_id=receiver, note=strength.note),
                about=f"strength:{strength.id}",
                part="channel",
                on_failed=(OnFailed.STRENGTH_NOT_POSTED, strength.id),
            )
        ack()
