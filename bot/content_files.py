"""`inflow content export` / `import`: a workspace's library as the same guide files as the
shipped one, so its owners can keep it in git, review it as files and lint it.

Export writes what the workspace serves (shipped guides, its own published versions, minus what
it hid), each as `<id>.md`. Import lints the directory first and refuses all of it if anything
is broken; otherwise each guide that differs from what the workspace serves becomes a new
published version (a `draft: true` file, a draft), so history keeps every import.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import tempfile
from pathlib import Path

import yaml
from sqlalchemy.orm import Session

from bot.library.lint import lint
from bot.library.loader import Problem, read_guides, split_front_matter
from bot.library.schema import Guide
from bot.services import workspace_guides as store

IMPORTED_BY = "inflow-cli"  # who saved a version imported from the command line


class Refused(Exception):
    """The directory cannot be imported: every error lint found, one line each."""

    def __init__(self, problems: list[Problem]):
        self.lines = [" ".join(str(p).split()) for p in problems]
        super().__init__("\n".join(self.lines))


def sources(session: Session, team_id: str, shipped: list[Guide]) -> dict[str, str]:
    """The Markdown source of every guide the workspace serves, by id: as saved, except that a
    `related` naming a guide the workspace hid is left out (lint would refuse the files)."""
    served = {g.id: g for g in store.workspace_library(session, team_id, shipped)}
    texts = {g.id: Path(g.path).read_text(encoding="utf-8") for g in shipped if g.id in served}
    for row in store.served_versions(session, team_id):
        if row.guide_id in served and row.state == store.GuideState.PUBLISHED.value:
            texts[row.guide_id] = row.source
    return {
        guide_id: _with_related(texts[guide_id], served[guide_id].meta.related)
        for guide_id in sorted(texts)
    }


def _with_related(text: str, related: list[str]) -> str:
    """The source with its front matter's `related` set to `related`, if that differs."""
    front, _ = split_front_matter("export", text)
    if front is None or list(front.data.get("related") or []) == related:
        return text
    data = {**front.data, "related": related}
    matter = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1000)
    return f"---\n{matter}---\n{front.body}\n"


def export_library(
    session: Session, *, team_id: str, shipped: list[Guide], directory: Path
) -> list[Path]:
    """Write the workspace's library into `directory` (made if missing; it must hold no guide
    files, so nothing stale is imported later). Raises FileExistsError otherwise."""
    directory.mkdir(parents=True, exist_ok=True)
    if any(directory.glob("*.md")):
        raise FileExistsError(str(directory))
    written = []
    for guide_id, text in sources(session, team_id, shipped).items():
        path = directory / f"{guide_id}.md"
        path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
        written.append(path)
    return written


def import_directory(
    session: Session,
    *,
    team_id: str,
    shipped: list[Guide],
    directory: Path,
    today: dt.date,
    now: dt.datetime,
) -> store.ImportReport:
    """Lint `directory` as part of the workspace's library, then save its guides for the
    workspace. Flushes, never commits.

    Lint sees the files over the workspace's library as it is (`_lint_in_place`), so a file
    may relate to a guide the workspace already has, and may not take another guide's name.
    """
    errors = _lint_in_place(session, team_id, shipped, directory, today)
    if errors:
        raise Refused(errors)
    guides, _ = read_guides(directory)  # each file parses (lint said so); links were checked
    return store.import_guides(
        session,
        team_id=team_id,
        guides=[(g, Path(g.path).read_text(encoding="utf-8")) for g in guides],
        shipped=shipped,
        by=IMPORTED_BY,
        now=now,
    )


def _lint_in_place(
    session: Session, team_id: str, shipped: list[Guide], directory: Path, today: dt.date
) -> list[Problem]:
    """Lint's errors in `directory`'s files, linted among the workspace's other guides."""
    if not directory.is_dir():
        return [Problem(str(directory), 1, "no such directory of guides")]
    files = {path.name: path for path in directory.glob("*.md")}
    with tempfile.TemporaryDirectory(prefix="inflow-import-") as merged:
        for guide_id, text in sources(session, team_id, shipped).items():
            (Path(merged) / f"{guide_id}.md").write_text(text, encoding="utf-8")
        for name, path in files.items():
            shutil.copyfile(path, Path(merged) / name)
        found = lint(Path(merged), today=today)
    imported = {Path(name).stem for name in files}
    errors = []
    for problem in found:
        name = Path(problem.path).name
        if problem.severity != "error":
            continue
        if name in files:
            errors.append(dataclasses.replace(problem, path=str(files[name])))
        elif any(f"'{guide_id}'" in problem.message for guide_id in imported):
            # The workspace's own guide, broken by a file (say, that took its alias).
            errors.append(dataclasses.replace(problem, path=f"{team_id}:{name}"))
    return errors
