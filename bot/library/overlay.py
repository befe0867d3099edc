"""A workspace's library as the shipped index plus small indexes of its own, searched as one.

A workspace that changed its library (bot.services.workspace_guides) is served the shipped
guides with its own published ones, minus those it hid or replaced with its copy. Indexing all of
that for each workspace would cost each one the shipped index's memory again, and each edit a full
re-index (seconds for a large library). Instead a workspace's library is a stack of segments:

1. the shipped `Library`, the very object every workspace shares, indexed once per process;
2. the workspace's *bulk*: its own guides and edited copies, indexed once;
3. its *recent* segment: what it changed since the bulk was indexed (up to `RECENT_MAX` guides),
   indexed again after each edit, in milliseconds.

A guide of an earlier segment that a later one replaces, or that the workspace hides, is *masked*:
never a candidate, never a name's owner, not counted. Statistics are the union's, so the stack
scores as one index would:

- a term's idf is computed from the document frequencies of the served guides (each segment's,
  less its masked guides'); a new segment is indexed with the union's statistics;
- the guides rescored for a query are scored exactly as one index would score them: BM25F from
  their counts with the union's idf and average field lengths;
- the need model's classes are the segments' unmasked classes, normalised together over the
  union's vocabulary, each feature keeping its best `CLASSES_KEPT` classes as one model would;
  the scope model is the shipped one, its counts of what the library is for adjusted by the
  workspace's own guides and hidden ones.

What differs from indexing everything at once (tests/test_overlay_library.py and
bench/tenant_library.py measure it): candidates are gathered from each segment's stored postings,
rescaled by idf but with the segment's own average field lengths, so a near-tie at the edge of
the candidates may go the other way; ties between equal scores may break in another order; and a
masked guide's words still correct typos.
"""

from __future__ import annotations

import math
import weakref
from array import array
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Container, Iterable, Mapping, Sequence

from bot.library.compact import hashed_items
from bot.library.learned import ALPHA, CLASSES_KEPT, OUTSIDE, RETURNED
from bot.library.matcher import (
    AMBIGUOUS,
    CONCEPT_FIELD,
    FIELD_WEIGHTS,
    K1,
    NAME_SEPARATOR,
    B,
    Library,
    ServedBeside,
    _contains,
    idf_of,
    max_idf_of,
)
from bot.library.schema import Guide

WEIGHTS = [*FIELD_WEIGHTS.values(), 1.0]  # and CONCEPT_FIELD's, as the index weighs them
assert len(WEIGHTS) == len(FIELD_WEIGHTS) + 1 and CONCEPT_FIELD not in FIELD_WEIGHTS

# Each segment's guides' counts for the scope model, by segment: a bulk segment outlives the
# stacks built on it, and counting a thousand guides again after each edit would take longer
# than indexing the edit.
_SCOPE_TOTALS: weakref.WeakKeyDictionary[Library, tuple[Counter[str], int]] = (
    weakref.WeakKeyDictionary()
)

# A recent segment is indexed again after each edit: past this many guides, everything the
# workspace changed becomes one new bulk segment instead (rare: an import, a busy week).
RECENT_MAX = 64


def related_served(guide: Guide, served: Container[str]) -> Guide:
    """The guide, its `related` cut to guides the workspace serves (one it hid is not related);
    `served`: their ids (a set, or a dict's keys)."""
    if all(r in served for r in guide.meta.related):
        return guide
    related = [r for r in guide.meta.related if r in served]
    return guide.model_copy(update={"meta": guide.meta.model_copy(update={"related": related})})


def overlaid(
    shipped: Library,
    served: Mapping[str, Guide],
    previous: Library | None = None,
    examples: Iterable[tuple[str, str]] | None = None,
) -> Library:
    """The library for a workspace serving `served` (guide id -> guide, before `related` is cut).

    `shipped` itself when nothing differs from it; otherwise a stack on `shipped` that reuses
    `previous`'s bulk segment when it can, so that an edit indexes only the recent guides.
    """
    own = {i: g for i, g in served.items() if shipped.by_id.get(i) is not g}
    if not own and len(served) == len(shipped.guides):
        return shipped
    kept: list[Library] = [shipped]
    if (
        isinstance(previous, Overlaid)
        and previous.segments[0] is shipped
        and len(previous.segments) > 1
    ):
        bulk = previous.segments[1]
        recent = {i: g for i, g in own.items() if bulk.by_id.get(i) is not g}
        kept_in_bulk = len(own) - len(recent)
        # Reused while what changed since is small, and most of it is still served.
        if len(recent) <= RECENT_MAX and kept_in_bulk * 2 >= len(bulk.guides):
            kept.append(bulk)
            own = recent
    masked = [_masked(segment, served) for segment in kept]
    segments = list(kept)
    if own:
        segments.append(Library(own.values(), examples, background=_background(kept, masked)))
        masked.append(frozenset())
    return Overlaid(segments, masked, served)


