"""Practice paths for one person: starting, being invited, and going through the weeks.

An enrolment is a person on one path. Starting copies the path's weeks into `PracticeStep`
rows, so what a person was given stays what they were given when the file changes, and the
planner (`bot.jobs.wants.practice`) needs nothing but the database. A step's DM goes from its
`begins_at`; its check-in from `check_in_due`; the planner's `_on_sent` hooks record both.
Answering the check-in (or skipping) makes the next week's step begin a week after this one's.

A commitment, the check-in answers and what the person says is different at the end are theirs
alone: nothing here shows them to anyone else. A manager the person confirmed sees only where
they are (`of_reports`) and the path's own note for that week (`manager_notes`); the library's
owners see counts, and the lines people chose to share without their names (bot/services/report).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.errors import InflowError
from bot.library.paths import PracticePath
from bot.models import OutboxMessage, PracticeEnrolment, PracticeStep
from bot.services import teams
from bot.services.outbox import OutboxKind, OutboxStatus

CHECK_IN_AFTER = dt.timedelta(days=4)  # later in the step's week
UNANSWERED_FOR = dt.timedelta(days=3)  # a check-in left this long: the next week goes on anyway
NOT_YET_AFTER = dt.timedelta(days=3)
STEP_EVERY = dt.timedelta(days=7)
MAX_ANSWER = 2000
MAX_COMMITMENT = 500
MAX_SHARED = 300


class EnrolmentStatus(StrEnum):
    INVITED = "invited"
    ACTIVE = "active"
    PAUSED = "paused"
    LEFT = "left"
    FINISHED = "finished"
    DECLINED = "declined"


ON_IT = (EnrolmentStatus.ACTIVE, EnrolmentStatus.PAUSED)


class StepOutcome(StrEnum):
    TRIED = "tried"
    SKIPPED = "skipped"
    NO_ANSWER = "no_answer"  # the next week began without an answer to this one's check-in


def subject(enrolment_id: int) -> str:
    """The outbox subject of every planned message of one enrolment."""
    return f"practice:{enrolment_id}"


def find(session: Session, *, team_id: str, user_id: str, path_id: str) -> PracticeEnrolment | None:
    return session.scalar(
        select(PracticeEnrolment).where(
            PracticeEnrolment.team_id == team_id,
            PracticeEnrolment.user_id == user_id,
            PracticeEnrolment.path_id == path_id,
        )
    )


def _enrolment(session: Session, *, team_id: str, enrolment_id: int, user_id: str):
    """The enrolment, locked, if it is this person's; otherwise a clear refusal."""
    enrolment = session.scalar(
        select(PracticeEnrolment)
        .where(PracticeEnrolment.team_id == team_id, PracticeEnrolment.id == enrolment_id)
        .with_for_update()
    )
    if enrolment is None or enrolment.user_id != user_id:
        raise InflowError("That practice path isn't one of yours.")
    return enrolment


def get_enrolment(
    session: Session, *, team_id: str, user_id: str, enrolment_id: int
) -> PracticeEnrolment:
    """The person's enrolment, locked; a clear refusal if it is someone else's."""
    return _enrolment(session, team_id=team_id, enrolment_id=enrolment_id, user_id=user_id)


def steps_of(session: Session, enrolment_id: int) -> list[PracticeStep]:
    return list(
        session.scalars(
            select(PracticeStep)
            .where(PracticeStep.enrolment_id == enrolment_id)
            .order_by(PracticeStep.week)
        )
    )


def current_step(session: Session, enrolment: PracticeEnrolment) -> PracticeStep | None:
    return session.scalar(
        select(PracticeStep).where(
            PracticeStep.enrolment_id == enrolment.id,
            PracticeStep.week == enrolment.current_week,
        )
    )


