"""Whether a channel message is a moment at all: a classifier trained on labelled messages.

The patterns in `suggest.py` say what a moment looks like (an ask, a worry, a slip that hit
others); they cannot say what chatter looks like, and chatter is most of a channel: "retro moved
to 3pm", "my coach says my pace is improving", "oops, wrong thread". This model learns the
difference from `channel_examples.jsonl` (shipped): 3,100 channel messages written for training
from the content catalog only (never from an evaluation set), 1,200 of them *moments* a guide
helps with and 1,900 *chatter*.

Features are the stems of the message's words with stopwords kept ("how do i", "should we",
"i'm dreading" carry most of the signal), pairs of stems, and which of `suggest.py`'s patterns
the message shows. The model is logistic regression, trained with AdaGrad from text once per
process, at start-up (about half a second; nothing is downloaded). It does not name a guide:
the matcher does.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path

EXAMPLES_FILE = Path(__file__).with_name("channel_examples.jsonl")
EPOCHS = 6  # tuned with RATE and L2 on the labelled channel sets in tests/data (never on v5 blind)
RATE = 0.3  # AdaGrad's step
L2 = 1e-3  # keeps rare words from deciding alone
SEED = 12  # training visits examples in a fixed shuffled order: the same model every time


class MomentModel:
    """P(moment | features): logistic regression over sparse binary features."""

    def __init__(self, examples: Iterable[tuple[list[str], bool]]):
        rows = [(sorted(set(found)), moment) for found, moment in examples]
        weights: dict[str, float] = {}
        squares: dict[str, float] = {}
        bias, bias_squares = 0.0, 1e-8
        order = list(range(len(rows)))
        shuffle = random.Random(SEED).shuffle
        for _ in range(EPOCHS):
            shuffle(order)
            for index in order:
                found, moment = rows[index]
                score = bias + sum(weights.get(f, 0.0) for f in found)
                error = _sigmoid(score) - (1.0 if moment else 0.0)
                bias_squares += error * error
                bias -= RATE * error / math.sqrt(bias_squares)
                for f in found:
                    w = weights.get(f, 0.0)
                    gradient = error + L2 * w
                    squares[f] = squares.get(f, 1e-8) + gradient * gradient
                    weights[f] = w - RATE * gradient / math.sqrt(squares[f])
        self._weights = {f: w for f, w in weights.items() if abs(w) > 1e-4}
        self._bias = bias

    def probability(self, found: Iterable[str]) -> float:
        weights = self._weights
        return _sigmoid(self._bias + sum(weights.get(f, 0.0) for f in set(found)))

    def explain(self, found: Iterable[str], top: int = 8) -> list[tuple[str, float]]:
        """The features that moved the decision most, for tuning and for `--explain`."""
        scored = [(f, self._weights.get(f, 0.0)) for f in set(found)]
        return sorted(scored, key=lambda pair: -abs(pair[1]))[:top]


def _sigmoid(score: float) -> float:
    return 1 / (1 + math.exp(-max(min(score, 50.0), -50.0)))


def load_examples(path: Path = EXAMPLES_FILE) -> list[tuple[str, bool]]:
    """(text, whether it is a moment) from a JSON-lines file of {"text", "kind"}."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [(row["text"], row["kind"] == "moment") for row in rows]


@lru_cache(maxsize=4)
def trained(featurize: Callable[[str], list[str]], path: Path = EXAMPLES_FILE) -> MomentModel:
    """The model from the shipped examples, trained once per process and features function."""
    return MomentModel((featurize(text), moment) for text, moment in load_examples(path))
