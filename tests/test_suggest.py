"""The channel suggestion decision: restraint first, then the right guide."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from bot.config import DEFAULT_CONTENT_DIR
from bot.library import moments
from bot.library.loader import load_guides
from bot.library.matcher import Library
from bot.library.suggest import MOMENT_FLOOR, moment, moment_features, moment_probability, suggest

DATA = Path(__file__).with_name("data")


@pytest.fixture(scope="module")
def library() -> Library:
    return Library(load_guides(DEFAULT_CONTENT_DIR))


def offered(library: Library, text: str) -> str | None:
    found = suggest(library, text)
    return found.guide.id if found else None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "retro in 20 min, anyone got a fresh format? the last one was a snooze",
            "running-a-retrospective",
        ),
        ("I think I just broke the deploy for everyone, rolling back now 😬", "mistake-moments"),
        (
            "first time running 1:1s with my new reports next week. what do I even talk about?",
            "one-on-one-meetings",
        ),
    ],
)
def test_moments_a_guide_helps_with(library, text, expected):
    assert offered(library, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "thanks for the feedback!",
        "meeting moved to 3pm",
        "the pilot episode was great",
        "retro notes from sprint 42 are here <https://example.com/retro42|notes>",
        "I broke my arm skiing so typing slowly this week, sorry all",
        "how do I add a decision field to the jira template for the team?",
        "should I book the big room or the small one for the workshop on tuesday?",
        "my 1:1 with Sam got moved to thursday, can we swap rooms please?",
    ],
)
def test_restraint_words_alone_are_not_a_moment(library, text):
    assert offered(library, text) is None


@pytest.mark.parametrize(
    "text",
    [
        "how do I squash the last 5 commits into one before merging",
        "anyone know how to export from salesforce to csv without hitting the row limit?",
        "oops my mistake, meeting's at 3 not 2",
        "my bad, I tagged the wrong Sam in the launch thread 😅",
        "does anyone know how to stop the pivot table collapsing the dates into months?",
        "my daughter presented her science fair project to the principal today and nailed it",
    ],
)
def test_tool_questions_and_trivia_get_no_offer(library, text):
    assert offered(library, text) is None


def test_a_tool_in_a_story_about_people_does_not_veto_it():
    story = "new eng on my team has been stuck on the same PR for two days. not sure if I should"
    assert moment(story + " jump in or let her work it out") is not None
    assert moment("how do I rebase my PR onto main without losing commits?") is None


def test_the_kinds_of_moment():
    assert moment("anyone have a good format for a kickoff?") == "ask"
    assert moment("i accidentally emailed the whole customer list the wrong code") == "mistake"
    assert moment("this flaky test keeps coming back every release") == "recurring"
    assert moment("have to tell him tomorrow his project is cancelled") == "obligation"
    assert moment("I'm facilitating the offsite and honestly I'm nervous") == "situation"
    assert moment("deploy to staging done") is None
    assert (
        moment("I made a mistake in the clinic schedule, 3 patients got double booked today")
        == "mistake"
    )
    assert moment("have to call a customer today and tell them we're not building it") == (
        "obligation"
    )


def test_the_reason_names_what_was_said_and_is_one_line(library):
    found = suggest(library, "our sprint retro is tomorrow, anyone got a format that works?")
    assert found is not None and found.reason.startswith("You mentioned “")
    assert "\n" not in found.reason


def _quality(library: Library, path: Path) -> tuple[float, float]:
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    nulls = [r for r in rows if r["expect"] is None]
    labelled = [r for r in rows if r["expect"] is not None]
    noise = sum(offered(library, r["text"]) is not None for r in nulls) / max(1, len(nulls))

    def right(r: dict) -> bool:
        also = r.get("also") or []
        return offered(library, r["text"]) in {
            r["expect"],
            *([also] if isinstance(also, str) else also),
        }

    hits = sum(right(r) for r in labelled) / max(1, len(labelled))
    return noise, hits


@pytest.mark.parametrize(
    ("name", "min_right"),
    [
        ("channel_messages_dev.jsonl", 0.80),  # the given sample: 0 % noise, 83.3 % right
        ("channel_messages.jsonl", 0.72),  # our own, written blind: 0 % noise, 78.2 % right
        ("channel_messages_logistics.jsonl", 0.0),  # chatter that shares words with guides
        ("channel_messages_v2_tune.jsonl", 0.85),  # issue 12's tune halves: 0 %, 90.0 %
        ("channel_messages_v3_tune.jsonl", 0.72),  # 0 %, 76.4 %
        ("channel_messages_v5_tune.jsonl", 0.80),  # 0 %, 84.3 %
    ],
)
def test_quality_on_labelled_channel_messages_does_not_regress(library, name, min_right):
    noise, right = _quality(library, DATA / name)
    assert noise <= 0.02
    assert right >= min_right


def test_suggest_cli_speaks_the_contract(monkeypatch, capsys):
    from bot.cli import main

    lines = "retro in 20 min, anyone got a fresh format? the last one was a snooze\nhaha fair\n"
    monkeypatch.setattr(sys, "stdin", io.StringIO(lines))
    assert main(["content", "suggest", "--json"]) == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert out == [
        {
            "text": "retro in 20 min, anyone got a fresh format? the last one was a snooze",
            "suggestion": "running-a-retrospective",
        },
        {"text": "haha fair", "suggestion": None},
    ]


def test_a_reason_without_a_word_to_point_at_still_reads_well(library):
    from bot.library.matcher import Match
    from bot.library.suggest import _reason

    guide = library.by_id["five-whys"]
    assert _reason(Match(guide, 1.0, 0.0, 0.0)) == f"This might help: {guide.meta.summary}"


def test_offers_on_chatter_stay_under_one_in_a_hundred_across_every_labelled_set(library):
    # Issue 12's target, pooled over every set the decision was tuned or measured on (1,100+
    # chatter messages): 5 offers today (0.5 %).
    chatter = [
        row["text"]
        for path in sorted(DATA.glob("channel_messages*.jsonl"))
        for row in map(json.loads, path.read_text().splitlines())
        if row.get("expect") is None
    ]
    offers = sum(suggest(library, text) is not None for text in chatter)
    assert len(chatter) > 1000
    assert offers / len(chatter) <= 0.01


@pytest.mark.parametrize(
    ("text", "is_moment"),
    [
        ("retro moved to 3pm today, same zoom link as always, see you there", False),
        ("my coach says my 10k pace is finally improving, feeling good about sunday", False),
        ("oops, wrong thread, I meant to post the rota in #front-desk sorry all", False),
        ("had the tough conversation with the supplier yesterday, it went fine actually", False),
        ("first time running our team retro next week, how do I stop it turning into a moan", True),
        ("I have to tell Priya tomorrow that her project is cancelled and I'm dreading it", True),
        ("we keep going round in circles on who actually gets to decide the launch date", True),
    ],
)
def test_the_moment_model_tells_a_moment_from_chatter(text, is_moment):
    assert (moment_probability(text) >= MOMENT_FLOOR) is is_moment


def test_the_moment_model_is_the_same_every_time_it_is_trained():
    rows = moments.load_examples()[:400]
    first = moments.MomentModel((moment_features(t), m) for t, m in rows)
    second = moments.MomentModel((moment_features(t), m) for t, m in rows)
    text = "anyone have a good way to run a premortem before the launch?"
    assert first.probability(moment_features(text)) == second.probability(moment_features(text))


def test_the_model_never_sees_the_evaluation_sets():
    trained_on = {text.strip().lower() for text, _ in moments.load_examples()}
    for path in DATA.glob("channel_messages*.jsonl"):
        for row in map(json.loads, path.read_text().splitlines()):
            assert row["text"].strip().lower() not in trained_on, path.name
