"""Reading guide files: front matter plus Markdown, with the line of every problem."""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import yaml
from pydantic import ValidationError

from bot.library.schema import Guide, GuideMeta

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from bot.library.matcher import Library
    from bot.library.tenants import WorkspaceLibraries

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    message: str
    severity: str = "error"  # or "warning"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.severity}: {self.message}"


class LibraryError(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class FrontMatter:
    """A content file split at its front matter: what guides and practice paths share."""

    text: str  # the whole file, for a version hash
    data: dict
    key_lines: dict[str, int]  # front matter key -> line, for pointing at problems
    body: str
    body_line: int  # the line of the file the body starts on


def read_front_matter(path: Path) -> tuple[FrontMatter | None, list[Problem]]:
    """Split a file into YAML front matter and a Markdown body, or say what is wrong and where."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return None, [Problem(name, 1, f"cannot read: {error}")]
    return split_front_matter(name, text)


# libyaml's safe loader parses front matter ten times faster than the pure-Python one (each
# workspace's saved guides are parsed as a process starts); the same marks, the same errors.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def split_front_matter(name: str, text: str) -> tuple[FrontMatter | None, list[Problem]]:
    """`read_front_matter` for text already read (a guide kept in the database), as `name`."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return None, [Problem(name, 1, "must start with '---' and YAML front matter")]
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        return None, [Problem(name, 1, "front matter is not closed with '---'")]
    front = "\n".join(lines[1:end])
    try:
        node = yaml.compose(front, Loader=_SAFE_LOADER)
        data = yaml.load(front, Loader=_SAFE_LOADER)  # safe: _SAFE_LOADER
    except yaml.YAMLError as error:
        return None, [_yaml_problem(name, error)]
    if not isinstance(data, dict):
        return None, [Problem(name, 2, "front matter must be a mapping of fields")]
    rest = lines[end + 1 :]
    blank = next((i for i, line in enumerate(rest) if line.strip()), len(rest))
    body = "\n".join(rest).strip()
    # The body's first line as it stands in the file, past any blank lines, so a problem
    # found by counting lines in the body points at the right line of the file.
    return FrontMatter(text, data, _key_lines(node), body, end + 2 + blank), []


def field_problems(name: str, error: ValidationError, key_lines: dict[str, int]) -> list[Problem]:
    """A pydantic error on front matter as one problem per field, at that field's line."""
    problems = []
    for item in error.errors():
        field = str(item["loc"][0]) if item["loc"] else ""
        where = ".".join(str(p) for p in item["loc"]) or "front matter"
        message = item["msg"].removeprefix("Value error, ")
        problems.append(Problem(name, key_lines.get(field, 2), f"{where}: {message}"))
    return problems


def parse_guide(path: Path) -> tuple[Guide | None, list[Problem]]:
    """Parse one file into a Guide, or report what is wrong with it and where."""
    front, problems = read_front_matter(path)
    if front is None:
        return None, problems
    return _guide(str(path), front, path.stem)


def parse_guide_text(
    name: str, text: str, expected_id: str | None = None
) -> tuple[Guide | None, list[Problem]]:
    """Parse a guide's Markdown source (as a file holds it) into a Guide; `expected_id`, when
    given, is the id it must have (a file's name, a database row's guide id)."""
    front, problems = split_front_matter(name, text)
    if front is None:
        return None, problems
    return _guide(name, front, expected_id)


def _guide(
    name: str, front: FrontMatter, expected_id: str | None
) -> tuple[Guide | None, list[Problem]]:
    problems: list[Problem] = []
    key_lines = front.key_lines
    try:
        meta = GuideMeta.model_validate(front.data)
    except ValidationError as error:
        return None, field_problems(name, error, key_lines)
    if expected_id is not None and meta.id != expected_id:
        problems.append(
            Problem(name, key_lines.get("id", 2), f"id {meta.id!r} must match the file name")
        )
    if not front.body:
        problems.append(Problem(name, front.body_line, "the guide has no body"))
    if problems:
        return None, problems
    version = hashlib.sha256(front.text.encode()).hexdigest()[:12]
    guide = Guide(
        meta=meta,
        body=front.body,
        path=name,
        body_line=front.body_line,
        version=version,
        field_lines=key_lines,
    )
    return guide, []


def _yaml_problem(name: str, error: yaml.YAMLError) -> Problem:
    """Where and why the front matter is not YAML. A parse error has a mark and a problem; a
    reader error (a control character, say) has neither, only its own message."""
    if isinstance(error, yaml.MarkedYAMLError):
        line = error.problem_mark.line + 2 if error.problem_mark else 2
        return Problem(name, line, f"front matter is not valid YAML: {error.problem}")
    return Problem(name, 2, f"front matter is not valid YAML: {error}")


def _key_lines(node) -> dict[str, int]:
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {key.value: key.start_mark.line + 2 for key, _ in node.value}


def read_guides(directory: Path) -> tuple[list[Guide], list[Problem]]:
    """Every guide in `directory`, and every problem found on the way (per file and across)."""
    guides, problems, broken = [], [], set()
    if not directory.is_dir():
        return [], [Problem(str(directory), 1, "no such directory of guides")]
    for path in sorted(directory.glob("*.md")):
        guide, found = parse_guide(path)
        problems.extend(found)
        if guide is not None:
            guides.append(guide)
        else:
            broken.add(path.stem)
    problems.extend(_cross_checks(guides, broken))
    return guides, problems


def _cross_checks(guides: list[Guide], broken: set[str]) -> list[Problem]:
    """Problems between files. A reference to a guide whose own file has errors is not one
    more problem: that file's error is the one cause, and fixing it fixes the reference."""
    problems = []
    ids = {g.id for g in guides} | broken
    seen_alias: dict[str, str] = {}
    for guide in guides:
        line = guide.line_of("related")
        for related in guide.meta.related:
            if related not in ids:
                problems.append(Problem(guide.path, line, f"related: unknown guide id {related!r}"))
            if related == guide.id:
                problems.append(
                    Problem(guide.path, line, "related: a guide cannot relate to itself")
                )
        names = [guide.meta.title, *guide.meta.aliases]
        for alias in {" ".join(a.lower().split()) for a in names}:
            other = seen_alias.setdefault(alias, guide.id)
            if other != guide.id:
                problems.append(
                    Problem(
                        guide.path,
                        guide.line_of("aliases"),
                        f"alias {alias!r} is also a name of {other!r}",
                    )
                )
    return problems


def load_guides(directory: Path) -> list[Guide]:
    """The guides in `directory`, refusing the whole library if any file has an error."""
    guides, problems = read_guides(directory)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise LibraryError(errors)
    return [g for g in guides if not g.meta.draft]


def fingerprint(directory: Path) -> tuple:
    """A cheap signature of the directory that changes when any guide file changes."""
    try:
        return tuple(
            (p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(directory.glob("*.md"))
        )
    except OSError:
        return ()


class LibraryHolder:
    """Holds the library the bot serves and swaps in a new one only when it loads cleanly."""

    def __init__(self, directory: Path, build, *, check_every: float = 30.0):
        self.directory = directory
        self._build = build  # list[Guide] -> the object handlers use (a Library)
        self._check_every = check_every
        self._lock = threading.Lock()
        self._fingerprint = fingerprint(directory)
        self._library = build(load_guides(directory))
        self._checked_at = time.monotonic()
        # Each workspace's own library on top of this one (bot.library.tenants); None: the
        # shipped library for everyone (a holder without a database, as in some tests).
        self.workspaces: WorkspaceLibraries | None = None

    def for_team(self, db: Session, team_id: str) -> Library:
        """The library a workspace is served: the shipped one with its own changes."""
        if self.workspaces is None or not team_id:
            return self.library
        return self.workspaces.library(db, team_id)

    @property
    def library(self):
        if time.monotonic() - self._checked_at >= self._check_every:
            self.refresh()
        return self._library

    def refresh(self) -> bool:
        """Reload if the files changed; keep the last good library when the new one is broken."""
        with self._lock:
            self._checked_at = time.monotonic()
            current = fingerprint(self.directory)
            if current == self._fingerprint:
                return False
            self._fingerprint = current
            try:
                self._library = self._build(load_guides(self.directory))
            except LibraryError as error:
                log.error(
                    "library in %s is broken; still serving the last good one:\n%s",
                    self.directory,
                    error,
                )
                return False
            log.info("library reloaded from %s", self.directory)
            return True
