"""Block Kit for mistake moments: the modal, the ask, the answers, the chat, the lesson."""

from __future__ import annotations

import json

from bot.services.mistakes import MAX_LESSON, MAX_WHAT_HAPPENED, MomentWhen
from bot.slack.ids import Action, Field, MomentAction, View
from bot.slack.text import clip, escape

GUIDE_ID = "mistake-moments"
QUESTIONS = ("What happened?", "What do we learn from it?", "What will we do differently?")


def _section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(text, 3000)}}


def _context(text: str) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(text, 2000)}]}


def _plain(text: str) -> dict:
    return {"type": "plain_text", "text": text, "emoji": True}


def _button(text: str, action_id: str, value: str, style: str | None = None) -> dict:
    button = {"type": "button", "text": _plain(text), "action_id": action_id, "value": value}
    if style:
        button["style"] = style
    return button


def _quote(text: str) -> str:
    return "\n".join("> " + line for line in escape(text).splitlines() if line.strip())


def moment_modal(*, quoted: str | None = None, metadata: dict | None = None) -> dict:
    """The form behind both shortcuts."""
    blocks = []
    if quoted:
        blocks.append(_context("About this message:\n" + _quote(clip(quoted, 500))))
    when_options = [{"text": _plain(w.words.capitalize()), "value": w.value} for w in MomentWhen]
    blocks += [
        _section(
            "A mistake moment is a short, kind chat about something that went wrong, so you "
            "both learn from it. Only you and the colleague you choose will see what you write."
        ),
        {
            "type": "input",
            "block_id": Field.WHAT_HAPPENED,
            "optional": True,
            "label": _plain("What happened?"),
            "hint": _plain("Optional, and private to you and the person you ask."),
            "element": {
                "type": "plain_text_input",
                "action_id": Field.VALUE,
                "multiline": True,
                "max_length": MAX_WHAT_HAPPENED,
            },
        },
        {
            "type": "input",
            "block_id": Field.COLLEAGUE,
            "optional": True,
            "label": _plain("Who would you like to talk it through with?"),
            "hint": _plain("Leave empty to reflect on your own."),
            "element": {"type": "users_select", "action_id": Field.VALUE},
        },
        {
            "type": "input",
            "block_id": Field.WHEN,
            "label": _plain("When?"),
            "element": {
                "type": "radio_buttons",
                "action_id": Field.VALUE,
                "options": when_options,
                "initial_option": when_options[0],
            },
        },
    ]
    return {
        "type": "modal",
        "callback_id": View.MISTAKE_MOMENT,
        "title": _plain("Mistake moment"),
        "submit": _plain("Ask"),
        "close": _plain("Cancel"),
        "private_metadata": json.dumps(metadata or {}),
        "blocks": blocks,
    }


def ask_colleague(
    *, moment_id: int, author_id: str, when: MomentWhen, what_happened: str | None
) -> dict:
    """The DM to the chosen colleague, in the seed's words."""
    value = str(moment_id)
    ask = f"<@{author_id}> has had a mistake moment. Do you have five minutes to talk about it?"
    blocks = [_section(ask), _context(f"They'd like to talk {when.words}.")]
    if what_happened:
        blocks.append(_section("*What happened, in their words:*\n" + _quote(what_happened)))
    blocks += [
        {
            "type": "actions",
            "elements": [
                _button("Yes, let's talk", MomentAction.YES, value, "primary"),
                _button("Later today", MomentAction.LATER, value),
                _button("Can't this time", MomentAction.NO, value),
            ],
        },
        _context("Five kind minutes: what happened, what we learn, what we'll do differently."),
    ]
    return {"text": ask, "blocks": blocks}


def colleague_answered(*, author_id: str, answer_words: str) -> dict:
    """What the colleague's DM becomes once they have answered (the buttons go)."""
    text = f"<@{author_id}> had a mistake moment. {answer_words}"
    return {"text": text, "blocks": [_section(text)]}


def chat_opening(*, moment_id: int, author_id: str, colleague_id: str) -> dict:
    """The first message in the group DM: three questions and the guide."""
    questions = "\n".join(f"{n}. {q}" for n, q in enumerate(QUESTIONS, 1))
    text = f"<@{author_id}> and <@{colleague_id}>: five minutes on a mistake moment."
    return {
        "text": text,
        "blocks": [
            _section(f"{text}\nThree questions to guide you:\n{questions}"),
            {
                "type": "actions",
                "elements": [
                    _button("Open the guide", f"{Action.OPEN_GUIDE}:0", GUIDE_ID),
                    _button("Write down the lesson", MomentAction.WRITE_LESSON, str(moment_id)),
                ],
            },
            _context("Only the two of you are in this conversation."),
        ],
    }


def author_notice(
    text: str, *, moment_id: int | None = None, ask_again: bool = False, lesson: bool = False
) -> dict:
    """A DM to the author about their moment."""
    blocks = [_section(text)]
    buttons = []
    if ask_again:
        buttons.append(_button("Ask someone else", MomentAction.ASK_AGAIN, str(moment_id)))
    if lesson:
        buttons.append(_button("Write down the lesson", MomentAction.WRITE_LESSON, str(moment_id)))
        buttons.append(_button("Open the guide", f"{Action.OPEN_GUIDE}:0", GUIDE_ID))
    if buttons:
        blocks.append({"type": "actions", "elements": buttons})
    return {"text": text, "blocks": blocks}


def lesson_modal(*, moment_id: int, learning_channel: str | None) -> dict:
    """Write the lesson in a line or two; share it without a name only if the author chooses."""
    blocks = [
        _section("What did you learn? A line or two is enough. It's yours: only you see it."),
        {
            "type": "input",
            "block_id": Field.LESSON,
            "label": _plain("The lesson"),
            "element": {
                "type": "plain_text_input",
                "action_id": Field.VALUE,
                "multiline": True,
                "max_length": MAX_LESSON,
            },
        },
    ]
    if learning_channel:
        blocks.append(
            {
                "type": "input",
                "block_id": Field.SHARE_LESSON,
                "optional": True,
                "label": _plain("Share it?"),
                "element": {
                    "type": "checkboxes",
                    "action_id": Field.VALUE,
                    "options": [
                        {
                            "text": {
                                "type": "mrkdwn",
                                "text": f"Share it in <#{learning_channel}> without my name",
                            },
                            "value": "share",
                        }
                    ],
                },
            }
        )
    return {
        "type": "modal",
        "callback_id": View.LESSON,
        "title": _plain("The lesson"),
        "submit": _plain("Save"),
        "close": _plain("Not now"),
        "private_metadata": json.dumps({"moment": moment_id}),
        "blocks": blocks,
    }


def shared_lesson(lesson: str) -> dict:
    """A lesson posted to the learning channel: no name, the author's words escaped."""
    text = "A lesson from a mistake moment, shared anonymously:"
    return {"text": text, "blocks": [_section(f"{text}\n{_quote(lesson)}")]}
