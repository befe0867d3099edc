"""The library: the shipped guides, lint, loading, hot reload."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from bot.config import DEFAULT_CONTENT_DIR
from bot.library.lint import lint
from bot.library.loader import LibraryError, LibraryHolder, load_guides

# The catalog's ids (a public contract: history refers to them).
CATALOG = """
sbi-feedback feedforward asking-for-feedback receiving-tough-feedback spotting-strengths
recognition-that-lands mistake-moments blameless-postmortem after-action-review five-whys
premortem weekly-reflection learning-goals job-shadowing stretch-assignments grow-coaching
coaching-in-the-moment productive-struggle one-on-one-meetings delegation-levels
psychological-safety difficult-conversations career-conversations onboarding-buddy
active-listening daci-decisions raci-matrix reversible-decisions eisenhower-matrix cynefin
decision-records disagree-and-commit weighted-decision-matrix rice-prioritization
moscow-prioritization pitch-prototype-pilot one-page-pitch running-a-pilot
hypothesis-driven-experiments assumption-mapping effective-meetings running-a-retrospective
brainstorming-facilitation async-status-updates bluf-writing conflict-resolution escalating-well
time-blocking saying-no three-point-estimates presenting-to-executives
""".split()

GOOD = """---
id: {id}
title: A guide about {id}
kind: guide
category: decisions
summary: Helps you do the thing well.
minutes: 2
tags: [thing]
aliases: [{id} alias]
triggers: []
related: []
owner: learning@inflow.example
review_by: 2030-01-01
---
## When to use it
When you need to.
"""


@pytest.fixture
def guides_dir(tmp_path) -> Path:
    directory = tmp_path / "guides"
    directory.mkdir()
    for name in ("alpha", "beta"):
        (directory / f"{name}.md").write_text(GOOD.format(id=name))
    return directory


def test_the_library_holds_every_catalog_guide():
    ids = {g.id for g in load_guides(DEFAULT_CONTENT_DIR)}
    assert set(CATALOG) <= ids


def test_the_shipped_library_lints_clean():
    problems = lint(DEFAULT_CONTENT_DIR, today=dt.date(2026, 11, 21))
    assert [str(p) for p in problems if p.severity == "error"] == []


def test_a_clean_directory_has_no_problems(guides_dir):
    assert lint(guides_dir, today=dt.date(2026, 11, 21)) == []


def test_broken_yaml_is_reported_with_path_and_line(guides_dir):
    (guides_dir / "alpha.md").write_text(
        GOOD.format(id="alpha").replace("minutes: 2", "minutes: [2")
    )
    [problem] = lint(guides_dir, today=dt.date(2026, 11, 21))
    assert problem.path.endswith("alpha.md")
    assert problem.line >= 7
    assert "YAML" in problem.message


def test_a_missing_field_names_the_field(guides_dir):
    (guides_dir / "beta.md").write_text(
        GOOD.format(id="beta").replace("owner: learning@inflow.example\n", "")
    )
    [problem] = lint(guides_dir, today=dt.date(2026, 11, 21))
    assert "owner" in problem.message


def test_a_wrong_field_points_at_its_line(guides_dir):
    (guides_dir / "beta.md").write_text(
        GOOD.format(id="beta").replace("kind: guide", "kind: essay")
    )
    [problem] = lint(guides_dir, today=dt.date(2026, 11, 21))
    assert (problem.line, problem.message.split(":")[0]) == (4, "kind")


def test_unknown_related_id_is_an_error(guides_dir):
    (guides_dir / "beta.md").write_text(
        GOOD.format(id="beta").replace("related: []", "related: [gamma]")
    )
    [problem] = lint(guides_dir, today=dt.date(2026, 11, 21))
    assert "unknown guide id 'gamma'" in problem.message
    assert problem.line == 11


def test_a_guide_with_an_error_is_the_one_cause_not_the_guides_that_relate_to_it(
    guides_dir, capsys
):
    from bot.cli import main

    (guides_dir / "alpha.md").write_text(
        GOOD.format(id="alpha").replace("summary: Helps you do the thing well.\n", "")
    )
    for name in ("beta", "gamma", "delta"):
        (guides_dir / f"{name}.md").write_text(
            GOOD.format(id=name).replace("related: []", "related: [alpha]")
        )

    assert main(["content", "lint", str(guides_dir)]) == 1

    out = capsys.readouterr().out
    errors = [line for line in out.splitlines() if ": error: " in line]
    assert errors == [f"{guides_dir / 'alpha.md'}:2: error: summary: Field required"]
    assert "unknown guide id" not in out


def test_a_blank_line_after_a_heading_is_an_error_with_its_line(guides_dir):
    (guides_dir / "beta.md").write_text(
        GOOD.format(id="beta") + "\n## Steps\n\n1. Do it.\n## Example\nA team did it.\n"
    )
    problems = lint(guides_dir, today=dt.date(2026, 11, 21))
    assert [(p.line, p.message) for p in problems] == [
        (18, "blank line after the heading '## Steps': start its text on the next line, "
         "as every guide does"),
        (21, "no empty line before the heading '## Example': leave one, as every guide does"),
    ]  # fmt: skip


def test_the_same_alias_on_two_guides_is_an_error(guides_dir):
    (guides_dir / "beta.md").write_text(
        GOOD.format(id="beta").replace("[beta alias]", "[alpha alias]")
    )
    problems = lint(guides_dir, today=dt.date(2026, 11, 21))
    assert any("also a name of 'alpha'" in p.message for p in problems)


def test_id_must_match_the_file_name(guides_dir):
    (guides_dir / "beta.md").write_text(GOOD.format(id="gamma"))
    problems = lint(guides_dir, today=dt.date(2026, 11, 21))
    assert any("must match the file name" in p.message for p in problems)


def test_a_passed_review_date_is_a_warning(guides_dir):
    problems = lint(guides_dir, today=dt.date(2030, 6, 1))
    assert [p.severity for p in problems] == ["warning", "warning"]
    assert "review was due on 2030-01-01" in problems[0].message


def test_a_section_over_slacks_limit_is_an_error(guides_dir):
    long_body = "## Steps\n" + ("word " * 700) + "\n"
    (guides_dir / "alpha.md").write_text(GOOD.format(id="alpha") + long_body)
    problems = lint(guides_dir, today=dt.date(2026, 11, 21))
    assert any("over Slack's 3000 characters" in p.message for p in problems)


def test_loading_a_broken_library_is_refused(guides_dir):
    (guides_dir / "beta.md").write_text("no front matter")
    with pytest.raises(LibraryError):
        load_guides(guides_dir)


def test_a_control_character_in_front_matter_is_a_problem_not_a_crash(guides_dir):
    (guides_dir / "beta.md").write_text("---\nid: be\x07ta\n---\nBody\n")
    problems = lint(guides_dir, today=dt.date(2026, 11, 21))
    assert [(p.path.endswith("beta.md"), p.line) for p in problems] == [(True, 2)]
    assert "front matter is not valid YAML: unacceptable character #x0007" in problems[0].message


def test_the_running_bot_keeps_the_last_good_library(guides_dir):
    holder = LibraryHolder(guides_dir, lambda guides: {g.id for g in guides}, check_every=0)
    assert holder.library == {"alpha", "beta"}

    (guides_dir / "beta.md").write_text("---\nid: [broken\n---\n")
    assert holder.refresh() is False
    assert holder.library == {"alpha", "beta"}

    (guides_dir / "beta.md").write_text(GOOD.format(id="beta"))
    (guides_dir / "gamma.md").write_text(GOOD.format(id="gamma"))
    assert holder.refresh() is True
    assert holder.library == {"alpha", "beta", "gamma"}


def test_draft_guides_are_not_served(guides_dir):
    (guides_dir / "beta.md").write_text(
        GOOD.format(id="beta").replace("review_by:", "draft: true\nreview_by:")
    )
    assert [g.id for g in load_guides(guides_dir)] == ["alpha"]


def test_lint_cli_exits_non_zero_with_path_and_line(guides_dir, capsys):
    from bot.cli import main

    shutil.copy(guides_dir / "alpha.md", guides_dir / "copy.md")
    assert main(["content", "lint", str(guides_dir)]) == 1
    out = capsys.readouterr().out
    assert f"{guides_dir / 'copy.md'}:2: error: id 'alpha' must match the file name" in out


def test_a_body_splits_into_its_sections():
    from bot.library.schema import body_sections

    body = "lead in\n## When to use it\nnow\n\n## Steps\n1. one\n"
    assert body_sections(body) == [
        ("", None, ["lead in"]),
        ("when to use it", "## When to use it", ["now", ""]),
        ("steps", "## Steps", ["1. one"]),
    ]
    assert body_sections("## Steps\n1. one") == [("steps", "## Steps", ["1. one"])]
