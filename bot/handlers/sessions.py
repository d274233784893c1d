"""Sessions: `/mentoring schedule`, the schedule/move/cancel buttons and forms, check-ins."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, Args, BoltContext
from slack_sdk import WebClient

from bot.deps import Deps
from bot.flows import effects
from bot.flows import sessions as flows
from bot.handlers.commands import COMMAND, CommandCall, SubCommand
from bot.handlers.listen import action, once_key, refuse, view
from bot.handlers.payload import record_id, team_id_of, user_id_of
from bot.services import checkins as checkin_rules
from bot.services import sessions as session_rules
from bot.views import sessions as views
from bot.views.ids import ActionId, CallbackId, SessionBlock
from bot.views.messages import HelpEntry
from bot.views.state import state_values


def schedule_command(call: CommandCall) -> None:
    call.ack()
    form = flows.schedule_form(call.deps, call.client, team_id=call.team_id, user_id=call.user_id)
    call.client.views_open(trigger_id=call.trigger_id, view=form)


def notes_command(call: CommandCall) -> None:
    text = flows.private_notes(call.deps, team_id=call.team_id, user_id=call.user_id)
    call.ack(response_type="ephemeral", text=text)


def on_schedule_button(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """Schedule (the value names the pair) or move (it names the session)."""
    record = record_id(action.get("value"))
    ack()
    moving = action["action_id"] == ActionId.MOVE_SESSION
    form = flows.schedule_form(
        Deps.of(context),
        client,
        team_id=team_id_of(body),
        user_id=user_id_of(body),
        pair_id=None if moving else record,
        session_id=record if moving else None,
    )
    client.views_open(trigger_id=body["trigger_id"], view=form)


def on_schedule(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    deps = Deps.of(context)
    metadata = views.ScheduleMetadata.load(view.get("private_metadata"))
    values = views.parse_schedule_state(state_values(view))
    errors, starts_at = session_rules.validate_session(
        values, zone_name=metadata.zone, now=deps.clock()
    )
    refuse(errors)
    assert starts_at is not None
    then = flows.book(
        deps,
        team_id=team_id_of(body),
        user_id=user_id_of(body),
        metadata=metadata,
        values=values,
        starts_at=starts_at,
        once=once_key(view),
    )
    ack()  # once saved: the form closes on what the database holds
    effects.run(then, deps=deps, client=client)


def on_cancel_button(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    session_id = record_id(action.get("value"))
    ack()
    form = flows.cancel_form(Deps.of(context), user_id=user_id_of(body), session_id=session_id)
    client.views_open(trigger_id=body["trigger_id"], view=form)


def on_cancel(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    reason = views.parse_reason(state_values(view))
    problem = session_rules.validate_reason(reason)
    refuse({SessionBlock.REASON: problem} if problem else {})
    deps = Deps.of(context)
    metadata = views.SessionMetadata.load(view.get("private_metadata"))
    then = flows.cancel(
        deps, user_id=user_id_of(body), session_id=metadata.session_id, reason=reason
    )
    ack()  # once saved: the form closes on what the database holds
    effects.run(then, deps=deps, client=client)


def on_happened(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    session_id = record_id(action.get("value"))
    ack()
    form = flows.checkin_form(Deps.of(context), user_id=user_id_of(body), session_id=session_id)
    client.views_open(trigger_id=body["trigger_id"], view=form)


def on_not_happened(args: Args) -> None:
    action = args.action or {}
    session_id = record_id(action.get("value"))
    args.ack()
    deps, user_id = Deps.of(args.context), user_id_of(args.body)
    rescheduled = action.get("action_id") == ActionId.CHECKIN_RESCHEDULED
    pair_id = flows.did_not_happen(
        deps, user_id=user_id, session_id=session_id, rescheduled=rescheduled
    )
    args.respond(
        replace_original=True,
        text=(
            "Noted: you rescheduled. Pick the new time in the form."
            if rescheduled
            else "Noted: the session was cancelled. Book another when you're ready."
        ),
    )
    if rescheduled:
        form = flows.schedule_form(
            deps, args.client, team_id=team_id_of(args.body), user_id=user_id, pair_id=pair_id
        )
        args.client.views_open(trigger_id=args.body["trigger_id"], view=form)


def on_checkin(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    values = views.parse_checkin_state(state_values(view))
    refuse(checkin_rules.validate_checkin(values))
    deps = Deps.of(context)
    metadata = views.SessionMetadata.load(view.get("private_metadata"))
    then = flows.check_in(
        deps,
        team_id=team_id_of(body),
        user_id=user_id_of(body),
        session_id=metadata.session_id,
        values=values,
        once=once_key(view),
    )
    ack()  # once saved: the form closes on what the database holds
    effects.run(then, deps=deps, client=client)


COMMANDS = (
    SubCommand(
        "notes",
        notes_command,
        HelpEntry(f"{COMMAND} notes", "your own private notes from check-ins (only you see them)"),
    ),
    SubCommand(
        "schedule",
        schedule_command,
        HelpEntry(f"{COMMAND} schedule", "book your next session with your partner"),
    ),
)
LISTENERS = (
    action(ActionId.SCHEDULE_SESSION, on_schedule_button),
    action(ActionId.MOVE_SESSION, on_schedule_button),
    view(CallbackId.SCHEDULE_SESSION, on_schedule),
    action(ActionId.CANCEL_SESSION, on_cancel_button),
    view(CallbackId.CANCEL_SESSION, on_cancel),
    action(ActionId.CHECKIN_HAPPENED, on_happened),
    action(ActionId.CHECKIN_RESCHEDULED, on_not_happened),
    action(ActionId.CHECKIN_CANCELLED, on_not_happened),
    view(CallbackId.CHECK_IN, on_checkin),
)
