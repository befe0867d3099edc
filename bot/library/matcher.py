"""Finding the guide that helps: BM25F over weighted fields, tolerant of typos, honest about misses.

How a query is read:
1. Slack text is cleaned (`text.clean`), split into words, stopwords dropped, the rest stemmed.
2. A word the library does not know is corrected to the closest word it does (rapidfuzz, within
   words of the same first letter), and adjacent words are tried joined ("post mortem").
3. Phrases are mapped to work-language concepts (`text.CONCEPTS`) on both sides.
4. Candidates come from an impact-ordered inverted index (the best-scoring guides of each term),
   so a query touches a few hundred postings however large the library grows; only the top
   candidates are rescored exactly and compared as phrases with the guides' names.

What to answer is one of four outcomes (`Outcome`):
- *help*: the query is small talk ("hi", "thanks!", "what can you do", "test");
- *answer*: one guide, when the query is or plainly contains one of the guide's own names (title,
  alias, tag, or an alias the workspace's owners added), or when the best guide accounts for
  enough of what the person said (coverage: words weighted by rarity) and stands clear of the
  next;
- *choices*: "is it one of these?" with the closest three, when the library has something on the
  topic but no single guide is clearly it;
- *nothing*: only for what is clearly outside the library (IT, payroll, facilities, code).
"""

from __future__ import annotations

import math
import re
from array import array
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache

from rapidfuzz import fuzz, process

from bot.library import intent, text
from bot.library.compact import HashedIds
from bot.library.learned import OUTSIDE, NeedModel, ScopeModel, features, shipped_examples
from bot.library.schema import Category, Guide, body_sections

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
MAX_NAME_WORDS = 6  # a guide's names are short; longer runs of a query are never one

# Bayesian average of ratings: a prior of PRIOR_VOTES votes at PRIOR_MEAN, so one vote barely
# moves a guide and only a clear, repeated signal reorders close results.
PRIOR_MEAN, PRIOR_VOTES, RATING_SWAY = 0.5, 10, 0.2

# "who is the ceo", "where is the kitchen": a fact, not a request for a guide ("who is
# responsible for what" is one).
_FACT_QUESTION = re.compile(r"(who|where|when)\s+(is|are|was|were)\s+(the|our|my|a|an)\b")

# The decision, tuned on the tune half of the issue-12 evaluation sets (bench/quality.py).
NEED_WEIGHT = 1.0  # the need model's probability, beside the lexical score scaled to 1 at best
CLEAR_LEAD = 0.7  # one guide is the answer when it leads the next by this much...
BOTH_SURE = 0.97  # ...or when both rankers put it first and the need model is this sure
CHOICES = 3  # "is it one of these?" shows this many
CHOICES_FLOOR = 0.3  # below this the library has nothing on it
OUTSIDE_AT = 0.6  # the scope model's chance that a query is outside the library
NAMED_UNLESS_OUTSIDE = 0.9  # a named guide answers unless the rest says IT, HR, code, life
OUTSIDE_WORD_WITHIN = 8  # content words up to which one IT, HR or code word makes it outside
NAMED_WITHIN = 3  # up to this many words, a query containing a guide's name is about it...
NAMES_COVER, NAME_ANCHOR = 0.8, 2.5  # a query its best guide's names account for
NAME_PART_WORDS = 2  # a query this short that is part of one guide's names only names it
NAME_OVERRULED = 0.9  # ...unless the need model is this sure of another ("feedback hurt")


class Outcome(StrEnum):
    """What a search answers: the contract of `inflow content search --json`."""

    ANSWER = "answer"  # one guide
    CHOICES = "choices"  # "is it one of these?"
    NOTHING = "nothing"  # clearly outside the library
    HELP = "help"  # small talk: what inflow is and what to type


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
    need: float = 0.0  # the need model's probability that this guide is what was needed


