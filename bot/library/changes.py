"""What changed between two versions of a guide, in the words of its form: which fields, which
sections. For a guide's history (bot.services.guide_history), where an owner picks the version
to restore."""

from __future__ import annotations

from bot.library.fields import WHEN_TITLE
from bot.library.schema import Guide, body_sections

# The front matter as the form names it, in the form's order; then what only files set.
FIELD_NAMES = (
    ("title", "title"),
    ("kind", "kind"),
    ("category", "area"),
    ("summary", "summary"),
    ("aliases", "other names"),
    ("tags", "tags"),
    ("owner", "owner"),
    ("review_by", "review date"),
    ("minutes", "minutes"),
    ("triggers", "triggers"),
    ("related", "related guides"),
)


def _sections(guide: Guide) -> dict[str, str]:
    """The body's sections by heading (lines before the first heading under "")."""
    return {
        title: "\n".join(line.rstrip() for line in lines).strip()
        for title, _heading, lines in body_sections(guide.body)
    }


def _headings(guide: Guide) -> dict[str, str]:
    """Each section's title as written (for saying it), by its lower-case key."""
    return {
        title: (heading or "").lstrip("#").strip() or "the opening"
        for title, heading, _lines in body_sections(guide.body)
    }


def _section_name(title: str, written: str) -> str:
    return "When to use it" if title == WHEN_TITLE else written


def what_changed(old: Guide | None, new: Guide) -> list[str]:
    """The fields and sections that differ from `old` to `new`, as short phrases in the form's
    words ("title", "section “Steps”", "added “Example”", "removed “Common mistake”"); empty
    when nothing does. With no `old` (a first version), everything is new: ["first version"].
    """
    if old is None:
        return ["first version"]
    found = [name for key, name in FIELD_NAMES if getattr(old.meta, key) != getattr(new.meta, key)]
    before, after = _sections(old), _sections(new)
    written = {**_headings(old), **_headings(new)}
    for title in after:
        name = _section_name(title, written[title])
        if title not in before:
            found.append(f"added “{name}”")
        elif before[title] != after[title]:
            found.append(f"section “{name}”")
    found += [f"removed “{_section_name(t, written[t])}”" for t in before if t not in after]
    common = [t for t in after if t in before]
    if common != [t for t in before if t in after]:
        found.append("order of sections")
    return found
