"""Block Kit for the library: a guide, its buttons, lists of guides, and honest misses."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from bot.library.schema import CATEGORY_LABELS, Category, Guide
from bot.slack.ids import Action, Block, Command
from bot.slack.kit import button, context, section
from bot.slack.text import (
    MAX_HEADER_TEXT,
    MAX_MESSAGE_BLOCKS,
    MAX_SECTION_TEXT,
    clip,
    escape,
)

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC_STAR = re.compile(r"(?<![*\w])\*(?!\s)(.+?)(?<!\s)\*(?![*\w])")
_NUMBERED = re.compile(r"^(\d+)\.\s+")


def markdown_sections(markdown: str) -> list[str]:
    """A guide's Markdown body as mrkdwn sections, one per `##` heading, escaped and bounded."""
    sections: list[list[str]] = [[]]
    for line in markdown.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            if any(part.strip() for part in sections[-1]):
                sections.append([])
            sections[-1].append(f"*{_inline(stripped.lstrip('#').strip())}*")
            continue
        if stripped.startswith(("- ", "* ")):
            sections[-1].append("• " + _inline(stripped[2:]))
        elif _NUMBERED.match(stripped):
            sections[-1].append(_NUMBERED.sub(r"\1. ", _inline(stripped)))
        elif stripped.startswith(">"):
            sections[-1].append("> " + _inline(stripped.lstrip("> ")))
        else:
            sections[-1].append(_inline(stripped))
    texts = ["\n".join(lines).strip() for lines in sections]
    texts = [re.sub(r"\n{3,}", "\n\n", t) for t in texts if t]
    return [clip(t, MAX_SECTION_TEXT) for t in texts]


def _inline(text: str) -> str:
    text = escape(text)
    text = _BOLD.sub(lambda m: "\x00" + m.group(1) + "\x00", text)
    text = _ITALIC_STAR.sub(r"_\1_", text)
    return text.replace("\x00", "*")


def describe(guide: Guide) -> str:
    meta = guide.meta
    return f"{meta.kind.value.capitalize()} · {meta.minutes} min · {meta.category.label}"


def guide_blocks(guide: Guide) -> list[dict]:
    """The guide itself: title, what kind, the one-line summary and the body."""
    blocks = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": clip(guide.title, MAX_HEADER_TEXT)},
        },
        context(describe(guide)),
        section(f"_{escape(guide.meta.summary)}_"),
        {"type": "divider"},
    ]
    blocks.extend(section(text) for text in markdown_sections(guide.body))
    return blocks[: MAX_MESSAGE_BLOCKS - 3]


def state(guide_id: str, others: Sequence[str] = ()) -> str:
    """What a guide's buttons carry, so any button can rebuild the answer it belongs to."""
    return json.dumps({"g": guide_id, "o": list(others)[:2]}, separators=(",", ":"))


def read_state(value: str) -> tuple[str, list[str]]:
    try:
        data = json.loads(value)
        return str(data["g"]), [str(o) for o in data.get("o", [])][:2]
    except (ValueError, KeyError, TypeError):
        return value, []


def guide_answer(guide: Guide, others: Sequence[Guide] = (), *, rated: bool | None = None) -> dict:
    """The private answer to `/learn <words>`: the guide, and what the person can do with it."""
    value = state(guide.id, [g.id for g in others])
    buttons = [button("Share in channel", Action.SHARE_GUIDE, value, "primary")]
    if others:
        buttons.append(button("Other matches", Action.OTHER_MATCHES, value))
    footer = []
    if rated is None:
        buttons.append(button("Helpful", Action.HELPFUL, value))
        buttons.append(button("Not helpful", Action.NOT_HELPFUL, value))
    else:
        footer.append(
            context(
                "Thanks: noted that this helped."
                if rated
                else "Thanks: noted that this didn't help. The library's owners will see it."
            )
        )
    blocks = [
        *guide_blocks(guide),
        {"type": "actions", "block_id": Block.GUIDE_ACTIONS, "elements": buttons},
        *footer,
    ]
    return {
        "response_type": "ephemeral",
        "text": f"{escape(guide.title)}: {escape(guide.meta.summary)}",
        "blocks": blocks,
    }


def shared_guide(guide: Guide, *, shared_by: str, helpful_emoji: str, unhelpful_emoji: str) -> dict:
    """The public message when someone shares a guide; reactions on it rate the guide."""
    return {
        "text": f"<@{shared_by}> shared {escape(guide.title)}",
        "blocks": [
            context(f"Shared by <@{shared_by}> with `{Command.LEARN}`"),
            *guide_blocks(guide),
            context(f"Did this help? React :{helpful_emoji}: or :{unhelpful_emoji}:"),
        ],
    }


def guide_list(title: str, guides: Sequence[Guide], *, intro: str | None = None) -> dict:
    """Guides as a short list, each with an Open button."""
    blocks = [section(f"*{escape(title)}*")]
    if intro:
        blocks.append(context(intro))
    room = MAX_MESSAGE_BLOCKS - len(blocks)
    for position, guide in enumerate(guides[:room]):
        blocks.append(
            section(
                f"*{escape(guide.title)}*\n{escape(guide.meta.summary)}\n_{describe(guide)}_",
                accessory=button("Open", f"{Action.OPEN_GUIDE}:{position}", guide.id),
            )
        )
    return {
        "response_type": "ephemeral",
        "replace_original": False,
        "text": title,
        "blocks": blocks,
    }


def categories_menu(counts: dict[Category, int]) -> dict:
    """`/learn` alone or `/learn browse`: pick an area of the library."""
    options = [
        {
            "text": {"type": "plain_text", "text": f"{CATEGORY_LABELS[c]} ({n})"},
            "value": c.value,
        }
        for c, n in counts.items()
        if n
    ]
    return {
        "response_type": "ephemeral",
        "text": "Browse the library",
        "blocks": [
            section(
                "*Browse the library*\nPick an area, or type what you need: "
                f"`{Command.LEARN} how do I give feedback`",
                block_id=Block.BROWSE,
                accessory={
                    "type": "static_select",
                    "action_id": Action.BROWSE_CATEGORY,
                    "placeholder": {"type": "plain_text", "text": "Choose an area"},
                    "options": options,
                },
            )
        ],
    }


def nothing_found(query: str, categories: Sequence[Category]) -> dict:
    """Say plainly that nothing fits, offer the closest areas, and say the gap was noted."""
    shown = escape(clip(" ".join(query.split()), 150)) or "that"
    blocks = [
        section(
            f"I don't have a guide for “{shown}” yet. I've noted it for the people who look "
            "after the library, so it may be there next time."
        )
    ]
    if categories:
        blocks.append(context("The closest areas of the library:"))
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    button(CATEGORY_LABELS[c], f"{Action.BROWSE_CATEGORY}:{i}", c.value)
                    for i, c in enumerate(categories[:3])
                ],
            }
        )
    blocks.append(context(f"Try other words, or `{Command.LEARN} browse` to see everything."))
    return {"response_type": "ephemeral", "text": "No guide for that yet", "blocks": blocks}


def notice(text: str) -> dict:
    """A one-line private reply (already escaped where it holds anything a person typed)."""
    return {"response_type": "ephemeral", "replace_original": False, "text": text}
