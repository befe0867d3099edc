"""Block Kit for the library: a guide, its buttons, lists of guides, and honest misses."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.library.schema import CATEGORY_LABELS, Category, Guide, body_sections
from bot.slack.ids import Action, Block, Command
from bot.slack.kit import button, context, section
from bot.slack.text import (
    MAX_HEADER_TEXT,
    MAX_MESSAGE_BLOCKS,
    MAX_SECTION_TEXT,
    clip,
    escape,
    unescape,
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


# What a /learn answer shows first: enough to act on. The rest (the example, the common mistake,
# the words to say) is one click away, so the first answer reads in a glance.
FIRST_VIEW_SECTIONS = ("when to use", "steps")


def first_view(body: str) -> tuple[str, bool]:
    """The part of a guide's body shown first, and whether anything is left for later."""
    kept: list[str] = []
    dropped = False
    for title, heading, lines in body_sections(body):
        if heading is None or title.startswith(FIRST_VIEW_SECTIONS):
            kept += [heading, *lines] if heading is not None else lines
        else:
            dropped = True
    return "\n".join(kept), dropped


def guide_blocks(guide: Guide, *, whole: bool = True) -> list[dict]:
    """The guide: title, what kind, the one-line summary, and its body (or the first view)."""
    body = guide.body if whole else first_view(guide.body)[0]
    blocks = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": clip(guide.title, MAX_HEADER_TEXT)},
        },
        context(describe(guide)),
        section(f"_{escape(guide.meta.summary)}_"),
        {"type": "divider"},
    ]
    blocks.extend(section(text) for text in markdown_sections(body))
    return blocks[: MAX_MESSAGE_BLOCKS - 3]


QUERY_KEPT = 200  # characters of the question a button carries (a button value holds 2,000)


@dataclass(frozen=True)
class GuideState:
    """What a guide's buttons carry, so any button can rebuild the answer it belongs to."""

    guide_id: str
    others: tuple[str, ...] = ()
    query: str = ""  # what the person asked, when the guide answered a question
    whole: bool = False  # the whole guide is showing, not the first view

    def value(self) -> str:
        data: dict = {"g": self.guide_id, "o": list(self.others)[:2]}
        if self.query:
            # Escaped like any text inflow sends: a value is data, but it should never look
            # like markup to anything that reads the message.
            data["q"] = escape(self.query[:QUERY_KEPT])
        if self.whole:
            data["w"] = 1
        return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def state(guide_id: str, others: Sequence[str] = (), query: str = "", whole: bool = False) -> str:
    return GuideState(guide_id, tuple(others), query, whole).value()


def read_state(value: str) -> GuideState:
    """A button's value back as a GuideState; a bare guide id (older messages) reads as one."""
    try:
        data = json.loads(value)
        return GuideState(
            str(data["g"]),
            tuple(str(o) for o in data.get("o", []))[:2],
            unescape(str(data.get("q") or ""))[:QUERY_KEPT],
            bool(data.get("w")),
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        return GuideState(value)


def guide_answer(
    guide: Guide,
    others: Sequence[Guide] = (),
    *,
    rated: bool | None = None,
    query: str = "",
    whole: bool = False,
    editable: bool = False,
) -> dict:
    """The private answer to `/learn <words>`: the guide's first view (or all of it), and what
    the person can do with it (`editable`: an *Edit* button, for the library's owners)."""
    value = state(guide.id, [g.id for g in others], query, whole)
    buttons = [button("Share in channel", Action.SHARE_GUIDE, value, "primary")]
    more = not whole and first_view(guide.body)[1]
    if more:
        buttons.append(button("Show the whole guide", Action.WHOLE_GUIDE, value))
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
    if editable:
        buttons.append(button("Edit", Action.GUIDE_EDIT, guide.id))
        buttons.append(button("History", Action.GUIDE_HISTORY, guide.id))
    blocks = [
        *guide_blocks(guide, whole=whole or not more),
        {"type": "actions", "block_id": Block.GUIDE_ACTIONS, "elements": buttons},
        *footer,
    ]
    return {
        "response_type": "ephemeral",
        "text": f"{escape(guide.title)}: {escape(guide.meta.summary)}",
        "blocks": blocks,
    }


def choices(query: str, guides: Sequence[Guide]) -> dict:
    """ "Is it one of these?": the closest guides when none is clearly the one, never a dead end."""
    shown = escape(clip(" ".join(query.split()), 150))
    blocks = [section(f"Is it one of these? (for “{shown}”)")]
    for position, guide in enumerate(guides[:3]):
        blocks.append(
            section(
                f"*{escape(guide.title)}*\n{escape(guide.meta.summary)}",
                accessory=button(
                    "Open", f"{Action.OPEN_GUIDE}:{position}", state(guide.id, query=query)
                ),
            )
        )
    blocks.append(
        context(
            f"None of these? Say it in other words, or `{Command.LEARN} browse` to see everything."
        )
    )
    return {"response_type": "ephemeral", "text": "Is it one of these?", "blocks": blocks}


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


def guide_list(
    title: str, guides: Sequence[Guide], *, intro: str | None = None, query: str = ""
) -> dict:
    """Guides as a short list, each with an Open button (carrying the question, if any)."""
    blocks = [section(f"*{escape(title)}*")]
    if intro:
        blocks.append(context(intro))
    room = MAX_MESSAGE_BLOCKS - len(blocks)
    for position, guide in enumerate(guides[:room]):
        blocks.append(
            section(
                f"*{escape(guide.title)}*\n{escape(guide.meta.summary)}\n_{describe(guide)}_",
                accessory=button(
                    "Open", f"{Action.OPEN_GUIDE}:{position}", state(guide.id, query=query)
                ),
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
    """Say plainly that the library has nothing on it and what it is for, offer the closest
    areas, and say the question was passed on."""
    shown = escape(clip(" ".join(query.split()), 150)) or "that"
    blocks = [
        section(
            f"I don't have a guide for “{shown}”. inflow's guides are about how people work "
            "together: feedback, coaching, decisions, meetings, ideas, learning from mistakes. "
            "For IT, HR policy, payroll, facilities or code, ask the people who run them."
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
    blocks.append(
        context(
            f"`{Command.LEARN} browse` shows everything. If the library should cover this, the "
            "people who look after it will see that you asked."
        )
    )
    return {"response_type": "ephemeral", "text": "No guide for that", "blocks": blocks}


def notice(text: str) -> dict:
    """A one-line private reply (already escaped where it holds anything a person typed)."""
    return {"response_type": "ephemeral", "replace_original": False, "text": text}
