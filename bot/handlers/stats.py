"""`/mentoring stats [program]`: the coordinator's program report, privately."""

from __future__ import annotations

from slack_bolt import App

from bot.handlers.commands import COMMAND, CommandCall, CommandRouter
from bot.handlers.coordinators import require_coordinator
from bot.handlers.deps import Deps
from bot.services.programs import program_for_report
from bot.services.stats import program_stats
from bot.views.messages import HelpEntry
from bot.views.stats import stats_blocks, stats_text


def _stats(call: CommandCall, deps: Deps) -> None:
    require_coordinator(deps, call.client, team_id=call.team_id, user_id=call.user_id)
    # Anything refused is refused before the ack, so it is the command's own answer.
    with deps.session_factory.begin() as db_session:
        program = program_for_report(
            db_session, team_id=call.team_id, name_or_id=call.args, now=deps.clock()
        )
    call.ack()
    with deps.session_factory.begin() as db_session:
        db_session.add(program)
        stats = program_stats(db_session, program=program, now=deps.clock())
    call.respond(response_type="ephemeral", text=stats_text(stats), blocks=stats_blocks(stats))


def register(app: App, deps: Deps, router: CommandRouter) -> None:
    router.add(
        "stats",
        lambda call: _stats(call, deps),
        HelpEntry(
            f"{COMMAND} stats [program]",
            "the program report: participation, pair health, sessions, outcomes",
            coordinators_only=True,
        ),
    )
