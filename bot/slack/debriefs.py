"""Block Kit for debriefs."""

from __future__ import annotations

import json

from bot.models import Debrief, DebriefAnswer
from bot.services.debriefs import MAX_ANSWER, QUESTIONS, RHYTHMS, Cadence
from bot.slack.guide_sources import turn_into_guide
from bot.slack.ids import Command, DebriefAction, Field, GuideSourceAction, View
from bot.slack.kit import context, plain, section
from bot.slack.text import MAX_MESSAGE_BLOCKS, escape, mention


def invitation(debrief: Debrief, answered: int = 0) -> dict:
    """The channel message that opens a debrief."""
    text = f"{mention(debrief.started_by, 'Someone')} started a debrief: *{escape(debrief.topic)}*"
    questions = " · ".join(q for _, q in QUESTIONS)
    value = str(debrief.id)
    count = (
        "Nobody has answered yet."
        if not answered
        else f"{answered} {'person has' if answered == 1 else 'people have'} answered."
    )
    return {
        "text": text,
        "blocks": [
            section(f"{text}\nTwo minutes each, then one summary in the thread."),
            context(questions),
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": plain("Add my view"),
                        "action_id": DebriefAction.ANSWER,
                        "value": value,
                        "style": "primary",
                    },
                    {
                        "type": "button",
                        "text": plain("Post the summary"),
                        "action_id": DebriefAction.SUMMARY,
                        "value": value,
                    },
                ],
            },
            context(count),
        ],
    }


def answer_modal(debrief: Debrief) -> dict:
    blocks = [
        section(
            f"*{escape(debrief.topic)}*\nAnswer what you can; the summary lists points, not names."
        )
    ]
    for column, question in QUESTIONS:
        blocks.append(
            {
                "type": "input",
                "block_id": column,
                "optional": True,
                "label": plain(question),
                "element": {
                    "type": "plain_text_input",
                    "action_id": Field.VALUE,
                    "multiline": True,
                    "max_length": MAX_ANSWER,
                },
            }
        )
    return {
        "type": "modal",
        "callback_id": View.DEBRIEF,
        "title": plain("Debrief"),
        "submit": plain("Add my view"),
        "close": plain("Cancel"),
        "private_metadata": json.dumps({"d": debrief.id, "c": debrief.channel_id}),
        "blocks": blocks,
    }


def summary(debrief: Debrief, answers: list[DebriefAnswer]) -> dict:
    """Everyone's points under each question, without names (a debrief is about the work)."""
    views = f"{len(answers)} {'view' if len(answers) == 1 else 'views'}"
    text = f"Debrief summary: {escape(debrief.topic)} ({views})"
    blocks = [section(f"*Debrief summary: {escape(debrief.topic)}*\nFrom {views}.")]
    for column, question in QUESTIONS:
        points = [getattr(a, column) for a in answers if getattr(a, column)]
        if points:
            lines = "\n".join("• " + escape(" ".join(p.split())) for p in points)
            blocks.append(section(f"*{question}*\n{lines}"))
    blocks += turn_into_guide(GuideSourceAction.FROM_DEBRIEF, str(debrief.id))
    blocks.append(context(f"Make it a habit: `{Command.DEBRIEF} every 2 weeks`"))
    return {"text": text, "blocks": blocks[:MAX_MESSAGE_BLOCKS]}


def schedule_set(cadence: Cadence | None) -> dict:
    if cadence is None:
        text = "Recurring debriefs are off for this channel."
    else:
        text = (
            f"I'll remind this channel to debrief {cadence.words}. "
            f"`{Command.DEBRIEF} off` stops it."
        )
    return {"response_type": "ephemeral", "text": text}


def debrief_help(rhythm: Cadence | None) -> dict:
    """`/debrief help`: what it does, who sees what, and the channel's rhythm, to the asker."""
    now = f"This channel debriefs {rhythm.words}." if rhythm else "This channel has no rhythm set."
    text = (
        f"*{Command.DEBRIEF}*: an after-action review with this channel.\n"
        f"• `{Command.DEBRIEF} &lt;topic&gt;` posts an invitation *in this channel, for everyone "
        "here*. "
        "Each person answers four questions in a private form; *Post the summary* puts their "
        "points, without names, in the thread.\n"
        f"• `{Command.DEBRIEF} every 2 weeks` reminds the channel on a rhythm: {RHYTHMS}."
    )
    return {
        "response_type": "ephemeral",
        "text": f"{Command.DEBRIEF} &lt;topic&gt; starts a debrief in this channel. {now}",
        "blocks": [section(text), context(now)],
    }
