"""Block Kit for practice paths: the list, starting, invitations, each week's step and check-in.

Everything a person typed (their commitment, what happened) is escaped, and only ever shown
back to them.
"""

from __future__ import annotations

from bot.library.paths import PracticePath
from bot.models import PracticeEnrolment, PracticeStep
from bot.services.practice import MAX_ANSWER, MAX_COMMITMENT, MAX_SHARED
from bot.services.preferences import Preferences
from bot.slack.ids import Action, Command, Field, PracticeAction, View
from bot.slack.kit import button, context, header, plain, section
from bot.slack.text import MAX_MESSAGE_BLOCKS, escape, mention

DAY_NAMES = {
    "mon": "Mon",
    "tue": "Tue",
    "wed": "Wed",
    "thu": "Thu",
    "fri": "Fri",
    "sat": "Sat",
    "sun": "Sun",
}
HOW_OFTEN = (
    "One step a week: on one of your nudge days ({days}) at {time} your time, the week's "
    "practice and its guide; about four days later, a short check-in. Holidays and your "
    "pauses are respected. *Pause* or *Leave the path* is one tap on every message."
)


def _ephemeral(text: str, blocks: list[dict]) -> dict:
    return {"response_type": "ephemeral", "text": text, "blocks": blocks}


def _days(prefs: Preferences) -> str:
    return ", ".join(DAY_NAMES[d] for d in prefs.days) or "none set"


def path_list(paths: list[PracticePath], asked: str | None = None) -> dict:
    """`/learn practice`: every path, with a *Start* button each. With `asked` (a name that is
    no path's id), the paths it may mean, or all of them when it names none."""
    text = "Practice paths: a few weeks of practising one skill on your real work"
    intro = "A few weeks of practising one skill on your real work, one small step a week."
    if asked is not None:
        text = f"There's no practice path called “{escape(asked)}”."
        intro = f"{text} {'Is it this one?' if len(paths) == 1 else 'These are the paths:'}"
    blocks: list[dict] = [
        header("Practice paths"),
        section(intro),
    ]
    for path in paths[: MAX_MESSAGE_BLOCKS - 3]:
        blocks.append(
            section(
                f"*{escape(path.title)}* · {path.meta.weeks} weeks · `{path.id}`\n"
                f"{escape(path.meta.summary)}",
                accessory=button("Start", PracticeAction.START, path.id, "primary"),
            )
        )
    blocks.append(
        context(
            f"Or type `{Command.LEARN} practice &lt;id&gt;`; "
            "invite others with `… &lt;id&gt; @someone`."
        )
    )
    return _ephemeral(text, blocks)


def no_paths() -> dict:
    text = "No practice paths are available right now. Ask your learning team."
    return _ephemeral(text, [section(text)])


def started(path: PracticePath, prefs: Preferences) -> dict:
    """The short private confirmation: what to expect, and how often."""
    text = f"You're on “{path.title}”: {path.meta.weeks} weeks, one step a week."
    blocks = [section(f"*{escape(text)}*")]
    if path.intro:
        blocks.append(section(escape(path.intro)))
    blocks.append(section(HOW_OFTEN.format(days=_days(prefs), time=prefs.time)))
    blocks.append(context("Change your days and time on inflow's Home tab."))
    return _ephemeral(text, blocks)


def already_on(path: PracticePath, enrolment: PracticeEnrolment) -> dict:
    paused = enrolment.status == "paused"
    text = (
        f"You're already on “{path.title}” (week {enrolment.current_week} of {path.meta.weeks})"
        + (", paused." if paused else ".")
    )
    blocks: list[dict] = [section(escape(text))]
    if paused:
        blocks.append(
            {
                "type": "actions",
                "elements": [button("Resume", PracticeAction.RESUME, str(enrolment.id), "primary")],
            }
        )
    return _ephemeral(text, blocks)


def invitation(path: PracticePath, enrolment: PracticeEnrolment, by: str | None) -> dict:
    """The DM to an invited person: they join only if they accept. `by` None: the learning
    team (`inflow practice invite`)."""
    who = mention(by) if by else "Your learning team"
    text = f"{who} invited you to a practice path: “{escape(path.title)}”"
    return {
        "text": text,
        "blocks": [
            section(
                f"{text}\n{escape(path.meta.summary)}\n{path.meta.weeks} weeks, one small step "
                "a week on your real work, at your usual nudge time."
            ),
            {
                "type": "actions",
                "elements": [
                    button("Join", PracticeAction.JOIN, str(enrolment.id), "primary"),
                    button("Not now", PracticeAction.NOT_NOW, str(enrolment.id)),
                ],
            },
            context("Only you see your answers along the way."),
        ],
    }


