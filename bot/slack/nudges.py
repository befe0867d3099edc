"""Block Kit for nudges. Each carries its guide; the deliverer adds the controls every nudge
has (*Not useful*, *Snooze*, *Stop these*), since they name the planned occurrence."""

from __future__ import annotations

import datetime as dt

from bot.models import Idea, PracticeStep
from bot.services.ideas import NEXT, QUESTIONS, Stage
from bot.slack.ideas import move_buttons
from bot.slack.ids import Action, FollowUpAction, MomentAction, NudgeAction
from bot.slack.kit import button, context, section
from bot.slack.text import escape

SPOT_GUIDE = "spotting-strengths"
REFLECTION_GUIDE = "weekly-reflection"
CONTROLS_BLOCK = "nudge_controls"
SNOOZE_TOMORROW, SNOOZE_NEXT_WEEK = "tomorrow", "next_week"
HOME_HINT = "Change when and which nudges you get on inflow's Home tab."

# One question a week to try with one report, rotating through the coaching guides.
COACHING_QUESTIONS = (
    (
        "coaching-in-the-moment",
        "Right after a piece of work: “What would you keep, and what "
        "would you change if you did it again tomorrow?”",
    ),
    (
        "grow-coaching",
        "“What would a good outcome look like for you, and "
        "what's one option you haven't tried yet?”",
    ),
    (
        "productive-struggle",
        "Before you help: “Where exactly are you stuck, and what have you tried so far?”",
    ),
    (
        "psychological-safety",
        "“What's one thing about how we work that worries you and that you haven't said yet?”",
    ),
    (
        "one-on-one-meetings",
        "Open your next one-on-one with: “What's the most useful thing we could talk about today?”",
    ),
    (
        "delegation-levels",
        "On one piece of their work: “Here, do you want me to "
        "decide, to advise, or just to hear how it went?”",
    ),
)


def _guide_button(guide_id: str) -> dict:
    return button("Open the guide", f"{Action.OPEN_GUIDE}:0", guide_id)


def controls(kind: str, subject: str, occurrence: str) -> dict:
    """The actions every nudge ends with; their values name the occurrence."""
    key = f"{kind}/{subject}/{occurrence}"
    return {
        "type": "actions",
        "block_id": CONTROLS_BLOCK,
        "elements": [
            button("Not useful", NudgeAction.NOT_USEFUL, key),
            {
                "type": "overflow",
                "action_id": NudgeAction.SNOOZE,
                "options": [
                    {
                        "text": {"type": "plain_text", "text": "Snooze until tomorrow"},
                        "value": f"{SNOOZE_TOMORROW}|{key}"[:150],
                    },
                    {
                        "text": {"type": "plain_text", "text": "Snooze until next week"},
                        "value": f"{SNOOZE_NEXT_WEEK}|{key}"[:150],
                    },
                ],
            },
            button("Stop these", NudgeAction.STOP, key),
        ],
    }


def with_controls(message: dict, kind: str, subject: str, occurrence: str) -> dict:
    shown = message.get("blocks") or [section(message.get("text") or "")]
    return {**message, "blocks": [*shown, controls(kind, subject, occurrence)]}


def read_key(value: str) -> tuple[str, str, str]:
    """(kind, subject, occurrence) from a control's value; older nudges carried no occurrence."""
    kind, _, rest = value.partition("/")
    subject, _, occurrence = rest.partition("/")
    return kind, subject, occurrence


def weekly_spotting() -> dict:
    text = "Who did you see at their best this week?"
    return {
        "text": text,
        "blocks": [
            section(f"*{text}*\nTell them in a sentence: “I see you at your best when you…”"),
            {
                "type": "actions",
                "elements": [
                    button("Spot a strength", NudgeAction.OPEN_SPOT, "spot", "primary"),
                    _guide_button(SPOT_GUIDE),
                ],
            },
            context(HOME_HINT),
        ],
    }


