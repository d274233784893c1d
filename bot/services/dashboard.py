"""The coordinator's headline figures for the App Home."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.services.matching.rounds import RoundStatus, latest_status
from bot.services.pair_results import Board, participation_board
from bot.services.polls import PollTallies, latest_poll
from bot.services.programs import ProgramInfo, ProgramSummary, find_open_program, signup_counts
from bot.services.stats import ProgramStats, program_stats
from models import Pair
from models.enums import PairStatus, PollStatus, Role


@dataclass(frozen=True)
class PollInfo:
    channel_id: str
    status: PollStatus


@dataclass(frozen=True)
class Dashboard:
    program: ProgramSummary | None
    poll: PollInfo | None
    poll_tallies: PollTallies | None
    pairs: dict[PairStatus, int]
    stats: ProgramStats | None = None
    round: RoundStatus | None = None  # the latest round of matching
    board: Board | None = None  # the participation board of pairs that agreed to be named


def coordinator_dashboard(
    db_session: Session, *, team_id: str, now: datetime | None = None
) -> Dashboard:
    """Open program with sign-ups by role, the latest poll's tallies, pairs by status, and
    (given `now`) the report's headline figures and at-risk pairs."""
    program = find_open_program(db_session, team_id=team_id)
    summary, pairs, stats, latest_round = None, dict.fromkeys(PairStatus, 0), None, None
    board = None
    if program is not None:
        counts = signup_counts(db_session, program_ids=[program.id])[program.id]
        summary = ProgramSummary(
            program=ProgramInfo.of(program),
            mentors=counts[Role.MENTOR],
            mentees=counts[Role.MENTEE],
            both=counts[Role.BOTH],
        )
        for status, count in db_session.execute(
            select(Pair.status, func.count())
            .where(Pair.program_id == program.id)
            .group_by(Pair.status)
        ):
            pairs[status] = count
        if now is not None:
            stats = program_stats(db_session, program=program, now=now)
            latest_round = latest_status(db_session, program_id=program.id, now=now)
            board = participation_board(db_session, program_id=program.id)
    latest = latest_poll(db_session, team_id=team_id)
    return Dashboard(
        program=summary,
        poll=PollInfo(latest[0].channel_id, latest[0].status) if latest else None,
        poll_tallies=latest[1] if latest else None,
        pairs=pairs,
        stats=stats,
        round=latest_round,
        board=board,
    )
