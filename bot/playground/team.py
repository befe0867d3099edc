"""The playground's seeded team: Ana manages Ben and Chen (confirmed), as Slack's users.info
and the app's own database would have them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.db import utcnow
from bot.emulator import TEAM_ID, SlackEmulator, _default_user
from bot.models import ManagerReport

GENERAL = "C0GENERAL"
PEOPLE = {"U0ANA": "Ana", "U0BEN": "Ben", "U0CHEN": "Chen"}
MANAGER, REPORTS = "U0ANA", ("U0BEN", "U0CHEN")
TITLES = {"U0ANA": "Engineering manager", "U0BEN": "Engineer", "U0CHEN": "Designer"}


def who(user_id: str) -> str:
    """How the page introduces someone: "Ana, manager of Ben and Chen"."""
    name = PEOPLE.get(user_id, user_id)
    if user_id == MANAGER:
        return f"{name}, manager of " + " and ".join(PEOPLE[r] for r in REPORTS)
    if user_id in REPORTS:
        return f"{name}, who reports to {PEOPLE[MANAGER]}"
    return name


def seed_users(emulator: SlackEmulator) -> None:
    """The team in the emulator's users.info and users.list answers."""
    for user_id, name in PEOPLE.items():
        user = _default_user(user_id)
        user.update(name=name.lower(), real_name=name)
        user["profile"].update(
            real_name=name,
            display_name=name,
            email=f"{name.lower()}@example.com",
            title=TITLES[user_id],
        )
        emulator.users[user_id] = user


def seed_links(sessions: sessionmaker[Session]) -> None:
    """Ana's links to her reports, confirmed, unless they are there already."""
    with sessions.begin() as session:
        for report in REPORTS:
            found = session.scalar(
                select(ManagerReport).where(
                    ManagerReport.team_id == TEAM_ID,
                    ManagerReport.manager_id == MANAGER,
                    ManagerReport.report_id == report,
                )
            )
            if found is None:
                session.add(
                    ManagerReport(
                        team_id=TEAM_ID,
                        manager_id=MANAGER,
                        report_id=report,
                        source="import",
                        confirmed_at=utcnow(),
                    )
                )