def invited(path: PracticePath, invited: list[str], skipped: list[tuple[str, str]]) -> dict:
    """What the inviter is told, privately."""
    lines = []
    if invited:
        who = ", ".join(mention(u) for u in invited)
        lines.append(
            f"Invited {who} to “{escape(path.title)}”. Each gets a DM and joins only if they "
            "accept."
        )
    lines.extend(f"{mention(u)}: {why}" for u, why in skipped)
    text = "\n".join(lines) or "Nobody to invite."
    return _ephemeral(text, [section(text)])


def joined(path: PracticePath, prefs: Preferences) -> dict:
    message = started(path, prefs)
    return {"text": message["text"], "blocks": message["blocks"], "replace_original": True}


def replace(text: str) -> dict:
    return {"text": text, "blocks": [section(text)], "replace_original": True}


def _controls(enrolment: PracticeEnrolment) -> dict:
    return button("Pause", PracticeAction.PAUSE, str(enrolment.id))


def _path_controls(enrolment: PracticeEnrolment) -> list[dict]:
    return [
        _controls(enrolment),
        button("Leave the path", PracticeAction.LEAVE, str(enrolment.id)),
    ]


def step_message(
    enrolment: PracticeEnrolment, step: PracticeStep, weeks: int, guide_title: str
) -> dict:
    """The start of a week: the practice, its guide, and the box for the real situation."""
    text = f"Week {step.week} of {weeks}: {step.title}"
    return {
        "text": text,
        "_no_controls": True,  # its own: Pause and Leave the path
        "blocks": [
            section(f"*{escape(text)}*"),
            section(escape(step.practice)),
            context(f"Guide: “{escape(guide_title)}”"),
            {
                "type": "actions",
                "elements": [
                    button("Name the situation", PracticeAction.COMMIT, str(step.id), "primary"),
                    button("Open the guide", f"{Action.OPEN_GUIDE}:0", step.guide_id),
                    *_path_controls(enrolment),
                ],
            },
        ],
    }


def check_in_message(enrolment: PracticeEnrolment, step: PracticeStep, weeks: int) -> dict:
    """Later that week: how did it go? (The commitment is read when the check-in is built:
    it goes only to its author.)"""
    text = f"Week {step.week} of {weeks}, “{step.title}”: how did it go?"
    blocks = [section(f"*{escape(text)}*"), section(escape(step.check_in))]
    if step.commitment:
        blocks.append(context(f"You planned: {escape(step.commitment)}"))
    answers = [button("Tried it", PracticeAction.TRIED, str(step.id), "primary")]
    if step.not_yet < 1:
        answers.append(button("Not yet", PracticeAction.NOT_YET, str(step.id)))
    answers.append(button("Skip this step", PracticeAction.SKIP, str(step.id)))
    blocks.append({"type": "actions", "elements": [*answers, *_path_controls(enrolment)]})
    return {"text": text, "_no_controls": True, "blocks": blocks}


def commitment_modal(step: PracticeStep) -> dict:
    element = {
        "type": "plain_text_input",
        "action_id": Field.VALUE,
        "multiline": True,
        "max_length": MAX_COMMITMENT,
    }
    if step.commitment:
        element["initial_value"] = step.commitment
    return {
        "type": "modal",
        "callback_id": View.PRACTICE_COMMITMENT,
        "private_metadata": str(step.id),
        "title": plain("This week's practice", 24),
        "submit": plain("Save"),
        "close": plain("Cancel"),
        "blocks": [
            section(f"*{escape(step.title)}*"),
            {
                "type": "input",
                "block_id": Field.COMMITMENT,
                "label": plain("Which real situation will you use it in?"),
                "hint": plain("Only you see this. It comes back with the check-in."),
                "element": element,
            },
        ],
    }


