"""mrkdwn escaping, Block Kit length limits and what typed text may hold, in one place."""

from __future__ import annotations

import re
from typing import Any

# Block Kit limits (https://docs.slack.dev/reference/block-kit)
MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_SECTION_TEXT = 3000
MAX_HEADER_TEXT = 150
MAX_BUTTON_TEXT = 75
MAX_CONTEXT_TEXT = 2000
MAX_MODAL_TITLE = 24
MAX_FALLBACK_TEXT = 4000

_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_UNESCAPES = {value: key for key, value in _ESCAPES.items()}


# A typed "@here" in mrkdwn that is not `verbatim` may be read by Slack as the mention itself;
# an invisible word joiner after the @ keeps the word as it looks and makes it no mention at all.
_TYPED_MASS_MENTION = re.compile(r"(?<!\w)@(?=(?:channel|here|everyone)\b)", re.IGNORECASE)
WORD_JOINER = "\u2060"


def escape(text: str) -> str:
    """Escape what a person typed so Slack shows it literally: no @channel, no fake mentions."""
    text = re.sub(r"[&<>]", lambda m: _ESCAPES[m.group()], text)
    return _TYPED_MASS_MENTION.sub("@" + WORD_JOINER, text)


def unescape(text: str) -> str:
    """Undo Slack's own escaping of `&`, `<`, `>` in text it delivers to us."""
    return re.sub(r"&(amp|lt|gt);", lambda m: _UNESCAPES[m.group()], text)


# What a person can type (or paste) that inflow never keeps: control characters other than tab
# and newline (PostgreSQL refuses NUL in text; the rest are invisible in Slack, and an escape
# sequence rewrites the terminal of whoever reads a log), and halves of UTF-16 pairs, which no
# UTF-8 database can store.
_UNKEPT = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")


def keepable(value: Any) -> Any:
    """`value`, a request's body (dicts, lists, strings), with those characters cut from every
    string in it. inflow calls it once, on every request before any listener sees it
    (bot.app.InflowApp.dispatch), so nothing a person typed reaches a query, a row or a log
    with them."""
    if isinstance(value, str):
        return _UNKEPT.sub("", value)
    if isinstance(value, dict):
        return {key: keepable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [keepable(item) for item in value]
    return value


_USER_ID = re.compile(r"[UW][A-Z0-9]+")


def mention(user_id: str | None, nobody: str = "someone") -> str:
    """`<@U…>` for a person; `nobody` for a forgotten one (see bot.services.privacy)."""
    return f"<@{user_id}>" if user_id and _USER_ID.fullmatch(user_id) else nobody


def clip(text: str, limit: int) -> str:
    """Cut text to at most `limit` characters, ending with an ellipsis when it was cut."""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"
