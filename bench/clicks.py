"""Every button in inflow, clicked 20 times at the same moment: one effect, no 5xx, no traceback.

inflow runs under gunicorn (2 workers x 10 threads, so clicks meet in two processes as they do
across replicas) against the local Slack emulator and a migrated database (PostgreSQL when
TEST_DATABASE_URL is set, in a schema of its own, else a new SQLite file). For each button the
state it needs is made first, as a person would make it (the mistake-moment form submitted, the
debrief answered, the vague /spot note written...); only a nudge or a quiet suggestion, which a
scheduler job or a channel message would have planned, is written into the database. Then 20
threads wait at a barrier and send the same signed block_actions request at once (a double
click, or Slack retrying). What is counted once the work after the answers has settled:

- HTTP: the statuses of the 20 answers (no 5xx);
- effects: what reached Slack (messages posted, messages updated, modals opened) and what the
  database kept (rows), each against what one click should cause;
- told: the answers the 20 people saw through response_url ("already answered" is fine,
  "something went wrong" is not);
- tracebacks: those the server logged while the case ran.

Slack exchanges a trigger_id for one modal only (a second `views.open` with it fails with
`exchanged_trigger_id`), and the emulator is told to hold the app to that here.

    TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test python bench/clicks.py
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Engine, func, select, text
from sqlalchemy.engine import make_url

from bench.common import SECRET, free_port, gunicorn_cmd, migrated_env, wait_until_serving
from bot.db import make_engine, transaction
from bot.emulator import Reply, SlackEmulator, SlackSender
from bot.models import (
    GuideAlias,
    GuideEvent,
    GuideOutcome,
    IdeaStep,
    ManagerReport,
    MistakeMoment,
    NudgeFeedback,
    NudgePreference,
    OutboxMessage,
    Rating,
    Strength,
    SuggestionOffer,
    SuggestionOptOut,
)
from bot.services import outbox
from bot.slack.guides import state
from bot.slack.ids import (
    Action,
    AdminAction,
    Command,
    DebriefAction,
    Field,
    FollowUpAction,
    HomeAction,
    IdeaAction,
    MomentAction,
    NudgeAction,
    PrivacyAction,
    SpotAction,
    SuggestAction,
    View,
)
from bot.slack.report import alias_value
from bot.slack.suggestions import offer_value

CLICKS = 20
ADMIN = "U0ADMIN001"
SPECIFIC = "I see you at your best when you calmed the upset client down and found a fix"
WENT_WRONG = "went wrong"


@dataclass
class Case:
    """One button: how to click it once, what to count, and what one click causes."""

    button: str
    click: Callable[[], Reply]
    effects: dict[str, Callable[[], int]]  # label -> count now (the change is what is judged)
    expected: dict[str, int]  # label -> the change one click (or twenty) should make


@dataclass
class Outcome:
    button: str
    statuses: Counter
    effects: dict[str, tuple[int, int]]  # label -> (measured change, expected)
    told: Counter
    tracebacks: int

    @property
    def verdict(self) -> str:
        problems = []
        if any(status >= 500 for status in self.statuses):
            problems.append("5xx")
        if any(got > want for got, want in self.effects.values()):
            problems.append("DOUBLE")
        if any(got < want for got, want in self.effects.values()):
            problems.append("MISSING")
        if self.tracebacks or self.told[WENT_WRONG]:
            problems.append("TRACEBACK")
        return " ".join(problems) or "ok"


@dataclass
class World:
    """The served app, its Slack and its database, as the bench sees them."""

    emulator: SlackEmulator
    slack: SlackSender
    engine: Engine
    log: Path
    people: dict[str, int] = field(default_factory=Counter)

    def person(self, role: str) -> str:
        """A new Slack user id (each case its own people, so cases never meet)."""
        self.people[role] += 1
        return f"U0{role[:5].upper()}{self.people[role]:03d}"

    # Slack's side ------------------------------------------------------------------------------
    def posts(self, where: Callable[[dict], bool] = lambda args: True) -> Callable[[], int]:
        return lambda: sum(where(c.args) for c in self.emulator.calls_to("chat.postMessage"))

    def calls(self, method: str) -> Callable[[], int]:
        return lambda: len(self.emulator.calls_to(method))

    def modals_opened(self) -> int:
        return len(self.emulator.views_opened)

    def button(self, action_id: str, *, to: str | None = None) -> tuple[str, str, str]:
        """(value, channel, message ts) of the newest posted message with this button, once it
        has been posted (the work after an answer may take a moment on a loaded machine)."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            for call in reversed(self.emulator.calls_to("chat.postMessage")):
                if to is not None and call.args["channel"] != to:
                    continue
                for element in elements(call.json_arg("blocks") or []):
                    if element.get("action_id") == action_id:
                        channel = call.args["channel"]
                        ts = self.emulator.history[channel][-1]["ts"]
                        return element["value"], channel, ts
            time.sleep(0.1)
        raise LookupError(f"no message with {action_id} posted")

    def settle(self, quiet: float = 1.0, longest: float = 30) -> None:
        """Wait until Slack has heard nothing new for `quiet` seconds (the work after the
        answers runs in the server's threads; a benchmark may wait like this)."""
        deadline = time.monotonic() + longest
        seen, since = -1, time.monotonic()
        while time.monotonic() < deadline:
            now = len(self.emulator.calls) + len(self.emulator.responses)
            if now != seen:
                seen, since = now, time.monotonic()
            elif time.monotonic() - since >= quiet:
                return
            time.sleep(0.05)

    # the database ------------------------------------------------------------------------------
    def rows(self, model, *where) -> Callable[[], int]:
        def count() -> int:
            with self.engine.connect() as connection:
                return connection.scalar(select(func.count()).select_from(model).where(*where))

        return count

    def run_sql(self, work: Callable) -> object:
        from bot.db import make_sessionmaker

        with transaction(make_sessionmaker(self.engine)) as session:
            return work(session)

    def tracebacks(self) -> int:
        return self.log.read_text(errors="replace").count("Traceback (most recent call last)")


