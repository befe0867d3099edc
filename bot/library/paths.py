"""Practice paths: a few weeks of practising one skill on real work, one guide at a time.

A path is a file `<paths dir>/<id>.md`, front matter plus one `##` section per week:

    ---
    id: giving-feedback
    title: Giving feedback that helps
    skill: Giving feedback
    summary: Four weeks of giving feedback on real work, one small conversation at a time.
    weeks: 4
    guides: [sbi-feedback, recognition-that-lands, asking-for-feedback, feedforward]
    owner: learning@inflow.example
    review_by: 2027-06-30
    ---
    An optional introduction, shown when someone starts the path.

    ## Week 1: One moment, told as it happened
    Guide: sbi-feedback

    ### Practice
    This week, use SBI in one real conversation. Which one will it be?

    ### Check-in
    How did it go? What changed in the work?

    ### Manager note
    One coaching question for the person's manager (optional).

The rules hold for loading and for `inflow content lint` alike: unknown keys are refused, the id
is the file's stem, `weeks` is the number of week sections (numbered 1, 2, 3 in order), every
week names one guide from the `guides` list and every listed guide is used, every guide exists
in the library, and every text fits one Block Kit section once escaped. Each practice ends by
asking which real situation the person will use it in; a check-in asks what changed, never
whether it was "completed"; a manager note holds a coaching question.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.library.loader import (
    LibraryError,
    Problem,
    field_problems,
    fingerprint,
    read_front_matter,
)
from bot.library.schema import ID_PATTERN
from bot.slack.text import MAX_BUTTON_TEXT, MAX_SECTION_TEXT, escape

log = logging.getLogger(__name__)


def paths_directory(guides_directory: Path) -> Path:
    """Where the practice paths live: beside the guides directory, as `content/paths`.

    The one place that says so, so packaging the content elsewhere changes one line.
    """
    return guides_directory.parent / "paths"


def _fits_a_section(value: str) -> str:
    size = len(escape(value))
    if size > MAX_SECTION_TEXT:
        raise ValueError(f"is {size} characters; Slack's limit for a section is {MAX_SECTION_TEXT}")
    return value


def _one_line(value: str) -> str:
    return " ".join(value.split())


class PathMeta(BaseModel):
    """A practice path's front matter."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=ID_PATTERN, max_length=64)
    title: str = Field(min_length=3, max_length=MAX_BUTTON_TEXT)
    skill: str = Field(min_length=3, max_length=MAX_BUTTON_TEXT)
    summary: str = Field(min_length=10, max_length=200)
    weeks: int = Field(ge=2, le=8)  # long enough to form a habit, short enough to finish
    guides: list[str] = Field(min_length=1, max_length=8)
    owner: str = Field(min_length=1, max_length=120)
    review_by: dt.date

    @field_validator("title", "skill", "summary")
    @classmethod
    def _single_line(cls, value: str) -> str:
        return _one_line(value)

    @field_validator("guides")
    @classmethod
    def _guide_ids(cls, values: list[str]) -> list[str]:
        for value in values:
            if not re.match(ID_PATTERN, str(value)):
                raise ValueError(f"{value!r} is not a guide id")
        if len(set(values)) != len(values):
            raise ValueError("lists a guide twice")
        return values


