"""Programs (cohorts): the open one that `join` enrols into, and past ones with their data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.services.errors import DomainError
from bot.services.persistence import get_or_create
from bot.services.workspaces import ensure_workspace
from models import Participant, Program
from models.enums import Cadence, ParticipantStatus, ProgramStatus, Role

NAME_LENGTH = 120
SESSION_MINUTES = (30, 45, 60, 90)
MAX_PLANNED_SESSIONS = 52


class NoOpenProgramError(DomainError):
    def __init__(self) -> None:
        super().__init__(
            "There's no program open right now. A coordinator can start one with "
            "`/mentoring program new`."
        )


class ProgramField(StrEnum):
    NAME = "name"
    STARTS_ON = "starts_on"
    ENDS_ON = "ends_on"
    MIDPOINT_ON = "midpoint_on"
    FINAL_ON = "final_on"
    CADENCE = "cadence"
    SESSION_MINUTES = "session_minutes"
    PLANNED_SESSIONS = "planned_sessions"
    ANNOUNCEMENT_CHANNEL = "announcement_channel"
    SIGNUP_OPEN = "signup_open"
    STATUS = "status"


@dataclass
class ProgramInput:
    name: str = ""
    starts_on: date | None = None
    ends_on: date | None = None
    midpoint_on: date | None = None
    final_on: date | None = None
    cadence: Cadence | None = Cadence.BIWEEKLY
    session_minutes: int | None = 45
    planned_sessions: int | None = 6
    announcement_channel: str | None = None
    signup_open: bool = True
    status: ProgramStatus = ProgramStatus.OPEN


def validate_program(program: ProgramInput) -> dict[str, str]:
    """A message per field that breaks a rule; empty when the program may be saved."""
    errors: dict[str, str] = {}
    name = program.name.strip()
    if not name:
        errors[ProgramField.NAME] = "Please give the program a name."
    elif len(name) > NAME_LENGTH:
        errors[ProgramField.NAME] = f"Please keep the name under {NAME_LENGTH} characters."
    if program.starts_on and program.ends_on and program.ends_on <= program.starts_on:
        errors[ProgramField.ENDS_ON] = "The end date must come after the start date."
    errors.update(_evaluation_errors(program))
    if program.cadence is None:
        errors[ProgramField.CADENCE] = "Please choose how often pairs meet."
    if program.session_minutes not in SESSION_MINUTES:
        errors[ProgramField.SESSION_MINUTES] = "Please choose a session length."
    if (
        program.planned_sessions is None
        or not 1 <= program.planned_sessions <= MAX_PLANNED_SESSIONS
    ):
        errors[ProgramField.PLANNED_SESSIONS] = f"Enter a number from 1 to {MAX_PLANNED_SESSIONS}."
    return errors


def _evaluation_errors(program: ProgramInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    for field, day in (
        (ProgramField.MIDPOINT_ON, program.midpoint_on),
        (ProgramField.FINAL_ON, program.final_on),
    ):
        if day is None:
            continue
        if (program.starts_on and day < program.starts_on) or (
            program.ends_on and day > program.ends_on
        ):
            errors[field] = "Pick a date between the program's start and end dates."
    if (
        program.midpoint_on
        and program.final_on
        and program.final_on <= program.midpoint_on
        and ProgramField.FINAL_ON not in errors
    ):
        errors[ProgramField.FINAL_ON] = "The final evaluation must come after the midpoint one."
    return errors


def find_open_program(db_session: Session, *, team_id: str) -> Program | None:
    """The program `join` enrols into, if the workspace has one."""
    return db_session.scalars(
        select(Program).where(Program.team_id == team_id, Program.status == ProgramStatus.OPEN)
    ).one_or_none()


def get_or_create_open_program(db_session: Session, *, team_id: str, now: datetime) -> Program:
    """The open program; a workspace's very first one is created with defaults on first use.

    Once coordinators have closed or finished programs, a new one is theirs to start.
    """
    ensure_workspace(db_session, team_id=team_id)
    found = find_open_program(db_session, team_id=team_id)
    if found is not None:
        return found
    if db_session.scalar(select(Program.id).where(Program.team_id == team_id).limit(1)):
        raise NoOpenProgramError
    program, _ = get_or_create(
        db_session,
        find=lambda: find_open_program(db_session, team_id=team_id),
        create=lambda: Program(
            team_id=team_id,
            name=f"Reverse mentoring {now.year}",
            status=ProgramStatus.OPEN,
            created_at=now,
            updated_at=now,
        ),
    )
    return program


def program_status(db_session: Session, *, team_id: str, program_id: int | None) -> ProgramStatus:
    """The status of the program a form edits (a new one is open)."""
    program = db_session.get(Program, program_id) if program_id else None
    if program is None or program.team_id != team_id:
        return ProgramStatus.OPEN
    return program.status


def program_input_of(program: Program) -> ProgramInput:
    return ProgramInput(
        name=program.name,
        starts_on=program.starts_on,
        ends_on=program.ends_on,
        midpoint_on=program.midpoint_on,
        final_on=program.final_on,
        cadence=program.cadence,
        session_minutes=program.session_minutes,
        planned_sessions=program.planned_sessions,
        announcement_channel=program.announcement_channel,
        signup_open=program.signup_open,
        status=program.status,
    )


def _apply(program: Program, values: ProgramInput, now: datetime) -> None:
    assert values.cadence and values.session_minutes and values.planned_sessions
    program.name = values.name.strip()
    program.starts_on, program.ends_on = values.starts_on, values.ends_on
    program.midpoint_on, program.final_on = values.midpoint_on, values.final_on
    program.cadence = values.cadence
    program.session_minutes = values.session_minutes
    program.planned_sessions = values.planned_sessions
    program.announcement_channel = values.announcement_channel
    program.signup_open = values.signup_open
    program.updated_at = now


def create_program(
    db_session: Session, *, team_id: str, values: ProgramInput, now: datetime
) -> tuple[Program, Program | None]:
    """Start a new open program; the one open before is closed (its data kept).

    Returns (new program, the program it replaced).
    """
    ensure_workspace(db_session, team_id=team_id)
    previous = find_open_program(db_session, team_id=team_id)
    if previous is not None:
        previous.status = ProgramStatus.CLOSED
        previous.signup_open = False
        previous.updated_at = now
        db_session.flush()  # one open program per workspace: close before opening
    program = Program(team_id=team_id, status=ProgramStatus.OPEN, created_at=now)
    _apply(program, values, now)
    db_session.add(program)
    db_session.flush()
    return program, previous


def update_program(
    db_session: Session, *, team_id: str, program_id: int, values: ProgramInput, now: datetime
) -> Program:
    """Edit a program's settings; finishing it keeps its data."""
    program = db_session.get(Program, program_id)
    if program is None or program.team_id != team_id:
        raise DomainError("That program no longer exists.")
    _apply(program, values, now)
    if values.status != program.status:
        if values.status == ProgramStatus.OPEN and find_open_program(db_session, team_id=team_id):
            raise DomainError("Another program is open; close it before reopening this one.")
        program.status = values.status
    return program


