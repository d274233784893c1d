"""`/mentoring concern`: tell the coordinators something privately; they acknowledge it."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.deps import Deps
from bot.flows import concerns as flows
from bot.flows import effects
from bot.handlers.commands import COMMAND, CommandCall, SubCommand
from bot.handlers.listen import action, once_key, refuse, view
from bot.handlers.payload import record_id, team_id_of, user_id_of
from bot.services.concerns import validate_concern_text
from bot.views.concerns import concern_modal, coordinator_message, parse_concern_text
from bot.views.ids import ActionId, CallbackId, ConcernBlock
from bot.views.messages import HelpEntry
from bot.views.state import state_values


def concern_command(call: CommandCall) -> None:
    flows.check_someone_reads(call.deps, team_id=call.team_id, user_id=call.user_id)
    call.ack()
    call.client.views_open(trigger_id=call.trigger_id, view=concern_modal())


def on_submit(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    text = parse_concern_text(state_values(view))
    problem = validate_concern_text(text)
    refuse({ConcernBlock.TEXT: problem} if problem else {})
    raised = flows.raise_one(
        Deps.of(context),
        team_id=team_id_of(body),
        user_id=user_id_of(body),
        text=text,
        once=once_key(view),
    )
    ack()
    flows.deliver(client, raised)


def on_acknowledge(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    concern_id = record_id(action.get("value"))
    ack()
    deps = Deps.of(context)
    done, then = flows.acknowledge(
        deps, team_id=team_id_of(body), concern_id=concern_id, user_id=user_id_of(body)
    )
    text, blocks = coordinator_message(done.details)
    client.chat_update(
        channel=body["container"]["channel_id"],
        ts=body["container"]["message_ts"],
        text=text,
        blocks=blocks,
    )
    effects.run(then, deps=deps, client=client)


COMMANDS = (
    SubCommand(
        "concern",
        concern_command,
        HelpEntry(
            f"{COMMAND} concern",
            "tell the program coordinators something privately; your partner is never told",
        ),
    ),
)
# The button sits in a coordinator's DM, but a click proves nothing: checked again.
LISTENERS = (
    view(CallbackId.CONCERN, on_submit),
    action(ActionId.ACKNOWLEDGE_CONCERN, on_acknowledge, coordinators_only=True),
)
