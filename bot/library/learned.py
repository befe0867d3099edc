"""What people's own words say about which guide they need: a naive Bayes model over examples.

The lexical matcher (`matcher.py`) finds guides by the words the guides use. People often use
other words ("I do everything myself", "my junior is always late to standup"), and the guides
cannot hold every way of saying a need. This model learns those ways from examples:

- `examples.jsonl` (shipped): about 4,600 requests written for training, each labelled with the
  guide it needs, or with none for requests outside the library (IT, HR policy, payroll, code,
  life). Written from the content catalog only, and never from the evaluation sets.
- each guide's own names and situations (title, aliases, tags, triggers, summary, "When to use
  it"), so a guide added later is known from the start.

Features are the stems of a text's content words and the work-language concepts it mentions;
the model is multinomial naive Bayes with additive smoothing. It trains in well under a second at
start-up, from text, so it ships as data, not as weights, and never downloads anything.

Scoring touches only the classes that share a feature with the query: every other class's score
depends only on how many features the query has, and is summed once per feature count.
"""

from __future__ import annotations

import json
import math
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from pathlib import Path

from bot.library import text
from bot.library.compact import HashedIds
from bot.library.schema import Guide, body_sections

EXAMPLES_FILE = Path(__file__).with_name("examples.jsonl")
OUTSIDE = ""  # the class of requests the library is not for
ALPHA = 0.1  # additive smoothing: small, as features are sparse and examples short
GUIDE_TEXT_WEIGHT = 2  # a guide's own names count as this many examples each
# Per feature, only the classes it says most about are kept (as the lexical index keeps each
# term's best postings): a large library's common words would otherwise touch every guide.
CLASSES_KEPT = 64
RETURNED = 20  # classes a posterior returns: the decision looks at the first few only
SCOPE_SHRINK = 1  # the scope model's shrinkage of a rare feature's odds (see ScopeModel)


def features(words: list[str]) -> list[str]:
    """Cleaned words' stems (stopwords out) and the concepts they mention."""
    stems = [text.stem(w) for w in text.content_words(words)]
    return stems + text.concepts([text.stem(w) for w in words])


def phrase_features(phrase: str) -> list[str]:
    return list(_phrase_features(phrase))


# The examples' and the shipped guides' phrases, each rebuild; a workspace's recent guides' (see
# matcher._analysed on why not more).
@lru_cache(maxsize=16384)
def _phrase_features(phrase: str) -> tuple[str, ...]:
    return tuple(features(text.words(phrase)))


@lru_cache(maxsize=1)
def shipped_examples() -> tuple[tuple[str, str], ...]:
    """The examples shipped with inflow, read once per process."""
    return tuple(load_examples(EXAMPLES_FILE))


