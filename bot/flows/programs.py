"""Programs: the form to create or edit one, saving it, and the list."""

from __future__ import annotations

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.deps import Deps
from bot.flows.base import transaction
from bot.flows.effects import Effects, Post, RefreshHome
from bot.services.next_steps import invite_returning
from bot.services.programs import (
    ProgramInput,
    create_program,
    current_program,
    list_programs,
    program_input_of,
    program_status,
    update_program,
    validate_program,
)
from bot.views.programs import (
    ProgramMetadata,
    parse_program_state,
    program_list_blocks,
    program_modal,
    saved_text,
)
from bot.views.state import State


def program_form(deps: Deps, *, team_id: str, new: bool) -> View:
    """Edit the open program, or create one (`new`, or when none is open)."""
    with deps.session_factory.begin() as db_session:
        # Editing a brand-new workspace's program creates its default one first.
        program = None if new else current_program(db_session, team_id=team_id, now=deps.clock())
        values = program_input_of(program) if program else ProgramInput()
        metadata = ProgramMetadata(program_id=program.id if program else None)
    return program_modal(values, metadata)


def programs(deps: Deps, *, team_id: str) -> list[Block]:
    with deps.session_factory.begin() as db_session:
        return program_list_blocks(list_programs(db_session, team_id=team_id))


def save_program(
    deps: Deps,
    *,
    team_id: str,
    user_id: str,
    metadata: ProgramMetadata,
    state: State,
    once: str,
) -> tuple[dict[str, str], Effects]:
    """Create or update the program from the form: (field errors, effects)."""
    with deps.session_factory.begin() as db_session:
        status = program_status(db_session, team_id=team_id, program_id=metadata.program_id)
    values = parse_program_state(state, status)
    errors = validate_program(values)
    if errors:
        return errors, Effects()
    with transaction(deps, once=once, team_id=team_id) as db_session:
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
        invite_returning(db_session, program=program, now=deps.clock())
        text = saved_text(
            program.name,
            status=program.status,
            signup_open=program.signup_open,
            replaced=replaced.name if replaced else None,
        )
    return {}, Effects().add(Post(user_id, text), RefreshHome(team_id, user_id, coordinator=True))
