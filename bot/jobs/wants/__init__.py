"""Every routine's wants, one module a routine, behind one registry (`base.ROUTINES`).

A new routine is a module here with a function decorated `@routine("name")` that yields `Want`s
from a planning `Pass`, and an import below. The planner places them; nothing else changes.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from bot.jobs.wants import (  # noqa: F401
    coaching,
    follow_ups,
    ideas,
    lessons,
    practice,
    reflection,
)
from bot.jobs.wants.base import ROUTINES, Pass, Priority, Want, fixed, routine
from bot.services.preferences import Preferences

__all__ = ["ROUTINES", "Pass", "Priority", "Want", "fixed", "gather", "routine"]


def gather(
    session: Session, now: dt.datetime, everyone: dict[tuple[str, str], Preferences]
) -> list[Want]:
    """What every routine wants to send, as of `now`."""
    planning_pass = Pass(session, now, everyone)
    return [want for wants in ROUTINES.values() for want in wants(planning_pass)]
