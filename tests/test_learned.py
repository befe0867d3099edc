"""The models of people's words: small talk, the need model and the scope model."""

from __future__ import annotations

import json

import pytest

from bot.config import DEFAULT_CONTENT_DIR
from bot.library import intent, text
from bot.library.learned import (
    EXAMPLES_FILE,
    OUTSIDE,
    NeedModel,
    ScopeModel,
    features,
    load_examples,
)
from bot.library.loader import load_guides


@pytest.fixture(scope="module")
def guides():
    return load_guides(DEFAULT_CONTENT_DIR)


def said(phrase: str) -> list[str]:
    return features(text.words(phrase))


@pytest.mark.parametrize(
    "query", ["hi", "Hey there", "good morning!", "thanks a lot", "ty", "help", "testing 123", ""]
)
def test_small_talk_is_recognised(query):
    assert intent.is_small_talk(query)


@pytest.mark.parametrize(
    "query",
    ["hi, how do I give feedback", "thanks for nothing: my retro flopped", "test plan review"],
)
def test_a_request_is_not_small_talk(query):
    assert not intent.is_small_talk(query)


def test_a_greeting_in_front_of_a_request_is_dropped():
    assert intent.without_greeting("Hey inflow, how do I run a retro?") == "how do I run a retro?"
    assert intent.without_greeting("hello") == "hello"


def test_the_need_model_learns_a_way_of_saying_a_need_from_examples(guides):
    phrase = "I hoard every task instead of handing it over"
    before = NeedModel(guides).posterior(said(phrase))
    after = NeedModel(guides, [(phrase, "delegation-levels")] * 10).posterior(said(phrase))

    assert after["delegation-levels"] > before.get("delegation-levels", 0.0)
    assert max(after, key=after.get) == "delegation-levels"


def test_the_need_model_knows_every_guide_from_its_own_names(guides):
    model = NeedModel(guides)
    for guide in guides:
        found = model.posterior(said(guide.title))
        assert guide.id in found


def test_examples_for_guides_the_library_does_not_serve_are_ignored(guides):
    model = NeedModel(guides, [("zebra stripes", "no-such-guide")])
    assert "no-such-guide" not in model.classes


def test_probabilities_sum_to_at_most_one(guides):
    model = NeedModel(guides, load_examples())
    found = model.posterior(said("my boss keeps criticising my slides"))
    assert all(0.0 <= p <= 1.0 for p in found.values())
    assert sum(found.values()) <= 1.0 + 1e-9


def test_the_scope_model_tells_it_and_payroll_from_the_library(guides):
    model = ScopeModel(guides, load_examples())
    assert model.outside(said("where do I download my payslip")) > 0.9
    assert model.outside(said("how do I give feedback to my manager")) < 0.1
    assert model.outside(said("zqxj")) is None


def test_shipped_examples_name_only_served_guides_or_outside(guides):
    served = {g.id for g in guides}
    rows = [json.loads(line) for line in EXAMPLES_FILE.read_text().splitlines() if line]
    assert len(rows) > 2000
    assert {row["guide"] or OUTSIDE for row in rows} <= served | {OUTSIDE}
