"""`/mentoring stats chart [program]`: the program's charts, uploaded to the coordinator's DM."""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk import WebClient

from bot.charts import sessions_chart, skill_growth_chart
from bot.handlers.commands import CommandCall
from bot.handlers.coordinators import require_coordinator
from bot.handlers.deps import Deps
from bot.services.chart_data import (
    DEFAULT_WEEKS,
    MIN_GROUP,
    TopicGrowth,
    WeekCounts,
    sessions_per_week,
    skill_growth,
)
from bot.services.errors import DomainError
from bot.services.programs import find_program
from bot.views.text import escape, unescape

SENT = "Your charts are in our direct messages."


class NothingToChartError(DomainError):
    def __init__(self, program_name: str) -> None:
        super().__init__(
            f"Nothing to chart for {program_name} yet: no sessions held, cancelled or missed "
            f"in the last {DEFAULT_WEEKS} weeks, and no topic re-rated in a survey by "
            f"{MIN_GROUP} or more people."
        )


@dataclass(frozen=True)
class _ChartData:
    name: str
    weeks: list[WeekCounts]
    growth: list[TopicGrowth]


def _chart_data(deps: Deps, *, team_id: str, program_arg: str) -> _ChartData:
    """What the charts show; DomainError for an unknown program or when there is nothing."""
    now = deps.clock()
    with deps.session_factory.begin() as db_session:
        program = find_program(db_session, team_id=team_id, name=unescape(program_arg))
        data = _ChartData(
            name=program.name,
            weeks=sessions_per_week(db_session, program_id=program.id, now=now),
            growth=skill_growth(db_session, program_id=program.id),
        )
    if not any(w.total for w in data.weeks) and all(t.suppressed for t in data.growth):
        raise NothingToChartError(data.name)
    return data


def send_charts(client: WebClient, *, user_id: str, data: _ChartData) -> None:
    """Draw the program's charts and upload them to the coordinator's DM."""
    name, files, notes = data.name, [], []
    if any(w.total for w in data.weeks):
        files.append(
            {
                "filename": "sessions-per-week.png",
                "title": f"Sessions per week, {name}",
                "content": sessions_chart(data.weeks, program_name=name),
            }
        )
    else:
        notes.append(f"No sessions held, cancelled or missed in the last {DEFAULT_WEEKS} weeks.")
    if any(not t.suppressed for t in data.growth):
        files.append(
            {
                "filename": "skill-growth.png",
                "title": f"Skill growth per topic, {name}",
                "content": skill_growth_chart(data.growth, program_name=name),
            }
        )
    else:
        notes.append(
            f"No skill-growth chart yet: no topic has been re-rated in a survey by {MIN_GROUP} "
            "or more people."
        )
    comment = f"Charts for *{escape(name)}*." + "".join(f"\n{note}" for note in notes)
    channel = client.conversations_open(users=user_id)["channel"]["id"]
    client.files_upload_v2(channel=channel, file_uploads=files, initial_comment=comment)


def charts_command(call: CommandCall, deps: Deps, program_arg: str) -> None:
    """`/mentoring stats chart [program]` (the stats command hands it over).

    A refusal (not a coordinator, no such program, nothing to chart) is the command's own
    answer; only the drawing, which takes a moment, comes after the ack.
    """
    require_coordinator(deps, call.client, team_id=call.team_id, user_id=call.user_id)
    data = _chart_data(deps, team_id=call.team_id, program_arg=program_arg)
    call.ack()
    send_charts(call.client, user_id=call.user_id, data=data)
    call.respond(response_type="ephemeral", text=SENT, replace_original=False)