@dataclass(frozen=True)
class ProgramInfo:
    """A program as messages and views show it (plain data)."""

    id: int
    name: str
    status: ProgramStatus
    signup_open: bool
    starts_on: date | None
    ends_on: date | None

    @classmethod
    def of(cls, program: Program) -> ProgramInfo:
        return cls(
            program.id,
            program.name,
            program.status,
            program.signup_open,
            program.starts_on,
            program.ends_on,
        )


@dataclass(frozen=True)
class ProgramSummary:
    program: ProgramInfo
    mentors: int
    mentees: int
    both: int

    @property
    def participants(self) -> int:
        return self.mentors + self.mentees + self.both


def signup_counts(db_session: Session, *, program_ids: list[int]) -> dict[int, dict[Role, int]]:
    """Active participants per program and role, in one query."""
    rows = db_session.execute(
        select(Participant.program_id, Participant.role, func.count())
        .where(
            Participant.program_id.in_(program_ids),
            Participant.status == ParticipantStatus.ACTIVE,
        )
        .group_by(Participant.program_id, Participant.role)
    ).all()
    counts: dict[int, dict[Role, int]] = {pid: dict.fromkeys(Role, 0) for pid in program_ids}
    for program_id, role, count in rows:
        counts[program_id][role] = count
    return counts


def list_programs(db_session: Session, *, team_id: str) -> list[ProgramSummary]:
    """Every program of the workspace, newest first, with its sign-up counts."""
    programs = list(
        db_session.scalars(
            select(Program).where(Program.team_id == team_id).order_by(Program.id.desc())
        )
    )
    counts = signup_counts(db_session, program_ids=[p.id for p in programs])
    return [
        ProgramSummary(
            program=ProgramInfo.of(p),
            mentors=counts[p.id][Role.MENTOR],
            mentees=counts[p.id][Role.MENTEE],
            both=counts[p.id][Role.BOTH],
        )
        for p in programs
    ]


def current_program(db_session: Session, *, team_id: str, now: datetime) -> Program | None:
    """Like get_or_create_open_program, but None when coordinators have no program open."""
    try:
        return get_or_create_open_program(db_session, team_id=team_id, now=now)
    except NoOpenProgramError:
        return None


def find_program(db_session: Session, *, team_id: str, name: str) -> Program:
    """The program a coordinator named, by id (`12`, `#12`) or by name in any case (the newest
    of that name); with no name, the open one, else the newest.

    Raises DomainError when the workspace has no such program.
    """
    wanted = name.strip().strip("\"'“”").strip()
    newest_first = select(Program).where(Program.team_id == team_id).order_by(Program.id.desc())
    if wanted:
        number = wanted.removeprefix("#")
        by = (
            Program.id == int(number)
            if number.isdigit()
            else func.lower(Program.name) == wanted.lower()
        )
        found = db_session.scalars(newest_first.where(by).limit(1)).first()
        if found is None:
            raise DomainError(
                f"There's no program called “{wanted}”. "
                "`/mentoring program list` shows their names."
            )
        return found
    found = (
        find_open_program(db_session, team_id=team_id)
        or db_session.scalars(newest_first.limit(1)).first()
    )
    if found is None:
        raise DomainError("There's no program yet. Start one with `/mentoring program new`.")
    return found