def coaching_question(guide_id: str, title: str, question: str, report_id: str) -> dict:
    """Before the week: one question to try with one report, and the guide behind it."""
    text = f"A coaching question to try with <@{report_id}> this week"
    return {
        "text": text,
        "blocks": [
            section(f"*{text}*\n{question}"),
            context(f"From “{escape(title)}”. Ask, then listen more than you talk."),
            {"type": "actions", "elements": [_guide_button(guide_id)]},
        ],
    }


PRACTISING_SHOWN = 5


def practice_coaching(practising: list[tuple[str, PracticeStep, int]]) -> dict:
    """Before the week: for each confirmed report on a practice path, the week they are on and
    the path's coaching question for it. The report's own words never come here."""
    text = "Coaching questions for this week, from your reports' practice paths"
    blocks = [section(f"*{text}*")]
    for report_id, step, weeks in practising[:PRACTISING_SHOWN]:
        blocks.append(
            section(
                f"<@{report_id}> is on week {step.week} of {weeks}: “{escape(step.title)}”\n"
                f"{escape(step.manager_note or '')}"
            )
        )
    blocks.append(context("Ask, then listen more than you talk. What they write stays theirs."))
    return {"text": text, "blocks": blocks}


def idea_stuck(idea: Idea, days: int) -> dict:
    """To a manager: a report's idea has not moved for a while."""
    stage = Stage(idea.stage)
    text = f"<@{idea.author_id}>'s idea “{escape(idea.title)}” has been at {stage.label} for {days} days"  # noqa: E501
    return {
        "text": text,
        "blocks": [
            section(
                f"{text}.\nA five-minute chat could unstick it: "
                f"“{QUESTIONS[NEXT[stage]]}” What's in the way?"
            ),
            {"type": "actions", "elements": [_guide_button("pitch-prototype-pilot")]},
        ],
    }


def idea_check_in(idea: Idea) -> dict:
    """To the author, once per stage: that stage's question, and the way on."""
    stage = Stage(idea.stage)
    following = NEXT[stage]
    text = f"How is “{escape(idea.title)}” going?"
    return {
        "text": text,
        "blocks": [
            section(
                f"*{text}*\nIt's at {stage.label}. Before {following.label}: {QUESTIONS[following]}"
            ),
            {
                "type": "actions",
                "elements": [*move_buttons(idea), _guide_button("pitch-prototype-pilot")],
            },
        ],
    }


def lesson_ask(moment_id: int) -> dict:
    """The working day after a mistake-moment chat: what's the lesson?"""
    text = "After your mistake-moment chat: what's the lesson?"
    return {
        "text": text,
        "blocks": [
            section(
                f"*{text}*\nOne or two sentences while it's fresh. It stays private unless you "
                "choose to share it."
            ),
            {
                "type": "actions",
                "elements": [
                    button(
                        "Write down the lesson",
                        MomentAction.WRITE_LESSON,
                        str(moment_id),
                        "primary",
                    ),
                    _guide_button("mistake-moments"),
                ],
            },
        ],
    }


def weekly_reflection() -> dict:
    text = "Ten minutes on your week?"
    return {
        "text": text,
        "blocks": [
            section(
                f"*{text}*\n1. What happened this week that mattered?\n"
                "2. What did you learn?\n3. What will you do differently next week?"
            ),
            {"type": "actions", "elements": [_guide_button(REFLECTION_GUIDE)]},
        ],
    }


def guide_follow_up(guide_id: str, title: str) -> dict:
    """Three working days after a guide: did it change the work?"""
    text = f"Did you get to use “{escape(title)}”? What happened?"
    return {
        "text": text,
        "blocks": [
            section(text),
            {
                "type": "actions",
                "elements": [
                    button("Used it: it helped", FollowUpAction.HELPED, guide_id, "primary"),
                    button("Used it: it didn't", FollowUpAction.DID_NOT_HELP, guide_id),
                    button("Not yet", FollowUpAction.NOT_YET, guide_id),
                    _guide_button(guide_id),
                ],
            },
            context("Your answer helps the library learn which guides change the work."),
        ],
    }


def snoozed(until: dt.datetime) -> str:
    return f"Snoozed: it'll be back {until:%A %-d %B} at {until:%H:%M}."


def stopped(label: str) -> str:
    return f"Done: no more “{label}”. You can turn them back on from inflow's Home tab."