def elements(blocks: list[dict]) -> list[dict]:
    found = []
    for block in blocks:
        found.extend(block.get("elements") or [])
        if block.get("accessory"):
            found.append(block["accessory"])
    return found


def ack_button(reply: Reply, action_id: str) -> str:
    """The value of a button in the app's answer itself (an ephemeral ack)."""
    for element in elements(reply.json().get("blocks") or []):
        if element.get("action_id") == action_id:
            return element["value"]
    raise LookupError(f"no {action_id} in the answer")


# -- the buttons -------------------------------------------------------------------------------


def moment_cases(w: World) -> list[Case]:
    def asked() -> tuple[str, str, tuple[str, str, str]]:
        author, colleague = w.person("AUT"), w.person("COL")
        w.slack.submit(View.MISTAKE_MOMENT, moment_form(colleague), user_id=author)
        w.settle(0.3)
        return author, colleague, w.button(MomentAction.YES)

    def answer(action: MomentAction, words: str) -> Case:
        _author, colleague, (value, channel, ts) = asked()
        effects = {
            "invitation updated": w.calls("chat.update"),
            "author told": w.posts(lambda a: words in str(a.get("text"))),
        }
        expected = {"invitation updated": 1, "author told": 1}
        if action is MomentAction.YES:
            effects["group DM opened"] = w.posts(lambda a: a["channel"].startswith("G"))
            expected["group DM opened"] = 1
        return Case(
            f"moment: {action.name.title()}",
            lambda: w.slack.click(
                action,
                value,
                user_id=colleague,
                channel_id=channel,
                message_ts=ts,
                response_url=w.emulator.response_url(),
            ),
            effects,
            expected,
        )

    def ask_again() -> Case:
        author, colleague, (value, channel, ts) = asked()
        w.slack.click(
            MomentAction.NO,
            value,
            user_id=colleague,
            channel_id=channel,
            message_ts=ts,
            response_url=w.emulator.response_url(),
        )
        w.settle(0.3)
        again, dm, _ = w.button(MomentAction.ASK_AGAIN)
        return modal_case(
            w,
            "moment: Ask someone else",
            lambda **kw: w.slack.click(
                MomentAction.ASK_AGAIN,
                again,
                user_id=author,
                channel_id=dm,
                response_url=w.emulator.response_url(),
                **kw,
            ),
        )

    def write_lesson() -> Case:
        author = w.person("ALN")
        w.slack.submit(View.MISTAKE_MOMENT, moment_form(None), user_id=author)
        w.settle(0.3)
        value, dm, _ = w.button(MomentAction.WRITE_LESSON)
        return modal_case(
            w,
            "moment: Write the lesson",
            lambda **kw: w.slack.click(
                MomentAction.WRITE_LESSON,
                value,
                user_id=author,
                channel_id=dm,
                response_url=w.emulator.response_url(),
                **kw,
            ),
        )

    return [
        answer(MomentAction.YES, "said yes"),
        answer(MomentAction.LATER, "can talk later"),
        answer(MomentAction.NO, "can't this time"),
        ask_again(),
        write_lesson(),
    ]


