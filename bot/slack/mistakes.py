"""Block Kit for mistake moments: the modal, the ask, the answers, the chat, the lesson."""

from __future__ import annotations

import json

from bot.services.mistakes import MAX_LESSON, MAX_WHAT_HAPPENED, MomentWhen
from bot.slack.guide_sources import turn_into_guide
from bot.slack.ids import Action, Field, GuideSourceAction, MomentAction, View
from bot.slack.kit import button, context, plain, section
from bot.slack.text import clip, escape

GUIDE_ID = "mistake-moments"
QUESTIONS = ("What happened?", "What do we learn from it?", "What will we do differently?")


def _quote(text: str) -> str:
    return "\n".join("> " + line for line in escape(text).splitlines() if line.strip())


def moment_modal(
    *, quoted: str | None = None, metadata: dict | None = None, suggested: str | None = None
) -> dict:
    """The form behind both shortcuts."""
    blocks = []
    if quoted:
        blocks.append(context("About this message:\n" + _quote(clip(quoted, 500))))
    when_options = [{"text": plain(w.words.capitalize()), "value": w.value} for w in MomentWhen]
    blocks += [
        section(
            "A mistake moment is a short, kind chat about something that went wrong, so you "
            "both learn from it. Only you and the colleague you choose will see what you write."
        ),
        {
            "type": "input",
            "block_id": Field.WHAT_HAPPENED,
            "optional": True,
            "label": plain("What happened?"),
            "hint": plain("Optional, and private to you and the person you ask."),
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
            "label": plain("Who would you like to talk it through with?"),
            "hint": plain(
                "Your manager is suggested; pick anyone, or leave it empty to reflect on your own."
                if suggested
                else "Leave empty to reflect on your own."
            ),
            "element": {
                "type": "users_select",
                "action_id": Field.VALUE,
                **({"initial_user": suggested} if suggested else {}),
            },
        },
        {
            "type": "input",
            "block_id": Field.WHEN,
            "label": plain("When?"),
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
        "title": plain("Mistake moment"),
        "submit": plain("Ask"),
        "close": plain("Cancel"),
        "private_metadata": json.dumps(metadata or {}),
        "blocks": blocks,
    }


def ask_colleague(
    *, moment_id: int, author_id: str, when: MomentWhen, what_happened: str | None
) -> dict:
    """The DM to the chosen colleague, in the seed's words."""
    value = str(moment_id)
    ask = f"<@{author_id}> has had a mistake moment. Do you have five minutes to talk about it?"
    blocks = [section(ask), context(f"They'd like to talk {when.words}.")]
    if what_happened:
        blocks.append(section("*What happened, in their words:*\n" + _quote(what_happened)))
    blocks += [
        {
            "type": "actions",
            "elements": [
                button("Yes, let's talk", MomentAction.YES, value, "primary"),
                button("Later today", MomentAction.LATER, value),
                button("Can't this time", MomentAction.NO, value),
            ],
        },
        context("Five kind minutes: what happened, what we learn, what we'll do differently."),
    ]
    return {"text": ask, "blocks": blocks}


def colleague_answered(*, author_id: str, answer_words: str) -> dict:
    """What the colleague's DM becomes once they have answered (the buttons go)."""
    text = f"<@{author_id}> had a mistake moment. {answer_words}"
    return {"text": text, "blocks": [section(text)]}


def chat_opening(*, moment_id: int, author_id: str, colleague_id: str) -> dict:
    """The first message in the group DM: three questions and the guide."""
    questions = "\n".join(f"{n}. {q}" for n, q in enumerate(QUESTIONS, 1))
    text = f"<@{author_id}> and <@{colleague_id}>: five minutes on a mistake moment."
    return {
        "text": text,
        "blocks": [
            section(f"{text}\nThree questions to guide you:\n{questions}"),
            {
                "type": "actions",
                "elements": [
                    button("Open the guide", f"{Action.OPEN_GUIDE}:0", GUIDE_ID),
                    button("Write down the lesson", MomentAction.WRITE_LESSON, str(moment_id)),
                ],
            },
            context("Only the two of you are in this conversation."),
        ],
    }


def author_notice(
    text: str, *, moment_id: int | None = None, ask_again: bool = False, lesson: bool = False
) -> dict:
    """A DM to the author about their moment."""
    blocks = [section(text)]
    buttons = []
    if ask_again:
        buttons.append(button("Ask someone else", MomentAction.ASK_AGAIN, str(moment_id)))
    if lesson:
        buttons.append(button("Write down the lesson", MomentAction.WRITE_LESSON, str(moment_id)))
        buttons.append(button("Open the guide", f"{Action.OPEN_GUIDE}:0", GUIDE_ID))
    if buttons:
        blocks.append({"type": "actions", "elements": buttons})
    return {"text": text, "blocks": blocks}


def lesson_modal(*, moment_id: int, learning_channel: str | None) -> dict:
    """Write the lesson in a line or two; share it without a name only if the author chooses."""
    blocks = [
        section("What did you learn? A line or two is enough. It's yours: only you see it."),
        {
            "type": "input",
            "block_id": Field.LESSON,
            "label": plain("The lesson"),
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
                "label": plain("Share it?"),
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
        "title": plain("The lesson"),
        "submit": plain("Save"),
        "close": plain("Not now"),
        "private_metadata": json.dumps({"moment": moment_id}),
        "blocks": blocks,
    }


def shared_lesson(lesson: str, moment_id: int | None = None) -> dict:
    """A lesson posted to the learning channel: no name, the author's words escaped; with the
    moment's id, *Turn into a guide* for the library's owners."""
    text = "A lesson from a mistake moment, shared anonymously:"
    blocks = [section(f"{text}\n{_quote(lesson)}")]
    if moment_id is not None:
        blocks += turn_into_guide(GuideSourceAction.FROM_LESSON, str(moment_id))
    return {"text": text, "blocks": blocks}
