"""Mistake moments: two shortcuts, a modal, the colleague's answer, the lesson."""

from __future__ import annotations

import json
import logging

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.deps import Deps
from bot.errors import InflowError
from bot.handlers.context import input_value, selected_value, team_of
from bot.jobs.after import After
from bot.services import mistakes, teams
from bot.services.mistakes import Answer, MomentWhen
from bot.services.outbox import OnFailed, OnSent
from bot.slack import mistakes as blocks
from bot.slack.ids import Field, MomentAction, Shortcut, View
from bot.slack.messaging import NOT_REACHED, open_modal, why_not_pickable

log = logging.getLogger(__name__)

ANSWER_WORDS = {
    Answer.YES: "You said yes: I've opened a conversation for the two of you.",
    Answer.LATER: "You said later today: I've let them know.",
    Answer.NO: "You said you can't this time: I've let them know, kindly.",
}


LESSON_NOT_SHARED = (
    "Your lesson is saved, but I couldn't share it in <#{}>: I'm not in that channel. Ask "
    "someone there to `/invite @inflow`, or an admin to pick another learning channel."
)


def register(app: App, deps: Deps) -> None:
    def manager_of(db: Session, body: dict) -> str | None:
        managers = teams.managers_of(db, team_id=team_of(body), report_id=body["user"]["id"])
        return managers[0] if managers else None

    def open_form(client: WebClient, after: After, body: dict, view: dict) -> None:
        trigger, user = body["trigger_id"], body["user"]["id"]
        after.then("mistake-moment form", lambda: open_modal(client, trigger, user, view))

    @app.shortcut(Shortcut.MISTAKE_MOMENT)
    def global_shortcut(ack: Ack, body: dict, client: WebClient, db: Session, after: After) -> None:
        """Open the mistake-moment form, suggesting the person's manager when known."""
        ack()
        open_form(client, after, body, blocks.moment_modal(suggested=manager_of(db, body)))

    @app.shortcut(Shortcut.MISTAKE_MOMENT_MESSAGE)
    def message_shortcut(
        ack: Ack, body: dict, client: WebClient, db: Session, after: After
    ) -> None:
        """Open the form, quoting the message it was used on."""
        ack()
        message = body.get("message") or {}
        metadata = {"channel": (body.get("channel") or {}).get("id"), "ts": message.get("ts")}
        view = blocks.moment_modal(
            quoted=message.get("text") or None, metadata=metadata, suggested=manager_of(db, body)
        )
        open_form(client, after, body, view)

    @app.view(View.MISTAKE_MOMENT)
    def submitted(
        ack: Ack, body: dict, view: dict, client: WebClient, db: Session, after: After
    ) -> None:
        """Record the moment and ask the colleague, or set the author up to reflect alone."""
        author, team = body["user"]["id"], team_of(body)
        colleague = input_value(view, Field.COLLEAGUE).get("selected_user")
        what = input_value(view, Field.WHAT_HAPPENED).get("value")
        when = MomentWhen(selected_value(view, Field.WHEN) or MomentWhen.NOW)
        if colleague == author:
            ack(response_action="errors", errors={Field.COLLEAGUE: "Pick someone other than you."})
            return
        if colleague and (problem := why_not_pickable(client, colleague, team)):
            ack(response_action="errors", errors={Field.COLLEAGUE: problem})
            return
        if what and len(what) > mistakes.MAX_WHAT_HAPPENED:
            ack(
                response_action="errors",
                errors={
                    Field.WHAT_HAPPENED: f"Keep it under {mistakes.MAX_WHAT_HAPPENED} characters."
                },
            )
            return
        metadata = json.loads(view.get("private_metadata") or "{}")
        moment = mistakes.start(
            db,
            team_id=team,
            author_id=author,
            colleague_id=colleague,
            what_happened=what,
            when=when,
            now=deps.clock(),
            source_channel_id=metadata.get("channel"),
            source_message_ts=metadata.get("ts"),
        )
        about = f"moment:{moment.id}"
        if colleague is None:
            after.send(
                author,
                blocks.author_notice(
                    "Noted, just for you. Take five minutes with the three questions: what "
                    "happened, what you learn, what you'll do differently.",
                    moment_id=moment.id,
                    lesson=True,
                ),
                about=about,
                part="noted",
            )
            ack()
            return
        ask = blocks.ask_colleague(
            moment_id=moment.id, author_id=author, when=when, what_happened=moment.what_happened
        )
        after.send(
            colleague,
            ask,
            about=about,
            part="ask",
            on_sent=(OnSent.MISTAKE_ASKED, moment.id),
            on_failed=(OnFailed.TELL, {"to": author, "text": NOT_REACHED.format(who=colleague)}),
        )
        after.send(
            author,
            blocks.author_notice(
                f"I've asked <@{colleague}> for five minutes. I'll tell you what they say."
            ),
            about=about,
            part="asked",
        )
        ack()

    def answer_handler(reply: Answer):
        def handler(
            ack: Ack,
            body: dict,
            action: dict,
            client: WebClient,
            respond: Respond,
            db: Session,
            after: After,
        ) -> None:
            ack()
            colleague = body["user"]["id"]  # answer() refuses anyone but the moment's colleague
            moment, changed = mistakes.answer(
                db,
                team_id=team_of(body),
                moment_id=int(action["value"]),
                user_id=colleague,
                reply=reply,
                now=deps.clock(),
            )
            if not changed:
                after.then(
                    "already answered",
                    lambda: respond(
                        text="You've already answered this one.",
                        response_type="ephemeral",
                        replace_original=False,
                    ),
                )
                return
            author = moment.author_id
            answered = blocks.colleague_answered(author_id=author, answer_words=ANSWER_WORDS[reply])
            channel, ts = body["channel"]["id"], body["message"]["ts"]
            after.then("answered", lambda: client.chat_update(channel=channel, ts=ts, **answered))
            about = f"moment:{moment.id}"
            if reply is Answer.YES:
                after.send(
                    [author, colleague],
                    blocks.chat_opening(
                        moment_id=moment.id, author_id=author, colleague_id=colleague
                    ),
                    about=about,
                    part="chat",
                    on_sent=(OnSent.MISTAKE_CHAT_OPENED, moment.id),
                )
                notice = blocks.author_notice(
                    f"<@{colleague}> said yes. I've opened a conversation for the two of you."
                )
            elif reply is Answer.LATER:
                notice = blocks.author_notice(f"<@{colleague}> can talk later today.")
            else:
                notice = blocks.author_notice(
                    f"<@{colleague}> can't this time. Would you like to ask someone else?",
                    moment_id=moment.id,
                    ask_again=True,
                )
            after.send(author, notice, about=about, part=f"answer {reply.value}")

        handler.__doc__ = f"Record the colleague's answer: {reply.value}."
        return handler

    app.action(MomentAction.YES)(answer_handler(Answer.YES))
    app.action(MomentAction.LATER)(answer_handler(Answer.LATER))
    app.action(MomentAction.NO)(answer_handler(Answer.NO))

    @app.action(MomentAction.ASK_AGAIN)
    def ask_again(ack: Ack, body: dict, client: WebClient, after: After) -> None:
        """Open the form again to ask someone else."""
        ack()
        open_form(client, after, body, blocks.moment_modal())

    @app.action(MomentAction.WRITE_LESSON)
    def write_lesson(
        ack: Ack, body: dict, action: dict, client: WebClient, db: Session, after: After
    ) -> None:
        """Open the lesson form, for the author only."""
        ack()
        moment = mistakes.get(db, team_id=team_of(body), moment_id=int(action["value"]))
        if moment.author_id != body["user"]["id"]:
            raise InflowError("Only the person who had the mistake moment writes its lesson.")
        view = blocks.lesson_modal(
            moment_id=moment.id, learning_channel=deps.workspace(db, team_of(body)).learning_channel
        )
        open_form(client, after, body, view)

    @app.view(View.LESSON)
    def lesson_saved(ack: Ack, body: dict, view: dict, db: Session, after: After) -> None:
        """Keep the lesson; share it without a name only when the author ticked the box."""
        lesson = input_value(view, Field.LESSON).get("value") or ""
        share = bool(input_value(view, Field.SHARE_LESSON).get("selected_options"))
        moment_id = int(json.loads(view.get("private_metadata") or "{}").get("moment", 0))
        learning_channel = deps.workspace(db, team_of(body)).learning_channel
        try:
            moment = mistakes.record_lesson(
                db,
                team_id=team_of(body),
                moment_id=moment_id,
                user_id=body["user"]["id"],
                lesson=lesson,
                share=share and bool(learning_channel),
                now=deps.clock(),
            )
        except InflowError as error:
            ack(response_action="errors", errors={Field.LESSON: error.user_message})
            return
        if moment.lesson_shared and learning_channel and moment.lesson:
            after.send(
                learning_channel,
                blocks.shared_lesson(moment.lesson, moment.id),
                about=f"moment:{moment.id}",
                part="lesson shared",
                on_failed=(
                    OnFailed.TELL,
                    {"to": body["user"]["id"], "text": LESSON_NOT_SHARED.format(learning_channel)},
                ),
            )
        ack()
