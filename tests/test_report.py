"""The library owners' report: `/learn report` for admins, the admin part of the Home tab,
`inflow report --csv`, and the rules behind them (grouping of searches, groups under five)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from pathlib import Path

import pytest
from sqlalchemy import select, update

from bot import report_csv
from bot.cli import main
from bot.config import Settings, load_settings
from bot.db import make_sessionmaker, transaction
from bot.emulator import BOT_USER_ID
from bot.library.loader import load_guides
from bot.models import ContentGap, GuideMessage, OutboxMessage
from bot.services import debriefs, ideas, mistakes, outbox, strengths
from bot.services import library as library_service
from bot.services import nudges as nudge_service
from bot.services.ideas import Stage
from bot.services.library import GuideEventKind
from bot.services.mistakes import MomentWhen
from bot.services.outbox import OutboxStatus
from bot.services.report import (
    FEWER,
    MIN_GROUP,
    OUTCOMES,
    WITHHELD,
    GapGroup,
    GuideOutcomes,
    GuideUse,
    NudgeFigures,
    Period,
    build,
    group_gaps,
    shown,
    shown_with,
    total_row,
)
from bot.slack.guides import state
from bot.slack.ids import Action, Command
from tests.conftest import BOT_TOKEN, SIGNING_SECRET
from tests.guide_files import write_guide

TEAM, ADMIN = "T0INFLOW1", "U0ADMIN01"
P = [f"U0PERSON{n}" for n in range(1, 9)]
MANAGERS = ["U0MANAGE1", "U0MANAGE2", "U0MANAGE3"]
DAY = dt.timedelta(days=1)


@pytest.fixture
def library_dir(tmp_path) -> Path:
    directory = tmp_path / "guides"
    write_guide(directory, "sbi-feedback", title="Giving feedback with SBI")
    write_guide(directory, "five-whys", title="Five whys")
    write_guide(
        directory,
        "premortem",
        title="Premortem",
        owner="ana.owner@example.com",
        review_by=dt.date(2026, 10, 1),
    )
    write_guide(
        directory,
        "decision-records",
        title="Decision records",
        owner="ben.owner@example.com",
        review_by=dt.date(2026, 11, 1),
    )
    write_guide(directory, "after-action-review", title="After-action review")
    write_guide(
        directory, "old-draft", title="An old draft", review_by=dt.date(2025, 1, 1), draft=True
    )
    return directory


@pytest.fixture
def settings(database_url, emulator, library_dir) -> Settings:
    """The shared settings, with an admin and this module's small library."""
    return load_settings(
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=emulator.api_url,
        database_url=database_url,
        content_dir=library_dir,
        admin_user_ids=[ADMIN],
    )


