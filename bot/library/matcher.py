"""Finding the guide that helps: BM25F over weighted fields, tolerant of typos, honest about misses.

How a query is read:
1. Slack text is cleaned (`text.clean`), split into words, stopwords dropped, the rest stemmed.
2. A word the library does not know is corrected to the closest word it does (rapidfuzz, within
   words of the same first letter), and adjacent words are tried joined ("post mortem").
3. Phrases are mapped to work-language concepts (`text.CONCEPTS`) on both sides.
4. Candidates come from an impact-ordered inverted index (the best-scoring guides of each term),
   so a query touches a few hundred postings however large the library grows; only the top
   candidates are rescored exactly and compared as phrases with the guides' names.

Whether anything is good enough is decided by coverage: how much of what the person said (words
weighted by rarity; unknown words weigh the most) the best guide accounts for, with a stricter bar
for short queries, or a near-exact match with the guide's title or one of its aliases.
"""

from __future__ import annotations

import math
import re
from array import array
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from bot.library import text
from bot.library.schema import Category, Guide

FIELD_WEIGHTS = {
    "title": 3.0,
    "aliases": 3.0,
    "tags": 2.0,
    "summary": 1.5,
    "situation": 2.0,  # the body's "When to use it": the moments the guide is for
    "body": 1.0,
    "aside": 0.3,  # the worked example and "When not to use it": incidental or contrary words
}
ASIDE_SECTIONS = ("example", "when not to use")
SITUATION_SECTIONS = ("when to use",)
STRONG_FIELDS = ("title", "aliases", "tags")
CONCEPT_FIELD = "concepts"
CONCEPT_WEIGHT = 2.0  # concepts carry situations, where people's own words vary most
CONCEPT_CREDIT = 0.6  # but a word explained by a concept is only partly accounted for
NAME_BONUS = 0.5
K1, B = 1.2, 0.6
POSTINGS_KEPT = 100  # per term: enough for candidates, bounded however large the library
CANDIDATE_TERMS = 12
NAME_SEPARATOR = "\x1f"
RESCORED = 20
PHRASE_CHECKED = 6
FUZZY_CUTOFF = 80
MAX_QUERY_CHARS = 400

# Bayesian average of ratings: a prior of PRIOR_VOTES votes at PRIOR_MEAN, so one vote barely
# moves a guide and only a clear, repeated signal reorders close results.
PRIOR_MEAN, PRIOR_VOTES, RATING_SWAY = 0.5, 10, 0.2

# A query that only asks a fact ("who is…", "where is…") is not a request for a guide.
_FACT_QUESTION = re.compile(r"^(who|where|when)\s+(is|are|was|s)\b|^what\s+(time|day|date)\b")


@dataclass(frozen=True)
class Term:
    """One way a query word reached the index: itself, a correction, a compound, a concept."""

    term: str
    weight: float
    source: str  # "word", "typo", "compound", "concept"
    word: str


@dataclass
class Match:
    guide: Guide
    score: float
    coverage: float
    phrase: float
    explain: dict = field(default_factory=dict)
    # The strongest single piece of evidence: a word naming the guide (title, alias, tag) or a
    # work-language concept. Chatter that only shares body words with a guide has none.
    anchor: float = 0.0


@dataclass
class SearchResult:
    query: str
    matches: list[Match]  # best first; empty when nothing is good enough
    candidates: list[Match]  # what was considered, good enough or not (for --explain)
    categories: list[Category]  # the closest categories, for "nothing good enough"

    @property
    def best(self) -> Match | None:
        return self.matches[0] if self.matches else None