def moment_form(colleague: str | None) -> dict:
    return {
        Field.COLLEAGUE: {"type": "users_select", "selected_user": colleague},
        Field.WHAT_HAPPENED: {"type": "plain_text_input", "value": "I sent the wrong price list"},
        Field.WHEN: {"type": "static_select", "selected_option": {"value": "now"}},
    }


def modal_case(w: World, button: str, click: Callable[..., Reply]) -> Case:
    """A button that opens a form: the clicks carry one trigger_id, which Slack exchanges for
    one modal."""
    trigger = f"{uuid.uuid4().int % 10**12}.{len(w.emulator.views_opened)}"
    return Case(
        button,
        lambda: click(trigger_id=trigger),
        {"modals opened": w.modals_opened},
        {"modals opened": 1},
    )


def debrief_cases(w: World) -> list[Case]:
    starter, channel = w.person("DBS"), "C0DEBRIEF1"
    w.slack.command(Command.DEBRIEF, "launch week", user_id=starter, channel_id=channel)
    w.settle(0.3)
    value, _, ts = w.button(DebriefAction.SUMMARY, to=channel)
    answer_case = modal_case(
        w,
        "debrief: Add your view",
        lambda **kw: w.slack.click(
            DebriefAction.ANSWER,
            value,
            user_id=starter,
            channel_id=channel,
            message_ts=ts,
            response_url=w.emulator.response_url(),
            **kw,
        ),
    )
    meta = json.dumps({"d": int(value)})
    w.slack.submit(
        View.DEBRIEF,
        {"worked": {"type": "plain_text_input", "value": "we shipped"}},
        user_id=starter,
        private_metadata=meta,
    )
    w.settle(0.3)
    summary = Case(
        "debrief: Post the summary",
        lambda: w.slack.click(
            DebriefAction.SUMMARY,
            value,
            user_id=starter,
            channel_id=channel,
            message_ts=ts,
            response_url=w.emulator.response_url(),
        ),
        {"summaries in the thread": w.posts(lambda a: a.get("thread_ts") == ts)},
        {"summaries in the thread": 1},
    )
    return [answer_case, summary]


