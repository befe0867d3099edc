"""The personal Home tab: what a person has received and started, and their nudge settings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from bot.library.schema import Guide
from bot.models import Idea, MistakeMoment, Strength
from bot.services.ideas import Stage
from bot.services.preferences import DAYS, KIND_LABELS, NudgeKind, Preferences
from bot.services.report import LibraryReport
from bot.services.strengths import THEME_LABELS, Theme
from bot.services.teams import LinkStatus
from bot.services.workspaces import WorkspaceSettings
from bot.slack.blocks import COMMANDS, WHO_SEES
from bot.slack.ids import AdminAction, Command, HomeAction
from bot.slack.kit import button, context, header, plain, section
from bot.slack.report import home_section
from bot.slack.text import MAX_VIEW_BLOCKS, clip, escape, mention

TIMES = [f"{h:02d}:{m:02d}" for h in range(7, 19) for m in (0, 30)]
SHOWN = 5  # items per list: the Home tab stays short however much history there is


@dataclass
class HomeData:
    strength_themes: dict[Theme, int] = field(default_factory=dict)
    strengths: list[Strength] = field(default_factory=list)
    ideas_mine: list[Idea] = field(default_factory=list)
    ideas_sponsored: list[Idea] = field(default_factory=list)
    lessons: list[MistakeMoment] = field(default_factory=list)
    guides: list[Guide] = field(default_factory=list)
    preferences: Preferences | None = None
    reports: dict[str, LinkStatus] = field(default_factory=dict)  # whom they named, and how
    managers: list[str] = field(default_factory=list)
    today: dt.date = dt.date(2000, 1, 1)
    library_report: LibraryReport | None = None  # for the workspace's inflow admins
    workspace: WorkspaceSettings | None = None  # for its admins, who may change it
    # their practice paths under way: (title, week, weeks, paused)
    practice: list[tuple[str, int, int, bool]] = field(default_factory=list)
    # for a manager: each confirmed report's paths, (report, title, week, weeks, paused)
    reports_practice: list[tuple[str, str, int, int, bool]] = field(default_factory=list)


def _option(text: str, value: str) -> dict:
    return {"text": plain(text), "value": value}


def _more(count: int) -> list[dict]:
    return [context(f"…and {count - SHOWN} more.")] if count > SHOWN else []


def home_view(data: HomeData) -> dict:
    blocks: list[dict] = [header("inflow")]
    if data.workspace is not None:
        blocks += _workspace(data.workspace)
    if data.library_report is not None:
        blocks += home_section(data.library_report)
    blocks += _strengths(data)
    blocks += _ideas(data)
    blocks += _practice(data)
    blocks += _reports_practice(data)
    blocks += _lessons(data)
    blocks += _guides(data)
    blocks += _team(data)
    if data.preferences is not None:
        blocks += _settings(data.preferences, data.today)
    commands = "\n".join(f"• `{escape(c.usage)}`: {c.what}" for c in COMMANDS)
    blocks += [{"type": "divider"}, section(f"*Commands*\n{commands}"), context(WHO_SEES)]
    return {"type": "home", "blocks": blocks[:MAX_VIEW_BLOCKS]}


def _workspace(settings: WorkspaceSettings) -> list[dict]:
    """What applies to everyone in the workspace, and the button that changes it."""
    days = ", ".join(d.capitalize() for d in settings.nudge_days)
    channel = f"<#{settings.learning_channel}>" if settings.learning_channel else "none"
    emoji = " ".join(f":{escape(n)}:" for n in settings.helpful_emoji)
    not_emoji = " ".join(f":{escape(n)}:" for n in settings.unhelpful_emoji)
    summary = (
        f"*Admins:* {', '.join(mention(a) for a in sorted(settings.admins))}\n"
        f"*Learning channel:* {channel}\n"
        f"*Rating emoji:* helpful {emoji}; not helpful {not_emoji}\n"
        f"*Nudges:* {days} at {settings.nudge_time}, at most {settings.nudge_budget} a week "
        "per person\n"
        f"*Channel suggestions:* {'on' if settings.channel_suggestions else 'off'}"
    )
    return [
        header("Workspace settings"),
        section(
            "For this workspace's inflow admins: what applies to everyone here.",
            accessory=button("Workspace settings", AdminAction.OPEN_SETTINGS, "open"),
        ),
        context(summary),
    ]


def _strengths(data: HomeData) -> list[dict]:
    blocks = [header("Seen at your best")]
    if not data.strength_themes:
        return [
            *blocks,
            context(
                f"Nothing yet. Start it: `{Command.SPOT} @someone` when you see them at their best."
            ),
        ]
    themes = ", ".join(
        f"{THEME_LABELS[t]} ({n})"
        for t, n in sorted(data.strength_themes.items(), key=lambda x: -x[1])
    )
    blocks.append(section(f"*By theme:* {themes}"))
    for strength in data.strengths[:SHOWN]:
        blocks.append(section(f"<@{strength.giver_id}>: “{escape(clip(strength.note, 400))}”"))
    return blocks + _more(len(data.strengths))


def _ideas(data: HomeData) -> list[dict]:
    if not data.ideas_mine and not data.ideas_sponsored:
        return [header("Ideas"), context(f"Pitch one: `{Command.PITCH} &lt;idea&gt; @sponsor`")]
    blocks = [header("Ideas")]
    for title, ideas in (("Yours", data.ideas_mine), ("You sponsor", data.ideas_sponsored)):
        if ideas:
            lines = "\n".join(
                f"• {escape(clip(i.title, 150))}: *{Stage(i.stage).label}*" for i in ideas[:SHOWN]
            )
            blocks.append(section(f"*{title}*\n{lines}"))
            blocks += _more(len(ideas))
    return blocks


def _practice(data: HomeData) -> list[dict]:
    """Where they are on each path: the DMs scroll away, this stays."""
    if not data.practice:
        return []
    lines = "\n".join(
        f"• *{escape(title)}*: week {week} of {weeks}" + (" (paused)" if paused else "")
        for title, week, weeks, paused in data.practice[:SHOWN]
    )
    return [
        header("Practice paths"),
        section(lines),
        context("*Pause* and *Leave the path* are on each week's message."),
    ]


def _reports_practice(data: HomeData) -> list[dict]:
    """For a manager: where each report who confirmed them is; never what they wrote."""
    if not data.reports_practice:
        return []
    lines = "\n".join(
        f"• {mention(report)}: *{escape(title)}*, week {week} of {weeks}"
        + (" (paused)" if paused else "")
        for report, title, week, weeks, paused in data.reports_practice[:SHOWN]
    )
    return [
        header("Your reports' practice"),
        section(lines),
        *_more(len(data.reports_practice)),
        context(
            "Your weekly coaching question follows their step. Their plans and check-ins "
            "stay theirs."
        ),
    ]


def _lessons(data: HomeData) -> list[dict]:
    if not data.lessons:
        return []
    lines = "\n".join(f"• {escape(clip(m.lesson or '', 300))}" for m in data.lessons[:SHOWN])
    return [header("Your lessons"), section(lines), context("Only you can see these.")]


def _guides(data: HomeData) -> list[dict]:
    if not data.guides:
        return []
    lines = "\n".join(f"• {escape(g.title)}" for g in data.guides[:SHOWN])
    return [header("Guides you used recently"), section(lines)]


def _team(data: HomeData) -> list[dict]:
    picker = {
        "type": "multi_users_select",
        "action_id": HomeAction.TEAM,
        "placeholder": plain("Your reports"),
    }
    named = [user for user, status in data.reports.items() if status != LinkStatus.DECLINED]
    if named:
        picker["initial_users"] = named[:100]
    blocks = [
        header("Your team"),
        section("*Your reports* (for managers: coaching prompts are about them)", accessory=picker),
    ]
    if waiting := [user for user, s in data.reports.items() if s == LinkStatus.WAITING]:
        listed = ", ".join(f"<@{user}>" for user in waiting)
        blocks.append(context(f"Waiting for {listed} to confirm: nothing is shared until then."))
    if data.managers:
        listed = ", ".join(f"<@{m}>" for m in data.managers)
        blocks.append(context(f"You confirmed you're a report of {listed}."))
    return blocks


def _settings(prefs: Preferences, today: dt.date) -> list[dict]:
    day_options = [_option(d.capitalize(), d) for d in DAYS]
    kind_options = [_option(KIND_LABELS[k], k.value) for k in NudgeKind]
    days = {
        "type": "checkboxes",
        "action_id": HomeAction.DAYS,
        "options": day_options,
    }
    chosen_days = [o for o in day_options if o["value"] in prefs.days]
    if chosen_days:
        days["initial_options"] = chosen_days
    kinds = {"type": "checkboxes", "action_id": HomeAction.KINDS, "options": kind_options}
    chosen_kinds = [o for o in kind_options if NudgeKind(o["value"]) in prefs.kinds_on]
    if chosen_kinds:
        kinds["initial_options"] = chosen_kinds
    time_options = [_option(t, t) for t in TIMES]
    time_select = {
        "type": "static_select",
        "action_id": HomeAction.TIME,
        "options": time_options,
        "placeholder": plain("Time"),
    }
    if prefs.time in TIMES:
        time_select["initial_option"] = _option(prefs.time, prefs.time)
    pause = {
        "type": "datepicker",
        "action_id": HomeAction.PAUSE,
        "placeholder": plain("Pause until"),
    }
    if prefs.paused_until:
        pause["initial_date"] = prefs.paused_until.isoformat()
    paused = prefs.paused(today)
    status = f"Paused until {prefs.paused_until:%A %-d %B}." if paused else "Nudges are on."
    blocks = [
        {"type": "divider"},
        header("Your nudges"),
        section(f"{status} They come on your working days at your time, in your own time zone."),
        section("*Working days*", accessory=days),
        section("*Time of day*", accessory=time_select),
        section("*Pause until*", accessory=pause),
    ]
    if paused:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": plain("Resume now"),
                        "action_id": HomeAction.RESUME,
                        "value": "resume",
                    }
                ],
            }
        )
    blocks.append(section("*Which nudges*", accessory=kinds))
    return blocks