class Step(BaseModel):
    """One week of a path: what to practise on real work, and what to ask afterwards."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    week: int = Field(ge=1)
    title: str = Field(min_length=3, max_length=MAX_BUTTON_TEXT)  # it may label a button
    guide: str = Field(pattern=ID_PATTERN)
    practice: str = Field(min_length=20)
    check_in: str = Field(min_length=10)
    manager_note: str | None = None
    line: int = 1  # the line of the file its heading is on, for pointing at problems

    @field_validator("practice", "check_in", "manager_note")
    @classmethod
    def _fits(cls, value: str | None) -> str | None:
        return value if value is None else _fits_a_section(value)

    @field_validator("practice")
    @classmethod
    def _asks_for_the_situation(cls, value: str) -> str:
        if not value.rstrip().endswith("?"):
            raise ValueError(
                "must end by asking which real situation they will practise on, as a question"
            )
        return value

    @field_validator("check_in")
    @classmethod
    def _asks_what_changed(cls, value: str) -> str:
        if "?" not in value:
            raise ValueError("must ask a question about what changed in the work")
        if re.search(r"\bcomplet", value, re.IGNORECASE):
            raise ValueError("must ask what changed in the work, not whether it was completed")
        return value

    @field_validator("manager_note")
    @classmethod
    def _holds_a_question(cls, value: str | None) -> str | None:
        if value is not None and "?" not in value:
            raise ValueError("must give the manager a coaching question to ask")
        return value


class PracticePath(BaseModel):
    """A path as the library holds it: front matter, weeks, and the file it came from."""

    model_config = ConfigDict(frozen=True)

    meta: PathMeta
    intro: str = ""
    steps: tuple[Step, ...]
    file: str
    version: str  # a hash of the file, so history can tell which text someone saw
    field_lines: dict[str, int] = {}

    @field_validator("intro")
    @classmethod
    def _fits(cls, value: str) -> str:
        return _fits_a_section(value)

    def line_of(self, key: str) -> int:
        return self.field_lines.get(key, 2)

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def title(self) -> str:
        return self.meta.title


# `### ` headings inside a week, and the Step field each fills.
PARTS = {"practice": "practice", "check-in": "check_in", "manager note": "manager_note"}
LABELS = {"practice": "practice", "check_in": "check-in", "manager_note": "manager note"}
_WEEK_HEADING = re.compile(r"^week\s+(\d+)\s*[:.–—-]\s*(.+)$", re.IGNORECASE)
_GUIDE_LINE = re.compile(r"^guide:\s*(\S*)\s*$", re.IGNORECASE)
_HEADINGS = (
    "'## Week N: title' for a week, and '### Practice', '### Check-in' or '### Manager note' in it"
)


@dataclass
class _Week:
    heading: str
    line: int
    guide: str | None = None
    parts: dict[str, list[str]] = field(default_factory=dict)
    part_lines: dict[str, int] = field(default_factory=dict)


def _split_weeks(name: str, body: str, first_line: int) -> tuple[str, list[_Week], list[Problem]]:
    """The body as an introduction and its weeks, with the line of every part."""
    intro: list[str] = []
    weeks: list[_Week] = []
    problems: list[Problem] = []
    part: str | None = None
    for line_number, line in enumerate(body.splitlines(), start=first_line):
        stripped = line.strip()
        level = len(stripped) - len(stripped.lstrip("#"))
        heading = stripped.lstrip("#").strip()
        week = weeks[-1] if weeks else None
        if level == 2:
            weeks.append(_Week(heading, line_number))
            part = None
        elif level == 3 and week is not None and heading.lower() in PARTS:
            part = PARTS[heading.lower()]
            if part in week.parts:
                problems.append(Problem(name, line_number, f"'### {heading}' appears twice"))
            week.parts[part] = []
            week.part_lines[part] = line_number
        elif level:
            problems.append(
                Problem(name, line_number, f"unexpected heading {stripped!r}: use {_HEADINGS}")
            )
        elif week is None:
            intro.append(line)
        elif part is not None:
            week.parts[part].append(line)
        elif match := _GUIDE_LINE.match(stripped):
            if week.guide is not None:
                problems.append(Problem(name, line_number, "a week names one guide only"))
            week.guide = match.group(1) or None  # "Guide:" alone is reported as missing
        elif stripped:
            problems.append(
                Problem(
                    name,
                    line_number,
                    "text before '### Practice': a week starts with its 'Guide: <id>' line only",
                )
            )
    return "\n".join(intro).strip(), weeks, problems


def _step(name: str, position: int, week: _Week) -> tuple[Step | None, list[Problem]]:
    """One week section as a Step, or what is wrong with it, each problem at its line."""
    match = _WEEK_HEADING.match(week.heading)
    if match is None:
        message = f"week {position}: the heading must read '## Week {position}: title'"
        return None, [Problem(name, week.line, message)]
    number, title = int(match.group(1)), match.group(2).strip()
    problems = []
    if number != position:
        problems.append(
            Problem(
                name,
                week.line,
                f"week {position} is headed 'Week {number}'; number the weeks 1, 2, 3… in order",
            )
        )
    if week.guide is None:
        problems.append(
            Problem(
                name,
                week.line,
                f"week {position}: guide: missing; add 'Guide: <guide id>' under the heading",
            )
        )
    for part in ("practice", "check_in"):
        if part not in week.parts:
            problems.append(
                Problem(
                    name,
                    week.line,
                    f"week {position}: {LABELS[part]}: missing its "
                    f"'### {LABELS[part].capitalize()}' section",
                )
            )
    if problems or week.guide is None:  # a missing guide is one of the problems
        return None, problems
    texts = {
        part: re.sub(r"\n{3,}", "\n\n", "\n".join(lines).strip())
        for part, lines in week.parts.items()
    }
    try:
        step = Step(week=position, title=title, guide=week.guide, line=week.line, **texts)
    except ValidationError as error:
        return None, [
            Problem(
                name,
                week.part_lines.get(part, week.line),
                f"week {position}: {LABELS.get(part, part)}: {_reason(item)}",
            )
            for item in error.errors()
            for part in [str(item["loc"][0])]
        ]
    return step, []


def _reason(item) -> str:
    """Pydantic's message for one error, without its "Value error, " prefix."""
    return item["msg"].removeprefix("Value error, ")


