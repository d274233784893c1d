"""Sessions: `/mentoring schedule`, the schedule/move/cancel buttons and forms, check-ins."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.handlers.calendar import send_invite
from bot.handlers.commands import COMMAND, CommandCall, CommandRouter
from bot.handlers.deps import Deps, record_id, team_id_of, user_id_of
from bot.handlers.slack_users import fetch_timezone
from bot.services import checkins as checkin_rules
from bot.services import sessions as session_rules
from bot.services.calendar_invite import session_invite
from bot.services.enrollment import find_participant
from bot.services.errors import DomainError, NotEnrolledError
from bot.services.idempotency import claim_once
from bot.services.local_time import describe, zone
from bot.services.pair_health import after_session_outcome
from bot.services.session_plans import suggested_agenda
from bot.views import sessions as views
from bot.views.ids import ActionId, CallbackId, CheckInBlock, SessionBlock
from bot.views.messages import HelpEntry
from bot.views.state import state_values
from bot.views.text import clip, escape
from models import MentoringSession, Pair, Participant, Program
from models.enums import CheckInOutcome

NOTES_SHOWN = 10
NOTES_TEXT_LIMIT = 3900  # one readable message; the newest notes come first
CHECKIN_FIELDS = {
    "rating": CheckInBlock.RATING,
    "learned": CheckInBlock.LEARNED,
    "private_note": CheckInBlock.PRIVATE_NOTE,
    "follow_up": CheckInBlock.FOLLOW_UP,
}
SESSION_FIELDS = {
    "day": SessionBlock.DAY,
    "clock": SessionBlock.CLOCK,
    "minutes": SessionBlock.MINUTES,
    "agenda": SessionBlock.AGENDA,
}


def _person(pair: Pair, user_id: str) -> Participant:
    for person in session_rules.people_of(pair):
        if person.slack_user_id == user_id:
            return person
    raise DomainError("Only the two people in this pair can do that.")


def _partner(pair: Pair, user_id: str) -> str:
    for person in session_rules.people_of(pair):
        if person.slack_user_id != user_id:
            return person.slack_user_id
    return user_id


def _zone_of(deps: Deps, client: WebClient, person: Participant) -> str:
    """The person's time zone; asked of Slack (and kept) when we don't know it yet."""
    if person.timezone:
        return person.timezone
    fetched = fetch_timezone(client, person.slack_user_id)
    if fetched:
        with deps.session_factory.begin() as db_session:
            found = db_session.get(Participant, person.id)
            if found is not None:
                found.timezone = fetched
    return fetched or "UTC"


def open_schedule_form(
    deps: Deps,
    client: WebClient,
    *,
    trigger_id: str,
    team_id: str,
    user_id: str,
    pair_id: int | None = None,
    session_id: int | None = None,
) -> None:
    """The schedule form for a new session, or pre-filled to move `session_id`."""
    with deps.session_factory.begin() as db_session:
        if session_id:
            session = session_rules.session_for(db_session, session_id=session_id, user_id=user_id)
            if session.status.value != "scheduled":
                raise DomainError("That session is no longer scheduled, so it can't be moved.")
            pair = session.pair
        elif pair_id:
            pair = session_rules.pair_for(db_session, pair_id=pair_id, user_id=user_id)
            session = None
        else:
            pair = session_rules.only_pair_of(db_session, team_id=team_id, user_id=user_id)
            session = None
        person = _person(pair, user_id)
        partner = _partner(pair, user_id)
        program_minutes = pair_minutes(db_session, pair)
        agenda = (
            session.agenda or ""
            if session
            else "\n".join(suggested_agenda(db_session, pair=pair, minutes=program_minutes))
        )
        db_session.expunge_all()
    zone_name = _zone_of(deps, client, person)
    day = clock = None
    if session is not None:
        local = session.starts_at.astimezone(zone(zone_name))
        day, clock = local.date().isoformat(), f"{local:%H:%M}"
    metadata = views.ScheduleMetadata(
        pair_id=pair.id, session_id=session.id if session else 0, zone=zone_name
    )
    client.views_open(
        trigger_id=trigger_id,
        view=views.schedule_modal(
            partner=partner,
            zone=zone_name,
            minutes=session.minutes if session else program_minutes,
            agenda=agenda,
            metadata=metadata,
            day=day,
            clock=clock,
        ),
    )


def pair_minutes(db_session: Session, pair: Pair) -> int:
    program = db_session.get(Program, pair.program_id)
    return int(program.session_minutes) if program else 45


def _post_to_pair(client: WebClient, pair: Pair, text: str, blocks: list[Any]) -> None:
    """Into the pair's group DM; to each of them directly if there is none."""
    channels = (
        [pair.intro_channel]
        if pair.intro_channel
        else [p.slack_user_id for p in session_rules.people_of(pair)]
    )
    for channel in channels:
        client.chat_postMessage(channel=channel, text=text, blocks=blocks)


