"""`/mentoring stats [program]`: the coordinator's program report, privately."""

from __future__ import annotations

from slack_bolt import App

from bot.handlers.charts import charts_command
from bot.handlers.commands import COMMAND, CommandCall, CommandRouter
from bot.handlers.coordinators import require_coordinator
from bot.handlers.deps import Deps
from bot.services.digests import set_digest
from bot.services.errors import DomainError
from bot.services.programs import find_open_program, find_program
from bot.services.stats import program_stats
from bot.views.messages import HelpEntry
from bot.views.stats import stats_blocks, stats_text
from bot.views.text import escape, unescape


def _stats(call: CommandCall, deps: Deps) -> None:
    require_coordinator(deps, call.client, team_id=call.team_id, user_id=call.user_id)
    sub, _, rest = call.args.partition(" ")
    if sub.lower() in ("chart", "charts"):
        charts_command(call, deps, rest)
        return
    # Anything refused is refused before the ack, so it is the command's own answer.
    with deps.session_factory.begin() as db_session:
        program = find_program(db_session, team_id=call.team_id, name=unescape(call.args))
    call.ack()
    with deps.session_factory.begin() as db_session:
        db_session.add(program)
        stats = program_stats(db_session, program=program, now=deps.clock())
    call.respond(response_type="ephemeral", text=stats_text(stats), blocks=stats_blocks(stats))


def register(app: App, deps: Deps, router: CommandRouter) -> None:
    router.add(
        "digest",
        lambda call: _digest(call, deps),
        HelpEntry(
            f"{COMMAND} digest on|off",
            "a Monday-morning digest of the open program's figures, by DM to coordinators",
            coordinators_only=True,
        ),
    )
    router.add(
        "stats",
        lambda call: _stats(call, deps),
        HelpEntry(
            f"{COMMAND} stats [chart] [program]",
            "the program report (participation, pair health, sessions, outcomes), or with "
            "`chart`, charts of sessions per week and skill growth in your DM",
            coordinators_only=True,
        ),
    )


def _digest(call: CommandCall, deps: Deps) -> None:
    require_coordinator(deps, call.client, team_id=call.team_id, user_id=call.user_id)
    choice = call.args.strip().lower()
    if choice not in ("on", "off"):
        raise DomainError(f"Try `{COMMAND} digest on` or `{COMMAND} digest off`.")
    with deps.session_factory.begin() as db_session:
        program = find_open_program(db_session, team_id=call.team_id)
        if program is None:
            raise DomainError("No program is open, so there is nothing to digest.")
        changed = set_digest(db_session, program=program, enabled=choice == "on", now=deps.clock())
        name = program.name
    state = "on" if choice == "on" else "off"
    note = "" if changed else " (it already was)"
    detail = (
        " Every named coordinator gets it by DM on Monday mornings, 09:00 in their own time zone."
        if choice == "on"
        else ""
    )
    call.ack(
        response_type="ephemeral",
        text=f"The weekly digest for *{escape(name)}* is {state}{note}.{detail}",
    )
