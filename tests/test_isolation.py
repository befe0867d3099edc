"""Two workspaces served by one inflow: nothing of one is shown in, sent into or changed from the
other.

Workspace A has a month of everything: guides opened, rated and missed, a strength, an idea, a
mistake moment with its lesson, debriefs, a team, an offer in a channel. Workspace B shares one
person with it (ME: an Enterprise Grid member of both, so the same user id) and every request B
signs may carry A's ids in its buttons and forms. All workspaces share one signing secret, so
only the workspace a request was authorised for may decide whose data it touches.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from bot.config import Settings
from bot.db import transaction
from bot.emulator import BOT_USER_ID, _default_user
from bot.jobs.clock import run_once
from bot.library.loader import load_guides
from bot.library.matcher import Library
from bot.models import (
    Debrief,
    DebriefAnswer,
    GuideEvent,
    GuideMessage,
    Idea,
    IdeaStep,
    ManagerReport,
    MistakeMoment,
    OutboxMessage,
    Rating,
    Strength,
    SuggestionOffer,
    WorkspaceRecord,
)
from bot.services import outbox, privacy
from bot.services.ideas import Stage
from bot.services.library import ratings_by_guide
from bot.slack.guides import state
from bot.slack.ideas import move_value
from bot.slack.ids import (
    Action,
    Command,
    DebriefAction,
    Field,
    HomeAction,
    IdeaAction,
    MomentAction,
    NudgeAction,
    PrivacyAction,
    SpotAction,
    SuggestAction,
    TeamAction,
    View,
)
from bot.slack.nudges import SNOOZE_TOMORROW
from bot.slack.suggestions import offer_value
from tests.conftest import TEAM_A, TEAM_B

ME = "W0BOTH0001"  # a member of both workspaces
ADMIN = "W0OWNER01"  # the library's owner, an admin in both
A_PEOPLE = [f"U0APEER0{n}" for n in range(1, 7)]
SPONSOR_A, COLLEAGUE_A, BOSS_A, REPORT_A = "U0ASPONS1", "U0ACOLLE1", "U0ABOSS01", "U0AREPOR1"
SPONSOR_B, PEER_B, BOSS_B, REPORT_B = "U0BSPONS1", "U0BPEER01", "U0BBOSS01", "U0BREPOR1"
A_CHANNEL, B_CHANNEL = "C0ACHANNEL", "C0BCHANNEL"

RATED_IN_A = "receiving-tough-feedback"  # A's votes lift it above asking-for-feedback
GAP_IN_A = "expense reimbursement form"
NOTE_FOR_ME = "I see you at your best when you calm the night shift down and find the real fault"
NOTE_BY_ME = "I see you at your best when you walk new starters through the rota with patience"
IDEA_IN_A = "A-ONLY: quiet hours on Thursdays for deep work"
MOMENT_IN_A, LESSON_IN_A = "A-ONLY: I sent the invoice run twice", "A-ONLY: check the batch log"
CLOSED_TOPIC, OPEN_TOPIC = "A-ONLY winter release", "A-ONLY spring planning"
ANSWER_IN_A = "A-ONLY: pairing on the release"
OFFERED = "running the sprint retro tomorrow, first time. anyone got a format that works?"
A_ONLY = "A-ONLY"  # in every text A's people wrote that B could be shown


@pytest.fixture
def oauth_settings(oauth_settings) -> Settings:
    """The shared OAuth deployment, with a library owner who is an admin everywhere."""
    return oauth_settings.model_copy(update={"admin_user_ids": [ADMIN]})


# -- the world: a month of A ---------------------------------------------------------------------


@dataclass(frozen=True)
class MonthInA:
    """The ids of A's things that B will try to reach."""

    idea: int
    moment: int
    closed_debrief: int
    open_debrief: int
    strength: int
    offer: int
    shared: tuple[str, str]  # the channel and ts of a guide A's bot shared


def _people(emulator, team_id: str, *user_ids: str) -> None:
    """Make these people members of a workspace, as `users.info` tells it."""
    for user_id in user_ids:
        emulator.users[user_id] = {**_default_user(user_id), "team_id": team_id}


def _click(served, side, action_id: str, value: str, user_id: str = ME, **where) -> None:
    side.click(
        action_id, value, user_id=user_id, response_url=served.emulator.response_url(), **where
    )


