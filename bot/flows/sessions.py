"""Sessions: booking and moving them, cancelling them, check-ins, and private notes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.deps import Deps
from bot.flows.base import claim
from bot.flows.effects import Effects, Post, ShareFiles
from bot.services import checkins as checkin_rules
from bot.services import sessions as session_rules
from bot.services.calendar_invite import session_invite
from bot.services.checkins import CheckInInput
from bot.services.enrollment import find_participant, set_timezone
from bot.services.errors import DomainError, NotEnrolledError
from bot.services.local_time import describe, zone
from bot.services.pair_health import after_session_outcome
from bot.services.session_plans import suggested_agenda
from bot.services.sessions import SessionInput
from bot.slack.files import Upload
from bot.slack.users import fetch_timezone
from bot.views import sessions as views
from bot.views.text import clip, escape
from models import MentoringSession, Pair
from models.enums import CheckInOutcome, SessionStatus

NOTES_SHOWN = 10
NOTES_TEXT_LIMIT = 3900  # one readable message; the newest notes come first


def schedule_form(
    deps: Deps,
    client: WebClient,
    *,
    team_id: str,
    user_id: str,
    pair_id: int | None = None,
    session_id: int | None = None,
) -> View:
    """The form for a new session, or pre-filled to move `session_id`; the person's time
    zone is asked of Slack (and kept) when not known yet."""
    with deps.session_factory.begin() as db_session:
        session = None
        if session_id:
            session = session_rules.session_for(db_session, session_id=session_id, user_id=user_id)
            if session.status != SessionStatus.SCHEDULED:
                raise DomainError("That session is no longer scheduled, so it can't be moved.")
            pair = session.pair
        elif pair_id:
            pair = session_rules.pair_for(db_session, pair_id=pair_id, user_id=user_id)
        else:
            pair = session_rules.only_pair_of(db_session, team_id=team_id, user_id=user_id)
        person = session_rules.person_in(pair, user_id)
        partner = session_rules.partner_in(pair, user_id)
        minutes = (
            session.minutes if session else session_rules.session_minutes(db_session, pair=pair)
        )
        if session is not None:
            agenda = session.agenda or ""
        else:
            agenda = "\n".join(suggested_agenda(db_session, pair=pair, minutes=minutes))
        person_id, zone_name = person.id, person.timezone
        partner_user = partner.slack_user_id if partner else user_id
        starts_at, pair_key = (session.starts_at if session else None), pair.id
    if not zone_name:
        zone_name = fetch_timezone(client, user_id)
        if zone_name:
            with deps.session_factory.begin() as db_session:
                set_timezone(db_session, participant_id=person_id, timezone=zone_name)
    zone_name = zone_name or "UTC"
    day = clock = None
    if starts_at is not None:
        local = starts_at.astimezone(zone(zone_name))
        day, clock = local.date().isoformat(), f"{local:%H:%M}"
    return views.schedule_modal(
        partner=partner_user,
        zone=zone_name,
        minutes=minutes,
        agenda=agenda,
        metadata=views.ScheduleMetadata(
            pair_id=pair_key, session_id=session_id or 0, zone=zone_name
        ),
        day=day,
        clock=clock,
    )


def _to_pair(pair: Pair, text: str, blocks: Sequence[Block] = ()) -> list[Post]:
    """Into the pair's group DM; to each of them directly if there is none."""
    channels = (
        [pair.intro_channel]
        if pair.intro_channel
        else [p.slack_user_id for p in session_rules.people_of(pair)]
    )
    return [Post(channel, text, blocks) for channel in channels]


def _invite(pair: Pair, session: MentoringSession, *, cancelled: bool = False) -> list[ShareFiles]:
    """The session as an .ics in the pair's group DM: one event per session (a stable UID),
    updated by a move (a higher SEQUENCE) and withdrawn by a cancellation."""
    if not pair.intro_channel:
        return []
    content = session_invite(
        uid=f"mentoring-session-{pair.team_id}-{session.id}",
        starts_at=session.starts_at,
        minutes=session.minutes,
        summary="Reverse-mentoring session",
        description=session.agenda or "Reverse-mentoring session",
        sequence=session.version - 1 + int(cancelled),
        cancelled=cancelled,
        now=session.updated_at,
    )
    title = "Mentoring session (cancelled)" if cancelled else "Mentoring session"
    comment = (
        "Cancelled: open this to take it out of your calendar."
        if cancelled
        else "Open this to add the session to your calendar."
    )
    upload = Upload("mentoring-session.ics", content, title)
    return [ShareFiles([upload], comment, channel=pair.intro_channel)]


