"""Pitch, Prototype, Pilot: /pitch, the sponsor's buttons, each stage's question."""

from __future__ import annotations

import json

from slack_bolt import Ack, App
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.deps import Deps
from bot.errors import InflowError
from bot.handlers.commands import HELP_WORDS
from bot.handlers.context import MENTION, input_value, team_of
from bot.jobs.after import After
from bot.services import ideas, privacy, teams
from bot.services.ideas import Stage
from bot.services.outbox import OnFailed
from bot.slack import ideas as blocks
from bot.slack.ids import Command, Field, IdeaAction, View
from bot.slack.messaging import NOT_REACHED, open_modal, why_not_pickable
from bot.slack.text import unescape


def register(app: App, deps: Deps) -> None:
    def start(
        db: Session,
        client: WebClient,
        after: After,
        *,
        team: str,
        author: str,
        sponsor: str,
        title: str,
    ):
        if problem := why_not_pickable(client, sponsor, team):
            raise InflowError(problem)
        idea = ideas.pitch(
            db, team_id=team, author_id=author, sponsor_id=sponsor, title=title, now=deps.clock()
        )
        after.send(
            sponsor,
            blocks.to_sponsor(idea),
            about=f"idea:{idea.id}",
            part="sponsor",
            on_failed=(OnFailed.TELL, {"to": author, "text": NOT_REACHED.format(who=sponsor)}),
        )
        return idea

    @app.command(Command.PITCH)
    def pitch_command(
        ack: Ack, command: dict, client: WebClient, db: Session, after: After
    ) -> None:
        """Pitch an idea to a sponsor, list your ideas, or say how /pitch works."""
        text = unescape(command.get("text") or "").strip()
        author, team = command["user_id"], command["team_id"]
        if text.lower() in HELP_WORDS:
            ack(**blocks.pitch_help())
            return
        if text.lower() == "list":
            mine, sponsored = ideas.of_person(db, team_id=team, user_id=author)
            ack(**blocks.idea_list(mine, sponsored, deps.clock()))
            return
        sponsor = MENTION.search(text)
        title = MENTION.sub("", text).strip()
        if not sponsor or not title:
            ack()
            managers = teams.managers_of(db, team_id=team, report_id=author)
            suggested = sponsor.group(1) if sponsor else (managers[0] if managers else None)
            form = blocks.pitch_modal(title=title, sponsor_id=suggested)
            trigger = command["trigger_id"]
            after.then("pitch form", lambda: open_modal(client, trigger, author, form))
            return
        idea = start(
            db, client, after, team=team, author=author, sponsor=sponsor.group(1), title=title
        )
        ack(**blocks.pitched(idea))

    @app.view(View.PITCH)
    def pitch_submitted(
        ack: Ack, body: dict, view: dict, client: WebClient, db: Session, after: After
    ) -> None:
        """Record the idea at Pitch and tell the sponsor."""
        author, team = body["user"]["id"], team_of(body)
        sponsor = input_value(view, Field.SPONSOR).get("selected_user") or ""
        title = input_value(view, Field.IDEA).get("value") or ""
        problem = (
            "Pick a sponsor other than yourself."
            if sponsor == author
            else why_not_pickable(client, sponsor, team)
        )
        if problem:
            ack(response_action="errors", errors={Field.SPONSOR: problem})
            return
        try:
            idea = start(db, client, after, team=team, author=author, sponsor=sponsor, title=title)
        except InflowError as error:
            ack(response_action="errors", errors={Field.IDEA: error.user_message})
            return
        pitched = blocks.pitched(idea)
        after.send(
            author,
            {"text": pitched["text"], "blocks": pitched["blocks"]},
            about=f"idea:{idea.id}",
            part="author",
        )
        ack()

    def open_stage(
        ack: Ack, body: dict, action: dict, client: WebClient, db: Session, after: After
    ) -> None:
        ack()
        idea_id, seen, to = blocks.read_move(action["value"])
        idea = ideas.get(db, team_id=team_of(body), idea_id=idea_id, user_id=body["user"]["id"])
        if Stage(idea.stage) != seen:
            raise InflowError(f"This idea has moved on: it's at {Stage(idea.stage).label} now.")
        trigger, user, form = body["trigger_id"], body["user"]["id"], blocks.stage_modal(idea, to)
        after.then("idea stage form", lambda: open_modal(client, trigger, user, form))

    open_stage.__doc__ = "Ask the question of the stage the idea would move to."
    app.action(IdeaAction.ADVANCE)(open_stage)
    app.action(IdeaAction.PARK)(open_stage)

    @app.view(View.IDEA_STAGE)
    def stage_submitted(ack: Ack, body: dict, view: dict, db: Session, after: After) -> None:
        """Move the idea and tell the other person."""
        meta = json.loads(view.get("private_metadata") or "{}")
        user = body["user"]["id"]
        answer = input_value(view, Field.ANSWER).get("value") or ""
        learned = input_value(view, Field.LEARNED).get("value")
        try:
            idea = ideas.move(
                db,
                team_id=team_of(body),
                idea_id=int(meta["i"]),
                user_id=user,
                to=Stage(meta["to"]),
                expected_from=Stage(meta["from"]),
                answer=answer,
                learned=learned,
                now=deps.clock(),
            )
        except InflowError as error:
            ack(response_action="errors", errors={Field.ANSWER: error.user_message})
            return
        other = idea.sponsor_id if user == idea.author_id else idea.author_id
        if other != privacy.FORGOTTEN:  # a sponsor who asked inflow to forget them
            after.send(
                other,
                blocks.moved(idea, by=user, answer=answer, learned=learned),
                about=f"idea:{idea.id}",
                part=f"moved to {idea.stage}",
            )
        ack()
