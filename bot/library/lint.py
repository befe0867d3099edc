"""`inflow content lint`: every problem in a directory of guides, and in the practice paths
beside it, as `path:line: message`."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from bot.library.loader import Problem, read_guides
from bot.library.paths import paths_directory, read_paths
from bot.library.schema import Guide, body_sections
from bot.slack.guides import guide_answer, markdown_sections, shared_guide
from bot.slack.text import MAX_HEADER_TEXT, MAX_MESSAGE_BLOCKS, MAX_SECTION_TEXT

MAX_BODY_WORDS = 350
REQUIRED_SECTION = "when to use it"  # every guide opens with when it helps: what /learn shows first
# What would make Slack notify a whole channel or group: escaping stops the `<!…>` forms, and
# bot.slack.text.escape defuses the typed ones, but a guide should not say them at all.
MASS_MENTION = re.compile(
    r"(?<![\w@])@(channel|here|everyone)\b|<!(channel|here|everyone|subteam)", re.IGNORECASE
)
PINGS = (
    "must not mention @channel, @here, @everyone or a user group: a guide is read by whoever "
    "asks, and must never notify a whole channel (write “the whole channel” instead)"
)


def lint(directory: Path, *, today: dt.date) -> list[Problem]:
    """Schema and cross-file problems, then what Slack would refuse or cut, then due reviews."""
    guides, problems = read_guides(directory)
    for guide in guides:
        problems.extend(lint_guide(guide, today=today))
    paths = paths_directory(directory)
    if paths.is_dir():  # a directory of guides alone (a test's, a workspace export) has none
        # A guide file with its own error still counts as there: its error is the one cause.
        drafts = {g.id for g in guides if g.meta.draft}
        guide_ids = {file.stem for file in directory.glob("*.md")} - drafts
        problems.extend(lint_paths(paths, guide_ids, today=today))
    return sorted(problems, key=lambda p: (p.path, p.line, p.message))


def lint_guide(guide: Guide, *, today: dt.date) -> list[Problem]:
    """Every problem of one parsed guide beyond its schema: layout, what Slack would refuse or
    cut, and content rules (the form that writes guides in Slack runs these too)."""
    return [*_layout(guide), *_rendering(guide), *_content(guide, today)]


def lint_paths(directory: Path, guide_ids: set[str], *, today: dt.date) -> list[Problem]:
    """Every problem in a directory of practice paths, and their due reviews as warnings."""
    paths, problems = read_paths(directory, guide_ids)
    problems.extend(
        Problem(
            path.file,
            path.line_of("review_by"),
            f"review was due on {path.meta.review_by.isoformat()} (owner: {path.meta.owner})",
            severity="warning",
        )
        for path in paths
        if path.meta.review_by < today
    )
    return problems


def _layout(guide: Guide) -> list[Problem]:
    """One layout for every guide, so each renders the same in Slack: `## Heading` with its text
    on the very next line, and an empty line before each heading but the first. (A blank line
    after a heading shows in Slack as a gap between the heading and its text.)"""
    problems = []
    lines = guide.body.splitlines()
    for index, line in enumerate(lines):
        if not line.lstrip().startswith("#"):
            continue
        heading = line.strip()
        where = guide.body_line + index
        if index + 1 < len(lines) and not lines[index + 1].strip():
            problems.append(
                Problem(
                    guide.path,
                    where,
                    f"blank line after the heading {heading!r}: start its text on the next line, "
                    "as every guide does",
                )
            )
        if index > 0 and lines[index - 1].strip():
            problems.append(
                Problem(
                    guide.path,
                    where,
                    f"no empty line before the heading {heading!r}: leave one, as every guide does",
                )
            )
    return problems


def _rendering(guide: Guide) -> list[Problem]:
    problems = []
    if len(guide.title) > MAX_HEADER_TEXT:
        problems.append(
            Problem(guide.path, guide.line_of("title"), "title is too long for a header")
        )
    for index, section in enumerate(markdown_sections(guide.body)):
        if section.endswith("…") and len(section) >= MAX_SECTION_TEXT:
            problems.append(
                Problem(
                    guide.path,
                    guide.body_line,
                    f"section {index + 1} is over Slack's {MAX_SECTION_TEXT} characters; "
                    "split it with a heading",
                )
            )
    for name, message in (
        ("answer", guide_answer(guide)),
        (
            "shared message",
            shared_guide(guide, shared_by="U0", helpful_emoji="+1", unhelpful_emoji="-1"),
        ),
    ):
        if len(message["blocks"]) > MAX_MESSAGE_BLOCKS:
            problems.append(
                Problem(guide.path, guide.body_line, f"the {name} needs more than 50 blocks")
            )
    raw_sections = [s for s in guide.body.split("\n#") if s.strip()]
    if len(raw_sections) > MAX_MESSAGE_BLOCKS - 8:
        problems.append(Problem(guide.path, guide.body_line, "too many sections for one message"))
    return problems


def _content(guide: Guide, today: dt.date) -> list[Problem]:
    problems = []
    words = len(guide.body.split())
    if words > MAX_BODY_WORDS:
        problems.append(
            Problem(
                guide.path,
                guide.body_line,
                f"body has {words} words; keep guides under {MAX_BODY_WORDS} "
                "(one to five minutes at the moment of need)",
            )
        )
    if guide.meta.kind.value == "framework" and "when not to use" not in guide.body.lower():
        problems.append(
            Problem(
                guide.path,
                guide.body_line,
                "a framework must say when not to use it (a '## When not to use it' section)",
            )
        )
    sections = [title for title, heading, lines in body_sections(guide.body) if heading]
    if REQUIRED_SECTION not in sections:
        problems.append(
            Problem(
                guide.path,
                guide.body_line,
                "a guide must say when to use it: start with a '## When to use it' section",
            )
        )
    for key in ("title", "summary"):
        if MASS_MENTION.search(getattr(guide.meta, key)):
            problems.append(Problem(guide.path, guide.line_of(key), f"{key}: {PINGS}"))
    for index, line in enumerate(guide.body.splitlines()):
        if MASS_MENTION.search(line):
            problems.append(Problem(guide.path, guide.body_line + index, f"the body {PINGS}"))
    if guide.meta.review_by < today:
        problems.append(
            Problem(
                guide.path,
                guide.line_of("review_by"),
                f"review was due on {guide.meta.review_by.isoformat()} (owner: {guide.meta.owner})",
                severity="warning",
            )
        )
    return problems