@dataclass
class SearchResult:
    query: str
    outcome: Outcome
    matches: list[Match]  # the answer and its runners-up, or the choices; empty otherwise
    candidates: list[Match]  # what was considered, good enough or not (for --explain)
    categories: list[Category]  # the closest categories, for "nothing good enough"
    outside: float = 0.0  # the scope model's chance that the query is outside the library

    @property
    def best(self) -> Match | None:
        """The one guide that answers, when the outcome is an answer."""
        return self.matches[0] if self.outcome is Outcome.ANSWER and self.matches else None


class Library:
    """The guides, indexed for matching."""

    _term_ids: dict[str, int] | HashedIds  # a dict while indexing; compact in an overlay

    def __init__(
        self,
        guides: Iterable[Guide],
        examples: Iterable[tuple[str, str]] | None = None,
        *,
        background: ServedBeside | None = None,
    ):
        """Index `guides`; `examples` ((text, guide id or "" for outside) pairs) train the
        models of people's words, by default the ones shipped with inflow.

        With a `background`, this is one segment of a workspace's library (bot.library.overlay):
        scored as if beside the guides it describes, its need model knows only these guides (no
        "outside" class) and it has no scope model of its own.
        """
        self.guides: list[Guide] = sorted(guides, key=lambda g: g.id)
        self.by_id: dict[str, Guide] = {g.id: g for g in self.guides}
        self._index(background)
        examples = shipped_examples() if examples is None else list(examples)
        if background is not None:
            self._needs = NeedModel(self.guides, [e for e in examples if e[1] != OUTSIDE])
            self._needs.compact()
            self._scope = ScopeModel([])
            if isinstance(self._term_ids, dict):  # held by the thousand: compact
                self._term_ids = HashedIds(self._term_ids)
        else:
            self._needs = NeedModel(self.guides, examples)
            self._scope = ScopeModel(self.guides, examples, known=self._needs.knows)

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
    def _index(self, background: ServedBeside | None = None) -> None:
        """Build the index in compact arrays: interned term ids, float32 scores.

        Two passes: the first counts each field's terms (kept as small arrays, not dicts), the
        second knows the average field lengths and document frequencies and computes BM25F.
        `background`: the guides served beside these (a workspace's overlay, bot.library.
        overlay), counted in the document frequencies and average lengths as if indexed here.
        """
        fields = (*FIELD_WEIGHTS, CONCEPT_FIELD)
        strong_fields = {fields.index(f) for f in STRONG_FIELDS}
        term_ids: dict[str, int] = {}
        self._term_ids = term_ids
        df = array("I")
        field_counts: list[tuple[array, array, array]] = []
        lengths = [array("I") for _ in fields]
        self._names: list[str] = []  # each guide's cleaned names, joined (one string, not many)
        vocabulary: dict[str, str] = {}

        def intern(counter: Counter, field: int, packed: tuple[array, array, array]) -> int:
            ids, counts, where = packed
            for term, count in counter.items():
                term_id = term_ids.setdefault(term, len(term_ids))
                if term_id == len(df):
                    df.append(0)
                ids.append(term_id)
                counts.append(min(count, 65535))
                where.append(field)
            return sum(counter.values())

        for guide in self.guides:
            meta = guide.meta
            # One doc's counts for every field, packed: term ids, counts, field index.
            packed = (array("I"), array("H"), array("B"))
            for field_index, counter in enumerate(_field_counters(guide, vocabulary)):
                lengths[field_index].append(intern(counter, field_index, packed))
            for term_id in set(packed[0]):
                df[term_id] += 1
            field_counts.append(packed)
            self._names.append(
                NAME_SEPARATOR.join(
                    text.clean(n) for n in (meta.title, *meta.aliases, meta.id.replace("-", " "))
                )
            )

        # Kept for overlays: what a workspace's library counts beside its own guides.
        self._df = df
        self._length_totals = [float(sum(lengths[f])) for f in range(len(fields))]
        self._lengths = lengths
        totals = list(self._length_totals)
        served = len(self.guides)
        with_background = df
        if background is not None:
            served += background.guides
            totals = [a + b for a, b in zip(totals, background.length_totals)]
            term_of = list(term_ids)  # term ids are given in order
            with_background = array("I", (df[i] + background.df(t) for i, t in enumerate(term_of)))
        n = max(served, 1)
        average = [(totals[f] / n) or 1.0 for f in range(len(fields))]
        self._idf = array("f", (idf_of(n, d) for d in with_background))
        self.max_idf = max_idf_of(n)

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
        freed: tuple[array, array, array] = (array("I"), array("I"), array("I"))
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
            field_counts[doc] = freed  # free as we go: this pass is the build's memory peak
        del cursor
        # Keep each term's best POSTINGS_KEPT entries, compacting in place.
        self._offsets = array("I", [0])
        write = 0
        for term_id in range(len(df)):
            begin, end = starts[term_id], starts[term_id + 1]
            span: Sequence[int] = range(begin, end)
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
        # Each guide's own names (title, aliases, tags, id) as `text.name_key` reads them; the
        # words of those names; and triggers ("i screwed up": the moment in the person's words,
        # which names its guide when typed alone). Each to the one guide it names, or AMBIGUOUS.
        self._name_owners = _Owners(
            (key, doc) for doc, guide in enumerate(self.guides) for key in _name_keys(guide)
        )
        self._name_words = _Owners(
            (word, doc)
            for doc, guide in enumerate(self.guides)
            for key in _name_keys(guide)
            for word in key
        )
        self._triggers = _Owners(
            (key, doc)
            for doc, guide in enumerate(self.guides)
            for key in map(text.name_key, guide.meta.triggers)
            if len(key) >= 2  # "any feedback?" leaves one word, which names nothing
        )
        self._tables = {
            NAMES: self._name_owners,
            NAME_WORDS: self._name_words,
            TRIGGERS: self._triggers,
        }
        self._doc_of = {guide.id: doc for doc, guide in enumerate(self.guides)}
        self._counts_of: dict[int, tuple[array, array, array]] = {}
        buckets: dict[str, list[str]] = defaultdict(list)
        for word in vocabulary:
            buckets[word[0]].append(word)
        # Words by first letter, each letter's joined in one string: a workspace's segment has
        # a thousand words of its own, and one string costs less than a list of them.
        self._buckets = {letter: NAME_SEPARATOR.join(words) for letter, words in buckets.items()}

    # what a search asks of the index: a workspace's overlaid library (bot.library.overlay)
    # answers the same questions across the shipped index and its own -------------------------
    def _has(self, term: str) -> bool:
        return term in self._term_ids

    def idf(self, term: str) -> float:
        term_id = self._term_ids.get(term)
        return self._idf[term_id] if term_id is not None else self.max_idf

    def _nearest(self, word: str) -> tuple[str, float] | None:
        """The known term a misspelt word most likely meant, and how alike they are (0..100)."""
        found = process.extractOne(
            word,
            self._buckets.get(word[0], "").split(NAME_SEPARATOR),
            scorer=fuzz.ratio,
            score_cutoff=FUZZY_CUTOFF,
        )
        return (text.stem(found[0]), found[1]) if found else None

    def _postings(self, term: str) -> Iterable[tuple[int, float]]:
        """The term's best-scoring guides (doc, score)."""
        term_id = self._term_ids[term]
        begin, end = self._offsets[term_id], self._offsets[term_id + 1]
        return zip(self._flat_docs[begin:end], self._flat_scores[begin:end])

    def _prepare(self, terms: Sequence[str]) -> object:
        """What `_values` needs to look the query's terms up in any document."""
        return [self._term_ids.get(t, -1) for t in terms]

    def _values(self, doc: int, prepared: object) -> tuple[list[float], list[bool]]:
        """Each query term's score in the document (0 when absent), and whether it is one of
        the document's names (title, aliases, tags)."""
        assert isinstance(prepared, list)
        return _term_values(self._doc_ids[doc], self._doc_scores[doc], self._strong[doc], prepared)

    def _guide(self, doc: int) -> Guide:
        return self.guides[doc]

    def _counts(self, doc: int) -> tuple[array, array, array]:
        """A document's term counts per field, sorted by term id: (term ids, fields, counts).

        Counted again when first asked (and kept): only a workspace's library asks, to score
        with its own average field lengths, and only for the few guides it rescores.
        """
        found = self._counts_of.get(doc)
        if found is None:
            entries = sorted(
                (self._term_ids[term], field, min(count, 65535))
                for field, counter in enumerate(_field_counters(self.guides[doc]))
                for term, count in counter.items()
            )
            found = (
                array("I", (e[0] for e in entries)),
                array("B", (e[1] for e in entries)),
                array("H", (e[2] for e in entries)),
            )
            self._counts_of[doc] = found
        return found

    def _names_of(self, doc: int) -> list[str]:
        return self._names[doc].split(NAME_SEPARATOR)

    def _doc(self, guide_id: str) -> int | None:
        return self._doc_of.get(guide_id)

    def _owner(self, table: str, key: object) -> int | None:
        """Which guide owns a name (NAMES), a word of names (NAME_WORDS) or a trigger
        (TRIGGERS): its doc, AMBIGUOUS, or None."""
        return self._tables[table].owner(key)

    def _posterior(self, said: list[str]) -> dict[str, float]:
        return self._needs.posterior(said)

    def _outside(self, said: list[str]) -> float | None:
        return self._scope.outside(said)

    def _value(self, doc: int, term_id: int) -> float:
        """The BM25F score of a term in a document (0 when absent): a bisect in sorted ids."""
        ids = self._doc_ids[doc]
        i = bisect_left(ids, term_id)
        return self._doc_scores[doc][i] if i < len(ids) and ids[i] == term_id else 0.0

    # reading a query ----------------------------------------------------------------------------
    def _terms(
        self, words: list[str]
    ) -> tuple[list[list[Term]], list[tuple[Term, set[int]]], list[str]]:
        """For each content word, the ways it reaches the index; the query's concepts, each
        with the content words it explains; and the words with typos corrected (as stems)."""
        content = text.content_words(words)
        content_at = [i for i, w in enumerate(words) if w in set(content)]
        per_word: list[list[Term]] = []
        for word in content:
            options = []
            stem = text.stem(word)
            if self._has(stem):
                options.append(Term(stem, 1.0, "word", word))
            elif len(word) >= 4 and not word.isdigit():
                found = self._nearest(word)
                if found:
                    nearest, similarity = found
                    options.append(Term(nearest, similarity / 100 * 0.9, "typo", word))
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
        return per_word, concepts, corrected

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
        aliases: Mapping[tuple[str, ...], str] | None = None,
    ) -> SearchResult:
        """What to answer `query` with: one guide, a few choices, nothing, or help.

        Args:
            query: what the person typed, as Slack sent it.
            limit: how many matches to return at most.
            ratings: the workspace's (helpful, unhelpful) votes by guide id.
            explain: keep the evidence for each match (`Match.explain`).
            aliases: names the workspace's owners added, by `text.name_key`, to guide ids.
        """
        query = intent.without_command(query) or query
        if intent.is_small_talk(query):
            return SearchResult(query, Outcome.HELP, [], [], [])
        if intent.is_code(query):
            return SearchResult(query, Outcome.NOTHING, [], [], [], outside=1.0)
        query = intent.without_greeting(query)
        cleaned = text.clean(query[: MAX_QUERY_CHARS * 4])[:MAX_QUERY_CHARS]
        words = cleaned.split()
        per_word, concepts, corrected = self._terms(words)
        named = self._named(cleaned, aliases)
        if named is None and corrected != words:
            # "eisenhover": the corrected words are stems, so only whole names and parts of them
            named = self._named(" ".join(corrected), aliases, runs=False)
        if not self.guides or (not any(per_word) and not concepts and named is None):
            return SearchResult(query, Outcome.NOTHING, [], [], [])

        all_terms = {t.term for options in per_word for t in options}
        all_terms |= {c.term for c, _ in concepts}
        # Candidates come from the most telling terms' best postings only; rescoring is exact.
        telling = sorted(all_terms, key=lambda t: -self.idf(t))[:CANDIDATE_TERMS]
        candidates: dict[int, float] = defaultdict(float)
        for term in telling:
            for doc, value in self._postings(term):
                candidates[doc] += value
        top = sorted(candidates, key=candidates.__getitem__, reverse=True)[:RESCORED]
        if named is not None and named[0] not in top:
            top.append(named[0])

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
        # Each distinct query term by its position in `asked`, looked up once per document.
        asked = sorted(all_terms)
        at = {term: q for q, term in enumerate(asked)}
        prepared = self._prepare(asked)
        concept_terms = [(c, at[c.term], c.weight, explained) for c, explained in concepts]
        standalone_terms = [at[c.term] for c in standalone]
        word_options = [[(o, at[o.term]) for o in options] for options in per_word]
        for doc in top:
            values, names_it = self._values(doc, prepared)
            score = strong = anchor = 0.0
            parts: list[tuple[Term, float]] = []
            counted: set[Term] = set()
            credit = [0.0] * len(word_weights)  # how far each word is accounted for, 0..1
            for k in range(n_words):
                if out_of_domain[k]:
                    continue
                best_value, best_term, best_q = 0.0, None, -1
                for option, q in word_options[k]:
                    value = values[q]
                    if value:
                        value *= option.weight
                        if value > best_value:
                            best_value, best_term, best_q = value, option, q
                if best_term is None:
                    continue
                credit[k] = best_term.weight
                if best_term not in counted:  # a compound covers two words, scores once
                    counted.add(best_term)
                    score += best_value
                    parts.append((best_term, best_value))
                if names_it[best_q]:
                    strong += word_weights[k]
                    anchor = max(anchor, best_value)
            for j, q in enumerate(standalone_terms):
                if values[q]:
                    credit[n_words + j] = CONCEPT_CREDIT
            for concept, q, weight, explained in concept_terms:
                value = values[q]
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
                names = self._names_of(doc)
                found = process.extractOne(cleaned, names, scorer=fuzz.token_sort_ratio)
                phrase = found[1] if found else 0.0
            guide = self._guide(doc)
            factor = _rating_factor(ratings, guide.id)
            final = score * (1 + max(0.0, phrase - 80) / 40)
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

        candidates_seen = [m for m, _ in results]
        categories = _closest_categories(candidates_seen)
        outcome, ranked, outside = self._decide(
            ratings, features(words), features(corrected), results, named, cleaned
        )
        return SearchResult(
            query, outcome, ranked[:limit], candidates_seen[:limit], categories, outside
        )

    def _named(
        self, cleaned: str, aliases: Mapping[tuple[str, ...], str] | None, *, runs: bool = True
    ) -> tuple[int, bool] | None:
        """The guide a query names, and whether it is all of the query: the query is one guide's
        title, alias or tag in other words ("how to say no" for "saying no"), or, when it is
        short, contains one in whole words (`runs`), or is part of one guide's names only.

        The longest name found wins; a name shared by several guides ("feedback") names none.
        """
        kept = [w for w in cleaned.split() if w not in text.NAME_FILLER]
        key = tuple(text.stem(w) for w in kept)
        if not key:
            return None
        alias = self._doc((aliases or {}).get(key, ""))
        found = self._owner(NAMES, key)
        if alias is not None and found not in (None, alias):
            return None  # the workspace's alias and a guide's own name disagree
        doc = alias if alias is not None else found
        if doc is not None:
            if len(key) == 1 and self._owner(NAME_WORDS, key[0]) != doc:
                return None  # one word that several guides' names use names none of them
            return (doc, True) if doc != AMBIGUOUS else None
        if (trigger := self._owner(TRIGGERS, key)) is not None:
            return (trigger, True) if trigger != AMBIGUOUS else None
        if len(key) > NAMED_WITHIN:
            return None  # in a longer query, a guide's name may be incidental: the rankers judge
        if runs:
            # The longest run of the query's words that is a guide's name, in whole words: the
            # stemmer makes "manager" and "management" one, and a first-time manager is not
            # time management.
            for size in range(min(len(key), MAX_NAME_WORDS), 0, -1):
                hits = set()
                for start in range(len(key) - size + 1):
                    doc = self._owner(NAMES, key[start : start + size])
                    if doc is None or (size == 1 and self._owner(NAME_WORDS, key[start]) != doc):
                        continue
                    light = tuple(text.plural(w) for w in kept[start : start + size])
                    if doc != AMBIGUOUS and light not in self._light_names(doc):
                        continue
                    hits.add(doc)
                if len(hits) == 1 and AMBIGUOUS not in hits:
                    return next(iter(hits)), False
                if hits:
                    return None
        # Part of one guide's names, and of no other's: "eisenhower", "retro board".
        if len(key) <= NAME_PART_WORDS:
            owners = {self._owner(NAME_WORDS, word) for word in key}
            if len(owners) == 1 and (doc := owners.pop()) not in (None, AMBIGUOUS):
                return doc, False
        return None

    def _light_names(self, doc: int) -> set[tuple[str, ...]]:
        """A guide's names with only plurals folded (for checking a run in whole words)."""
        meta = self._guide(doc).meta
        return {
            text.name_key(name, fold=text.plural)
            for name in (meta.title, *meta.aliases, *meta.tags, meta.id.replace("-", " "))
        }

    def _decide(
        self,
        ratings: Mapping[str, tuple[int, int]] | None,
        said: list[str],
        meant: list[str],
        results: list[tuple[Match, int]],
        named: tuple[int, bool] | None,
        cleaned: str,
    ) -> tuple[Outcome, list[Match], float]:
        """Answer, offer choices, or say nothing (and how likely the query is outside).

        Two rankers vote: the lexical score (normalised to the best guide's) and the need model's
        probability. One guide is the answer when the query names it, when it leads the next by
        a clear margin, or when both rankers put it first and the need model is sure. A query
        with an out-of-library word, or that the scope model reads as outside, gets nothing.
        """
        if _FACT_QUESTION.match(cleaned):
            return Outcome.NOTHING, [], 1.0
        content = text.content_words(cleaned.split())
        # IT, payroll, facilities words decide a short request; in a described situation they
        # are scenery ("the payroll run failed and we need to review what happened").
        outside_word = len(content) <= OUTSIDE_WORD_WITHIN and any(
            w in text.OUT_OF_DOMAIN for w in content
        )
        outside = self._outside(said) or 0.0
        needs = self._posterior(meant)
        by_doc = {doc: match for match, doc in results}
        best_score = max((m.score for m in by_doc.values()), default=0.0) or 1.0
        combined = {doc: m.score / best_score for doc, m in by_doc.items()}
        for guide_id, chance in needs.items():
            doc = self._doc(guide_id)
            if doc is not None:
                combined[doc] = combined.get(doc, 0.0) + NEED_WEIGHT * chance
        if ratings:
            # What the workspace's people rated nudges close results, never more.
            for doc in combined:
                combined[doc] *= _rating_factor(ratings, self._guide(doc).id)
        ranked = sorted(combined, key=lambda doc: (-combined[doc], doc))

        def matches(docs: list[int]) -> list[Match]:
            found = []
            for doc in docs:
                match = by_doc.get(doc) or Match(self._guide(doc), 0.0, 0.0, 0.0)
                match.score = round(combined.get(doc, 0.0), 4)
                match.need = needs.get(match.guide.id, 0.0)
                found.append(match)
            return found

        need_first = max(needs, key=needs.__getitem__, default=None)
        if named is not None and not outside_word:
            name, exact = named
            # A name that is nearly all of the query stands against the scope model; one among
            # other words ("shadow IT policy") does not.
            nearly_all = exact or len(content) <= NAME_PART_WORDS
            overruled = (outside >= (NAMED_UNLESS_OUTSIDE if nearly_all else OUTSIDE_AT)) or (
                not exact
                and need_first is not None
                and self._doc(need_first) != name
                and needs[need_first] >= NAME_OVERRULED
            )
            if not overruled:
                return Outcome.ANSWER, matches([name, *(d for d in ranked if d != name)]), outside
        # A query the guides' own names account for ("psycological safety") is the library's
        # however its words read to the scope model.
        lexical = results[0][0] if results else None
        named_words = lexical is not None and (
            lexical.coverage >= NAMES_COVER and lexical.anchor >= NAME_ANCHOR
        )
        if (
            outside_word
            or not ranked
            or outside > (NAMED_UNLESS_OUTSIDE if named_words else OUTSIDE_AT)
        ):
            return Outcome.NOTHING, [], outside
        first = ranked[0]
        lead = combined[first] - (combined[ranked[1]] if len(ranked) > 1 else 0.0)
        lexical_first = results[0][1] if results else None
        agreed = (
            need_first is not None
            and self._doc(need_first) == first == lexical_first
            and needs[need_first] >= BOTH_SURE
        )
        if lead >= CLEAR_LEAD or agreed:
            return Outcome.ANSWER, matches(ranked), outside
        if combined[first] >= CHOICES_FLOOR:
            return Outcome.CHOICES, matches(ranked[:CHOICES]), outside
        return Outcome.NOTHING, [], outside