def _name_reports(served, side, manager: str, report: str) -> None:
    """A manager names a report on /learn team, and the report confirms."""
    side.command(Command.LEARN, f"team <@{report}>", user_id=manager)
    with served.session() as session:
        link = session.scalar(
            select(ManagerReport.id).where(
                ManagerReport.manager_id == manager, ManagerReport.report_id == report
            )
        )
    _click(served, side, TeamAction.CONFIRM, str(link), user_id=report)


def _latest(served, column, *where):
    with served.session() as session:
        return session.scalar(select(func.max(column)).where(*where))


def _reaction(user_id: str, channel: str, ts: str) -> dict:
    return {
        "type": "reaction_added",
        "user": user_id,
        "reaction": "thumbsup",
        "item_user": BOT_USER_ID,
        "item": {"type": "message", "channel": channel, "ts": ts},
        "event_ts": "1700000500.000100",
    }


def _moment_form(colleague: str, what: str) -> dict:
    return {
        Field.WHAT_HAPPENED: {"type": "plain_text_input", "value": what},
        Field.COLLEAGUE: {"type": "users_select", "selected_user": colleague},
        Field.WHEN: {"type": "radio_buttons", "selected_option": {"value": "now"}},
    }


def _answer_moment(served, side, moment_id: int, action: str = MomentAction.YES) -> None:
    """The colleague's answer, pressed on the message that asked them."""
    with served.session() as session:
        moment = session.get(MistakeMoment, moment_id)
    side.click(
        action,
        str(moment_id),
        user_id=COLLEAGUE_A,
        channel_id=moment.colleague_dm_channel_id,
        message_ts=moment.colleague_message_ts,
        response_url=served.emulator.response_url(),
    )


def _answer_debrief(side, debrief_id: int, user_id: str, worked: str):
    return side.submit(
        View.DEBRIEF,
        {"worked": {"type": "plain_text_input", "value": worked}},
        user_id=user_id,
        private_metadata=json.dumps({"d": debrief_id}),
    )


def a_month(two_workspaces) -> MonthInA:
    """Everything inflow offers, used in A through Slack as its people would."""
    served, a = two_workspaces.served, two_workspaces.a
    _people(served.emulator, TEAM_A, ME, SPONSOR_A, COLLEAGUE_A, BOSS_A, REPORT_A, *A_PEOPLE)
    _people(served.emulator, TEAM_B, SPONSOR_B, PEER_B, BOSS_B, REPORT_B)

    for person in A_PEOPLE:
        a.command(Command.LEARN, "how to take criticism", user_id=person)
        _click(served, a, Action.HELPFUL, state(RATED_IN_A), person)
        a.command(Command.LEARN, GAP_IN_A, user_id=person)
    a.command(Command.LEARN, "sbi", user_id=ME)
    _click(served, a, Action.SHARE_GUIDE, state("premortem"), channel_id=A_CHANNEL)
    with served.session() as session:
        shared = session.execute(select(GuideMessage.channel_id, GuideMessage.message_ts)).one()
    a.event(_reaction(A_PEOPLE[0], *shared))

    a.command(Command.SPOT, f"<@{ME}> {NOTE_FOR_ME}", user_id=A_PEOPLE[0])
    a.command(Command.SPOT, f"<@{SPONSOR_A}> {NOTE_BY_ME}", user_id=ME)
    a.command(Command.PITCH, f"{IDEA_IN_A} <@{SPONSOR_A}>", user_id=ME)

    a.submit(View.MISTAKE_MOMENT, _moment_form(COLLEAGUE_A, MOMENT_IN_A), user_id=ME)
    moment = _latest(served, MistakeMoment.id)
    _answer_moment(served, a, moment)
    a.submit(
        View.LESSON,
        {Field.LESSON: {"type": "plain_text_input", "value": LESSON_IN_A}},
        user_id=ME,
        private_metadata=json.dumps({"moment": moment}),
    )

    a.command(Command.DEBRIEF, CLOSED_TOPIC, user_id=ME, channel_id=A_CHANNEL)
    closed = _latest(served, Debrief.id)
    for person in A_PEOPLE:
        _answer_debrief(a, closed, person, ANSWER_IN_A)
    _click(served, a, DebriefAction.SUMMARY, str(closed), channel_id=A_CHANNEL)
    a.command(Command.DEBRIEF, OPEN_TOPIC, user_id=ME, channel_id=A_CHANNEL)
    still_open = _latest(served, Debrief.id)
    _answer_debrief(a, still_open, ME, ANSWER_IN_A)

    _name_reports(served, a, ME, REPORT_A)
    _name_reports(served, a, BOSS_A, ME)
    a.interaction(
        {
            "type": "block_actions",
            "user": {"id": ME, "team_id": TEAM_A},
            "view": {"id": "V0HOME", "type": "home", "team_id": TEAM_A},
            "actions": [
                {
                    "action_id": HomeAction.TIME,
                    "selected_option": {"value": "08:00"},
                    "action_ts": "1",
                }
            ],
        }
    )
    a.event(
        {
            "type": "message",
            "text": OFFERED,
            "user": ME,
            "ts": "1700000000.000100",
            "channel": A_CHANNEL,
            "channel_type": "channel",
        }
    )
    served.settle()

    month = MonthInA(
        idea=_latest(served, Idea.id),
        moment=moment,
        closed_debrief=closed,
        open_debrief=still_open,
        strength=_latest(served, Strength.id, Strength.giver_id == ME),
        offer=_latest(served, SuggestionOffer.id),
        shared=tuple(shared),
    )
    assert None not in (month.idea, month.moment, month.strength, month.offer), month
    served.emulator.reset_calls()
    return month


