"""Learning where the conversation is: quiet offers in channels, mentions, questions in a DM."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import select

from bot.emulator import BOT_USER_ID, _default_user
from bot.models import GuideEvent, SuggestionOffer, SuggestionOptOut
from bot.slack.ids import Command, SuggestAction
from bot.slack.suggestions import offer_value

POSTER, OTHER = "U0POSTER1", "U0OTHER01"
RETRO = (
    "ok so I'm running the sprint retro tomorrow for the first time and the last three were "
    "just people venting for an hour. anyone got a format that actually works?"
)
BUDDY = (
    "new hire starts monday and apparently I'm her buddy, never done this before. what should I do?"
)
_ts = itertools.count(1)


def message(text: str, *, user: str = POSTER, channel: str = "C0PROJECT", **extra) -> dict:
    ts = f"1700000000.{next(_ts):06d}"
    return {
        "type": "message",
        "text": text,
        "user": user,
        "ts": ts,
        "team": "T0INFLOW1",
        "channel": channel,
        "event_ts": ts,
        "channel_type": "channel",
        **extra,
    }


def offers(served) -> list:
    served.settle()
    return served.emulator.calls_to("chat.postEphemeral")


def test_a_moment_a_guide_helps_with_gets_a_quiet_offer_to_the_poster_only(served):
    reply = served.slack.event(message(RETRO))
    assert reply.status == 200

    [offer] = offers(served)
    assert (offer.args["channel"], offer.args["user"]) == ("C0PROJECT", POSTER)
    shown = str(offer.json_arg("blocks"))
    assert "Running a team retrospective" in shown and "You mentioned" in shown
    actions = [e["action_id"] for e in offer.json_arg("blocks")[1]["elements"]]
    assert actions == [
        SuggestAction.OPEN,
        SuggestAction.NOT_NOW,
        SuggestAction.STOP_ME,
        SuggestAction.STOP_CHANNEL,
    ]
    assert served.emulator.calls_to("chat.postMessage") == []  # nothing public
    with served.session() as session:
        [row] = session.scalars(select(SuggestionOffer))
    assert (row.user_id, row.guide_id, row.outcome) == (
        POSTER,
        "running-a-retrospective",
        "offered",
    )


@pytest.mark.parametrize(
    "event",
    [
        message("thanks for the feedback! really useful session today everyone"),
        message("meeting moved to 3pm, same room as last week, see you all there"),
        message("the pilot episode was great, who else watched it last night?"),
        message(RETRO, subtype="message_changed"),
        message(RETRO, subtype="channel_join"),
        message(RETRO, bot_id="B0OTHER", user="U0BOT0001"),
        message(RETRO, user=BOT_USER_ID),
        message(RETRO, channel_type="mpim"),
        message(f"<@{BOT_USER_ID}> {RETRO}"),  # a mention: answered as one, not offered
    ],
    ids=["thanks", "logistics", "tv", "edit", "join", "bot", "itself", "group-dm", "mention"],
)
def test_restraint_nothing_for_chatter_edits_bots_or_group_dms(served, event):
    assert served.slack.event(event).status == 200
    assert offers(served) == []


def test_one_offer_a_person_a_day_and_the_same_guide_not_again_for_two_weeks(served, clock):
    served.slack.event(message(RETRO))
    served.settle()  # the retro is offered first: the two are handled in parallel otherwise
    served.slack.event(message(BUDDY))
    assert len(offers(served)) == 1

    clock.advance(days=1)
    served.slack.event(message(RETRO))  # the same guide, a day later
    assert len(offers(served)) == 1
    served.slack.event(message(BUDDY))  # another guide: fine
    assert len(offers(served)) == 2

    clock.advance(days=14)
    served.slack.event(message(RETRO))
    assert len(offers(served)) == 3


def test_a_channel_gets_at_most_three_offers_an_hour(served, clock):
    for n in range(4):
        served.slack.event(message(RETRO, user=f"U0PERSON{n}"))
        served.settle()
    assert len(offers(served)) == 3
    clock.advance(hours=1, minutes=1)
    served.slack.event(message(RETRO, user="U0PERSON9"))
    assert len(offers(served)) == 4


def _click(served, action: SuggestAction, *, user: str = POSTER, offer_id: int = 1):
    served.slack.click(
        action,
        offer_value(offer_id, "running-a-retrospective"),
        response_url=served.emulator.response_url(),
        user_id=user,
        channel_id="C0PROJECT",
    )
    return served.emulator.wait_for_responses(1)[-1][1]


def test_open_shows_the_guide_privately_and_counts_as_a_view(served):
    served.slack.event(message(RETRO))
    offers(served)

    shown = _click(served, SuggestAction.OPEN)

    assert shown["replace_original"] is True and shown["response_type"] == "ephemeral"
    assert "Running a team retrospective" in shown["text"]
    with served.session() as session:
        [offer] = session.scalars(select(SuggestionOffer))
        [view] = session.scalars(select(GuideEvent))
    assert offer.outcome == "opened"
    assert (view.guide_id, view.kind, view.user_id) == ("running-a-retrospective", "view", POSTER)


def test_not_now_puts_the_offer_away(served):
    served.slack.event(message(RETRO))
    offers(served)
    assert _click(served, SuggestAction.NOT_NOW)["delete_original"] is True
    with served.session() as session:
        assert session.scalar(select(SuggestionOffer.outcome)) == "dismissed"


def test_stop_suggesting_to_me_holds_until_turned_back_on(served, clock):
    served.slack.event(message(RETRO))
    offers(served)
    assert "no more suggestions for you" in _click(served, SuggestAction.STOP_ME)["text"]

    clock.advance(days=20)
    served.slack.event(message(RETRO))
    assert len(offers(served)) == 1

    reply = served.slack.command(Command.LEARN, "suggestions on", user_id=POSTER)
    assert "on for you again" in reply.json()["text"]
    served.slack.event(message(RETRO))
    assert len(offers(served)) == 2

    again = served.slack.command(Command.LEARN, "suggestions on", user_id=POSTER)
    assert "already on for you" in again.json()["text"]


def test_only_a_channels_manager_can_stop_it_for_everyone(served, clock):
    served.emulator.channels["C0PROJECT"] = {"id": "C0PROJECT", "creator": OTHER}
    served.slack.event(message(RETRO))
    offers(served)

    refused = _click(served, SuggestAction.STOP_CHANNEL)
    assert "Only the channel's creator or a workspace admin" in refused["text"]

    done = _click(served, SuggestAction.STOP_CHANNEL, user=OTHER)
    assert "no more suggestions in this channel" in done["text"]
    with served.session() as session:
        [opt_out] = session.scalars(select(SuggestionOptOut))
    assert (opt_out.scope, opt_out.subject_id, opt_out.set_by) == ("channel", "C0PROJECT", OTHER)

    clock.advance(days=20)
    served.slack.event(message(BUDDY, user="U0SOMEONE"))
    assert len(offers(served)) == 1


def test_a_workspace_admin_can_stop_it_with_the_command_too(served):
    served.emulator.users[OTHER] = {**_default_user(OTHER), "is_admin": True}
    reply = served.slack.command(Command.LEARN, "suggestions off here", user_id=OTHER)
    assert "no more suggestions in this channel" in reply.json()["text"]
    refused = served.slack.command(Command.LEARN, "suggestions off here", user_id=POSTER)
    assert "Only the channel's creator" in refused.json()["text"]
    unclear = served.slack.command(Command.LEARN, "suggestions", user_id=POSTER)
    assert "/learn suggestions off" in unclear.json()["text"]


def test_a_mention_is_answered_in_its_thread_for_everyone(served):
    ts = "1700000001.000100"
    event = {
        "type": "app_mention",
        "text": f"<@{BOT_USER_ID}> how do I run a retro?",
        "user": POSTER,
        "ts": ts,
        "team": "T0INFLOW1",
        "channel": "C0PROJECT",
        "event_ts": ts,
    }
    assert served.slack.event(event).status == 200

    [answer] = served.emulator.wait_for("chat.postMessage")
    assert (answer.args["channel"], answer.args["thread_ts"]) == ("C0PROJECT", ts)
    assert "Running a team retrospective" in answer.args["text"]
    assert "response_type" not in answer.args
    assert "guide_share" in str(answer.json_arg("blocks"))


def test_a_mention_that_finds_nothing_says_so_without_pinging_anyone(served):
    event = {
        "type": "app_mention",
        "text": f"<@{BOT_USER_ID}> <!channel> where is the &lt;parking&gt; garage",
        "user": POSTER,
        "ts": "1700000002.000100",
        "team": "T0INFLOW1",
        "channel": "C0PROJECT",
        "event_ts": "1700000002.000100",
    }
    served.slack.event(event)
    [answer] = served.emulator.wait_for("chat.postMessage")
    shown = str(answer.json_arg("blocks"))
    assert "I don't have a guide for" in shown
    assert "<!channel>" not in shown and "&lt;!channel&gt;" in shown


def test_in_a_dm_any_message_is_a_learn_question(served):
    served.slack.event(
        message("how do I give feedback to a peer", channel="D0DM00001", channel_type="im")
    )
    [answer] = served.emulator.wait_for("chat.postMessage")
    assert answer.args["channel"] == "D0DM00001" and "thread_ts" not in answer.args
    assert "feedback" in answer.args["text"].lower()
    with served.session() as session:
        assert session.scalar(select(GuideEvent.kind)) == "view"


def test_the_offer_is_released_when_slack_refuses_it(served):
    served.emulator.fail("chat.postEphemeral", 200, error="channel_not_found")
    served.slack.event(message(RETRO))
    served.settle()
    with served.session() as session:
        assert list(session.scalars(select(SuggestionOffer))) == []


def test_a_retried_delivery_is_answered_once(served):
    event = message("how do I give feedback to a peer", channel="D0DM00001", channel_type="im")
    for retry in (None, 1, 2):
        served.slack.event(event, event_id="Ev0RETRIED1", retry_num=retry)
    served.settle()
    assert len(served.emulator.calls_to("chat.postMessage")) == 1


def test_the_report_counts_offers_and_the_people_who_opened_them(served, clock):
    from bot.services import report

    for n in range(6):
        served.slack.event(message(RETRO, user=f"U0PERSON{n}", channel=f"C0ROOM000{n}"))
    served.settle()
    with served.session() as session:
        offer_of = dict(session.execute(select(SuggestionOffer.user_id, SuggestionOffer.id)).all())
    for n in range(5):
        person = f"U0PERSON{n}"
        _click(served, SuggestAction.OPEN, user=person, offer_id=offer_of[person])
    with served.session() as session:
        figures = report.nudges(session, "T0INFLOW1", report.Period.last(30, now=clock.now))
    [offers_row] = [f for f in figures if f.kind == "channel_offer"]
    assert (offers_row.sent, offers_row.recipients, offers_row.acted_on) == (6, 6, 5)
