"""`inflow content draft --from-debrief ID`: a closed debrief as a draft guide to edit.

The draft has the front matter the schema asks for (`draft: true`, so the bot does not serve
it) and a body made of the debrief's points, without names, cut to the library's length.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import yaml

from bot.library import text
from bot.library.lint import MAX_BODY_WORDS
from bot.library.schema import Category, Guide, Kind
from bot.services.report import DebriefCandidate

REVIEW_AFTER = dt.timedelta(days=180)
MAX_ID = 64
MAX_TITLE = 75
POINT_WORDS = 60  # one point at most this long
BODY_WORDS = MAX_BODY_WORDS - 50  # room for the headings and the note on where it came from
RELATED = "after-action-review"
TAGS = ["debrief", "lessons learned", "after-action review"]

# Where each debrief question goes in a guide, in the order points are kept when cutting.
DIFFERENTLY, DID_NOT, WORKED, HAPPENED = (
    "What would we do differently?",
    "What did not?",
    "What worked?",
    "What happened?",
)


def default_owner(guides: Iterable[Guide]) -> str | None:
    """The owner most guides in the library have (the library team's address), if any."""
    owners = Counter(g.meta.owner for g in guides)
    return owners.most_common(1)[0][0] if owners else None


def draft_id(debrief: DebriefCandidate) -> str:
    """`debrief-<id>-<words of the topic>`: unique per debrief, readable, within 64 characters."""
    base = f"debrief-{debrief.debrief_id}"
    for word in text.words(debrief.topic):
        if len(base) + len(word) + 1 > MAX_ID:
            break
        base = f"{base}-{word}"
    return base


def _title(debrief: DebriefCandidate, taken: set[str]) -> str:
    topic = " ".join(debrief.topic.split())
    title = _clip_words(f"Lessons from {topic}", MAX_TITLE)
    if " ".join(title.lower().split()) in taken:  # another guide has this name: lint refuses
        suffix = f" (debrief {debrief.debrief_id})"
        title = _clip_words(f"Lessons from {topic}", MAX_TITLE - len(suffix)) + suffix
    return title


def _clip_words(value: str, limit: int) -> str:
    if len(value) <= limit:
        return value
    return value[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"


def _point(value: str) -> str:
    words = value.split()
    cut = " ".join(words[:POINT_WORDS])
    return cut + ("…" if len(words) > POINT_WORDS else "")


def _kept(debrief: DebriefCandidate) -> tuple[dict[str, list[str]], int]:
    """The points that fit the word budget, most useful question first; and how many did not."""
    kept: dict[str, list[str]] = {q: [] for q in (DIFFERENTLY, DID_NOT, WORKED, HAPPENED)}
    budget, left_out = BODY_WORDS, 0
    for question in kept:
        for point in debrief.points.get(question, []):
            point = _point(point)
            words = len(point.split()) + 1
            if words > budget:
                left_out += 1
                continue
            kept[question].append(point)
            budget -= words
    return kept, left_out


def body(debrief: DebriefCandidate) -> str:
    kept, left_out = _kept(debrief)
    more = f" {left_out} more points are in the debrief's summary." if left_out else ""
    parts = [
        "## When to use it",
        f"Before work like “{' '.join(debrief.topic.split())}”: what the team learned last time. "
        f"Drafted from the debrief of {debrief.closed_at:%-d %B %Y} in the channel's own "
        f"words.{more} Edit it into a guide, then remove `draft: true` to publish it.",
    ]
    steps = kept[DIFFERENTLY] or kept[WORKED]
    if steps:
        parts += ["", "## Steps", *(f"{n}. {p}" for n, p in enumerate(steps, 1))]
    example = []
    if kept[HAPPENED]:
        example += ["What happened:", *(f"- {p}" for p in kept[HAPPENED])]
    if kept[WORKED] and kept[DIFFERENTLY]:
        example += ["", "What worked:"] if example else ["What worked:"]
        example += [f"- {p}" for p in kept[WORKED]]
    if example:
        parts += ["", "## Example", *example]
    if kept[DID_NOT]:
        parts += ["", "## Common mistake", *(f"- {p}" for p in kept[DID_NOT])]
    return "\n".join(parts) + "\n"


def draft_text(
    debrief: DebriefCandidate,
    *,
    owner: str,
    today: dt.date,
    library: Iterable[Guide] = (),
) -> tuple[str, str]:
    """The draft guide for a closed debrief: (its id, the file's text)."""
    guides = list(library)
    taken = {" ".join(n.lower().split()) for g in guides for n in (g.title, *g.meta.aliases)}
    topic = re.sub(r"[.!?]+", "", " ".join(debrief.topic.split()))  # the summary is one sentence
    guide_id = draft_id(debrief)
    front = {
        "id": guide_id,
        "title": _title(debrief, taken),
        "kind": Kind.GUIDE.value,
        "category": Category.LEARNING.value,
        "summary": _clip_words(f"What the team learned from {topic}, from a debrief", 199) + ".",
        "minutes": 3,
        "tags": TAGS,
        "aliases": [],
        "triggers": [],
        "related": [RELATED] if any(g.id == RELATED for g in guides) else [],
        "owner": owner,
        "review_by": today + REVIEW_AFTER,
        "draft": True,
    }
    matter = yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=1000)
    return guide_id, f"---\n{matter}---\n{body(debrief)}"


def write_draft(directory: Path, draft: str, content: str) -> Path:
    """Write the draft `<id>.md`, refusing to overwrite anything (FileExistsError)."""
    path = directory / f"{draft}.md"
    with path.open("x", encoding="utf-8") as handle:
        handle.write(content)
    return path