@pytest.fixture
def month(two_workspaces) -> MonthInA:
    return a_month(two_workspaces)


def _sent_into(emulator, team_id: str) -> list:
    """The Web API calls made with this workspace's token."""
    return [call for call in emulator.calls if emulator.team_of(call) == team_id]


def _told(emulator, count: int = 1) -> str:
    """The `count`th thing the person was told through a response URL."""
    return emulator.wait_for_responses(count)[count - 1][1].get("text", "")


def _home(served, side, user_id: str = ME) -> dict:
    served.emulator.reset_calls()
    side.event({"type": "app_home_opened", "user": user_id, "tab": "home", "event_ts": "1.2"})
    [published] = served.emulator.calls_to("views.publish")
    return published.json_arg("view")


def _report(side) -> dict:
    return side.command(Command.LEARN, "report", user_id=ADMIN).json()


def _shown(answer: dict) -> str:
    return json.dumps(answer, ensure_ascii=False)


def _best_answer(side, words: str) -> str:
    return side.command(Command.LEARN, words, user_id=ME).json()["blocks"][0]["text"]["text"]


# -- ratings -------------------------------------------------------------------------------------


def test_votes_in_one_workspace_are_kept_as_its_own(two_workspaces, month):
    with two_workspaces.served.session() as session:
        voted_in = session.scalars(select(Rating.team_id).distinct()).all()
        in_b = ratings_by_guide(session, TEAM_B)
        in_a = ratings_by_guide(session, TEAM_A)

    assert voted_in == [TEAM_A]
    assert in_a == {RATED_IN_A: (6, 0), "premortem": (1, 0)}
    assert in_b == {}


QUESTIONS = ("feedback from my boss", "handle feedback", "i got feedback")


def _answers(side) -> list[list[dict]]:
    return [side.command(Command.LEARN, q, user_id=ME).json()["blocks"] for q in QUESTIONS]


def test_votes_in_one_workspace_do_not_reorder_the_others_answers(two_workspaces, month):
    served = two_workspaces.served
    library = Library(load_guides(served.settings.content_dir))
    with served.session() as session:
        votes_a, votes_b = ratings_by_guide(session, TEAM_A), ratings_by_guide(session, TEAM_B)

    def scores(votes) -> list[list[float]]:
        return [[m.score for m in library.search(q, ratings=votes).matches] for q in QUESTIONS]

    # A's votes move A's scores; B has none of them, and answers as a library nobody rated.
    assert scores(votes_a) != scores({})
    assert votes_b == {} and scores(votes_b) == scores({})
    before = _answers(two_workspaces.b)
    _click(served, two_workspaces.a, Action.HELPFUL, state(RATED_IN_A), A_PEOPLE[1])
    assert _answers(two_workspaces.b) == before