AMBIGUOUS = -1  # a name or word several guides share
NAMES, NAME_WORDS, TRIGGERS = "names", "name words", "triggers"  # the owner tables (`_owner`)


@dataclass(frozen=True)
class ServedBeside:
    """Guides served beside an index but not in it: how many, their fields' total lengths, and
    how many of them hold each term (bot.library.overlay)."""

    guides: int
    length_totals: list[float]
    df: Callable[[str], int]


def idf_of(guides: int, holding: int) -> float:
    """BM25's inverse document frequency of a term `holding` of `guides` hold."""
    return math.log(1 + (guides - holding + 0.5) / (holding + 0.5))


def max_idf_of(guides: int) -> float:
    """The idf of a term only one guide holds (and of one no guide holds)."""
    return idf_of(guides, 1) if guides > 1 else 1.0


def _term_values(
    doc_ids: array,
    doc_scores: array,
    strong: array,
    term_ids: list[int],
) -> tuple[list[float], list[bool]]:
    """Each term's score in one document (0 when absent), and whether it names it."""
    values = [0.0] * len(term_ids)
    names = [False] * len(term_ids)
    size = len(doc_ids)
    for q, term_id in enumerate(term_ids):
        if term_id < 0:
            continue
        i = bisect_left(doc_ids, term_id)
        if i < size and doc_ids[i] == term_id:
            values[q] = doc_scores[i]
            names[q] = _contains(strong, term_id)
    return values, names


