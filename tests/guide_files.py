"""Small, valid guide files for tests that need a library of their own."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

BODY = """## When to use it
When the team needs it.

## Steps
1. Do the first thing.
2. Do the next thing.
"""


def write_guide(
    directory: Path,
    guide_id: str,
    *,
    title: str,
    owner: str = "learning@inflow.example",
    review_by: dt.date = dt.date(2027, 6, 30),
    draft: bool = False,
) -> Path:
    """Write `<guide_id>.md` with valid front matter; returns its path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{guide_id}.md"
    path.write_text(
        "---\n"
        f"id: {guide_id}\n"
        f'title: "{title}"\n'
        "kind: guide\n"
        "category: learning-from-the-work\n"
        f'summary: "A short guide about {title.lower()} for tests."\n'
        "minutes: 2\n"
        f"tags: [{guide_id.replace('-', ' ')}]\n"
        f"owner: {owner}\n"
        f"review_by: {review_by.isoformat()}\n"
        + ("draft: true\n" if draft else "")
        + "---\n"
        + BODY,
        encoding="utf-8",
    )
    return path
