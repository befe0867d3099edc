"""`inflow practice invite <id> FILE.csv`: invite a list of people (a training cohort) to a path.

One column, `person`: a Slack user id or an email. Each person gets the same DM invitation as
`/learn practice <id> @them` sends, from "your learning team", and joins only if they accept.
Someone already on the path, or already invited, is left alone: running it twice invites no one
twice.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.db import transaction
from bot.jobs.clock import worker_name
from bot.jobs.deliverer import deliver_due
from bot.library.paths import PracticePath
from bot.services import outbox, practice
from bot.services.outbox import OutboxKind
from bot.slack import practice as blocks
from bot.team_import import _Resolver

COLUMN = "person"


@dataclass
class InviteReport:
    invited: int = 0
    already: int = 0
    sent: int = 0
    problems: list[str] = field(default_factory=list)  # "line N: message"


def _people(path: Path, resolve: _Resolver, report: InviteReport) -> list[str]:
    """The valid rows' people, each once; every invalid row reported with its line."""
    people: list[str] = []
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        header = {(name or "").strip().lower(): name for name in reader.fieldnames or []}
        if COLUMN not in header:
            report.problems.append(f"line 1: the header needs the column {COLUMN}")
            return []
        for row in reader:
            raw = (row.get(header[COLUMN]) or "").strip()
            if not raw:
                continue
            person, problem = resolve(raw)
            if problem:
                report.problems.append(f"line {reader.line_num}: {problem}")
            elif person and person not in people:
                people.append(person)
    return people


def invite_csv(
    file: Path,
    *,
    practice_path: PracticePath,
    sessions: sessionmaker[Session],
    client: WebClient,
    team_id: str,
    now: dt.datetime,
) -> InviteReport:
    """Invite everyone in the file, then send the invitations (each once, through the outbox)."""
    report = InviteReport()
    people = _people(file, _Resolver(client), report)
    rows: dict[int, str] = {}  # outbox row -> person
    with transaction(sessions) as session:
        for person in people:
            enrolment = practice.invite(
                session, team_id=team_id, user_id=person, path=practice_path, by=None, now=now
            )
            if enrolment is None:
                report.already += 1
                continue
            report.invited += 1
            row = outbox.insert(
                session,
                team_id=team_id,
                recipient=person,
                kind=OutboxKind.REPLY,
                subject=f"practice-invite:{enrolment.id}",
                occurrence=f"{now:%Y%m%dT%H%M%S}",
                due_at=now,
                message=blocks.invitation(practice_path, enrolment, None),
            )
            if row is not None:
                rows[row] = person
    if rows:
        delivered = deliver_due(sessions, client, now=now, worker=worker_name(), only=list(rows))
        report.sent = delivered.sent
        report.problems.extend(
            f"{rows[row]}: invited, but the DM was not sent ({outcome})"
            for row, outcome in delivered.outcomes.items()
            if outcome != "sent"
        )
    return report
