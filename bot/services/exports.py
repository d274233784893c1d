"""CSV exports of one program for its coordinators: participants, pairs and sessions.

Never exported: a check-in's private note, what someone wrote they learned, the text of a
follow-up, goals' wording, and anything about a person who asked to be forgotten (their
participant row is gone; a pair keeps an empty side, which stays blank here, with the matching
reasons that described them and any cancellation reason they typed).

Cells that came from people's typing could be read as formulas by a spreadsheet; every text
cell starting with one of `= + - @`, a tab or a carriage return gets a leading `'`.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from bot.services.errors import DomainError
from bot.services.pair_health import RESCHEDULED
from models import (
    Agreement,
    CheckIn,
    Goal,
    MentoringSession,
    Pair,
    Participant,
    ParticipantTopic,
    Program,
    SurveyResponse,
)
from models.enums import (
    GoalStatus,
    PairStatus,
    ParticipantStatus,
    SessionStatus,
    Side,
    TopicDirection,
)

PARTICIPANTS_FILE = "participants.csv"
PAIRS_FILE = "pairs.csv"
SESSIONS_FILE = "sessions.csv"

PARTICIPANT_COLUMNS = (
    "slack_user_id",
    "role",
    "department",
    "location",
    "career_stage",
    "cadence",
    "status",
    "joined_at",
    "teach_topics",
    "learn_topics_self_rating",
    "latest_survey_ratings",
    "paired",
)
PAIR_COLUMNS = (
    "pair_id",
    "mentor_user_id",
    "mentee_user_id",
    "status",
    "score",
    "reasons",
    "created_at",
    "introduced_at",
    "at_risk_since",
    "at_risk_reason",
    "ended_at",
    "ended_reason",
    "sessions_held",
    "cancelled_by_mentor",
    "cancelled_by_mentee",
    "cancelled_side_not_said",
    "sessions_missed",
    "sessions_upcoming",
    "goals_achieved",
    "goals_open",
    "goals_dropped",
    "agreement_confirmed",
)
SESSION_COLUMNS = (
    "session_id",
    "pair_id",
    "starts_at",
    "minutes",
    "status",
    "cancelled_by",
    "cancel_reason",
    "mentor_rating",
    "mentee_rating",
    "topics_covered",
    "follow_up_posted",
)

# What a spreadsheet may take for the start of a formula (OWASP's list for CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# UTF-8 with a byte-order mark, so spreadsheets read accented names correctly.
ENCODING = "utf-8-sig"
LIST_SEPARATOR = "; "

Cell = str | int | float | bool | datetime | None


def spreadsheet_safe(text: str) -> str:
    """The text, with a leading `'` if a spreadsheet could take it for a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _cell(value: Cell) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, int | float):
        return value
    return spreadsheet_safe(str(value))