def load_examples(path: Path = EXAMPLES_FILE) -> list[tuple[str, str]]:
    """(text, guide id or OUTSIDE) pairs from a JSON-lines file of {"q", "guide"}."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [(row["q"], row["guide"] or OUTSIDE) for row in rows]


def guide_examples(guide: Guide) -> list[str]:
    """What a guide says about the needs it is for, one phrase each."""
    meta = guide.meta
    situation = [
        line
        for title, _heading, lines in body_sections(guide.body)
        if title.startswith("when to use")
        for line in lines
        if line.strip()
    ]
    return [meta.title, *meta.aliases, *meta.tags, *meta.triggers, meta.summary, *situation]


class NeedModel:
    """P(guide | words) over the guides, and the chance that the words are outside them all.

    Held compactly (a large library has many classes): per feature, two arrays of the classes it
    says most about and how much, so the model adds few objects for the garbage collector.
    """

    _feature_ids: dict[str, int] | HashedIds  # compact in a workspace's segment

    def __init__(self, guides: Iterable[Guide], examples: Iterable[tuple[str, str]] = ()):
        guides = list(guides)
        served = {g.id for g in guides}
        by_label: dict[str, Counter] = defaultdict(Counter)
        for phrase, label in examples:
            if label == OUTSIDE or label in served:
                by_label[label].update(phrase_features(phrase))
        self.classes: list[str] = []
        totals = array("d")
        postings: dict[str, tuple[array, array]] = {}

        def add(label: str, counts: Counter) -> None:
            index = len(self.classes)
            self.classes.append(label)
            totals.append(sum(counts.values()))
            for feature, count in counts.items():
                labels, gains = postings.setdefault(feature, (array("I"), array("f")))
                labels.append(index)
                # how much more likely than an unseen feature: log((count + a) / a)
                gains.append(math.log((count + ALPHA) / ALPHA))

        for guide in guides:
            counts: Counter[str] = Counter()
            for phrase in guide_examples(guide):
                for feature in phrase_features(phrase):
                    counts[feature] += GUIDE_TEXT_WEIGHT
            counts.update(by_label.pop(guide.id, {}))
            add(guide.id, counts)
        if OUTSIDE in by_label:
            add(OUTSIDE, by_label.pop(OUTSIDE))
        size = len(postings) or 1
        self.totals = totals  # kept for a workspace's overlay (bot.library.overlay)
        # Every class is equally likely before reading: guides with more examples are not more
        # often what people need.
        self._prior = -math.log(len(self.classes) or 1)
        # log P(an unseen feature | class)
        self._base = array("d", (math.log(ALPHA / (t + ALPHA * size)) for t in totals))
        # Postings in CSR form, as the lexical index holds them: feature i's entries are
        # [offsets[i], offsets[i + 1]) of two flat arrays.
        feature_ids: dict[str, int] = {}
        self._feature_ids = feature_ids
        self._offsets = array("I", [0])
        self._labels, self._gains = array("I"), array("f")
        for feature in list(postings):
            labels, gains = postings.pop(feature)
            kept: Sequence[int] = range(len(labels))
            if len(labels) > CLASSES_KEPT:
                # stable: equal gains stay in class order, the guides' id order and the outside
                # last (a workspace's overlay keeps the same: bot.library.overlay)
                kept = sorted(kept, key=gains.__getitem__, reverse=True)[:CLASSES_KEPT]
            feature_ids[feature] = len(feature_ids)
            self._labels.extend(labels[k] for k in kept)
            self._gains.extend(gains[k] for k in kept)
            self._offsets.append(len(self._labels))
        self._top_base = max(self._base, default=0.0)

    def compact(self) -> None:
        """Hold the features by hash (a workspace's segment: bot.library.compact)."""
        if isinstance(self._feature_ids, dict):
            self._feature_ids = HashedIds(self._feature_ids)

    def knows(self, feature: str) -> bool:
        """Whether any guide or example uses this feature."""
        return feature in self._feature_ids

    @lru_cache(maxsize=256)  # noqa: B019 - the model lives as long as the library
    def _untouched_mass(self, n: int) -> float:
        """log Σ_c exp(prior + n·base_c): every class's score when no feature is its own."""
        top = self._top_base * n
        return self._prior + top + math.log(sum(math.exp(n * b - top) for b in self._base))

    def posterior(self, said: list[str]) -> dict[str, float]:
        """P(class | features) for the likeliest classes that share a feature with them (the
        rest share the remainder); OUTSIDE is the library's own "not for us"."""
        ids = self._feature_ids
        found = [ids[f] for f in said if f in ids]
        n = len(found)
        if not n:
            return {}
        gains: dict[int, float] = defaultdict(float)
        offsets, labels, values = self._offsets, self._labels, self._gains
        for feature in found:
            begin, end = offsets[feature], offsets[feature + 1]
            for label, gain in zip(labels[begin:end], values[begin:end]):
                gains[label] += gain
        prior, base = self._prior, self._base
        plain = {label: prior + n * base[label] for label in gains}
        scores = {label: plain[label] + gain for label, gain in gains.items()}
        top = max(scores.values())
        # Z = Σ over all classes; the touched ones are counted at their real score instead.
        untouched = math.exp(self._untouched_mass(n) - top)
        untouched -= sum(math.exp(value - top) for value in plain.values())
        total = max(untouched, 0.0) + sum(math.exp(value - top) for value in scores.values())
        best = sorted(scores, key=scores.__getitem__, reverse=True)[:RETURNED]
        return {self.classes[label]: math.exp(scores[label] - top) / total for label in best}


class ScopeModel:
    """P(outside the library | words): naive Bayes over two classes, requests the library is for
    (every guide's examples and names) and requests it is not for.

    Each feature counts once per example, and its likelihood is the share of that side's
    examples holding it: the two sides differ tenfold in size, and per-token likelihoods would
    make any word look like the smaller side's. Only the examples' features are counted; a
    feature only guides use (`known`) counts as seen once in the library, so a library of
    thousands of guides adds no memory here.
    """

    def __init__(
        self,
        guides: Iterable[Guide],
        examples: Iterable[tuple[str, str]] = (),
        known: Callable[[str], bool] = lambda feature: False,
    ):
        labelled = [(set(phrase_features(phrase)), label == OUTSIDE) for phrase, label in examples]
        self.vocabulary = {f for found, _ in labelled for f in found}
        holding: dict[bool, Counter[str]] = {True: Counter(), False: Counter()}
        size = {True: 0, False: 0}
        for guide in guides:
            inside, phrases = self.contribution(guide)
            holding[False].update(inside)
            size[False] += phrases
        for found, outside in labelled:
            holding[outside].update(found)
            size[outside] += 1
        # Kept for a workspace's overlay, which counts its own guides instead of some shipped.
        self.holding, self.size = holding, size
        # A feature seen in few examples says little, whatever its odds ("screw" in one
        # furniture request): odds shrink by n / (n + SCOPE_SHRINK) for n examples holding it.
        self._odds = {f: self.odds(f) for f in self.vocabulary}
        self._guides_only = self.odds("")
        self._known = known

    def contribution(self, guide: Guide) -> tuple[Counter[str], int]:
        """What one guide adds to the side the library is for: features (of the examples'
        vocabulary) by how many of its phrases hold them, and how many phrases it has."""
        phrases = guide_examples(guide)
        inside: Counter[str] = Counter()
        for phrase in phrases:
            inside.update(self.vocabulary.intersection(phrase_features(phrase)))
        return inside, len(phrases)

    def odds(self, feature: str, extra: Counter[str] | None = None, extra_size: int = 0) -> float:
        """log P(feature | outside) / P(feature | inside), shrunk when rarely seen; `extra`
        counts and phrases on the inside (a workspace's own guides, or negative: hidden ones).
        A feature outside the examples' vocabulary counts as seen once inside."""
        if feature in self.vocabulary:
            outside = self.holding[True][feature]
            inside = self.holding[False][feature] + (extra[feature] if extra else 0)
        else:
            outside, inside = 0, 1
        size = self.size
        value = math.log((outside + ALPHA) / (size[True] + 2 * ALPHA)) - math.log(
            (inside + ALPHA) / (size[False] + extra_size + 2 * ALPHA)
        )
        if feature not in self.vocabulary:
            return value
        seen = outside + inside
        return value * seen / (seen + SCOPE_SHRINK)

    def outside(self, said: list[str]) -> float | None:
        """The chance that what was said (features) is outside the library, as if either were
        equally likely beforehand; None when no feature is known."""
        diff, found = 0.0, False
        for feature in set(said):
            if feature in self._odds:
                diff += self._odds[feature]
                found = True
            elif self._known(feature):
                diff += self._guides_only
                found = True
        if not found:
            return None
        return 1 / (1 + math.exp(-max(min(diff, 50.0), -50.0)))
