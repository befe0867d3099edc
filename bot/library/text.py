"""Turning what people type into terms the matcher can compare.

Queries arrive as Slack text: markup, entities, emoji, typos, jargon, any script. Everything is
folded to lowercase ASCII-ish words, stemmed, and mapped to work-language concepts so that
"my boss keeps criticising my slides" and a guide about feedback from a manager meet.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import snowballstemmer
import yaml

_STEMMER = snowballstemmer.stemmer("english")

_SLACK_LINK = re.compile(r"<(https?://|mailto:)[^|>]*\|([^>]*)>")
_SLACK_BARE_LINK = re.compile(r"<(?:https?://|mailto:)[^>]*>")
_SLACK_CHANNEL = re.compile(r"<#[A-Z0-9]+\|([^>]*)>")
_SLACK_SPECIAL = re.compile(r"<[@!#][^>]*>")
_EMOJI = re.compile(r":[a-z0-9_+\-']+:")
_ONE_ON_ONE = re.compile(
    r"\b(?:1\s*[:\-/]\s*1s?|1\s*on\s*1s?|one\s*[- ]?on\s*[- ]?ones?|1on1s?|1-?2-?1s?"
    r"|one\s*to\s*ones?)\b"
)
_WORD = re.compile(r"[a-z0-9]+")

# Words that carry no topic: function words and the ways people ask for help.
STOPWORDS = frozenset(
    """
    a about above after again against all am an and any are aren as at be because been before
    being below between both but by can cannot could did do does doing don down during each few
    for from further had has have having he her here hers herself him himself his how i if in into
    is it its itself just let me more most my myself no nor not of off on once only or other ought
    our ours ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were what
    when where which while who whom why will with would you your yours yourself yourselves im ive
    id ill youre dont doesnt didnt cant wont isnt arent wasnt couldnt shouldnt wouldnt thats whats
    hows theres lets also really still even get got getting go going gonna wanna want wants need
    needs please pls plz tips tip advice guide way ways best good better thing things
    something someone anyone everyone somebody anybody one ones lot lots bit kind sort stuff like
    just maybe much many every ever keep keeps kept make makes made know think thought say says said
    tell us ok okay hey hi hello thx yes yeah yep sure now
    """.split()
)

# Words that match guides but say little about what someone needs: counted, at a third.
LOW_INFORMATION = frozenset(
    """
    two three four five six seven eight nine ten first second last next hour hours day days
    week weeks month months year morning afternoon evening tonight yesterday monday tuesday
    wednesday thursday friday saturday sunday minute minutes team people work today tomorrow
    """.split()
)

LOW_INFORMATION_STEMS = frozenset(_STEMMER.stemWord(w) for w in LOW_INFORMATION)

# Words of requests the library is not for (IT, payroll, facilities, trivia): a query built on
# them is answered "nothing good enough" unless a guide's own name matches it closely.
OUT_OF_DOMAIN = frozenset(
    """
    ticket tickets laptop laptops password passwords vpn wifi login logon printer printers
    payslip payslips payroll salary paycheck paycheque reimbursement reimburse expense expenses
    invoice invoices parking badge install installed download uninstall license licence pto
    insurance pension 401k lunch menu kitchen cafeteria canteen weather joke jokes recipe movie
    address directions restaurant bathroom toilet visa tax taxes refund
    jury dentist gym parental maternity paternity holidays vacation overtime relocation taxi uber
    flight hotel pension retirement covid vaccine insurance printer projector canteen elevator
    git github excel javascript kubernetes k8s aws azure gcp numpy pandas docker regex vlookup
    compile salesforce hubspot powerpoint pptx font backdated payday aircon nda macbook iphone
    """.split()
)


def _load_concepts() -> dict[str, tuple[str, ...]]:
    data = yaml.safe_load(CONCEPTS_FILE.read_text(encoding="utf-8"))
    return {str(name): tuple(str(p) for p in phrases) for name, phrases in data.items()}


# Work-language concepts: see concepts.yml.
CONCEPTS_FILE = Path(__file__).with_name("concepts.yml")
CONCEPTS: dict[str, tuple[str, ...]] = _load_concepts()


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch))


# Cached: the shipped library is indexed again when its files change, a workspace's recent guides
# after each edit (bot.library.overlay), and their phrases were cleaned the time before. Bounded,
# and small: a process serving many workspaces must not keep a copy of every guide's names.
@lru_cache(maxsize=16384)
def clean(text: str) -> str:
    """Slack text to plain lowercase words: markup, entities and emoji removed."""
    text = html.unescape(text or "")
    text = _SLACK_LINK.sub(lambda m: " " + m.group(2) + " ", text)
    text = _SLACK_BARE_LINK.sub(" ", text)
    text = _SLACK_CHANNEL.sub(lambda m: " " + m.group(1) + " ", text)
    text = _SLACK_SPECIAL.sub(" ", text)
    text = _EMOJI.sub(" ", text.lower())
    text = _fold(text)
    text = text.replace("\u2019", "'").replace("'", "")
    text = _ONE_ON_ONE.sub(" oneonone ", text)
    return " ".join(_WORD.findall(text))


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    return _STEMMER.stemWord(word)


def words(text: str) -> list[str]:
    """Clean words, stopwords kept (for phrases and compounds)."""
    return clean(text).split()


def content_words(cleaned_words: list[str]) -> list[str]:
    return [w for w in cleaned_words if w not in STOPWORDS and (len(w) > 1 or w.isdigit())]


def _concept_index() -> dict[tuple[str, ...], str]:
    index = {}
    for concept, phrases in CONCEPTS.items():
        for phrase in phrases:
            key = tuple(stem(w) for w in clean(phrase).split())
            if key:
                index[key] = "~" + concept
    return index


CONCEPT_INDEX = _concept_index()
MAX_CONCEPT_WORDS = max(len(key) for key in CONCEPT_INDEX)


def concepts(stems: list[str]) -> list[str]:
    """The concept terms a sequence of stems (stopwords included) mentions."""
    return [concept for concept, _start, _end in concept_spans(stems)]


def concept_spans(stems: list[str]) -> list[tuple[str, int, int]]:
    """Each concept mentioned, with the positions [start, end) of the words that say it."""
    found = []
    for start, first in enumerate(stems):
        for phrase, concept in CONCEPTS_BY_FIRST.get(first, ()):
            end = start + len(phrase)
            if end <= len(stems) and (len(phrase) == 1 or tuple(stems[start:end]) == phrase):
                found.append((concept, start, end))
    return found


def _by_first_word() -> dict[str, list[tuple[tuple[str, ...], str]]]:
    index: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for phrase, concept in CONCEPT_INDEX.items():
        index.setdefault(phrase[0], []).append((phrase, concept))
    return index


CONCEPTS_BY_FIRST = _by_first_word()


# Words that frame a request rather than name its topic, dropped when a query is compared with a
# guide's names: "how to say no at work" and "say no" are the same name.
NAME_FILLER = frozenset(
    """
    a an the my your our their his her its this that these those to for with in on at of and or
    how do does did i me we you it is are be can could should would what which when who where
    why guide guides
    template templates tips tip way ways best good some any about use using help work job please
    pls im ive idea ideas example examples
    """.split()
)


def plural(word: str) -> str:
    """A word without a plural -s ("retros", "1:1s"): a lighter fold than stemming."""
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def name_key(phrase: str, fold=stem) -> tuple[str, ...]:
    """A name as the matcher compares it: cleaned, framing words dropped, folded (stemmed)."""
    return tuple(fold(w) for w in clean(phrase).split() if w not in NAME_FILLER)
