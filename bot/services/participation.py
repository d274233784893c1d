"""What participants control themselves: pause, leave, forget me, and what the app holds."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, bindparam, delete, func, or_, select, update
from sqlalchemy.orm import Session, selectinload

from bot.services.enrollment import find_participant, find_participation, profile_of
from bot.services.errors import DomainError, NotEnrolledError
from bot.services.pairs import PUBLISHED, current_pairs, end_pair, introduced_partners, partner_of
from bot.services.profile import ProfileInput
from bot.services.programs import ProgramInfo
from models import (
    Concern,
    Coordinator,
    Goal,
    MatchExclusion,
    MatchRound,
    MentoringSession,
    OutboxMessage,
    Pair,
    Participant,
    Poll,
    PollTopicVote,
    PollVote,
    Program,
)
from models.enums import ParticipantStatus, Side

DEFAULT_PAUSE_WEEKS = 2
MAX_PAUSE_WEEKS = 12


def _active_participant(db_session: Session, *, team_id: str, user_id: str) -> Participant:
    participant = find_participant(db_session, team_id=team_id, user_id=user_id)
    if participant is None or participant.status == ParticipantStatus.LEFT:
        raise NotEnrolledError
    return participant


def pause(
    db_session: Session, *, team_id: str, user_id: str, weeks: int, now: datetime
) -> datetime:
    """No matching and no prompts until the returned moment, when the pause ends by itself."""
    if not 1 <= weeks <= MAX_PAUSE_WEEKS:
        raise DomainError(f"You can pause for 1 to {MAX_PAUSE_WEEKS} weeks.")
    participant = _active_participant(db_session, team_id=team_id, user_id=user_id)
    participant.paused_until = now + timedelta(weeks=weeks)
    participant.updated_at = now
    return participant.paused_until


def resume(db_session: Session, *, team_id: str, user_id: str, now: datetime) -> bool:
    """End a pause early; False if the participant was not paused."""
    participant = _active_participant(db_session, team_id=team_id, user_id=user_id)
    was_paused = participant.is_paused(now)
    participant.paused_until, participant.updated_at = None, now
    return was_paused


def eligible_filter(program_id: int, now: datetime) -> ColumnElement[bool]:
    """The participants of a program who may be matched and prompted now."""
    return and_(
        Participant.program_id == program_id,
        Participant.status == ParticipantStatus.ACTIVE,
        (Participant.paused_until.is_(None)) | (Participant.paused_until <= now),
    )


def eligible_participants(
    db_session: Session, *, program_id: int, now: datetime
) -> list[Participant]:
    """Participants who may be matched and prompted now: active, and not on a pause.

    Their topics and do-not-match lists come loaded, for matching.
    """
    return list(
        db_session.scalars(
            select(Participant)
            .where(eligible_filter(program_id, now))
            .options(selectinload(Participant.topics), selectinload(Participant.exclusions))
            .order_by(Participant.id)
        )
    )


@dataclass(frozen=True)
class Departure:
    program_name: str
    partners_to_tell: list[str] = field(default_factory=list)  # Slack user ids


def _end_pairs_of(participant: Participant, db_session: Session, now: datetime) -> list[str]:
    """End the participant's current pairs; return partners who had been told of the pair."""
    partners = []
    for pair in current_pairs(db_session, participant_id=participant.id):
        side = "mentor" if pair.mentor_id == participant.id else "mentee"
        partner = partner_of(pair, participant.id)
        if pair.status in PUBLISHED and partner is not None:
            partners.append(partner.slack_user_id)
        end_pair(pair, reason=f"{side} left", now=now)
    return partners


def leave(db_session: Session, *, team_id: str, user_id: str, now: datetime) -> Departure:
    """Leave the open program; current pairs end, and partners are to be told (no reason)."""
    participant = _active_participant(db_session, team_id=team_id, user_id=user_id)
    partners = _end_pairs_of(participant, db_session, now)
    participant.status, participant.left_at, participant.updated_at = (
        ParticipantStatus.LEFT,
        now,
        now,
    )
    program = db_session.get(Program, participant.program_id)
    return Departure(program_name=program.name if program else "", partners_to_tell=partners)