def seed(sessions, now: dt.datetime, library_dir: Path) -> int:
    """A month of a small workspace's use of inflow; returns the closed debrief's id."""
    with transaction(sessions) as s:
        library_service.sync_guides(s, load_guides(library_dir), now)

        def seen(guide: str, users: list[str], kind=GuideEventKind.VIEW, at=now - 2 * DAY):
            for user in users:
                library_service.record_event(
                    s, team_id=TEAM, guide_id=guide, user_id=user, kind=kind, now=at
                )

        seen("sbi-feedback", P[:7])
        seen("sbi-feedback", P[:2], GuideEventKind.SHARE)
        seen("sbi-feedback", P[:3])  # opening it again adds no one
        seen("five-whys", P[:3])
        seen("premortem", P[:6], at=now - 40 * DAY)  # in the last 90 days, not the last 30

        def vote(guide: str, users: list[str], helpful: bool) -> None:
            for user in users:
                library_service.rate_with_buttons(
                    s, team_id=TEAM, guide_id=guide, user_id=user, helpful=helpful, now=now - DAY
                )

        vote("sbi-feedback", P[:6], True)
        vote("five-whys", P[:1], True)
        vote("five-whys", P[1:5], False)
        vote("premortem", P[:3], True)  # three raters: too few to show

        for user, query in [
            (P[0], "Expense reports?"),
            (P[1], "expense  report"),
            (P[2], "EXPENSE REPORTS"),
            (P[3], "expense reprots"),
            (P[4], "how do I do expense reports"),
            (P[5], "Expense report!"),
            (P[0], "expense reports"),
            (P[0], "parking permit"),
            (P[1], "Parking permit?"),
        ]:
            library_service.record_gap(s, team_id=TEAM, user_id=user, query=query, now=now - DAY)

        for user, outcome in [*((u, "helped") for u in P[:5]), (P[5], "did_not_help")]:
            nudge_service.guide_outcome(
                s, team_id=TEAM, user_id=user, guide_id="sbi-feedback", outcome=outcome, now=now
            )
        nudge_service.guide_outcome(
            s, team_id=TEAM, user_id=P[6], guide_id="sbi-feedback", outcome="not_yet", now=now
        )

        def sent(user: str, kind: str, occurrence: str, status=OutboxStatus.SENT) -> None:
            outbox.enqueue(
                s,
                team_id=TEAM,
                recipient=user,
                kind=kind,
                subject="x",
                occurrence=occurrence,
                due_at=now - 3 * DAY,
                message={"text": "a nudge"},
            )
            s.execute(
                update(OutboxMessage)
                .where(OutboxMessage.recipient == user, OutboxMessage.occurrence == occurrence)
                .values(status=status.value, sent_at=now - 3 * DAY)
            )

        for user in P[:6]:
            sent(user, "follow_ups", "1")
        for user in P[:2]:
            sent(user, "follow_ups", "2")
        sent(P[7], "follow_ups", "1", OutboxStatus.PENDING)
        for manager in MANAGERS:
            sent(manager, "coaching", "1")
        sent("C0PROJECT", "debrief", "1")
        nudge_service.not_useful(
            s, team_id=TEAM, user_id=MANAGERS[0], kind="coaching", subject="x", now=now - DAY
        )

        for author in [*P[:5], P[0]]:
            mistakes.start(
                s,
                team_id=TEAM,
                author_id=author,
                colleague_id=None,
                what_happened="something private",
                when=MomentWhen.NOW,
                now=now - 5 * DAY,
            )
        moments = {m.author_id: m for m in mistakes.awaiting_lesson(s, before=now)}
        mistakes.record_lesson(
            s,
            team_id=TEAM,
            moment_id=moments[P[2]].id,
            user_id=P[2],
            lesson="Say when you're stuck & ask early",
            share=True,
            now=now - 4 * DAY,
        )
        mistakes.record_lesson(
            s,
            team_id=TEAM,
            moment_id=moments[P[3]].id,
            user_id=P[3],
            lesson="my private lesson",
            share=False,
            now=now - 4 * DAY,
        )
        for giver in P[:3]:
            strengths.spot(
                s,
                team_id=TEAM,
                giver_id=giver,
                receiver_id=P[7],
                note="I see you at your best when you explain the rota to new starters",
                theme=None,
                now=now - DAY,
            )
        for author in P[:5]:
            idea = ideas.pitch(
                s,
                team_id=TEAM,
                author_id=author,
                sponsor_id=MANAGERS[0],
                title=f"an idea from {author}",
                now=now - 6 * DAY,
            )
        ideas.move(
            s,
            team_id=TEAM,
            idea_id=idea.id,
            user_id=P[4],
            to=Stage.PROTOTYPE,
            answer="a rota app",
            learned=None,
            expected_from=Stage.PITCH,
            now=now - 2 * DAY,
        )
        debrief = debriefs.start(
            s,
            team_id=TEAM,
            channel_id="C0PROJECT",
            user_id=P[0],
            topic="the winter release",
            now=now - 3 * DAY,
        )
        for n, user in enumerate(P[:6]):
            debriefs.answer(
                s,
                team_id=TEAM,
                debrief_id=debrief.id,
                user_id=user,
                answers={
                    "worked": f"pairing on releases ({n})",
                    "differently": "freeze a day earlier <!channel>" if n == 0 else None,
                },
                now=now - 2 * DAY,
            )
        debriefs.close(s, team_id=TEAM, debrief_id=debrief.id, now=now - DAY)
        still_open = debriefs.start(
            s, team_id=TEAM, channel_id="C0OTHER", user_id=P[1], topic="still open", now=now
        )
        debriefs.answer(
            s,
            team_id=TEAM,
            debrief_id=still_open.id,
            user_id=P[1],
            answers={"worked": "x"},
            now=now,
        )
        return debrief.id


