"""`/mentoring program`: create, edit and list programs (coordinators only)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.deps import Deps
from bot.flows import effects
from bot.flows.programs import program_form, programs, save_program
from bot.handlers.commands import COMMAND, CommandCall, SubCommand
from bot.handlers.listen import action, once_key, refuse, view
from bot.handlers.payload import team_id_of, user_id_of
from bot.services.errors import DomainError
from bot.views.ids import ActionId, CallbackId
from bot.views.messages import HelpEntry
from bot.views.programs import ProgramMetadata
from bot.views.state import state_values


def program_command(call: CommandCall) -> None:
    choice = call.args.lower()
    if choice == "list":
        call.ack(
            response_type="ephemeral",
            text="Programs",
            blocks=programs(call.deps, team_id=call.team_id),
        )
        return
    if choice not in ("", "new", "edit"):
        raise DomainError(
            f"Try `{COMMAND} program`, `{COMMAND} program new` or `{COMMAND} program list`."
        )
    call.ack()
    form = program_form(call.deps, team_id=call.team_id, new=choice == "new")
    call.client.views_open(trigger_id=call.trigger_id, view=form)


def on_program_button(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    ack()
    new = action["action_id"] == ActionId.NEW_PROGRAM
    form = program_form(Deps.of(context), team_id=team_id_of(body), new=new)
    client.views_open(trigger_id=body["trigger_id"], view=form)


def on_submit(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    deps = Deps.of(context)
    errors, then = save_program(
        deps,
        team_id=team_id_of(body),
        user_id=user_id_of(body),
        metadata=ProgramMetadata.load(view.get("private_metadata")),
        state=state_values(view),
        once=once_key(view),
    )
    refuse(errors)
    ack()
    effects.run(then, deps=deps, client=client)


COMMANDS = (
    SubCommand(
        "program",
        program_command,
        HelpEntry(
            f"{COMMAND} program [new|list]",
            "edit the open program, start a new one, or list them all",
            coordinators_only=True,
        ),
    ),
)
# A form is no proof its submitter is still a coordinator: checked again on submission.
LISTENERS = (
    action(ActionId.EDIT_PROGRAM, on_program_button, coordinators_only=True),
    action(ActionId.NEW_PROGRAM, on_program_button, coordinators_only=True),
    view(CallbackId.PROGRAM, on_submit, coordinators_only=True),
)
