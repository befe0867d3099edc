"""A guide as its form holds it (`GuideFields`), and the Markdown file it becomes.

The form (`/learn new`, *Edit*, and anything that opens it pre-filled, such as a message
shortcut) shows the fields a person writes; `guide_source` turns them into the same text a guide
file holds, so what is saved from Slack is read, linted and exported exactly like a file.
`fields_of` goes the other way, to fill the form from a guide the workspace serves.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import yaml

from bot.library.schema import Guide, body_sections

WHEN_HEADING = "## When to use it"
WHEN_TITLE = "when to use it"
MAX_ID_LENGTH = 60  # the schema allows 64: room for "-2" … "-999" when a title is taken
WORDS_A_MINUTE = 120  # reading at the moment of need, and trying it: slower than skimming


@dataclass(frozen=True)
class GuideFields:
    """What the guide form holds; every field may be missing (a form opened pre-filled with
    only some of them, or a submission that left one out).

    `kind` and `category` are the schema's values (`Kind`, `Category`) as text; `when` is the
    text of the *When to use it* section and `body` the rest of the guide, in Markdown.
    """

    title: str | None = None
    kind: str | None = None
    category: str | None = None
    summary: str | None = None
    when: str | None = None
    body: str | None = None
    aliases: Sequence[str] = field(default_factory=tuple)
    tags: Sequence[str] = field(default_factory=tuple)
    owner: str | None = None
    review_by: dt.date | None = None


def phrases(text: str | None) -> list[str]:
    """Comma-separated text (what a person types for aliases or tags) as a list of phrases."""
    return [" ".join(part.split()) for part in (text or "").split(",") if part.strip()]


def slug(title: str) -> str:
    """A guide id made from a title: lower case ASCII words joined by hyphens ("guide" if the
    title has no letters or digits), at most MAX_ID_LENGTH characters."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_title.lower())
    made = ""
    for word in words:
        longer = f"{made}-{word}" if made else word
        if len(longer) > MAX_ID_LENGTH:
            break
        made = longer
    return made or (words[0][:MAX_ID_LENGTH] if words else "guide")


def minutes_for(body: str) -> int:
    """How long a guide takes, from its words: one to five minutes, as the schema allows."""
    return max(1, min(5, math.ceil(len(body.split()) / WORDS_A_MINUTE)))


def tidy_markdown(text: str) -> str:
    """Markdown as every guide lays it out: `\\n` line ends, a heading's text on the very next
    line, one empty line before each heading but the first, no trailing spaces."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    tidy: list[str] = []
    for line in lines:
        heading = line.lstrip().startswith("#")
        if not line and tidy and tidy[-1].lstrip().startswith("#"):
            continue  # no gap between a heading and its text
        if heading:
            while tidy and not tidy[-1]:
                tidy.pop()
            if tidy:
                tidy.append("")
        tidy.append(line)
    return "\n".join(tidy).strip()


def guide_body(when: str | None, body: str | None) -> str:
    """The guide's Markdown body: its *When to use it* section, then the rest."""
    parts = []
    if when and when.strip():
        parts.append(f"{WHEN_HEADING}\n{tidy_markdown(when)}")
    if body and body.strip():
        parts.append(tidy_markdown(body))
    return "\n\n".join(parts)


def guide_source(
    fields: GuideFields,
    *,
    guide_id: str,
    minutes: int | None = None,
    triggers: Sequence[str] = (),
    related: Sequence[str] = (),
) -> str:
    """The guide file for these fields: YAML front matter, then the Markdown body.

    A field left out is left out of the front matter too, so the schema says what is missing
    (`bot.library.loader.parse_guide_text`). `minutes`, `triggers` and `related` are not in the
    form: an edit keeps the guide's own; a new guide's minutes are counted from its words.
    """
    body = guide_body(fields.when, fields.body)
    front: dict[str, object] = {"id": guide_id}
    for key in ("title", "kind", "category", "summary"):
        value = getattr(fields, key)
        if value is not None and str(value).strip():
            front[key] = " ".join(str(value).split())
    front["minutes"] = minutes if minutes is not None else minutes_for(body)
    front["tags"] = list(fields.tags)
    if fields.aliases:
        front["aliases"] = list(fields.aliases)
    if triggers:
        front["triggers"] = list(triggers)
    if related:
        front["related"] = list(related)
    if fields.owner and fields.owner.strip():
        front["owner"] = fields.owner.strip()
    if fields.review_by is not None:
        front["review_by"] = fields.review_by
    matter = yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=10_000)
    return f"---\n{matter}---\n{body}\n"


def split_body(body: str) -> tuple[str, str]:
    """A guide's body as (its *When to use it* text, the rest), for filling the form."""
    when: list[str] = []
    rest: list[str] = []
    for title, heading, lines in body_sections(body):
        if title == WHEN_TITLE and not when:
            when = lines
        else:
            rest += ([heading] if heading is not None else []) + lines
    return "\n".join(when).strip(), tidy_markdown("\n".join(rest))


