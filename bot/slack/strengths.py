"""Block Kit for spotting strengths."""

from __future__ import annotations

import json

from bot.services.strengths import MAX_NOTE, PROMPT, THEME_LABELS, Theme
from bot.slack.ids import Command, Field, SpotAction, View
from bot.slack.kit import button, context, plain, section
from bot.slack.text import escape

EXAMPLE = (
    "I see you at your best when you slow a heated meeting down: today you asked each side "
    "to say what they needed, and we left with a plan."
)


def draft(receiver_id: str, note: str) -> str:
    return json.dumps({"r": receiver_id, "n": note[:MAX_NOTE]}, separators=(",", ":"))


def read_draft(value: str) -> tuple[str, str]:
    data = json.loads(value)
    return str(data["r"]), str(data["n"])


def _theme_option(theme: Theme) -> dict:
    return {"text": plain(THEME_LABELS[theme]), "value": theme.value}


def spot_modal(
    *, receiver_id: str | None = None, note: str = "", suggestion: str | None = None
) -> dict:
    """The form for when typing a /spot is awkward; `suggestion` nudges toward specifics."""
    blocks = [
        section(f"*{PROMPT}*\nSay what they did and why it mattered, so they can do it again.")
    ]
    if suggestion:
        blocks.append(context(suggestion))
    person = {"type": "users_select", "action_id": Field.VALUE}
    if receiver_id:
        person["initial_user"] = receiver_id
    note_input = {
        "type": "plain_text_input",
        "action_id": Field.VALUE,
        "multiline": True,
        "max_length": MAX_NOTE,
        "placeholder": plain(PROMPT),
    }
    if note:
        note_input["initial_value"] = note
    blocks += [
        {
            "type": "input",
            "block_id": Field.PERSON,
            "label": plain("Who did you see at their best?"),
            "element": person,
        },
        {
            "type": "input",
            "block_id": Field.NOTE,
            "label": plain("What you saw"),
            "element": note_input,
        },
        {
            "type": "input",
            "block_id": Field.THEME,
            "optional": True,
            "label": plain("Theme"),
            "hint": plain("Leave empty and inflow suggests one from your words."),
            "element": {
                "type": "static_select",
                "action_id": Field.VALUE,
                "options": [_theme_option(t) for t in Theme],
            },
        },
        {
            "type": "input",
            "block_id": Field.CHANNEL,
            "optional": True,
            "label": plain("Also post it in a channel?"),
            "element": {
                "type": "conversations_select",
                "action_id": Field.VALUE,
                "filter": {"include": ["public", "private"], "exclude_bot_users": True},
            },
        },
    ]
    return {
        "type": "modal",
        "callback_id": View.SPOT,
        "title": plain("Spot a strength"),
        "submit": plain("Send"),
        "close": plain("Cancel"),
        "private_metadata": json.dumps({"warned": bool(suggestion)}),
        "blocks": blocks,
    }


VAGUE_HINT = (
    "Could you say a little more about what they did? A specific moment tells them what to do "
    f"again. For example: “{EXAMPLE}”"
)


def vague_note(receiver_id: str, note: str) -> dict:
    """A gentle suggestion before a too-short or generic note is sent."""
    value = draft(receiver_id, note)
    return {
        "response_type": "ephemeral",
        "text": VAGUE_HINT,
        "blocks": [
            section(VAGUE_HINT),
            {
                "type": "actions",
                "elements": [
                    button("Write more in a form", SpotAction.OPEN_FORM, value, "primary"),
                    button("Send it as it is", SpotAction.SEND_ANYWAY, value),
                ],
            },
        ],
    }


def to_receiver(*, giver_id: str, note: str, theme: Theme) -> dict:
    """The DM the person receives."""
    text = f"<@{giver_id}> spotted you at your best: “{escape(note)}”"
    return {
        "text": text,
        "blocks": [
            section(text),
            context(f"Theme: {THEME_LABELS[theme]}"),
            context(f"Pass it on: `{Command.SPOT} @someone {PROMPT}`"),
        ],
    }


def sent(*, receiver_id: str, strength_id: int, can_post: bool) -> dict:
    """The giver's private confirmation, with the choice to post it where they are."""
    text = f"Sent to <@{receiver_id}>. It's kept on their Home tab."
    blocks = [section(text)]
    if can_post:
        blocks.append(
            {
                "type": "actions",
                "elements": [button("Also post it here", SpotAction.POST_HERE, str(strength_id))],
            }
        )
    return {"response_type": "ephemeral", "text": text, "blocks": blocks}


def already_sent(*, receiver_id: str) -> dict:
    """A second click on *Send it as it is*: the note went once."""
    return {"response_type": "ephemeral", "text": f"It's already sent to <@{receiver_id}>."}


def in_channel(*, giver_id: str, receiver_id: str, note: str) -> dict:
    text = f"<@{giver_id}> spotted <@{receiver_id}> at their best: “{escape(note)}”"
    return {"text": text, "blocks": [section(text)]}


def spot_help() -> dict:
    text = f"Try `{Command.SPOT} @name {PROMPT}`, or run `{Command.SPOT}` alone for a form."
    return {"response_type": "ephemeral", "text": text}
