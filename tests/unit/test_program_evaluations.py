"""Evaluation dates the program sets: the midpoint and final surveys fall on them."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.services.programs import ProgramField, ProgramInput, validate_program
from bot.services.surveys import plan_surveys
from bot.views.programs import ProgramMetadata, parse_program_state, program_modal
from models import OutboxMessage, Program
from models.enums import ProgramStatus
from tests.factories import SeededPair

START, END = date(2026, 11, 1), date(2027, 1, 31)
MIDPOINT, FINAL = date(2026, 12, 1), date(2026, 12, 20)


def test_evaluation_dates_fall_inside_the_program_and_in_order() -> None:
    ok = ProgramInput(name="P", starts_on=START, ends_on=END, midpoint_on=MIDPOINT, final_on=FINAL)
    assert validate_program(ok) == {}
    swapped = ProgramInput(
        name="P", starts_on=START, ends_on=END, midpoint_on=FINAL, final_on=MIDPOINT
    )
    assert "after the midpoint" in validate_program(swapped)[ProgramField.FINAL_ON]
    outside = ProgramInput(name="P", starts_on=START, ends_on=END, midpoint_on=date(2027, 3, 1))
    assert (
        "between the program's start and end" in validate_program(outside)[ProgramField.MIDPOINT_ON]
    )


def test_the_program_modal_shows_and_reads_back_the_evaluation_dates() -> None:
    values = ProgramInput(
        name="P", starts_on=START, ends_on=END, midpoint_on=MIDPOINT, final_on=FINAL
    )
    view = program_modal(values, ProgramMetadata(program_id=1)).to_dict()
    state = {
        block["block_id"]: {
            block["element"]["action_id"]: {
                "type": "datepicker",
                "selected_date": block["element"].get("initial_date"),
            }
        }
        for block in view["blocks"]
        if block["type"] == "input" and block["element"]["type"] == "datepicker"
    }
    read = parse_program_state(state, ProgramStatus.OPEN)
    assert (read.midpoint_on, read.final_on) == (MIDPOINT, FINAL)


def _surveys_queued(session_factory: sessionmaker[Session], at: datetime) -> list[str]:
    with session_factory.begin() as db_session:
        plan_surveys(db_session, now=at)
    with session_factory.begin() as db_session:
        return sorted(
            db_session.scalars(
                select(OutboxMessage.dedupe_key).where(OutboxMessage.kind == "survey")
            ).all()
        )


def _set_dates(session_factory: sessionmaker[Session], program_id: int, **dates: date) -> None:
    with session_factory.begin() as db_session:
        program = db_session.get(Program, program_id)
        assert program is not None
        program.starts_on, program.ends_on = START, END
        for name, day in dates.items():
            setattr(program, name, day)


def test_surveys_go_out_on_the_programs_evaluation_dates(
    session_factory: sessionmaker[Session], pair: SeededPair
) -> None:
    _set_dates(session_factory, pair.program_id, midpoint_on=MIDPOINT, final_on=FINAL)
    assert _surveys_queued(session_factory, datetime(2026, 11, 30, 13, 0, tzinfo=UTC)) == []
    midpoint = _surveys_queued(session_factory, datetime(2026, 12, 1, 13, 0, tzinfo=UTC))
    assert [key.split(":")[1] for key in midpoint] == ["midpoint", "midpoint"]
    both = _surveys_queued(session_factory, datetime(2026, 12, 20, 13, 0, tzinfo=UTC))
    assert [key.split(":")[1] for key in both] == ["final", "final", "midpoint", "midpoint"]


def test_without_evaluation_dates_each_pair_keeps_its_own_halfway_point(
    session_factory: sessionmaker[Session], pair: SeededPair
) -> None:
    _set_dates(session_factory, pair.program_id)
    # Introduced on 13 November, ending 31 January: halfway is late December, not 1 December.
    assert _surveys_queued(session_factory, datetime(2026, 12, 1, 13, 0, tzinfo=UTC)) == []
    later = _surveys_queued(session_factory, datetime(2026, 12, 24, 13, 0, tzinfo=UTC))
    assert [key.split(":")[1] for key in later] == ["midpoint", "midpoint"]
