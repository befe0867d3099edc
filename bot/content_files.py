"""`inflow content export` / `import`: a workspace's library as the same guide files as the
shipped one, so its owners can keep it in git, review it as files and lint it.

Export writes what the workspace serves (shipped guides, its own published versions, minus what
it hid), each as `<id>.md`. Import lints the directory first and refuses all of it if anything
is broken; otherwise each guide that differs from what the workspace serves becomes a new
published version (a `draft: true` file, a draft), so history keeps every import.
"""

from __future__ import annotations

import datetime as dt
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
    """Lint `directory`, then save its guides for the workspace. Flushes, never commits."""
    errors = [p for p in lint(directory, today=today) if p.severity == "error"]
    if errors:
        raise Refused(errors)
    guides, problems = read_guides(directory)
    if problems and any(p.severity == "error" for p in problems):  # lint said it; be sure
        raise Refused(problems)
    return store.import_guides(
        session,
        team_id=team_id,
        guides=[(g, Path(g.path).read_text(encoding="utf-8")) for g in guides],
        shipped=shipped,
        by=IMPORTED_BY,
        now=now,
    )
