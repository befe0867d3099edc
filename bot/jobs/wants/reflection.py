"""The weekly reflection prompt, on the last working day, for those who turned it on."""

from __future__ import annotations

from collections.abc import Iterator

from bot.jobs.slots import weekly
from bot.jobs.wants.base import Pass, Priority, Want, routine
from bot.services.preferences import NudgeKind
from bot.slack import nudges

REFLECTION = "weekly-reflection"


@routine("weekly reflection")
def reflection_wants(p: Pass) -> Iterator[Want]:
    """The weekly reflection, on the last working day, for those who turned it on."""
    for (team_id, user_id), prefs in p.everyone.items():
        if NudgeKind.REFLECTION in prefs.kinds_on:
            yield Want(
                team_id,
                user_id,
                NudgeKind.REFLECTION,
                REFLECTION,
                weekly(None),
                lambda slot, tz: nudges.weekly_reflection(),
                Priority.REFLECTION,
            )
