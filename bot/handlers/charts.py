"""`/mentoring stats chart [program]`: the program's charts, uploaded to the coordinator's DM."""

from __future__ import annotations

from slack_sdk import WebClient

from bot.charts import sessions_chart, skill_growth_chart
from bot.handlers.commands import CommandCall
from bot.handlers.coordinators import require_coordinator
from bot.handlers.deps import Deps
from bot.services.chart_data import DEFAULT_WEEKS, MIN_GROUP, sessions_per_week, skill_growth
from bot.services.errors import DomainError
from bot.services.programs import find_program
from bot.views.text import escape

SENT = "Your charts are in our direct messages."


class NothingToChartError(DomainError):
    def __init__(self, program_name: str) -> None:
        super().__init__(
            f"Nothing to chart for {program_name} yet: no sessions held, cancelled or missed "
            f"in the last {DEFAULT_WEEKS} weeks, and no topic re-rated in a survey by "
            f"{MIN_GROUP} or more people."
        )


def _unescape(text: str) -> str:
    """Slack sends `&`, `<` and `>` typed in a command escaped; undo that for a name."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def send_charts(
    deps: Deps, client: WebClient, *, team_id: str, user_id: str, program_arg: str
) -> None:
    """Upload the program's charts to the coordinator's DM; DomainError when there are none."""
    require_coordinator(deps, client, team_id=team_id, user_id=user_id)
    now = deps.clock()
    with deps.session_factory.begin() as db_session:
        program = find_program(db_session, team_id=team_id, name=_unescape(program_arg))
        name = program.name
        weeks = sessions_per_week(db_session, program_id=program.id, now=now)
        growth = skill_growth(db_session, program_id=program.id)
    files = []
    notes = []
    if any(w.total for w in weeks):
        files.append(
            {
                "filename": "sessions-per-week.png",
                "title": f"Sessions per week, {name}",
                "content": sessions_chart(weeks, program_name=name),
            }
        )
    else:
        notes.append(f"No sessions held, cancelled or missed in the last {DEFAULT_WEEKS} weeks.")
    if any(not t.suppressed for t in growth):
        files.append(
            {
                "filename": "skill-growth.png",
                "title": f"Skill growth per topic, {name}",
                "content": skill_growth_chart(growth, program_name=name),
            }
        )
    else:
        notes.append(
            f"No skill-growth chart yet: no topic has been re-rated in a survey by {MIN_GROUP} "
            "or more people."
        )
    if not files:
        raise NothingToChartError(name)
    comment = f"Charts for *{escape(name)}*." + "".join(f"\n{note}" for note in notes)
    channel = client.conversations_open(users=user_id)["channel"]["id"]
    client.files_upload_v2(channel=channel, file_uploads=files, initial_comment=comment)


def charts_command(call: CommandCall, deps: Deps, program_arg: str) -> None:
    """`/mentoring stats chart [program]` (the stats command hands it over)."""
    call.ack()  # drawing takes a moment; a problem is answered privately by the error handler
    send_charts(
        deps, call.client, team_id=call.team_id, user_id=call.user_id, program_arg=program_arg
    )
    call.respond(response_type="ephemeral", text=SENT, replace_original=False)
