"""What a query is before it is a search: small talk, or a request with a greeting in front.

"hi", "thanks!", "what can you do" and "test" are people finding out what inflow is. They get the
help answer, never "I don't have a guide for that" and never a content gap. A greeting or a thank
you in front of a real request ("hey, how do I run a retro?") is dropped before matching.
"""

from __future__ import annotations

import re

from bot.library import text

# Whole-query small talk, on cleaned words (lowercase, no punctuation or emoji).
_GREETING = (
    r"hi+|hey+|hello+|hallo|helo|hiya|howdy|yo|sup|wassup|whats up|good (morning|afternoon|evening"
    r"|day)|morning|gm|hola|bonjour|salut|ciao|hej|moin|ola|oi|namaste|greetings"
)
_THANKS = (
    r"thanks?( (a lot|so much|you|again|very much|a ton|heaps|mate|all))*|thank you( (so much|very"
    r" much|again))*|thx|tx|ty|tysm|tyvm|cheers|merci( beaucoup)?|danke( schon| sehr)?|gracias"
    r"|obrigad[oa]|grazie|dank je|appreciate it|much appreciated"
)
_ABOUT_BOT = (
    r"help( me)?|help please|please help|what can you do|what do you do|what (is|are) (this|you)"
    r"|what is inflow|who are you|who made you|are you (a )?(bot|human|real|ai|there|alive|working)"
    r"|how does (this|it|inflow) work|how (do|can) i use (this|you|inflow|it)|what should i (type"
    r"|ask)|what can i ask( you)?|what (do|can) you know|commands|usage|menu|start|get started"
    r"|getting started|test(ing)?( \d+)*|ping|hello world|anyone there|you there"
)
_HOW_ARE_YOU = r"how are (you|u)( doing| today)?|hows it going|how is it going|whats new"
_FILLER = (
    r"ok(ay)?|k|kk|cool|nice|great|awesome|lol|haha+|hehe|yes|no|yep|nope|yeah|sure|bye|goodbye"
    r"|see you|cya|good bot|bad bot|wow|hmm+|oops|sorry|nvm|never mind|np|no worries|perfect"
)
_SMALL_TALK = re.compile(
    rf"^(({_GREETING}|{_THANKS}|{_ABOUT_BOT}|{_HOW_ARE_YOU}|{_FILLER})"
    rf"( (there|inflow|bot|everyone|all|team|folks|guys|again))?\s*)+$"
)
# A greeting or thanks in front of a request: "hey inflow, how do I…", "thanks! now…".
_ADDRESSED = r"( (there|inflow|bot|everyone|all|team|folks|guys))?"
# A thank-you only with punctuation after it: "thanks! how do I…", not "thank a colleague".
_LEADING = re.compile(
    rf"^\W*((({_GREETING}){_ADDRESSED}\b[\s,.!:;-]*)|(({_THANKS}){_ADDRESSED}\s*[,.!:;-]+\s*))+",
    re.IGNORECASE,
)


# People paste the command itself: "/learn help", "/learn how to say no".
_COMMAND = re.compile(r"^\s*/learn\b", re.IGNORECASE)


def without_command(query: str) -> str:
    """The query without a leading "/learn" someone typed into it."""
    return _COMMAND.sub("", query, count=1).strip()


# An error message or a line of code pasted in: a question for the docs, not for the library.
_CODE = re.compile(
    r"\b\w+(Error|Exception)\b|\bundefined\b|\bnull\b|Traceback|=>|\(\)|\w\(\w*\)|[{}]|</?\w+>"
)


def is_code(query: str) -> bool:
    """Whether the query is, or quotes, code or an error message."""
    return bool(_CODE.search(query))


def is_small_talk(query: str) -> bool:
    """Whether the whole query is a greeting, thanks, a question about inflow itself, or a test."""
    raw = query.strip()
    if not raw:
        return True
    cleaned = text.clean(raw)
    if not cleaned:
        # Only punctuation or emoji: "?", "👋", ":wave:".
        return True
    return bool(_SMALL_TALK.match(cleaned))


def without_greeting(query: str) -> str:
    """The query with a greeting or thanks in front of it removed."""
    stripped = _LEADING.sub("", query, count=1)
    return stripped if stripped.strip() else query
