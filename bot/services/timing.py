"""When a nudge may arrive: a person's own time zone, working days and time, never in quiet
hours, on holidays, while paused or away. Pure functions of their inputs and the clock."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.services.preferences import DAYS, Preferences

QUIET_START, QUIET_END = dt.time(20, 0), dt.time(8, 0)  # local; a slot inside moves to QUIET_END
SEARCH_DAYS = 21  # a person whose every day is excluded gets no slot rather than a loop

AWAY_EMOJI = frozenset(
    """
    palm_tree face_with_thermometer thermometer airplane beach_with_umbrella desert_island
    sick sneezing_face mask face_with_head_bandage baby hospital house_with_garden
    """.split()
)
AWAY_WORDS = re.compile(
    r"\b(vacation|vacay|holiday|holidays|ooo|out of (the )?office|sick|ill|leave|pto|"
    r"parental|off today|day off|annual leave|travell?ing)\b",
    re.IGNORECASE,
)


def zone(name: str | None, fallback: str = "UTC") -> ZoneInfo:
    """A person's time zone from Slack's `tz`, or the workspace default when missing or unknown."""
    for candidate in (name, fallback, "UTC"):
        if candidate:
            try:
                return ZoneInfo(candidate)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


def is_away(profile: dict) -> bool:
    """A Slack status that says the person is away: vacation, sick, out of office."""
    emoji = (profile.get("status_emoji") or "").strip(":").split("::")[0]
    return emoji in AWAY_EMOJI or bool(AWAY_WORDS.search(profile.get("status_text") or ""))


def _local(day: dt.date, at: dt.time, tz: ZoneInfo) -> dt.datetime:
    """`day` at wall-clock `at` in `tz`, as UTC. A time that does not exist that day (the hour
    skipped when clocks go forward) moves to the first minute after the gap."""
    naive = dt.datetime.combine(day, at)
    local = naive.replace(tzinfo=tz)
    round_trip = local.astimezone(dt.UTC).astimezone(tz).replace(tzinfo=None)
    if round_trip != naive:  # in the gap: wall clock jumped past it
        local = (naive + dt.timedelta(hours=1)).replace(tzinfo=tz)
    return local.astimezone(dt.UTC)


def _out_of_quiet_hours(at: dt.time) -> dt.time:
    quiet = at >= QUIET_START or at < QUIET_END
    return QUIET_END if quiet else at


def next_slot(
    prefs: Preferences,
    tz: ZoneInfo,
    *,
    after: dt.datetime,
    holidays: frozenset[dt.date] = frozenset(),
) -> dt.datetime | None:
    """The first moment after `after` (UTC) when this person may get a nudge, in UTC.

    Their chosen time on their working days, in their own zone, so a daylight-saving change
    does not move it by an hour; holidays and paused days are skipped, not stacked.
    """
    at = _out_of_quiet_hours(dt.time.fromisoformat(prefs.time))
    start = after.astimezone(tz).date()
    for offset in range(SEARCH_DAYS):
        day = start + dt.timedelta(days=offset)
        if DAYS[day.weekday()] not in prefs.days or day in holidays or prefs.paused(day):
            continue
        slot = _local(day, at, tz)
        if slot > after:
            return slot
    return None


def local_week(moment: dt.datetime, tz: ZoneInfo) -> str:
    """The ISO week of a moment in a person's zone: the occurrence key of weekly nudges."""
    year, week, _ = moment.astimezone(tz).isocalendar()
    return f"{year}-W{week:02d}"
