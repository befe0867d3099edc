"""People's control over their data, end to end: `/learn my-data` sends a copy of everything
inflow holds about them; `/learn forget-me`, once confirmed, leaves no trace of them."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter

import pytest
from sqlalchemy import String, func, select

from bot.db import make_sessionmaker, transaction
from bot.emulator import BOT_USER_ID, TEAM_ID
from bot.models import (
    Base,
    Debrief,
    DebriefAnswer,
    GuideMessage,
    GuideOutcome,
    Idea,
    IdeaStep,
    ManagerReport,
    MistakeMoment,
    OutboxMessage,
    Person,
    PracticeEnrolment,
    PracticeStep,
    Strength,
    SuggestionOffer,
    SuggestionOptOut,
    WorkspaceRecord,
)
from bot.services import library, outbox, privacy
from bot.services.ideas import Stage
from bot.services.outbox import OutboxStatus
from bot.slack import nudges
from bot.slack import privacy as privacy_blocks
from bot.slack.guides import state
from bot.slack.ids import (
    Action,
    Command,
    Field,
    FollowUpAction,
    HomeAction,
    NudgeAction,
    PrivacyAction,
    View,
)
from bot.slack.text import mention

ME, PEER, BOSS = "U0ASKER01", "U0PEER001", "U0BOSS001"
OFFERED_TO_ME = "running the sprint retro tomorrow, first time. anyone got a format that works?"
CHANNEL = "C0GENERAL"
MY_MOMENT, MY_LESSON = "I sent the invoice run twice", "Check the batch log before rerunning"
PEER_MOMENT, PEER_LESSON = "I deleted the shared calendar", "PEER-ONLY: export before cleaning up"
MY_IDEA, PEER_IDEA = "A shared glossary for new starters", "Quiet hours on Thursdays"
MY_NOTE = "I see you at your best when you walk a new colleague through the rota patiently"
PEER_NOTE = "I see you at your best when you calm an angry caller and find the real problem"
PEER_TO_BOSS = "I see you at your best when you explain the budget so everyone understands it"
MY_COMMITMENT = "My handover with the night shift on Thursday"
MY_DEBRIEF, PEER_DEBRIEF = "the handover notes were late", "PEER-ONLY: the rota changed twice"


# -- the world: two colleagues and a manager who have used every part of inflow ------------------


def _moment(served, author: str, colleague: str, what: str, lesson: str) -> None:
    served.slack.submit(
        View.MISTAKE_MOMENT,
        {
            Field.WHAT_HAPPENED: {"type": "plain_text_input", "value": what},
            Field.COLLEAGUE: {"type": "users_select", "selected_user": colleague},
            Field.WHEN: {"type": "radio_buttons", "selected_option": {"value": "now"}},
        },
        user_id=author,
    )
    with served.session() as session:
        moment_id = session.scalar(
            select(func.max(MistakeMoment.id)).where(MistakeMoment.author_id == author)
        )
    served.slack.submit(
        View.LESSON,
        {Field.LESSON: {"type": "plain_text_input", "value": lesson}},
        user_id=author,
        private_metadata=json.dumps({"moment": moment_id}),
    )


def _reaction(user: str, channel: str, ts: str) -> dict:
    return {
        "type": "reaction_added",
        "user": user,
        "reaction": "thumbsup",
        "item_user": BOT_USER_ID,
        "item": {"type": "message", "channel": channel, "ts": ts},
        "event_ts": "1700000500.000100",
    }


def _click(served, action_id: str, value: str, user: str = ME) -> None:
    served.slack.click(action_id, value, user_id=user, response_url=served.emulator.response_url())


def _answer_debrief(served, user: str, happened: str) -> None:
    with served.session() as session:
        debrief_id = session.scalar(select(Debrief.id))
    served.slack.submit(
        View.DEBRIEF,
        {"happened": {"type": "plain_text_input", "value": happened}},
        user_id=user,
        private_metadata=json.dumps({"d": debrief_id}),
    )


@pytest.fixture
def world(served, clock):
    """ME and PEER have each done everything inflow offers, much of it with each other."""
    slack = served.slack
    slack.command(Command.LEARN, "sbi")  # a guide viewed, with the words searched
    slack.command(Command.LEARN, "wifi password")  # a content gap
    for person in (ME, PEER):
        _click(served, Action.HELPFUL, state("five-whys"), person)
        _click(served, FollowUpAction.HELPED, "sbi-feedback", person)
    _click(served, Action.SHARE_GUIDE, state("premortem"))
    for person in (ME, PEER):
        slack.event(_reaction(person, CHANNEL, _shared_ts(served)))

    slack.command(Command.SPOT, f"<@{PEER}> {MY_NOTE}", user_id=ME)
    slack.command(Command.SPOT, f"<@{ME}> {PEER_NOTE}", user_id=PEER)
    slack.command(Command.SPOT, f"<@{BOSS}> {PEER_TO_BOSS}", user_id=PEER)

    slack.command(Command.PITCH, f"{MY_IDEA} <@{PEER}>", user_id=ME)
    slack.command(Command.PITCH, f"{PEER_IDEA} <@{ME}>", user_id=PEER)
    with served.session() as session:
        peer_idea = session.scalar(select(Idea).where(Idea.author_id == PEER))
    slack.submit(
        View.IDEA_STAGE,
        {Field.ANSWER: {"type": "plain_text_input", "value": "Try it with one team first"}},
        user_id=ME,
        private_metadata=json.dumps({"i": peer_idea.id, "from": "pitch", "to": "prototype"}),
    )

    _moment(served, ME, PEER, MY_MOMENT, MY_LESSON)
    _moment(served, PEER, ME, PEER_MOMENT, PEER_LESSON)

    slack.command(Command.DEBRIEF, "launch week", user_id=ME)
    _answer_debrief(served, ME, MY_DEBRIEF)
    _answer_debrief(served, PEER, PEER_DEBRIEF)
    slack.command(Command.DEBRIEF, "weekly", user_id=ME)

    slack.command(Command.LEARN, f"team <@{ME}> <@{PEER}>", user_id=BOSS)
    slack.command(Command.LEARN, f"team <@{PEER}>", user_id=ME)
    slack.interaction(
        {
            "type": "block_actions",
            "user": {"id": ME, "team_id": TEAM_ID},
            "view": {"id": "V0HOME", "type": "home", "team_id": TEAM_ID},
            "actions": [
                {
                    "action_id": HomeAction.TIME,
                    "selected_option": {"value": "08:00"},
                    "action_ts": "1.2",
                }
            ],
        }
    )
    _click(served, NudgeAction.NOT_USEFUL, "follow_ups/guide:sbi-feedback/2026-W48")

    # A practice path: ME on one with a commitment; PEER invited (by ME) to it.
    slack.command(Command.LEARN, "practice giving-feedback", user_id=ME)
    with served.session() as session:
        step_id = session.scalar(select(PracticeStep.id).where(PracticeStep.week == 1))
    slack.submit(
        View.PRACTICE_COMMITMENT,
        {Field.COMMITMENT: {"type": "plain_text_input", "value": MY_COMMITMENT}},
        user_id=ME,
        private_metadata=str(step_id),
    )
    with transaction(served.sessions) as session:
        session.add(
            PracticeEnrolment(
                team_id=TEAM_ID,
                user_id=PEER,
                path_id="giving-feedback",
                path_version="v1",
                status="invited",
                invited_by=ME,
                invited_at=dt.datetime(2026, 11, 20, tzinfo=dt.UTC),
            )
        )

    # In a channel: an offer to ME, then ME stops offers for themselves and for the channel
    # (ME created it, so may), and PEER gets an offer too.
    served.emulator.channels[CHANNEL] = {"id": CHANNEL, "creator": ME}
    for n, person in enumerate((ME, PEER)):
        slack.event(
            {
                "type": "message",
                "text": OFFERED_TO_ME,
                "user": person,
                "ts": f"1700000000.00010{n}",
                "team": TEAM_ID,
                "channel": CHANNEL,
                "channel_type": "channel",
            }
        )
    served.settle()
    slack.command(Command.LEARN, "suggestions off", user_id=ME)
    slack.command(Command.LEARN, "suggestions off here", user_id=ME)
    with served.session() as session:
        assert session.scalar(select(func.count()).select_from(SuggestionOffer)) == 2
        assert session.scalar(select(func.count()).select_from(SuggestionOptOut)) == 2

    # What the planner and the deliverer would have left: a nudge sent to ME, and to BOSS a
    # coaching question about ME, one sent and one still planned; profiles read from Slack.
    with transaction(make_sessionmaker(served.engine)) as session:
        question = nudges.coaching_question("grow-coaching", "GROW", "What would good be?", ME)
        for user, subject, week in (
            (ME, "guide:sbi-feedback", "2026-W48"),
            (BOSS, "coaching-question", "2026-W48"),
            (BOSS, "coaching-question", "2026-W49"),
        ):
            outbox.enqueue(
                session,
                team_id=TEAM_ID,
                recipient=user,
                kind="follow_ups" if user == ME else "coaching",
                subject=subject,
                occurrence=week,
                due_at=clock.now,
                message=question if user == BOSS else {"text": "Did you get to use it?"},
            )
        sent = select(OutboxMessage).where(OutboxMessage.occurrence == "2026-W48")
        for row in session.scalars(sent):
            row.status, row.sent_at = OutboxStatus.SENT.value, clock.now
        for person in (ME, PEER):
            session.add(
                Person(team_id=TEAM_ID, user_id=person, tz="Europe/Oslo", fetched_at=clock.now)
            )
    served.emulator.reset()


def _shared_ts(served) -> str:
    with served.session() as session:
        return session.scalar(select(GuideMessage.message_ts))


# -- looking at the database -----------------------------------------------------------------


def _text_columns():
    """Every String and Text column of every table (Text is a String)."""
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, String):
                yield table, column


def _holding(served, user_id: str) -> list[str]:
    """Every `table.column` where some row of this workspace still holds the user id."""
    found = []
    with served.session() as session:
        for table, column in _text_columns():
            where = [column.contains(user_id)]
            if "team_id" in table.columns:
                where.append(table.c.team_id == TEAM_ID)
            if session.scalar(select(func.count()).select_from(table).where(*where)):
                found.append(f"{table.name}.{column.name}")
    return found


def _row_counts(served) -> dict[str, int]:
    """Rows per table, but for the signatures every signed request leaves (nobody's data)."""
    with served.session() as session:
        return {
            table.name: session.scalar(select(func.count()).select_from(table))
            for table in Base.metadata.sorted_tables
            if table.name != "accepted_signatures"
        }


def _my_data(served, user_id: str = ME) -> tuple[dict, dict]:
    """(the ack of `/learn my-data`, the JSON file that was uploaded)."""
    ack = served.slack.command(Command.LEARN, "my-data", user_id=user_id).json()
    served.settle()  # the file goes after the answer
    [upload] = served.emulator.calls_to("upload")
    return ack, json.loads(upload.args["bytes"])


def _forget_me(served, user_id: str = ME) -> dict:
    """`/learn forget-me`, then the danger button pressed (after Slack's confirm dialog)."""
    served.slack.command(Command.LEARN, "forget-me", user_id=user_id)
    _click(served, PrivacyAction.FORGET_ME, "forget", user_id)
    [(_, said)] = served.emulator.wait_for_responses(1)
    return said


# -- /learn my-data --------------------------------------------------------------------------


def test_my_data_arrives_as_one_json_file_in_the_persons_dm(served, world):
    ack, _ = _my_data(served)

    assert ack == {"response_type": "ephemeral", "text": "Your data is on its way in a DM."}
    [opened] = served.emulator.calls_to("conversations.open")
    assert opened.args["users"] == ME
    [asked] = served.emulator.calls_to("files.getUploadURLExternal")
    assert asked.args["filename"] == "inflow-my-data-2026-11-23.json"
    [completed] = served.emulator.calls_to("files.completeUploadExternal")
    assert completed.args["channel_id"].startswith("D")
    [upload] = served.emulator.calls_to("upload")
    file_id = upload.args["path"].rsplit("/", 1)[1]
    assert [f["id"] for f in completed.json_arg("files")] == [file_id]


def test_my_data_holds_the_persons_records_in_every_area(served, world):
    _, data = _my_data(served)

    assert data["about"] == {
        "workspace": TEAM_ID,
        "person": ME,
        "exported_at": "2026-11-23T09:30:00+00:00",
        "times": "ISO 8601, UTC",
    }
    guides = data["guides"]
    assert [(e["guide_id"], e["what"], e["query"]) for e in guides["viewed_and_shared"]] == [
        ("sbi-feedback", "view", "sbi"),
        ("premortem", "share", None),
    ]
    assert [m["guide_id"] for m in guides["shared_in_channels"]] == ["premortem"]
    assert [(r["guide_id"], r["vote"]) for r in guides["ratings"]] == [
        ("five-whys", "helpful"),
        ("premortem", "helpful"),
    ]
    assert [r["guide_id"] for r in guides["reactions_on_shared_guides"]] == ["premortem"]
    assert [(o["guide_id"], o["outcome"]) for o in guides["outcomes"]] == [
        ("sbi-feedback", "helped")
    ]
    assert [g["query"] for g in guides["not_found_queries"]] == ["wifi password"]

    [mine] = data["mistake_moments"]["yours"]
    assert (mine["what_happened"], mine["lesson"], mine["colleague_id"]) == (
        MY_MOMENT,
        MY_LESSON,
        PEER,
    )
    [asked] = data["mistake_moments"]["you_were_asked_to_talk"]
    assert (asked["author_id"], asked["what_happened"]) == (PEER, PEER_MOMENT)

    assert [(s["from"], s["note"]) for s in data["strengths"]["received"]] == [(PEER, PEER_NOTE)]
    assert [(s["to"], s["note"]) for s in data["strengths"]["given"]] == [(PEER, MY_NOTE)]

    [my_idea] = data["ideas"]["yours"]
    assert (my_idea["title"], my_idea["sponsor_id"]) == (MY_IDEA, PEER)
    [sponsored] = data["ideas"]["you_sponsor"]
    assert [(s["stage"], s["by"]) for s in sponsored["steps"]] == [
        ("pitch", PEER),
        ("prototype", ME),
    ]

    debriefs = data["debriefs"]
    assert [a["happened"] for a in debriefs["your_answers"]] == [MY_DEBRIEF]
    assert [d["topic"] for d in debriefs["you_started"]] == ["launch week"]
    assert [(s["channel_id"], s["every_days"]) for s in debriefs["rhythms_you_set"]] == [
        (CHANNEL, 7)
    ]

    assert data["nudges"]["preferences"]["time"] == "08:00"
    assert data["nudges"]["sent_or_planned"] == [
        {
            "kind": "follow_ups",
            "subject": "guide:sbi-feedback",
            "due_at": "2026-11-23T09:30:00+00:00",
            "sent_at": "2026-11-23T09:30:00+00:00",
            "status": "sent",
        }
    ]
    assert [f["subject"] for f in data["nudges"]["not_useful"]] == ["guide:sbi-feedback"]
    assert [r["report_id"] for r in data["team"]["your_reports"]] == [PEER]
    assert [m["manager_id"] for m in data["team"]["your_managers"]] == [BOSS]
    assert data["profile"]["time_zone"] == "Europe/Oslo"


def test_my_data_holds_practice_paths_with_the_commitment_and_forget_me_deletes_them(served, world):
    _, data = _my_data(served)
    [path] = data["practice"]["yours"]
    assert path["path_id"] == "giving-feedback" and path["steps"][0]["commitment"] == MY_COMMITMENT
    assert data["practice"]["you_invited"][0]["person"] == PEER
    served.emulator.reset_calls()
    _, peer_data = _my_data(served, PEER)
    assert MY_COMMITMENT not in json.dumps(peer_data)

    _forget_me(served)
    with served.session() as session:
        assert session.scalars(select(PracticeStep)).all() == []
        [invited] = session.scalars(select(PracticeEnrolment)).all()
        assert (invited.user_id, invited.invited_by) == (PEER, privacy.FORGOTTEN)


def test_my_data_times_are_iso_8601_in_utc(served, world):
    _, data = _my_data(served)

    def times(value, key=""):
        if isinstance(value, dict):
            for k, v in value.items():
                yield from times(v, k)
        elif isinstance(value, list):
            for item in value:
                yield from times(item, key)
        elif (key in ("at", "since") or key.endswith(("_at", "_on"))) and value is not None:
            yield value

    found = list(times(data))
    assert len(found) > 20
    for value in found:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00", value), value


def test_my_data_leaves_out_other_peoples_private_words(served, world):
    _, data = _my_data(served)

    shown = json.dumps(data, ensure_ascii=False)
    assert PEER_LESSON not in shown  # the lesson of a moment ME was only asked to talk about
    assert PEER_DEBRIEF not in shown  # another person's debrief answers
    assert PEER_TO_BOSS not in shown  # a strength between two other people
    assert "message" not in json.dumps(data["nudges"]["sent_or_planned"])  # no internal fields
    assert "What would good be?" not in shown  # the nudge to BOSS about ME is BOSS's


def test_my_data_for_someone_inflow_knows_nothing_about_still_arrives(served):
    ack, data = _my_data(served, "U0NEWBIE1")

    assert ack["text"] == "Your data is on its way in a DM."
    assert data["about"]["person"] == "U0NEWBIE1"
    assert data["guides"]["ratings"] == [] and data["mistake_moments"]["yours"] == []
    assert data["nudges"]["preferences"] is None and data["profile"] is None


# -- /learn forget-me ------------------------------------------------------------------------


def test_forget_me_says_what_goes_and_asks_before_deleting_anything(served, world):
    before = _row_counts(served)

    answer = served.slack.command(Command.LEARN, "forget-me").json()

    assert answer["response_type"] == "ephemeral"
    shown = json.dumps(answer["blocks"], ensure_ascii=False)
    assert "mistake moments and lessons" in shown and "Kept, without your name" in shown
    [forget] = [
        e
        for b in answer["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == PrivacyAction.FORGET_ME
    ]
    assert forget["style"] == "danger"
    assert forget["confirm"]["style"] == "danger"
    assert forget["confirm"]["confirm"]["text"] == "Delete it all"
    assert _row_counts(served) == before


def test_keeping_my_data_deletes_nothing(served, world):
    before = _row_counts(served)

    served.slack.command(Command.LEARN, "forget-me")
    _click(served, PrivacyAction.KEEP_MY_DATA, "keep")

    [(_, said)] = served.emulator.wait_for_responses(1)
    assert said["text"] == "Nothing was deleted."
    assert _row_counts(served) == before


def test_after_forget_me_no_column_of_any_table_holds_the_person(served, world):
    assert len(_holding(served, ME)) > 20  # the world put them nearly everywhere

    said = _forget_me(served)

    assert said["text"].startswith("Done: inflow deleted ")
    assert said["replace_original"] is True
    assert _holding(served, ME) == []


def test_a_failure_half_way_through_forgetting_deletes_nothing(served, world, monkeypatch):
    before = _row_counts(served)
    broken = privacy.Holding(Person, "no_such_column", privacy.Policy.DELETE)
    monkeypatch.setattr(privacy, "HOLDINGS", (*privacy.HOLDINGS, broken))  # fails last

    said = _forget_me(served)

    assert said["text"].startswith("Sorry, something went wrong on inflow's side")
    assert _row_counts(served) == before


def test_forget_me_leaves_other_people_their_data(served, world):
    held_by_boss = _holding(served, BOSS)

    _forget_me(served)

    with served.session() as session:
        [moment] = session.scalars(select(MistakeMoment))
        assert (moment.author_id, moment.colleague_id, moment.lesson) == (PEER, None, PEER_LESSON)
        [idea] = session.scalars(select(Idea))
        assert (idea.title, idea.author_id, idea.sponsor_id) == (
            PEER_IDEA,
            PEER,
            privacy.FORGOTTEN,
        )
        assert [s.by_user for s in session.scalars(select(IdeaStep))] == [PEER]
        assert [s.note for s in session.scalars(select(Strength))] == [PEER_TO_BOSS]
        assert [a.happened for a in session.scalars(select(DebriefAnswer))] == [PEER_DEBRIEF]
        assert session.scalar(select(Debrief.started_by)) == privacy.FORGOTTEN
        assert [(p.manager_id, p.report_id) for p in session.scalars(select(ManagerReport))] == [
            (BOSS, PEER)
        ]
        assert session.scalars(select(Person.user_id)).all() == [PEER]
    assert _holding(served, PEER) != [] and _holding(served, BOSS) == held_by_boss


def test_forget_me_keeps_ratings_and_outcomes_as_anonymous_counts(served, world):
    with served.session() as session:
        votes = library.ratings_by_guide(session, TEAM_ID)
    assert votes == {"five-whys": (2, 0), "premortem": (2, 0)}

    said = _forget_me(served)

    with served.session() as session:
        assert library.ratings_by_guide(session, TEAM_ID) == votes
        outcomes = session.scalars(select(GuideOutcome.user_id)).all()
    assert sorted(outcomes) == sorted([PEER, privacy.FORGOTTEN])
    assert "Kept without your name: " in said["text"] and "votes on guides" in said["text"]


def test_forget_me_keeps_what_belongs_to_another_workspace(served, world, clock):
    elsewhere = "T0ELSEWHR"
    with transaction(make_sessionmaker(served.engine)) as session:
        session.add(
            Strength(
                team_id=elsewhere,
                giver_id=PEER,
                receiver_id=ME,
                note=PEER_NOTE,
                theme="calm",
                created_at=clock.now,
            )
        )

    _forget_me(served)

    with served.session() as session:
        assert session.scalars(
            select(Strength.team_id).where(Strength.receiver_id == ME)
        ).all() == [elsewhere]


def test_a_forgotten_sponsor_is_not_messaged_when_the_idea_moves(served, world):
    _forget_me(served)
    served.emulator.reset()
    with served.session() as session:
        idea = session.scalar(select(Idea))

    served.slack.submit(
        View.IDEA_STAGE,
        {Field.ANSWER: {"type": "plain_text_input", "value": "Two teams for a month"}},
        user_id=PEER,
        private_metadata=json.dumps({"i": idea.id, "from": "prototype", "to": "pilot"}),
    )

    with served.session() as session:
        assert session.scalar(select(Idea.stage)) == Stage.PILOT
    assert served.emulator.calls_to("conversations.open") == []
    listed = served.slack.command(Command.PITCH, "list", user_id=PEER).json()
    assert "sponsor nobody now" in json.dumps(listed["blocks"])


def test_a_forgotten_persons_debrief_is_shown_without_a_name(served, world):
    _forget_me(served)
    served.emulator.reset()

    _answer_debrief(served, BOSS, "we kept the customers informed")

    [update] = served.emulator.calls_to("chat.update")
    assert update.args["text"].startswith("Someone started a debrief")


def test_done_counts_what_went_and_names_what_stayed():
    done = privacy.Forgotten(Counter({"strengths": 2, "people": 1}), Counter({"ratings": 3}))

    assert privacy_blocks.forgotten(done)["text"] == (
        "Done: inflow deleted 3 records about you in this workspace. "
        "Kept without your name: votes on guides (3)."
    )


def test_mention_names_people_and_nobody_else():
    assert mention(ME) == f"<@{ME}>"
    assert mention(privacy.FORGOTTEN) == "someone"
    assert mention(None, "nobody now") == "nobody now"


# -- the registry ----------------------------------------------------------------------------

# user_id, author_id, by_user, set_by, started_by, shared_by, owner, …
LOOKS_LIKE_A_PERSON = re.compile(r"(_ids?|_by|_users?)$|^(by|user)_|^(users?|owner|recipient)$")


def test_every_column_that_could_hold_a_person_is_in_the_registry():
    covered = {(h.table.name, h.column) for h in privacy.HOLDINGS}
    forgotten = [
        f"{table.name}.{column.name}"
        for table, column in _text_columns()
        if LOOKS_LIKE_A_PERSON.search(column.name)
        and column.name not in privacy.NOT_PEOPLE
        and (table.name, column.name) not in covered
    ]
    assert forgotten == [], "add these to bot.services.privacy.HOLDINGS (or NOT_PEOPLE)"


def test_the_registry_names_real_columns_of_tables_with_a_workspace():
    for holding in privacy.HOLDINGS:
        table = holding.table
        assert holding.column in table.columns, f"{table.name}.{holding.column}"
        assert "team_id" in table.columns, table.name
        for also in holding.also:
            assert also in table.columns, f"{table.name}.{also}"


# -- my-data holds everything; forget-me says it in words --------------------------------------


def test_every_holding_has_a_place_in_my_data():
    held = {(h.table.name, h.column) for h in privacy.HOLDINGS}
    assert set(privacy.EXPORTED) == held, "say in privacy.EXPORTED where my-data shows it"


def _at(data: dict, path: str):
    for key in path.split("."):
        data = data[key]
    return data


def test_my_data_shows_every_holding_the_person_has_rows_in(served, world):
    with transaction(served.sessions) as session:  # ME installed inflow and set it up
        workspace = session.get(WorkspaceRecord, TEAM_ID) or WorkspaceRecord(team_id=TEAM_ID)
        workspace.installed_by = ME
        workspace.settings_changed_by = ME
        workspace.settings_changed_at = dt.datetime(2026, 11, 20, tzinfo=dt.UTC)
        workspace.admins = f"{ME},{BOSS}"
        session.add(workspace)
    _, data = _my_data(served)

    shown, missing = [], []
    with served.session() as session:
        for (table_name, column), path in privacy.EXPORTED.items():
            if path.startswith("not:"):
                continue
            table = Base.metadata.tables[table_name]
            mine = select(func.count()).where(table.c.team_id == TEAM_ID, table.c[column] == ME)
            if session.scalar(mine):
                (shown if _at(data, path) else missing).append(f"{table_name}.{column}")
    assert missing == []
    assert len(shown) >= 25, shown  # the world gives ME rows in nearly every holding
    assert data["workspace"]["you_are_an_inflow_admin"] is True


def test_forget_me_names_what_it_kept_in_words():
    kept_in_place = {
        h.table.name for h in privacy.HOLDINGS if h.policy is not privacy.Policy.DELETE
    }
    assert kept_in_place <= set(privacy_blocks.KEPT)
    said = privacy_blocks.forgotten(
        privacy.Forgotten(Counter({"people": 3}), Counter(dict.fromkeys(kept_in_place, 1)))
    )["text"]
    assert not [table for table in kept_in_place if f"{table} (" in said]