# Cached for the shipped library, indexed again when its files change, and a workspace's recent
# guides, indexed again after each edit (bot.library.overlay). Small: a key is a whole field of a
# guide's body, and a process serving many workspaces must not hold a copy of every one.
@lru_cache(maxsize=8192)
def _analysed(
    phrase: str, strong: bool
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[tuple[str, str], ...]]:
    """A phrase of a guide as the index counts it: its terms (stems of content words, and for
    names their joined pairs), the concepts it mentions, and its words for typo correction."""
    words = text.words(phrase)
    content = text.content_words(words)
    terms = [text.stem(w) for w in content]
    if strong:
        # "post-mortem" also answers to "postmortem", "one pager" to "onepager".
        terms += [text.stem(a + b) for a, b in zip(content, content[1:])]
    concepts = text.concepts([text.stem(w) for w in words])
    known = [(w, text.stem(w)) for w in content if len(w) >= 4 and not w.isdigit()]
    return tuple(terms), tuple(concepts), tuple(known)


def _field_counters(guide: Guide, vocabulary: dict[str, str] | None = None) -> list[Counter]:
    """A guide's terms counted per field (FIELD_WEIGHTS, then CONCEPT_FIELD); its words for
    typo correction go into `vocabulary` (word -> stem)."""
    meta = guide.meta
    raw = {
        "title": [meta.title],
        "aliases": list(meta.aliases),
        "tags": list(meta.tags),
        "summary": [meta.summary],
        **_body_fields(guide.body),
    }
    raw["situation"] = [*raw["situation"], *meta.triggers]
    counters = []
    concept_counts: Counter = Counter()
    for name in FIELD_WEIGHTS:
        counter: Counter = Counter()
        for phrase in raw[name]:
            terms, concepts, known = _analysed(phrase, name in STRONG_FIELDS)
            counter.update(terms)
            concept_counts.update(concepts)
            if vocabulary is not None:
                for word, stemmed in known:
                    vocabulary.setdefault(word, stemmed)
        counters.append(counter)
    counters.append(concept_counts)
    return counters