def idea_cases(w: World) -> list[Case]:
    from bot.models import Idea
    from bot.services.ideas import Stage

    author, sponsor = w.person("IDA"), w.person("SPN")
    w.slack.command(Command.PITCH, f"<@{sponsor}> a shared on-call handbook", user_id=author)
    w.settle(0.3)
    idea = w.run_sql(lambda s: s.scalar(select(Idea).where(Idea.author_id == author)).id)

    def button(action: IdeaAction, at: Stage, to: Stage) -> Case:
        value = json.dumps({"i": idea, "from": at.value, "to": to.value})  # as move_value
        return modal_case(
            w,
            f"idea: {'Park it' if to is Stage.PARKED else 'Move to ' + to.label} (button)",
            lambda **kw: w.slack.click(
                action, value, user_id=sponsor, response_url=w.emulator.response_url(), **kw
            ),
        )

    def form(at: Stage, to: Stage) -> Case:
        meta = json.dumps({"i": idea, "from": at.value, "to": to.value})
        return Case(
            f"idea: {at.label} -> {to.label} form sent",
            lambda: w.slack.submit(
                View.IDEA_STAGE,
                {Field.ANSWER: {"type": "plain_text_input", "value": "we tried it for a week"}},
                user_id=sponsor,
                private_metadata=meta,
            ),
            {
                "stage steps": w.rows(IdeaStep, IdeaStep.idea_id == idea),
                "author told": w.posts(lambda a: "we tried it" in json.dumps(a)),
            },
            {"stage steps": 1, "author told": 1},
        )

    return [
        button(IdeaAction.ADVANCE, Stage.PITCH, Stage.PROTOTYPE),
        button(IdeaAction.PARK, Stage.PITCH, Stage.PARKED),
        form(Stage.PITCH, Stage.PROTOTYPE),
        form(Stage.PROTOTYPE, Stage.PILOT),
    ]


def nudge_cases(w: World, now: dt.datetime) -> list[Case]:
    def planned(user: str, kind: str, occurrence: str) -> str:
        """A nudge the planner sent (a scheduler job in inflow; written here directly)."""
        w.run_sql(
            lambda s: outbox.enqueue(
                s,
                team_id="T0INFLOW1",
                recipient=user,
                kind=kind,
                subject="weekly",
                occurrence=occurrence,
                due_at=now,
                message={"text": "Who did you see at their best this week?"},
            )
        )
        return f"{kind}/weekly/{occurrence}"

    def not_useful() -> Case:
        user = w.person("NNU")
        key = planned(user, "coaching", "2026-W48")
        return Case(
            "nudge: Not useful",
            lambda: w.slack.click(
                NudgeAction.NOT_USEFUL, key, user_id=user, response_url=w.emulator.response_url()
            ),
            {"feedback rows": w.rows(NudgeFeedback, NudgeFeedback.user_id == user)},
            {"feedback rows": 1},
        )

    def snooze() -> Case:
        user = w.person("NSZ")
        key = planned(user, "coaching", "2026-W48")
        return Case(
            "nudge: Snooze until tomorrow",
            lambda: w.slack.click(
                NudgeAction.SNOOZE,
                "",
                selected=f"tomorrow|{key}",
                element="overflow",
                user_id=user,
                response_url=w.emulator.response_url(),
            ),
            {
                "snoozed nudges planned": w.rows(
                    OutboxMessage,
                    OutboxMessage.recipient == user,
                    OutboxMessage.occurrence.contains(outbox.SNOOZED),
                )
            },
            {"snoozed nudges planned": 1},
        )

    def stop() -> Case:
        user = w.person("NST")
        key = planned(user, "coaching", "2026-W48")
        return Case(
            "nudge: Stop these",
            lambda: w.slack.click(
                NudgeAction.STOP, key, user_id=user, response_url=w.emulator.response_url()
            ),
            {
                "settings rows": w.rows(NudgePreference, NudgePreference.user_id == user),
                "coaching off": w.rows(
                    NudgePreference,
                    NudgePreference.user_id == user,
                    NudgePreference.kinds_off.like("%coaching%"),
                ),
            },
            {"settings rows": 1, "coaching off": 1},
        )

    def open_spot() -> Case:
        user = w.person("NOS")
        return modal_case(
            w,
            "nudge: Spot a strength",
            lambda **kw: w.slack.click(
                NudgeAction.OPEN_SPOT,
                "spot",
                user_id=user,
                response_url=w.emulator.response_url(),
                **kw,
            ),
        )

    def follow_up(action: FollowUpAction, outcome: str) -> Case:
        user = w.person("FUP")
        return Case(
            f"follow-up: {action.name.replace('_', ' ').lower()}",
            lambda: w.slack.click(
                action, "premortem", user_id=user, response_url=w.emulator.response_url()
            ),
            {
                "outcome rows": w.rows(
                    GuideOutcome, GuideOutcome.user_id == user, GuideOutcome.outcome == outcome
                )
            },
            {"outcome rows": 1},
        )

    return [
        not_useful(),
        snooze(),
        stop(),
        open_spot(),
        follow_up(FollowUpAction.HELPED, "helped"),
        follow_up(FollowUpAction.DID_NOT_HELP, "did_not_help"),
        follow_up(FollowUpAction.NOT_YET, "not_yet"),
    ]