def _begin(session: Session, enrolment: PracticeEnrolment, path: PracticePath, now: dt.datetime):
    """Make the enrolment active from week 1, with the path's weeks copied in."""
    for step in steps_of(session, enrolment.id):
        session.delete(step)
    session.flush()
    enrolment.path_version = path.version
    enrolment.status = EnrolmentStatus.ACTIVE.value
    enrolment.current_week = 1
    enrolment.round = (enrolment.round or 0) + 1
    enrolment.started_at = now
    enrolment.status_changed_at = now
    enrolment.finished_at = enrolment.reflected_at = None
    enrolment.confidence_before = enrolment.confidence_after = None
    enrolment.difference = enrolment.shared_line = None
    for week in path.steps:
        session.add(
            PracticeStep(
                team_id=enrolment.team_id,
                user_id=enrolment.user_id,
                enrolment_id=enrolment.id,
                week=week.week,
                title=week.title,
                guide_id=week.guide,
                practice=week.practice,
                check_in=week.check_in,
                manager_note=week.manager_note,
                begins_at=now if week.week == 1 else None,
                not_yet=0,
            )
        )
    session.flush()


def start(
    session: Session, *, team_id: str, user_id: str, path: PracticePath, now: dt.datetime
) -> tuple[PracticeEnrolment, bool]:
    """Put the person on the path; returns (enrolment, False) when they already are on it."""
    enrolment = find(session, team_id=team_id, user_id=user_id, path_id=path.id)
    if enrolment is not None and enrolment.status in ON_IT:
        return enrolment, False
    if enrolment is None:
        enrolment = PracticeEnrolment(
            team_id=team_id,
            user_id=user_id,
            path_id=path.id,
            path_version=path.version,
            status=EnrolmentStatus.ACTIVE.value,
            round=0,
        )
        session.add(enrolment)
        session.flush()
    _begin(session, enrolment, path, now)
    return enrolment, True


def invite(
    session: Session,
    *,
    team_id: str,
    user_id: str,
    path: PracticePath,
    by: str | None,
    now: dt.datetime,
) -> PracticeEnrolment | None:
    """Invite a person to the path (`by` None: the learning team, from a list); None when they
    are on it or already invited."""
    enrolment = find(session, team_id=team_id, user_id=user_id, path_id=path.id)
    if enrolment is not None and enrolment.status in (*ON_IT, EnrolmentStatus.INVITED):
        return None
    if enrolment is None:
        enrolment = PracticeEnrolment(
            team_id=team_id, user_id=user_id, path_id=path.id, path_version=path.version, round=0
        )
        session.add(enrolment)
    enrolment.status = EnrolmentStatus.INVITED.value
    enrolment.invited_by = by
    enrolment.invited_at = now
    enrolment.status_changed_at = now
    session.flush()
    return enrolment


def answer_invitation(
    session: Session,
    *,
    team_id: str,
    user_id: str,
    enrolment_id: int,
    join: bool,
    path: PracticePath | None,
    now: dt.datetime,
) -> tuple[PracticeEnrolment, bool]:
    """Join or decline; returns (enrolment, whether this answer changed anything). A second
    click finds the invitation answered and changes nothing."""
    enrolment = _enrolment(session, team_id=team_id, enrolment_id=enrolment_id, user_id=user_id)
    if enrolment.status != EnrolmentStatus.INVITED:
        return enrolment, False
    if not join:
        enrolment.status = EnrolmentStatus.DECLINED.value
        enrolment.status_changed_at = now
        return enrolment, True
    if path is None:
        raise InflowError("That practice path is no longer offered, so there's nothing to join.")
    _begin(session, enrolment, path, now)
    return enrolment, True


def _drop_planned(session: Session, enrolment: PracticeEnrolment, why: str) -> None:
    """Planned, unsent messages of the enrolment go: a paused or left path sends nothing."""
    session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.team_id == enrolment.team_id,
            OutboxMessage.recipient == enrolment.user_id,
            OutboxMessage.kind == OutboxKind.PRACTICE.value,
            OutboxMessage.subject == subject(enrolment.id),
            OutboxMessage.status == OutboxStatus.PENDING.value,
        )
        .values(status=OutboxStatus.SKIPPED.value, error=why)
    )


def pause(session: Session, *, team_id: str, user_id: str, enrolment_id: int, now: dt.datetime):
    """Stop the weeks where they are; returns (enrolment, whether it changed)."""
    enrolment = _enrolment(session, team_id=team_id, enrolment_id=enrolment_id, user_id=user_id)
    if enrolment.status != EnrolmentStatus.ACTIVE:
        return enrolment, False
    enrolment.status = EnrolmentStatus.PAUSED.value
    enrolment.status_changed_at = now
    _drop_planned(session, enrolment, "the person paused the path")
    return enrolment, True