def _name_keys(guide: Guide) -> set[tuple[str, ...]]:
    """A guide's names as `text.name_key` reads them; "what to do first" leaves only "first",
    and a one-word name must be a telling word."""
    meta = guide.meta
    keys = set()
    for name in (meta.title, *meta.aliases, *meta.tags, meta.id.replace("-", " ")):
        key = text.name_key(name)
        if key and not (len(key) == 1 and key[0] in text.LOW_INFORMATION_STEMS):
            keys.add(key)
    return keys


class _Owners:
    """Which guide each key (a name, a word) belongs to, or AMBIGUOUS when several share it.

    Held as two arrays, sorted 64-bit hashes and owners, as the lexical index holds its postings:
    a library of 20,000 guides has about a million names, and a dict of tuples would take
    hundreds of megabytes. (A collision of two 64-bit hashes is left to chance: about one in
    ten million for a million names.)
    """

    def __init__(self, pairs: Iterable[tuple[object, int]]):
        hashes, owners = array("q"), array("i")
        for key, doc in pairs:
            hashes.append(hash(key))
            owners.append(doc)
        order = sorted(range(len(hashes)), key=hashes.__getitem__)  # stable: a guide's together
        self._hashes, self._owners = array("q"), array("i")
        # Every guide that has the key (once, or more when several share it): a workspace hiding
        # one of two guides that share a name leaves the other its owner (`owners`).
        for i in order:
            if self._hashes and self._hashes[-1] == hashes[i] and self._owners[-1] == owners[i]:
                continue
            self._hashes.append(hashes[i])
            self._owners.append(owners[i])

    def owners(self, key: object) -> list[int]:
        """Every guide the key belongs to (one may be listed twice)."""
        h = hash(key)
        i = bisect_left(self._hashes, h)
        found = []
        while i < len(self._hashes) and self._hashes[i] == h:
            found.append(self._owners[i])
            i += 1
        return found

    def owner(self, key: object) -> int | None:
        """The guide the key belongs to, AMBIGUOUS, or None when no guide has it."""
        h = hash(key)
        i = bisect_left(self._hashes, h)
        if i == len(self._hashes) or self._hashes[i] != h:
            return None
        if i + 1 < len(self._hashes) and self._hashes[i + 1] == h:
            return AMBIGUOUS
        return self._owners[i]