def _report(served, text: str = "", user_id: str = ADMIN) -> dict:
    return served.slack.command(Command.LEARN, f"report {text}".strip(), user_id=user_id).json()


def _section(answer: dict, title: str) -> str:
    [found] = [
        b["text"]["text"]
        for b in answer["blocks"]
        if b["type"] == "section" and b["text"]["text"].startswith(f"*{title}*")
    ]
    return found


def _line(section: str, starting: str) -> str:
    [found] = [line for line in section.splitlines() if starting in line]
    return found


@pytest.fixture
def seeded(served, clock, library_dir) -> int:
    return seed(make_sessionmaker(served.engine), clock.now, library_dir)


def test_an_admin_gets_the_report_privately_with_its_period(served, seeded):
    answer = _report(served)

    assert answer["response_type"] == "ephemeral"
    assert "the last 30 days (24 Oct 2026 to 23 Nov 2026, UTC)" in json.dumps(answer["blocks"])
    assert len(answer["blocks"]) <= 50


def test_most_used_guides_count_people_who_opened_or_shared(served, seeded):
    used = _section(_report(served), "Most used guides")

    assert _line(used, "Giving feedback with SBI") == (
        "1. *Giving feedback with SBI*: 7 people (opened 7, shared &lt;5)"
    )
    assert _line(used, "Five whys") == "2. *Five whys*: &lt;5 people"
    assert "Premortem" not in used  # its use was 40 days ago


def test_best_and_worst_rated_use_the_librarys_bayesian_rating(served, seeded):
    answer = _report(served)

    # (6 helpful + 10 × 0.5) / (6 + 10) = 69%; (1 + 5) / (5 + 10) = 40%
    assert "*Giving feedback with SBI*: 69% helpful, 6 raters" in _section(answer, "Best rated")
    assert "*Five whys*: 40% helpful, 5 raters" in _section(answer, "Worst rated")
    rated = _section(answer, "Best rated") + _section(answer, "Worst rated")
    assert "Premortem" not in rated  # three raters: too few to show


def test_searches_that_found_nothing_are_grouped_and_counted(served, seeded):
    gaps = _section(_report(served), "Searches that found nothing")

    # no way of asking was five people's: the words five or more used, or the library knows
    assert _line(gaps, "expense") == (
        "• about _expense reports_ (topic words): 6 people, 7 searches"
    )
    assert _line(gaps, "parking") == "• about _parking_ (topic words): &lt;5 people"
    assert "permit" not in gaps and "reprots" not in gaps


def test_guides_past_review_are_listed_with_their_owners(served, seeded):
    due = _section(_report(served), "Due for review")

    assert due.splitlines()[1:] == [
        "• *Premortem* (`premortem`): due 1 Oct 2026, 53 days ago; owner ana.owner@example.com",
        "• *Decision records* (`decision-records`): due 1 Nov 2026, 22 days ago; "
        "owner ben.owner@example.com",
    ]  # not the draft, which is not served


def test_follow_up_answers_per_guide_show_only_groups_of_five(served, seeded):
    helped = _section(_report(served), "Did it help the work?")

    assert _line(helped, "All guides") == (
        "All guides: helped 5 · didn't help &lt;5 · not yet &lt;5"
    )
    assert _line(helped, "SBI") == (
        "• *Giving feedback with SBI*: helped 5 · didn't help &lt;5 · not yet &lt;5"
    )


def test_nudges_sent_and_acted_on_by_kind(served, seeded):
    sent = _section(_report(served), "Nudges")

    assert _line(sent, "Follow-ups") == (
        "• Follow-ups on guides and lessons: 8 sent to 6 people; 6 people acted on one"
    )
    assert _line(sent, "Coaching") == "• Coaching prompts (for managers): sent to &lt;5 people"
    assert "debrief" not in sent.lower()  # a channel's debrief is not a nudge to a person


