"""When a nudge goes: the rules that turn a person's days, time, zone and holidays into a slot.

A rule is asked "given this person's preferences, zone and days off, and the time now, when is
the next fitting moment?" and answers a UTC datetime, or None when there is none this time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

from bot.services.preferences import DAYS, Preferences
from bot.services.timing import local_week, next_slot

Rule = Callable[[Preferences, ZoneInfo, frozenset[dt.date], dt.datetime], dt.datetime | None]


def midnight(day: dt.date, tz: ZoneInfo) -> dt.datetime:
    """The start of `day` in `tz`, in UTC."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=tz).astimezone(dt.UTC)


def just_before(moment: dt.datetime) -> dt.datetime:
    """For `next_slot(after=...)`, which is strict: a slot at `moment` itself may be taken."""
    return moment - dt.timedelta(microseconds=1)


def soon() -> Rule:
    """The person's next slot."""

    def rule(prefs, tz, days_off, now):
        return next_slot(prefs, tz, after=now, holidays=days_off)

    return rule


def weekly(weekday: int | None) -> Rule:
    """Once a local week, from `weekday` (None: the person's last working day) on; when this
    week's chance has gone, next week's."""

    def rule(prefs, tz, days_off, now):
        day = weekday
        if day is None:
            day = max((DAYS.index(d) for d in prefs.days), default=4)
        local = now.astimezone(tz).date()
        monday = local - dt.timedelta(days=local.weekday())
        for week in (0, 1):
            start = monday + dt.timedelta(weeks=week, days=day)
            slot = next_slot(
                prefs, tz, after=max(now, just_before(midnight(start, tz))), holidays=days_off
            )
            if slot is not None and local_week(slot, tz) == local_week(midnight(start, tz), tz):
                return slot
        return None

    return rule


def after_working_days(moment: dt.datetime, count: int) -> Rule:
    """`count` of the person's working days after `moment`, at their time."""

    def rule(prefs, tz, days_off, now):
        day = moment.astimezone(tz).date()
        left = count
        for _ in range(count + 60):
            if not left:
                break
            day += dt.timedelta(days=1)
            if (not prefs.days or DAYS[day.weekday()] in prefs.days) and day not in days_off:
                left -= 1
        start = max(now, just_before(midnight(day, tz)))
        return next_slot(prefs, tz, after=start, holidays=days_off)

    return rule
