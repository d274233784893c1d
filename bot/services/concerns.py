"""Concerns raised privately with the program coordinators; the partner is never told."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.services.coordinators import list_coordinators
from bot.services.enrollment import find_participant
from bot.services.errors import DomainError
from bot.services.pairs import PUBLISHED, current_pairs, pair_with_people
from bot.services.programs import find_open_program
from bot.services.workspaces import ensure_workspace
from models import Concern, Pair
from models.enums import ParticipantStatus

TEXT_LENGTH = 2000


class NoCoordinatorsError(DomainError):
    def __init__(self, *, only_you: bool) -> None:
        if only_you:
            message = (
                "The program's only coordinators are you or your partner, so nobody else could "
                "read this privately. Please talk to your HR contact directly."
            )
        else:
            message = (
                "No program coordinators are set up yet, so there is nobody to send this to "
                "privately. Please talk to your HR contact directly."
            )
        super().__init__(message)


@dataclass(frozen=True)
class PairPeople:
    """The Slack users of a pair; None for a side who asked to be forgotten."""

    pair_id: int
    mentor: str | None
    mentee: str | None


@dataclass(frozen=True)
class ConcernDetails:
    """A concern as coordinators see it."""

    concern_id: int
    reporter: str
    text: str
    raised_at: datetime
    pairs: list[PairPeople]  # the linked pair, or the reporter's pairs when none was linked
    linked: bool  # True when the concern is stored against one pair
    acknowledged_by: str | None
    acknowledged_at: datetime | None


@dataclass(frozen=True)
class RaisedConcern:
    details: ConcernDetails
    recipients: list[str]  # coordinators to tell, never the reporter or their partners


@dataclass(frozen=True)
class Acknowledgement:
    details: ConcernDetails
    first: bool  # False when someone had acknowledged it already


def validate_concern_text(text: str) -> str | None:
    """What is wrong with the concern's text, or None when it may be sent."""
    if not text.strip():
        return "Please write what's on your mind."
    if len(text) > TEXT_LENGTH:
        return f"Please keep it under {TEXT_LENGTH} characters."
    return None


def _people(pair: Pair) -> PairPeople:
    return PairPeople(
        pair_id=pair.id,
        mentor=pair.mentor.slack_user_id if pair.mentor else None,
        mentee=pair.mentee.slack_user_id if pair.mentee else None,
    )


def _published_pairs(db_session: Session, *, team_id: str, user_id: str) -> list[Pair]:
    participant = find_participant(db_session, team_id=team_id, user_id=user_id)
    if participant is None or participant.status == ParticipantStatus.LEFT:
        return []
    pairs = current_pairs(db_session, participant_id=participant.id)
    return [p for p in pairs if p.status in PUBLISHED]


def _recipients(
    db_session: Session,
    *,
    team_id: str,
    reporter: str,
    pairs: list[Pair],
    configured: frozenset[str],
) -> list[str]:
    listed = list_coordinators(db_session, team_id=team_id, configured=configured)
    everyone = listed.configured + listed.added
    if not everyone:
        raise NoCoordinatorsError(only_you=False)
    involved = {reporter}
    for pair in pairs:
        people = _people(pair)
        involved |= {u for u in (people.mentor, people.mentee) if u}
    recipients = [u for u in everyone if u not in involved]
    if not recipients:
        raise NoCoordinatorsError(only_you=True)
    return recipients


def concern_recipients(
    db_session: Session, *, team_id: str, user_id: str, configured: frozenset[str]
) -> list[str]:
    """Coordinators who would read the user's concern; raises NoCoordinatorsError if none.

    Named coordinators only (configured and added): Slack cannot list workspace admins. The
    reporter and their partners are left out even when they are coordinators themselves.
    """
    pairs = _published_pairs(db_session, team_id=team_id, user_id=user_id)
    return _recipients(
        db_session, team_id=team_id, reporter=user_id, pairs=pairs, configured=configured
    )


def _details(db_session: Session, concern: Concern, reporter_pairs: list[Pair]) -> ConcernDetails:
    pair = pair_with_people(db_session, pair_id=concern.pair_id) if concern.pair_id else None
    pairs = [pair] if pair is not None else reporter_pairs
    return ConcernDetails(
        concern_id=concern.id,
        reporter=concern.reporter_user_id,
        text=concern.text,
        raised_at=concern.created_at,
        pairs=[_people(p) for p in pairs],
        linked=pair is not None,
        acknowledged_by=concern.acknowledged_by,
        acknowledged_at=concern.acknowledged_at,
    )


def raise_concern(
    db_session: Session,
    *,
    team_id: str,
    user_id: str,
    text: str,
    configured: frozenset[str],
    now: datetime,
) -> RaisedConcern:
    """Store a concern, linked to the reporter's pair when they have exactly one."""
    problem = validate_concern_text(text)
    if problem:
        raise DomainError(problem)
    pairs = _published_pairs(db_session, team_id=team_id, user_id=user_id)
    recipients = _recipients(
        db_session, team_id=team_id, reporter=user_id, pairs=pairs, configured=configured
    )
    ensure_workspace(db_session, team_id=team_id)
    participant = find_participant(db_session, team_id=team_id, user_id=user_id)
    program = find_open_program(db_session, team_id=team_id)
    program_id = participant.program_id if participant else program.id if program else None
    concern = Concern(
        team_id=team_id,
        program_id=program_id,
        reporter_user_id=user_id,
        pair_id=pairs[0].id if len(pairs) == 1 else None,
        text=text.strip(),
        created_at=now,
        updated_at=now,
    )
    db_session.add(concern)
    db_session.flush()
    return RaisedConcern(details=_details(db_session, concern, pairs), recipients=recipients)


def acknowledge_concern(
    db_session: Session, *, team_id: str, concern_id: int, user_id: str, now: datetime
) -> Acknowledgement:
    """Record that a coordinator has read the concern; a second acknowledgement changes nothing.

    The caller has checked that `user_id` is a coordinator.
    """
    concern = db_session.scalars(
        select(Concern).where(Concern.id == concern_id, Concern.team_id == team_id)
    ).one_or_none()
    if concern is None:
        raise DomainError("That concern no longer exists.")
    first = concern.acknowledged_at is None
    if first:
        concern.acknowledged_by, concern.acknowledged_at = user_id, now
        concern.updated_at = now
    pairs = [] if concern.pair_id else _reporter_pairs(db_session, concern)
    return Acknowledgement(details=_details(db_session, concern, pairs), first=first)


def _reporter_pairs(db_session: Session, concern: Concern) -> list[Pair]:
    return _published_pairs(db_session, team_id=concern.team_id, user_id=concern.reporter_user_id)