def _contains(sorted_ids: array, term_id: int) -> bool:
    i = bisect_left(sorted_ids, term_id)
    return i < len(sorted_ids) and sorted_ids[i] == term_id


def _body_fields(body: str) -> dict[str, list[str]]:
    """Split a guide's Markdown body into fields by the role of each section."""
    fields: dict[str, list[str]] = {"situation": [], "body": [], "aside": []}
    for title, _heading, lines in body_sections(body):
        if title.startswith(ASIDE_SECTIONS):
            fields["aside"] += lines
        elif title.startswith(SITUATION_SECTIONS):
            fields["situation"] += lines
        else:
            fields["body"] += lines
    return {name: ["\n".join(lines)] for name, lines in fields.items()}


def _rating_factor(ratings: Mapping[str, tuple[int, int]] | None, guide_id: str) -> float:
    if not ratings or guide_id not in ratings:
        return 1.0
    helpful, unhelpful = ratings[guide_id]
    average = (helpful + PRIOR_MEAN * PRIOR_VOTES) / (helpful + unhelpful + PRIOR_VOTES)
    return 1 + RATING_SWAY * (average - PRIOR_MEAN)


def _closest_categories(matches: list[Match]) -> list[Category]:
    totals: defaultdict[Category, float] = defaultdict(float)
    for match in matches[:10]:
        totals[match.guide.meta.category] += match.score
    # the three highest totals, the first counted first among equals (as Counter.most_common)
    return sorted(totals, key=totals.__getitem__, reverse=True)[:3]
