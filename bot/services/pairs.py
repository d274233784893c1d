"""Pairs of a reverse mentor and a mentee."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, bindparam, or_, select
from sqlalchemy.orm import Session, joinedload

from models import Pair, Participant
from models.enums import PairStatus

# Pairs whose people have been told about each other.
PUBLISHED = (PairStatus.ACTIVE, PairStatus.AT_RISK)
CURRENT = (PairStatus.PROPOSED, *PUBLISHED)


def create_pair(
    db_session: Session,
    *,
    mentor: Participant,
    mentee: Participant,
    status: PairStatus,
    now: datetime,
) -> Pair:
    """Record a pair in the mentor's program."""
    pair = Pair(
        team_id=mentor.team_id,
        program_id=mentor.program_id,
        mentor_id=mentor.id,
        mentee_id=mentee.id,
        status=status,
        created_at=now,
        updated_at=now,
    )
    pair.mentor, pair.mentee = mentor, mentee
    db_session.add(pair)
    db_session.flush()
    return pair


def current_pairs(db_session: Session, *, participant_id: int) -> list[Pair]:
    """The participant's proposed, active or at-risk pairs, with both people loaded."""
    return list(
        db_session.scalars(
            select(Pair)
            .where(
                or_(Pair.mentor_id == participant_id, Pair.mentee_id == participant_id),
                Pair.status.in_(CURRENT),
            )
            .options(joinedload(Pair.mentor), joinedload(Pair.mentee))
            .order_by(Pair.id)
        )
    )


# Built once (it runs for every status and App Home): building it costs more than running it.
_INTRODUCED_PARTNERS = (
    select(Participant.slack_user_id)
    .join(
        Pair,
        or_(
            and_(Pair.mentor_id == bindparam("me"), Pair.mentee_id == Participant.id),
            and_(Pair.mentee_id == bindparam("me"), Pair.mentor_id == Participant.id),
        ),
    )
    .where(Pair.status.in_(PUBLISHED))
    .order_by(Pair.id)
)


def introduced_partners(db_session: Session, *, participant_id: int) -> list[str]:
    """Slack ids of the people the participant has been introduced to in their current
    (published) pairs, oldest pair first."""
    return list(db_session.scalars(_INTRODUCED_PARTNERS, {"me": participant_id}))


def partner_of(pair: Pair, participant_id: int) -> Participant | None:
    return pair.mentee if pair.mentor_id == participant_id else pair.mentor


def end_pair(pair: Pair, *, reason: str, now: datetime) -> None:
    pair.status, pair.ended_at, pair.ended_reason, pair.updated_at = (
        PairStatus.ENDED,
        now,
        reason,
        now,
    )


def team_of_pair(db_session: Session, *, pair_id: int) -> str:
    """The workspace a pair belongs to."""
    return str(db_session.scalars(select(Pair.team_id).where(Pair.id == pair_id)).one())


def pair_with_people(db_session: Session, *, pair_id: int) -> Pair | None:
    """The pair with both people loaded (relationships never load on their own)."""
    return db_session.scalars(
        select(Pair)
        .where(Pair.id == pair_id)
        .options(joinedload(Pair.mentor), joinedload(Pair.mentee))
    ).one_or_none()