def _csv(columns: Sequence[str], rows: Iterable[Sequence[Cell]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in rows:
        assert len(row) == len(columns)
        writer.writerow([_cell(value) for value in row])
    return buffer.getvalue()


def _ratings(ratings: dict[str, int]) -> str:
    return LIST_SEPARATOR.join(f"{topic}:{rating}" for topic, rating in ratings.items())


@dataclass(frozen=True)
class ProgramExport:
    """The three CSV files of one program, by file name, with their row counts."""

    program_id: int
    program_name: str
    files: dict[str, str]  # file name -> CSV text, header row first
    rows: dict[str, int] = field(default_factory=dict)  # file name -> rows below the header

    def encoded(self) -> dict[str, bytes]:
        """Each file's bytes as uploaded."""
        return {name: text.encode(ENCODING) for name, text in self.files.items()}


def export_program(db_session: Session, *, program_id: int, now: datetime) -> ProgramExport:
    """Build participants.csv, pairs.csv and sessions.csv for the program, as of `now`."""
    program = db_session.get(Program, program_id)
    if program is None:
        raise DomainError("That program no longer exists.")
    participants = _participant_rows(db_session, program_id=program.id, now=now)
    sessions, session_rows = _sessions(db_session, program_id=program.id)
    pairs = _pair_rows(db_session, program_id=program.id, sessions=sessions, now=now)
    tables = {
        PARTICIPANTS_FILE: (PARTICIPANT_COLUMNS, participants),
        PAIRS_FILE: (PAIR_COLUMNS, pairs),
        SESSIONS_FILE: (SESSION_COLUMNS, session_rows),
    }
    return ProgramExport(
        program_id=program.id,
        program_name=program.name,
        files={name: _csv(columns, rows) for name, (columns, rows) in tables.items()},
        rows={name: len(rows) for name, (_columns, rows) in tables.items()},
    )


# -- participants ---------------------------------------------------------------------------------


def _participant_rows(
    db_session: Session, *, program_id: int, now: datetime
) -> list[tuple[Cell, ...]]:
    people = db_session.execute(
        select(
            Participant.id,
            Participant.slack_user_id,
            Participant.role,
            Participant.department,
            Participant.location,
            Participant.career_stage,
            Participant.cadence,
            Participant.status,
            Participant.paused_until,
            Participant.created_at,
        )
        .where(Participant.program_id == program_id)
        .order_by(Participant.id)
    ).all()

    teach: dict[int, list[str]] = defaultdict(list)
    learn: dict[int, dict[str, int | None]] = defaultdict(dict)
    for participant_id, direction, topic, rating in db_session.execute(
        select(
            ParticipantTopic.participant_id,
            ParticipantTopic.direction,
            ParticipantTopic.topic,
            ParticipantTopic.self_rating,
        )
        .join(Participant, Participant.id == ParticipantTopic.participant_id)
        .where(Participant.program_id == program_id)
        .order_by(ParticipantTopic.id)
    ):
        if direction == TopicDirection.TEACH:
            teach[participant_id].append(topic)
        else:
            learn[participant_id][topic] = rating

    # Each topic's most recent re-rating, whichever survey (and pair) it came from.
    resurveyed: dict[int, dict[str, int]] = defaultdict(dict)
    for participant_id, ratings in db_session.execute(
        select(SurveyResponse.participant_id, SurveyResponse.ratings)
        .join(Participant, Participant.id == SurveyResponse.participant_id)
        .where(Participant.program_id == program_id)
        .order_by(SurveyResponse.updated_at, SurveyResponse.id)
    ):
        resurveyed[participant_id].update(ratings or {})

    mentor_ids = select(Pair.mentor_id.label("participant_id")).where(
        Pair.program_id == program_id, Pair.status != PairStatus.PROPOSED
    )
    mentee_ids = select(Pair.mentee_id.label("participant_id")).where(
        Pair.program_id == program_id, Pair.status != PairStatus.PROPOSED
    )
    paired = set(db_session.scalars(mentor_ids.union(mentee_ids)))

    rows: list[tuple[Cell, ...]] = []
    for person in people:
        if person.status == ParticipantStatus.LEFT:
            status = "left"
        elif person.paused_until is not None and person.paused_until > now:
            status = "paused"
        else:
            status = "active"
        learning = LIST_SEPARATOR.join(
            f"{topic}:{rating}" if rating is not None else topic
            for topic, rating in learn[person.id].items()
        )
        rows.append(
            (
                person.slack_user_id,
                person.role.value,
                person.department,
                person.location,
                person.career_stage.value,
                person.cadence.value,
                status,
                person.created_at,
                LIST_SEPARATOR.join(teach[person.id]),
                learning,
                _ratings(resurveyed[person.id]),
                person.id in paired,
            )
        )
    return rows


# -- sessions -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Session:
    id: int
    pair_id: int
    starts_at: datetime
    status: SessionStatus
    cancelled_by: Side | None
    cancel_reason: str | None


def _sessions(
    db_session: Session, *, program_id: int
) -> tuple[list[_Session], list[tuple[Cell, ...]]]:
    found = db_session.execute(
        select(
            MentoringSession.id,
            MentoringSession.pair_id,
            MentoringSession.starts_at,
            MentoringSession.minutes,
            MentoringSession.status,
            MentoringSession.cancelled_by,
            MentoringSession.cancel_reason,
            Pair.mentor_id,
            Pair.mentee_id,
        )
        .join(Pair, Pair.id == MentoringSession.pair_id)
        .where(Pair.program_id == program_id)
        .order_by(MentoringSession.starts_at, MentoringSession.id)
    ).all()

    # Check-ins: the rating, topics and whether a follow-up was posted; never their free text.
    ratings: dict[int, dict[Side, int | None]] = defaultdict(dict)
    topics: dict[int, list[str]] = defaultdict(list)
    followed_up: set[int] = set()
    for session_id, side, rating, covered, has_follow_up in db_session.execute(
        select(
            CheckIn.session_id,
            CheckIn.side,
            CheckIn.rating,
            CheckIn.topics,
            CheckIn.follow_up.is_not(None),
        )
        .where(CheckIn.program_id == program_id)
        .order_by(CheckIn.id)
    ):
        ratings[session_id][side] = rating
        topics[session_id].extend(covered or [])
        if has_follow_up:
            followed_up.add(session_id)

    sessions: list[_Session] = []
    rows: list[tuple[Cell, ...]] = []
    for s in found:
        sessions.append(
            _Session(s.id, s.pair_id, s.starts_at, s.status, s.cancelled_by, s.cancel_reason)
        )
        # A reason typed by someone who has since asked to be forgotten goes with them.
        forgotten_side = (s.cancelled_by == Side.MENTOR and s.mentor_id is None) or (
            s.cancelled_by == Side.MENTEE and s.mentee_id is None
        )
        rows.append(
            (
                s.id,
                s.pair_id,
                s.starts_at,
                s.minutes,
                s.status.value,
                s.cancelled_by.value if s.cancelled_by else None,
                None if forgotten_side else s.cancel_reason,
                ratings[s.id].get(Side.MENTOR),
                ratings[s.id].get(Side.MENTEE),
                LIST_SEPARATOR.join(dict.fromkeys(topics[s.id])),
                s.id in followed_up,
            )
        )
    return sessions, rows


# -- pairs ----------------------------------------------------------------------------------------


def _session_counts(sessions: list[_Session], now: datetime) -> dict[int, dict[str, int]]:
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for s in sessions:
        tally = counts[s.pair_id]
        if s.status == SessionStatus.HAPPENED:
            tally["held"] += 1
        elif s.status == SessionStatus.CANCELLED:
            tally[s.cancelled_by.value if s.cancelled_by else "not said"] += 1
        elif s.status == SessionStatus.MISSED:
            # A moved session is recorded as missed "rescheduled": no meeting was missed.
            tally["missed"] += s.cancel_reason != RESCHEDULED
        elif s.starts_at > now:
            tally["upcoming"] += 1
    return counts


def _pair_rows(
    db_session: Session, *, program_id: int, sessions: list[_Session], now: datetime
) -> list[tuple[Cell, ...]]:
    mentor, mentee = aliased(Participant), aliased(Participant)
    pairs = db_session.execute(
        select(
            Pair.id,
            Pair.mentor_id,
            Pair.mentee_id,
            mentor.slack_user_id.label("mentor_user"),
            mentee.slack_user_id.label("mentee_user"),
            Pair.status,
            Pair.score,
            Pair.reasons,
            Pair.created_at,
            Pair.intro_sent_at,
            Pair.at_risk_since,
            Pair.at_risk_reason,
            Pair.ended_at,
            Pair.ended_reason,
            Agreement.mentor_confirmed_at,
            Agreement.mentee_confirmed_at,
        )
        .outerjoin(mentor, mentor.id == Pair.mentor_id)
        .outerjoin(mentee, mentee.id == Pair.mentee_id)
        .outerjoin(Agreement, Agreement.pair_id == Pair.id)
        .where(Pair.program_id == program_id)
        .order_by(Pair.id)
    ).all()

    goals: dict[int, dict[GoalStatus, int]] = defaultdict(lambda: defaultdict(int))
    for pair_id, status, count in db_session.execute(
        select(Goal.pair_id, Goal.status, func.count())
        .join(Pair, Pair.id == Goal.pair_id)
        .where(Pair.program_id == program_id)
        .group_by(Goal.pair_id, Goal.status)
    ):
        goals[pair_id][status] = count

    counts = _session_counts(sessions, now)
    rows: list[tuple[Cell, ...]] = []
    for p in pairs:
        tally = counts[p.id]
        # The matching reasons describe both people (job titles, departments, places).
        someone_forgotten = p.mentor_id is None or p.mentee_id is None
        rows.append(
            (
                p.id,
                p.mentor_user,
                p.mentee_user,
                p.status.value,
                p.score,
                None if someone_forgotten else LIST_SEPARATOR.join(p.reasons or []),
                p.created_at,
                p.intro_sent_at,
                p.at_risk_since,
                p.at_risk_reason,
                p.ended_at,
                p.ended_reason,
                tally["held"],
                tally[Side.MENTOR.value],
                tally[Side.MENTEE.value],
                tally["not said"],
                tally["missed"],
                tally["upcoming"],
                goals[p.id][GoalStatus.ACHIEVED],
                goals[p.id][GoalStatus.OPEN],
                goals[p.id][GoalStatus.DROPPED],
                p.mentor_confirmed_at is not None and p.mentee_confirmed_at is not None,
            )
        )
    return rows