def test_routines_used(served, seeded):
    routines = _section(_report(served), "Routines")

    assert _line(routines, "Mistake moments") == "• Mistake moments: 6 moments from 5 people"
    assert _line(routines, "Lessons written") == "• Lessons written: &lt;5 people"
    assert _line(routines, "Strengths spotted") == "• Strengths spotted: &lt;5 people"
    assert _line(routines, "Ideas pitched") == "• Ideas pitched: 5 ideas from 5 people"
    assert _line(routines, "Ideas moved to Prototype") == (
        "• Ideas moved to Prototype: &lt;5 people"
    )
    assert _line(routines, "Debriefs answered") == (
        "• Debriefs answered: 2 debriefs from 6 people"  # the closed one and the open one
    )
    assert _line(routines, "Ideas adopted") == "• Ideas adopted: 0 ideas"  # nothing to hide


def _why_hidden_lines(answer: dict) -> list[str]:
    return [
        e["text"]
        for b in answer["blocks"]
        if b["type"] == "context"
        for e in b["elements"]
        if "too few to show" in e["text"]
    ]


def test_the_report_says_once_why_small_counts_are_hidden(served, seeded):
    answer = _report(served)

    assert _why_hidden_lines(answer) == [
        "&lt;5 stands for one to four people, too few to show without pointing at someone; "
        "“withheld” marks a figure from which such a count could be worked out."
    ]
    assert "fewer than" not in json.dumps(answer["blocks"])


def test_a_fresh_workspace_reports_zero_as_zero(served):
    answer = _report(served)

    routines = _section(answer, "Routines")
    assert _line(routines, "Ideas adopted") == "• Ideas adopted: 0 ideas"
    assert _line(routines, "Mistake moments") == "• Mistake moments: 0 moments"
    shown_text = json.dumps(answer["blocks"], ensure_ascii=False)
    assert "&lt;5" not in shown_text and "fewer than" not in shown_text
    assert _why_hidden_lines(answer) == []  # nothing hidden, nothing to explain
    home = json.dumps(_open_home(served, ADMIN)["blocks"], ensure_ascii=False)
    assert "too few to show" not in home and "fewer than" not in home


def test_a_pilot_team_of_four_sees_zeros_and_one_line_on_why_the_rest_is_hidden(served, clock):
    with transaction(make_sessionmaker(served.engine)) as s:
        for giver in P[:4]:
            strengths.spot(
                s,
                team_id=TEAM,
                giver_id=giver,
                receiver_id=P[5],
                note="I see you at your best when you explain the rota to new starters",
                theme=None,
                now=clock.now - DAY,
            )

    answer = _report(served)

    routines = _section(answer, "Routines")
    assert _line(routines, "Strengths spotted") == "• Strengths spotted: &lt;5 people"
    assert _line(routines, "Ideas pitched") == "• Ideas pitched: 0 ideas"
    assert routines.count("&lt;5") == 1
    assert len(_why_hidden_lines(answer)) == 1
    assert not re.search(r"\b[1-4] (people|notes)\b", json.dumps(answer["blocks"]))


def test_closed_debriefs_and_shared_lessons_are_candidate_material_without_authors(served, seeded):
    material = _section(_report(served), "Candidate material")

    debrief = _line(material, "winter release")
    assert "<#C0PROJECT>" in debrief and "(6 people)" in debrief
    assert "freeze a day earlier &lt;!channel&gt;" in debrief
    assert f"`inflow content draft --from-debrief {seeded}`" in debrief
    assert "still open" not in material
    assert "• Shared lesson: “Say when you're stuck &amp; ask early”" in material
    assert "my private lesson" not in material
    assert not any(person in material for person in P)


def test_no_count_under_five_is_ever_shown(served, seeded):
    shown_text = json.dumps(_report(served)["blocks"], ensure_ascii=False)

    assert not re.search(r"\b[1-4] (people|raters|sent|searches|moments|ideas)\b", shown_text)
    assert not re.search(r"(helped|didn't help|not yet|opened|shared) [1-4]\b", shown_text)


