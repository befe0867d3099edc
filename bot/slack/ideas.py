"""Block Kit for Pitch, Prototype, Pilot."""

from __future__ import annotations

import datetime as dt
import json

from bot.models import Idea
from bot.services.ideas import LEARNED, MAX_ANSWER, MAX_TITLE, NEXT, QUESTIONS, Stage
from bot.slack.ids import Command, Field, IdeaAction, View
from bot.slack.text import MAX_MESSAGE_BLOCKS, clip, escape


def _plain(text: str) -> dict:
    return {"type": "plain_text", "text": clip(text, 150), "emoji": True}


def _section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(text, 3000)}}


def _context(text: str) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(text, 2000)}]}


def _button(text: str, action_id: str, value: str, style: str | None = None) -> dict:
    button = {"type": "button", "text": _plain(text), "action_id": action_id, "value": value}
    if style:
        button["style"] = style
    return button


def move_value(idea: Idea, to: Stage) -> str:
    return json.dumps({"i": idea.id, "from": idea.stage, "to": to.value}, separators=(",", ":"))


def read_move(value: str) -> tuple[int, Stage, Stage]:
    data = json.loads(value)
    return int(data["i"]), Stage(data["from"]), Stage(data["to"])


def _buttons(idea: Idea) -> list[dict]:
    stage = Stage(idea.stage)
    if stage.finished:
        return []
    following = NEXT[stage]
    return [
        {
            "type": "actions",
            "elements": [
                _button(
                    f"Move to {following.label}",
                    IdeaAction.ADVANCE,
                    move_value(idea, following),
                    "primary",
                ),
                _button("Park it", IdeaAction.PARK, move_value(idea, Stage.PARKED)),
            ],
        }
    ]


def pitch_modal(*, title: str = "", sponsor_id: str | None = None) -> dict:
    idea = {
        "type": "plain_text_input",
        "action_id": Field.VALUE,
        "multiline": True,
        "max_length": MAX_TITLE,
    }
    if title:
        idea["initial_value"] = title[:MAX_TITLE]
    sponsor = {"type": "users_select", "action_id": Field.VALUE}
    if sponsor_id:
        sponsor["initial_user"] = sponsor_id
    return {
        "type": "modal",
        "callback_id": View.PITCH,
        "title": _plain("Pitch an idea"),
        "submit": _plain("Pitch"),
        "close": _plain("Cancel"),
        "blocks": [
            _section("Pitch → Prototype → Pilot: start small, learn at every step."),
            {
                "type": "input",
                "block_id": Field.IDEA,
                "label": _plain(QUESTIONS[Stage.PITCH]),
                "element": idea,
            },
            {
                "type": "input",
                "block_id": Field.SPONSOR,
                "label": _plain("Who will sponsor it?"),
                "hint": _plain("Your manager, or someone who can help it along."),
                "element": sponsor,
            },
        ],
    }


def to_sponsor(idea: Idea) -> dict:
    text = (
        f"<@{idea.author_id}> pitched an idea and asked you to sponsor it: “{escape(idea.title)}”"
    )
    return {
        "text": text,
        "blocks": [
            _section(text),
            _context(f"Next: {QUESTIONS[Stage.PROTOTYPE]}"),
            *_buttons(idea),
        ],
    }


def pitched(idea: Idea) -> dict:
    text = f"Your idea is at *Pitch*, with <@{idea.sponsor_id}> as its sponsor. I've let them know."
    return {"response_type": "ephemeral", "text": text, "blocks": [_section(text), *_buttons(idea)]}


def stage_modal(idea: Idea, to: Stage) -> dict:
    answer = {
        "type": "plain_text_input",
        "action_id": Field.VALUE,
        "multiline": True,
        "max_length": MAX_ANSWER,
    }
    blocks = [
        _section(f"*{escape(idea.title)}*\n{Stage(idea.stage).label} → {to.label}"),
        {
            "type": "input",
            "block_id": Field.ANSWER,
            "label": _plain(QUESTIONS[to]),
            "element": answer,
        },
    ]
    if to.finished:
        blocks.append(
            {
                "type": "input",
                "block_id": Field.LEARNED,
                "label": _plain(LEARNED),
                "element": {**answer},
            }
        )
    return {
        "type": "modal",
        "callback_id": View.IDEA_STAGE,
        "title": _plain(f"{'Park' if to is Stage.PARKED else 'Move to ' + to.label}"[:24]),
        "submit": _plain("Save"),
        "close": _plain("Cancel"),
        "private_metadata": json.dumps({"i": idea.id, "from": idea.stage, "to": to.value}),
        "blocks": blocks,
    }


def moved(idea: Idea, *, by: str, answer: str, learned: str | None) -> dict:
    stage = Stage(idea.stage)
    verb = "parked" if stage is Stage.PARKED else f"moved to *{stage.label}*"
    text = f"<@{by}> {verb} “{escape(idea.title)}”."
    detail = f"*{QUESTIONS[stage]}*\n{escape(answer)}"
    if learned:
        detail += f"\n*{LEARNED}*\n{escape(learned)}"
    blocks = [_section(text), _section(detail)]
    if not stage.finished:
        blocks.append(_context(f"Next: {QUESTIONS[NEXT[stage]]}"))
    return {"text": text, "blocks": [*blocks, *_buttons(idea)]}


def _age(since: dt.datetime, now: dt.datetime) -> str:
    days = (now - since).days
    return "today" if days < 1 else f"{days} day{'s' if days != 1 else ''}"


def idea_list(mine: list[Idea], sponsored: list[Idea], now: dt.datetime) -> dict:
    """`/pitch list`: a person's ideas and the ideas they sponsor, with stage and age."""
    blocks: list[dict] = []
    for heading, ideas, who in (
        ("Your ideas", mine, "sponsor_id"),
        ("Ideas you sponsor", sponsored, "author_id"),
    ):
        if not ideas:
            continue
        blocks.append(_section(f"*{heading}*"))
        for idea in ideas[: (MAX_MESSAGE_BLOCKS - 4) // 2]:
            person = "sponsor" if who == "sponsor_id" else "by"
            blocks.append(
                _section(
                    f"*{escape(idea.title)}*\n{Stage(idea.stage).label} for "
                    f"{_age(idea.stage_changed_at, now)} · {person} <@{getattr(idea, who)}>"
                )
            )
    if not blocks:
        blocks.append(_section(f"No ideas yet. Pitch one: `{Command.PITCH} <your idea> @sponsor`"))
    return {
        "response_type": "ephemeral",
        "text": "Your ideas",
        "blocks": blocks[:MAX_MESSAGE_BLOCKS],
    }