def suggestion_cases(w: World, now: dt.datetime) -> list[Case]:
    def offered(user: str, channel: str) -> str:
        """A guide offered quietly for a channel message (written here directly)."""
        offer = w.run_sql(
            lambda s: _add(
                s,
                SuggestionOffer(
                    team_id="T0INFLOW1",
                    user_id=user,
                    channel_id=channel,
                    guide_id="premortem",
                    offered_on=now.date(),
                    at=now,
                ),
            )
        )
        return offer_value(offer, "premortem")

    def answer(action: SuggestAction, outcome: str | None, effects: dict, expected: dict) -> Case:
        user, channel = w.person("SUG"), "C0SUGGEST1"
        if action is SuggestAction.STOP_CHANNEL:
            w.emulator.channels[channel] = {"id": channel, "name": "suggest", "creator": user}
        value = offered(user, channel)
        counted = {
            label: count(user, channel) if callable(count) else count
            for label, count in effects.items()
        }
        if outcome:
            counted["offer answered"] = w.rows(
                SuggestionOffer, SuggestionOffer.user_id == user, SuggestionOffer.outcome == outcome
            )
            expected = {**expected, "offer answered": 1}
        return Case(
            f"suggestion: {action.name.replace('_', ' ').lower()}",
            lambda: w.slack.click(
                action,
                value,
                user_id=user,
                channel_id=channel,
                response_url=w.emulator.response_url(),
            ),
            counted,
            expected,
        )

    def views(user: str, channel: str) -> Callable[[], int]:
        return w.rows(GuideEvent, GuideEvent.user_id == user, GuideEvent.kind == "view")

    def opt_outs(user: str, channel: str) -> Callable[[], int]:
        return w.rows(SuggestionOptOut, SuggestionOptOut.subject_id.in_([user, channel]))

    return [
        answer(SuggestAction.OPEN, "opened", {"guide views": views}, {"guide views": 1}),
        answer(SuggestAction.NOT_NOW, "dismissed", {}, {}),
        answer(SuggestAction.STOP_ME, None, {"opt-outs": opt_outs}, {"opt-outs": 1}),
        answer(SuggestAction.STOP_CHANNEL, None, {"opt-outs": opt_outs}, {"opt-outs": 1}),
    ]


def _add(session, row) -> int:
    session.add(row)
    session.flush()
    return row.id


def privacy_cases(w: World) -> list[Case]:
    def forget() -> Case:
        user = w.person("FGT")
        w.slack.command(Command.SPOT, f"<@{w.person('RCV')}> {SPECIFIC}", user_id=user)
        w.slack.submit(View.MISTAKE_MOMENT, moment_form(None), user_id=user)
        w.settle(0.3)
        return Case(
            "privacy: Forget me",
            lambda: w.slack.click(
                PrivacyAction.FORGET_ME,
                "forget",
                user_id=user,
                response_url=w.emulator.response_url(),
            ),
            {
                "strengths left": w.rows(Strength, Strength.giver_id == user),
                "moments left": w.rows(MistakeMoment, MistakeMoment.author_id == user),
            },
            {"strengths left": -1, "moments left": -1},
        )

    def keep() -> Case:
        user = w.person("KEP")
        return Case(
            "privacy: Keep my data",
            lambda: w.slack.click(
                PrivacyAction.KEEP_MY_DATA,
                "keep",
                user_id=user,
                response_url=w.emulator.response_url(),
            ),
            {"posts": w.posts()},
            {"posts": 0},
        )

    return [forget(), keep()]


