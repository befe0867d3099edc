"""Block Kit for the library owners' report: `/learn report` and the admin part of the Home tab."""

from __future__ import annotations

import json

from bot.library.matcher import PRIOR_MEAN, PRIOR_VOTES
from bot.library.schema import Guide
from bot.services.report import (
    FEWER,
    MIN_GROUP,
    WITHHELD,
    DebriefCandidate,
    GapGroup,
    GuideOutcomes,
    LibraryReport,
    NudgeFigures,
    PathFigures,
    RoutineUse,
    shown,
    shown_with,
)
from bot.services.verifications import DUE_WITHIN
from bot.slack.guide_sources import write_guide_buttons
from bot.slack.ids import Action, Command, GuideSourceAction
from bot.slack.kit import button, context, header, section
from bot.slack.text import clip, escape

LISTED = 10  # rows per section in Slack; the CSV has them all
CANDIDATES = 5
HOME_LISTED = 3
NOTHING = "_Nothing in this period._"
ACTED_ON = (
    "*Acted on*: of the people a kind of nudge went to, those who pressed a button inflow "
    "records on one: a follow-up answer (helped / didn't / not yet), *Not useful* or *Snooze*."
)


# A count of one to four people, as Slack shows it: short, because a small team sees it on most
# lines; why it is hidden is said once, above the figures (HIDDEN_WHY).
SMALL = f"&lt;{MIN_GROUP}"
HIDDEN_WHY = (
    f"<{MIN_GROUP} stands for one to four people, too few to show without pointing at someone; "
    f"“{WITHHELD}” marks a figure from which such a count could be worked out."
).replace("<", "&lt;")


def figure(value: int | str) -> str:
    """A figure as the Slack report shows it: the number, 0, <5 or "withheld"."""
    if value == FEWER:
        return SMALL
    return str(value)


def people(count: int) -> str:
    """How many people, as the report says it: "12 people", "0 people" or "<5 people"."""
    return f"{figure(shown(count))} people"


def _hides_something(blocks: list[dict]) -> bool:
    return any(
        SMALL in text or WITHHELD in text
        for block in blocks
        for text in [block.get("text", {}).get("text", "")]
    )


def _lines(items: list[str], more: int = 0) -> str:
    if not items:
        return NOTHING
    text = "\n".join(items)
    return text + (f"\n…and {more} more (all of them in the CSV)." if more > 0 else "")


def _title(title: str) -> str:
    return f"*{escape(clip(title, 80))}*"


def _used(report: LibraryReport, limit: int) -> str:
    rows = [
        f"{n}. {_title(u.title)}: {people(u.people)}"
        + (
            f" (opened {figure(u.opened())}, shared {figure(u.shared())})"
            if u.breakdown_shown
            else ""
        )
        for n, u in enumerate(report.usage[:limit], 1)
    ]
    return _lines(rows, len(report.usage) - limit)


def _rated(report: LibraryReport, best: bool, limit: int) -> str:
    rated = report.best_rated if best else report.worst_rated
    if not rated:
        side = "above" if best else "below"
        return f"_No guide rated by {MIN_GROUP} or more people is {side} {PRIOR_MEAN:.0%}._"
    return "\n".join(
        f"• {_title(r.title)}: {r.score:.0%} helpful, {r.raters} raters" for r in rated[:limit]
    )


def _gap(gap: GapGroup) -> str:
    also = ""
    if gap.variants:
        shown_ways = ", ".join(f"“{escape(clip(v, 60))}”" for v in gap.variants[:2])
        extra = len(gap.variants) - 2
        also = f" (also {shown_ways}{f' and {extra} more' if extra > 0 else ''})"
    searches = figure(shown_with(gap.searches, gap.people))
    count = people(gap.people) + (f", {searches} searches" if gap.people >= MIN_GROUP else "")
    return f"• {_gap_label(gap)}{also}: {count}"


def _gap_label(gap: GapGroup) -> str:
    if gap.as_asked:
        return f"“{escape(clip(gap.label, 100))}”"
    if gap.label:
        return f"about _{escape(clip(gap.label, 100))}_ (topic words)"
    return "_in words the library does not use_"


def _gaps(report: LibraryReport, limit: int) -> str:
    return _lines([_gap(g) for g in report.gaps[:limit]], len(report.gaps) - limit)


def _stale(report: LibraryReport, limit: int) -> str:
    rows = [
        f"• {_title(s.title)} (`{s.guide_id}`): due {s.review_by:%-d %b %Y}, "
        f"{s.days_overdue} days ago; owner {escape(s.owner)}"
        for s in report.stale[:limit]
    ]
    return _lines(rows, len(report.stale) - limit)


def _health(report: LibraryReport) -> str:
    """Verified / due / overdue: the served guides by their review dates in this workspace."""
    h = report.health
    return (
        f"{h.verified} verified (reviewed within their window) · {h.due} due in the next "
        f"{DUE_WITHIN.days} days · {h.overdue} overdue"
    )


