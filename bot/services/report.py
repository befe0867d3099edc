"""The library owners' report: what was used, rated, missed and changed in a period.

One function builds it (`build`); the Slack report, the admin section of the Home tab and
`inflow report --csv` all show what it returns, so their figures cannot disagree.

Privacy: every figure about people counts *distinct people*, and a figure from one to four is
shown as "fewer than 5", never as the number (k-anonymity with k = 5). Zero is shown as 0: it
points at nobody, and "fewer than 5" for what never happened misleads. Where a figure also
counts things (messages, ideas, searches), that number is hidden with it. Hiding a figure is not
enough where others shown beside it add up to it: "all guides: helped 7" over "active listening:
helped 5" gives five whys' "fewer than 5" away as 2. So where a total is shown with its parts
(the outcomes' "All guides" row over the guides; a guide's people over who opened and who
shared it; a nudge's people over those who acted on it), the total or the breakdown is
"withheld" whenever subtraction would leave a group under five or a hidden figure's exact
value (`derivable`). Searches are shown word for word only when five or more people asked them
so; otherwise by the topic words the library itself uses (`gap_topic`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process
from sqlalchemy import case, distinct, func, select
from sqlalchemy.orm import Session

from bot.errors import InflowError
from bot.library import text
from bot.library.matcher import PRIOR_MEAN, PRIOR_VOTES
from bot.library.schema import Guide
from bot.models import (
    ContentGap,
    Debrief,
    DebriefAnswer,
    GuideEvent,
    GuideOutcome,
    GuideRecord,
    Idea,
    IdeaStep,
    MistakeMoment,
    NudgeFeedback,
    OutboxMessage,
    PracticeEnrolment,
    PracticeStep,
    Rating,
    Strength,
    SuggestionOffer,
)
from bot.services import verifications
from bot.services.debriefs import QUESTIONS
from bot.services.ideas import Stage
from bot.services.library import GuideEventKind, workspace_aliases
from bot.services.outbox import SNOOZED, OutboxKind, OutboxStatus, is_channel
from bot.services.preferences import KIND_LABELS, NudgeKind
from bot.services.suggestions import Outcome
from bot.services.verifications import LibraryHealth

MIN_GROUP = 5  # k-anonymity: no figure about fewer people than this is shown
FEWER = f"fewer than {MIN_GROUP}"
DEFAULT_DAYS = 30
MAX_DAYS = 366
GAP_SIMILARITY = 85  # rapidfuzz token_sort_ratio from which two searches are one gap
GAP_BLOCK = 3  # searches are compared when a word of each starts with the same 3 letters
OUTCOMES = ("helped", "did_not_help", "not_yet")  # GuideOutcome.outcome values

CHANNEL_OFFER = "channel_offer"  # not an outbox kind: offers live in suggestion_offers
_KIND_LABELS = {
    **{kind.value: label for kind, label in KIND_LABELS.items()},
    OutboxKind.REVIEW.value: "Monthly review lists (library owners)",
    CHANNEL_OFFER: "Guides offered quietly in channels",
}


WITHHELD = "withheld"  # a figure left out so that no group under five can be worked out


def derivable(total: int, parts: Iterable[int]) -> bool:
    """Whether showing `total` beside its `parts` (those under five shown as "fewer than 5")
    lets a reader subtract their way to a small group.

    Zeros are shown, so a hidden part is one of 1 to 4. Total minus the shown parts is the
    hidden parts' sum: it gives a group away when it is under five, when one part is hidden
    (that part's value), or when it reaches the least or the most the hidden parts can hold
    (each is then exactly 1, or exactly 4). Otherwise every hidden part could still be any of
    two or more values. Distinct-people totals can be smaller than the parts' sum (one person in
    two guides): the reader's subtraction is judged as they would make it.
    """
    parts = list(parts)
    hidden = sum(1 for part in parts if is_hidden(part))
    if not hidden or total < MIN_GROUP:
        return False
    rest = total - sum(part for part in parts if not is_hidden(part))
    return hidden == 1 or rest < MIN_GROUP or not hidden < rest < hidden * (MIN_GROUP - 1)


def is_hidden(count: int) -> bool:
    """Whether a count of people is too small to show: one to four (zero points at nobody)."""
    return 0 < count < MIN_GROUP


def shown(count: int) -> int | str:
    """A count of people as a report may show it: 0, or the number from five on; one to four
    is "fewer than 5"."""
    return FEWER if is_hidden(count) else count


def shown_with(count: int, people: int) -> int | str:
    """A count of things (messages, ideas, searches) made by `people`: hidden with them."""
    return FEWER if is_hidden(people) else count


@dataclass(frozen=True)
class Period:
    """The days a report covers: the `days` before `end`."""

    start: dt.datetime
    end: dt.datetime
    days: int

    @classmethod
    def last(cls, days: int, *, now: dt.datetime) -> Period:
        if not 1 <= days <= MAX_DAYS:
            raise InflowError(f"Choose a period from 1 to {MAX_DAYS} days, like `90`.")
        return cls(now - dt.timedelta(days=days), now, days)

    @property
    def words(self) -> str:
        return (
            f"the last {self.days} {'day' if self.days == 1 else 'days'} "
            f"({self.start:%-d %b %Y} to {self.end:%-d %b %Y}, UTC)"
        )


def parse_days(words: str) -> int:
    """`""` -> 30; `90`, `90d`, `90 days` -> 90; anything else is explained."""
    found = re.fullmatch(r"(\d{1,4})\s*(d|days?)?", words.strip().lower())
    if not words.strip():
        return DEFAULT_DAYS
    if not found:
        raise InflowError(
            f"Say how many days the report should cover, like `90` (the default is {DEFAULT_DAYS})."
        )
    return int(found.group(1))


# -- what the report holds ------------------------------------------------------------------------


@dataclass(frozen=True)
class GuideUse:
    guide_id: str
    title: str
    people: int  # opened or shared it
    viewers: int
    sharers: int

    @property
    def breakdown_shown(self) -> bool:
        """Whether "opened N, shared M" may be shown beside the people: not when those figures
        (or fewer than 5 in place of one) pin down a hidden figure or a group under five, such
        as the people who only shared it."""
        return self.people >= MIN_GROUP and not _pins_a_small_group(
            self.people, self.viewers, self.sharers
        )

    def opened(self) -> int | str:
        return self._part(self.viewers)

    def shared(self) -> int | str:
        return self._part(self.sharers)

    def _part(self, count: int) -> int | str:
        # Under five people in all, every figure is 0 or "fewer than 5": nothing to subtract
        # from.
        return shown(count) if self.breakdown_shown or self.people < MIN_GROUP else WITHHELD


def _pins_a_small_group(people: int, viewers: int, sharers: int) -> bool:
    # Every (opened, shared) a reader could not rule out: a shown figure (0, or five or more) is
    # itself, a hidden one any of 1-4; together they must make `people` as a union does.
    def could_be(count: int) -> range:
        return range(1, MIN_GROUP) if is_hidden(count) else range(count, count + 1)

    seen: dict[str, set[int]] = defaultdict(set)
    for opened in could_be(viewers):
        for shared in could_be(sharers):
            if max(opened, shared) <= people <= opened + shared:
                seen["opened"].add(opened)
                seen["shared"].add(shared)
                seen["only opened"].add(people - shared)
                seen["only shared"].add(people - opened)
                seen["both"].add(opened + shared - people)
    hidden = {"opened": is_hidden(viewers), "shared": is_hidden(sharers)}
    return any(
        len(values) == 1 and (hidden.get(name, False) or 0 < min(values) < MIN_GROUP)
        for name, values in seen.items()
    )


@dataclass(frozen=True)
class GuideRating:
    guide_id: str
    title: str
    score: float  # Bayesian average of the votes, as the matcher ranks with it
    raters: int


@dataclass(frozen=True)
class GapGroup:
    """Searches that found nothing, folded into one need."""

    label: str  # the way most people put it, or its topic words (see `as_asked`)
    variants: tuple[str, ...]  # the other ways five or more people put it, most asked first
    people: int
    searches: int
    as_asked: bool = True  # the label is words five or more people typed; else topic words


@dataclass(frozen=True)
class StaleGuide:
    guide_id: str
    title: str
    owner: str
    review_by: dt.date
    days_overdue: int


@dataclass(frozen=True)
class GuideOutcomes:
    guide_id: str  # "" for all guides together
    title: str
    helped: int  # people who said so
    did_not_help: int
    not_yet: int
    withheld: frozenset[str] = frozenset()  # outcomes whose figure would give a group away

    def figure(self, outcome: str) -> int | str:
        """The figure for one of OUTCOMES as the report shows it."""
        return WITHHELD if outcome in self.withheld else shown(getattr(self, outcome))


@dataclass(frozen=True)
class NudgeFigures:
    kind: str
    label: str
    sent: int  # messages
    recipients: int  # people they went to
    acted_on: int  # of those people, how many answered one with a recorded button

    def acted(self) -> int | str:
        """Those who acted, shown only when they and those who did not are each none or five
        or more; otherwise "withheld" either way, so which way it was is not given away."""
        others = self.recipients - self.acted_on
        if not is_hidden(self.acted_on) and not is_hidden(others):
            return self.acted_on
        return WITHHELD


@dataclass(frozen=True)
class RoutineUse:
    name: str
    people: int
    count: int  # moments, notes, ideas, debriefs
    unit: str


@dataclass(frozen=True)
class PathFigures:
    """One practice path in the period: people invited, started, who tried steps (and how many
    steps), finished, and looked back; the average change in confidence of those who looked
    back; and the lines people chose to share, without names."""

    path_id: str
    invited: int
    started: int
    tried_people: int
    tried_steps: int
    finished: int
    looked_back: int
    change: float  # average confidence now minus before, over `looked_back` people
    lines: list[str]

    def confidence_change(self) -> str:
        """The average change as a report shows it: "+0.8", "0", or hidden under five people."""
        if self.looked_back == 0:
            return "0"
        if is_hidden(self.looked_back):
            return FEWER
        return "0" if round(self.change, 1) == 0 else f"{self.change:+.1f}"

    def shared(self) -> list[str]:
        """The shared lines, only once five or more people finished the path: fewer, and a
        line could be put to the person who wrote it."""
        return self.lines if self.finished >= MIN_GROUP else []


@dataclass(frozen=True)
class DebriefCandidate:
    debrief_id: int
    topic: str
    channel_id: str
    closed_at: dt.datetime
    views: int  # people who answered
    points: dict[str, list[str]]  # question -> points, without names


@dataclass(frozen=True)
class ChosenPair:
    """People asked one thing and picked a guide the search had not answered with."""

    asked: str  # the most common way it was asked, tidied
    guide_id: str
    title: str
    people: int
    times: int


@dataclass
class LibraryReport:
    team_id: str
    period: Period
    usage: list[GuideUse] = field(default_factory=list)
    ratings: list[GuideRating] = field(default_factory=list)  # best first, 5+ raters each
    gaps: list[GapGroup] = field(default_factory=list)
    stale: list[StaleGuide] = field(default_factory=list)
    outcomes: list[GuideOutcomes] = field(default_factory=list)
    outcomes_total: GuideOutcomes = GuideOutcomes("", "All guides", 0, 0, 0)
    nudges: list[NudgeFigures] = field(default_factory=list)
    routines: list[RoutineUse] = field(default_factory=list)
    debriefs: list[DebriefCandidate] = field(default_factory=list)
    lessons: list[str] = field(default_factory=list)
    chosen: list[ChosenPair] = field(default_factory=list)
    practice: list[PathFigures] = field(default_factory=list)
    # verified / due / overdue, by the review dates the workspace goes by (its verifications)
    health: LibraryHealth = field(default_factory=LibraryHealth)

    @property
    def best_rated(self) -> list[GuideRating]:
        return [r for r in self.ratings if r.score > PRIOR_MEAN]

    @property
    def worst_rated(self) -> list[GuideRating]:
        return [r for r in reversed(self.ratings) if r.score < PRIOR_MEAN]


# -- building it -----------------------------------------------------------------------------------


def build(
    session: Session, *, team_id: str, period: Period, guides: Iterable[Guide]
) -> LibraryReport:
    """Every section of the report for one workspace and period."""
    guides = list(guides)
    reviewed = verifications.applied(guides, verifications.newest(session, team_id))
    total, per_guide = outcomes(session, team_id, period)
    return LibraryReport(
        team_id=team_id,
        period=period,
        usage=usage(session, team_id, period),
        ratings=ratings(session, team_id, period),
        gaps=group_gaps(
            _gaps(session, team_id, period), vocabulary=gap_vocabulary(session, team_id, guides)
        ),
        stale=stale_guides(reviewed, today=period.end.date()),
        outcomes=per_guide,
        outcomes_total=total,
        nudges=nudges(session, team_id, period),
        routines=routines(session, team_id, period),
        debriefs=closed_debriefs(session, team_id, period),
        lessons=shared_lessons(session, team_id, period),
        chosen=chosen_pairs(session, team_id, period, guides),
        practice=practice_paths(session, team_id, period),
        health=verifications.health(reviewed, period.end.date()),
    )


def _in(column, period: Period):
    # (start, end]: what happened at the moment of asking counts
    return (column > period.start) & (column <= period.end)


def _titles(session: Session) -> dict[str, str]:
    return dict(session.execute(select(GuideRecord.id, GuideRecord.title)).tuples().all())


def usage(session: Session, team_id: str, period: Period) -> list[GuideUse]:
    """Guides by the people who opened or shared them."""
    rows = session.execute(
        select(GuideEvent.guide_id, GuideEvent.kind, GuideEvent.user_id)
        .where(
            GuideEvent.team_id == team_id,
            GuideEvent.kind.in_([GuideEventKind.VIEW.value, GuideEventKind.SHARE.value]),
            _in(GuideEvent.at, period),
        )
        .distinct()
    )
    seen: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for guide_id, kind, user_id in rows:
        seen[guide_id][kind].add(user_id)
    titles = _titles(session)
    found = [
        GuideUse(
            guide_id,
            titles.get(guide_id, guide_id),
            len(by_kind[GuideEventKind.VIEW.value] | by_kind[GuideEventKind.SHARE.value]),
            len(by_kind[GuideEventKind.VIEW.value]),
            len(by_kind[GuideEventKind.SHARE.value]),
        )
        for guide_id, by_kind in seen.items()
    ]
    return sorted(found, key=lambda u: (-u.people, -u.viewers, u.title))


def bayesian(helpful: int, unhelpful: int) -> float:
    """The matcher's rating: the votes averaged with a prior of PRIOR_VOTES votes at PRIOR_MEAN,
    so a handful of votes barely moves a guide."""
    return (helpful + PRIOR_MEAN * PRIOR_VOTES) / (helpful + unhelpful + PRIOR_VOTES)


def ratings(session: Session, team_id: str, period: Period) -> list[GuideRating]:
    """Guides rated by five or more people in the period, best first (votes cast or changed in
    the period; the same votes `ratings_by_guide` counts)."""
    rows = session.execute(
        select(
            Rating.guide_id,
            func.sum(case((Rating.value > 0, 1), else_=0)),
            func.sum(case((Rating.value < 0, 1), else_=0)),
            func.count(distinct(Rating.user_id)),
        )
        .where(Rating.team_id == team_id, _in(Rating.updated_at, period))
        .group_by(Rating.guide_id)
    )
    titles = _titles(session)
    found = [
        GuideRating(guide_id, titles.get(guide_id, guide_id), bayesian(int(up), int(down)), raters)
        for guide_id, up, down, raters in rows
        if raters >= MIN_GROUP
    ]
    return sorted(found, key=lambda r: (-r.score, r.title))


# -- searches that found nothing ----------------------------------------------------------------


def gap_key(query: str) -> str:
    """What a search asks for, for grouping: case, spacing, punctuation and word forms folded,
    function words dropped, word order ignored."""
    words = text.words(query)
    stems = sorted({text.stem(w) for w in text.content_words(words)})
    return " ".join(stems) or " ".join(words)


def _tidy(query: str) -> str:
    return " ".join(query.casefold().split()).strip(" ?!.,;:")


def group_gaps(
    searches: Iterable[tuple[str, str]],
    *,
    similarity: int = GAP_SIMILARITY,
    vocabulary: frozenset[str] = frozenset(),
    min_people: int = MIN_GROUP,
) -> list[GapGroup]:
    """(query, user id) pairs into needs: the same words in any case, spacing, punctuation or
    order are one; a key at least `similarity` alike to a more searched one (a typo, a word
    form) joins it. Keys are compared only with keys sharing the first letters of a word, so
    grouping thousands of searches stays well inside Slack's three seconds.

    A way of asking is shown word for word only when `min_people` or more people asked it so:
    one person's "my manager bob smith keeps shouting at me" is theirs. A need nobody put in
    such words is shown by its topic words (`gap_topic`).
    """
    by_key: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for query, user_id in searches:
        if _tidy(query):
            by_key[gap_key(query)].append((query, user_id))
    groups: list[list[tuple[str, str]]] = []
    heads: list[str] = []
    by_start: dict[str, list[int]] = defaultdict(list)  # a word's first letters -> groups
    for key in sorted(by_key, key=lambda k: (-len(by_key[k]), k)):
        starts = {word[:GAP_BLOCK] for word in key.split()}
        near = sorted({i for start in starts for i in by_start[start]})
        match = process.extractOne(
            key, [heads[i] for i in near], scorer=fuzz.token_sort_ratio, score_cutoff=similarity
        )
        if match is None:
            for start in starts:
                by_start[start].append(len(heads))
            heads.append(key)
            groups.append(list(by_key[key]))
        else:
            groups[near[match[2]]].extend(by_key[key])
    found = []
    for members in groups:
        askers: dict[str, set[str]] = defaultdict(set)
        for query, user in members:
            askers[_tidy(query)].add(user)
        ways = Counter(_tidy(query) for query, _ in members)
        ordered = sorted(ways, key=lambda w: (-len(askers[w]), -ways[w], len(w), w))
        said = [way for way in ordered if len(askers[way]) >= min_people]
        as_asked = bool(said) and said[0] == ordered[0]
        found.append(
            GapGroup(
                label=ordered[0] if as_asked else gap_topic(members, vocabulary, min_people),
                variants=tuple(said[1:] if as_asked else said),
                people=len({user for _, user in members}),
                searches=len(members),
                as_asked=as_asked,
            )
        )
    return sorted(found, key=lambda g: (-g.people, -g.searches, g.label))


def gap_topic(
    members: Iterable[tuple[str, str]], vocabulary: frozenset[str], min_people: int = MIN_GROUP
) -> str:
    """What searches were about, without anything only one of them said: the words (by stem)
    the library's own guides, aliases and concepts use, or that `min_people` or more of the
    people typed, most used first, each in its commonest form.

    An allow-list, not a name filter: names typed in lowercase, nicknames and misspellings are
    all simply not in the library's words, where a capital-letter or dictionary check would let
    "bob smith" (or "Smith", a word) through.
    """
    forms: dict[str, Counter] = defaultdict(Counter)
    users: dict[str, set[str]] = defaultdict(set)
    for query, user in members:
        for word in text.content_words(text.words(query)):
            stem = text.stem(word)
            forms[stem][word] += 1
            users[stem].add(user)
    kept = [s for s in forms if s in vocabulary or len(users[s]) >= min_people]
    kept.sort(key=lambda s: (-len(users[s]), -forms[s].total(), s))
    return " ".join(max(forms[s], key=lambda w: (forms[s][w], -len(w), w)) for s in kept)


def gap_vocabulary(session: Session, team_id: str, guides: Iterable[Guide]) -> frozenset[str]:
    """The stems of the words the library itself uses: its guides' titles, summaries, tags,
    aliases and triggers, the workspace's added names, the matcher's concepts, and the kinds
    of request it knows it is not for (payroll, parking)."""
    phrases = [
        phrase
        for g in guides
        for phrase in (g.meta.title, g.meta.summary, *g.meta.tags, *g.meta.aliases)
    ]
    phrases += [p for g in guides for p in g.meta.triggers]
    phrases += [p for concept in text.CONCEPTS.values() for p in concept]
    words = {w for phrase in phrases for w in text.words(phrase)}
    words |= text.OUT_OF_DOMAIN | text.LOW_INFORMATION
    stems = {text.stem(w) for w in words}
    stems |= {stem for key in workspace_aliases(session, team_id) for stem in key}
    return frozenset(stems)


def _gaps(session: Session, team_id: str, period: Period) -> list[tuple[str, str]]:
    return list(
        session.execute(
            select(ContentGap.query, ContentGap.user_id).where(
                ContentGap.team_id == team_id, _in(ContentGap.at, period)
            )
        ).tuples()
    )


# -- asked X, chose Y ----------------------------------------------------------------------------

CHOSEN_MIN_PEOPLE = 2  # one person's pick is an anecdote, and would show what they asked


def chosen_pairs(
    session: Session, team_id: str, period: Period, guides: Iterable[Guide]
) -> list[ChosenPair]:
    """What people asked and the guide they then picked from the choices or "Other matches",
    most people first, for the owners to accept as a name of that guide (never automatically).

    Pairs that the guide's own names or the workspace's aliases already answer are left out.
    """
    named: set[tuple[tuple[str, ...], str]] = {
        (text.name_key(name), g.id)
        for g in guides
        for name in (g.meta.title, *g.meta.aliases, *g.meta.tags)
    }
    named |= {(key, guide_id) for key, guide_id in workspace_aliases(session, team_id).items()}
    rows = session.execute(
        select(GuideEvent.query, GuideEvent.guide_id, GuideEvent.user_id).where(
            GuideEvent.team_id == team_id,
            GuideEvent.kind == GuideEventKind.CHOSEN.value,
            GuideEvent.query.is_not(None),
            _in(GuideEvent.at, period),
        )
    )
    groups: dict[tuple[tuple[str, ...], str], list[tuple[str, str]]] = defaultdict(list)
    for query, guide_id, user_id in rows:
        key = text.name_key(query)
        if key and (key, guide_id) not in named:
            groups[key, guide_id].append((_tidy(query), user_id))
    titles = _titles(session)
    pairs = []
    for (_, guide_id), members in groups.items():
        people = len({user for _, user in members})
        if people < CHOSEN_MIN_PEOPLE:
            continue
        ways = Counter(asked for asked, _ in members)
        asked = sorted(ways, key=lambda w: (-ways[w], len(w), w))[0]
        pairs.append(
            ChosenPair(asked, guide_id, titles.get(guide_id, guide_id), people, len(members))
        )
    return sorted(pairs, key=lambda p: (-p.people, -p.times, p.asked))


# -- guides due for review ----------------------------------------------------------------------


def stale_guides(guides: Iterable[Guide], *, today: dt.date) -> list[StaleGuide]:
    """Served guides past their review-by date, the longest overdue first (give it guides with
    the workspace's verifications applied: bot.services.verifications.applied)."""
    found = [
        StaleGuide(g.id, g.title, g.meta.owner, g.meta.review_by, (today - g.meta.review_by).days)
        for g in guides
        if g.meta.review_by < today and not g.meta.draft
    ]
    return sorted(found, key=lambda s: (s.review_by, s.guide_id))


# -- did it help the work ----------------------------------------------------------------------


def outcomes(
    session: Session, team_id: str, period: Period
) -> tuple[GuideOutcomes, list[GuideOutcomes]]:
    """People who answered the follow-up "did you get to use it?", by answer: for all guides
    together and per guide (most "helped" first)."""
    rows = session.execute(
        select(GuideOutcome.guide_id, GuideOutcome.outcome, GuideOutcome.user_id)
        .where(GuideOutcome.team_id == team_id, _in(GuideOutcome.at, period))
        .distinct()
    ).all()
    per_guide: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    everyone: dict[str, set[str]] = defaultdict(set)
    for guide_id, outcome, user_id in rows:
        per_guide[guide_id][outcome].add(user_id)
        everyone[outcome].add(user_id)
    titles = _titles(session)
    listed = [
        GuideOutcomes(
            guide_id,
            titles.get(guide_id, guide_id),
            helped=len(by["helped"]),
            did_not_help=len(by["did_not_help"]),
            not_yet=len(by["not_yet"]),
        )
        for guide_id, by in per_guide.items()
    ]
    listed.sort(key=lambda o: (-o.helped, -o.did_not_help, -o.not_yet, o.title))
    return total_row({o: len(everyone[o]) for o in OUTCOMES}, listed), listed


def total_row(counts: dict[str, int], listed: list[GuideOutcomes]) -> GuideOutcomes:
    """The "All guides" row over `listed`, each figure withheld where it is `derivable`."""
    withheld = frozenset(
        o for o in OUTCOMES if derivable(counts[o], (getattr(row, o) for row in listed))
    )
    return GuideOutcomes(
        "",
        "All guides",
        helped=counts["helped"],
        did_not_help=counts["did_not_help"],
        not_yet=counts["not_yet"],
        withheld=withheld,
    )


# -- nudges ------------------------------------------------------------------------------------


def nudges(session: Session, team_id: str, period: Period) -> list[NudgeFigures]:
    """Nudges sent to people in the period, by kind, and how many of those people acted on one.

    Acted on: the person pressed one of the buttons inflow records on a nudge of that kind, in
    the period: a follow-up answer (helped / didn't / not yet), *Not useful*, or *Snooze*; for
    guides offered quietly in channels, *Open*.
    (*Open the guide* and *Stop these* leave no record tied to the nudge, so they do not count.)
    """
    sent: dict[str, Counter] = defaultdict(Counter)
    for kind, user_id, messages in session.execute(
        select(OutboxMessage.kind, OutboxMessage.recipient, func.count())
        .where(
            OutboxMessage.team_id == team_id,
            OutboxMessage.status == OutboxStatus.SENT.value,
            OutboxMessage.kind != OutboxKind.REPLY.value,  # people's own messages, not nudges
            _in(OutboxMessage.sent_at, period),
        )
        .group_by(OutboxMessage.kind, OutboxMessage.recipient)
    ):
        if not is_channel(user_id):  # a channel's debrief is not a nudge to a person
            sent[kind][user_id] += messages
    answered: dict[str, set[str]] = defaultdict(set)
    for kind, user_id in session.execute(
        select(NudgeFeedback.kind, NudgeFeedback.user_id).where(
            NudgeFeedback.team_id == team_id, _in(NudgeFeedback.at, period)
        )
    ):
        answered[kind].add(user_id)
    for (user_id,) in session.execute(
        select(GuideOutcome.user_id).where(
            GuideOutcome.team_id == team_id, _in(GuideOutcome.at, period)
        )
    ):
        answered[NudgeKind.FOLLOW_UPS.value].add(user_id)
    for kind, user_id in session.execute(
        select(OutboxMessage.kind, OutboxMessage.recipient).where(
            OutboxMessage.team_id == team_id,
            OutboxMessage.occurrence.contains(SNOOZED),
            _in(OutboxMessage.created_at, period),
        )
    ):
        answered[kind].add(user_id)
    # Offers in channels: acted on means the person opened the guide.
    for user_id, outcome in session.execute(
        select(SuggestionOffer.user_id, SuggestionOffer.outcome).where(
            SuggestionOffer.team_id == team_id, _in(SuggestionOffer.at, period)
        )
    ):
        sent[CHANNEL_OFFER][user_id] += 1
        if outcome == Outcome.OPENED.value:
            answered[CHANNEL_OFFER].add(user_id)
    found = [
        NudgeFigures(
            kind,
            _KIND_LABELS.get(kind, kind),
            sum(people.values()),
            len(people),
            len(set(people) & answered[kind]),
        )
        for kind, people in sent.items()
    ]
    return sorted(found, key=lambda n: (-n.recipients, n.label))


# -- routines ----------------------------------------------------------------------------------


IDEA_STAGES = {
    Stage.PITCH: "Ideas pitched",
    Stage.PROTOTYPE: "Ideas moved to Prototype",
    Stage.PILOT: "Ideas moved to Pilot",
    Stage.ADOPTED: "Ideas adopted",
    Stage.PARKED: "Ideas parked",
}


def routines(session: Session, team_id: str, period: Period) -> list[RoutineUse]:
    """How much each routine was used in the period: by how many people, and how often."""

    def counted(name: str, who, what, when, unit: str) -> RoutineUse:
        model = who.class_
        people, count = session.execute(
            select(func.count(distinct(who)), func.count(distinct(what))).where(
                model.team_id == team_id, _in(when, period)
            )
        ).one()
        return RoutineUse(name, int(people), int(count), unit)

    moment = MistakeMoment
    found = [
        counted("Mistake moments", moment.author_id, moment.id, moment.created_at, "moments"),
        counted("Lessons written", moment.author_id, moment.id, moment.lesson_at, "lessons"),
        counted("Strengths spotted", Strength.giver_id, Strength.id, Strength.created_at, "notes"),
    ]
    # An idea counts at each stage it reached in the period (its steps); its people are its
    # authors, whoever moved it.
    for stage, name in IDEA_STAGES.items():
        people, count = session.execute(
            select(func.count(distinct(Idea.author_id)), func.count(distinct(Idea.id)))
            .join(IdeaStep, IdeaStep.idea_id == Idea.id)
            .where(Idea.team_id == team_id, IdeaStep.stage == stage.value, _in(IdeaStep.at, period))
        ).one()
        found.append(RoutineUse(name, int(people), int(count), "ideas"))
    answer = DebriefAnswer
    found.append(
        counted("Debriefs answered", answer.user_id, answer.debrief_id, answer.at, "debriefs")
    )
    return found


# -- practice paths --------------------------------------------------------------------------


def practice_paths(session: Session, team_id: str, period: Period) -> list[PathFigures]:
    """Each practice path with anything in the period, most started first. Shared lines are
    sorted by their words, not their time, so none can be matched to when someone finished."""
    enrolment, step = PracticeEnrolment, PracticeStep

    def people(when) -> dict[str, int]:
        return dict(
            session.execute(
                select(enrolment.path_id, func.count(distinct(enrolment.user_id)))
                .where(enrolment.team_id == team_id, _in(when, period))
                .group_by(enrolment.path_id)
            )
            .tuples()
            .all()
        )

    invited, started, finished = (
        people(enrolment.invited_at),
        people(enrolment.started_at),
        people(enrolment.finished_at),
    )
    tried = {
        path: (int(who), int(steps))
        for path, who, steps in session.execute(
            select(enrolment.path_id, func.count(distinct(step.user_id)), func.count(step.id))
            .join(step, step.enrolment_id == enrolment.id)
            .where(
                enrolment.team_id == team_id,
                step.outcome == "tried",
                _in(step.answered_at, period),
            )
            .group_by(enrolment.path_id)
        ).tuples()
    }
    changes: dict[str, list[int]] = defaultdict(list)
    lines: dict[str, list[str]] = defaultdict(list)
    for path, before, after, line in session.execute(
        select(
            enrolment.path_id,
            enrolment.confidence_before,
            enrolment.confidence_after,
            enrolment.shared_line,
        ).where(enrolment.team_id == team_id, _in(enrolment.reflected_at, period))
    ).tuples():
        if before is not None and after is not None:
            changes[path].append(after - before)
        if line:
            lines[path].append(line)
    paths = set(invited) | set(started) | set(finished) | set(tried) | set(changes)
    found = [
        PathFigures(
            path_id=path,
            invited=invited.get(path, 0),
            started=started.get(path, 0),
            tried_people=tried.get(path, (0, 0))[0],
            tried_steps=tried.get(path, (0, 0))[1],
            finished=finished.get(path, 0),
            looked_back=len(changes[path]),
            change=sum(changes[path]) / len(changes[path]) if changes[path] else 0.0,
            lines=sorted(lines[path]),
        )
        for path in paths
    ]
    return sorted(found, key=lambda f: (-f.started, f.path_id))


# -- work that could become content -----------------------------------------------------------


def closed_debriefs(session: Session, team_id: str, period: Period) -> list[DebriefCandidate]:
    """Debriefs whose summary was posted in the period, newest first, with their points."""
    found = []
    debriefs = session.scalars(
        select(Debrief)
        .where(Debrief.team_id == team_id, _in(Debrief.closed_at, period))
        .order_by(Debrief.closed_at.desc(), Debrief.id.desc())
    )
    for debrief in debriefs:
        found.append(debrief_candidate(session, debrief))
    return found


def closed_debrief(session: Session, debrief_id: int) -> DebriefCandidate:
    """A debrief whose summary is posted, with its points, to draft a guide from."""
    debrief = session.get(Debrief, debrief_id)
    if debrief is None:
        raise InflowError(f"There is no debrief {debrief_id}.")
    return debrief_candidate(session, debrief)


def debrief_candidate(session: Session, debrief: Debrief) -> DebriefCandidate:
    """A closed debrief's points, without names; an open one has no summary to draft from."""
    if debrief.closed_at is None:
        raise InflowError(
            f"Debrief {debrief.id} is still open: post its summary in Slack first "
            "(*Post the summary*), then draft from it."
        )
    answers = list(
        session.scalars(
            select(DebriefAnswer)
            .where(DebriefAnswer.debrief_id == debrief.id)
            .order_by(DebriefAnswer.at, DebriefAnswer.id)
        )
    )
    points = {
        question: [" ".join(p.split()) for a in answers if (p := getattr(a, column))]
        for column, question in QUESTIONS
    }
    return DebriefCandidate(
        debrief.id, debrief.topic, debrief.channel_id, debrief.closed_at, len(answers), points
    )


def shared_lessons(session: Session, team_id: str, period: Period) -> list[str]:
    """Mistake-moment lessons their authors chose to share, newest first; never who wrote them."""
    return list(
        session.scalars(
            select(MistakeMoment.lesson)
            .where(
                MistakeMoment.team_id == team_id,
                MistakeMoment.lesson_shared.is_(True),
                MistakeMoment.lesson.is_not(None),
                _in(MistakeMoment.lesson_at, period),
            )
            .order_by(MistakeMoment.lesson_at.desc())
        )
    )