def book(
    deps: Deps,
    *,
    team_id: str,
    user_id: str,
    metadata: views.ScheduleMetadata,
    values: SessionInput,
    starts_at: datetime,
    once: str,
) -> Effects:
    """Book the session (or move it), once per form; the pair hears of it, with an invite."""
    assert values.minutes is not None
    now = deps.clock()
    with deps.session_factory.begin() as db_session:
        claim(deps, db_session, once=once, team_id=team_id)
        if metadata.session_id:
            session = session_rules.session_for(
                db_session, session_id=metadata.session_id, user_id=user_id
            )
            session_rules.move(
                db_session,
                session=session,
                starts_at=starts_at,
                minutes=values.minutes,
                agenda=values.agenda,
                now=now,
            )
        else:
            pair = session_rules.pair_for(db_session, pair_id=metadata.pair_id, user_id=user_id)
            session = session_rules.schedule(
                db_session,
                pair=pair,
                user_id=user_id,
                starts_at=starts_at,
                minutes=values.minutes,
                agenda=values.agenda,
                now=now,
            )
        text, blocks = views.session_confirmation(
            session_id=session.id,
            starts_at=session.starts_at,
            minutes=session.minutes,
            agenda=session.agenda,
            by_user=user_id,
            moved=bool(metadata.session_id),
        )
        return Effects().add(*_to_pair(session.pair, text, blocks), *_invite(session.pair, session))


def cancel_form(deps: Deps, *, user_id: str, session_id: int) -> View:
    with deps.session_factory.begin() as db_session:
        session = session_rules.session_for(db_session, session_id=session_id, user_id=user_id)
        if session.status != SessionStatus.SCHEDULED:
            raise DomainError("That session is no longer scheduled.")
        when = describe(session.starts_at, session_rules.person_in(session.pair, user_id).timezone)
    return views.cancel_modal(when=when, session_id=session_id)


def cancel(deps: Deps, *, user_id: str, session_id: int, reason: str) -> Effects:
    """Cancel the session (a second cancellation changes nothing); the pair is told, the
    invite withdrawn, and the pair's health looked at again."""
    now = deps.clock()
    with deps.session_factory.begin() as db_session:
        session = session_rules.session_for(db_session, session_id=session_id, user_id=user_id)
        if session.status == SessionStatus.CANCELLED:
            return Effects()
        session_rules.cancel(db_session, session=session, user_id=user_id, reason=reason, now=now)
        pair = session.pair
        after_session_outcome(
            db_session, pair=pair, configured=deps.settings.coordinator_ids, now=now
        )
        partner = session_rules.partner_in(pair, user_id)
        text = views.cancellation_notice(
            by_user=user_id,
            starts_at=session.starts_at,
            zone=partner.timezone if partner else None,
            reason=session.cancel_reason,
        )
        return Effects().add(*_to_pair(pair, text), *_invite(pair, session, cancelled=True))


def checkin_form(deps: Deps, *, user_id: str, session_id: int) -> View:
    with deps.session_factory.begin() as db_session:
        session = session_rules.session_for(db_session, session_id=session_id, user_id=user_id)
        topics = checkin_rules.session_topics(db_session, session=session)
        partner = session_rules.partner_in(session.pair, user_id)
    return views.checkin_modal(
        session_id=session_id,
        partner=partner.slack_user_id if partner else user_id,
        topics=topics,
    )


def did_not_happen(deps: Deps, *, user_id: str, session_id: int, rescheduled: bool) -> int:
    """Record that the session did not happen (moved, or cancelled); returns the pair's id."""
    now = deps.clock()
    outcome = CheckInOutcome.RESCHEDULED if rescheduled else CheckInOutcome.CANCELLED
    with deps.session_factory.begin() as db_session:
        session = session_rules.session_for(db_session, session_id=session_id, user_id=user_id)
        checkin_rules.record_outcome(
            db_session, session=session, user_id=user_id, outcome=outcome, now=now
        )
        if not rescheduled:
            after_session_outcome(
                db_session, pair=session.pair, configured=deps.settings.coordinator_ids, now=now
            )
        return session.pair_id


def check_in(
    deps: Deps, *, team_id: str, user_id: str, session_id: int, values: CheckInInput, once: str
) -> Effects:
    """Save the check-in, once per form; a follow-up goes to the pair, thanks to the person."""
    with deps.session_factory.begin() as db_session:
        claim(deps, db_session, once=once, team_id=team_id)
        session = session_rules.session_for(db_session, session_id=session_id, user_id=user_id)
        checkin_rules.record_outcome(
            db_session,
            session=session,
            user_id=user_id,
            outcome=CheckInOutcome.HAPPENED,
            now=deps.clock(),
            values=values,
        )
        then = Effects()
        follow_up = values.follow_up.strip()
        if follow_up:
            then.add(*_to_pair(session.pair, views.follow_up_post(author=user_id, text=follow_up)))
        text, blocks = views.checkin_thanks(pair_id=session.pair_id)
        return then.add(Post(user_id, text, blocks))


def private_notes(deps: Deps, *, team_id: str, user_id: str) -> str:
    """The author's own private notes: the one place a private note is ever shown."""
    with deps.session_factory.begin() as db_session:
        person = find_participant(db_session, team_id=team_id, user_id=user_id)
        if person is None:
            raise NotEnrolledError
        notes = checkin_rules.own_private_notes(db_session, participant_id=person.id)
        lines = [
            f"*{describe(session.starts_at, person.timezone)}*\n{escape(note)}"
            for session, note in notes[:NOTES_SHOWN]
        ]
    text = (
        "Your private notes (only you can see them):\n\n" + "\n\n".join(lines)
        if lines
        else "You have no private notes yet. Add one when you check in after a session."
    )
    return clip(text, NOTES_TEXT_LIMIT)