def test_one_person_sharing_a_guide_six_times_and_reacting_on_each_is_one_vote(served):
    channels = [f"C0SHARE0{n}" for n in range(1, 7)]
    for channel in channels:
        served.slack.click(
            Action.SHARE_GUIDE,
            state("five-whys"),
            user_id=P[0],
            channel_id=channel,
            response_url=served.emulator.response_url(),
        )
    with served.session() as session:
        messages = session.execute(select(GuideMessage.channel_id, GuideMessage.message_ts)).all()
    assert len(messages) == 6
    for channel, ts in messages:
        served.slack.event(
            {
                "type": "reaction_added",
                "user": P[0],
                "reaction": "+1",
                "item_user": BOT_USER_ID,
                "item": {"type": "message", "channel": channel, "ts": ts},
                "event_ts": "1700000500.000100",
            }
        )
    for user in P[1:5]:
        served.slack.click(
            Action.NOT_HELPFUL,
            state("five-whys"),
            user_id=user,
            response_url=served.emulator.response_url(),
        )

    answer = _report(served)

    # one helpful vote and four unhelpful: (1 + 5) / (5 + 10) = 40%, not (6 + 5) / (10 + 10)
    assert "*Five whys*: 40% helpful, 5 raters" in _section(answer, "Worst rated")
    assert "Five whys" not in _section(answer, "Best rated")


@pytest.fixture
def two_guides_helped(served, seeded, clock) -> None:
    """Five whys helped two more people: "All guides: helped 7" over SBI's 5 would give it away."""
    with transaction(make_sessionmaker(served.engine)) as s:
        for user in P[5:7]:
            nudge_service.guide_outcome(
                s, team_id=TEAM, user_id=user, guide_id="five-whys", outcome="helped", now=clock.now
            )


def test_a_total_that_would_give_a_small_group_away_by_subtraction_is_withheld(
    served, two_guides_helped
):
    helped = _section(_report(served), "Did it help the work?")

    assert _line(helped, "All guides").startswith("All guides: helped withheld · ")
    assert _line(helped, "SBI").startswith("• *Giving feedback with SBI*: helped 5 · ")
    assert _line(helped, "Five whys").startswith("• *Five whys*: helped &lt;5 · ")
    home = json.dumps(_open_home(served, ADMIN)["blocks"], ensure_ascii=False)
    assert "helped withheld" in home and "helped 7" not in home


def test_report_90_covers_ninety_days(served, seeded):
    answer = _report(served, "90")

    assert "the last 90 days (25 Aug 2026 to 23 Nov 2026, UTC)" in json.dumps(answer["blocks"])
    assert _line(_section(answer, "Most used guides"), "Premortem") == (
        "2. *Premortem*: 6 people (opened 6, shared 0)"  # nobody shared it: 0, not hidden
    )


def test_a_workspace_with_no_history_gets_an_empty_report(served):
    answer = _report(served)

    for title in ("Most used guides", "Searches that found nothing", "Nudges"):
        assert _section(answer, title).endswith("_Nothing in this period._"), title
    assert "No guide rated by 5 or more people is above 50%" in _section(answer, "Best rated")
    assert "Premortem" in _section(answer, "Due for review")  # the files are due regardless


def test_a_period_that_is_not_a_number_of_days_is_explained(served):
    assert "how many days" in _report(served, "last quarter")["text"]


def test_someone_who_is_not_an_admin_is_refused_kindly(served, seeded):
    answer = _report(served, user_id=P[0])

    assert answer["text"].startswith("The library report is for the library's owners")
    assert "blocks" not in answer


def _open_home(served, user: str) -> dict:
    served.emulator.reset()
    served.slack.event(
        {
            "type": "app_home_opened",
            "user": user,
            "channel": "D0HOME",
            "tab": "home",
            "event_ts": "1",
        }
    )
    [call] = served.emulator.calls_to("views.publish")
    return call.json_arg("view")


def test_the_home_tab_has_the_report_for_admins_only(served, seeded):
    admin = json.dumps(_open_home(served, ADMIN)["blocks"], ensure_ascii=False)
    assert "Library report" in admin
    assert "Giving feedback with SBI*: 7 people" in admin
    assert "about _expense reports_" in admin
    assert "*Due for review:* 2 guides, the oldest *Premortem* (53 days overdue)" in admin

    assert "Library report" not in json.dumps(_open_home(served, P[0])["blocks"])


def test_an_admins_home_tab_stays_within_100_blocks_with_long_history(served, seeded):
    for n in range(30):
        served.slack.command(
            Command.SPOT,
            f"<@{ADMIN}> I see you at your best when you fixed thing number {n} for the whole team",
            user_id=P[0],
        )
    view = _open_home(served, ADMIN)

    assert len(view["blocks"]) <= 100
    shown_text = json.dumps(view["blocks"])
    assert "Library report" in shown_text and "Your nudges" in shown_text  # nothing cut off