def test_a_reaction_on_the_others_shared_guide_counts_nowhere(two_workspaces, month):
    served = two_workspaces.served
    two_workspaces.b.event(_reaction(PEER_B, *month.shared))

    with served.session() as session:
        assert session.scalar(select(func.count()).select_from(Rating)) == 7
        assert ratings_by_guide(session, TEAM_B) == {}


# -- what each workspace is shown ---------------------------------------------------------------


def test_the_report_of_one_workspace_shows_nothing_of_the_other(two_workspaces):
    before = _report(two_workspaces.b)

    a_month(two_workspaces)

    assert _report(two_workspaces.b) == before
    in_a = _shown(_report(two_workspaces.a))
    for seen in ("Receiving tough feedback", GAP_IN_A, CLOSED_TOPIC, "pairing on the release"):
        assert seen in in_a


def test_the_home_tab_in_one_workspace_shows_nothing_of_the_other(two_workspaces):
    served, a, b = two_workspaces.served, two_workspaces.a, two_workspaces.b
    before = _home(served, b)

    a_month(two_workspaces)

    assert _home(served, b) == before
    in_a = _shown(_home(served, a))
    for seen in ("calm the night shift", IDEA_IN_A, LESSON_IN_A, REPORT_A, BOSS_A, "08:00"):
        assert seen in in_a


def test_reports_named_in_one_workspace_are_not_listed_in_the_other(two_workspaces, month):
    in_a = two_workspaces.a.command(Command.LEARN, "team", user_id=ME).json()["text"]
    in_b = two_workspaces.b.command(Command.LEARN, "team", user_id=ME).json()["text"]

    assert REPORT_A in in_a
    assert in_b.startswith("You haven't named your reports yet")


def test_nudges_go_with_each_workspaces_own_token_to_its_own_people(two_workspaces, month, clock):
    served, b = two_workspaces.served, two_workspaces.b
    _name_reports(served, b, ME, REPORT_B)
    _name_reports(served, b, BOSS_B, ME)
    served.emulator.reset_calls()

    run_once(served.sessions, served.workspaces.for_a_pass(), now=clock.now, worker="w")
    with served.session() as session:
        due = sorted(set(session.scalars(select(OutboxMessage.due_at))))
    for now in due:
        run_once(served.sessions, served.workspaces.for_a_pass(), now=now, worker="w")

    emulator = served.emulator
    people = {
        TEAM_A: {ME, SPONSOR_A, COLLEAGUE_A, BOSS_A, REPORT_A, *A_PEOPLE},
        TEAM_B: {ME, SPONSOR_B, PEER_B, BOSS_B, REPORT_B},
    }
    opened = {
        (emulator.team_of(c), c.args["users"]) for c in emulator.calls_to("conversations.open")
    }
    looked_up = {(emulator.team_of(c), c.args["user"]) for c in emulator.calls_to("users.info")}
    assert {(TEAM_A, ME), (TEAM_B, ME), (TEAM_B, BOSS_B)} <= opened
    for team, user in opened | looked_up:
        assert user in people[team], (team, user)
    posted = {TEAM_A: "", TEAM_B: ""}
    for call in emulator.calls_to("chat.postMessage"):
        posted[emulator.team_of(call)] += json.dumps(call.args)
    assert IDEA_IN_A in posted[TEAM_A] and REPORT_B in posted[TEAM_B]
    for user in people[TEAM_B] - people[TEAM_A]:
        assert user not in posted[TEAM_A]
    for user in people[TEAM_A] - people[TEAM_B]:
        assert user not in posted[TEAM_B]
    assert A_ONLY not in posted[TEAM_B]


# -- B's requests carrying A's ids ---------------------------------------------------------------


def test_another_workspaces_idea_cannot_be_moved(two_workspaces, month):
    served, b = two_workspaces.served, two_workspaces.b
    with served.session() as session:
        idea = session.get(Idea, month.idea)

    _click(served, b, IdeaAction.ADVANCE, move_value(idea, Stage.PROTOTYPE), SPONSOR_A)
    said = _told(served.emulator)
    refused = b.submit(
        View.IDEA_STAGE,
        {Field.ANSWER: {"type": "plain_text_input", "value": "moved from B"}},
        user_id=SPONSOR_A,
        private_metadata=json.dumps({"i": month.idea, "from": "pitch", "to": "prototype"}),
    ).json()

    assert said == "That idea is no longer here."
    assert refused["errors"] == {Field.ANSWER: "That idea is no longer here."}
    with served.session() as session:
        assert session.get(Idea, month.idea).stage == "pitch"
        assert session.scalar(select(func.count()).select_from(IdeaStep)) == 1
    assert served.emulator.calls_to("views.open") == []
    assert _sent_into(served.emulator, TEAM_A) == []