def _schedule_command(call: CommandCall, deps: Deps) -> None:
    call.ack()
    open_schedule_form(
        deps, call.client, trigger_id=call.trigger_id, team_id=call.team_id, user_id=call.user_id
    )


def _notes_command(call: CommandCall, deps: Deps) -> None:
    """The author's own private notes: the one place a private note is ever shown."""
    with deps.session_factory.begin() as db_session:
        person = find_participant(db_session, team_id=call.team_id, user_id=call.user_id)
        if person is None:
            raise NotEnrolledError
        notes = checkin_rules.own_private_notes(db_session, participant_id=person.id)
        zone_name = person.timezone
        lines = [
            f"*{describe(session.starts_at, zone_name)}*\n{escape(note)}"
            for session, note in notes[:NOTES_SHOWN]
        ]
    text = (
        "Your private notes (only you can see them):\n\n" + "\n\n".join(lines)
        if lines
        else "You have no private notes yet. Add one when you check in after a session."
    )
    call.ack(response_type="ephemeral", text=clip(text, NOTES_TEXT_LIMIT))


def register(app: App, deps: Deps, router: CommandRouter) -> None:
    router.add(
        "notes",
        lambda call: _notes_command(call, deps),
        HelpEntry(f"{COMMAND} notes", "your own private notes from check-ins (only you see them)"),
    )
    router.add(
        "schedule",
        lambda call: _schedule_command(call, deps),
        HelpEntry(f"{COMMAND} schedule", "book your next session with your partner"),
    )

    @app.action(ActionId.SCHEDULE_SESSION)
    @app.action(ActionId.MOVE_SESSION)
    def on_schedule_button(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient
    ) -> None:
        """Schedule (the value names the pair) or move (it names the session)."""
        record = record_id(action.get("value"))
        ack()
        moving = action["action_id"] == ActionId.MOVE_SESSION
        open_schedule_form(
            deps,
            client,
            trigger_id=body["trigger_id"],
            team_id=team_id_of(body),
            user_id=user_id_of(body),
            pair_id=None if moving else record,
            session_id=record if moving else None,
        )

    @app.view(CallbackId.SCHEDULE_SESSION)
    def on_schedule(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient
    ) -> None:
        user_id, now = user_id_of(body), deps.clock()
        metadata = views.ScheduleMetadata.load(view.get("private_metadata"))
        values = views.parse_schedule_state(state_values(view))
        errors, starts_at = session_rules.validate_session(values, zone_name=metadata.zone, now=now)
        if errors or starts_at is None:
            ack(
                response_action="errors",
                errors={SESSION_FIELDS[k]: v for k, v in errors.items()},
            )
            return
        assert values.minutes is not None
        with deps.session_factory.begin() as db_session:
            if not claim_once(
                db_session, key=f"view:{view['id']}", team_id=team_id_of(body), now=now
            ):
                ack()
                return
            if metadata.session_id:
                session = session_rules.session_for(
                    db_session, session_id=metadata.session_id, user_id=user_id
                )
                session_rules.move(
                    db_session,
                    session=session,
                    starts_at=starts_at,
                    minutes=values.minutes,
                    now=now,
                )
                session.agenda = values.agenda.strip() or None
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
            pair = session.pair
            db_session.expunge_all()
        ack()  # once saved: the form closes on what the database holds
        _post_to_pair(client, pair, text, blocks)
        send_calendar_invite(client, pair=pair, session=session)

    @app.action(ActionId.CANCEL_SESSION)
    def on_cancel_button(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient
    ) -> None:
        session_id = record_id(action.get("value"))
        ack()
        user_id = user_id_of(body)
        with deps.session_factory.begin() as db_session:
            session = session_rules.session_for(db_session, session_id=session_id, user_id=user_id)
            if session.status.value != "scheduled":
                raise DomainError("That session is no longer scheduled.")
            zone_name = _person(session.pair, user_id).timezone
            when = describe(session.starts_at, zone_name)
        client.views_open(
            trigger_id=body["trigger_id"],
            view=views.cancel_modal(when=when, session_id=session_id),
        )

    @app.view(CallbackId.CANCEL_SESSION)
    def on_cancel(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        user_id, now = user_id_of(body), deps.clock()
        metadata = views.SessionMetadata.load(view.get("private_metadata"))
        reason = views.parse_reason(state_values(view))
        problem = session_rules.validate_reason(reason)
        if problem:
            ack(response_action="errors", errors={SessionBlock.REASON: problem})
            return
        with deps.session_factory.begin() as db_session:
            session = session_rules.session_for(
                db_session, session_id=metadata.session_id, user_id=user_id
            )
            already = session.status.value == "cancelled"
            session_rules.cancel(
                db_session, session=session, user_id=user_id, reason=reason, now=now
            )
            pair = session.pair
            if not already:
                after_session_outcome(
                    db_session, pair=pair, configured=deps.settings.coordinator_ids, now=now
                )
            partner_zone = None
            for person in session_rules.people_of(pair):
                if person.slack_user_id != user_id:
                    partner_zone = person.timezone
            text = views.cancellation_notice(
                by_user=user_id,
                starts_at=session.starts_at,
                zone=partner_zone,
                reason=session.cancel_reason,
            )
            db_session.expunge_all()
        ack()  # once saved: the form closes on what the database holds
        if already:
            return
        _post_to_pair(client, pair, text, [])
        send_calendar_invite(client, pair=pair, session=session, cancelled=True)

    @app.action(ActionId.CHECKIN_HAPPENED)
    def on_happened(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient
    ) -> None:
        session_id = record_id(action.get("value"))
        ack()
        user_id = user_id_of(body)
        with deps.session_factory.begin() as db_session:
            session = session_rules.session_for(db_session, session_id=session_id, user_id=user_id)
            topics = checkin_rules.session_topics(db_session, session=session)
            partner = _partner(session.pair, user_id)
        client.views_open(
            trigger_id=body["trigger_id"],
            view=views.checkin_modal(session_id=session_id, partner=partner, topics=topics),
        )

    @app.action(ActionId.CHECKIN_RESCHEDULED)
    @app.action(ActionId.CHECKIN_CANCELLED)
    def on_not_happened(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        session_id = record_id(action.get("value"))
        ack()
        user_id, now = user_id_of(body), deps.clock()
        rescheduled = action["action_id"] == ActionId.CHECKIN_RESCHEDULED
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
            pair_id = session.pair_id
        respond(
            replace_original=True,
            text=(
                "Noted: you rescheduled. Pick the new time in the form."
                if rescheduled
                else "Noted: the session was cancelled. Book another when you're ready."
            ),
        )
        if rescheduled:
            open_schedule_form(
                deps,
                client,
                trigger_id=body["trigger_id"],
                team_id=team_id_of(body),
                user_id=user_id,
                pair_id=pair_id,
            )

    @app.view(CallbackId.CHECK_IN)
    def on_checkin(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        user_id, now = user_id_of(body), deps.clock()
        metadata = views.SessionMetadata.load(view.get("private_metadata"))
        values = views.parse_checkin_state(state_values(view))
        errors = checkin_rules.validate_checkin(values)
        if errors:
            ack(response_action="errors", errors={CHECKIN_FIELDS[k]: v for k, v in errors.items()})
            return
        with deps.session_factory.begin() as db_session:
            if not claim_once(
                db_session, key=f"view:{view['id']}", team_id=team_id_of(body), now=now
            ):
                ack()
                return
            session = session_rules.session_for(
                db_session, session_id=metadata.session_id, user_id=user_id
            )
            checkin_rules.record_outcome(
                db_session,
                session=session,
                user_id=user_id,
                outcome=CheckInOutcome.HAPPENED,
                now=now,
                values=values,
            )
            pair = session.pair
            db_session.expunge_all()
        ack()  # once saved: the form closes on what the database holds
        if values.follow_up.strip():
            _post_to_pair(
                client,
                pair,
                views.follow_up_post(author=user_id, text=values.follow_up.strip()),
                [],
            )
        text, blocks = views.checkin_thanks(pair_id=pair.id)
        client.chat_postMessage(channel=user_id, text=text, blocks=blocks)


def send_calendar_invite(
    client: WebClient, *, pair: Pair, session: MentoringSession, cancelled: bool = False
) -> None:
    """The session as an .ics in the pair's group DM: one event per session (a stable UID),
    updated by a move (a higher SEQUENCE) and withdrawn by a cancellation."""
    if not pair.intro_channel:
        return
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
    comment = (
        "Cancelled: open this to take it out of your calendar."
        if cancelled
        else "Open this to add the session to your calendar."
    )
    send_invite(
        client,
        channel=pair.intro_channel,
        filename="mentoring-session.ics",
        content=content,
        title="Mentoring session (cancelled)" if cancelled else "Mentoring session",
        initial_comment=comment,
    )
