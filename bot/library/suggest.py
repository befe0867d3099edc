"""Whether a channel message is a moment a guide helps with, and which guide.

Restraint is the feature: most messages in a work channel are chatter, logistics, links and
thanks, and an offer there is noise. So a message must first *say* it is such a moment (someone
asks how to do something, describes a situation they are in and what they want from it, a
problem that keeps coming back, or a mistake that hit others), and then the matcher must find a
guide on its own terms: a word that names the guide or a work-language concept, not merely words
its body happens to use. Cheap checks come first; most messages never reach the matcher.

`inflow content suggest --json` runs this same decision.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.library import moments
from bot.library import text as library_text
from bot.library.matcher import Library, Match, Outcome
from bot.library.schema import Guide

MIN_WORDS = 7
MIN_ANCHOR = 2.4  # calibrated on labelled channel messages: no offer on chatter that shares words
OFFER_SURE = 0.9  # the need model's probability that makes a guide worth offering unasked
OFFER_OUTSIDE = 0.5  # IT, HR, facilities and tool questions are not the library's
MOMENT_FLOOR = 0.5  # the moment model's probability below which a message is chatter
MISTAKE_GUIDE = "mistake-moments"
TOOL_ASK_REACH = 80  # characters after "how do I" in which a tool makes it a tool question

_CODE = re.compile(r"```.*?```|`[^`]*`", re.S)
_ENTITY = re.compile(r"<[^>]*>")
_WORDS = re.compile(r"[a-z']+")

# Someone asks how to do something, or for a way, a format, advice.
_ASK = re.compile(
    r"""
      \bhow\s+(do|can|should|would|could|to|have|did|does|are)\b
    | \bwhat\s+(should|do|does|goes|would|could|is\s+the\s+best|are\s+the)\b
    | \bany(one|body|\s+one)?\s+(got|have|has|know|run|ran|done|tried|used|tips|advice|ideas
        |suggestions|recommendations|good|formats?|templates?|framework|method|approach|way)\b
    | \bany\s+(tips|advice|ideas|suggestions|recommendations|pointers|formats?|templates?
        |frameworks?)
    | \bis\s+there\s+a\b
    | \b(need|want|looking\s+for)\s+(a|an|some)\s+(\w+\s+)?(way|method|format|structure
        |framework|approach|process|template|scoring|system|habit|routine|conversation)\b
    | \blooking\s+for\s+(a|an|some|ideas|advice|help)\b
    | \bwhat\s+are\s+(some\s+)?(better|good|the\s+right)\s+(questions|ways|things)\b
    | \bnot\s+sure\s+(how|what|whether|if|where|when)\b
    | \bno\s+idea\s+(how|what|where)\b | \b(zero|no)\s+clue\b
    | \b(don'?t|do\s+not)\s+know\s+(how|what|where|whether|if)\b
    | \bwhere\s+do\s+(i|we)\s+(start|begin)\b | \bat\s+what\s+point\b
    | \bwhich\s+(one|ones)\b | \bwho\s+should\b | \bshould\s+(i|we)\b | \bdo\s+(i|we)\s+\w+.*\bor\b
    | \bhelp\s+(me|us)\b | \bwhat'?s\s+the\s+(best|right)\b | \bhow\s+(long|much|many)\s+should\b
    | \bwould\s+love\b
    | \bwant\s+(us\s+)?to\s+(\w+\s+)?(get|make|run|give|thank|lead|try|ask|sort|figure|find
        |start|help|coach|tell|set|write|plan|turn|have|agree|rank)\b
    | \bneed\s+to\s+(figure|work\s+out|decide|find|sort\s+out|get\s+\w+\s+to\s+agree)\b
    """,
    re.X,
)
# A first-person slip that reached other people or systems: a mistake moment.
_MISTAKE = re.compile(
    r"""
      \bi\s+(think\s+i\s+)?(just\s+)?(accidentally\s+)?(broke|deleted|dropped|wiped|ran
        |messed\s+up|screwed\s+up|blew\s+up|took\s+down|nuked)\b
    | \b(accidentally|mortified|my\s+bad|my\s+fault|i\s+messed\s+up|i\s+screwed\s+up)\b
    | \bjust\s+(ran|deleted|dropped|wiped|broke|nuked|emailed|sent)\b
    | \bi\s+(\w+\s+){0,2}the\s+wrong\b | \b(i|we)\s+made\s+a\s+(big\s+|huge\s+)?mistake\b
    | \bi\s+(pushed|deployed|shipped|sent|merged|published|approved)\s+(\w+\s+){0,4}?without
        \s+(checking|testing|a\s+review|review|asking)\b
    | \bi\s+(forgot\s+to|missed|double[-\s]booked|overbooked|miscalculated|mislabell?ed)\b
    | \bbecause\s+of\s+me\b
    """,
    re.X,
)
_IMPACT = re.compile(
    r"\b(prod|production|customers?|clients?|everyone|everybody|deploy\w*|build|database|db"
    r"|table|release|main|master|site|website|outage|down|whole|all\s+the|list|data|invoice"
    r"|payment|orders?|checkout|paged|people|patients?|students?|front\s+desk|cfo|ceo|vendor"
    r"|walk\s+it\s+back|had\s+to\s+(handle|fix|redo|apologi[sz]e|clean))\b"
)
_RECURRING = re.compile(
    r"\bkeeps?\s+(coming\s+back|happening|breaking|failing|slipping|shipping|getting|spiking"
    r"|popping\s+up|recurring|repeating|dropping|growing)\b"
    r"|\bsame\s+(\w+\s+){0,3}(again|every|keeps)\b"
    r"|\bevery\s+(release|sprint|quarter|week|time|month)\b.{0,60}\bsame\b"
    r"|\bnothing\s+like\s+anything\b"
    r"|\b(second|third|fourth|fifth|\d+(st|nd|rd|th))\s+(\w+\s+)?in\s+a\s+row\b"
    r"|\bkeep\s+(patching|missing|arguing|re-?deciding|going\s+back)\b|\bback\s+and\s+forth\b"
    r"|\b(nobody|no\s+one)\s+(knows|owns|decides)\b"
    r"|\bkeep\s+\w+ing\b|\b(can'?t|don'?t|won'?t)\s+agree\b|\bnever\s+(say|speak|raise|push)"
)
_OBLIGATION = re.compile(
    r"\b(have|has|had|got|need)\s+to\s+(\w+\s+){0,5}?(tell|sell|give|deliver|break|explain"
    r"|let\s+\w+\s+go|fire|deal|roll\s+it\s+out|bring\s+it\s+up|step\s+in|confront)\b"
)
# A situation the writer is in...
_SITUATION = re.compile(
    r"""
      \b(i'?m|i\s+am|we'?re|we\s+are|i'?ve|i\s+have|i'?ll|i\s+will|we'?ll|i\s+was|i'?d|my|our)\b
    | \b(i|we)\s+(need|want|feel|felt|got|think|must|should|can'?t|don'?t|keep|argued|tried)\b
    | ^(nervous|dreading|worried|anxious|stressed|just\s+got|need\s+to|have\s+to|choosing)\b
    | ^(drafting|setting\s+up|scoping|meeting|planning|prepping|preparing|running|facilitating
        |presenting|kicking\s+off|writing|giving|leading|hosting|starting|taking\s+over|trying)\b
    """,
    re.X,
)
# ...and what they want from it, or how it feels.
_NEED = re.compile(
    r"""\b(want|wants|wanted|need|needs|would\s+love|i'?d\s+love|i'?d\s+like|hoping|trying\s+to
        |struggling|stuck|nervous|dreading|drowning|overwhelmed|worried|anxious|terrified|scared
        |honestly|help|advice|tips|mediate|mortified|part\s+of\s+me|properly|don'?t\s+want\s+to
        |embarrass\w*|at\s+war|again\s+and\s+again|every\s+single|afraid|upset|terrible|awful
        |overthinking|agonizing|arguing|debating|too\s+big|not\s+clear|can'?t\s+(say|explain)
        |feels?\s+(weak|urgent|wrong|off|awkward|hard|like|bad|worse)|not\s+looking\s+forward
        |don'?t\s+(fully\s+)?believe|without\s+(it\s+)?sounding|stung|has\s+to\s+change
        |makes\s+no\s+sense|in\s+circles|dragging|could\s+go\s+wrong|stayed\s+silent
        |like\s+to\s+test|be\s+specific|step\s+in)\b|😬|😅|😰|😟|🙃|😩|😤|😞|😔|🤔""",
    re.X,
)
# How-to questions about tools are for IT or the docs, not the library: a tool named soon after
# the ask ("how do I squash the last 5 commits"), not a tool in a story about people ("stuck on
# the same PR for two days, not sure if I should jump in").
_TOOL_ASK = re.compile(
    r"\b(how\s+(do|can|to|should|would)|any(one|body)\s+knows?|is\s+there\s+a\s+way|what'?s\s+the"
    r"|where\s+(do|can|is)|can\s+(i|we|you|someone))\b"
)
_TOOLING = re.compile(
    r"\b(jira|confluence|notion|github|gitlab|terraform|kubernetes|k8s|docker|sql|api|webhook"
    r"|endpoint|regex|css|html|json|yaml|npm|pip|vlookup|dropdown|plugin|permissions?|pdf"
    r"|login|password|install|branch(es)?|repo|rebase|squash|pull\s+request|prs?|csv|excel|outlook"
    r"|(a|the|my|last|\d+)\s+commits?|google\s+\w+|time\s*zone|zoom|slack|figma"
    r"|spreadsheet|macbook|laptop|monitor|printer|wifi|vpn|nda|app|software|settings|module|portal"
    r"|dashboard|notebook|headset|plugin|platform|lms|crm|pivot\s+tables?|intranet|sklearn)\b"
)


# A small slip, owned in passing ("my bad, I tagged the wrong Sam"): nothing to talk through.
_TRIVIAL = re.compile(r"^\W*(oops|whoops|my\s+bad|my\s+mistake|sorry|apologies)\b")

# Life outside work that borrows a guide's words ("my partner and I had a difficult
# conversation about a third cat", "my coach says I need to fix my form before adding weight").
_LIFE = re.compile(
    r"\b(my|our)\s+(partner|wife|husband|girlfriend|boyfriend|kids?|son|daughter|dog|cat|puppy"
    r"|mum|mom|dad|family|parents?|flat\s*mate|roommate)\b"
    r"|\b(gym|lifting|workout|marathon|football|soccer|fantasy\s+\w+|drone|sourdough|recipe"
    r"|garden(ing)?|wedding|birthday\s+party)\b"
)


@dataclass(frozen=True)
class Suggestion:
    guide: Guide
    reason: str  # why this guide, in a sentence naming what the message said


def moment(text: str) -> str | None:
    """What kind of moment a message signals, or None for everything else."""
    lowered = text.lower()
    if _MISTAKE.search(lowered) and _IMPACT.search(lowered):
        return "mistake"
    ask = _TOOL_ASK.search(lowered)
    if ask and _TOOLING.search(lowered[ask.end() : ask.end() + TOOL_ASK_REACH]):
        return None
    if _LIFE.search(lowered) or _TRIVIAL.search(lowered):
        return None
    if _ASK.search(lowered):
        return "ask"
    if _RECURRING.search(lowered):
        return "recurring"
    if _OBLIGATION.search(lowered):
        return "obligation"
    if _SITUATION.search(lowered) and _NEED.search(lowered):
        return "situation"
    return None


_PATTERNS = {
    "mistake": _MISTAKE,
    "impact": _IMPACT,
    "ask": _ASK,
    "recurring": _RECURRING,
    "obligation": _OBLIGATION,
    "situation": _SITUATION,
    "need": _NEED,
    "life": _LIFE,
    "trivial": _TRIVIAL,
}


def moment_features(text: str) -> list[str]:
    """What the moment model reads: stems with stopwords kept, stem pairs, and which of the
    patterns above the message shows (and which kind `moment` makes of it)."""
    lowered = plain_words(text).lower()
    stems = [library_text.stem(w) for w in library_text.words(lowered)]
    found = [f"w:{s}" for s in stems]
    found += [f"b:{a}_{b}" for a, b in zip(stems, stems[1:])]
    found += [f"p:{name}" for name, pattern in _PATTERNS.items() if pattern.search(lowered)]
    ask = _TOOL_ASK.search(lowered)
    if ask and _TOOLING.search(lowered[ask.end() : ask.end() + TOOL_ASK_REACH]):
        found.append("p:tool_ask")
    found.append(f"k:{moment(lowered)}")
    return found


def warm() -> None:
    """Train the moment model now (start-up), not on the first channel message."""
    moments.trained(moment_features)


def moment_probability(text: str) -> float:
    """The moment model's P(this message is a moment a guide helps with)."""
    return moments.trained(moment_features).probability(moment_features(text))


def plain_words(text: str) -> str:
    """The message without code, links, mentions and channel names."""
    return _ENTITY.sub(" ", _CODE.sub(" ", text))


def suggest(library: Library, text: str) -> Suggestion | None:
    """The guide worth offering to whoever wrote `text` in a channel, or None."""
    words = plain_words(text)
    if len(_WORDS.findall(words.lower())) < MIN_WORDS:
        return None
    kind = moment(words)
    if kind is None:
        return None
    # The patterns say what kind of moment it would be; the model says whether it is one. A
    # first-person slip that hit others is one by its pattern alone: chatter almost never
    # matches it, so the model has too few such messages on either side to judge.
    if kind != "mistake" and moment_probability(words) < MOMENT_FLOOR:
        return None
    if kind == "mistake" and (guide := library.by_id.get(MISTAKE_GUIDE)):
        return Suggestion(guide, "It sounds like a mistake moment: talking it through helps.")
    result = library.search(words, explain=True)
    if result.outside >= OFFER_OUTSIDE or not result.matches:
        return None
    first = result.matches[0]
    # An answer stands on a word that names the guide or on the need model's certainty; among
    # choices, only a guide the need model is sure of is worth interrupting someone for.
    sure = first.need >= OFFER_SURE
    if result.outcome is Outcome.ANSWER and (first.anchor >= MIN_ANCHOR or sure):
        return Suggestion(first.guide, _reason(first))
    if result.outcome is Outcome.CHOICES and sure:
        return Suggestion(first.guide, _reason(first))
    return None


def _reason(match: Match) -> str:
    said = []
    for part in sorted(match.explain.get("terms", []), key=lambda t: -t["score"]):
        word = part["word"].replace("oneonone", "1:1")
        if word not in said:
            said.append(word)
        if len(said) == 2:
            break
    if not said:  # found by the need model alone: no one word to point at
        return f"This might help: {match.guide.meta.summary}"
    mentioned = " and ".join(f"“{w}”" for w in said)
    return f"You mentioned {mentioned}: {match.guide.meta.summary}"
