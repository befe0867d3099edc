"""`inflow report --csv DIR`: the library report's sections as CSV files, one per section.

The figures come from `bot.services.report.build`, as the Slack report's do, with the same
rules: zero is written as 0, a count of one to four people as "fewer than 5", and a figure
that would let one be worked out from the others as "withheld" (see bot/services/report.py).
"""

from __future__ import annotations

import csv
from pathlib import Path

from bot.services.report import MIN_GROUP, OUTCOMES, LibraryReport, shown, shown_with
from bot.services.verifications import DUE_WITHIN


def write(report: LibraryReport, directory: Path) -> list[Path]:
    """Write `<section>.csv` for every section into `directory` (made if missing); returns the
    files written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, (header, rows) in tables(report).items():
        path = directory / f"{name}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            out = csv.writer(handle)
            out.writerow(header)
            out.writerows(rows)
        written.append(path)
    return written


def tables(report: LibraryReport) -> dict[str, tuple[list[str], list[list]]]:
    """Each section as (header, rows), with the same suppression as the Slack report."""
    period = report.period
    return {
        "period": (
            ["team", "start", "end", "days", "smallest group shown"],
            [
                [
                    report.team_id,
                    period.start.isoformat(),
                    period.end.isoformat(),
                    period.days,
                    MIN_GROUP,
                ]
            ],
        ),
        "most_used": (
            ["guide", "title", "people", "opened", "shared"],
            [[u.guide_id, u.title, shown(u.people), u.opened(), u.shared()] for u in report.usage],
        ),
        "ratings": (
            ["guide", "title", "rating", "raters"],
            [[r.guide_id, r.title, f"{r.score:.3f}", r.raters] for r in report.ratings],
        ),
        "asked_then_chose": (
            ["asked", "chose guide", "title", "people", "times"],
            [
                [c.asked, c.guide_id, c.title, shown(c.people), shown_with(c.times, c.people)]
                for c in report.chosen
            ],
        ),
        "content_gaps": (
            ["search", "shown as", "people", "searches", "also asked as"],
            [
                [
                    g.label,
                    "as asked" if g.as_asked else "topic words",
                    shown(g.people),
                    shown_with(g.searches, g.people),
                    " | ".join(g.variants),
                ]
                for g in report.gaps
            ],
        ),
        "library_health": (
            ["verified", "due", "overdue", "due_within_days"],
            [
                [
                    report.health.verified,
                    report.health.due,
                    report.health.overdue,
                    DUE_WITHIN.days,
                ]
            ],
        ),
        "review_due": (
            ["guide", "title", "owner", "review_by", "days_overdue"],
            [
                [s.guide_id, s.title, s.owner, s.review_by.isoformat(), s.days_overdue]
                for s in report.stale
            ],
        ),
        "outcomes": (
            ["guide", "title", "helped", "did_not_help", "not_yet"],
            [
                [o.guide_id, o.title, *(o.figure(outcome) for outcome in OUTCOMES)]
                for o in [report.outcomes_total, *report.outcomes]
            ],
        ),
        "nudges": (
            ["kind", "label", "sent", "people", "acted_on"],
            [
                [
                    n.kind,
                    n.label,
                    shown_with(n.sent, n.recipients),
                    shown(n.recipients),
                    n.acted(),
                ]
                for n in report.nudges
            ],
        ),
        "routines": (
            ["routine", "people", "count", "of"],
            [
                [r.name, shown(r.people), shown_with(r.count, r.people), r.unit]
                for r in report.routines
            ],
        ),
        "practice_paths": (
            [
                "path",
                "invited",
                "started",
                "steps_tried",
                "people_tried",
                "finished",
                "looked_back",
                "average_confidence_change",
            ],
            [
                [
                    f.path_id,
                    shown(f.invited),
                    shown(f.started),
                    shown_with(f.tried_steps, f.tried_people),
                    shown(f.tried_people),
                    shown(f.finished),
                    shown(f.looked_back),
                    f.confidence_change(),
                ]
                for f in report.practice
            ],
        ),
        "candidate_material": (
            ["source", "debrief", "topic", "channel", "views", "text"],
            [
                [
                    "debrief",
                    d.debrief_id,
                    d.topic,
                    d.channel_id,
                    shown(d.views),
                    "\n".join(f"{q} {' / '.join(p)}" for q, p in d.points.items() if p),
                ]
                for d in report.debriefs
            ]
            + [["lesson", "", "", "", "", lesson] for lesson in report.lessons]
            + [
                ["practice path", "", f.path_id, "", "", line]
                for f in report.practice
                for line in f.shared()
            ],
        ),
    }