def forget(db_session: Session, *, team_id: str, user_id: str, now: datetime) -> Departure:
    """Delete everything that names the person in this workspace.

    Profiles (with topics and do-not-match lists), votes, concerns they raised and coordinator
    rights go; pairs stay, with this person's side emptied, so a partner's history and the
    program's figures survive.
    """
    participants = list(
        db_session.scalars(
            select(Participant).where(
                Participant.team_id == team_id, Participant.slack_user_id == user_id
            )
        )
    )
    partners: list[str] = []
    for participant in participants:
        if participant.status != ParticipantStatus.LEFT:
            partners += _end_pairs_of(participant, db_session, now)
        _scrub_pair_history(db_session, participant_id=participant.id, user_id=user_id)
        db_session.delete(participant)
    db_session.flush()  # ON DELETE SET NULL empties their side of every pair
    for model in (PollVote, PollTopicVote, Coordinator):
        db_session.execute(
            delete(model).where(model.team_id == team_id, model.slack_user_id == user_id)
        )
    db_session.execute(
        delete(MatchExclusion).where(
            MatchExclusion.team_id == team_id, MatchExclusion.excluded_user_id == user_id
        )
    )
    db_session.execute(
        update(Coordinator)
        .where(Coordinator.team_id == team_id, Coordinator.added_by == user_id)
        .values(added_by=None)
    )
    db_session.execute(
        delete(Concern).where(Concern.team_id == team_id, Concern.reporter_user_id == user_id)
    )
    db_session.execute(
        update(Concern)
        .where(Concern.team_id == team_id, Concern.acknowledged_by == user_id)
        .values(acknowledged_by=None)
    )
    db_session.execute(
        update(Poll)
        .where(Poll.team_id == team_id, Poll.created_by == user_id)
        .values(created_by=None)
    )
    # Messages queued for them, alone or with a partner (an introduction's channel names both),
    # would reach a person the app no longer knows.
    db_session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.team_id == team_id,
            or_(
                OutboxMessage.channel == user_id,
                OutboxMessage.channel.startswith(f"{user_id},", autoescape=True),
                OutboxMessage.channel.endswith(f",{user_id}", autoescape=True),
            ),
        )
    )
    _scrub_rounds(db_session, team_id=team_id, user_id=user_id)
    db_session.expire_all()
    return Departure(program_name="", partners_to_tell=partners)


def _scrub_rounds(db_session: Session, *, team_id: str, user_id: str) -> None:
    """Rounds of matching the person ran, watched or published keep their figures, not them."""
    for found in db_session.scalars(select(MatchRound).where(MatchRound.team_id == team_id)):
        if found.requested_by == user_id:
            found.requested_by = ""
        if found.published_by == user_id:
            found.published_by = None
        if any(w.get("user") == user_id for w in found.watchers):
            found.watchers = [w for w in found.watchers if w.get("user") != user_id]
    db_session.flush()  # before the caller's expire_all()


def _scrub_pair_history(db_session: Session, *, participant_id: int, user_id: str) -> None:
    """Keep the person's pairs for the partner and the figures, minus what describes them:
    the match reasons (their title, department, location), the words of their goals, and
    their name on sessions they booked."""
    for side, column in ((Side.MENTOR, Pair.mentor_id), (Side.MENTEE, Pair.mentee_id)):
        pair_ids = select(Pair.id).where(column == participant_id).scalar_subquery()
        db_session.execute(update(Pair).where(Pair.id.in_(pair_ids)).values(reasons=None))
        db_session.execute(
            update(Goal).where(Goal.pair_id.in_(pair_ids), Goal.side == side).values(text="")
        )
        db_session.execute(
            update(MentoringSession)
            .where(MentoringSession.pair_id.in_(pair_ids), MentoringSession.scheduled_by == user_id)
            .values(scheduled_by="")
        )


# Built once: it runs for every status and App Home.
_POLL_ANSWERS = (
    select(func.count())
    .select_from(PollVote)
    .where(PollVote.team_id == bindparam("team_id"), PollVote.slack_user_id == bindparam("user_id"))
)


@dataclass(frozen=True)
class StatusReport:
    """What the app holds about a person (plain data, for `/mentoring status` and Home)."""

    program: ProgramInfo | None
    profile: ProfileInput | None  # None until they sign up
    left: bool  # they left the program (their profile is kept until they forget it)
    partners: list[str]
    poll_answers: int
    paused_until: datetime | None

    @property
    def signed_up(self) -> bool:
        return self.profile is not None and not self.left


def status_of(db_session: Session, *, team_id: str, user_id: str, now: datetime) -> StatusReport:
    """What the app holds about the person, for `/mentoring status` and the App Home."""
    program, participant = find_participation(db_session, team_id=team_id, user_id=user_id)
    partners = introduced_partners(db_session, participant_id=participant.id) if participant else []
    answers = db_session.scalar(_POLL_ANSWERS, {"team_id": team_id, "user_id": user_id})
    paused = participant.paused_until if participant and participant.is_paused(now) else None
    return StatusReport(
        program=ProgramInfo.of(program) if program is not None else None,
        profile=profile_of(participant) if participant is not None else None,
        left=participant is not None and participant.status == ParticipantStatus.LEFT,
        partners=partners,
        poll_answers=answers or 0,
        paused_until=paused,
    )