def fields_of(guide: Guide) -> GuideFields:
    """The form's fields for a guide, to edit it."""
    when, rest = split_body(guide.body)
    meta = guide.meta
    return GuideFields(
        title=meta.title,
        kind=meta.kind.value,
        category=meta.category.value,
        summary=meta.summary,
        when=when,
        body=rest,
        aliases=tuple(meta.aliases),
        tags=tuple(meta.tags),
        owner=meta.owner,
        review_by=meta.review_by,
    )


# -- what is wrong, field by field ----------------------------------------------------------------

FORM_FIELDS = (
    "title",
    "kind",
    "category",
    "summary",
    "when",
    "body",
    "aliases",
    "tags",
    "owner",
    "review_by",
)
_PYDANTIC_WORDS = (
    ("String should", "Should"),
    ("List should", "Should"),
    ("Field required", "Required"),
    ("Input should be", "Should be"),
)


# Valid values for front matter fields that have an error of their own (see problems_by_field).
_STAND_IN = GuideFields(
    title="A guide being written",
    kind="guide",
    category="learning-from-the-work",
    summary="A summary standing in for one with an error.",
    tags=("tag",),
    aliases=(),
    owner="owner@example.com",
    review_by=dt.date(2999, 12, 31),
)
_FRONT_MATTER_FIELDS = ("title", "kind", "category", "summary", "tags", "aliases", "owner")


# Lint's messages about the body as a whole, though they point at its first line.
_ABOUT_THE_WHOLE_BODY = (
    "section",
    "the answer",
    "the shared",
    "too many",
    "body has",
    "a framework",
)


def _readable(message: str) -> str:
    for said, meant in _PYDANTIC_WORDS:
        message = message.replace(said, meant)
    return message[:1].upper() + message[1:]


def problems_by_field(
    fields: GuideFields,
    source: str,
    *,
    guide_id: str,
    today: dt.date,
    others: Sequence[Guide] = (),
) -> dict[str, str]:
    """What `inflow content lint` finds in the guide these fields make, each problem beside
    the form field it is about (a key of FORM_FIELDS); empty when the guide is fine.

    `others` are the other guides the workspace serves: a title or alias that is already
    another guide's name is a problem, as it is between files.
    """
    from bot.library.lint import lint_guide
    from bot.library.loader import parse_guide_text

    found: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        found.setdefault(name if name in FORM_FIELDS else "body", []).append(_readable(message))

    guide, problems = parse_guide_text(f"form:{guide_id}", source, guide_id)
    if guide is None:
        for problem in problems:
            key, sep, rest = problem.message.partition(": ")
            name = key.split(".")[0]
            if sep and name in FORM_FIELDS:
                add(name, rest)
            elif name == "id" or problem.message.startswith("id "):
                add("title", "Needs letters or digits the guide's id can be made from")
            else:
                add("body", problem.message)
        # Lint the rest too, with the broken front matter fields standing in valid, so the
        # person sees every problem at once rather than one round of errors after another.
        broken = [name for name in (*_FRONT_MATTER_FIELDS, "review_by") if name in found]
        stand_in = replace(fields, **{name: getattr(_STAND_IN, name) for name in broken})
        guide, _ = parse_guide_text(
            f"form:{guide_id}", guide_source(stand_in, guide_id=guide_id), guide_id
        )
        if guide is None:
            return _joined(found)
    when_text = tidy_markdown(fields.when or "")
    when_end = guide.body_line + (1 + len(when_text.splitlines()) if when_text.strip() else 0)
    for problem in lint_guide(guide, today=today):
        if problem.severity != "error":
            continue
        message = problem.message
        key, sep, rest = message.partition(": ")
        if sep and key in FORM_FIELDS:
            add(key, rest)
        elif message.startswith("title "):
            add("title", message.removeprefix("title "))
        elif message.startswith("a guide must say when to use it"):
            add("when", "Say when this guide helps: this is what /learn shows first")
        elif message.startswith("section 1 ") and when_text.strip():
            add("when", message.replace("section 1 ", "This section ", 1))
        elif problem.line < when_end and not message.startswith(_ABOUT_THE_WHOLE_BODY):
            add("when", message.replace("the body ", "", 1))
        else:
            add("body", message.replace("the body ", "", 1))
    if guide.meta.review_by <= today and "review_by" not in found:
        add("review_by", "Pick a date after today: the owner is asked to check the guide then")
    names = {" ".join(n.lower().split()): n for n in [guide.meta.title, *guide.meta.aliases]}
    for other in others:
        if other.id == guide.id:
            continue
        for name in [other.meta.title, *other.meta.aliases]:
            key = " ".join(name.lower().split())
            if key in names:
                where = "title" if names[key] == guide.meta.title else "aliases"
                add(where, f"“{names[key]}” is already a name of the guide “{other.meta.title}”")
    return _joined(found)


def _joined(found: dict[str, list[str]]) -> dict[str, str]:
    return {name: " ".join(dict.fromkeys(messages))[:1000] for name, messages in found.items()}