def _text_input(
    block: str, label: str, optional: bool = False, most: int = MAX_ANSWER, hint: str = ""
) -> dict:
    found = {
        "type": "input",
        "block_id": block,
        "optional": optional,
        "label": plain(label),
        "element": {
            "type": "plain_text_input",
            "action_id": Field.VALUE,
            "multiline": True,
            "max_length": most,
        },
    }
    if hint:
        found["hint"] = plain(hint)
    return found


def _confidence(block: str, label: str) -> dict:
    options = [{"text": plain(str(n)), "value": str(n)} for n in range(1, 6)]
    return {
        "type": "input",
        "block_id": block,
        "label": plain(label),
        "element": {"type": "static_select", "action_id": Field.VALUE, "options": options},
    }


def tried_modal(step: PracticeStep) -> dict:
    return {
        "type": "modal",
        "callback_id": View.PRACTICE_TRIED,
        "private_metadata": str(step.id),
        "title": plain("How it went", 24),
        "submit": plain("Save"),
        "close": plain("Cancel"),
        "blocks": [
            section(escape(step.check_in)),
            _text_input(Field.WHAT_HAPPENED, "What happened?"),
            _text_input(Field.WHAT_CHANGED, "What changed in the work?", optional=True),
            _confidence(Field.CONFIDENCE, "How confident do you feel now? (1 = not yet, 5 = very)"),
            context("Only you see your answers."),
        ],
    }


def committed(step: PracticeStep) -> dict:
    text = f"Noted for “{step.title}”: {step.commitment}"
    return {
        "text": escape(text),
        "blocks": [
            section(f"Noted. You'll try it here: {escape(step.commitment or '')}"),
            context("In a few days I'll ask how it went. Only you see this."),
        ],
    }


def next_step_text(following: PracticeStep | None, title: str) -> str:
    if following is None:
        return f"That was the last week of “{title}”. Well done for practising on real work."
    return f"Next up, week {following.week}: “{following.title}”, in about a week."


def thanks(following: PracticeStep | None, title: str) -> dict:
    text = "Thank you: noted how it went. " + next_step_text(following, title)
    return {"text": escape(text), "blocks": [section(escape(text))]}


def path_done(enrolment_id: int, title: str) -> dict:
    """The DM at the end of a path: a short look back, in a form."""
    text = f"You've finished “{title}”. Did the work get better? Two minutes to look back."
    return {
        "text": escape(text),
        "blocks": [
            section(escape(text)),
            {
                "type": "actions",
                "elements": [
                    button("Look back", PracticeAction.LOOK_BACK, str(enrolment_id), "primary")
                ],
            },
            context("What you write is yours; only a line you choose to share is passed on."),
        ],
    }


def look_back_modal(enrolment: PracticeEnrolment, title: str, week_one: int | None) -> dict:
    """Confidence before (week 1's answer when there is one) and now, what is different, and
    an optional line to share without a name."""
    blocks: list[dict] = [section(f"*{escape(title)}*")]
    if week_one is None:
        blocks.append(
            _confidence(Field.CONFIDENCE_BEFORE, "How confident were you before? (1 to 5)")
        )
    else:
        blocks.append(context(f"After week 1 you said {week_one} out of 5."))
    blocks += [
        _confidence(Field.CONFIDENCE, "How confident do you feel now? (1 = not yet, 5 = very)"),
        _text_input(
            Field.DIFFERENCE, "What is different in your work now?", hint="Only you see this."
        ),
        _text_input(
            Field.SHARED_LINE,
            "A line to share with the learning team (optional)",
            optional=True,
            most=MAX_SHARED,
            hint="Shared without your name, and only once five or more people finished this path.",
        ),
    ]
    return {
        "type": "modal",
        "callback_id": View.PRACTICE_LOOK_BACK,
        "private_metadata": str(enrolment.id),
        "title": plain("Looking back", 24),
        "submit": plain("Save"),
        "close": plain("Cancel"),
        "blocks": blocks,
    }


def looked_back(enrolment: PracticeEnrolment) -> dict:
    """Thanks, and what happens to the shared line (if any)."""
    text = (
        f"Thank you. Confidence {enrolment.confidence_before} then, "
        f"{enrolment.confidence_after} now."
    )
    if enrolment.shared_line:
        note = "Your shared line goes to the learning team without your name."
    else:
        note = "Nothing you wrote is shared."
    return {"text": text, "blocks": [section(text), context(note)]}
