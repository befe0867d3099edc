"""Emoji reactions on shared guides rate them: one vote per person per message."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.emulator import BOT_USER_ID
from bot.models import Rating
from bot.slack.guides import state
from bot.slack.ids import Action


@pytest.fixture
def shared(served):
    """A guide the bot has shared in #general; returns (channel, ts)."""
    served.slack.click(
        Action.SHARE_GUIDE, state("premortem"), response_url=served.emulator.response_url()
    )
    [post] = served.emulator.calls_to("chat.postMessage")
    return post.args["channel"], served.emulator.calls_to("chat.postMessage") and _ts(served)


def _ts(served) -> str:
    from bot.models import GuideMessage

    with served.session() as session:
        return session.scalar(select(GuideMessage.message_ts))


def _reaction(kind: str, user: str, emoji: str, channel: str, ts: str) -> dict:
    return {
        "type": kind,
        "user": user,
        "reaction": emoji,
        "item_user": BOT_USER_ID,
        "item": {"type": "message", "channel": channel, "ts": ts},
        "event_ts": "1700000500.000100",
    }


def _votes(served) -> dict[str, int]:
    with served.session() as session:
        return {r.user_id: r.value for r in session.scalars(select(Rating))}


def test_helpful_emoji_counts_as_a_vote(served, shared):
    served.slack.event(_reaction("reaction_added", "U0READER1", "thumbsup", *shared))
    assert _votes(served) == {"U0READER1": 1}


def test_skin_tone_counts_as_the_base_emoji(served, shared):
    served.slack.event(_reaction("reaction_added", "U0READER2", "+1::skin-tone-4", *shared))
    served.slack.event(_reaction("reaction_added", "U0READER3", "-1::skin-tone-2", *shared))
    assert _votes(served) == {"U0READER2": 1, "U0READER3": -1}


def test_reaction_removed_undoes_the_vote(served, shared):
    served.slack.event(_reaction("reaction_added", "U0READER1", "heart", *shared))
    served.slack.event(_reaction("reaction_removed", "U0READER1", "heart", *shared))
    assert _votes(served) == {}


def test_two_helpful_emoji_from_one_person_are_one_vote(served, shared):
    served.slack.event(_reaction("reaction_added", "U0READER1", "heart", *shared))
    served.slack.event(_reaction("reaction_added", "U0READER1", "star", *shared))
    served.slack.event(_reaction("reaction_removed", "U0READER1", "heart", *shared))
    assert _votes(served) == {"U0READER1": 1}


def test_helpful_and_unhelpful_from_one_person_cancel_out(served, shared):
    served.slack.event(_reaction("reaction_added", "U0READER1", "+1", *shared))
    served.slack.event(_reaction("reaction_added", "U0READER1", "thumbsdown", *shared))
    assert _votes(served) == {}


def test_reactions_on_other_messages_change_nothing(served, shared):
    channel, _ts = shared
    served.slack.event(_reaction("reaction_added", "U0READER1", "+1", channel, "1699999999.000001"))
    assert _votes(served) == {}


def test_other_emoji_change_nothing(served, shared):
    served.slack.event(_reaction("reaction_added", "U0READER1", "eyes", *shared))
    assert _votes(served) == {}


def test_the_bots_own_reactions_change_nothing(served, shared):
    served.slack.event(_reaction("reaction_added", BOT_USER_ID, "+1", *shared))
    assert _votes(served) == {}


def test_a_retried_reaction_counts_once(served, shared):
    event = _reaction("reaction_added", "U0READER1", "+1", *shared)
    served.slack.event(event, event_id="Ev0REACT0001")
    served.slack.event(event, event_id="Ev0REACT0001", retry_num=1)
    served.slack.event(_reaction("reaction_removed", "U0READER1", "+1", *shared))
    assert _votes(served) == {}


def test_buttons_and_emoji_feed_the_same_ratings(served, shared):
    served.slack.event(_reaction("reaction_added", "U0READER1", "+1", *shared))
    served.slack.click(
        Action.HELPFUL,
        state("premortem"),
        user_id="U0READER2",
        response_url=served.emulator.response_url(),
    )
    with served.session() as session:
        from bot.services.library import ratings_by_guide

        assert ratings_by_guide(session, "T0INFLOW1") == {"premortem": (2, 0)}


# -- one vote per person per guide, however many messages share it ----------------------------


def _share_in(served, channels: list[str]) -> list[tuple[str, str]]:
    """The guide shared by the bot in each channel; returns each message's (channel, ts)."""
    from bot.models import GuideMessage

    for channel in channels:
        served.slack.click(
            Action.SHARE_GUIDE,
            state("premortem"),
            channel_id=channel,
            response_url=served.emulator.response_url(),
        )
    with served.session() as session:
        rows = session.execute(
            select(GuideMessage.channel_id, GuideMessage.message_ts).order_by(GuideMessage.id)
        )
        return [(channel, ts) for channel, ts in rows]


CHANNELS = [f"C0SHARE0{n}" for n in range(1, 7)]


def test_emoji_on_six_shares_of_a_guide_are_one_vote(served):
    messages = _share_in(served, CHANNELS)
    assert len(messages) == 6
    for message in messages:
        served.slack.event(_reaction("reaction_added", "U0READER1", "+1", *message))

    with served.session() as session:
        assert session.scalars(select(Rating.value)).all() == [1]
        from bot.services.library import ratings_by_guide

        assert ratings_by_guide(session, "T0INFLOW1") == {"premortem": (1, 0)}


def test_taking_back_an_emoji_keeps_the_vote_another_message_still_gives(served):
    first, second = _share_in(served, CHANNELS[:2])
    served.slack.event(_reaction("reaction_added", "U0READER1", "+1", *first))
    served.slack.event(_reaction("reaction_added", "U0READER1", "+1", *second))
    served.slack.event(_reaction("reaction_removed", "U0READER1", "+1", *first))
    assert _votes(served) == {"U0READER1": 1}

    served.slack.event(_reaction("reaction_removed", "U0READER1", "+1", *second))
    assert _votes(served) == {}


def test_helpful_here_and_unhelpful_there_cancel_out(served):
    first, second = _share_in(served, CHANNELS[:2])
    served.slack.event(_reaction("reaction_added", "U0READER1", "+1", *first))
    served.slack.event(_reaction("reaction_added", "U0READER1", "-1", *second))
    assert _votes(served) == {}

    served.slack.event(_reaction("reaction_removed", "U0READER1", "+1", *first))
    assert _votes(served) == {"U0READER1": -1}


def test_a_button_vote_made_after_an_emoji_is_not_undone_by_taking_the_emoji_back(served):
    [message] = _share_in(served, CHANNELS[:1])
    served.slack.event(_reaction("reaction_added", "U0READER1", "+1", *message))
    served.slack.click(
        Action.NOT_HELPFUL,
        state("premortem"),
        user_id="U0READER1",
        response_url=served.emulator.response_url(),
    )
    served.slack.event(_reaction("reaction_removed", "U0READER1", "+1", *message))

    assert _votes(served) == {"U0READER1": -1}