def _csv(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_the_csv_command_writes_the_same_figures(
    database_url, engine, emulator, clock, library_dir, tmp_path, monkeypatch, capsys
):
    debrief_id = seed(make_sessionmaker(engine), clock.now, library_dir)
    for name, value in {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_API_URL": emulator.api_url,
        "DATABASE_URL": database_url,
        "INFLOW_CONTENT_DIR": str(library_dir),
    }.items():
        monkeypatch.setenv(name, value)
    out = tmp_path / "report"

    assert main(["report", "--csv", str(out), "--now", clock.now.isoformat()]) == 0

    assert "12 CSV files" in capsys.readouterr().out
    assert _csv(out / "period.csv") == [
        {
            "team": TEAM,
            "start": "2026-10-24T09:30:00+00:00",
            "end": "2026-11-23T09:30:00+00:00",
            "days": "30",
            "smallest group shown": "5",
        }
    ]
    assert _csv(out / "most_used.csv") == [
        {
            "guide": "sbi-feedback",
            "title": "Giving feedback with SBI",
            "people": "7",
            "opened": "7",
            "shared": FEWER,
        },
        {
            "guide": "five-whys",
            "title": "Five whys",
            "people": FEWER,
            "opened": FEWER,
            "shared": "0",  # nobody: nothing to hide
        },
    ]
    assert [(r["guide"], r["rating"], r["raters"]) for r in _csv(out / "ratings.csv")] == [
        ("sbi-feedback", "0.688", "6"),
        ("five-whys", "0.400", "5"),
    ]
    assert _csv(out / "asked_then_chose.csv") == []  # nobody picked from choices in this month
    gaps = _csv(out / "content_gaps.csv")
    assert [(g["search"], g["people"], g["searches"]) for g in gaps] == [
        ("expense reports", "6", "7"),
        ("parking", FEWER, FEWER),
    ]
    assert [(r["guide"], r["owner"], r["days_overdue"]) for r in _csv(out / "review_due.csv")] == [
        ("premortem", "ana.owner@example.com", "53"),
        ("decision-records", "ben.owner@example.com", "22"),
    ]
    assert _csv(out / "outcomes.csv")[0] == {
        "guide": "",
        "title": "All guides",
        "helped": "5",
        "did_not_help": FEWER,
        "not_yet": FEWER,
    }
    nudges = {r["kind"]: r for r in _csv(out / "nudges.csv")}
    assert (nudges["follow_ups"]["sent"], nudges["follow_ups"]["acted_on"]) == ("8", "6")
    assert nudges["coaching"]["people"] == FEWER and "debrief" not in nudges
    routines = {r["routine"]: r for r in _csv(out / "routines.csv")}
    assert (routines["Mistake moments"]["people"], routines["Mistake moments"]["count"]) == (
        "5",
        "6",
    )
    assert (routines["Ideas adopted"]["people"], routines["Ideas adopted"]["count"]) == ("0", "0")
    assert routines["Lessons written"]["people"] == FEWER
    material = _csv(out / "candidate_material.csv")
    assert [(m["source"], m["debrief"]) for m in material] == [
        ("debrief", str(debrief_id)),
        ("lesson", ""),
    ]
    assert material[1]["text"] == "Say when you're stuck & ask early"


def test_the_csv_command_refuses_a_period_out_of_range(
    database_url, engine, emulator, tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["report", "--csv", str(tmp_path), "--team", TEAM, "--days", "0"]) == 2
    assert "from 1 to 366 days" in capsys.readouterr().err


# -- the rules -------------------------------------------------------------------------------


def test_counts_under_five_are_never_shown():
    assert [shown(n) for n in (0, 1, 4, 5, 12)] == [0, FEWER, FEWER, 5, 12]
    assert shown_with(40, people=4) == FEWER  # forty searches by four people say too much
    assert shown_with(40, people=5) == 40
    assert shown_with(0, people=0) == 0  # what never happened points at nobody


def _groups(*searches: tuple[str, str]) -> list[GapGroup]:
    """Grouped with every way of asking shown, to see the grouping itself."""
    return group_gaps(searches, min_people=1)


def test_searches_differing_in_case_spacing_and_punctuation_are_one_need():
    [group] = _groups(
        ("Expense reports?", "U1"), ("expense   REPORTS", "U2"), ("expense reports!!", "U3")
    )
    assert (group.label, group.variants, group.people, group.searches) == (
        "expense reports",
        (),
        3,
        3,
    )


def test_near_duplicate_searches_are_merged_into_the_most_asked_way():
    [group] = _groups(
        ("onboarding checklist", "U1"),
        ("onboarding checklist", "U2"),
        ("onbaording checklist", "U3"),  # a typo
        ("how do I write an onboarding checklist", "U4"),  # function words and word form
        ("checklists for onboarding", "U5"),  # another order
    )
    assert group.label == "onboarding checklist"
    assert group.people == 5 and group.searches == 5
    assert set(group.variants) == {
        "onbaording checklist",
        "how do i write an onboarding checklist",
        "checklists for onboarding",
    }


def test_different_needs_stay_apart_and_the_biggest_comes_first():
    groups = _groups(
        ("expense policy", "U1"),
        ("expense report", "U2"),
        ("expense report", "U3"),
        ("parking", "U1"),
    )
    assert [(g.label, g.people) for g in groups] == [
        ("expense report", 2),
        ("expense policy", 1),
        ("parking", 1),
    ]


def test_a_person_searching_twice_counts_once():
    [group] = _groups(("rota", "U1"), ("Rota", "U1"), ("rota?", "U2"))
    assert (group.people, group.searches) == (2, 3)


def test_the_csv_withholds_the_same_total(
    database_url, engine, emulator, clock, library_dir, tmp_path, monkeypatch
):
    seed(make_sessionmaker(engine), clock.now, library_dir)
    with transaction(make_sessionmaker(engine)) as s:
        for user in P[5:7]:
            nudge_service.guide_outcome(
                s, team_id=TEAM, user_id=user, guide_id="five-whys", outcome="helped", now=clock.now
            )
    for name, value in {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_API_URL": emulator.api_url,
        "DATABASE_URL": database_url,
        "INFLOW_CONTENT_DIR": str(library_dir),
    }.items():
        monkeypatch.setenv(name, value)

    assert main(["report", "--csv", str(tmp_path), "--now", clock.now.isoformat()]) == 0

    rows = {r["title"]: r["helped"] for r in _csv(tmp_path / "outcomes.csv")}
    assert rows == {"All guides": WITHHELD, "Giving feedback with SBI": "5", "Five whys": FEWER}


# -- no figure under five can be worked out by subtraction --------------------------------------


def _could_be(figure: int | str, total: int) -> range:
    """The values a reader cannot rule out for a figure as shown."""
    if isinstance(figure, int):
        return range(figure, figure + 1)
    if figure == FEWER:
        return range(1, MIN_GROUP)  # zeros are shown as 0
    return range(MIN_GROUP, total + 1)  # withheld: assume the reader knows it is 5 or more


def test_no_hidden_outcome_can_be_worked_out_from_the_total_and_the_shown_parts():
    import itertools
    import random

    picker = random.Random(14)
    for _ in range(400):
        listed = [
            GuideOutcomes(
                f"g{n}", f"g{n}", *(picker.choice([0, 1, 2, 3, 4, 5, 6, 9]) for _ in "abc")
            )
            for n in range(picker.randint(1, 6))
        ]
        # People answering for one guide each: the total is the sum, the reader's best case.
        counts = {o: sum(getattr(row, o) for row in listed) for o in OUTCOMES}
        total = total_row(counts, listed)
        for outcome in OUTCOMES:
            shown_total = total.figure(outcome)
            assert shown_total in (counts[outcome], FEWER, WITHHELD)  # never a wrong number
            if not isinstance(shown_total, int):
                continue
            parts = [row.figure(outcome) for row in listed]
            hidden = [p for p in parts if not isinstance(p, int)]
            if not hidden:
                continue
            rest = shown_total - sum(p for p in parts if isinstance(p, int))
            assert rest >= MIN_GROUP, (listed, outcome)  # the hidden parts together: five or more
            ranges = [_could_be(p, shown_total) for p in hidden]
            solutions = [v for v in itertools.product(*ranges) if sum(v) == rest]
            for position in range(len(hidden)):
                values = {solution[position] for solution in solutions}
                assert len(values) >= 2, (listed, outcome, position, values)


def test_a_total_over_parts_that_can_each_only_be_one_is_withheld():
    # Zeros are shown, so "fewer than 5" is 1 to 4: five such parts adding up to 5 are all 1.
    listed = [GuideOutcomes(f"g{n}", f"g{n}", 1, 0, 0) for n in range(5)]
    total = total_row({"helped": 5, "did_not_help": 0, "not_yet": 0}, listed)
    assert total.figure("helped") == WITHHELD
    assert total.figure("did_not_help") == 0


def test_the_issues_example_withholds_the_total():
    listed = [
        GuideOutcomes("al", "Active listening", 5, 0, 0),
        GuideOutcomes("fw", "Five whys", 2, 0, 0),
    ]
    total = total_row({"helped": 7, "did_not_help": 0, "not_yet": 0}, listed)
    assert total.figure("helped") == WITHHELD


def test_who_only_shared_a_guide_is_not_given_away_by_its_people_and_openers():
    # 9 people, 5 opened: 4 only shared it, and "shared fewer than 5" is then exactly 4
    use = GuideUse("g", "g", people=9, viewers=5, sharers=4)
    assert (use.opened(), use.shared()) == (WITHHELD, WITHHELD)
    assert GuideUse("g", "g", people=7, viewers=7, sharers=2).opened() == 7  # nothing pinned
    assert (
        GuideUse("g", "g", people=11, viewers=10, sharers=6).shared() == WITHHELD
    )  # 1 only shared


def test_those_who_did_not_act_on_a_nudge_are_not_given_away():
    assert NudgeFigures("k", "k", sent=9, recipients=6, acted_on=5).acted() == WITHHELD  # 1 did not
    assert NudgeFigures("k", "k", sent=9, recipients=6, acted_on=1).acted() == WITHHELD
    assert NudgeFigures("k", "k", sent=9, recipients=6, acted_on=6).acted() == 6
    assert NudgeFigures("k", "k", sent=9, recipients=10, acted_on=5).acted() == 5
    assert NudgeFigures("k", "k", sent=9, recipients=6, acted_on=0).acted() == 0  # nobody
    assert NudgeFigures("k", "k", sent=3, recipients=3, acted_on=0).acted() == WITHHELD


# -- one person's search is theirs ---------------------------------------------------------------


def test_a_search_only_one_person_made_is_shown_by_the_librarys_words_only():
    [group] = group_gaps(
        [("my manager bob smith keeps shouting at me", "U1")], vocabulary=frozenset({"manag"})
    )
    assert (group.label, group.as_asked, group.variants) == ("manager", False, ())


def test_a_way_of_asking_five_people_used_is_shown_word_for_word():
    searches = [("expense reports", f"U{n}") for n in range(5)]
    searches += [("Expense report", "U8"), ("expense reports for bob smith", "U9")]
    expense, theirs = group_gaps(searches)
    assert (expense.label, expense.as_asked, expense.variants) == ("expense reports", True, ())
    assert (theirs.label, theirs.as_asked) == ("", False)  # no library words given here


def test_a_private_search_leaves_no_name_in_the_report_or_the_csv(
    served, seeded, clock, library_dir, tmp_path
):
    served.slack.command(Command.LEARN, "my manager bob smith keeps shouting at me", user_id=P[7])
    with served.session() as session:
        assert session.scalars(select(ContentGap.query)).all()[-1] == (
            "my manager bob smith keeps shouting at me"
        )

    shown_text = json.dumps(_report(served), ensure_ascii=False).lower()
    home = json.dumps(_open_home(served, ADMIN), ensure_ascii=False).lower()
    with served.session() as session:
        report = build(
            session,
            team_id=TEAM,
            period=Period.last(30, now=clock.now),
            guides=load_guides(library_dir),
        )
    written = report_csv.write(report, tmp_path)
    csv_text = " ".join(path.read_text(encoding="utf-8") for path in written).lower()

    [theirs] = [g for g in report.gaps if g.people == 1 and not g.as_asked]
    assert theirs.label == "manager shouting"  # the library's words (concepts); not the name
    for text in (shown_text, home, csv_text):
        assert "bob" not in text and "smith" not in text
