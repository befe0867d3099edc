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

# Words that match guides but say little about what someone needs: counted, at a third.
LOW_INFORMATION = frozenset(
    """
    two three four five six seven eight nine ten first second last next hour hours day days
    week weeks month months year morning afternoon evening tonight yesterday monday tuesday
    wednesday thursday friday saturday sunday minute minutes team people work today tomorrow
    """.split()
)

# Words of requests the library is not for (IT, payroll, facilities, trivia): a query built on
# them is answered "nothing good enough" unless a guide's own name matches it closely.
OUT_OF_DOMAIN = frozenset(
    """
    ticket tickets laptop laptops password passwords vpn wifi login logon printer printers
    payslip payslips payroll salary paycheck paycheque reimbursement reimburse expense expenses
    invoice invoices parking badge install installed download uninstall license licence pto
    insurance pension 401k lunch menu kitchen cafeteria canteen weather joke jokes recipe movie
    address directions restaurant bathroom toilet visa tax taxes refund
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
    "report": (
        "direct report",
        "reports",
        "junior",
        "my team member",
        "mentee",
        "new grad",
        "intern",
    ),
    "feedback": (
        "feedback",
        "critique",
        "criticism",
        "criticise",
        "criticize",
        "input on",
        "comments on my",
    ),
    "behaviour": (
        "behaviour",
        "behavior",
        "what i saw",
        "what i noticed",
        "the impact",
        "it caused",
        "personality",
        "attitude",
        "keeps interrupting",
        "talking over",
    ),
    "future": (
        "next time",
        "going forward",
        "in future",
        "in the future",
        "suggestions for",
        "instead of criticism",
        "look forward",
    ),
    "seek_feedback": (
        "how am i doing",
        "how i am doing",
        "ask for feedback",
        "asking for feedback",
        "get feedback",
        "honest feedback",
        "real feedback",
        "good job",
        "all good",
        "vague feedback",
        "blind spots",
    ),
    "sting": (
        "defensive",
        "stung",
        "stings",
        "hurt",
        "harsh",
        "upset by",
        "took it personally",
        "got criticised",
        "got criticized",
        "negative review",
        "bad review",
        "torn apart",
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
        "well done",
        "great job",
    ),
    "strength": (
        "strength",
        "strengths",
        "talent",
        "talents",
        "at their best",
        "at your best",
        "good at",
        "natural at",
        "shines",
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
        "my bad",
        "dropped the ball",
        "the wrong",
        "i forgot",
        "feel awful",
        "feel terrible",
        "embarrassed",
        "own up",
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
        "were down",
        "was down",
        "broke production",
        "rollback",
    ),
    "blame": (
        "blame",
        "blaming",
        "finger pointing",
        "witch hunt",
        "whose fault",
        "hunt for",
        "scapegoat",
        "who did it",
        "point fingers",
    ),
    "retrospective": (
        "retro",
        "retros",
        "retrospective",
        "look back",
        "lookback",
        "what went well",
        "every sprint",
        "end of sprint",
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
        "just finished",
        "just wrapped",
        "what actually happened",
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
        "happens again",
        "real reason",
        "underlying",
    ),
    "risk": (
        "risky",
        "risk",
        "risks",
        "blow up",
        "go sideways",
        "fall apart",
        "could fail",
        "could go wrong",
        "what could go wrong",
        "before we launch",
        "before we start",
        "before we begin",
        "kick off",
        "kickoff",
    ),
    "failure": ("fail", "fails", "failure", "go wrong", "went wrong", "derail"),
    "reflect": (
        "reflect",
        "reflection",
        "reflecting",
        "journal",
        "journaling",
        "look back on my week",
        "think back",
        "end of the week",
        "each friday",
        "every friday",
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
        "improve at",
        "grow my",
    ),
    "goal": ("goal", "goals", "objective", "objectives", "okr", "target"),
    "shadow": (
        "shadow",
        "shadowing",
        "sit in with",
        "sit with",
        "observe",
        "tag along",
        "watch how",
        "spend a day with",
    ),
    "stretch": (
        "stretch",
        "big jump",
        "step up",
        "out of her depth",
        "out of his depth",
        "out of their depth",
        "first time leading",
        "sink or swim",
        "above her level",
        "above his level",
        "above their level",
        "new challenge",
        "drown",
        "drowns",
        "biggest project",
    ),
    "coach": (
        "coach",
        "coaching",
        "mentor",
        "mentoring",
        "develop my team",
        "asking not telling",
        "ask instead of tell",
        "powerful questions",
    ),
    "in_moment": (
        "in the moment",
        "on the spot",
        "quick question",
        "corridor",
        "right now",
        "between meetings",
        "drops by my desk",
    ),
    "struggle": (
        "struggle",
        "struggling",
        "stuck",
        "step in",
        "rescue",
        "let them figure",
        "spoon feed",
        "fix it for",
        "jump in",
        "do it for them",
        "hand holding",
    ),
    "oneonone": ("oneonone", "one to one", "check in with my report", "weekly check in"),
    "delegate": (
        "delegate",
        "delegating",
        "delegation",
        "hand off",
        "handoff",
        "hand over",
        "let go of",
        "do it myself",
        "micromanage",
        "micromanaging",
        "trust them to",
        "empower",
    ),
    "safety": (
        "safe to",
        "psychological safety",
        "speak up",
        "afraid to",
        "scared to",
        "nobody admits",
        "fear of",
        "dumb question",
        "stupid question",
        "stay quiet",
        "silence in",
        "nobody speaks",
    ),
    "difficult": (
        "difficult",
        "hard conversation",
        "tough conversation",
        "awkward",
        "uncomfortable",
        "bad news",
        "don t want to hear",
        "dont want to hear",
        "dreading",
        "not looking forward",
        "wont like",
        "isnt getting",
        "let someone go",
        "performance issue",
    ),
    "career": (
        "career",
        "promotion",
        "promoted",
        "progression",
        "growth path",
        "next role",
        "career path",
        "where i want to be",
        "next step in my",
    ),
    "newcomer": (
        "new hire",
        "new joiner",
        "new starter",
        "newcomer",
        "onboarding",
        "first weeks",
        "new colleague",
        "new person",
        "first day",
        "just joined",
    ),
    "listen": (
        "listen",
        "listening",
        "heard",
        "not hearing",
        "interrupt",
        "feel heard",
        "empathy",
        "empathise",
        "empathize",
        "not listening",
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
    "approval": (
        "who approves",
        "approver",
        "sign off",
        "signoff",
        "who decides",
        "final say",
        "who drives",
        "decision maker",
        "veto",
    ),
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
        "someone else owned",
        "nobody owns",
    ),
    "speed_care": (
        "how much time",
        "overthinking",
        "overthink",
        "analysis paralysis",
        "move fast",
        "undo",
        "reversible",
        "irreversible",
        "take back",
        "deserves weeks",
        "just decide",
    ),
    "urgent": (
        "urgent",
        "urgency",
        "overwhelmed",
        "firefighting",
        "to do list",
        "todo list",
        "everything is important",
        "what to do first",
    ),
    "problem_type": (
        "type of problem",
        "kind of problem",
        "complex",
        "chaotic",
        "uncertain",
        "unknown unknowns",
        "no playbook",
        "never done before",
    ),
    "record": (
        "write down why",
        "document the decision",
        "why we decided",
        "decision log",
        "remember why",
        "record the decision",
        "adr",
    ),
    "commit": (
        "commit",
        "committed",
        "go along",
        "overruled",
        "outvoted",
        "disagree",
        "not agree",
        "dont agree",
        "against my view",
    ),
    "compare": (
        "compare options",
        "compare them",
        "vendors",
        "vendor",
        "criteria",
        "pros and cons",
        "side by side",
        "fair way to compare",
        "shortlist",
        "evaluate options",
    ),
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
        "what to build first",
    ),
    "scope": (
        "must have",
        "nice to have",
        "scope",
        "mvp",
        "cut scope",
        "minimum viable",
        "in scope",
        "out of scope",
    ),
    "idea": ("idea", "ideas", "proposal", "pitch", "concept", "initiative", "suggestion box"),
    "idea_forward": (
        "make it real",
        "get it adopted",
        "take it further",
        "next step for my idea",
        "get buy in",
        "get the company to try",
        "from idea to",
    ),
    "experiment": (
        "experiment",
        "a b test",
        "ab test",
        "trial",
        "validate",
        "try it out",
        "test it",
    ),
    "safe_try": (
        "pilot",
        "piloting",
        "small trial",
        "test run",
        "try it with one team",
        "roll out slowly",
    ),
    "hypothesis": (
        "hypothesis",
        "hypotheses",
        "we believe",
        "expect to happen",
        "measure it",
        "success metric",
        "prove it works",
    ),
    "assumption": (
        "assumption",
        "assumptions",
        "beliefs",
        "riskiest",
        "leap of faith",
        "guess",
        "guesses",
        "assume",
        "assuming",
        "check first",
        "test first",
    ),
    "meeting": ("meeting", "meetings", "agenda", "standup", "stand up", "sync", "workshop"),
    "bad_meeting": (
        "too long",
        "pointless",
        "waste of time",
        "no outcome",
        "no decisions",
        "no agenda",
        "no result",
        "going in circles",
    ),
    "brainstorm": (
        "brainstorm",
        "brainstorming",
        "ideation",
        "ideate",
        "generate ideas",
        "loudest voice",
        "same people talk",
    ),
    "status": (
        "status update",
        "status report",
        "progress update",
        "weekly update",
        "async update",
        "update to stakeholders",
        "keep everyone posted",
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
        "get to the point",
        "nobody reads",
    ),
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
        "dont get along",
        "poisoning",
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
        "take this above",
        "above both of us",
        "missed deadlines",
        "keeps slipping",
        "blocked by",
    ),
    "focus": (
        "focus",
        "focused",
        "deep work",
        "distracted",
        "distraction",
        "interruptions",
        "calendar",
        "schedule my",
        "no time to think",
        "back to back",
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
        "extra work",
        "cant take on",
    ),
    "estimate": (
        "estimate",
        "estimates",
        "estimation",
        "how long will",
        "forecast",
        "deadline",
        "how long it will take",
        "give a date",
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
    "present": (
        "present",
        "presenting",
        "presentation",
        "slides",
        "deck",
        "pitch to",
        "ten minutes with",
    ),
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
