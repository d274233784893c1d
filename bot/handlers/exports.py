"""`/mentoring export [program]`: the program's CSV files, uploaded to the coordinator's DM."""

from __future__ import annotations

from slack_bolt import App

from bot.handlers.commands import COMMAND, CommandCall, CommandRouter
from bot.handlers.coordinators import require_coordinator
from bot.handlers.deps import Deps
from bot.services.exports import export_program
from bot.services.programs import find_program
from bot.views.exports import (
    export_comment,
    export_done_text,
    export_started_text,
    file_title,
)
from bot.views.messages import HelpEntry
from bot.views.text import unescape


def _export(call: CommandCall, deps: Deps) -> None:
    require_coordinator(deps, call.client, team_id=call.team_id, user_id=call.user_id)
    with deps.session_factory.begin() as db_session:
        # A program that does not exist is the answer to the command itself.
        program = find_program(db_session, team_id=call.team_id, name=unescape(call.args))
        program_id, program_name = program.id, program.name
    call.ack(response_type="ephemeral", text=export_started_text(program_name))
    now = deps.clock()
    with deps.session_factory.begin() as db_session:
        export = export_program(db_session, program_id=program_id, now=now)
    # Files are shared into a conversation, not to a user id: open the DM to get its id.
    opened = call.client.conversations_open(users=call.user_id)
    call.client.files_upload_v2(
        channel=opened["channel"]["id"],
        file_uploads=[
            {"filename": name, "content": content, "title": file_title(name, export.program_name)}
            for name, content in export.encoded().items()
        ],
        initial_comment=export_comment(export, now=now),
    )
    call.respond(response_type="ephemeral", text=export_done_text(export))


def register(app: App, deps: Deps, router: CommandRouter) -> None:
    router.add(
        "export",
        lambda call: _export(call, deps),
        HelpEntry(
            f"{COMMAND} export [program]",
            "sends you the program's participants, pairs and sessions as CSV files",
            coordinators_only=True,
        ),
    )
