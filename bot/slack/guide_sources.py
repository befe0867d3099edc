"""Block Kit for turning work into guides: the buttons on a debrief's summary, a shared lesson
and the report, and what they carry (handlers/guide_sources)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from bot.slack.ids import GuideSourceAction
from bot.slack.kit import button, context
from bot.slack.text import MAX_BUTTON_TEXT, clip

TURN_INTO_GUIDE = "Turn into a guide"
FOR_OWNERS = "*Turn into a guide* opens a guide form filled from this, for the library's owners."
QUESTION_KEPT = 200  # characters of a question a button carries


def turn_into_guide(action: GuideSourceAction, value: str) -> list[dict]:
    """The button under a summary or a lesson anyone in the channel sees; only the library's
    owners get a form from it (the others are told why)."""
    return [
        {"type": "actions", "elements": [button(TURN_INTO_GUIDE, action, value)]},
        context(FOR_OWNERS),
    ]


def question_value(asked: str, others: Sequence[str] = (), chose: str | None = None) -> str:
    """What a report's *Write a guide* button carries: the question, other ways people put it,
    and the guide they chose instead (if any)."""
    data: dict = {"q": asked[:QUESTION_KEPT], "o": [o[:QUESTION_KEPT] for o in others[:3]]}
    if chose:
        data["c"] = chose[:QUESTION_KEPT]
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def read_question_value(value: str) -> tuple[str, list[str], str | None]:
    """A *Write a guide* button's value back ("" for the question when it holds none)."""
    try:
        data = json.loads(value)
        others = [str(o)[:QUESTION_KEPT] for o in data.get("o") or []][:3]
        chose = str(data["c"])[:QUESTION_KEPT] if data.get("c") else None
        return str(data["q"])[:QUESTION_KEPT], others, chose
    except (ValueError, KeyError, TypeError, AttributeError):
        return "", [], None


def write_guide_buttons(
    action: GuideSourceAction, questions: Sequence[tuple[str, Sequence[str], str | None]]
) -> list[dict]:
    """One *Write a guide* button per question (what was asked, its other wordings, the guide
    chosen instead), as an actions block; nothing when there is no question."""
    elements = [
        button(
            clip(f"Write a guide: “{asked}”", MAX_BUTTON_TEXT),
            f"{action}:{position}",
            question_value(asked, others, chose),
        )
        for position, (asked, others, chose) in enumerate(questions)
        if asked.strip()
    ]
    return [{"type": "actions", "elements": elements[:25]}] if elements else []
