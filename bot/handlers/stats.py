"""Coordinators' reports: `/mentoring stats [chart] [program]`, `digest on|off` and
`export [program]`, answered privately (files in the coordinator's DM)."""

from __future__ import annotations

from bot.flows import effects
from bot.flows import reports as flows
from bot.handlers.commands import COMMAND, CommandCall, SubCommand
from bot.services.errors import DomainError
from bot.views.exports import export_done_text, export_started_text
from bot.views.messages import HelpEntry
from bot.views.stats import stats_blocks, stats_text
from bot.views.text import escape, unescape

CHARTS_SENT = "Your charts are in our direct messages."


def stats_command(call: CommandCall) -> None:
    sub, _, rest = call.args.partition(" ")
    if sub.lower() in ("chart", "charts"):
        charts_command(call, rest)
        return
    # Anything refused is refused before the ack, so it is the command's own answer.
    program_id = flows.report_program(call.deps, team_id=call.team_id, name=unescape(call.args))
    call.ack()
    report = flows.stats(call.deps, program_id=program_id)
    call.respond(response_type="ephemeral", text=stats_text(report), blocks=stats_blocks(report))


def charts_command(call: CommandCall, program_arg: str) -> None:
    """A refusal (no such program, nothing to chart) is the command's own answer; only the
    drawing, which takes a moment, comes after the ack."""
    data = flows.chart_data(call.deps, team_id=call.team_id, name=unescape(program_arg))
    call.ack()
    effects.run([flows.charts(data, user_id=call.user_id)], deps=call.deps, client=call.client)
    call.respond(response_type="ephemeral", text=CHARTS_SENT, replace_original=False)


def digest_command(call: CommandCall) -> None:
    choice = call.args.strip().lower()
    if choice not in ("on", "off"):
        raise DomainError(f"Try `{COMMAND} digest on` or `{COMMAND} digest off`.")
    change = flows.switch_digest(call.deps, team_id=call.team_id, enabled=choice == "on")
    note = "" if change.changed else " (it already was)"
    detail = (
        " Every named coordinator gets it by DM on Monday mornings, 09:00 in their own time zone."
        if choice == "on"
        else ""
    )
    call.ack(
        response_type="ephemeral",
        text=f"The weekly digest for *{escape(change.program_name)}* is {choice}{note}.{detail}",
    )


def export_command(call: CommandCall) -> None:
    # A program that does not exist is the answer to the command itself.
    program_id = flows.report_program(call.deps, team_id=call.team_id, name=unescape(call.args))
    name = flows.program_name(call.deps, program_id=program_id)
    call.ack(response_type="ephemeral", text=export_started_text(name))
    found, share = flows.export(call.deps, program_id=program_id, user_id=call.user_id)
    effects.run([share], deps=call.deps, client=call.client)
    call.respond(response_type="ephemeral", text=export_done_text(found))


COMMANDS = (
    SubCommand(
        "digest",
        digest_command,
        HelpEntry(
            f"{COMMAND} digest on|off",
            "a Monday-morning digest of the open program's figures, by DM to coordinators",
            coordinators_only=True,
        ),
    ),
    SubCommand(
        "stats",
        stats_command,
        HelpEntry(
            f"{COMMAND} stats [chart] [program]",
            "the program report (participation, pair health, sessions, outcomes), or with "
            "`chart`, charts of sessions per week and skill growth in your DM",
            coordinators_only=True,
        ),
    ),
)
EXPORT_COMMANDS = (
    SubCommand(
        "export",
        export_command,
        HelpEntry(
            f"{COMMAND} export [program]",
            "sends you the program's participants, pairs and sessions as CSV files",
            coordinators_only=True,
        ),
    ),
)