def test_another_workspaces_mistake_moment_cannot_be_answered(two_workspaces, month):
    served, a, b = two_workspaces.served, two_workspaces.a, two_workspaces.b
    a.submit(View.MISTAKE_MOMENT, _moment_form(COLLEAGUE_A, MOMENT_IN_A), user_id=ME)
    asked = _latest(served, MistakeMoment.id)
    served.emulator.reset_calls()

    _answer_moment(served, b, asked)

    assert _told(served.emulator) == "That mistake moment is no longer here."
    with served.session() as session:
        assert session.get(MistakeMoment, asked).status == "asked"
    assert served.emulator.calls_to("conversations.open") == []
    assert _sent_into(served.emulator, TEAM_A) == []


def test_another_workspaces_lesson_cannot_be_opened_or_written(two_workspaces, month):
    served, b = two_workspaces.served, two_workspaces.b

    _click(served, b, MomentAction.WRITE_LESSON, str(month.moment))
    said = _told(served.emulator)
    refused = b.submit(
        View.LESSON,
        {Field.LESSON: {"type": "plain_text_input", "value": "written from B"}},
        user_id=ME,
        private_metadata=json.dumps({"moment": month.moment}),
    ).json()

    assert said == "That mistake moment is no longer here."
    assert refused["errors"] == {Field.LESSON: "That mistake moment is no longer here."}
    with served.session() as session:
        assert session.get(MistakeMoment, month.moment).lesson == LESSON_IN_A
    assert served.emulator.calls_to("views.open") == []
    assert _sent_into(served.emulator, TEAM_A) == []


def test_another_workspaces_debrief_cannot_be_answered_or_summed_up(two_workspaces, month):
    served, b = two_workspaces.served, two_workspaces.b

    _click(served, b, DebriefAction.ANSWER, str(month.open_debrief), channel_id=B_CHANNEL)
    opened = _told(served.emulator)
    refused = _answer_debrief(b, month.open_debrief, PEER_B, "answered from B").json()
    _click(served, b, DebriefAction.SUMMARY, str(month.open_debrief), channel_id=B_CHANNEL)
    summed = _told(served.emulator, 2)

    assert opened == summed == "That debrief is no longer here."
    assert refused["errors"] == {"happened": "That debrief is no longer here."}
    with served.session() as session:
        debrief = session.get(Debrief, month.open_debrief)
        answered = session.scalars(
            select(DebriefAnswer.user_id).where(DebriefAnswer.debrief_id == debrief.id)
        ).all()
    assert (debrief.closed_at, debrief.summary_ts, answered) == (None, None, [ME])
    assert served.emulator.calls_to("views.open") == []
    assert _sent_into(served.emulator, TEAM_A) == []


def test_another_workspaces_note_cannot_be_posted(two_workspaces, month):
    served, b = two_workspaces.served, two_workspaces.b

    _click(served, b, SpotAction.POST_HERE, str(month.strength), channel_id=B_CHANNEL)

    assert _told(served.emulator) == "That note is no longer here."
    with served.session() as session:
        assert session.get(Strength, month.strength).posted_channel_id is None
    assert served.emulator.calls_to("chat.postMessage") == []


def test_a_note_cannot_be_sent_to_someone_of_another_workspace(two_workspaces, month):
    served, b = two_workspaces.served, two_workspaces.b
    draft = json.dumps({"r": SPONSOR_A, "n": "great job!"})

    _click(served, b, SpotAction.SEND_ANYWAY, draft, PEER_B)

    assert _told(served.emulator) == "Pick someone from this workspace."
    with served.session() as session:
        assert session.scalar(select(func.count()).where(Strength.team_id == TEAM_B)) == 0
    assert served.emulator.calls_to("chat.postMessage") == []


