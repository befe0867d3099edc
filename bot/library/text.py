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

import snowballstemmer

_STEMMER = snowballstemmer.stemmer("english")

_SLACK_LINK = re.compile(r"<(https?://|mailto:)[^|>]*\|([^>]*)>")
_SLACK_BARE_LINK = re.compile(r"<(?:https?://|mailto:)[^>]*>")
_SLACK_CHANNEL = re.compile(r"<#[A-Z0-9]+\|([^>]*)>")
_SLACK_SPECIAL = re.compile(r"<[@!#][^>]*>")
_EMOJI = re.compile(r":[a-z0-9_+\-']+:")
_ONE_ON_ONE = re.compile(r"\b(?:1\s*[:\-/]\s*1|1\s*on\s*1|one\s*[- ]?on\s*[- ]?one|1on1s?|1:1s)\b")
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
    tell us ok okay hey hi hello thanks thank thx yes yeah yep sure now
    """.split()
)

# Work-language concepts: people say the same thing many ways. Each phrase maps to a concept
# term that is indexed alongside the words, on the guides' side and on the query's side alike.
CONCEPTS: dict[str, tuple[str, ...]] = {
    "manager": (
        "boss",
        "manager",
        "supervisor",
        "line manager",
        "team lead",
        "my lead",
        "skip level",
    ),
    "report": ("direct report", "reports", "junior", "my team member", "mentee", "new grad"),
    "feedback": (
        "feedback",
        "critique",
        "criticism",
        "criticise",
        "criticize",
        "input on",
        "comments on my",
    ),
    "praise": (
        "praise",
        "kudos",
        "shoutout",
        "shout out",
        "appreciation",
        "appreciate",
        "recognise",
        "recognize",
        "recognition",
        "say thank",
        "thank you",
    ),
    "mistake": (
        "mistake",
        "screwed up",
        "screw up",
        "messed up",
        "mess up",
        "blunder",
        "my fault",
        "i broke",
        "broke the",
        "oops",
        "slip up",
        "error on my part",
    ),
    "incident": (
        "incident",
        "outage",
        "downtime",
        "post mortem",
        "postmortem",
        "sev1",
        "sev 1",
        "went down",
    ),
    "retrospective": (
        "retro",
        "retros",
        "retrospective",
        "look back",
        "lookback",
        "what went well",
    ),
    "debrief": (
        "debrief",
        "after action",
        "lessons learned",
        "lessons learnt",
        "wrap up",
        "wrapped up",
        "project review",
        "what worked",
        "do differently",
        "change next time",
        "went well",
    ),
    "meeting": ("meeting", "meetings", "agenda", "standup", "stand up", "sync", "workshop"),
    "prioritise": (
        "prioritise",
        "prioritize",
        "prioritisation",
        "prioritization",
        "priorities",
        "backlog",
        "triage",
        "rank features",
        "roadmap",
    ),
    "decision": (
        "decide",
        "decision",
        "decisions",
        "choose",
        "choosing",
        "choice",
        "pick between",
        "make a call",
    ),
    "estimate": ("estimate", "estimates", "estimation", "how long will", "forecast", "deadline"),
    "idea": ("idea", "ideas", "proposal", "pitch", "concept", "initiative"),
    "experiment": ("experiment", "a b test", "ab test", "trial", "validate", "try it out"),
    "newcomer": (
        "new hire",
        "new joiner",
        "new starter",
        "newcomer",
        "onboarding",
        "first weeks",
        "new colleague",
        "new person",
    ),
    "coach": ("coach", "coaching", "mentor", "mentoring", "develop my team"),
    "conflict": (
        "conflict",
        "argue",
        "arguing",
        "argument",
        "fight",
        "fighting",
        "clash",
        "tension",
        "feud",
        "at odds",
    ),
    "listen": ("listen", "listening", "heard", "not hearing", "interrupt"),
    "career": (
        "career",
        "promotion",
        "promoted",
        "progression",
        "growth path",
        "next role",
        "career path",
    ),
    "goal": ("goal", "goals", "objective", "objectives", "okr", "target"),
    "delegate": (
        "delegate",
        "delegating",
        "delegation",
        "hand off",
        "handoff",
        "hand over",
        "let go of",
    ),
    "safety": (
        "safe to",
        "psychological safety",
        "speak up",
        "afraid to",
        "scared to",
        "nobody admits",
        "fear of",
    ),
    "difficult": (
        "difficult",
        "hard conversation",
        "tough conversation",
        "awkward",
        "uncomfortable",
        "bad news",
        "don t want to hear",
    ),
    "refuse": (
        "say no",
        "saying no",
        "decline",
        "push back",
        "pushback",
        "overloaded",
        "too much on my plate",
        "too many requests",
    ),
    "urgent": ("urgent", "urgency", "overwhelmed", "firefighting", "to do list", "todo list"),
    "focus": (
        "focus",
        "focused",
        "deep work",
        "distracted",
        "distraction",
        "interruptions",
        "calendar",
        "schedule my",
    ),
    "status": (
        "status update",
        "status report",
        "progress update",
        "weekly update",
        "async update",
        "update to stakeholders",
    ),
    "writing": (
        "email",
        "emails",
        "write",
        "writing",
        "memo",
        "message to",
        "too long",
        "ramble",
        "rambling",
    ),
    "executive": (
        "executive",
        "executives",
        "exec",
        "execs",
        "vp",
        "vps",
        "leadership team",
        "c suite",
        "board",
        "ceo",
        "cto",
        "senior leaders",
        "director",
    ),
    "escalate": (
        "escalate",
        "escalating",
        "escalation",
        "raise it",
        "flag it",
        "chain of command",
        "go over his head",
        "go over her head",
    ),
    "brainstorm": (
        "brainstorm",
        "brainstorming",
        "ideation",
        "ideate",
        "generate ideas",
        "loudest voice",
    ),
    "assumption": ("assumption", "assumptions", "beliefs", "riskiest", "leap of faith"),
    "hypothesis": (
        "hypothesis",
        "hypotheses",
        "we believe",
        "expect to happen",
        "measure it",
        "success metric",
    ),
    "reflect": (
        "reflect",
        "reflection",
        "reflecting",
        "journal",
        "journaling",
        "look back on my week",
    ),
    "learning": (
        "learn",
        "learning",
        "develop",
        "development",
        "skill",
        "skills",
        "upskill",
        "get better at",
    ),
    "shadow": ("shadow", "shadowing", "sit in with", "sit with", "observe", "tag along"),
    "stretch": (
        "stretch",
        "big jump",
        "step up",
        "out of her depth",
        "out of his depth",
        "first time leading",
        "sink or swim",
    ),
    "struggle": (
        "struggle",
        "struggling",
        "stuck",
        "step in",
        "rescue",
        "let them figure",
        "spoon feed",
    ),
    "strength": (
        "strength",
        "strengths",
        "talent",
        "talents",
        "at their best",
        "at your best",
        "good at",
    ),
    "cause": (
        "root cause",
        "cause",
        "causes",
        "why did",
        "why does",
        "symptom",
        "symptoms",
        "keeps happening",
    ),
    "failure": ("fail", "fails", "failure", "go wrong", "went wrong", "could go wrong", "derail"),
    "ownership": (
        "owner",
        "owns",
        "owned",
        "ownership",
        "responsible",
        "accountable",
        "who does what",
        "roles",
        "falling through the cracks",
        "fell through the cracks",
    ),
    "commit": ("commit", "committed", "go along", "overruled", "outvoted", "disagree"),
    "present": ("present", "presenting", "presentation", "slides", "deck", "pitch to"),
    "safe_try": ("pilot", "piloting", "small trial", "test run"),
    "oneonone": ("oneonone", "one to one", "check in with my report"),
    "listening_empathy": ("feel heard", "empathy", "empathise", "empathize"),
}


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch))


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


@lru_cache(maxsize=200_000)
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
    for size in range(MAX_CONCEPT_WORDS, 0, -1):
        for start in range(len(stems) - size + 1):
            concept = CONCEPT_INDEX.get(tuple(stems[start : start + size]))
            if concept:
                found.append((concept, start, start + size))
    return found
