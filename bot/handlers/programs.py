"""`/mentoring program`: create, edit and list programs (coordinators only)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.handlers.commands import COMMAND, CommandCall, CommandRouter
from bot.handlers.coordinators import require_coordinator
from bot.handlers.deps import Deps, team_id_of, user_id_of
from bot.handlers.home import publish_home
from bot.services.errors import DomainError
from bot.services.idempotency import claim_once
from bot.services.programs import (
    ProgramInput,
    create_program,
    current_program,
    list_programs,
    program_input_of,
    update_program,
    validate_program,
)
from bot.views.ids import ActionId, CallbackId
from bot.views.messages import HelpEntry
from bot.views.programs import (
    ProgramMetadata,
    parse_program_state,
    program_list_blocks,
    program_modal,
)
from bot.views.state import state_values
from bot.views.text import escape
from models import Program
from models.enums import ProgramStatus


def open_program_form(
    deps: Deps, client: WebClient, *, trigger_id: str, team_id: str, new: bool
) -> None:
    """Edit the open program, or create one (`new`, or when none is open)."""
    with deps.session_factory.begin() as db_session:
        # Editing a brand-new workspace's program creates its default one first.
        program = None if new else current_program(db_session, team_id=team_id, now=deps.clock())
        values = program_input_of(program) if program else ProgramInput()
        metadata = ProgramMetadata(program_id=program.id if program else None)
    client.views_open(trigger_id=trigger_id, view=program_modal(values, metadata))


def _program(call: CommandCall, deps: Deps) -> None:
    require_coordinator(deps, call.client, team_id=call.team_id, user_id=call.user_id)
    action = call.args.lower()
    if action == "list":
        with deps.session_factory.begin() as db_session:
            blocks = program_list_blocks(list_programs(db_session, team_id=call.team_id))
        call.ack(response_type="ephemeral", text="Programs", blocks=blocks)
        return
    if action not in ("", "new", "edit"):
        raise DomainError(
            f"Try `{COMMAND} program`, `{COMMAND} program new` or `{COMMAND} program list`."
        )
    call.ack()
    open_program_form(
        deps, call.client, trigger_id=call.trigger_id, team_id=call.team_id, new=action == "new"
    )


def _saved_text(program: Program, replaced: Program | None) -> str:
    text = f"Saved *{escape(program.name)}*."
    if program.status == ProgramStatus.FINISHED:
        text += " It is finished; its data is kept."
    elif program.signup_open:
        text += " Sign-up is open: people join with `/mentoring join`."
    else:
        text += " Sign-up is closed."
    if replaced is not None:
        text += f" *{escape(replaced.name)}* is now closed; its data is kept."
    return text


def register(app: App, deps: Deps, router: CommandRouter) -> None:
    router.add(
        "program",
        lambda call: _program(call, deps),
        HelpEntry(
            f"{COMMAND} program [new|list]",
            "edit the open program, start a new one, or list them all",
            coordinators_only=True,
        ),
    )

    @app.action(ActionId.EDIT_PROGRAM)
    @app.action(ActionId.NEW_PROGRAM)
    def on_program_button(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient
    ) -> None:
        ack()
        team_id = team_id_of(body)
        require_coordinator(deps, client, team_id=team_id, user_id=user_id_of(body))
        open_program_form(
            deps,
            client,
            trigger_id=body["trigger_id"],
            team_id=team_id,
            new=action["action_id"] == ActionId.NEW_PROGRAM,
        )

    @app.view(CallbackId.PROGRAM)
    def on_submit(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        team_id, user_id = team_id_of(body), user_id_of(body)
        # Checked again here: a form is no proof its submitter is still a coordinator.
        require_coordinator(deps, client, team_id=team_id, user_id=user_id)
        metadata = ProgramMetadata.load(view.get("private_metadata"))
        with deps.session_factory.begin() as db_session:
            current = db_session.get(Program, metadata.program_id) if metadata.program_id else None
            status = current.status if current else ProgramStatus.OPEN
            values = parse_program_state(state_values(view), status)
            errors = validate_program(values)
            if errors:
                ack(response_action="errors", errors=errors)
                return
            if not claim_once(
                db_session, key=f"view:{view['id']}", team_id=team_id, now=deps.clock()
            ):
                ack()  # the same form submitted twice: it was saved the first time
                return
            replaced = None
            if metadata.program_id is None:
                program, replaced = create_program(
                    db_session, team_id=team_id, values=values, now=deps.clock()
                )
            else:
                program = update_program(
                    db_session,
                    team_id=team_id,
                    program_id=metadata.program_id,
                    values=values,
                    now=deps.clock(),
                )
            text = _saved_text(program, replaced)
        ack()
        client.chat_postMessage(channel=user_id, text=text)
        publish_home(deps, client, team_id=team_id, user_id=user_id)