def test_another_workspaces_nudge_cannot_be_snoozed(two_workspaces, month, clock):
    served, b = two_workspaces.served, two_workspaces.b
    key = "follow_ups/guide:sbi-feedback/2026-W48"
    with transaction(served.sessions) as session:
        outbox.enqueue(
            session,
            team_id=TEAM_A,
            recipient=ME,
            kind="follow_ups",
            subject="guide:sbi-feedback",
            occurrence="2026-W48",
            due_at=clock.now,
            message={"text": f"{A_ONLY}: did you get to use it?"},
        )

    b.click(
        NudgeAction.SNOOZE,
        "",
        user_id=ME,
        selected=f"{SNOOZE_TOMORROW}|{key}",
        response_url=served.emulator.response_url(),
    )

    assert _told(served.emulator).startswith("That nudge is no longer planned")
    with served.session() as session:
        planned = session.scalars(
            select(OutboxMessage.occurrence).where(OutboxMessage.kind == "follow_ups")
        ).all()
    assert planned == ["2026-W48"]
    assert _sent_into(served.emulator, TEAM_A) == []


def test_another_workspaces_offer_cannot_be_answered(two_workspaces, month):
    served, b = two_workspaces.served, two_workspaces.b

    _click(served, b, SuggestAction.NOT_NOW, offer_value(month.offer, "running-a-retrospective"))

    with served.session() as session:
        assert session.get(SuggestionOffer, month.offer).outcome == "offered"
    assert _sent_into(served.emulator, TEAM_A) == []


# -- a person's own data ----------------------------------------------------------------------


def _b_month(two_workspaces) -> None:
    """ME's own use of inflow in B."""
    b = two_workspaces.b
    b.command(Command.LEARN, "sbi", user_id=ME)
    b.command(Command.PITCH, f"B-only: a glossary for new starters <@{SPONSOR_B}>", user_id=ME)
    b.command(Command.SPOT, f"<@{PEER_B}> B-only: {NOTE_BY_ME}", user_id=ME)


def _my_data(served, side) -> dict:
    served.emulator.reset_calls()
    side.command(Command.LEARN, "my-data", user_id=ME)
    served.settle()  # the file goes after the answer
    [upload] = served.emulator.calls_to("upload")
    return json.loads(upload.args["bytes"])


def test_my_data_in_one_workspace_holds_nothing_from_the_other(two_workspaces, month):
    served = two_workspaces.served
    _b_month(two_workspaces)

    in_b = _my_data(served, two_workspaces.b)
    in_a = _my_data(served, two_workspaces.a)

    shown_in_b = json.dumps(in_b)
    assert "B-only" in shown_in_b
    for private in (A_ONLY, "calm the night shift", OPEN_TOPIC, REPORT_A, BOSS_A):
        assert private not in shown_in_b
        assert private in json.dumps(in_a)
    assert "B-only" not in json.dumps(in_a)


def test_forget_me_in_one_workspace_leaves_the_other_untouched(two_workspaces, month, clock):
    served, b = two_workspaces.served, two_workspaces.b
    _b_month(two_workspaces)
    with served.session() as session:
        kept = privacy.export(session, team_id=TEAM_A, user_id=ME, now=clock.now)

    b.command(Command.LEARN, "forget-me", user_id=ME)
    _click(served, b, PrivacyAction.FORGET_ME, "forget")
    served.emulator.wait_for_responses(1)

    with served.session() as session:
        assert privacy.export(session, team_id=TEAM_A, user_id=ME, now=clock.now) == kept
        gone = privacy.export(session, team_id=TEAM_B, user_id=ME, now=clock.now)
    assert gone["ideas"]["yours"] == [] and gone["strengths"]["given"] == []


# -- the workspace a request was authorised for ------------------------------------------------


def _delivered_to_b_from_a(two_workspaces, event: dict) -> None:
    """An event in a channel A shares with B, delivered to B's installation: Slack names A as
    the workspace it happened in, and authorises it for B (B's token answers it)."""
    shared = {**event, "team": TEAM_A}
    two_workspaces.b.event(shared, team_id=TEAM_A, event_id=f"Ev0SHARED{event['type']}")


def test_an_event_in_a_shared_channel_acts_on_the_workspace_it_was_delivered_to(
    two_workspaces, month
):
    served = two_workspaces.served

    _delivered_to_b_from_a(two_workspaces, _reaction(PEER_B, *month.shared))

    with served.session() as session:
        assert session.scalar(select(func.count()).select_from(Rating)) == 7


