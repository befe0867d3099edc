"""When nudges may arrive: time zones, daylight saving, working days, quiet hours, pauses."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.services.preferences import DEFAULT, Preferences
from bot.services.timing import is_away, local_week, next_slot, zone

BERLIN, NEW_YORK = ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


def prefs(**changes) -> Preferences:
    return Preferences(**{**DEFAULT.__dict__, **changes})


def test_the_slot_is_the_persons_own_time_on_a_working_day():
    # Friday 2026-11-20 10:00 UTC is 11:00 in Berlin: 09:30 has passed, next is Monday.
    slot = next_slot(DEFAULT, BERLIN, after=utc(2026, 11, 20, 10, 0))
    assert slot.astimezone(BERLIN) == dt.datetime(2026, 11, 23, 9, 30, tzinfo=BERLIN)


@pytest.mark.parametrize(
    ("tz", "before", "after"),
    [
        # Europe springs forward on 29 March 2026 and falls back on 25 October 2026.
        (BERLIN, utc(2026, 3, 27, 12), utc(2026, 3, 30, 0)),
        (BERLIN, utc(2026, 10, 23, 12), utc(2026, 10, 26, 0)),
        # The US springs forward on 8 March 2026 and falls back on 1 November 2026.
        (NEW_YORK, utc(2026, 3, 6, 20), utc(2026, 3, 9, 5)),
        (NEW_YORK, utc(2026, 10, 30, 20), utc(2026, 11, 2, 5)),
    ],
)
def test_a_daylight_saving_change_does_not_move_the_nudge_by_an_hour(tz, before, after):
    friday = next_slot(DEFAULT, tz, after=before - dt.timedelta(hours=12))
    monday = next_slot(DEFAULT, tz, after=after - dt.timedelta(hours=1))
    assert friday.astimezone(tz).time() == monday.astimezone(tz).time() == dt.time(9, 30)
    assert friday.utcoffset() == monday.utcoffset() == dt.timedelta(0)  # both stored in UTC
    assert friday.astimezone(tz).utcoffset() != monday.astimezone(tz).utcoffset()


def test_a_time_in_the_skipped_hour_moves_past_the_gap():
    early = prefs(time="02:30", days=("sun",))
    # 02:30 does not exist in Berlin on 29 March 2026; and it is in quiet hours anyway.
    slot = next_slot(early, BERLIN, after=utc(2026, 3, 28, 12))
    assert slot.astimezone(BERLIN).time() == dt.time(8, 0)


def test_quiet_hours_move_an_early_time_to_the_morning():
    slot = next_slot(prefs(time="07:00"), BERLIN, after=utc(2026, 11, 22, 12))
    assert slot.astimezone(BERLIN).time() == dt.time(8, 0)


def test_working_days_are_the_persons():
    slot = next_slot(prefs(days=("tue", "thu")), BERLIN, after=utc(2026, 11, 23, 12))  # Monday
    assert slot.astimezone(BERLIN).date() == dt.date(2026, 11, 24)


def test_holidays_are_skipped():
    slot = next_slot(
        DEFAULT, BERLIN, after=utc(2026, 12, 24, 12), holidays=frozenset({dt.date(2026, 12, 25)})
    )
    assert slot.astimezone(BERLIN).date() == dt.date(2026, 12, 28)


def test_a_pause_drops_the_days_it_covers():
    paused = prefs(paused_until=dt.date(2026, 11, 26))
    slot = next_slot(paused, BERLIN, after=utc(2026, 11, 23, 0))
    assert slot.astimezone(BERLIN).date() == dt.date(2026, 11, 27)


def test_no_working_day_at_all_means_no_slot():
    assert next_slot(prefs(days=()), BERLIN, after=utc(2026, 11, 23)) is None


def test_a_missing_or_unknown_zone_falls_back_to_the_workspace_default():
    assert zone(None, "Europe/Berlin") == BERLIN
    assert zone("Mars/Olympus_Mons", "America/New_York") == NEW_YORK
    assert zone(None, "") == ZoneInfo("UTC")


@pytest.mark.parametrize(
    ("profile", "away"),
    [
        ({"status_emoji": ":palm_tree:", "status_text": ""}, True),
        ({"status_emoji": ":face_with_thermometer:"}, True),
        ({"status_text": "OOO until Monday"}, True),
        ({"status_text": "on vacation"}, True),
        ({"status_text": "Out of office"}, True),
        ({"status_text": "sick today"}, True),
        ({"status_emoji": ":coffee:", "status_text": "in a meeting"}, False),
        ({}, False),
    ],
)
def test_away_statuses(profile, away):
    assert is_away(profile) is away


def test_weekly_occurrences_follow_the_local_week():
    sunday_night_utc = utc(2026, 11, 29, 23, 30)  # already Monday 30 Nov in Berlin
    assert local_week(sunday_night_utc, BERLIN) == "2026-W49"
    assert local_week(sunday_night_utc, NEW_YORK) == "2026-W48"
