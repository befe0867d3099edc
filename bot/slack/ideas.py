"""Block Kit for Pitch, Prototype, Pilot."""

from __future__ import annotations

import datetime as dt
import json

from bot.models import Idea
from bot.services.ideas import LEARNED, MAX_ANSWER, MAX_TITLE, NEXT, QUESTIONS, Stage
from bot.slack.ids import Command, Field, IdeaAction, View
from bot.slack.kit import button, context, plain, section
from bot.slack.text import MAX_MESSAGE_BLOCKS, escape, mention


def move_value(idea: Idea, to: Stage) -> str:
    return json.dumps({"i": idea.id, "from": idea.stage, "to": to.value}, separators=(",", ":"))


def read_move(value: str) -> tuple[int, Stage, Stage]:
    data = json.loads(value)
    return int(data["i"]), Stage(data["from"]), Stage(data["to"])


def move_buttons(idea: Idea) -> list[dict]:
    """*Move to <next stage>* and *Park it*, or nothing once the idea is finished."""
    stage = Stage(idea.stage)
    if stage.finished:
        return []
    following = NEXT[stage]
    return [
        button(
            f"Move to {following.label}", IdeaAction.ADVANCE, move_value(idea, following), "primary"
        ),
        button("Park it", IdeaAction.PARK, move_value(idea, Stage.PARKED)),
    ]


def _buttons(idea: Idea) -> list[dict]:
    found = move_buttons(idea)
    return [{"type": "actions", "elements": found}] if found else []


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
        "title": plain("Pitch an idea"),
        "submit": plain("Pitch"),
        "close": plain("Cancel"),
        "blocks": [
            section("Pitch → Prototype → Pilot: start small, learn at every step."),
            {
                "type": "input",
                "block_id": Field.IDEA,
                "label": plain(QUESTIONS[Stage.PITCH]),
                "element": idea,
            },
            {
                "type": "input",
                "block_id": Field.SPONSOR,
                "label": plain("Who will sponsor it?"),
                "hint": plain("Your manager, or someone who can help it along."),
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
            section(text),
            context(f"Next: {QUESTIONS[Stage.PROTOTYPE]}"),
            *_buttons(idea),
        ],
    }


def pitched(idea: Idea) -> dict:
    text = f"Your idea is at *Pitch*, with <@{idea.sponsor_id}> as its sponsor. I've let them know."
    return {"response_type": "ephemeral", "text": text, "blocks": [section(text), *_buttons(idea)]}


def stage_modal(idea: Idea, to: Stage) -> dict:
    answer = {
        "type": "plain_text_input",
        "action_id": Field.VALUE,
        "multiline": True,
        "max_length": MAX_ANSWER,
    }
    blocks = [
        section(f"*{escape(idea.title)}*\n{Stage(idea.stage).label} → {to.label}"),
        {
            "type": "input",
            "block_id": Field.ANSWER,
            "label": plain(QUESTIONS[to]),
            "element": answer,
        },
    ]
    if to.finished:
        blocks.append(
            {
                "type": "input",
                "block_id": Field.LEARNED,
                "label": plain(LEARNED),
                "element": {**answer},
            }
        )
    return {
        "type": "modal",
        "callback_id": View.IDEA_STAGE,
        "title": plain(f"{'Park' if to is Stage.PARKED else 'Move to ' + to.label}"[:24]),
        "submit": plain("Save"),
        "close": plain("Cancel"),
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
    blocks = [section(text), section(detail)]
    if not stage.finished:
        blocks.append(context(f"Next: {QUESTIONS[NEXT[stage]]}"))
    return {"text": text, "blocks": [*blocks, *_buttons(idea)]}


def _at_stage(idea: Idea, now: dt.datetime) -> str:
    """Where the idea is and how long it has sat there: "At Pitch since today", "At Pilot for
    3 days" (a bare "Pitch for today" read like the idea's title)."""
    stage, days = Stage(idea.stage).label, (now - idea.stage_changed_at).days
    if days < 1:
        return f"At {stage} since today"
    return f"At {stage} for {days} day{'s' if days != 1 else ''}"


def idea_list(mine: list[Idea], sponsored: list[Idea], now: dt.datetime) -> dict:
    """`/pitch list`: a person's ideas and the ideas they sponsor, with stage and age."""
    blocks: list[dict] = []
    for heading, ideas, who in (
        ("Your ideas", mine, "sponsor_id"),
        ("Ideas you sponsor", sponsored, "author_id"),
    ):
        if not ideas:
            continue
        blocks.append(section(f"*{heading}*"))
        for idea in ideas[: (MAX_MESSAGE_BLOCKS - 4) // 2]:
            person = "sponsor" if who == "sponsor_id" else "by"
            blocks.append(
                section(
                    f"*{escape(idea.title)}*\n{_at_stage(idea, now)} · {person} "
                    f"{mention(getattr(idea, who), 'nobody now')}"
                )
            )
    if not blocks:
        blocks.append(
            section(f"No ideas yet. Pitch one: `{Command.PITCH} &lt;your idea&gt; @sponsor`")
        )
    return {
        "response_type": "ephemeral",
        "text": "Your ideas",
        "blocks": blocks[:MAX_MESSAGE_BLOCKS],
    }


def pitch_help() -> dict:
    """`/pitch help`: how an idea moves and who sees it, only to the asker."""
    text = (
        f"*{Command.PITCH}*: start an idea small, with a sponsor. Pitch → Prototype → Pilot, "
        "one question at each step.\n"
        f"• `{Command.PITCH} &lt;your idea&gt; @sponsor` records it at Pitch and *sends your "
        "sponsor a DM* with it; nobody else sees it.\n"
        f"• `{Command.PITCH}` alone opens the form.\n"
        f"• `{Command.PITCH} list` shows, only to you, your ideas and the ones you sponsor, with "
        "their stage.\n"
        "You or your sponsor move the idea on with *Move to …* (or *Park it*) on its message."
    )
    return {
        "response_type": "ephemeral",
        "text": f"{Command.PITCH} &lt;your idea&gt; @sponsor pitches an idea to a sponsor.",
        "blocks": [section(text)],
    }