class Library:
    """The guides, indexed for matching."""

    def __init__(self, guides: Iterable[Guide]):
        self.guides: list[Guide] = sorted(guides, key=lambda g: g.id)
        self.by_id: dict[str, Guide] = {g.id: g for g in self.guides}
        self._index()

    def runners_up(self, result: SearchResult, best: Guide, count: int = 2) -> list[Guide]:
        """The next matches for "Other matches", topped up with the guide's related ones."""
        others = [m.guide for m in result.matches if m.guide.id != best.id][:count]
        for related in best.meta.related:
            if len(others) >= count:
                break
            guide = self.by_id.get(related)
            if guide is not None and guide not in others:
                others.append(guide)
        return others

    def category_counts(self) -> dict[Category, int]:
        return {c: sum(1 for g in self.guides if g.meta.category == c) for c in Category}

    def in_category(self, category: Category) -> list[Guide]:
        return sorted(
            (g for g in self.guides if g.meta.category == category), key=lambda g: g.title
        )

    # building -----------------------------------------------------------------------------------
    def _index(self) -> None:
        """Build the index in compact arrays: interned term ids, float32 scores.

        Two passes: the first counts each field's terms (kept as small arrays, not dicts), the
        second knows the average field lengths and document frequencies and computes BM25F.
        """
        fields = (*FIELD_WEIGHTS, CONCEPT_FIELD)
        strong_fields = {fields.index(f) for f in STRONG_FIELDS}
        self._term_ids: dict[str, int] = {}
        df = array("I")
        field_counts: list[tuple[array, array, array]] = []
        lengths = [array("I") for _ in fields]
        self._names: list[str] = []  # each guide's cleaned names, joined (one string, not many)
        vocabulary: dict[str, str] = {}

        def intern(counter: Counter, field: int, packed: tuple[array, array, array]) -> int:
            ids, counts, where = packed
            for term, count in counter.items():
                term_id = self._term_ids.setdefault(term, len(self._term_ids))
                if term_id == len(df):
                    df.append(0)
                ids.append(term_id)
                counts.append(min(count, 65535))
                where.append(field)
            return sum(counter.values())

        for guide in self.guides:
            meta = guide.meta
            raw = {
                "title": [meta.title],
                "aliases": list(meta.aliases),
                "tags": list(meta.tags),
                "summary": [meta.summary],
                **_body_fields(guide.body),
            }
            raw["situation"] = [*raw["situation"], *meta.triggers]
            # One doc's counts for every field, packed: term ids, counts, field index.
            packed = (array("I"), array("H"), array("B"))
            concept_counts: Counter = Counter()
            for field_index, name in enumerate(FIELD_WEIGHTS):
                counter: Counter = Counter()
                for phrase in raw[name]:
                    words = text.words(phrase)
                    content = text.content_words(words)
                    counter.update(text.stem(w) for w in content)
                    if name in STRONG_FIELDS:
                        # "post-mortem" also answers to "postmortem", "one pager" to "onepager".
                        counter.update(text.stem(a + b) for a, b in zip(content, content[1:]))
                    concept_counts.update(text.concepts([text.stem(w) for w in words]))
                    for word in content:
                        if len(word) >= 4 and not word.isdigit():
                            vocabulary.setdefault(word, text.stem(word))
                lengths[field_index].append(intern(counter, field_index, packed))
            concepts_at = len(FIELD_WEIGHTS)
            lengths[concepts_at].append(intern(concept_counts, concepts_at, packed))
            for term_id in set(packed[0]):
                df[term_id] += 1
            field_counts.append(packed)
            self._names.append(
                NAME_SEPARATOR.join(
                    text.clean(n) for n in (meta.title, *meta.aliases, meta.id.replace("-", " "))
                )
            )

        n = max(len(self.guides), 1)
        average = [(sum(lengths[f]) / n) or 1.0 for f in range(len(fields))]
        self._idf = array("f", (math.log(1 + (n - d + 0.5) / (d + 0.5)) for d in df))
        self.max_idf = math.log(1 + (n - 0.5) / 1.5) if n > 1 else 1.0

        weights = [*FIELD_WEIGHTS.values(), 1.0]
        self._doc_ids: list[array] = []
        self._doc_scores: list[array] = []
        self._strong: list[array] = []
        # Postings in CSR form: term t's entries are [offsets[t], offsets[t + 1]) of two flat
        # arrays; one pair of arrays for the whole library instead of two per term.
        starts = array("I", [0])
        for d in df:
            starts.append(starts[-1] + d)
        flat_docs = array("I", bytes(4 * starts[-1]))
        flat_scores = array("f", bytes(4 * starts[-1]))
        cursor = array("I", starts[:-1])
        for doc, (ids, counts, where) in enumerate(field_counts):
            factors = [
                weights[f] / (1 - B + B * lengths[f][doc] / average[f]) for f in range(len(fields))
            ]
            weighted: dict[int, float] = defaultdict(float)
            for term_id, count, at in zip(ids, counts, where):
                weighted[term_id] += factors[at] * count
            ordered = sorted(weighted)
            scores = array("f", (self._idf[t] * weighted[t] / (K1 + weighted[t]) for t in ordered))
            self._doc_ids.append(array("I", ordered))
            self._doc_scores.append(scores)
            strong = {t for t, f in zip(ids, where) if f in strong_fields}
            self._strong.append(array("I", sorted(strong)))
            for term_id, score in zip(ordered, scores):
                at = cursor[term_id]
                flat_docs[at] = doc
                flat_scores[at] = score
                cursor[term_id] = at + 1
            field_counts[doc] = ()  # free as we go: this pass is the build's memory peak
        del cursor
        # Keep each term's best POSTINGS_KEPT entries, compacting in place.
        self._offsets = array("I", [0])
        write = 0
        for term_id in range(len(df)):
            begin, end = starts[term_id], starts[term_id + 1]
            span = range(begin, end)
            if end - begin > POSTINGS_KEPT:
                span = sorted(span, key=flat_scores.__getitem__, reverse=True)[:POSTINGS_KEPT]
                kept = [(flat_docs[i], flat_scores[i]) for i in span]
                for docid, score in kept:
                    flat_docs[write], flat_scores[write] = docid, score
                    write += 1
            else:
                for i in span:
                    flat_docs[write], flat_scores[write] = flat_docs[i], flat_scores[i]
                    write += 1
            self._offsets.append(write)
        del flat_docs[write:], flat_scores[write:]
        self._flat_docs, self._flat_scores = flat_docs, flat_scores
        self._vocabulary = vocabulary
        buckets: dict[str, list[str]] = defaultdict(list)
        for word in vocabulary:
            buckets[word[0]].append(word)
        self._buckets = dict(buckets)

    def _has(self, term: str) -> bool:
        return term in self._term_ids

    def idf(self, term: str) -> float:
        term_id = self._term_ids.get(term)
        return self._idf[term_id] if term_id is not None else self.max_idf

    def _value(self, doc: int, term_id: int) -> float:
        """The BM25F score of a term in a document (0 when absent): a bisect in sorted ids."""
        ids = self._doc_ids[doc]
        i = bisect_left(ids, term_id)
        return self._doc_scores[doc][i] if i < len(ids) and ids[i] == term_id else 0.0

    # reading a query ----------------------------------------------------------------------------
    def _terms(self, words: list[str]) -> tuple[list[list[Term]], list[tuple[Term, set[int]]]]:
        """For each content word, the ways it reaches the index; and the query's concepts, each
        with the content words it explains."""
        content = text.content_words(words)
        content_at = [i for i, w in enumerate(words) if w in set(content)]
        per_word: list[list[Term]] = []
        for word in content:
            options = []
            stem = text.stem(word)
            if self._has(stem):
                options.append(Term(stem, 1.0, "word", word))
            elif len(word) >= 4 and not word.isdigit():
                found = process.extractOne(
                    word,
                    self._buckets.get(word[0], ()),
                    scorer=fuzz.ratio,
                    score_cutoff=FUZZY_CUTOFF,
                )
                if found:
                    corrected, similarity, _ = found
                    options.append(
                        Term(self._vocabulary[corrected], similarity / 100 * 0.9, "typo", word)
                    )
            per_word.append(options)
        for i, (a, b) in enumerate(zip(content, content[1:])):
            joined = text.stem(a + b)
            if self._has(joined):
                term = Term(joined, 1.0, "compound", f"{a} {b}")
                per_word[i].append(term)
                per_word[i + 1].append(term)
        corrected = list(words)
        for word, options in zip(content, per_word):
            typo = next((o for o in options if o.source == "typo"), None)
            if typo is not None:
                corrected = [typo.term if w == word else w for w in corrected]
        spans: dict[str, set[int]] = {}
        for concept, start, end in text.concept_spans([text.stem(w) for w in corrected]):
            if self._has(concept):
                explained = {k for k, i in enumerate(content_at) if start <= i < end}
                spans.setdefault(concept, set()).update(explained)
        concepts = [
            (Term(c, CONCEPT_WEIGHT, "concept", c[1:]), explained)
            for c, explained in sorted(spans.items())
        ]
        return per_word, concepts

    def _word_weight(self, word: str, options: list[Term]) -> float:
        if word in text.OUT_OF_DOMAIN:
            return 2 * self.max_idf  # IT, payroll, facilities: not what the library is for
        if not options:
            return self.max_idf  # a word the library has never seen: the query is about it
        weight = max(self.idf(o.term) for o in options)
        return weight * 0.3 if word in text.LOW_INFORMATION else weight

    # searching ----------------------------------------------------------------------------------
    def search(
        self,
        query: str,
        *,
        limit: int = 3,
        ratings: Mapping[str, tuple[int, int]] | None = None,
        explain: bool = False,
    ) -> SearchResult:
        """The guides that answer `query`, best first, or none when nothing is good enough."""
        cleaned = text.clean(query[: MAX_QUERY_CHARS * 4])[:MAX_QUERY_CHARS]
        words = cleaned.split()
        per_word, concepts = self._terms(words)
        if not self.guides or (not any(per_word) and not concepts):
            return SearchResult(query, [], [], [])

        all_terms = {t.term for options in per_word for t in options}
        all_terms |= {c.term for c, _ in concepts}
        # Candidates come from the most telling terms' best postings only; rescoring is exact.
        telling = sorted(all_terms, key=lambda t: -self.idf(t))[:CANDIDATE_TERMS]
        candidates: dict[int, float] = defaultdict(float)
        for term in telling:
            term_id = self._term_ids[term]
            begin, end = self._offsets[term_id], self._offsets[term_id + 1]
            for doc, value in zip(self._flat_docs[begin:end], self._flat_scores[begin:end]):
                candidates[doc] += value
        top = sorted(candidates, key=candidates.__getitem__, reverse=True)[:RESCORED]

        content = text.content_words(words)
        word_weights = [self._word_weight(w, o) for w, o in zip(content, per_word)]
        out_of_domain = [w in text.OUT_OF_DOMAIN for w in content]
        # A concept said only in small words ("say no", "let go") is a word of its own.
        standalone = [c for c, explained in concepts if not explained]
        word_weights += [self.idf(c.term) for c in standalone]
        out_of_domain += [False] * len(standalone)
        total_weight = sum(word_weights) or 1.0
        scored = []
        n_words = len(per_word)
        ids = self._term_ids
        concept_terms = [(c, ids[c.term], c.weight, explained) for c, explained in concepts]
        standalone_terms = [ids[c.term] for c in standalone]
        word_options = [[(o, ids[o.term]) for o in options] for options in per_word]
        for doc in top:
            strong_terms = self._strong[doc]
            doc_ids, doc_scores = self._doc_ids[doc], self._doc_scores[doc]
            size = len(doc_ids)

            def value_of(term_id: int, doc_ids=doc_ids, doc_scores=doc_scores, size=size) -> float:
                i = bisect_left(doc_ids, term_id)
                return doc_scores[i] if i < size and doc_ids[i] == term_id else 0.0

            score = strong = anchor = 0.0
            parts: list[tuple[Term, float]] = []
            counted: set[Term] = set()
            credit = [0.0] * len(word_weights)  # how far each word is accounted for, 0..1
            for k in range(n_words):
                if out_of_domain[k]:
                    continue
                best_value, best_term, best_id = 0.0, None, -1
                for option, term_id in word_options[k]:
                    value = value_of(term_id)
                    if value:
                        value *= option.weight
                        if value > best_value:
                            best_value, best_term, best_id = value, option, term_id
                if best_term is None:
                    continue
                credit[k] = best_term.weight
                if best_term not in counted:  # a compound covers two words, scores once
                    counted.add(best_term)
                    score += best_value
                    parts.append((best_term, best_value))
                if _contains(strong_terms, best_id):
                    strong += word_weights[k]
                    anchor = max(anchor, best_value)
            for j, term_id in enumerate(standalone_terms):
                if value_of(term_id):
                    credit[n_words + j] = CONCEPT_CREDIT
            for concept, term_id, weight, explained in concept_terms:
                value = value_of(term_id)
                if value:
                    score += weight * value
                    parts.append((concept, weight * value))
                    anchor = max(anchor, weight * value)
                    for k in explained:
                        if not out_of_domain[k] and credit[k] < CONCEPT_CREDIT:
                            credit[k] = CONCEPT_CREDIT
            covered = sum(c * w for c, w in zip(credit, word_weights))
            # Words that name the guide (its title, aliases, tags) say more than words its body
            # happens to use.
            score *= 1 + NAME_BONUS * strong / total_weight
            scored.append((score, covered / total_weight, doc, parts, anchor))
        scored.sort(key=lambda item: -item[0])

        results = []
        for rank, (score, coverage, doc, parts, anchor) in enumerate(scored):
            phrase = 0.0
            if rank < PHRASE_CHECKED and cleaned:
                names = self._names[doc].split(NAME_SEPARATOR)
                found = process.extractOne(cleaned, names, scorer=fuzz.token_sort_ratio)
                phrase = found[1] if found else 0.0
            guide = self.guides[doc]
            factor = _rating_factor(ratings, guide.id)
            final = score * (1 + max(0.0, phrase - 80) / 40) * factor
            match = Match(guide, round(final, 4), coverage, phrase, anchor=anchor)
            if explain:
                match.explain = {
                    "bm25f": round(score, 3),
                    "coverage": round(coverage, 3),
                    "phrase": round(phrase, 1),
                    "rating_factor": round(factor, 3),
                    "terms": [
                        {"word": t.word, "term": t.term, "via": t.source, "score": round(v, 3)}
                        for t, v in parts
                    ],
                }
            results.append((match, doc))
        results.sort(key=lambda pair: -pair[0].score)

        good: list[Match] = []
        query_words = len(per_word) + sum(1 for _, explained in concepts if not explained)
        if results and self._good_enough(*results[0], query_words, cleaned, per_word):
            # Other matches: the runners-up that are reasonably close to the best.
            best = results[0][0]
            good = [best] + [m for m, _ in results[1:] if m.score >= 0.25 * best.score]
        categories = _closest_categories([m for m, _ in results])
        return SearchResult(query, good[:limit], [m for m, _ in results][:limit], categories)

    def _good_enough(
        self, match: Match, doc: int, content_count: int, cleaned: str, per_word: list
    ) -> bool:
        if match.phrase >= 90:
            return True
        if _FACT_QUESTION.search(cleaned):
            return False
        if content_count <= 1:
            # One word: it must name the guide (title, alias or tag), not merely appear in it.
            terms = {self._term_ids[t.term] for options in per_word for t in options}
            strong = self._strong[doc]
            return match.coverage >= 0.99 and any(_contains(strong, t) for t in terms)
        return match.coverage >= _coverage_needed(content_count) and match.score >= 1.0


