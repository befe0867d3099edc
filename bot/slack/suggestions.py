"""Block Kit for quiet offers in channels: ephemeral, to the poster only, easy to silence."""

from __future__ import annotations

import json

from bot.library.suggest import Suggestion
from bot.slack.ids import Command, SuggestAction
from bot.slack.kit import button, context, section
from bot.slack.text import escape


def offer_value(offer_id: int, guide_id: str) -> str:
    return json.dumps({"o": offer_id, "g": guide_id}, separators=(",", ":"))


def read_offer(value: str) -> tuple[int, str]:
    data = json.loads(value)
    return int(data["o"]), str(data["g"])


def offer(suggestion: Suggestion, offer_id: int) -> dict:
    """The offer: which guide, why, and one tap to open, dismiss or stop."""
    guide = suggestion.guide
    value = offer_value(offer_id, guide.id)
    return {
        "text": f"A guide that might help: {escape(guide.title)}",
        "blocks": [
            section(
                f"A guide that might help: *{escape(guide.title)}*\n{escape(suggestion.reason)}"
            ),
            {
                "type": "actions",
                "elements": [
                    button("Open", SuggestAction.OPEN, value, "primary"),
                    button("Not now", SuggestAction.NOT_NOW, value),
                    button("Stop suggesting to me", SuggestAction.STOP_ME, value),
                    button("Stop in this channel", SuggestAction.STOP_CHANNEL, value),
                ],
            },
            context("Only you can see this. inflow offers at most one guide a day."),
        ],
    }


STOPPED_FOR_YOU = (
    f"Okay: no more suggestions for you. `{Command.LEARN} suggestions on` brings them back."
)
STOPPED_HERE = (
    "Okay: no more suggestions in this channel, for anyone. "
    f"`{Command.LEARN} suggestions on here` brings them back."
)
NOT_A_CHANNEL_MANAGER = (
    "Only the channel's creator or a workspace admin can stop suggestions for everyone here. "
    "You can stop them for yourself."
)
RESUMED_FOR_YOU = "Suggestions are on for you again: at most one guide a day, only to you."
RESUMED_HERE = "Suggestions are on in this channel again."
OFF_IN_WORKSPACE = (
    "They are off for this whole workspace for now, though: its inflow admins turned them off."
)