def resume(session: Session, *, team_id: str, user_id: str, enrolment_id: int, now: dt.datetime):
    """Carry on from the step they were on: its DM again if it had not gone, else its check-in."""
    enrolment = _enrolment(session, team_id=team_id, enrolment_id=enrolment_id, user_id=user_id)
    if enrolment.status != EnrolmentStatus.PAUSED:
        return enrolment, False
    enrolment.status = EnrolmentStatus.ACTIVE.value
    enrolment.status_changed_at = now
    enrolment.round += 1  # new occurrences: what the pause dropped may be placed again
    step = current_step(session, enrolment)
    if step is not None:
        if step.sent_at is None:
            step.begins_at = now
        elif step.outcome is None:
            step.check_in_due = max(step.check_in_due or now, now)
            step.check_in_sent_at = None
    return enrolment, True


def leave(session: Session, *, team_id: str, user_id: str, enrolment_id: int, now: dt.datetime):
    """Leave the path for good (they can start it again later)."""
    enrolment = _enrolment(session, team_id=team_id, enrolment_id=enrolment_id, user_id=user_id)
    if enrolment.status not in ON_IT:
        return enrolment, False
    enrolment.status = EnrolmentStatus.LEFT.value
    enrolment.status_changed_at = now
    _drop_planned(session, enrolment, "the person left the path")
    return enrolment, True


def _step(session: Session, *, team_id: str, user_id: str, step_id: int) -> PracticeStep:
    step = session.scalar(
        select(PracticeStep)
        .where(PracticeStep.team_id == team_id, PracticeStep.id == step_id)
        .with_for_update()
    )
    if step is None or step.user_id != user_id:
        raise InflowError("That practice step isn't one of yours.")
    return step


def commit(
    session: Session, *, team_id: str, user_id: str, step_id: int, commitment: str, now: dt.datetime
) -> PracticeStep:
    """Store the real situation the person will practise in (theirs alone)."""
    text = commitment.strip()
    if not text:
        raise InflowError("Say in a few words where you'll try it.")
    if len(text) > MAX_COMMITMENT:
        raise InflowError(f"Keep it under {MAX_COMMITMENT} characters.")
    step = _step(session, team_id=team_id, user_id=user_id, step_id=step_id)
    step.commitment = text
    step.committed_at = now
    return step


def get_step(session: Session, *, team_id: str, user_id: str, step_id: int) -> PracticeStep:
    return _step(session, team_id=team_id, user_id=user_id, step_id=step_id)


def _open_step(session: Session, *, team_id: str, user_id: str, step_id: int):
    """The step and its enrolment, if its check-in is still to be answered."""
    step = _step(session, team_id=team_id, user_id=user_id, step_id=step_id)
    enrolment = _enrolment(
        session, team_id=team_id, enrolment_id=step.enrolment_id, user_id=user_id
    )
    if step.outcome is not None or enrolment.current_week != step.week:
        return step, enrolment, False
    return step, enrolment, enrolment.status in ON_IT


def _advance(
    session: Session, enrolment: PracticeEnrolment, step: PracticeStep, now: dt.datetime
) -> PracticeStep | None:
    """On to the next week (a week after this one's DM), or the path is finished: None."""
    following = session.scalar(
        select(PracticeStep).where(
            PracticeStep.enrolment_id == enrolment.id, PracticeStep.week == step.week + 1
        )
    )
    if following is None:
        enrolment.status = EnrolmentStatus.FINISHED.value
        enrolment.status_changed_at = enrolment.finished_at = now
        return None
    enrolment.current_week = following.week
    following.begins_at = max(now, (step.sent_at or now) + STEP_EVERY)
    return following


def tried(
    session: Session,
    *,
    team_id: str,
    user_id: str,
    step_id: int,
    what_happened: str,
    what_changed: str,
    confidence: int,
    now: dt.datetime,
) -> tuple[PracticeStep, PracticeStep | None, bool]:
    """Record how it went; returns (step, the next step or None, whether this was new)."""
    if not what_happened.strip():
        raise InflowError("Say in a sentence or two what happened.")
    if not 1 <= confidence <= 5:
        raise InflowError("Pick how confident you feel now, from 1 to 5.")
    step, enrolment, open_ = _open_step(session, team_id=team_id, user_id=user_id, step_id=step_id)
    if not open_:
        return step, None, False
    step.outcome = StepOutcome.TRIED.value
    step.what_happened = what_happened.strip()[:MAX_ANSWER]
    step.what_changed = what_changed.strip()[:MAX_ANSWER] or None
    step.confidence = confidence
    step.answered_at = now
    return step, _advance(session, enrolment, step, now), True