def library_cases(w: World) -> list[Case]:
    def guide_button(action: str, value: str, effects: dict, expected: dict, **extra) -> Case:
        user = w.person("LIB")
        counted = {label: count(user) for label, count in effects.items()}
        return Case(
            f"guide: {action}",
            lambda: w.slack.click(
                action, value, user_id=user, response_url=w.emulator.response_url(), **extra
            ),
            counted,
            expected,
        )

    def events(kind: str) -> Callable[[str], Callable[[], int]]:
        return lambda user: w.rows(GuideEvent, GuideEvent.user_id == user, GuideEvent.kind == kind)

    def ratings(user: str) -> Callable[[], int]:
        return w.rows(Rating, Rating.user_id == user)

    def shares(user: str) -> Callable[[], int]:
        return w.posts(lambda a: f"<@{user}>" in json.dumps(a) and a["channel"] == "C0GENERAL")

    asked = state("premortem", others=["feedforward"], query="how to plan a risky launch")
    return [
        guide_button(
            Action.SHARE_GUIDE,
            state("premortem"),
            {"shared in the channel": shares},
            {"shared in the channel": 1},
            message_ts="1700000000.000100",
        ),
        guide_button(Action.HELPFUL, state("premortem"), {"votes": ratings}, {"votes": 1}),
        guide_button(Action.NOT_HELPFUL, state("premortem"), {"votes": ratings}, {"votes": 1}),
        guide_button(
            Action.OTHER_MATCHES, asked, {"events": events("other_matches")}, {"events": 1}
        ),
        guide_button(
            f"{Action.OPEN_GUIDE}:0",
            asked,
            {"views": events("view"), "asked -> chose": events("chosen")},
            {"views": 1, "asked -> chose": 1},
        ),
        guide_button(Action.WHOLE_GUIDE, state("premortem"), {}, {}),
        guide_button(f"{Action.BROWSE_CATEGORY}:0", "meetings", {}, {}),
    ]


def report_cases(w: World) -> list[Case]:
    value = alias_value("premortem", "risk storming")
    return [
        Case(
            "report: Add as alias",
            lambda: w.slack.click(
                f"{Action.ADD_ALIAS}:0",
                value,
                user_id=ADMIN,
                response_url=w.emulator.response_url(),
            ),
            {"aliases": w.rows(GuideAlias, GuideAlias.guide_id == "premortem")},
            {"aliases": 1},
        )
    ]


_ACTION_TS = itertools.count(1)


def _clicked_now(payload: dict) -> dict:
    """The payload of one click: each has its own action_ts, as from Slack (the same request
    twice is a replay, which inflow acts on once)."""
    actions = [{**action, "action_ts": f"1.{next(_ACTION_TS)}"} for action in payload["actions"]]
    return {**payload, "actions": actions}


