"""What comes after a pair's program: each person's choice in the close-out (keep meeting
informally, or join the next program in the same role or the other one), and the invitation
to the next program for those who asked for one, with their answers ready to send again."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, selectinload

from bot.services import outbox
from bot.services.enrollment import profile_of
from bot.services.errors import DomainError
from bot.services.local_time import outside_quiet_hours
from bot.services.pairs import pair_with_people
from bot.services.profile import ProfileInput
from models import Participant, Program
from models.enums import NextStep, PairStatus, ParticipantStatus, ProgramStatus, Role

INVITE = "next_program_invite"
RETURNING = (NextStep.NEXT, NextStep.OTHER_ROLE)
OTHER_ROLE = {Role.MENTOR: Role.MENTEE, Role.MENTEE: Role.MENTOR, Role.BOTH: Role.BOTH}


@dataclass(frozen=True)
class Chosen:
    step: NextStep
    role: Role  # the role they would join the next program in


def choose(
    db_session: Session,
    *,
    team_id: str,
    pair_id: int,
    user_id: str,
    step: NextStep,
    now: datetime,
) -> Chosen:
    """Record the person's choice (they may change their mind: the last one counts)."""
    pair = pair_with_people(db_session, pair_id=pair_id)
    if pair is None or pair.team_id != team_id or pair.status != PairStatus.COMPLETED:
        raise DomainError("That choice is offered once a pair has completed its program.")
    person = next(
        (p for p in (pair.mentor, pair.mentee) if p is not None and p.slack_user_id == user_id),
        None,
    )
    if person is None:
        raise DomainError("Only the two people in this pair can answer that.")
    person.next_step, person.next_step_at = step, now
    role = OTHER_ROLE[person.role] if step == NextStep.OTHER_ROLE else person.role
    return Chosen(step, role)


def invite_returning(db_session: Session, *, program: Program, now: datetime) -> int:
    """Queue an invitation to `program` for each person of the workspace who asked to join
    the next program and has not joined this one; once per person and choice, however often
    this runs. Returns how many were queued now."""
    if program.status != ProgramStatus.OPEN or not program.signup_open:
        return 0
    joined = set(
        db_session.scalars(
            select(Participant.slack_user_id).where(Participant.program_id == program.id)
        )
    )
    latest: dict[str, Participant] = {}
    for person in db_session.scalars(
        select(Participant)
        .where(
            Participant.team_id == program.team_id,
            Participant.program_id != program.id,
            Participant.status == ParticipantStatus.ACTIVE,
            Participant.next_step.in_(RETURNING),
        )
        .order_by(Participant.id)
    ):
        latest[person.slack_user_id] = person
    queued = 0
    for user, person in latest.items():
        if user in joined:
            continue
        queued += outbox.enqueue(
            db_session,
            team_id=program.team_id,
            dedupe_key=f"{INVITE}:{person.id}",
            kind=INVITE,
            channel=user,
            payload={
                "program_id": program.id,
                "other_role": person.next_step == NextStep.OTHER_ROLE,
            },
            due_at=outside_quiet_hours(now, person.timezone),
            now=now,
        )
    return queued


# Built once: it runs for every new person's sign-up form, before the form can open.
_RETURNING = (
    select(Participant)
    .where(
        Participant.team_id == bindparam("team_id"),
        Participant.slack_user_id == bindparam("user_id"),
        Participant.status == ParticipantStatus.ACTIVE,
        Participant.next_step.in_(RETURNING),
    )
    .options(selectinload(Participant.topics), selectinload(Participant.exclusions))
    .order_by(Participant.id.desc())
)


def returning_profile(db_session: Session, *, team_id: str, user_id: str) -> ProfileInput | None:
    """The person's answers from their last program, for the next one's sign-up form, with
    the roles swapped (what they taught, they now learn) if they asked for the other role;
    None unless they chose in a close-out to come back."""
    person = db_session.scalars(_RETURNING, {"team_id": team_id, "user_id": user_id}).first()
    if person is None:
        return None
    # Consent is to this program's use of the answers: asked again, never carried over.
    profile = replace(profile_of(person), consent=False)
    if person.next_step != NextStep.OTHER_ROLE or person.role == Role.BOTH:
        return profile
    return replace(
        profile,
        role=OTHER_ROLE[person.role],
        teach_topics=profile.learn_topics,
        learn_topics=profile.teach_topics,
        self_ratings={},
    )