def skip(session: Session, *, team_id: str, user_id: str, step_id: int, now: dt.datetime):
    """Skip this week's step; returns (step, the next step or None, whether this was new)."""
    step, enrolment, open_ = _open_step(session, team_id=team_id, user_id=user_id, step_id=step_id)
    if not open_:
        return step, None, False
    step.outcome = StepOutcome.SKIPPED.value
    step.answered_at = now
    return step, _advance(session, enrolment, step, now), True


def not_yet(session: Session, *, team_id: str, user_id: str, step_id: int, now: dt.datetime):
    """Ask again in a few days, once; returns (step, whether this moved it)."""
    step, _, open_ = _open_step(session, team_id=team_id, user_id=user_id, step_id=step_id)
    if not open_ or step.not_yet >= 1 or step.check_in_sent_at is None:
        return step, False
    step.not_yet += 1
    step.check_in_due = now + NOT_YET_AFTER
    step.check_in_sent_at = None
    return step, True


# -- the planner's hooks: what was sent ---------------------------------------------------------


def step_sent(session: Session, *, team_id: str, ref: int, channel: str, ts: str, now):
    """The step's DM went: its check-in is due later that week. A step that went while the
    week before still waited for its check-in answer (`moving_on`) makes it the current one."""
    step = session.get(PracticeStep, int(ref))
    if step is None or step.team_id != team_id or step.sent_at is not None:
        return
    step.sent_at = now
    step.check_in_due = now + CHECK_IN_AFTER
    enrolment = session.get(PracticeEnrolment, step.enrolment_id)
    if enrolment is not None and enrolment.current_week < step.week:
        for earlier in steps_of(session, enrolment.id):
            if earlier.week < step.week and earlier.outcome is None:
                earlier.outcome = StepOutcome.NO_ANSWER.value
        enrolment.current_week = step.week


def moving_on(session: Session, step: PracticeStep) -> tuple[PracticeStep, dt.datetime] | None:
    """For a step whose check-in went unanswered: the next week's step and from when it goes
    anyway (a week after this one, once the check-in has waited a few days); None for the last
    week or a check-in not sent yet."""
    if step.sent_at is None or step.check_in_sent_at is None or step.outcome is not None:
        return None
    following = session.scalar(
        select(PracticeStep).where(
            PracticeStep.enrolment_id == step.enrolment_id, PracticeStep.week == step.week + 1
        )
    )
    if following is None or following.sent_at is not None:
        return None
    return following, max(step.sent_at + STEP_EVERY, step.check_in_sent_at + UNANSWERED_FOR)


def check_in_sent(session: Session, *, team_id: str, ref: int, channel: str, ts: str, now):
    step = session.get(PracticeStep, int(ref))
    if step is not None and step.team_id == team_id:
        step.check_in_sent_at = now


def under_way(
    session: Session, *, team_id: str, user_id: str
) -> list[tuple[PracticeEnrolment, int]]:
    """The person's paths that are running or paused, with how many weeks each has."""
    enrolments = session.scalars(
        select(PracticeEnrolment)
        .where(
            PracticeEnrolment.team_id == team_id,
            PracticeEnrolment.user_id == user_id,
            PracticeEnrolment.status.in_([s.value for s in ON_IT]),
        )
        .order_by(PracticeEnrolment.started_at)
    ).all()
    return [(e, len(steps_of(session, e.id))) for e in enrolments]


