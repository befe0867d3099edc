"""Each workspace's own library: its guides, its edited copies, its hidden ones, served fresh by
every replica; and `inflow content export` / `import` as files."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import itertools
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.cli import main
from bot.db import make_sessionmaker, transaction
from bot.emulator import TEAM_ID
from bot.library.loader import load_guides
from bot.library.matcher import Library, Outcome
from bot.library.overlay import Overlaid, overlaid
from bot.library.tenants import WorkspaceLibraries
from bot.models import GuideRecord, WorkspaceGuide
from bot.services import library as library_service
from bot.services import workspace_guides as store
from bot.slack.ids import Command
from tests.conftest import TEAM_A, TEAM_B, serving
from tests.guide_files import write_guide

HANDOVER = "Night shift handover"  # a guide only workspace A has
HANDOVER_ID = "night-shift-handover"
SHIPPED = {"running-a-retro": "Running a retro", "giving-feedback": "Giving feedback"}
A, B = TEAM_A, TEAM_B


def _source(tmp_path: Path, guide_id: str, title: str) -> str:
    return write_guide(tmp_path / "sources", guide_id, title=title).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def shipped(tmp_path_factory) -> Library:
    directory = tmp_path_factory.mktemp("shipped")
    for guide_id, title in SHIPPED.items():
        write_guide(directory, guide_id, title=title)
    return Library(load_guides(directory))


class Later:
    """Background work held until the test runs it."""

    def __init__(self) -> None:
        self.work: list[Callable[[], None]] = []

    def __call__(self, work: Callable[[], None]) -> None:
        self.work.append(work)

    def run(self) -> None:
        while self.work:
            self.work.pop(0)()


@pytest.fixture
def later() -> Later:
    return Later()


@pytest.fixture
def libraries(shipped, clock, db, later) -> WorkspaceLibraries:
    return WorkspaceLibraries(
        lambda: shipped, clock, sessions=lambda: contextlib.nullcontext(db), run_later=later
    )


def _publish(db, team_id: str, source: str, guide_id: str) -> None:
    store.save_version(
        db,
        team_id=team_id,
        guide_id=guide_id,
        source=source,
        state=store.GuideState.PUBLISHED,
        by="U0OWNER01",
        now=dt.datetime(2026, 11, 23, tzinfo=dt.UTC),
    )


# -- the per-workspace library --------------------------------------------------------------------


def test_workspaces_without_changes_share_the_shipped_library_object(db, libraries, shipped):
    store.hide(
        db, team_id=A, guide_id="running-a-retro", by="U0OWNER01", now=_now()
    )  # A's change is not B's

    assert libraries.library(db, B) is shipped
    assert libraries.library(db, "T0CCCCCCC") is shipped


def test_a_workspaces_own_guide_is_matched_for_it_and_not_for_another(
    db, libraries, shipped, tmp_path
):
    _publish(db, A, _source(tmp_path, HANDOVER_ID, HANDOVER), HANDOVER_ID)

    found = libraries.library(db, A).search("night shift handover")
    assert found.outcome is Outcome.ANSWER and found.best and found.best.guide.id == HANDOVER_ID
    other = libraries.library(db, B).search("night shift handover")
    assert HANDOVER_ID not in {m.guide.id for m in other.matches}
    assert HANDOVER_ID not in libraries.library(db, B).by_id


def test_an_edited_copy_wins_in_its_workspace_only(db, libraries, tmp_path):
    _publish(db, A, _source(tmp_path, "running-a-retro", "Our retro, the A way"), "running-a-retro")

    assert libraries.library(db, A).by_id["running-a-retro"].title == "Our retro, the A way"
    assert len(libraries.library(db, A).guides) == len(SHIPPED)
    assert libraries.library(db, B).by_id["running-a-retro"].title == "Running a retro"


def test_a_hidden_guide_is_not_served_in_its_workspace(db, libraries):
    store.hide(
        db, team_id=A, guide_id="giving-feedback", by="U0OWNER01", now=dt.datetime.now(dt.UTC)
    )

    assert "giving-feedback" not in libraries.library(db, A).by_id
    assert "giving-feedback" in libraries.library(db, B).by_id


def test_a_newer_version_wins_and_a_draft_changes_nothing_served(db, libraries, tmp_path):
    _publish(db, A, _source(tmp_path, HANDOVER_ID, HANDOVER), HANDOVER_ID)
    _publish(db, A, _source(tmp_path / "2", HANDOVER_ID, "Night shift handover, v2"), HANDOVER_ID)
    store.save_version(
        db,
        team_id=A,
        guide_id=HANDOVER_ID,
        source=_source(tmp_path / "3", HANDOVER_ID, "Not yet"),
        state=store.GuideState.DRAFT,
        by="U0OWNER01",
        now=dt.datetime.now(dt.UTC),
    )

    assert libraries.library(db, A).by_id[HANDOVER_ID].title == "Night shift handover, v2"
    versions = db.scalars(select(WorkspaceGuide.version).where(WorkspaceGuide.team_id == A))
    assert sorted(versions) == [1, 2, 3]  # every save kept, for history


def test_a_change_is_served_after_the_check_interval_once_rebuilt_in_the_background(
    db, libraries, shipped, clock, later, tmp_path
):
    assert libraries.library(db, A) is shipped
    _publish(db, A, _source(tmp_path, HANDOVER_ID, HANDOVER), HANDOVER_ID)
    assert libraries.library(db, A) is shipped  # checked a moment ago
    clock.advance(seconds=2)
    assert libraries.library(db, A) is shipped  # a rebuild is due; meanwhile, the one before
    assert len(later.work) == 1
    clock.advance(seconds=2)  # checked again while the rebuild is under way: not a second one
    assert libraries.library(db, A) is shipped and len(later.work) == 1

    later.run()
    rebuilt = libraries.library(db, A)
    assert HANDOVER_ID in rebuilt.by_id
    clock.advance(seconds=2)
    assert libraries.library(db, A) is rebuilt  # nothing changed since: the same object
    assert later.work == []


# -- served: signed /learn, two workspaces, two replicas -------------------------------------------


_ASKERS = itertools.count(1)


def _learn(sender, words: str) -> str:
    """/learn, each time from someone else: the same signed request twice would be a replay,
    which inflow acknowledges without acting on (bot.signatures)."""
    user_id = f"W0ASKER{next(_ASKERS):03d}"
    return json.dumps(sender.command(Command.LEARN, words, user_id=user_id).json())


def _env(monkeypatch, database_url: str) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    for name in ("SLACK_BOT_TOKEN", "SLACK_CLIENT_ID"):
        monkeypatch.delenv(name, raising=False)


def test_a_guide_imported_for_one_workspace_is_found_there_and_not_in_the_other(
    two_workspaces, database_url, monkeypatch, tmp_path, capsys, clock
):
    assert HANDOVER not in _learn(two_workspaces.a, "night shift handover")
    write_guide(tmp_path / "mine", HANDOVER_ID, title=HANDOVER)
    _env(monkeypatch, database_url)

    assert main(["content", "import", str(tmp_path / "mine"), "--team", TEAM_A]) == 0
    assert f"added: 1 ({HANDOVER_ID})" in capsys.readouterr().out

    clock.advance(seconds=2)
    _learn(two_workspaces.a, "night shift handover")  # notices it; rebuilt in the background
    answer = two_workspaces.a.command(Command.LEARN, "night shift handover").json()
    assert answer["blocks"][0]["text"]["text"].startswith(HANDOVER)
    assert HANDOVER not in _learn(two_workspaces.b, "night shift handover")
    with two_workspaces.served.session() as session:  # the view refers to a known guide id
        assert session.get(GuideRecord, HANDOVER_ID) is not None


def test_a_change_saved_through_one_replica_is_served_by_another_within_the_window(
    settings, emulator, clock, tmp_path
):
    with serving(settings, emulator, clock) as one, serving(settings, emulator, clock) as two:
        assert HANDOVER not in _learn(one.slack, "night shift handover")
        assert HANDOVER not in _learn(two.slack, "night shift handover")
        with transaction(one.sessions) as db:
            _publish(db, TEAM_ID, _source(tmp_path, HANDOVER_ID, HANDOVER), HANDOVER_ID)

        assert HANDOVER not in _learn(two.slack, "night shift handover")  # within 2 s: cached
        clock.advance(seconds=2)
        for replica in (one, two):  # each notices it; the rebuild runs after the answer
            _learn(replica.slack, "night shift handover")
            assert HANDOVER in _learn(replica.slack, "night shift handover")


# -- files: export, lint, import -------------------------------------------------------------------


def test_export_lint_import_round_trip(engine, database_url, monkeypatch, tmp_path, capsys):
    _env(monkeypatch, database_url)
    write_guide(tmp_path / "mine", HANDOVER_ID, title=HANDOVER)
    assert main(["content", "import", str(tmp_path / "mine"), "--team", TEAM_A]) == 0
    with transaction(make_sessionmaker(engine)) as db:
        store.hide(db, team_id=TEAM_A, guide_id="sbi-feedback", by="U0OWNER01", now=_now())
    capsys.readouterr()

    assert main(["content", "export", str(tmp_path / "out"), "--team", TEAM_A]) == 0
    exported = {p.stem for p in (tmp_path / "out").glob("*.md")}
    assert HANDOVER_ID in exported and "sbi-feedback" not in exported
    assert main(["content", "lint", str(tmp_path / "out")]) == 0

    capsys.readouterr()
    assert main(["content", "import", str(tmp_path / "out"), "--team", TEAM_A]) == 0
    out = capsys.readouterr().out
    assert "added: 0" in out and "updated: 0" in out and f"unchanged: {len(exported)}" in out

    assert main(["content", "import", str(tmp_path / "out"), "--team", TEAM_B]) == 0
    assert f"added: 1 ({HANDOVER_ID})" in capsys.readouterr().out


def test_export_refuses_a_directory_that_holds_guide_files(database_url, monkeypatch, tmp_path):
    _env(monkeypatch, database_url)
    write_guide(tmp_path / "out", "stale-guide", title="Stale guide")
    assert main(["content", "export", str(tmp_path / "out"), "--team", TEAM_A]) == 2


def test_import_refuses_everything_when_one_file_is_broken(
    engine, database_url, monkeypatch, tmp_path, capsys
):
    _env(monkeypatch, database_url)
    write_guide(tmp_path / "mine", HANDOVER_ID, title=HANDOVER)
    broken = write_guide(tmp_path / "mine", "broken-guide", title="Broken guide")
    broken.write_text(broken.read_text().replace("minutes: 2", "minutes: 40"))

    assert main(["content", "import", str(tmp_path / "mine"), "--team", TEAM_A]) == 1
    err = capsys.readouterr().err
    assert f"{broken}:7: error: minutes:" in err
    assert "nothing imported: 1 errors" in err
    with engine.connect() as connection:
        assert connection.scalar(select(func.count(WorkspaceGuide.id))) == 0


def _now() -> dt.datetime:
    return dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC)


def test_shipped_sync_does_not_retire_a_workspaces_own_guide(db, tmp_path):
    _publish(db, A, _source(tmp_path, HANDOVER_ID, HANDOVER), HANDOVER_ID)
    guide = load_guides(tmp_path / "sources")[0]
    store.import_guides(db, team_id=B, guides=[(guide, "x")], shipped=[], by="U1", now=_now())

    library_service.sync_guides(db, [], _now())

    record = db.get(GuideRecord, HANDOVER_ID)
    assert record is not None and record.retired is False


def test_an_imported_guide_may_relate_to_the_workspaces_guides_but_not_take_their_names(
    engine, database_url, monkeypatch, tmp_path, capsys
):
    _env(monkeypatch, database_url)
    mine = write_guide(tmp_path / "mine", HANDOVER_ID, title=HANDOVER)
    mine.write_text(mine.read_text().replace("owner:", "related: [sbi-feedback]\nowner:"))
    assert main(["content", "import", str(tmp_path / "mine"), "--team", TEAM_A]) == 0

    write_guide(tmp_path / "taken", "our-sbi", title="SBI model")  # an alias of sbi-feedback
    assert main(["content", "import", str(tmp_path / "taken"), "--team", TEAM_A]) == 1
    err = capsys.readouterr().err
    assert "alias 'sbi model' is also a name of 'our-sbi'" in err


def test_content_search_with_team_searches_that_workspaces_library(
    database_url, monkeypatch, tmp_path, capsys
):
    _env(monkeypatch, database_url)
    write_guide(tmp_path / "mine", HANDOVER_ID, title=HANDOVER)
    assert main(["content", "import", str(tmp_path / "mine"), "--team", TEAM_A]) == 0
    capsys.readouterr()

    def best(*team: str) -> str | None:
        monkeypatch.setattr("sys.stdin", io.StringIO("night shift handover\n"))
        assert main(["content", "search", "--json", *team]) == 0
        matches = json.loads(capsys.readouterr().out)["matches"]
        return matches[0]["id"] if matches else None

    assert best("--team", TEAM_A) == HANDOVER_ID
    assert best("--team", TEAM_B) != HANDOVER_ID
    assert best() != HANDOVER_ID


def test_a_failed_rebuild_keeps_the_library_before_and_is_tried_again(
    db, shipped, clock, later, tmp_path
):
    broken = {"yes": True}

    def sessions():
        if broken["yes"]:
            raise RuntimeError("database gone")
        return contextlib.nullcontext(db)

    libraries = WorkspaceLibraries(lambda: shipped, clock, sessions=sessions, run_later=later)
    assert libraries.library(db, A) is shipped
    _publish(db, A, _source(tmp_path, HANDOVER_ID, HANDOVER), HANDOVER_ID)
    clock.advance(seconds=2)
    libraries.library(db, A)
    later.run()  # fails, logged
    assert libraries.library(db, A) is shipped

    broken["yes"] = False
    clock.advance(seconds=2)
    libraries.library(db, A)
    later.run()
    assert HANDOVER_ID in libraries.library(db, A).by_id


def test_workspaces_with_changes_are_built_at_start_so_their_first_request_does_not_wait(
    db, shipped, clock, later, tmp_path
):
    _publish(db, A, _source(tmp_path, HANDOVER_ID, HANDOVER), HANDOVER_ID)
    builds = []

    def build(base, served, previous):
        builds.append(sorted(served))
        return overlaid(base, served, previous)

    libraries = WorkspaceLibraries(
        lambda: shipped,
        clock,
        sessions=lambda: contextlib.nullcontext(db),
        run_later=later,
        build=build,
    )
    libraries.warm()
    assert len(later.work) == 1 and builds == []  # in the background, not at once
    later.run()
    assert len(builds) == 1

    assert HANDOVER_ID in libraries.library(db, A).by_id
    assert libraries.library(db, B) is shipped
    assert len(builds) == 1  # the request found it built


def test_an_edit_is_rebuilt_on_the_workspaces_own_index_not_the_shipped_one(
    db, libraries, shipped, clock, later, tmp_path
):
    _publish(db, A, _source(tmp_path, HANDOVER_ID, HANDOVER), HANDOVER_ID)
    before = libraries.library(db, A)
    _publish(db, A, _source(tmp_path / "2", "late-handover", "Late handover"), "late-handover")
    clock.advance(seconds=2)
    libraries.library(db, A)
    later.run()

    after = libraries.library(db, A)
    assert isinstance(before, Overlaid) and isinstance(after, Overlaid)
    assert after.segments[0] is shipped and after.segments[:2] == before.segments
    assert {"late-handover", HANDOVER_ID} <= after.by_id.keys()