def home_cases(w: World) -> list[Case]:
    def change(action: HomeAction, key: str, value, effects: dict, expected: dict) -> Case:
        user = w.person("HOM")
        payload = {
            "type": "block_actions",
            "user": {"id": user, "team_id": "T0INFLOW1"},
            "container": {"type": "view", "view_id": "V0HOME"},
            "view": {"id": "V0HOME", "type": "home", "team_id": "T0INFLOW1"},
            "trigger_id": f"home.{user}",
            "actions": [{"action_id": action, "block_id": "b", "action_ts": "1.2", key: value}],
        }
        counted = {label: count(user) for label, count in effects.items()}
        return Case(
            f"home: {action.name.lower()}",
            lambda: w.slack.interaction(_clicked_now(payload)),
            {"Home tabs published": w.calls("views.publish"), **counted},
            {"Home tabs published": CLICKS, **expected},
        )

    def prefs(user: str) -> Callable[[], int]:
        return w.rows(NudgePreference, NudgePreference.user_id == user)

    def reports(user: str) -> Callable[[], int]:
        return w.rows(ManagerReport, ManagerReport.manager_id == user)

    days = [{"value": "mon"}, {"value": "wed"}]
    kinds = [{"value": "coaching"}, {"value": "ideas"}]
    return [
        change(HomeAction.DAYS, "selected_options", days, {"settings": prefs}, {"settings": 1}),
        change(
            HomeAction.TIME,
            "selected_option",
            {"value": "10:00"},
            {"settings": prefs},
            {"settings": 1},
        ),
        change(
            HomeAction.PAUSE, "selected_date", "2026-12-24", {"settings": prefs}, {"settings": 1}
        ),
        change(HomeAction.RESUME, "value", "resume", {"settings": prefs}, {"settings": 1}),
        change(HomeAction.KINDS, "selected_options", kinds, {"settings": prefs}, {"settings": 1}),
        change(
            HomeAction.TEAM,
            "selected_users",
            ["U0REPORT01", "U0REPORT02"],
            {"manager links": reports},
            {"manager links": 2},
        ),
        modal_case(
            w,
            "home: Workspace settings (admin)",
            lambda **kw: w.slack.click(
                AdminAction.OPEN_SETTINGS,
                "open",
                user_id=ADMIN,
                response_url=w.emulator.response_url(),
                **kw,
            ),
        ),
    ]


def strength_cases(w: World) -> list[Case]:
    giver, receiver = w.person("GIV"), w.person("RCV")
    vague = w.slack.command(Command.SPOT, f"<@{receiver}> great job", user_id=giver)
    draft = ack_button(vague, SpotAction.SEND_ANYWAY)
    send_anyway = Case(
        "spot: Send it as it is",
        lambda: w.slack.click(
            SpotAction.SEND_ANYWAY, draft, user_id=giver, response_url=w.emulator.response_url()
        ),
        {
            "strengths kept": w.rows(Strength, Strength.giver_id == giver),
            "receiver DMs": w.posts(lambda a: str(a.get("text", "")).startswith(f"<@{giver}>")),
        },
        {"strengths kept": 1, "receiver DMs": 1},
    )
    form = modal_case(
        w,
        "spot: Write more in a form",
        lambda **kw: w.slack.click(
            SpotAction.OPEN_FORM, draft, user_id=giver, response_url=w.emulator.response_url(), **kw
        ),
    )
    poster, to = w.person("PST"), w.person("RCV")
    sent = w.slack.command(Command.SPOT, f"<@{to}> {SPECIFIC}", user_id=poster)
    strength = ack_button(sent, SpotAction.POST_HERE)
    post_here = Case(
        "spot: Also post it here",
        lambda: w.slack.click(
            SpotAction.POST_HERE, strength, user_id=poster, response_url=w.emulator.response_url()
        ),
        {"posted in the channel": w.posts(lambda a: a["channel"] == "C0GENERAL")},
        {"posted in the channel": 1},
    )
    return [send_anyway, form, post_here]


# -- running it --------------------------------------------------------------------------------


