"""Turning an outbox row into the Slack message it stands for, at the moment it is sent.

Each kind of row has a renderer that re-reads what it is about: a reminder for a session that
was cancelled or moved, or a check-in someone already gave, renders to None and is dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from slack_sdk.models.blocks import Block
from sqlalchemy.orm import Session

from bot.services import sessions as session_rules
from bot.services.outbox import Claimed
from bot.services.pairs import PUBLISHED
from bot.services.session_plans import reminder_guide
from bot.services.stats import program_stats
from bot.services.surveys import answered
from bot.views import health as health_views
from bot.views import sessions as session_views
from bot.views import stats as stats_views
from bot.views import surveys as survey_views
from models import MentoringSession, Pair, Participant, Program
from models.enums import SurveyKind


@dataclass(frozen=True)
class Rendered:
    text: str
    blocks: list[Block]


Renderer = Callable[[Session, Claimed, datetime], "Rendered | str"]


def _session(db_session: Session, message: Claimed) -> MentoringSession | None:
    return db_session.get(MentoringSession, message.payload["session_id"])


def _partner_user(session: MentoringSession, participant_id: int) -> str | None:
    pair = session.pair
    partner = pair.mentee if pair.mentor_id == participant_id else pair.mentor
    return partner.slack_user_id if partner else None


def _guide(db_session: Session, session: MentoringSession) -> list[str] | None:
    return reminder_guide(db_session, pair=session.pair) or None


def render_reminder(db_session: Session, message: Claimed, now: datetime) -> Rendered | str:
    session = _session(db_session, message)
    if session is None or not session_rules.still_current(session, message.payload["version"]):
        return "the session was cancelled or moved"
    if now >= session.starts_at:
        return "too late: the session has started"  # e.g. the app was down until now
    person = db_session.get(Participant, message.payload["participant_id"])
    if person is None:
        return "the person left"
    lead = message.payload["lead"]
    text, blocks = session_views.reminder(
        lead=lead,
        partner=_partner_user(session, person.id),
        starts_at=session.starts_at,
        minutes=session.minutes,
        zone=person.timezone,
        agenda=session.agenda if lead == "24h" else None,
        session_id=session.id,
        guide=_guide(db_session, session) if lead == "1h" else None,
    )
    return Rendered(text, blocks)


def render_checkin(db_session: Session, message: Claimed, now: datetime) -> Rendered | str:
    session = _session(db_session, message)
    if session is None or not session_rules.still_current(session, message.payload["version"]):
        return "the session was cancelled or moved"
    person_id = message.payload["participant_id"]
    if session_rules.has_checked_in(db_session, session_id=session.id, participant_id=person_id):
        return "already checked in"
    person = db_session.get(Participant, person_id)
    if person is None:
        return "the person left"
    text, blocks = session_views.checkin_prompt(
        partner=_partner_user(session, person_id),
        starts_at=session.starts_at,
        zone=person.timezone,
        session_id=session.id,
        reask=message.payload["ask"] == "reask",
    )
    return Rendered(text, blocks)


def render_at_risk_alert(db_session: Session, message: Claimed, now: datetime) -> Rendered | str:
    pair = db_session.get(Pair, message.payload["pair_id"])
    if pair is None:
        return "the pair is gone"
    text, blocks = health_views.at_risk_alert(pair, reason=message.payload["reason"])
    return Rendered(text, blocks)


def render_nudge(db_session: Session, message: Claimed, now: datetime) -> Rendered | str:
    pair = db_session.get(Pair, message.payload["pair_id"])
    if pair is None or pair.status not in PUBLISHED:
        return "the pair has ended"
    if session_rules.upcoming(db_session, pair_id=pair.id, now=now):
        return "a session got booked"
    text, blocks = health_views.nudge(pair_id=pair.id, days=message.payload["days"])
    return Rendered(text, blocks)


def render_survey(db_session: Session, message: Claimed, now: datetime) -> Rendered | str:
    kind = SurveyKind(message.payload["survey"])
    pair_id, person_id = message.payload["pair_id"], message.payload["participant_id"]
    if answered(db_session, pair_id=pair_id, participant_id=person_id, kind=kind):
        return "already answered"
    text, blocks = survey_views.survey_invitation(pair_id=pair_id, kind=kind)
    return Rendered(text, blocks)


def render_digest(db_session: Session, message: Claimed, now: datetime) -> Rendered | str:
    program = db_session.get(Program, message.payload["program_id"])
    if program is None or not program.weekly_digest:
        return "the digest was turned off"
    stats = program_stats(db_session, program=program, now=now)
    text, blocks = stats_views.digest(stats)
    return Rendered(text, blocks)


RENDERERS: dict[str, Renderer] = {
    "reminder": render_reminder,
    "checkin": render_checkin,
    "at_risk_alert": render_at_risk_alert,
    "nudge": render_nudge,
    "survey": render_survey,
    "digest": render_digest,
}


def render(db_session: Session, message: Claimed, now: datetime) -> Rendered | str:
    """The message to send, or why it is no longer wanted."""
    renderer = RENDERERS.get(message.kind)
    if renderer is None:
        return f"no renderer for {message.kind!r}"
    return renderer(db_session, message, now)