def _outcome(o: GuideOutcomes) -> str:
    return (
        f"helped {figure(o.figure('helped'))} · didn't help {figure(o.figure('did_not_help'))} · "
        f"not yet {figure(o.figure('not_yet'))}"
    )


def _outcomes(report: LibraryReport, limit: int) -> str:
    if not report.outcomes:
        return NOTHING
    rows = [f"All guides: {_outcome(report.outcomes_total)}"]
    rows += [f"• {_title(o.title)}: {_outcome(o)}" for o in report.outcomes[:limit]]
    return _lines(rows, len(report.outcomes) - limit)


def _nudges(report: LibraryReport) -> str:
    rows = [
        f"• {n.label}: {n.sent} sent to {n.recipients} people; {_acted(n)}"
        if n.recipients >= MIN_GROUP
        else f"• {n.label}: sent to {people(n.recipients)}"
        for n in report.nudges
    ]
    return _lines(rows)


def _acted(n: NudgeFigures) -> str:
    acted = n.acted()
    return f"{acted} people acted on one" if acted != WITHHELD else f"acted on one: {WITHHELD}"


def _routine(r: RoutineUse) -> str:
    if r.people == 0:
        return f"• {r.name}: 0 {r.unit}"
    if r.people < MIN_GROUP:
        return f"• {r.name}: {people(r.people)}"
    unit = r.unit if r.count != 1 else r.unit[:-1]
    return f"• {r.name}: {r.count} {unit} from {people(r.people)}"


def _routines(report: LibraryReport) -> str:
    return _lines([_routine(r) for r in report.routines])


SHARED_LINES = 3  # per path in Slack; the CSV has them all


def _path(f: PathFigures) -> str:
    """One path's figures, each count of people under five hidden; its shared lines under it
    only once five or more people finished it."""
    steps = figure(shown_with(f.tried_steps, f.tried_people))
    tried = f"{steps} steps tried by {people(f.tried_people)}"
    change = f.confidence_change()
    line = (
        f"• `{escape(f.path_id)}`: invited {people(f.invited)}, started {people(f.started)}, "
        f"{tried}, finished {people(f.finished)}; confidence change on average "
        f"{figure(change)} ({people(f.looked_back)} looked back)"
    )
    shared = f.shared()
    line += "".join(f"\n    “{escape(clip(text, 200))}”" for text in shared[:SHARED_LINES])
    if len(shared) > SHARED_LINES:
        line += f"\n    …and {len(shared) - SHARED_LINES} more lines (all of them in the CSV)."
    return line


PRACTICE_ROOM = 2600  # of a section's 3000 characters: the rest is the title and "…and more"


def _practice(report: LibraryReport) -> str:
    """As many paths as fit one section; the CSV has them all."""
    rows: list[str] = []
    for row in (_path(f) for f in report.practice[:LISTED]):
        if sum(len(r) + 1 for r in rows) + len(row) > PRACTICE_ROOM:
            break
        rows.append(row)
    return _lines(rows, len(report.practice) - len(rows))


def _debrief(d: DebriefCandidate) -> str:
    lesson = d.points.get("What would we do differently?") or d.points.get("What worked?") or []
    gist = f": “{escape(clip('; '.join(lesson), 200))}”" if lesson else ""
    return (
        f"• {_title(d.topic)} in <#{d.channel_id}>, {d.closed_at:%-d %b} "
        f"({people(d.views)}){gist} → `inflow content draft --from-debrief {d.debrief_id}`"
    )


def _candidates(report: LibraryReport, limit: int) -> str:
    rows = [_debrief(d) for d in report.debriefs[:limit]]
    rows += [f"• Shared lesson: “{escape(clip(lesson, 300))}”" for lesson in report.lessons[:limit]]
    more = max(len(report.debriefs) - limit, 0) + max(len(report.lessons) - limit, 0)
    return _lines(rows, more)


CHOSEN_LISTED = 5


def alias_value(guide_id: str, asked: str) -> str:
    """What an *Add as alias* button carries."""
    return json.dumps({"g": guide_id, "a": asked}, separators=(",", ":"), ensure_ascii=False)


def read_alias_value(value: str) -> tuple[str, str]:
    try:
        data = json.loads(value)
        return str(data["g"]), str(data["a"])
    except (ValueError, KeyError, TypeError):
        return "", ""