def at_once(click: Callable[[], Reply], clicks: int) -> Counter:
    """`clicks` threads, released together by a barrier, each sending the same click."""
    barrier = threading.Barrier(clicks)
    statuses: list[int] = []

    def one() -> None:
        barrier.wait()
        try:
            statuses.append(click().status)
        except OSError:
            statuses.append(599)  # no answer at all

    threads = [threading.Thread(target=one) for _ in range(clicks)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Counter(statuses)


def measure(w: World, case: Case, clicks: int) -> Outcome:
    w.settle(0.3)
    before = {label: count() for label, count in case.effects.items()}
    answers, tracebacks = len(w.emulator.responses), w.tracebacks()
    statuses = at_once(case.click, clicks)
    w.settle()
    effects = {
        label: (count() - before[label], case.expected[label])
        for label, count in case.effects.items()
    }
    told = Counter()
    for _, body in w.emulator.responses[answers:]:
        said = str(body.get("text", ""))
        told[WENT_WRONG if WENT_WRONG in said else "answered"] += 1
    return Outcome(case.button, statuses, effects, told, w.tracebacks() - tracebacks)


def print_table(outcomes: list[Outcome], clicks: int, database: str) -> None:
    print(f"{clicks} identical clicks at once per button, inflow on {database}")
    header = f"{'button':42s} {'clicks':>6s}  {'HTTP':12s} {'effects (got/expected)':58s} "
    print(header + f"{'told':18s} {'tracebacks':>10s}  verdict")
    for o in outcomes:
        http = " ".join(f"{s}x{n}" for s, n in sorted(o.statuses.items()))
        effects = ", ".join(f"{label} {got}/{want}" for label, (got, want) in o.effects.items())
        told = ", ".join(f"{k} {n}" for k, n in sorted(o.told.items())) or "-"
        print(
            f"{o.button:42s} {clicks:6d}  {http:12s} {effects or '-':58s} {told:18s} "
            f"{o.tracebacks:10d}  {o.verdict}"
        )
    bad = [o.button for o in outcomes if o.verdict != "ok"]
    print(
        f"{len(outcomes) - len(bad)} of {len(outcomes)} buttons act once"
        + (f"; not yet: {', '.join(bad)}" if bad else "")
    )


def postgres_schema(url: str) -> tuple[str, Callable[[], None]]:
    """A fresh schema on the PostgreSQL server at `url`, and how to drop it."""
    schema = f"clicks_{uuid.uuid4().hex[:10]}"
    admin = make_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    scoped = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})

    def drop() -> None:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    return scoped.render_as_string(hide_password=False), drop


def run(clicks: int, only: str | None) -> None:
    postgres = os.environ.get("TEST_DATABASE_URL")
    drop = lambda: None  # noqa: E731
    with SlackEmulator() as emulator:
        emulator.single_use_triggers = True
        if postgres:
            database_url, drop = postgres_schema(postgres)
        else:
            database_url = None
        try:
            env = migrated_env(emulator.api_url, database_url)
            env["INFLOW_ADMINS"] = ADMIN
            env["LOG_LEVEL"] = "WARNING"
            port = free_port()
            log = Path(tempfile.mkdtemp(prefix="inflow-clicks-")) / "server.log"
            command = gunicorn_cmd("bot.wsgi:application", port, threads=10)
            command[command.index("--workers") + 1] = "2"
            with log.open("w") as stderr:
                server = subprocess.Popen(command, env=env, stderr=stderr)
                try:
                    wait_until_serving(
                        port, "/healthz", seconds=300
                    )  # a loaded machine starts slowly
                    engine = make_engine(env["DATABASE_URL"])
                    slack = SlackSender(f"http://127.0.0.1:{port}/slack/events", SECRET)
                    world = World(emulator, slack, engine, log)
                    now = dt.datetime.now(dt.UTC)
                    groups = [
                        moment_cases,
                        debrief_cases,
                        idea_cases,
                        lambda w: nudge_cases(w, now),
                        lambda w: suggestion_cases(w, now),
                        privacy_cases,
                        library_cases,
                        report_cases,
                        home_cases,
                        strength_cases,
                    ]
                    outcomes = []
                    for group in groups:
                        for case in group(world):
                            if only and only not in case.button:
                                continue
                            outcomes.append(measure(world, case, clicks))
                    engine.dispose()
                finally:
                    server.terminate()
                    server.wait(timeout=30)
            name = "PostgreSQL" if postgres else "SQLite"
            print_table(outcomes, clicks, name)
            print(f"server log: {log}")
        finally:
            drop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clicks", type=int, default=CLICKS)
    parser.add_argument("--only", help="run only the buttons whose name contains this")
    args = parser.parse_args()
    run(args.clicks, args.only)


if __name__ == "__main__":
    main()