def _masked(segment: Library, served: Mapping[str, Guide]) -> frozenset[int]:
    """The segment's documents the workspace does not serve as they are there."""
    return frozenset(
        doc for doc, guide in enumerate(segment.guides) if served.get(guide.id) is not guide
    )


def _background(segments: Sequence[Library], masked: Sequence[frozenset[int]]) -> ServedBeside:
    """What the segments' served guides count, for indexing one more beside them."""
    guides = sum(len(s.guides) - len(m) for s, m in zip(segments, masked))
    totals = [0.0] * len(segments[0]._length_totals)
    for segment, hidden in zip(segments, masked):
        for f, total in enumerate(segment._length_totals):
            totals[f] += total - sum(segment._lengths[f][doc] for doc in hidden)
    less = [_masked_df(s, m) for s, m in zip(segments, masked)]

    def df(term: str) -> int:
        count = 0
        for segment, minus in zip(segments, less):
            term_id = segment._term_ids.get(term)
            if term_id is not None:
                count += segment._df[term_id] - minus.get(term_id, 0)
        return count

    return ServedBeside(guides, totals, df)


def _masked_df(segment: Library, masked: frozenset[int]) -> dict[int, int]:
    """Per term id, how many of the masked documents hold it."""
    counts: Counter[int] = Counter()
    for doc in masked:
        counts.update(segment._doc_ids[doc])
    return dict(counts)