def _chosen(report: LibraryReport) -> list[dict]:
    """Asked X → chose Y, each with a one-click *Add as alias*: a suggestion, never automatic."""
    blocks = [
        section(
            "*Asked → chose* (people picked this guide from the choices or *Other matches*)"
            + ("" if report.chosen else f"\n{NOTHING}")
        )
    ]
    for position, pair in enumerate(report.chosen[:CHOSEN_LISTED]):
        blocks.append(
            section(
                f"“{escape(clip(pair.asked, 100))}” → {_title(pair.title)}: {people(pair.people)}",
                accessory=button(
                    "Add as alias",
                    f"{Action.ADD_ALIAS}:{position}",
                    alias_value(pair.guide_id, pair.asked),
                ),
            )
        )
    if report.chosen:
        blocks.append(
            context(
                "*Add as alias* makes those words a name of the guide in this workspace: "
                f"`{Command.LEARN}` then answers it directly."
            )
        )
    return blocks


WRITE_LISTED = 5  # *Write a guide* buttons per list: the top of each, where a guide helps most


def _write_for_gaps(report: LibraryReport) -> list[dict]:
    """*Write a guide* for the searches that found nothing, in words people typed."""
    asked = [(g.label, g.variants, None) for g in report.gaps if g.as_asked and g.label]
    return write_guide_buttons(GuideSourceAction.FROM_GAP, asked[:WRITE_LISTED])


def _write_for_chosen(report: LibraryReport) -> list[dict]:
    """*Write a guide* for what people asked before choosing another guide."""
    asked = [(p.asked, (), p.title) for p in report.chosen[:CHOSEN_LISTED]]
    return write_guide_buttons(GuideSourceAction.FROM_CHOSEN, asked[:WRITE_LISTED])


def report_message(report: LibraryReport) -> dict:
    """The whole report, privately to the admin who asked (inside the ack)."""
    period = report.period
    figures = [
        section("*Most used guides* (people who opened or shared each)\n" + _used(report, LISTED)),
        section(f"*Best rated*\n{_rated(report, True, 5)}"),
        section(f"*Worst rated*\n{_rated(report, False, 5)}"),
        context(
            f"Ratings are the library's own: the votes averaged with {PRIOR_VOTES} imaginary "
            f"votes at {PRIOR_MEAN:.0%}, for guides rated by {MIN_GROUP} or more people."
        ),
        section(f"*Searches that found nothing*\n{_gaps(report, LISTED)}"),
        *_write_for_gaps(report),
        *_chosen(report),
        *_write_for_chosen(report),
        section(f"*Library health*\n{_health(report)}"),
        section(f"*Due for review*\n{_stale(report, LISTED)}"),
        section(f"*Did it help the work?* (answers to the follow-up)\n{_outcomes(report, LISTED)}"),
        section(f"*Nudges*\n{_nudges(report)}"),
        context(ACTED_ON),
        section(f"*Routines*\n{_routines(report)}"),
        section(
            "*Practice paths* (shared lines without names, once five or more finished)\n"
            + _practice(report)
        ),
        section(
            "*Candidate material* (closed debriefs, and lessons shared without names)\n"
            + _candidates(report, CANDIDATES)
        ),
    ]
    blocks = [
        header("Library report"),
        context(
            f"For {period.words}. Counts are of people. `{Command.LEARN} report 90` covers 90 "
            f"days; `inflow report --csv DIR --days {period.days}` writes it all as CSV."
        ),
        *([context(HIDDEN_WHY)] if _hides_something(figures) else []),
        *figures,
    ]
    return {
        "response_type": "ephemeral",
        "text": f"Library report for {period.words}",
        "blocks": blocks,
    }


def home_section(report: LibraryReport) -> list[dict]:
    """A short version of the report at the top of an admin's Home tab."""
    stale = report.stale
    due = (
        f"{len(stale)} {'guide' if len(stale) == 1 else 'guides'}, the oldest "
        f"{_title(stale[0].title)} ({stale[0].days_overdue} days overdue)"
        if stale
        else "none"
    )
    total = report.outcomes_total
    figures = [
        section(f"*Most used*\n{_used(report, HOME_LISTED)}"),
        section(f"*Searches that found nothing*\n{_gaps(report, HOME_LISTED)}"),
        section(
            f"*Library health:* {_health(report)}\n"
            f"*Due for review:* {due}\n*Did it help the work?* "
            + (_outcome(total) if report.outcomes else "no answers yet")
        ),
    ]
    return [
        header("Library report"),
        context(f"For the library's owners, {report.period.words}."),
        *([context(HIDDEN_WHY)] if _hides_something(figures) else []),
        *figures,
        context(
            f"The full report: `{Command.LEARN} report` (or `{Command.LEARN} report 90` for 90 "
            "days); as CSV: `inflow report --csv DIR`."
        ),
        {"type": "divider"},
    ]


def alias_added(guide: Guide, asked: str, added: bool) -> dict:
    """The owner's confirmation after *Add as alias*."""
    name = escape(clip(asked, 100))
    title = escape(guide.title)
    text = (
        f"Done: “{name}” is now a name of *{title}*. `{Command.LEARN} {name}` answers it."
        if added
        else f"“{name}” was already a name of *{title}*."
    )
    return {"response_type": "ephemeral", "replace_original": False, "text": text}
