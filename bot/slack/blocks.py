"""Block Kit builders: pure functions from inflow's data to Slack's JSON. No I/O, no database."""

from __future__ import annotations

from dataclasses import dataclass

from bot.slack.ids import Command
from bot.slack.kit import context, section
from bot.slack.text import escape

INTRO = (
    "inflow brings learning into the work: short guides and decision frameworks at the moment "
    "you need them, and small routines that help the whole team learn from what it does."
)


@dataclass(frozen=True)
class CommandHelp:
    usage: str
    what: str  # says who else sees the result when it is not only the person who typed it


COMMANDS: tuple[CommandHelp, ...] = (
    CommandHelp(
        f"{Command.LEARN} <what you need>",
        "find the one guide that helps, now: a situation, a question, a framework's name",
    ),
    CommandHelp(f"{Command.LEARN} browse", "see the library by area"),
    CommandHelp(
        f"{Command.LEARN} practice [id]",
        "a few weeks of practising one skill on real work, one step a week (`@people` after "
        "the id invites your reports)",
    ),
    CommandHelp(
        f"{Command.LEARN} team @ana @ben",
        "managers: name your reports (each is asked in a DM to confirm)",
    ),
    CommandHelp(
        f"{Command.LEARN} suggestions off",
        "no more quiet offers in channels (`on` to resume; add `here` for the whole channel)",
    ),
    CommandHelp(
        f"{Command.SPOT} @person I see you at your best when you…",
        "tell someone what you saw them do well: *sent to them as a DM*",
    ),
    CommandHelp(
        f"{Command.PITCH} <idea> @sponsor",
        "start an idea small: Pitch, Prototype, Pilot; *your sponsor gets it as a DM*",
    ),
    CommandHelp(f"{Command.PITCH} list", "your ideas and the ones you sponsor"),
    CommandHelp(
        f"{Command.DEBRIEF} [topic]",
        "an after-action review: *posted in the channel, for everyone in it*",
    ),
    CommandHelp(
        f"{Command.DEBRIEF} every 2 weeks",
        "make it a habit in that channel (or `every day`, `weekly`, `monthly`, `off`)",
    ),
    CommandHelp(
        f"{Command.LEARN} new",
        "for the library's owners (inflow admins and the authors they name): write a guide; "
        "you preview a draft, then publish it. *Edit* on any guide changes it",
    ),
    CommandHelp(
        f"{Command.LEARN} authors",
        "who owns the library; admins name authors with `add @ana @ben` (or `remove @ana`)",
    ),
    CommandHelp(f"{Command.LEARN} my-data", "get everything inflow holds about you, as a file"),
    CommandHelp(f"{Command.LEARN} forget-me", "have inflow delete everything about you"),
    CommandHelp(f"{Command.LEARN} help", "what inflow does and all its commands"),
)

# Who sees what, said once under the commands: most answers are private, a few commands are not.
WHO_SEES = (
    f"Answers to `{Command.LEARN}`, `{Command.PITCH} list` and every `help` are visible only to "
    f"you. What reaches others: `{Command.DEBRIEF}` posts in the channel for everyone there; "
    f"`{Command.SPOT}` sends the person a DM; `{Command.PITCH}` sends your sponsor one; "
    f"`{Command.LEARN} team` asks each person you name."
)


def _help_blocks() -> list[dict]:
    commands = "\n".join(f"• `{escape(c.usage)}` — {c.what}" for c in COMMANDS)
    return [
        section(f"*What inflow does*\n{INTRO}"),
        section(f"*Commands*\n{commands}"),
        section(
            "*Shortcuts*\n• *Mistake moment*: ask a colleague for five minutes to talk through "
            "something that went wrong (only the two of you see it)\n"
            "• *Spot a strength*: the form behind `/spot`\n"
            "• On a message (its ⋮ menu): *Mistake moment about this*, and *Save as a guide "
            "draft* for the library's owners (the guide form, filled from the message)"
        ),
        section(
            "*In conversations*\nMention @inflow with a question and it answers in the thread; "
            "in a DM with inflow, any message is a question. In channels it has joined, inflow "
            "may quietly offer you a guide when you ask how to do something: only you see it."
        ),
        section(
            "*Rate what helps*\nShare a guide in a channel and anyone can react :+1: or :-1:; "
            "the library learns which guides change the work."
        ),
        context(WHO_SEES),
    ]


def help_message() -> dict:
    """The answer to `/learn help`: what inflow can do and its commands, visible to the asker."""
    return {
        "response_type": "ephemeral",
        "text": "inflow: learning in the flow of work. Try /learn &lt;what you need&gt;.",
        "blocks": _help_blocks(),
    }


EXAMPLE_QUERIES = ("how to say no", "feedback to a peer", "run a retro")


def small_talk_help() -> dict:
    """The answer to "hi", "thanks!" or "what can you do": what to type, with examples."""
    examples = "\n".join(f"• `{Command.LEARN} {q}`" for q in EXAMPLE_QUERIES)
    return {
        "response_type": "ephemeral",
        "text": "Hi! Tell me what you're working on and I'll find the guide that helps.",
        "blocks": [
            section(
                "Hi! :wave: I find the one short guide that helps with what you're doing right "
                "now. Type what you need, in your own words:\n" + examples
            ),
            context(
                f"`{Command.LEARN} browse` shows the whole library; `{Command.LEARN} help` lists "
                "everything inflow does."
            ),
        ],
    }


def home_view() -> dict:
    """The App Home tab."""
    return {
        "type": "home",
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": "inflow"}},
            *_help_blocks(),
        ],
    }


def error_message(text: str) -> dict:
    """A short, kind message for when something went wrong; visible only to the person."""
    return {"response_type": "ephemeral", "replace_original": False, "text": text}


def error_modal(text: str) -> dict:
    """A modal that replaces a form whose submission failed, saying what to do next."""
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": "inflow"},
        "close": {"type": "plain_text", "text": "Close"},
        "blocks": [section(text)],
    }
