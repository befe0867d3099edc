"""Work becomes content: `inflow content draft --from-debrief ID` writes a draft guide."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from bot.cli import main
from bot.config import DEFAULT_CONTENT_DIR
from bot.db import make_sessionmaker, transaction
from bot.library.lint import lint
from bot.library.loader import load_guides, parse_guide
from bot.services import debriefs
from tests.guide_files import write_guide

NOW = dt.datetime(2026, 11, 20, 16, 0, tzinfo=dt.UTC)


@pytest.fixture
def library(tmp_path):
    """A copy of the real library, so the draft is checked against every guide in it."""
    return shutil.copytree(DEFAULT_CONTENT_DIR, tmp_path / "guides")


@pytest.fixture
def env(database_url, engine, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", database_url)
    return make_sessionmaker(engine)


def _debrief(sessions, *, answers: list[dict], topic="the winter release", close=True) -> int:
    with transaction(sessions) as session:
        debrief = debriefs.start(
            session,
            team_id="T0INFLOW1",
            channel_id="C0PROJECT",
            user_id="U0STARTER",
            topic=topic,
            now=NOW,
        )
        for n, answer in enumerate(answers):
            debriefs.answer(
                session,
                team_id="T0INFLOW1",
                debrief_id=debrief.id,
                user_id=f"U0PERSON{n}",
                answers=answer,
                now=NOW,
            )
        if close:
            debriefs.close(session, team_id="T0INFLOW1", debrief_id=debrief.id, now=NOW)
        return debrief.id


WINTER = [
    {
        "happened": "We shipped the winter release two days late.",
        "worked": "Pairing on the release checklist.",
        "did_not": "The freeze came too late for translations.",
        "differently": "Freeze the text a week earlier.",
    },
    {"worked": "The daily ten-minute check-in.", "differently": "Name one release captain."},
]


def test_a_closed_debrief_becomes_a_lint_clean_draft_that_is_not_served(env, library, capsys):
    debrief_id = _debrief(env, answers=WINTER)

    code = main(
        [
            "content",
            "draft",
            "--from-debrief",
            str(debrief_id),
            "--dir",
            str(library),
            "--owner",
            "lead@example.com",
        ]
    )

    assert code == 0
    path = library / f"debrief-{debrief_id}-the-winter-release.md"
    assert str(path) in capsys.readouterr().out
    guide, problems = parse_guide(path)
    assert problems == []
    meta = guide.meta
    assert (meta.title, meta.owner, meta.draft, meta.category.value, meta.related) == (
        "Lessons from the winter release",
        "lead@example.com",
        True,
        "learning-from-the-work",
        ["after-action-review"],
    )
    assert meta.review_by > dt.date.today()
    assert "1. Freeze the text a week earlier." in guide.body
    assert "2. Name one release captain." in guide.body
    assert "- The freeze came too late for translations." in guide.body
    assert "We shipped the winter release two days late." in guide.body
    assert "U0PERSON" not in path.read_text() and "U0STARTER" not in path.read_text()
    assert [p for p in lint(library, today=dt.date.today()) if p.path == str(path)] == []
    assert main(["content", "lint", str(library)]) == 0
    assert guide.id not in {g.id for g in load_guides(library)}  # a draft is not served


def test_the_owner_defaults_to_the_librarys_usual_owner(env, library, capsys):
    debrief_id = _debrief(env, answers=WINTER)

    assert main(["content", "draft", "--from-debrief", str(debrief_id), "--dir", str(library)]) == 0

    guide, _ = parse_guide(library / f"debrief-{debrief_id}-the-winter-release.md")
    assert guide.meta.owner == "learning@inflow.example"


def test_a_long_debrief_is_cut_to_the_librarys_length(env, library):
    point = "We learned " + " ".join(["something about the release"] * 12) + "."
    debrief_id = _debrief(env, answers=[{"worked": point, "differently": point}] * 12)

    assert main(["content", "draft", "--from-debrief", str(debrief_id), "--dir", str(library)]) == 0

    path = library / f"debrief-{debrief_id}-the-winter-release.md"
    guide, _ = parse_guide(path)
    assert len(guide.body.split()) <= 350
    assert "more points are in the debrief's summary" in guide.body
    assert [p for p in lint(library, today=dt.date.today()) if p.path == str(path)] == []


def test_an_unknown_debrief_is_refused(env, library, capsys):
    assert main(["content", "draft", "--from-debrief", "999", "--dir", str(library)]) == 1
    assert "There is no debrief 999." in capsys.readouterr().err


def test_an_open_debrief_is_refused(env, library, capsys):
    debrief_id = _debrief(env, answers=WINTER, close=False)

    assert main(["content", "draft", "--from-debrief", str(debrief_id), "--dir", str(library)]) == 1
    assert f"Debrief {debrief_id} is still open" in capsys.readouterr().err
    assert not list(library.glob("debrief-*.md"))


def test_an_existing_file_is_never_overwritten(env, library, capsys):
    debrief_id = _debrief(env, answers=WINTER)
    args = ["content", "draft", "--from-debrief", str(debrief_id), "--dir", str(library)]
    assert main(args) == 0
    path = library / f"debrief-{debrief_id}-the-winter-release.md"
    path.write_text(path.read_text() + "\nMy edits.\n")
    capsys.readouterr()

    assert main(args) == 1

    assert "already exists" in capsys.readouterr().err
    assert path.read_text().endswith("My edits.\n")


def test_a_title_another_guide_has_gets_the_debriefs_number(env, library):
    write_guide(library, "lessons", title="Lessons from running a retrospective")
    debrief_id = _debrief(env, answers=WINTER, topic="running a retrospective")

    assert main(["content", "draft", "--from-debrief", str(debrief_id), "--dir", str(library)]) == 0

    guide, _ = parse_guide(library / f"debrief-{debrief_id}-running-a-retrospective.md")
    assert guide.meta.title == f"Lessons from running a retrospective (debrief {debrief_id})"