def active_steps(session: Session) -> list[tuple[PracticeEnrolment, PracticeStep, int]]:
    """Every active enrolment's current step and how many weeks its path has, for the planner."""
    weeks = (
        select(PracticeStep.enrolment_id, func.count().label("weeks"))
        .group_by(PracticeStep.enrolment_id)
        .subquery()
    )
    return list(
        session.execute(
            select(PracticeEnrolment, PracticeStep, weeks.c.weeks)
            .join(weeks, weeks.c.enrolment_id == PracticeEnrolment.id)
            .join(
                PracticeStep,
                (PracticeStep.enrolment_id == PracticeEnrolment.id)
                & (PracticeStep.week == PracticeEnrolment.current_week),
            )
            .where(
                PracticeEnrolment.status == EnrolmentStatus.ACTIVE.value,
                PracticeStep.outcome.is_(None),
            )
            .order_by(PracticeEnrolment.id)
        ).tuples()
    )


# -- the end of a path ---------------------------------------------------------------------------


def first_confidence(session: Session, enrolment_id: int) -> int | None:
    """The confidence the person gave in week 1's check-in, if they answered it."""
    return session.scalar(
        select(PracticeStep.confidence).where(
            PracticeStep.enrolment_id == enrolment_id, PracticeStep.week == 1
        )
    )


def reflect(
    session: Session,
    *,
    team_id: str,
    user_id: str,
    enrolment_id: int,
    before: int | None,
    after: int,
    difference: str,
    shared: str,
    now: dt.datetime,
) -> tuple[PracticeEnrolment, bool]:
    """Store the end-of-path answers; returns (enrolment, whether this was new). `before` None:
    week 1's check-in gave it. The shared line is optional: left empty, nothing is shared."""
    enrolment = _enrolment(session, team_id=team_id, enrolment_id=enrolment_id, user_id=user_id)
    if enrolment.status != EnrolmentStatus.FINISHED:
        raise InflowError("That path isn't finished, so there's nothing to look back on yet.")
    if before is None:
        before = first_confidence(session, enrolment.id)
    for confidence in (before, after):
        if confidence is None or not 1 <= confidence <= 5:
            raise InflowError("Pick how confident you felt, from 1 to 5.")
    if not difference.strip():
        raise InflowError("Say in a sentence what is different in your work now.")
    if len(shared.strip()) > MAX_SHARED:
        raise InflowError(f"Keep the shared line under {MAX_SHARED} characters.")
    if enrolment.reflected_at is not None:
        return enrolment, False
    enrolment.confidence_before, enrolment.confidence_after = before, after
    enrolment.difference = difference.strip()[:MAX_ANSWER]
    enrolment.shared_line = " ".join(shared.split()) or None
    enrolment.reflected_at = now
    return enrolment, True


# -- for a confirmed manager ---------------------------------------------------------------------


def of_reports(
    session: Session, *, team_id: str, manager_id: str
) -> list[tuple[str, PracticeEnrolment, int]]:
    """Where each report who confirmed this manager is on their paths: (report, enrolment,
    weeks). Only the enrolment's path, week and status are meant to be shown from it."""
    found = []
    for report_id in teams.reports_of(session, team_id=team_id, manager_id=manager_id):
        found += [
            (report_id, enrolment, weeks)
            for enrolment, weeks in under_way(session, team_id=team_id, user_id=report_id)
        ]
    return found


def manager_notes(session: Session) -> dict[tuple[str, str], list[tuple[PracticeStep, int]]]:
    """Each person's current step with a manager note on a running path, and its path's number
    of weeks, by (team, person): what their confirmed managers' coaching question is drawn
    from. The caller checks the link; nothing of the person's own words is read here."""
    weeks = (
        select(PracticeStep.enrolment_id, func.count().label("weeks"))
        .group_by(PracticeStep.enrolment_id)
        .subquery()
    )
    found: dict[tuple[str, str], list[tuple[PracticeStep, int]]] = {}
    rows = session.execute(
        select(PracticeStep, weeks.c.weeks)
        .join(weeks, weeks.c.enrolment_id == PracticeStep.enrolment_id)
        .join(
            PracticeEnrolment,
            (PracticeEnrolment.id == PracticeStep.enrolment_id)
            & (PracticeEnrolment.current_week == PracticeStep.week),
        )
        .where(
            PracticeEnrolment.status == EnrolmentStatus.ACTIVE.value,
            PracticeStep.manager_note.is_not(None),
        )
        .order_by(PracticeStep.enrolment_id)
    ).tuples()
    for step, count in rows:
        found.setdefault((step.team_id, step.user_id), []).append((step, count))
    return found