def test_a_mention_in_a_shared_channel_is_answered_as_the_workspace_it_was_delivered_to(
    two_workspaces, month
):
    served = two_workspaces.served
    mention = {
        "type": "app_mention",
        "user": ME,
        "text": "<@U0BBBBBBBBOT> feedback from my boss",
        "ts": "1700000100.000100",
        "channel": A_CHANNEL,
    }

    _delivered_to_b_from_a(two_workspaces, mention)
    served.settle()

    [answer] = served.emulator.calls_to("chat.postMessage")
    assert served.emulator.team_of(answer) == TEAM_B
    # A's votes do not count: B is unsure where A would answer (the test above)
    assert answer.args["text"] == "Is it one of these?"
    with served.session() as session:
        asked_in = session.scalars(
            select(GuideEvent.team_id).where(
                GuideEvent.user_id == ME, GuideEvent.query.is_not(None)
            )
        ).all()
    assert sorted(asked_in) == [TEAM_A]  # `/learn sbi` in A; choices record no view


def test_a_home_tab_delivered_to_one_workspace_shows_that_workspaces_home(two_workspaces, month):
    served = two_workspaces.served
    home = {"type": "app_home_opened", "user": ME, "tab": "home", "event_ts": "1.2"}

    _delivered_to_b_from_a(two_workspaces, home)

    [published] = served.emulator.calls_to("views.publish")
    assert served.emulator.team_of(published) == TEAM_B
    assert "calm the night shift" not in json.dumps(published.json_arg("view"))


def test_an_uninstall_delivered_to_one_workspace_stops_only_that_one(two_workspaces, month):
    served = two_workspaces.served

    _delivered_to_b_from_a(two_workspaces, {"type": "app_uninstalled"})

    with served.session() as session:
        statuses = dict(
            session.execute(select(WorkspaceRecord.team_id, WorkspaceRecord.status)).all()
        )
    assert statuses == {TEAM_A: "active", TEAM_B: "uninstalled"}


def test_a_form_of_one_workspaces_install_acts_on_that_workspace(two_workspaces, month):
    """A modal opened through A's installation (from a channel shared with B) is answered with
    A's token, so it acts on A's data, whoever submits it."""
    served, b = two_workspaces.served, two_workspaces.b
    b.command(Command.PITCH, f"B-only: a glossary for new starters <@{SPONSOR_B}>", user_id=ME)
    b_idea = _latest(served, Idea.id, Idea.team_id == TEAM_B)
    served.emulator.reset_calls()

    reply = b.interaction(
        {
            "type": "view_submission",
            "user": {"id": SPONSOR_B, "team_id": TEAM_B},
            "view": {
                "id": "V0MODAL01",
                "type": "modal",
                "team_id": TEAM_B,
                "app_installed_team_id": TEAM_A,
                "callback_id": View.IDEA_STAGE,
                "private_metadata": json.dumps({"i": b_idea, "from": "pitch", "to": "prototype"}),
                "state": {
                    "values": {Field.ANSWER: {"value": {"type": "plain_text_input", "value": "x"}}}
                },
            },
        }
    )

    with served.session() as session:
        assert session.get(Idea, b_idea).stage == "pitch"
    assert _sent_into(served.emulator, TEAM_A) == []
    assert reply.json()["errors"] == {Field.ANSWER: "That idea is no longer here."}


# -- what the deliverer records ----------------------------------------------------------------


def test_an_invitation_sent_in_one_workspace_never_marks_the_others_debrief(
    two_workspaces, month, clock
):
    served = two_workspaces.served
    with served.session() as session:
        posted_in_a = session.get(Debrief, month.open_debrief).message_ts
    with transaction(served.sessions) as session:
        # B's row naming A's debrief: only a bug could plan it, and then it must change nothing
        outbox.enqueue(
            session,
            team_id=TEAM_B,
            recipient=B_CHANNEL,
            kind="debrief",
            subject="schedule:1",
            occurrence="2026-11-23",
            due_at=clock.now,
            message={"text": "Time for our debrief", "_debrief_id": month.open_debrief},
        )

    _, delivered = run_once(
        served.sessions, served.workspaces.for_a_pass(), now=clock.now, worker="w"
    )

    assert delivered.sent == 1
    with served.session() as session:
        assert session.get(Debrief, month.open_debrief).message_ts == posted_in_a