class Overlaid(Library):
    """A workspace's library: segments searched as one index (see the module's docstring)."""

    def __init__(
        self,
        segments: list[Library],
        masked: list[frozenset[int]],
        served: Mapping[str, Guide],
    ):
        """`segments[0]` is the shipped library; `masked[k]`, segment k's documents not served."""
        self.segments, self._masked = segments, masked
        ids = served.keys()
        cut = {i: related_served(g, ids) for i, g in served.items()}
        self.guides = [cut[i] for i in sorted(cut)]
        self.by_id = {g.id: g for g in self.guides}
        self._starts = [0]
        self._class_starts = [0]
        for segment in segments:
            self._starts.append(self._starts[-1] + len(segment.guides))
            self._class_starts.append(self._class_starts[-1] + len(segment._needs.classes))
        self._guide_at: list[Guide | None] = []
        for segment, hidden in zip(segments, masked):
            self._guide_at += [
                None if doc in hidden else cut[g.id] for doc, g in enumerate(segment.guides)
            ]
        self._doc_of = {g.id: doc for doc, g in enumerate(self._guide_at) if g is not None}
        self._less = [_masked_df(s, m) for s, m in zip(segments, masked)]
        self._served = len(self.guides)
        self._average = [
            (total / (self._served or 1)) or 1.0
            for total in _background(segments, masked).length_totals
        ]
        self.max_idf = max_idf_of(self._served)
        self._needs_union()
        self._scope_union()

    # the union's statistics ---------------------------------------------------------------------
    def _held(self, term: str) -> int:
        """How many served guides hold the term."""
        count = 0
        for segment, minus in zip(self.segments, self._less):
            term_id = segment._term_ids.get(term)
            if term_id is not None:
                count += segment._df[term_id] - minus.get(term_id, 0)
        return count

    def _has(self, term: str) -> bool:
        return self._held(term) > 0

    def idf(self, term: str) -> float:
        held = self._held(term)
        return _single(idf_of(self._served, held)) if held else self.max_idf

    def _segment_of(self, doc: int) -> tuple[int, int]:
        k = bisect_right(self._starts, doc) - 1
        return k, doc - self._starts[k]

    # lookups (see Library) ----------------------------------------------------------------------
    def _nearest(self, word: str) -> tuple[str, float] | None:
        best: tuple[str, float] | None = None
        for segment in self.segments:
            found = segment._nearest(word)
            if found and self._has(found[0]) and (best is None or found[1] > best[1]):
                best = found
        return best

    def _postings(self, term: str) -> Iterable[tuple[int, float]]:
        union = self.idf(term)
        for segment, hidden, start in zip(self.segments, self._masked, self._starts):
            term_id = segment._term_ids.get(term)
            if term_id is None:
                continue
            scale = union / segment._idf[term_id]
            begin, end = segment._offsets[term_id], segment._offsets[term_id + 1]
            for doc, value in zip(segment._flat_docs[begin:end], segment._flat_scores[begin:end]):
                if doc not in hidden:
                    yield start + doc, value * scale

    def _prepare(self, terms: Sequence[str]) -> object:
        union = [self.idf(t) for t in terms]
        return [([s._term_ids.get(t, -1) for t in terms], union) for s in self.segments]

    def _values(self, doc: int, prepared: object) -> tuple[list[float], list[bool]]:
        """Scored exactly as one index of the served guides would: BM25F from the document's
        counts, with the union's idf and average field lengths (its segment's stored scores
        were computed with the segment's own)."""
        assert isinstance(prepared, list)
        k, local = self._segment_of(doc)
        segment = self.segments[k]
        ids, idfs = prepared[k]
        if k == len(self.segments) - 1 and k > 0:
            # the newest segment was indexed with the union's statistics: its scores are exact
            return Library._values(segment, local, ids)
        term_ids, fields, counts = segment._counts(local)
        factors = [
            weight / (1 - B + B * segment._lengths[f][local] / self._average[f])
            for f, weight in enumerate(WEIGHTS)
        ]
        strong = segment._strong[local]
        values = [0.0] * len(ids)
        names = [False] * len(ids)
        size = len(term_ids)
        for q, term_id in enumerate(ids):
            if term_id < 0:
                continue
            i = bisect_left(term_ids, term_id)
            weighted = 0.0
            while i < size and term_ids[i] == term_id:
                weighted += factors[fields[i]] * counts[i]
                i += 1
            if weighted:
                values[q] = _single(idfs[q] * weighted / (K1 + weighted))
                names[q] = _contains(strong, term_id)
        return values, names

    def _guide(self, doc: int) -> Guide:
        guide = self._guide_at[doc]
        assert guide is not None, "a masked guide is never a candidate"
        return guide

    def _names_of(self, doc: int) -> list[str]:
        k, local = self._segment_of(doc)
        return self.segments[k]._names[local].split(NAME_SEPARATOR)

    def _owner(self, table: str, key: object) -> int | None:
        found: set[int] = set()
        for segment, hidden, start in zip(self.segments, self._masked, self._starts):
            found.update(
                start + doc for doc in segment._tables[table].owners(key) if doc not in hidden
            )
        if not found:
            return None
        return found.pop() if len(found) == 1 else AMBIGUOUS

    # the need model over every segment's classes ------------------------------------------------
    def _needs_union(self) -> None:
        # The union's vocabulary: features some served class holds (a hidden guide's own words
        # are not the workspace's).
        seen: set[int] = set()  # features by hash
        for segment, hidden in zip(self.segments, self._masked):
            model = segment._needs
            offsets, labels = model._offsets, model._labels
            for feature, at in hashed_items(model._feature_ids):
                if feature in seen:
                    continue
                if hidden and all(
                    label in hidden for label in labels[offsets[at] : offsets[at + 1]]
                ):
                    continue
                seen.add(feature)
        vocabulary = len(seen)
        del seen
        size = vocabulary or 1
        self._base: list[float] = []
        self._class_masked: list[bool] = []
        for segment, hidden in zip(self.segments, self._masked):
            for label, total in enumerate(segment._needs.totals):
                self._base.append(math.log(ALPHA / (total + ALPHA * size)))
                self._class_masked.append(label in hidden)  # class i is guide i
        classes = self._class_masked.count(False)
        self._prior = -math.log(classes or 1)
        self._top_base = max(
            (b for b, m in zip(self._base, self._class_masked) if not m), default=0.0
        )
        self._untouched: dict[int, float] = {}

    def _untouched_mass(self, n: int) -> float:
        """log Σ_c exp(prior + n·base_c) over the served classes."""
        mass = self._untouched.get(n)
        if mass is None:
            top = self._top_base * n
            total = sum(
                math.exp(n * b - top) for b, m in zip(self._base, self._class_masked) if not m
            )
            mass = self._untouched[n] = self._prior + top + math.log(total)
        return mass

    def _kept_first(self, posting: tuple[float, int]) -> tuple[float, bool, str]:
        """The order in which one model keeps a feature's classes: by gain, equal gains in
        guide id order, the outside last."""
        gain, label = posting
        class_id = self._class_id(label)
        return -gain, class_id == OUTSIDE, class_id

    def _class_id(self, label: int) -> str:
        k = bisect_right(self._class_starts, label) - 1
        return self.segments[k]._needs.classes[label - self._class_starts[k]]

    def _posterior(self, said: list[str]) -> dict[str, float]:
        """As NeedModel.posterior, over the served classes of every segment."""
        gains: dict[int, float] = defaultdict(float)
        n = 0
        for feature in said:
            found: list[tuple[float, int]] = []
            known = False
            for segment, hidden, start in zip(self.segments, self._masked, self._class_starts):
                model = segment._needs
                feature_id = model._feature_ids.get(feature)
                if feature_id is None:
                    continue
                known = True
                begin, end = model._offsets[feature_id], model._offsets[feature_id + 1]
                found += [
                    (gain, start + label)
                    for label, gain in zip(model._labels[begin:end], model._gains[begin:end])
                    if label not in hidden
                ]
            if len(found) > CLASSES_KEPT:  # as one model keeps them: the feature's best classes
                found = sorted(found, key=self._kept_first)[:CLASSES_KEPT]
            for gain, label in found:
                gains[label] += gain
            n += known
        if not n or not gains:
            return {}
        prior, base = self._prior, self._base
        plain = {label: prior + n * base[label] for label in gains}
        scores = {label: plain[label] + gain for label, gain in gains.items()}
        top = max(scores.values())
        untouched = math.exp(self._untouched_mass(n) - top)
        untouched -= sum(math.exp(value - top) for value in plain.values())
        total = max(untouched, 0.0) + sum(math.exp(value - top) for value in scores.values())
        best = sorted(scores, key=scores.__getitem__, reverse=True)[:RETURNED]
        return {self._class_id(label): math.exp(scores[label] - top) / total for label in best}

    # the scope model: the shipped one, counting the workspace's guides --------------------------
    def _scope_union(self) -> None:
        scope = self.segments[0]._scope
        extra: Counter[str] = Counter()
        size = 0

        def count(guides: Iterable[Guide], sign: int) -> None:
            nonlocal size
            for guide in guides:
                inside, phrases = scope.contribution(guide)
                for feature, held in inside.items():
                    extra[feature] += sign * held
                size += sign * phrases

        # The shipped guides are counted already: less the masked ones. A later segment's are
        # not: all of them (once per segment, kept), less its masked ones.
        count((self.segments[0].guides[doc] for doc in self._masked[0]), -1)
        for segment, hidden in zip(self.segments[1:], self._masked[1:]):
            total = _SCOPE_TOTALS.get(segment)
            if total is None:
                before, before_size = Counter(extra), size
                count(segment.guides, 1)
                total = _SCOPE_TOTALS[segment] = (extra - before, size - before_size)
                extra, size = before, before_size
            extra.update(total[0])
            size += total[1]
            count((segment.guides[doc] for doc in hidden), -1)
        if len(self.segments) == 2 and not any(self._masked):
            extra = _SCOPE_TOTALS[self.segments[1]][0]  # the same counts: held once
        self._scope_extra, self._scope_size = extra, size
        self._guides_only = scope.odds("", extra, size)

    def _outside(self, said: list[str]) -> float | None:
        scope = self.segments[0]._scope
        diff, found = 0.0, False
        for feature in set(said):
            if feature in scope.vocabulary:
                diff += scope.odds(feature, self._scope_extra, self._scope_size)
                found = True
            elif any(s._needs.knows(feature) for s in self.segments):
                diff += self._guides_only
                found = True
        if not found:
            return None
        return 1 / (1 + math.exp(-max(min(diff, 50.0), -50.0)))


def _single(value: float) -> float:
    """The value as the index stores it (float32), so that scores compare as one index's."""
    return array("f", (value,))[0]