def _contains(sorted_ids: array, term_id: int) -> bool:
    i = bisect_left(sorted_ids, term_id)
    return i < len(sorted_ids) and sorted_ids[i] == term_id


def _coverage_needed(content_words: int) -> float:
    """How much of a query the best guide must account for, by the query's length.

    Calibrated on labelled queries: requests the library is not for are short ("moscow office
    address", "escalate my IT ticket"), while a described situation carries many incidental words,
    so a long query needs a smaller share of it explained.
    """
    if content_words <= 2:
        return 0.6
    if content_words <= 4:
        return 0.5
    if content_words <= 6:
        return 0.25
    if content_words <= 9:
        return 0.3
    return 0.15


def _body_fields(body: str) -> dict[str, list[str]]:
    """Split a guide's Markdown body into fields by the role of each section."""
    fields: dict[str, list[str]] = {"situation": [], "body": [], "aside": []}
    current = "body"
    for line in body.splitlines():
        heading = line.lstrip("#").strip().lower() if line.startswith("#") else None
        if heading is not None:
            if heading.startswith(ASIDE_SECTIONS):
                current = "aside"
            elif heading.startswith(SITUATION_SECTIONS):
                current = "situation"
            else:
                current = "body"
            continue
        fields[current].append(line)
    return {name: ["\n".join(lines)] for name, lines in fields.items()}


def _rating_factor(ratings: Mapping[str, tuple[int, int]] | None, guide_id: str) -> float:
    if not ratings or guide_id not in ratings:
        return 1.0
    helpful, unhelpful = ratings[guide_id]
    average = (helpful + PRIOR_MEAN * PRIOR_VOTES) / (helpful + unhelpful + PRIOR_VOTES)
    return 1 + RATING_SWAY * (average - PRIOR_MEAN)


def _closest_categories(matches: list[Match]) -> list[Category]:
    totals: Counter = Counter()
    for match in matches[:10]:
        totals[match.guide.meta.category] += match.score
    return [category for category, _ in totals.most_common(3)]
