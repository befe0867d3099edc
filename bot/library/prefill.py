"""Work becoming content: a guide form filled from what people already wrote in Slack.

Each function turns one kind of material into `GuideFields` for the guide form
(bot.handlers.authoring.open_guide_form): a message (the *Save as a guide draft* shortcut), a
debrief's summary, a lesson shared from a mistake moment, or a question the library could not
answer (the report's gaps and "asked → chose"). They are guesses for an owner to finish, never
a guide published as is: the form lints what they make before anything is saved.

Two rules hold for every guess:

- **Nobody is pinged.** Slack's `<@U…>`, `<#C…>` and `<!here>` become names or plain words;
  a typed `@channel` becomes "the whole channel" (lint refuses the mention in a guide anyway).
- **Only what its readers could see.** A debrief gives its summary's points, without names; a
  shared lesson its words, without its author; nothing private to anyone comes along.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence

from bot.library.fields import GuideFields

MAX_TITLE = 75  # the schema's limits (bot.library.schema.GuideMeta)
MAX_SUMMARY = 200
MAX_ALIAS = 100  # an alias is a way of asking, not a paragraph
MAX_BODY = 3000  # the form's longest input (bot.slack.authoring.MAX_INPUT)

# Slack's markup: <@U123>, <@U123|ana>, <#C123|general>, <!here>, <!subteam^S1|@ops>,
# <!date^1392734382^{date}|Feb 18>, <https://example.com|a link>, <mailto:a@b.c|a@b.c>.
_SLACK_TOKEN = re.compile(r"<([^<>|\n]*)(?:\|([^<>\n]*))?>")
_TYPED_MASS = re.compile(r"(?<![\w@])@(channel|here|everyone)\b", re.IGNORECASE)
_MASS_WORDS = {"here": "everyone here", "channel": "the whole channel", "everyone": "everyone"}
_SLACK_BOLD = re.compile(r"(?<![*\w])\*(?![\s*])([^*\n]+?)(?<!\s)\*(?![*\w])")
_ESCAPED = {"&amp;": "&", "&lt;": "<", "&gt;": ">"}
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=\S)")
_MARKS = re.compile(r"[*_~`>#]+|^\s*(?:[-•]|\d+\.)\s+", re.MULTILINE)
_USER_IN_TEXT = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^<>]*)?>")


def mentioned_people(text: str) -> list[str]:
    """The people a Slack message mentions (`<@U…>`), in order, each once: whose names the
    form needs before it opens."""
    return list(dict.fromkeys(_USER_IN_TEXT.findall(text or "")))


def defuse(text: str) -> str:
    """`text` with no mention that would notify a whole channel or group: typed `@here` or
    `<!channel>` become plain words."""
    text = re.sub(
        r"<!(here|channel|everyone)(?:\|[^<>]*)?>",
        lambda m: _MASS_WORDS[m.group(1).lower()],
        text,
        flags=re.IGNORECASE,
    )
    text = re.sub(r"<!subteam\^[^<>|]*(?:\|@?([^<>]*))?>", lambda m: m.group(1) or "a group", text)
    return _TYPED_MASS.sub(lambda m: _MASS_WORDS[m.group(1).lower()], text)


def markdown_from_slack(text: str, names: Mapping[str, str] | None = None) -> str:
    """A Slack message's mrkdwn as a guide's Markdown: people by name (`names`: user id ->
    name; someone unnamed is "a colleague"), channels as `#name`, links as "label (url)",
    Slack's `*bold*` as `**bold**`, its bullets as `-`, no line read as a heading, and no
    pings."""
    names = names or {}

    def token(found: re.Match[str]) -> str:
        target, label = found.group(1), found.group(2)
        if target.startswith("@"):
            return names.get(target[1:]) or (label or "").lstrip("@") or "a colleague"
        if target.startswith("#"):
            return f"#{label}" if label else "a channel"
        if target.startswith("!"):
            kind = target[1:].split("^", 1)[0].lower()
            if kind in _MASS_WORDS:
                return _MASS_WORDS[kind]
            if kind == "subteam":
                return (label or "a group").lstrip("@")
            return label or ""
        if target.startswith("mailto:"):
            return label or target.removeprefix("mailto:")
        return f"{label} ({target})" if label and label != target else target

    text = _SLACK_TOKEN.sub(token, text or "")
    text = re.sub(r"&(amp|lt|gt);", lambda m: _ESCAPED[m.group()], text)
    text = _SLACK_BOLD.sub(r"**\1**", text)
    text = re.sub(r"^(\s*)• ", r"\1- ", text, flags=re.MULTILINE)
    text = re.sub(r"^(\s*)◦ ", r"\1  - ", text, flags=re.MULTILINE)
    # Slack has no headings, but a guide's body does: a line that starts with `#` (a channel,
    # "#1 priority") would become one, so it becomes a bullet instead.
    text = re.sub(r"^(\s*)#", r"\1- #", text, flags=re.MULTILINE)
    return defuse(text).strip()


def words_within(text: str, limit: int) -> str:
    """`text` on one line, cut at a word boundary to at most `limit` characters (no ellipsis:
    a title or summary reads as written, not as cut)."""
    line = " ".join(text.split())
    if len(line) <= limit:
        return line
    cut = line[: limit + 1].rsplit(" ", 1)[0] if " " in line[: limit + 1] else line[:limit]
    return cut[:limit].rstrip(" ,;:-–—")


def plain_words(markdown: str) -> str:
    """Markdown without its marks (bold, bullets, quotes, headings), as plain words."""
    return " ".join(_MARKS.sub("", markdown).split())


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(plain_words(text)) if s.strip()]


def title_guess(text: str) -> str | None:
    """A title from the text's first line, or its first sentence if that is shorter (its words
    before a colon, if they are a phrase), without the closing full stop; None when the text
    has no words."""
    first_line = next((plain_words(line) for line in text.splitlines() if plain_words(line)), "")
    if not first_line:
        return None
    first_sentence = sentences(first_line)[0]
    # "Handing over: walk the line first" is a guide on handing over: the words before a
    # colon or dash, when they are a phrase of their own.
    lead = re.split(r"\s*:\s+|\s+[-–—]\s+", first_sentence, maxsplit=1)[0]
    if len(lead.split()) >= 2:
        first_sentence = lead
    title = words_within(first_sentence, MAX_TITLE).rstrip(".:;,")
    return title or None


def summary_guess(text: str) -> str | None:
    """One sentence from the text for the summary (the schema wants one, 10 to 200
    characters): the first that is long enough, cut at a word if need be."""
    for sentence in sentences(text):
        summary = words_within(sentence, MAX_SUMMARY)
        # One sentence only: a cut sentence must not hold a second one's start.
        summary = re.split(r"(?<=[.!?])\s+(?=[A-Z])", summary)[0]
        if len(summary) >= 10:
            return summary if summary[-1] in ".!?" else summary.rstrip(" ,;:") + "."
    return None


def _fit_body(main: str, tail: str) -> str:
    """`main` then `tail` within the form's body input: `main` is cut at a line or word, and
    the tail (a credit) kept whole."""
    room = MAX_BODY - len(tail) - 2
    if len(main) > room:
        cut = main[: room - 1]
        cut = cut.rsplit("\n", 1)[0] if "\n" in cut[room // 2 :] else cut.rsplit(" ", 1)[0]
        main = cut.rstrip() + "…"
    return f"{main}\n\n{tail}" if tail else main


# -- a message --------------------------------------------------------------------------------


def from_message(
    text: str,
    *,
    names: Mapping[str, str] | None = None,
    author: str | None = None,
    when: dt.date | None = None,
    link: str | None = None,
) -> GuideFields:
    """The form's fields from a Slack message: its text as the body, a title and summary
    guessed from it, and a credit to its author at the end of the body.

    Args:
        names: user id -> name, for the people the message mentions.
        author: the name of who wrote the message (None: unknown). The conversation is not
            named: a private channel's name is not for everyone who reads a guide.
        link: the message's permalink.
    """
    body = markdown_from_slack(text, names)
    by = f" by {defuse(author)}" if author else ""
    day = f" on {when:%-d %b %Y}" if when else ""
    credit = f"## Where it comes from\nFrom a message{by}{day}" + (f": {link}" if link else ".")
    return GuideFields(
        title=title_guess(body),
        summary=summary_guess(body),
        body=_fit_body(body, credit) if body else credit,
    )


# -- a debrief's summary ------------------------------------------------------------------------

# The debrief's questions (bot.services.debriefs.QUESTIONS) as a guide's sections, in the order
# a guide reads: what to do first, then what helped, what to avoid, and what happened.
DEBRIEF_SECTIONS = (
    ("What would we do differently?", "## Steps", True),
    ("What worked?", "## What worked", False),
    ("What did not?", "## Common mistake", False),
    ("What happened?", "## Example", False),
)


def _point(text: str) -> str:
    return defuse(" ".join(text.split()))


def from_debrief(
    topic: str, points: Mapping[str, Sequence[str]], *, views: int, closed: dt.date | None = None
) -> GuideFields:
    """The form's fields from a debrief's summary: its topic as the title, what the team
    would do differently as the steps, what worked, what did not, what happened. The points
    only, as the summary showed them: without names."""
    topic_words = _point(topic)
    sections = []
    for question, heading, numbered in DEBRIEF_SECTIONS:
        said = [_point(p) for p in points.get(question, ()) if p and p.strip()]
        if said:
            lines = [f"{n}. {p}" if numbered else f"- {p}" for n, p in enumerate(said, 1)]
            sections.append("\n".join([heading, *lines]))
    day = f" on {closed:%-d %b %Y}" if closed else ""
    count = f"{views} {'view' if views == 1 else 'views'}"
    credit = f"## Where it comes from\nThe team's debrief of “{topic_words}”{day} ({count})."
    return GuideFields(
        title=words_within(f"What we learned: {topic_words}", MAX_TITLE),
        summary=words_within(
            f"What the team learned from “{topic_words}” and would do differently next time.",
            MAX_SUMMARY,
        ),
        when=f"Before the team takes on work like “{topic_words}” again.",
        body=_fit_body("\n\n".join(sections), credit),
    )


# -- a shared lesson ----------------------------------------------------------------------------


def from_lesson(lesson: str) -> GuideFields:
    """The form's fields from a lesson shared without a name: the lesson as the guide's core,
    a title and summary guessed from it, and no word of who wrote it."""
    words = defuse(lesson.strip())
    credit = (
        "## Where it comes from\nA lesson someone shared, without their name, after talking a "
        "mistake through with a colleague."
    )
    return GuideFields(
        title=title_guess(words),
        summary=summary_guess(words),
        when="When something like this is about to happen again, or just did.",
        body=_fit_body(f"## The lesson\n{words}", credit),
    )


# -- a question the library could not answer ---------------------------------------------------


def from_question(
    asked: str, others: Sequence[str] = (), *, chose: str | None = None
) -> GuideFields:
    """The form's fields from what people asked: the question as the title and a name of
    the guide (with the other ways they put it), and as the situation it helps in.

    Args:
        others: other ways people asked it, as further names.
        chose: the title of the guide they picked instead, if any.
    """
    question = " ".join(defuse(asked).split())
    title = words_within(question[:1].upper() + question[1:], MAX_TITLE) or None
    names = [words_within(q, MAX_ALIAS) for q in (question, *map(defuse, others))]
    aliases = tuple(a for a in dict.fromkeys(names) if a and a.lower() != (title or "").lower())
    when = f"When someone asks “{words_within(question, 300)}”"
    when += f" (people asking this picked “{chose}” for now)." if chose else "."
    return GuideFields(title=title, aliases=aliases[:40], when=when)
