"""Practice paths: the shipped ones, and each rule the loader and lint hold a path file to."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.config import DEFAULT_CONTENT_DIR
from bot.library.lint import lint
from bot.library.loader import LibraryError, load_guides
from bot.library.paths import load_paths, paths_directory, read_paths
from tests.guide_files import write_guide

TODAY = dt.date(2026, 12, 1)

# The paths issue 17 asks for by name; the practice commands will refer to these ids.
SHIPPED = {
    "giving-feedback",
    "coaching-conversations",
    "delegating-well",
    "running-better-retros",
    "making-decisions-together",
    "new-manager-first-weeks",
}

GOOD = """---
id: practising
title: Practising the thing
skill: The thing
summary: Two weeks of practising the thing on real work.
weeks: 2
guides: [alpha, beta]
owner: learning@inflow.example
review_by: 2030-01-01
---
Two small weeks, on work you already have.

## Week 1: Try alpha
Guide: alpha

### Practice
This week, try alpha once on real work. Which piece of work will it be?

### Check-in
How did it go? What changed in the work?

### Manager note
A question for your 1:1: "What did you notice when you tried it?"

## Week 2: Try beta
Guide: beta

### Practice
This week, try beta in one meeting. Which meeting will it be?

### Check-in
What changed in the work after you tried it?
"""


@pytest.fixture
def content(tmp_path) -> Path:
    """A directory of guides `alpha` and `beta`, with one good path in the paths beside it."""
    guides = tmp_path / "content" / "guides"
    write_guide(guides, "alpha", title="Alpha")
    write_guide(guides, "beta", title="Beta")
    write_path(guides, GOOD)
    return guides


def write_path(guides: Path, text: str) -> Path:
    """Write `practising.md` into the paths beside `guides`; returns its path."""
    directory = paths_directory(guides)
    directory.mkdir(exist_ok=True)
    path = directory / "practising.md"
    path.write_text(text, encoding="utf-8")
    return path


def problems_with(text: str, content: Path) -> list[str]:
    """What lint says once `text` replaces the path file, as `line: message`."""
    write_path(content, text)
    return [f"{p.line}: {p.message}" for p in lint(content, today=TODAY)]


# The shipped paths


def test_the_shipped_paths_load_and_draw_only_on_library_guides():
    guide_ids = {g.id for g in load_guides(DEFAULT_CONTENT_DIR)}
    paths = load_paths(paths_directory(DEFAULT_CONTENT_DIR), guide_ids)
    assert {p.id for p in paths} >= SHIPPED
    for path in paths:
        assert 3 <= path.meta.weeks == len(path.steps) <= 5, path.id
        assert {step.guide for step in path.steps} == set(path.meta.guides) <= guide_ids


def test_the_shipped_paths_lint_clean():
    problems = lint(DEFAULT_CONTENT_DIR, today=TODAY)
    paths = str(paths_directory(DEFAULT_CONTENT_DIR))
    assert [str(p) for p in problems if p.path.startswith(paths)] == []


def test_each_shipped_manager_note_is_one_coaching_question():
    guide_ids = {g.id for g in load_guides(DEFAULT_CONTENT_DIR)}
    for path in load_paths(paths_directory(DEFAULT_CONTENT_DIR), guide_ids):
        for step in path.steps:
            assert step.manager_note is not None, (path.id, step.week)
            assert step.manager_note.count("?") == 1, (path.id, step.week)


def test_the_paths_live_beside_the_guides():
    assert paths_directory(DEFAULT_CONTENT_DIR) == DEFAULT_CONTENT_DIR.parent / "paths"


# Loading


def test_a_path_loads_with_its_weeks_in_order(content):
    [path] = load_paths(paths_directory(content), {"alpha", "beta"})
    assert (path.id, path.meta.skill, path.intro) == (
        "practising",
        "The thing",
        "Two small weeks, on work you already have.",
    )
    first, second = path.steps
    assert (first.week, first.title, first.guide, first.line) == (1, "Try alpha", "alpha", 13)
    assert first.practice.endswith("Which piece of work will it be?")
    assert first.check_in == "How did it go? What changed in the work?"
    assert first.manager_note == 'A question for your 1:1: "What did you notice when you tried it?"'
    assert (second.week, second.guide, second.manager_note) == (2, "beta", None)


def test_a_clean_content_directory_lints_clean(content):
    assert lint(content, today=TODAY) == []


def test_loading_a_broken_path_is_refused(content):
    write_path(content, GOOD.replace("weeks: 2", "weeks: 3"))
    with pytest.raises(LibraryError) as refused:
        load_paths(paths_directory(content), {"alpha", "beta"})
    assert "practising.md:6: error: weeks: says 3" in str(refused.value)


def test_a_missing_directory_of_paths_is_a_problem(tmp_path):
    _, problems = read_paths(tmp_path / "nowhere", {"alpha"})
    assert [p.message for p in problems] == ["no such directory of practice paths"]


# Lint: each rule, one clear message naming the file's line and the field


def test_the_message_names_the_file(content):
    write_path(content, GOOD.replace("owner: learning@inflow.example\n", ""))
    [problem] = lint(content, today=TODAY)
    assert (
        str(problem)
        == f"{paths_directory(content) / 'practising.md'}:2: error: owner: Field required"
    )


def test_an_unknown_key_is_refused(content):
    text = GOOD.replace("owner:", "colour: blue\nowner:")
    assert problems_with(text, content) == ["8: colour: Extra inputs are not permitted"]


def test_the_id_must_match_the_file_name(content):
    text = GOOD.replace("id: practising", "id: practice")
    assert problems_with(text, content) == ["2: id 'practice' must match the file name"]


def test_weeks_must_count_the_week_sections(content):
    text = GOOD.replace("weeks: 2", "weeks: 3")
    assert problems_with(text, content) == [
        "6: weeks: says 3 but the file has 2 '## Week N: title' sections"
    ]


def test_a_guide_missing_from_the_library_is_named(content):
    text = GOOD.replace("[alpha, beta]", "[alpha, gamma]").replace("Guide: beta", "Guide: gamma")
    assert problems_with(text, content) == [
        "7: guides: unknown guide id 'gamma' (no such guide in the library)"
    ]


def test_a_draft_guide_is_not_in_the_library(content):
    write_guide(content, "beta", title="Beta", draft=True)
    assert problems_with(GOOD, content) == [
        "7: guides: unknown guide id 'beta' (no such guide in the library)"
    ]


def test_a_broken_guide_is_the_one_cause(content):
    (content / "beta.md").write_text("no front matter", encoding="utf-8")
    [problem] = lint(content, today=TODAY)
    assert problem.path.endswith("guides/beta.md")


def test_a_week_must_draw_on_a_listed_guide(content):
    text = GOOD.replace("[alpha, beta]", "[alpha]")
    assert problems_with(text, content) == [
        "25: week 2: guide 'beta' is not in the front matter's guides list"
    ]


def test_every_listed_guide_must_be_drawn_on(content):
    text = GOOD.replace("Guide: beta", "Guide: alpha")
    assert problems_with(text, content) == ["7: guides: 'beta' is listed but no week draws on it"]


def test_a_week_must_name_its_guide(content):
    text = GOOD.replace("Guide: beta\n", "")
    assert problems_with(text, content) == [
        "25: week 2: guide: missing; add 'Guide: <guide id>' under the heading"
    ]


def test_an_empty_guide_line_is_a_missing_guide(content):
    text = GOOD.replace("Guide: beta", "Guide:")
    assert problems_with(text, content) == [
        "25: week 2: guide: missing; add 'Guide: <guide id>' under the heading"
    ]


def test_a_week_needs_a_check_in(content):
    text = GOOD.replace("### Check-in\nWhat changed in the work after you tried it?\n", "")
    assert problems_with(text, content) == [
        "25: week 2: check-in: missing its '### Check-in' section"
    ]


def test_a_section_over_slacks_limit_is_refused(content):
    # 2,062 characters as written, but each "&" goes to Slack as "&amp;"
    text = GOOD.replace("This week, try beta", "This week, try beta " + "& " * 1000)
    assert problems_with(text, content) == [
        "28: week 2: practice: is 6062 characters; Slack's limit for a section is 3000"
    ]


def test_the_review_date_must_be_a_date(content):
    text = GOOD.replace("review_by: 2030-01-01", "review_by: next spring")
    [problem] = problems_with(text, content)
    assert problem.startswith("9: review_by: Input should be a valid date")


def test_a_passed_review_date_is_a_warning(content):
    write_path(content, GOOD.replace("review_by: 2030-01-01", "review_by: 2026-11-30"))
    [problem] = lint(content, today=TODAY)
    assert (problem.line, problem.severity) == (9, "warning")
    assert problem.message == "review was due on 2026-11-30 (owner: learning@inflow.example)"


def test_a_practice_asks_which_real_situation(content):
    text = GOOD.replace("Which meeting will it be?", "Pick a meeting.")
    assert problems_with(text, content) == [
        "28: week 2: practice: must end by asking which real situation they will practise on, "
        "as a question"
    ]


def test_a_check_in_asks_what_changed_not_whether_it_was_completed(content):
    text = GOOD.replace(
        "What changed in the work after you tried it?", "Did you complete the practice?"
    )
    assert problems_with(text, content) == [
        "31: week 2: check-in: must ask what changed in the work, not whether it was completed"
    ]


def test_a_manager_note_holds_a_coaching_question(content):
    text = GOOD.replace(
        'A question for your 1:1: "What did you notice when you tried it?"',
        "Make sure they did it.",
    )
    assert problems_with(text, content) == [
        "22: week 1: manager note: must give the manager a coaching question to ask"
    ]


def test_weeks_are_numbered_in_order(content):
    text = GOOD.replace("## Week 2: Try beta", "## Week 3: Try beta")
    assert problems_with(text, content) == [
        "25: week 2 is headed 'Week 3'; number the weeks 1, 2, 3… in order"
    ]


def test_a_week_heading_says_which_week(content):
    text = GOOD.replace("## Week 2: Try beta", "## Try beta")
    assert problems_with(text, content) == ["25: week 2: the heading must read '## Week 2: title'"]


def test_an_unknown_part_is_refused(content):
    text = GOOD.replace("### Manager note", "### Notes")
    assert problems_with(text, content) == [
        "22: unexpected heading '### Notes': use '## Week N: title' for a week, and "
        "'### Practice', '### Check-in' or '### Manager note' in it"
    ]


def test_a_part_given_twice_is_refused(content):
    text = GOOD.replace("### Manager note", "### Check-in")
    assert problems_with(text, content) == ["22: '### Check-in' appears twice"]


def test_text_between_the_heading_and_the_practice_is_refused(content):
    text = GOOD.replace("Guide: beta\n", "Guide: beta\nSome words.\n")
    assert problems_with(text, content) == [
        "27: text before '### Practice': a week starts with its 'Guide: <id>' line only"
    ]


def test_broken_yaml_points_at_its_line(content):
    text = GOOD.replace("weeks: 2", "weeks: [2")
    [problem] = problems_with(text, content)
    assert problem.startswith("7: front matter is not valid YAML")


# The command


def test_lint_cli_checks_the_paths_beside_the_guides(content, capsys):
    from bot.cli import main

    write_path(content, GOOD.replace("id: practising", "id: other"))
    assert main(["content", "lint", str(content)]) == 1
    out, err = capsys.readouterr()
    assert f"{paths_directory(content) / 'practising.md'}:2: error: id 'other' must match" in out
    assert "2 guides and 1 practice path checked: 1 errors, 0 warnings" in err


def test_an_introduction_over_slacks_limit_is_refused(content):
    text = GOOD.replace("Two small weeks", "Two small weeks " + "word " * 600)
    assert problems_with(text, content) == [
        "11: introduction: is 3043 characters; Slack's limit for a section is 3000"
    ]
