"""Turning an outbox row into the Slack message it stands for, at the moment it is sent.

Each kind of row has a renderer that re-reads what it is about: a reminder for a session that
was cancelled or moved, or a check-in someone already gave, renders to a reason instead and is
dropped. Some kinds also record their delivery (a pair's introduction: where it landed).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from slack_sdk.models.blocks import Block
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.services import sessions as session_rules
from bot.services.agreements import agreement_summary
from bot.services.closing import CLOSEOUT, RECOGNITION, RESULTS
from bot.services.enrollment import find_participant
from bot.services.matching import rounds
from bot.services.matching.proposals import ProposedPair, latest_round
from bot.services.next_steps import INVITE, returning_profile
from bot.services.outbox import Claimed
from bot.services.pair_fixes import PAIR_ENDED
from bot.services.pair_results import close_out, recognised
from bot.services.pairs import PUBLISHED, pair_with_people, partner_of
from bot.services.rematching import PARTNER_CHANGED
from bot.services.session_plans import reminder_guide
from bot.services.stats import program_stats
from bot.services.surveys import answered
from bot.views import goals as goals_views
from bot.views import health as health_views
from bot.views import matching as matching_views
from bot.views import sessions as session_views
from bot.views import stats as stats_views
from bot.views import surveys as survey_views
from bot.views.closing import closeout_message, next_program_invite, recognition_post
from bot.views.pair_fixes import pair_ended_note
from bot.views.rematching import partner_changed_note
from models import MatchRound, MentoringSession, Participant, Program, Unmatched
from models.enums import ParticipantStatus, ProgramStatus, SurveyKind


@dataclass(frozen=True)
class Rendered:
    text: str
    blocks: list[Block]
    # Users of a conversation to open first (a pair's group DM), sent to instead of the row's
    # channel; Slack answers the same conversation each time, so a retry lands in it too.
    open_users: str | None = None


Renderer = Callable[[Session, Claimed, datetime], "Rendered | str"]
# Run in the transaction that records the delivery, with the conversation it landed in.
AfterSent = Callable[[Session, Claimed, str, datetime], None]


def _session(db_session: Session, message: Claimed) -> MentoringSession | None:
    return session_rules.session_with_pair(db_session, session_id=message.payload["session_id"])


def _partner_user(session: MentoringSession, participant_id: int) -> str | None:
    partner = partner_of(session.pair, participant_id)
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
    pair = pair_with_people(db_session, pair_id=message.payload["pair_id"])
    if pair is None:
        return "the pair is gone"
    text, blocks = health_views.at_risk_alert(
        mentor_user=pair.mentor.slack_user_id if pair.mentor else None,
        mentee_user=pair.mentee.slack_user_id if pair.mentee else None,
        reason=message.payload["reason"],
    )
    return Rendered(text, blocks)


def render_nudge(db_session: Session, message: Claimed, now: datetime) -> Rendered | str:
    pair = pair_with_people(db_session, pair_id=message.payload["pair_id"])
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


def render_intro(db_session: Session, message: Claimed, now: datetime) -> Rendered | str:
    pair = rounds.pair_to_introduce(db_session, pair_id=message.payload["pair_id"])
    if pair is None:
        return "the pair was introduced already, ended, or lost a partner"
    program = db_session.get(Program, pair.program_id)
    text, blocks = matching_views.intro_message(
        ProposedPair.of(pair), program.name if program else ""
    )
    return Rendered(text, blocks, open_users=message.channel)


def after_intro(db_session: Session, message: Claimed, channel: str, now: datetime) -> None:
    rounds.introduced(db_session, pair_id=message.payload["pair_id"], channel=channel, now=now)


def render_unmatched_note(db_session: Session, message: Claimed, now: datetime) -> Rendered | str:
    program = db_session.get(Program, message.payload["program_id"])
    if program is None:
        return "the program is gone"
    person = db_session.scalars(
        select(Participant).where(
            Participant.program_id == program.id,
            Participant.slack_user_id == message.channel,
            Participant.status == ParticipantStatus.ACTIVE,
        )
    ).first()
    if person is None:
        return "the person left the program"
    text, blocks = matching_views.unmatched_note(program.name, message.payload["reason"])
    return Rendered(text, blocks)


def after_unmatched_note(
    db_session: Session, message: Claimed, _channel: str, now: datetime
) -> None:
    row = db_session.get(Unmatched, message.payload["unmatched_id"])
    if row is not None and row.notified_at is None:
        row.notified_at = now


def render_round_news(db_session: Session, message: Claimed, now: datetime) -> Rendered | str:
    found = db_session.get(MatchRound, message.payload["round_id"])
    if found is None:
        return "the round is gone"
    latest = latest_round(db_session, program_id=found.program_id)
    if latest is None or latest.id != found.id or found.state != message.payload["state"]:
        return "the round moved on"
    text, blocks = matching_views.round_news(rounds.status_of(db_session, found))
    return Rendered(text, blocks)


def render_agreement_summary(
    db_session: Session, message: Claimed, now: datetime
) -> Rendered | str:
    summary = agreement_summary(
        db_session,
        pair_id=message.payload["pair_id"],
        claimed_at=datetime.fromisoformat(message.payload["claimed_at"]),
    )
    if summary is None:
        return "the agreement changed since"
    text, blocks = goals_views.summary_message(summary)
    return Rendered(text, blocks)


def render_closeout(db_session: Session, message: Claimed, now: datetime) -> Rendered | str:
    summary = close_out(db_session, pair_id=message.payload["pair_id"])
    if summary is None:
        return "the pair is no longer completed"
    text, blocks = closeout_message(summary)
    return Rendered(text, blocks)


def render_recognition(db_session: Session, message: Claimed, now: datetime) -> Rendered | str:
    summary = recognised(db_session, pair_id=message.payload["pair_id"])
    if summary is None:
        return "no longer agreed by both"
    text, blocks = recognition_post(summary)
    return Rendered(text, blocks)


def render_pair_ended(db_session: Session, message: Claimed, now: datetime) -> Rendered | str:
    text, blocks = pair_ended_note(partner_user=message.payload.get("partner_user"))
    return Rendered(text, blocks)


def render_partner_changed(db_session: Session, message: Claimed, now: datetime) -> Rendered | str:
    text, blocks = partner_changed_note(
        old_partner=message.payload["old_partner"], new_partner=message.payload["new_partner"]
    )
    return Rendered(text, blocks)


def render_next_program_invite(
    db_session: Session, message: Claimed, now: datetime
) -> Rendered | str:
    program = db_session.get(Program, message.payload["program_id"])
    if program is None or program.status != ProgramStatus.OPEN or not program.signup_open:
        return "the program is no longer open for sign-up"
    if find_participant(db_session, team_id=program.team_id, user_id=message.channel):
        return "the person has joined already"
    profile = returning_profile(db_session, team_id=program.team_id, user_id=message.channel)
    if profile is None or profile.role is None:
        return "the person no longer asks to come back"
    text, blocks = next_program_invite(
        program_name=program.name, role=profile.role, other_role=message.payload["other_role"]
    )
    return Rendered(text, blocks)


def render_program_results(db_session: Session, message: Claimed, now: datetime) -> Rendered | str:
    program = db_session.get(Program, message.payload["program_id"])
    if program is None:
        return "the program is gone"
    text, blocks = stats_views.results_message(program_stats(db_session, program=program, now=now))
    return Rendered(text, blocks)


RENDERERS: dict[str, Renderer] = {
    "reminder": render_reminder,
    "checkin": render_checkin,
    "at_risk_alert": render_at_risk_alert,
    "nudge": render_nudge,
    "survey": render_survey,
    "digest": render_digest,
    rounds.INTRO: render_intro,
    rounds.NOTE: render_unmatched_note,
    "round_news": render_round_news,
    "agreement_summary": render_agreement_summary,
    CLOSEOUT: render_closeout,
    RECOGNITION: render_recognition,
    PAIR_ENDED: render_pair_ended,
    PARTNER_CHANGED: render_partner_changed,
    INVITE: render_next_program_invite,
    RESULTS: render_program_results,
}
AFTER_SENT: dict[str, AfterSent] = {
    rounds.INTRO: after_intro,
    rounds.NOTE: after_unmatched_note,
}


def render(db_session: Session, message: Claimed, now: datetime) -> Rendered | str:
    """The message to send, or why it is no longer wanted."""
    renderer = RENDERERS.get(message.kind)
    if renderer is None:
        return f"no renderer for {message.kind!r}"
    return renderer(db_session, message, now)
