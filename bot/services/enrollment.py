"""Signing up for the open program and editing one's profile."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, selectinload

from bot.services.errors import SignupClosedError
from bot.services.profile import ProfileInput
from bot.services.programs import get_or_create_open_program
from models import MatchExclusion, Participant, ParticipantTopic, Program
from models.enums import ParticipantStatus, ProgramStatus, TopicDirection


@dataclass(frozen=True)
class Enrollment:
    participant: Participant
    program: Program
    created: bool


def find_participant(db_session: Session, *, team_id: str, user_id: str) -> Participant | None:
    """The user's participation in the workspace's open program, with topics and exclusions."""
    return find_participation(db_session, team_id=team_id, user_id=user_id)[1]


# Built once, as it runs for most requests before Slack's ack: building and keying a statement
# with eager loads costs about as much as running it. A person has a handful of topics and
# exclusions, so joining both costs a few rows.
_PARTICIPATION = (
    select(Program, Participant)
    .outerjoin(
        Participant,
        and_(
            Participant.program_id == Program.id,
            Participant.slack_user_id == bindparam("user_id"),
        ),
    )
    .where(Program.team_id == bindparam("team_id"), Program.status == ProgramStatus.OPEN)
    .options(joinedload(Participant.topics), joinedload(Participant.exclusions))
)


def find_participation(
    db_session: Session, *, team_id: str, user_id: str
) -> tuple[Program | None, Participant | None]:
    """The workspace's open program and the user's participation in it (with topics and
    exclusions), in one query."""
    found = (
        db_session.execute(_PARTICIPATION, {"team_id": team_id, "user_id": user_id})
        .unique()
        .one_or_none()
    )
    return (found[0], found[1]) if found is not None else (None, None)


def _find_in_program(db_session: Session, *, program_id: int, user_id: str) -> Participant | None:
    return db_session.scalars(
        select(Participant)
        .where(Participant.program_id == program_id, Participant.slack_user_id == user_id)
        .options(selectinload(Participant.topics), selectinload(Participant.exclusions))
    ).one_or_none()


def save_profile(
    db_session: Session,
    *,
    team_id: str,
    user_id: str,
    profile: ProfileInput,
    timezone: str | None,
    now: datetime,
) -> Enrollment:
    """Enrol the user in the open program, or update their profile if they already are."""
    program, existing = find_participation(db_session, team_id=team_id, user_id=user_id)
    if program is None:  # the workspace's first contact: its first program
        program = get_or_create_open_program(db_session, team_id=team_id, now=now)
        existing = _find_in_program(db_session, program_id=program.id, user_id=user_id)
    if existing is None and not program.signup_open:
        raise SignupClosedError(program.name)
    assert profile.role and profile.career_stage and profile.personality and profile.cadence
    created = existing is None
    participant = existing or Participant(
        team_id=team_id,
        program_id=program.id,
        slack_user_id=user_id,
        consented_at=now,
        created_at=now,
        topics=[],  # a new person's collections start empty (relationships never lazy-load)
        exclusions=[],
    )
    _fill(participant, profile, timezone=timezone, now=now, user_id=user_id)
    if created:
        try:
            # Whole, in one flush; a savepoint, so a concurrent sign-up of the same person
            # loses only this insert.
            with db_session.begin_nested():
                db_session.add(participant)
        except IntegrityError:
            winner = _find_in_program(db_session, program_id=program.id, user_id=user_id)
            if winner is None:
                raise
            participant, created = winner, False
            _fill(participant, profile, timezone=timezone, now=now, user_id=user_id)
    db_session.flush()
    return Enrollment(participant=participant, program=program, created=created)


def _fill(
    participant: Participant,
    profile: ProfileInput,
    *,
    timezone: str | None,
    now: datetime,
    user_id: str,
) -> None:
    assert profile.role and profile.career_stage and profile.personality and profile.cadence
    participant.role = profile.role
    participant.department = profile.department.strip()
    participant.location = profile.location.strip()
    participant.job_title = profile.job_title.strip()
    participant.career_stage = profile.career_stage
    participant.personality = profile.personality
    participant.cadence = profile.cadence
    participant.mentee_capacity = profile.mentee_capacity if profile.teaches else 1
    participant.updated_at = now
    participant.status, participant.left_at = ParticipantStatus.ACTIVE, None  # re-joining
    if timezone:
        participant.timezone = timezone
    _sync_topics(participant, profile)
    _sync_exclusions(participant, profile, user_id=user_id)


def _sync_topics(participant: Participant, profile: ProfileInput) -> None:
    # Update rows in place rather than delete-and-insert: the unit of work inserts before it
    # deletes, which would trip the (participant, direction, topic) unique constraint.
    wanted: dict[tuple[TopicDirection, str], int | None] = {
        (TopicDirection.TEACH, t): None for t in profile.teach_topics
    }
    wanted.update(
        {(TopicDirection.LEARN, t): profile.self_ratings.get(t) for t in profile.learn_topics}
    )
    kept: list[ParticipantTopic] = []
    for row in participant.topics:
        key = (row.direction, row.topic)
        if key in wanted:
            row.self_rating = wanted.pop(key)
            kept.append(row)
    for (direction, topic), rating in wanted.items():
        kept.append(
            ParticipantTopic(
                team_id=participant.team_id, direction=direction, topic=topic, self_rating=rating
            )
        )
    participant.topics = kept


def _sync_exclusions(participant: Participant, profile: ProfileInput, *, user_id: str) -> None:
    wanted = [u for u in dict.fromkeys(profile.do_not_match) if u != user_id]
    kept = [row for row in participant.exclusions if row.excluded_user_id in wanted]
    have = {row.excluded_user_id for row in kept}
    kept += [
        MatchExclusion(team_id=participant.team_id, excluded_user_id=u)
        for u in wanted
        if u not in have
    ]
    participant.exclusions = kept


def signup_ratings(db_session: Session, *, participant_id: int) -> dict[str, int]:
    """How the participant rated themselves at sign-up in each topic they came to learn."""
    rows = db_session.execute(
        select(ParticipantTopic.topic, ParticipantTopic.self_rating).where(
            ParticipantTopic.participant_id == participant_id,
            ParticipantTopic.direction == TopicDirection.LEARN,
            ParticipantTopic.self_rating.is_not(None),
        )
    ).all()
    return {topic: rating for topic, rating in rows if rating is not None}


def learn_topics(db_session: Session, *, participant_id: int | None) -> list[str]:
    """The topics a participant wants to learn, in the order they chose them."""
    if participant_id is None:
        return []
    return list(
        db_session.scalars(
            select(ParticipantTopic.topic)
            .where(
                ParticipantTopic.participant_id == participant_id,
                ParticipantTopic.direction == TopicDirection.LEARN,
            )
            .order_by(ParticipantTopic.id)
        )
    )


def profile_of(participant: Participant) -> ProfileInput:
    """The participant's stored profile, in the shape the sign-up form edits."""
    learn = [t for t in participant.topics if t.direction == TopicDirection.LEARN]
    return ProfileInput(
        role=participant.role,
        department=participant.department,
        location=participant.location,
        job_title=participant.job_title,
        career_stage=participant.career_stage,
        teach_topics=participant.topic_keys(TopicDirection.TEACH),
        learn_topics=[t.topic for t in learn],
        self_ratings={t.topic: t.self_rating for t in learn if t.self_rating is not None},
        personality=participant.personality,
        cadence=participant.cadence,
        mentee_capacity=participant.mentee_capacity,
        do_not_match=[e.excluded_user_id for e in participant.exclusions],
        consent=True,
    )


def set_timezone(db_session: Session, *, participant_id: int, timezone: str) -> None:
    """Record the participant's IANA time zone as Slack reports it."""
    db_session.execute(
        update(Participant).where(Participant.id == participant_id).values(timezone=timezone)
    )