def parse_path(path: Path) -> tuple[PracticePath | None, list[Problem]]:
    """Parse one file into a PracticePath, or report what is wrong with it and where."""
    name = str(path)
    front, problems = read_front_matter(path)
    if front is None:
        return None, problems
    try:
        meta = PathMeta.model_validate(front.data)
    except ValidationError as error:
        return None, field_problems(name, error, front.key_lines)
    line_of = front.key_lines.get
    if meta.id != path.stem:
        problems.append(Problem(name, line_of("id", 2), f"id {meta.id!r} must match the file name"))
    intro, weeks, found = _split_weeks(name, front.body, front.body_line)
    problems.extend(found)
    steps = []
    for position, week in enumerate(weeks, start=1):
        step, found = _step(name, position, week)
        problems.extend(found)
        if step is not None:
            steps.append(step)
    if len(weeks) != meta.weeks:
        problems.append(
            Problem(
                name,
                line_of("weeks", 2),
                f"weeks: says {meta.weeks} but the file has {len(weeks)} "
                "'## Week N: title' sections",
            )
        )
    problems.extend(_guides_match_weeks(name, meta, weeks, line_of("guides", 2)))
    if problems:
        return None, problems
    try:
        practice_path = PracticePath(
            meta=meta,
            intro=intro,
            steps=tuple(steps),
            file=name,
            version=hashlib.sha256(front.text.encode()).hexdigest()[:12],
            field_lines=front.key_lines,
        )
    except ValidationError as error:
        return None, [
            Problem(name, front.body_line, f"introduction: {_reason(item)}")
            for item in error.errors()
        ]
    return practice_path, []


def _guides_match_weeks(name: str, meta: PathMeta, weeks: list[_Week], line: int) -> list[Problem]:
    """Every week draws on a listed guide, and every listed guide is drawn on."""
    problems = [
        Problem(
            name,
            week.line,
            f"week {position}: guide {week.guide!r} is not in the front matter's guides list",
        )
        for position, week in enumerate(weeks, start=1)
        if week.guide is not None and week.guide not in meta.guides
    ]
    used = {week.guide for week in weeks}
    if weeks and None not in used:  # a week without its guide line is reported on its own
        problems.extend(
            Problem(name, line, f"guides: {guide!r} is listed but no week draws on it")
            for guide in meta.guides
            if guide not in used
        )
    return problems


def read_paths(
    directory: Path, guide_ids: Collection[str]
) -> tuple[list[PracticePath], list[Problem]]:
    """Every path in `directory`, and every problem found, including guides the library lacks."""
    if not directory.is_dir():
        return [], [Problem(str(directory), 1, "no such directory of practice paths")]
    paths, problems = [], []
    for file in sorted(directory.glob("*.md")):
        practice_path, found = parse_path(file)
        problems.extend(found)
        if practice_path is None:
            continue
        unknown = [g for g in practice_path.meta.guides if g not in guide_ids]
        problems.extend(
            Problem(
                practice_path.file,
                practice_path.line_of("guides"),
                f"guides: unknown guide id {guide!r} (no such guide in the library)",
            )
            for guide in unknown
        )
        if not unknown:
            paths.append(practice_path)
    return paths, problems


def load_paths(directory: Path, guide_ids: Collection[str]) -> list[PracticePath]:
    """The paths in `directory`, refusing them all if any file has an error."""
    paths, problems = read_paths(directory, guide_ids)
    if problems:
        raise LibraryError(problems)
    return paths


_CURRENT: dict[tuple, dict[str, PracticePath]] = {}  # by (directory, its files, the guides)


def current(guides_directory: Path, guide_ids: Collection[str]) -> dict[str, PracticePath]:
    """The paths beside `guides_directory`, by id, read again only when a path file or the
    guides changed; none (and a log line) when they are broken, so the guides still serve."""
    directory = paths_directory(guides_directory)
    if not directory.is_dir():
        return {}
    key = (str(directory), fingerprint(directory), frozenset(guide_ids))
    if key not in _CURRENT:
        try:
            paths = load_paths(directory, guide_ids)
        except LibraryError as error:
            log.error("practice paths in %s are broken:\n%s", directory, error)
            return {}
        _CURRENT.clear()
        _CURRENT[key] = {path.id: path for path in paths}
    return _CURRENT[key]
