"""The small Block Kit pieces every builder uses, each bounded by Slack's limits."""

from __future__ import annotations

from bot.slack.text import (
    MAX_BUTTON_TEXT,
    MAX_CONTEXT_TEXT,
    MAX_HEADER_TEXT,
    MAX_SECTION_TEXT,
    clip,
)


def plain(text: str, limit: int = MAX_HEADER_TEXT) -> dict:
    return {"type": "plain_text", "text": clip(text, limit), "emoji": True}


def section(text: str, **extra) -> dict:
    return {
        "type": "section",
        "text": {"type": "mrkdwn", "text": clip(text, MAX_SECTION_TEXT)},
        **extra,
    }


def context(text: str) -> dict:
    return {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": clip(text, MAX_CONTEXT_TEXT)}],
    }


def header(text: str) -> dict:
    return {"type": "header", "text": plain(text)}


def button(text: str, action_id: str, value: str, style: str | None = None) -> dict:
    element = {
        "type": "button",
        "text": plain(text, MAX_BUTTON_TEXT),
        "action_id": action_id,
        "value": value[:2000],
    }
    if style:
        element["style"] = style
    return element
