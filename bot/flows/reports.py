"""What coordinators read: the program report, the weekly digest switch, charts, exports."""

from __future__ import annotations

from dataclasses import dataclass

from bot.charts import sessions_chart, skill_growth_chart
from bot.deps import Deps
from bot.flows.effects import ShareFiles
from bot.services.chart_data import (
    DEFAULT_WEEKS,
    MIN_GROUP,
    TopicGrowth,
    WeekCounts,
    sessions_per_week,
    skill_growth,
)
from bot.services.digests import set_digest
from bot.services.errors import DomainError
from bot.services.exports import ProgramExport, export_program
from bot.services.programs import find_open_program, find_program
from bot.services.stats import ProgramStats, program_stats
from bot.slack.files import Upload
from bot.views.exports import export_comment, file_title
from bot.views.text import escape
from models import Program


class NothingToChartError(DomainError):
    def __init__(self, program_name: str) -> None:
        super().__init__(
            f"Nothing to chart for {program_name} yet: no sessions held, cancelled or missed "
            f"in the last {DEFAULT_WEEKS} weeks, and no topic re-rated in a survey by "
            f"{MIN_GROUP} or more people."
        )


def report_program(deps: Deps, *, team_id: str, name: str) -> int:
    """The program a report is about (the open one for ""): its id; DomainError if none."""
    with deps.session_factory.begin() as db_session:
        return find_program(db_session, team_id=team_id, name=name).id


def stats(deps: Deps, *, program_id: int) -> ProgramStats:
    with deps.session_factory.begin() as db_session:
        program = db_session.get(Program, program_id)
        if program is None:
            raise DomainError("That program no longer exists.")
        return program_stats(db_session, program=program, now=deps.clock())


@dataclass(frozen=True)
class DigestChange:
    program_name: str
    changed: bool


def switch_digest(deps: Deps, *, team_id: str, enabled: bool) -> DigestChange:
    with deps.session_factory.begin() as db_session:
        program = find_open_program(db_session, team_id=team_id)
        if program is None:
            raise DomainError("No program is open, so there is nothing to digest.")
        changed = set_digest(db_session, program=program, enabled=enabled, now=deps.clock())
        return DigestChange(program.name, changed)


@dataclass(frozen=True)
class ChartData:
    name: str
    weeks: list[WeekCounts]
    growth: list[TopicGrowth]


def chart_data(deps: Deps, *, team_id: str, name: str) -> ChartData:
    """What the charts show; DomainError for an unknown program or when there is nothing."""
    now = deps.clock()
    with deps.session_factory.begin() as db_session:
        program = find_program(db_session, team_id=team_id, name=name)
        data = ChartData(
            name=program.name,
            weeks=sessions_per_week(db_session, program_id=program.id, now=now),
            growth=skill_growth(db_session, program_id=program.id),
        )
    if not any(w.total for w in data.weeks) and all(t.suppressed for t in data.growth):
        raise NothingToChartError(data.name)
    return data


def charts(data: ChartData, *, user_id: str) -> ShareFiles:
    """The program's charts, drawn, for the coordinator's DM."""
    name, uploads, notes = data.name, [], []
    if any(w.total for w in data.weeks):
        uploads.append(
            Upload(
                "sessions-per-week.png",
                sessions_chart(data.weeks, program_name=name),
                f"Sessions per week, {name}",
            )
        )
    else:
        notes.append(f"No sessions held, cancelled or missed in the last {DEFAULT_WEEKS} weeks.")
    if any(not t.suppressed for t in data.growth):
        uploads.append(
            Upload(
                "skill-growth.png",
                skill_growth_chart(data.growth, program_name=name),
                f"Skill growth per topic, {name}",
            )
        )
    else:
        notes.append(
            f"No skill-growth chart yet: no topic has been re-rated in a survey by {MIN_GROUP} "
            "or more people."
        )
    comment = f"Charts for *{escape(name)}*." + "".join(f"\n{note}" for note in notes)
    return ShareFiles(uploads, comment, to_user=user_id)


def export(deps: Deps, *, program_id: int, user_id: str) -> tuple[ProgramExport, ShareFiles]:
    """The program's three CSV files, for the coordinator's DM."""
    now = deps.clock()
    with deps.session_factory.begin() as db_session:
        found = export_program(db_session, program_id=program_id, now=now)
    uploads = [
        Upload(name, content, file_title(name, found.program_name))
        for name, content in found.encoded().items()
    ]
    return found, ShareFiles(uploads, export_comment(found, now=now), to_user=user_id)


def program_name(deps: Deps, *, program_id: int) -> str:
    with deps.session_factory.begin() as db_session:
        program = db_session.get(Program, program_id)
        return program.name if program else ""
